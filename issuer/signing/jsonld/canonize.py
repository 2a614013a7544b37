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
"i18n-datatype"``, see :mod:`.template`) on every path: template, pyld, and the worker processes.

pyoxigraph was measured as a back end and rejected: its JSON-LD to RDF conversion of nested
``@graph`` containers and its RDFC-1.0 labelling differ from pyld and rdf-canonize on the OB
"complete" examples, so those signatures would not verify.

Only the fast path runs in the calling process: a template hit whose blank nodes all have unique
first-degree hashes (linear time in the document). Everything else - expansion of a new shape,
documents with explicit blank node identifiers (``_:x``, which can form graphs on which RDFC-1.0 is
exponential: rdf-canon section 7.1 "Dataset Poisoning", catalog DI-21) and the full RDFC-1.0 for
colliding hashes - runs in a worker process under a deadline (:mod:`.workers`), so no input shape
can hold a server thread longer than ``JSONLD_DEADLINE_SECONDS``.

The template cache is an LRU bounded by bytes (``TEMPLATE_CACHE_BYTES``, default 32 MiB), and a
template is built only for a shape seen before (building one costs about five expansions), so
one-off shapes - most attacker-chosen ones - cost one expansion and take no cache space.
"""
from __future__ import annotations

from pyld import jsonld

from . import rdfc, workers
from ...badges.contexts import BUNDLED_CONTEXTS, ContextNotAllowed, document_loader, make_loader
from .safemode import DataLossError
from .template import NotCacheable, TemplateCache, build_template, expand_to_quads, shape_of

__all__ = ["CanonizationError", "canonize", "cache_info", "clear_cache", "configure_cache", "POISON_DEADLINE_S"]

POISON_DEADLINE_S = workers.DEFAULT_DEADLINE_S
_CACHE = TemplateCache()


class CanonizationError(ValueError):
    """The document cannot be canonicalized (invalid RDF, or over the time limit: then ``limit``
    names the setting, ``JSONLD_DEADLINE_SECONDS`` or ``JSONLD_BUDGET_SECONDS``)."""

    def __init__(self, message: str, *, limit: str | None = None) -> None:
        super().__init__(message)
        self.limit = limit


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
    """``{"shapes", "hits", "misses"}`` of the canonicalization template cache."""
    return _CACHE.info()


def clear_cache() -> None:
    """Empty the canonicalization template cache (tests and benchmarks)."""
    _CACHE.clear()


def configure_cache(max_bytes: int) -> None:
    """Bound the template cache to ``max_bytes`` (estimated); evicts least recently used shapes."""
    _CACHE.set_budget(max_bytes)


# --- jobs run in a worker process (module-level so the worker can import them) ----------------

_LOADERS: dict = {}


def _loader_spec(loader):
    """What a worker needs to rebuild ``loader``: ``None`` for the bundled one, else the extra documents."""
    if loader is document_loader:
        return None
    documents = getattr(loader, "documents", None)
    if documents is None:
        raise CanonizationError("this document loader cannot be used in a worker process")
    return tuple(sorted((url, doc) for url, doc in documents.items() if BUNDLED_CONTEXTS.get(url) is not doc))


def _loader_from(spec):
    if spec is None:
        return document_loader
    key = repr(spec)
    loader = _LOADERS.get(key)
    if loader is None:
        loader = make_loader(dict(spec))
        _LOADERS.clear()  # one custom loader at a time is plenty (tests)
        _LOADERS[key] = loader
    return loader


def job_expand_and_canonize(document: dict, spec) -> str:
    """Worker job: safe-mode expansion, RDF and full RDFC-1.0 of a document with no template."""
    quads, objects = expand_to_quads(document, _loader_from(spec))
    return rdfc.canonicalize(quads, objects)


def job_template(document: dict, leaves: list[str], spec) -> tuple[str, object]:
    """Worker job: canonical N-Quads of a new shape, and its template (or None)."""
    loader = _loader_from(spec)
    quads, objects = expand_to_quads(document, loader)
    try:
        built = build_template(document, leaves, quads, loader)
    except jsonld.JsonLdError:
        built = None
    return rdfc.canonicalize(quads, objects), built


def warm_up() -> None:
    """Worker start: load the bundled credential contexts into pyld's cache (the slow part of a first job)."""
    document = {"@context": ["https://www.w3.org/ns/credentials/v2",
                             "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
                "id": "urn:uuid:00000000-0000-4000-8000-000000000000",
                "type": ["VerifiableCredential", "OpenBadgeCredential"], "issuer": "did:example:warm-up",
                "validFrom": "2024-01-01T00:00:00Z", "name": "warm-up",
                "credentialSubject": {"type": ["AchievementSubject"], "achievement": {
                    "id": "urn:uuid:00000000-0000-4000-8000-000000000001", "type": ["Achievement"], "name": "w",
                    "criteria": {"narrative": "w"}, "description": "w"}}}
    job_expand_and_canonize(document, None)


def job_full_rdfc(quads: list, objects: list) -> str:
    """Worker job: the full RDFC-1.0 (Hash N-Degree Quads) for colliding first-degree hashes."""
    return rdfc.full(quads, objects)


def _in_worker(job: str, *args, deadline: float | None = None):
    try:
        return workers.run(f"{__name__}.{job}", *args, deadline=deadline)
    except workers.DeadlineExceeded as exc:
        raise CanonizationError(f"canonicalization exceeded its time limit: {exc} (possible poison graph "
                                f"or a very large document)", limit=exc.limit) from None
    except workers.WorkerFailed as exc:
        raise _rebuilt(exc) from None


def _rebuilt(exc: workers.WorkerFailed) -> Exception:
    """The worker's exception as the type callers catch."""
    if exc.kind == "DataLossError":
        return DataLossError(list(exc.payload or [str(exc)]))
    if exc.kind == "ContextNotAllowed" and isinstance(exc.payload, str):
        return ContextNotAllowed(exc.payload)
    if exc.kind == "JsonLdError":
        return jsonld.JsonLdError(str(exc), "jsonld.InvalidInput")
    if exc.kind == "CanonizationError":
        return CanonizationError(str(exc))
    return CanonizationError(f"{exc.kind}: {exc}")


def canonize(document: dict, loader=document_loader, *, deadline: float | None = None) -> str:
    """Canonical N-Quads (RDFC-1.0) of a JSON-LD document, refusing any data loss.

    ``deadline`` (seconds) caps the work outside the fast path (default ``JSONLD_DEADLINE_SECONDS``;
    the request's budget, :func:`.workers.budget`, caps it further).

    Raises :class:`~issuer.signing.jsonld.safemode.DataLossError`,
    :class:`~issuer.badges.contexts.ContextNotAllowed`, ``pyld.jsonld.JsonLdError`` or
    :class:`CanonizationError` (also for a deadline that passed).
    """
    leaves: list[str] = []
    try:
        key = (shape_of(document, leaves), id(loader))
    except NotCacheable:
        return _in_worker("job_expand_and_canonize", document, _loader_spec(loader), deadline=deadline)
    except RecursionError:
        raise CanonizationError("the document is nested too deeply to canonicalize") from None
    template = _CACHE.lookup(key, leaves)
    if template is not None:
        quads = template.fill(leaves, _colon_terms(loader))
        if quads is not None:
            _CACHE.hits += 1
            fast = rdfc.canonicalize_unique(quads)
            if fast is not None:
                return fast
            return _in_worker("job_full_rdfc", quads, template.fill_objects(leaves), deadline=deadline)
    _CACHE.misses += 1
    if not _CACHE.seen_before(key):  # a one-off shape: one expansion, no template (5 expansions)
        return _in_worker("job_expand_and_canonize", document, _loader_spec(loader), deadline=deadline)
    canonical, built = _in_worker("job_template", document, leaves, _loader_spec(loader), deadline=deadline)
    if built is not None:
        _CACHE.store(key, leaves, *built)
    return canonical
