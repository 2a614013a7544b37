"""Canonical N-Quads (RDFC-1.0) of a JSON-LD document — the ``transformation`` step of
``eddsa-rdfc-2022`` and ``Ed25519Signature2020``.

Canonicalizing a credential means: expand the JSON-LD (processing its contexts), convert it to
RDF, relabel blank nodes (RDFC-1.0) and serialize. pyld does all of it, but spends most of its
time processing the same large contexts for every credential (about 2 ms a document). Here:

* :mod:`.template` keeps, per document *shape*, pyld's RDF with the string values as slots, so a
  document of a known shape becomes RDF by substitution (no context processing at all);
* :mod:`.rdfc` relabels blank nodes, finishing in one pass when every blank node's first-degree
  hash is unique and handing the rest to pyld's full RDFC-1.0.

Nothing is dropped silently: the first document of each shape goes through safe-mode expansion
(:mod:`.safemode`), and the shape fixes every key, type and context of later documents. Text
direction is kept as the reference ``eddsa-rdfc-2022`` suite keeps it (``rdfDirection:
"i18n-datatype"``, see :mod:`.template`) on every path: template, pyld, and the child process.

pyoxigraph was measured as a back end and rejected: its JSON-LD to RDF conversion of nested
``@graph`` containers and its RDFC-1.0 labelling differ from pyld and rdf-canonize on the OB
"complete" examples, so those signatures would not verify.

Documents with explicit blank node identifiers (``_:x``) can form graphs on which RDFC-1.0 is
exponential (rdf-canon section 7.1 "Dataset Poisoning", catalog DI-21); they are canonicalized in
a child process under a deadline.
"""
from __future__ import annotations

import multiprocessing

from pyld import jsonld

from . import rdfc
from ...badges.contexts import document_loader
from .safemode import expand_safe
from .template import NotCacheable, TemplateCache, build_template, expand_to_quads, shape_of

__all__ = ["CanonizationError", "canonize", "cache_info", "clear_cache", "POISON_DEADLINE_S"]

POISON_DEADLINE_S = 2.0
_CACHE = TemplateCache()


class CanonizationError(ValueError):
    """The document cannot be canonicalized (invalid RDF, or over the work limit)."""


def _colon_terms(loader) -> frozenset:
    """Term names containing ':' in the loader's contexts: such a value could expand as a term."""
    cached = getattr(loader, "_colon_terms", None)
    if cached is not None:
        return cached
    found: set[str] = set()
    stack = list(getattr(loader, "documents", {}).values())
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            found.update(k for k in node if ":" in k)
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    result = frozenset(found)
    try:
        loader._colon_terms = result
    except AttributeError:
        pass
    return result


def cache_info() -> dict:
    return _CACHE.info()


def clear_cache() -> None:
    _CACHE.clear()


def _child(conn, doc, loader):  # pragma: no cover - runs in the child process
    try:
        quads, objects = expand_to_quads(doc, loader)
        conn.send(("ok", rdfc.canonicalize(quads, objects)))
    except Exception as exc:  # noqa: BLE001 - reported to the parent as its message
        conn.send(("error", f"{type(exc).__name__}: {exc}"))


def _with_deadline(doc: dict, loader, deadline: float) -> str:
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, doc, loader), daemon=True)
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


def canonize(document: dict, loader=document_loader, *, deadline: float = POISON_DEADLINE_S) -> str:
    """Canonical N-Quads (RDFC-1.0) of a JSON-LD document, refusing any data loss.

    Raises :class:`~issuer.signing.jsonld.safemode.DataLossError`,
    :class:`~issuer.badges.contexts.ContextNotAllowed`, ``pyld.jsonld.JsonLdError`` or
    :class:`CanonizationError`.
    """
    leaves: list[str] = []
    try:
        key = (shape_of(document, leaves), id(loader))
    except NotCacheable:
        expand_safe(document, loader)  # safe-mode and context errors surface in this process
        return _with_deadline(document, loader, deadline)
    template = _CACHE.lookup(key, leaves)
    if template is not None:
        quads = template.fill(leaves, _colon_terms(loader))
        if quads is not None:
            _CACHE.hits += 1
            return rdfc.canonicalize(quads, lambda: template.fill_objects(leaves))
    _CACHE.misses += 1
    quads, objects = expand_to_quads(document, loader)
    try:
        built = build_template(document, leaves, quads, loader)
    except jsonld.JsonLdError:
        built = None
    if built is not None:
        _CACHE.store(key, leaves, *built)
    return rdfc.canonicalize(quads, objects)
