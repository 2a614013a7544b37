"""RDF Dataset Canonicalization (RDFC-1.0) of JSON-LD documents, fast.

https://www.w3.org/TR/rdf-canon/ — the ``transformation`` step of ``eddsa-rdfc-2022``.

Canonicalizing a credential means: expand the JSON-LD (processing its contexts), convert it to
RDF, relabel blank nodes (RDFC-1.0) and serialize canonical N-Quads. The contexts are large and
the same for every credential, so processing them dominates the cost in pyld (about 2 ms per
document). This module removes that cost without re-implementing JSON-LD:

1. A document's *shape* is its structure with the string leaves replaced by a class (IRI scheme,
   keyword-like, or plain text) but with ``@context`` and ``type`` values kept exactly.
2. The first time a shape is seen, pyld expands the document in safe mode (:mod:`.safemode`),
   then expands a *probe* copy whose string leaves are unique markers. Each marker found exactly
   once, as a whole ``@value`` or ``@id``, is a slot that can take any value of the same class;
   other leaves are kept exactly in the cache key. The template is accepted only if filling it
   with the document's own values reproduces pyld's expansion of the document exactly.
3. Later documents of the same shape are expanded by filling the template (string
   substitution). pyld then builds the RDF dataset from the expanded form (node map, no context
   processing) and runs its RDFC-1.0 implementation.

pyoxigraph was measured as an alternative back end: it is fast but its JSON-LD to RDF conversion
of nested ``@graph`` containers (proofs inside embedded endorsements) differs from pyld and
jsonld.js, so signatures over such credentials would not verify. pyld alone is used.

Documents with explicit blank node identifiers (``_:x``) can form graphs on which RDFC-1.0 is
exponential (rdf-canon section 7.1 "Dataset Poisoning", catalog DI-21); they are canonicalized
in a child process under a deadline.
"""
from __future__ import annotations

import json
import multiprocessing
import re
import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass

from pyld import jsonld
from pyld.canon import URDNA2015
from pyld.identifier_issuer import IdentifierIssuer

from .contexts import document_loader
from .safemode import expand_safe, is_absolute_iri

__all__ = ["CanonizationError", "canonize", "expand", "cache_info", "clear_cache"]

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):(//)?")
_FROZEN_KEYS = frozenset({"@context", "type", "@type"})
_MAX_SHAPES = 512
_MAX_VARIANTS = 64
POISON_DEADLINE_S = 2.0
_RDF_OPTIONS = {"produceGeneralizedRdf": False, "rdfDirection": None, "processingMode": "json-ld-1.1"}


class CanonizationError(ValueError):
    """The document cannot be canonicalized (invalid RDF, or over the work limit)."""


class _ExplicitBlankNode(Exception):
    pass


# --- shape ---------------------------------------------------------------------------------

def _leaf_class(value: str):
    if value.startswith("_:"):
        raise _ExplicitBlankNode
    m = _SCHEME.match(value)
    if m:
        return (m.group(1), bool(m.group(2)))
    return "@" if value.startswith("@") else ""


def _frozen(value) -> str:
    if _contains_blank_id(value):
        raise _ExplicitBlankNode
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _contains_blank_id(value) -> bool:
    if isinstance(value, str):
        return value.startswith("_:")
    if isinstance(value, list):
        return any(_contains_blank_id(v) for v in value)
    if isinstance(value, dict):
        return any(_contains_blank_id(v) for v in value.values())
    return False


def _shape(node, leaves: list):
    if isinstance(node, dict):
        return ("d", tuple(
            (k, _frozen(node[k]) if k in _FROZEN_KEYS else _shape(node[k], leaves)) for k in sorted(node)
        ))
    if isinstance(node, list):
        return ("l", tuple(_shape(item, leaves) for item in node))
    if isinstance(node, str):
        leaves.append(node)
        return ("s", _leaf_class(node))
    return ("v", type(node).__name__, node)


def _substitute(node, values):
    """Copy of ``node`` with its string leaves (in shape order) taken from the iterator."""
    if isinstance(node, dict):
        return {k: (node[k] if k in _FROZEN_KEYS else _substitute(node[k], values)) for k in sorted(node)}
    if isinstance(node, list):
        return [_substitute(item, values) for item in node]
    if isinstance(node, str):
        return next(values)
    return node


def _marker(value: str, nonce: str, i: int) -> str:
    m = _SCHEME.match(value)
    if m:
        return f"{m.group(1)}:{m.group(2) or ''}{nonce}x{i}x"
    return f"@{nonce}x{i}x" if value.startswith("@") else f"{nonce}x{i}x"


# --- templates -----------------------------------------------------------------------------

@dataclass(frozen=True)
class _Template:
    parts: tuple[str, ...]      # text around the slots
    slots: tuple[int, ...]      # leaf index filling each gap
    id_slots: frozenset[int]    # slots that are @id values (must stay absolute IRIs)

    def fill(self, leaves: list[str]) -> str | None:
        out = [self.parts[0]]
        for slot, part in zip(self.slots, self.parts[1:]):
            value = leaves[slot]
            if slot in self.id_slots and not is_absolute_iri(value):
                return None
            out.append(json.dumps(value, ensure_ascii=False))
            out.append(part)
        return "".join(out)


@dataclass
class _ShapeEntry:
    exact: tuple[int, ...]
    variants: OrderedDict


def _dumps(expanded) -> str:
    return json.dumps(expanded, separators=(",", ":"), ensure_ascii=False)


def _slot_kinds(text: str, markers: list[str], candidates) -> dict[int, str]:
    """For each candidate leaf, the kind of its single occurrence: '@value' or '@id'."""
    kinds = {}
    for i in candidates:
        quoted = json.dumps(markers[i], ensure_ascii=False)
        if text.count(quoted) != 1:
            continue
        pos = text.index(quoted)
        for kind in ("@value", "@id"):
            if text.endswith(f'"{kind}":', 0, pos):
                kinds[i] = kind
    return kinds


def _build_template(doc: dict, leaves: list[str], expanded_real: list, loader) -> _Template | None:
    nonce = "m" + secrets.token_hex(8)
    markers = [_marker(v, nonce, i) for i, v in enumerate(leaves)]
    exact: set[int] = set()
    for _ in range(4):
        probe_values = [leaves[i] if i in exact else markers[i] for i in range(len(leaves))]
        probe = _substitute(doc, iter(probe_values))
        text = _dumps(jsonld.expand(probe, {"documentLoader": loader, "base": None}))
        kinds = _slot_kinds(text, markers, [i for i in range(len(leaves)) if i not in exact])
        newly_exact = {i for i in range(len(leaves)) if i not in exact and i not in kinds}
        if not newly_exact:
            break
        exact |= newly_exact
    else:
        return None
    parts, slots, pos = [], [], 0
    order = sorted(kinds, key=lambda i: text.index(json.dumps(markers[i], ensure_ascii=False)))
    for i in order:
        quoted = json.dumps(markers[i], ensure_ascii=False)
        at = text.index(quoted, pos)
        parts.append(text[pos:at])
        slots.append(i)
        pos = at + len(quoted)
    parts.append(text[pos:])
    template = _Template(tuple(parts), tuple(slots), frozenset(i for i in kinds if kinds[i] == "@id"))
    filled = template.fill(leaves)
    if filled is None or json.loads(filled) != expanded_real:
        return None  # the template does not reproduce pyld exactly: never use it
    return template, tuple(sorted(exact))


class _TemplateCache:
    def __init__(self):
        self._shapes: OrderedDict = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def expand_text(self, doc: dict, loader) -> str:
        leaves: list[str] = []
        shape = _shape(doc, leaves)
        key = (shape, id(loader))
        with self._lock:
            entry = self._shapes.get(key)
            if entry is not None:
                self._shapes.move_to_end(key)
                template = entry.variants.get(tuple(leaves[i] for i in entry.exact))
                if template is not None:
                    filled = template.fill(leaves)
                    if filled is not None:
                        self.hits += 1
                        return filled
        self.misses += 1
        expanded_real = expand_safe(doc, loader)
        built = _build_template(doc, leaves, expanded_real, loader)
        if built is not None:
            template, exact = built
            with self._lock:
                entry = self._shapes.get(key)
                if entry is None or entry.exact != exact:
                    entry = _ShapeEntry(exact, OrderedDict())
                    self._shapes[key] = entry
                entry.variants[tuple(leaves[i] for i in exact)] = template
                if len(entry.variants) > _MAX_VARIANTS:
                    entry.variants.popitem(last=False)
                if len(self._shapes) > _MAX_SHAPES:
                    self._shapes.popitem(last=False)
        return _dumps(expanded_real)

    def clear(self):
        with self._lock:
            self._shapes.clear()
            self.hits = self.misses = 0


_CACHE = _TemplateCache()


def cache_info() -> dict:
    return {"shapes": len(_CACHE._shapes), "hits": _CACHE.hits, "misses": _CACHE.misses}


def clear_cache() -> None:
    _CACHE.clear()


# --- RDF -----------------------------------------------------------------------------------

def _canonize_expanded(expanded_text: str) -> str:
    """RDF dataset of an expanded document (JSON-LD 1.1 "Deserialize JSON-LD to RDF"), RDFC-1.0."""
    expanded = json.loads(expanded_text)
    processor = jsonld.JsonLdProcessor()
    issuer = IdentifierIssuer("_:b")
    node_map: dict = {"@default": {}}
    try:
        processor._create_node_map(expanded, node_map, "@default", issuer)
        dataset = {
            name: processor._graph_to_rdf(graph, issuer, _RDF_OPTIONS)
            for name, graph in sorted(node_map.items())
            if name == "@default" or is_absolute_iri(name) or name.startswith("_:")
        }
        return URDNA2015().main(dataset, {"format": "application/n-quads"})
    except jsonld.JsonLdError as exc:
        raise CanonizationError(f"cannot convert to RDF: {exc}") from exc


def _child(conn, text):  # pragma: no cover - runs in the child process
    try:
        conn.send(("ok", _canonize_expanded(text)))
    except Exception as exc:  # noqa: BLE001 - reported to the parent
        conn.send(("error", str(exc)))


def _canonize_with_deadline(expanded_text: str, deadline: float) -> str:
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, expanded_text), daemon=True)
    proc.start()
    child.close()
    try:
        if not parent.poll(deadline):
            raise CanonizationError(f"canonicalization exceeded {deadline} s (possible poison graph)")
        status, value = parent.recv()
    finally:
        proc.kill()
        proc.join()
        parent.close()
    if status != "ok":
        raise CanonizationError(value)
    return value


def expand(document: dict, loader=document_loader) -> str:
    """Safe-mode expansion of ``document`` as compact JSON text (cached by shape)."""
    try:
        return _CACHE.expand_text(document, loader)
    except _ExplicitBlankNode:
        return _dumps(expand_safe(document, loader))


def canonize(document: dict, loader=document_loader, *, deadline: float = POISON_DEADLINE_S) -> str:
    """Canonical N-Quads (RDFC-1.0) of a JSON-LD document, refusing any data loss.

    Raises :class:`~issuer.jsonld.safemode.DataLossError`,
    :class:`~issuer.jsonld.contexts.ContextNotAllowed`, ``pyld.jsonld.JsonLdError`` or
    :class:`CanonizationError`.
    """
    try:
        text = _CACHE.expand_text(document, loader)
    except _ExplicitBlankNode:
        text = _dumps(expand_safe(document, loader))
        return _canonize_with_deadline(text, deadline)
    return _canonize_expanded(text)
