"""JSON-LD "safe mode" expansion: no term may be silently dropped.

VC Data Integrity 1.0 section 2.3 ("Securing Data Losslessly") requires that a property
that does not expand to an IRI raises an error instead of being dropped. pyld has no safe
mode, so :func:`expand_safe` expands with pyld's ``on_property_dropped`` hook and then walks the
expanded output for relative ``@id``/``@type`` values, which RDF conversion would drop too
(security catalog DI-01..DI-04), and for a text direction (``@direction``) that would be lost
(w3c/vc-data-integrity#366, digitalbazaar/jsonld-signatures#187): RDF conversion with ``rdfDirection:
"i18n-datatype"`` keeps it only on strings, and a context's *default* base direction (``@direction``
directly in a context) is applied differently by pyld and by jsonld.js (which the reference
``eddsa-rdfc-2022`` suite uses) to terms of the VC 2.0 context, so it is refused; a direction given
in a value object or in a term definition is kept alike by both.
"""
from __future__ import annotations

import re

from pyld import jsonld

from ...badges.contexts import ContextNotAllowed, document_loader

__all__ = ["DataLossError", "expand_safe", "is_absolute_iri"]

_ABS_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]*$")


class DataLossError(ValueError):
    """Expansion would lose data: undefined terms, relative IRIs, or unusable values."""

    code = "DATA_LOSS_DETECTION_ERROR"

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems[:10]))


def is_absolute_iri(value: str) -> bool:
    """True for a string that is an absolute IRI (RFC 3987: a scheme, then ``:``)."""
    return isinstance(value, str) and bool(_ABS_IRI.match(value))


def _check_id(value, where: str, problems: list[str]) -> None:
    if not isinstance(value, str) or not (value.startswith("_:") or is_absolute_iri(value)):
        problems.append(f"{where}: @id {value!r} is not an absolute IRI")


def _walk(node, path: str, problems: list[str]) -> None:
    if isinstance(node, list):
        for i, item in enumerate(node):
            _walk(item, f"{path}[{i}]", problems)
        return
    if not isinstance(node, dict):
        return
    if "@value" in node:
        if "@direction" in node and (not isinstance(node["@value"], str) or "@type" in node):
            problems.append(f"{path}: @direction {node['@direction']!r} on a {type(node['@value']).__name__} value "
                            "would be lost in RDF (only strings carry a text direction)")
        vtype = node.get("@type")
        if vtype is not None and vtype != "@json" and not is_absolute_iri(vtype):
            problems.append(f"{path}: datatype {vtype!r} is not an absolute IRI")
        if node["@value"] is None:
            problems.append(f"{path}: null @value")
        return
    if "@id" in node:
        _check_id(node["@id"], path, problems)
    for t in node.get("@type", []):
        if not (is_absolute_iri(t) or t.startswith("_:")):
            problems.append(f"{path}: type {t!r} is not defined by any context (relative @type)")
    for key, value in node.items():
        if key in ("@id", "@type"):
            continue
        _walk(value, f"{path}/{key}", problems)


def _find_nulls(node, path: str, problems: list[str]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if value is None:
                problems.append(f"{path}/{key}: null value carries no data and would be dropped")
            else:
                _find_nulls(value, f"{path}/{key}", problems)
    elif isinstance(node, list):
        for i, item in enumerate(node):
            if item is None:
                problems.append(f"{path}[{i}]: null array item would be dropped")
            else:
                _find_nulls(item, f"{path}[{i}]", problems)


def _context_directions(node, path: str, problems: list[str], in_context: bool = False) -> None:
    """Default base directions (``@direction`` directly in a context object), also in scoped contexts."""
    if isinstance(node, list):
        for i, item in enumerate(node):
            _context_directions(item, f"{path}[{i}]", problems, in_context)
        return
    if not isinstance(node, dict):
        return
    if in_context and "@direction" in node:
        problems.append(f"{path}: a context's default text direction (@direction) is not applied alike by "
                        "every JSON-LD processor, so it would be lost: give @direction in each value instead")
    for key, value in node.items():
        if key == "@context":
            _context_directions(value, f"{path}/@context", problems, True)
        elif isinstance(value, (dict, list)):
            _context_directions(value, f"{path}/{key}", problems, False)


def _loaded_context_directions(loader) -> list[str]:
    """Default base directions in the loader's own contexts (none of the bundled ones has any)."""
    cached = getattr(loader, "_direction_problems", None)
    if cached is not None:
        return cached
    problems: list[str] = []
    for url, doc in getattr(loader, "documents", {}).items():
        _context_directions(doc, url, problems)
    try:
        loader._direction_problems = problems
    except AttributeError:
        pass
    return problems


def expand_safe(document: dict, loader=document_loader) -> list:
    """Expand ``document`` with no base IRI; raise :class:`DataLossError` if anything is dropped.

    Raises :class:`ContextNotAllowed` for an unknown context, and ``pyld.jsonld.JsonLdError``
    for invalid JSON-LD (e.g. redefining a protected term).
    """
    problems: list[str] = []
    _find_nulls(document, "", problems)
    _context_directions(document, "", problems)
    problems.extend(_loaded_context_directions(loader))
    dropped: list[str] = []
    processor = jsonld.JsonLdProcessor(on_property_dropped=lambda prop: dropped.append(str(prop)))
    try:
        expanded = processor.expand(document, {"documentLoader": loader, "base": None, "extractAllScripts": False})
    except jsonld.JsonLdError as exc:
        cause = _root_cause(exc)
        if isinstance(cause, ContextNotAllowed):
            raise cause from exc
        raise
    problems.extend(f"property {p!r} is not defined by any context" for p in dropped)
    _walk(expanded, "", problems)
    if problems:
        raise DataLossError(problems)
    return expanded


def _root_cause(exc: BaseException) -> BaseException:
    seen = 0
    while seen < 20:
        nxt = getattr(exc, "cause", None) or exc.__cause__ or exc.__context__
        if nxt is None or nxt is exc:
            return exc
        exc = nxt
        seen += 1
    return exc
