"""DID documents: errors, validation, verification-method lookup and a caching resolver.

* DID Core 1.0 (https://www.w3.org/TR/did-core/): §5.2 verification methods, §5.3 verification
  relationships (a relationship lists a VM by reference - a DID URL string - or embeds it).
* VC Data Integrity 1.0 (https://www.w3.org/TR/vc-data-integrity/) §4.1/§4.4: the proof's
  ``verificationMethod`` must be authorised under the ``proofPurpose`` relationship
  (``assertionMethod`` for credentials), and verifiers should cache remote resolutions.
* Security catalog NET-06 (wrong ``id``, oversize documents) and NET-08 (negative cache, caps).

Error ``code`` values follow the W3C DID Resolution error names where one exists
(https://w3c.github.io/did-resolution/#errors): ``invalidDid``, ``methodNotSupported``,
``notFound``, ``invalidDidDocument``, ``invalidPublicKey``, ``invalidPublicKeyLength``,
``unsupportedPublicKeyType``; plus ``resolutionFailed`` (network failure) and
``verificationMethodNotFound``.
"""
from __future__ import annotations

import copy
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

__all__ = [
    "DidError", "DidResolver", "find_verification_method", "validate_did_document",
    "split_did_url", "VERIFICATION_RELATIONSHIPS", "MAX_VERIFICATION_METHODS",
]

VERIFICATION_RELATIONSHIPS = (
    "authentication", "assertionMethod", "keyAgreement", "capabilityInvocation", "capabilityDelegation",
)
MAX_VERIFICATION_METHODS = 64
MAX_DID_LENGTH = 2048


class DidError(ValueError):
    """A DID is malformed, cannot be resolved, or its document is unacceptable.

    ``code`` is a DID Resolution style error name (see the module docstring).
    """

    def __init__(self, message: str, *, code: str = "invalidDid") -> None:
        super().__init__(message)
        self.code = code

    def copy(self) -> DidError:
        """A fresh instance (re-raising one cached instance would pile up tracebacks)."""
        return DidError(str(self), code=self.code)


def split_did_url(did_url: str) -> tuple[str, str | None]:
    """Split ``did:m:id#fragment`` into ``("did:m:id", "fragment")``; paths and queries are refused."""
    if not isinstance(did_url, str) or not did_url.startswith("did:") or len(did_url) > MAX_DID_LENGTH:
        raise DidError("not a DID URL")
    did, sep, fragment = did_url.partition("#")
    if "/" in did or "?" in did:
        raise DidError("DID URLs with a path or query are not supported")
    if sep and not fragment:
        raise DidError("empty DID URL fragment")
    return did, (fragment if sep else None)


# --------------------------------------------------------------------------- validation


def _absolute(ref: str, base: str) -> str:
    return base + ref if ref.startswith("#") else ref


def _check_vm(vm: object, did: str) -> None:
    if not isinstance(vm, dict):
        raise DidError("verification method is not an object", code="invalidDidDocument")
    vm_id, controller, vm_type = vm.get("id"), vm.get("controller"), vm.get("type")
    if not isinstance(vm_id, str) or not vm_id.startswith(did + "#") or len(vm_id) == len(did) + 1:
        raise DidError(f"verification method id {vm_id!r} is not a fragment of {did}", code="invalidDidDocument")
    if controller != did:
        raise DidError(f"verification method {vm_id} has controller {controller!r}, not {did}",
                       code="invalidDidDocument")
    if not isinstance(vm_type, str) or not vm_type:
        raise DidError(f"verification method {vm_id} has no type", code="invalidDidDocument")


def _listed(document: dict, name: str) -> list:
    value = document.get(name, [])
    if not isinstance(value, list):
        raise DidError(f"{name} must be an array", code="invalidDidDocument")
    return value


def validate_did_document(did: str, document: object) -> dict:
    """Check a resolved document belongs to ``did`` and return it.

    ``id`` must equal the DID; every verification method (listed or embedded in a relationship) must
    have an absolute id ``<did>#<fragment>``, a ``type`` and ``controller`` equal to the DID (DI-14);
    relationships must be arrays of DID URL strings or VM objects; at most
    :data:`MAX_VERIFICATION_METHODS` methods. Raises :class:`DidError` (``invalidDidDocument``).
    """
    if not isinstance(document, dict):
        raise DidError("DID document is not a JSON object", code="invalidDidDocument")
    if document.get("id") != did:
        raise DidError(f"DID document id {document.get('id')!r} does not match {did}", code="invalidDidDocument")
    methods = _listed(document, "verificationMethod")
    embedded = 0
    for name in VERIFICATION_RELATIONSHIPS:
        for entry in _listed(document, name):
            if isinstance(entry, dict):
                _check_vm(entry, did)
                embedded += 1
            elif not isinstance(entry, str) or not entry:
                raise DidError(f"{name} entry is neither a DID URL nor an object", code="invalidDidDocument")
    if len(methods) + embedded > MAX_VERIFICATION_METHODS:
        raise DidError("DID document has too many verification methods", code="invalidDidDocument")
    for vm in methods:
        _check_vm(vm, did)
    return document


# --------------------------------------------------------------------------- lookup


def _listed_vm(document: dict, vm_id: str, base: str) -> dict:
    matches = [vm for vm in _listed(document, "verificationMethod")
               if isinstance(vm, dict) and isinstance(vm.get("id"), str) and _absolute(vm["id"], base) == vm_id]
    if not matches:
        raise DidError(f"{vm_id} is referenced but not defined", code="verificationMethodNotFound")
    if any(m != matches[0] for m in matches[1:]):
        raise DidError(f"{vm_id} is defined more than once", code="invalidDidDocument")
    return matches[0]


def find_verification_method(did_document: dict, vm_id: str, relationship: str = "assertionMethod") -> dict:
    """Return (a copy of) the verification method ``vm_id`` authorised for ``relationship``.

    The VM must appear under ``relationship`` either by reference (resolved against the document's
    ``verificationMethod``; ``#frag`` references are made absolute with the document ``id``) or
    embedded. Raise :class:`DidError` (``verificationMethodNotFound``) otherwise.
    """
    if relationship not in VERIFICATION_RELATIONSHIPS:
        raise ValueError(f"unknown verification relationship {relationship!r}")
    if not isinstance(did_document, dict) or not isinstance(did_document.get("id"), str):
        raise DidError("DID document is not an object with an id", code="invalidDidDocument")
    if not isinstance(vm_id, str) or not vm_id:
        raise DidError("verification method id missing", code="verificationMethodNotFound")
    base = did_document["id"]
    vm_id = _absolute(vm_id, base)
    for entry in _listed(did_document, relationship):
        if isinstance(entry, str) and _absolute(entry, base) == vm_id:
            return copy.deepcopy(_listed_vm(did_document, vm_id, base))
        if isinstance(entry, dict) and isinstance(entry.get("id"), str) and _absolute(entry["id"], base) == vm_id:
            return copy.deepcopy(entry)
    raise DidError(f"{vm_id} is not authorised for {relationship}", code="verificationMethodNotFound")


# --------------------------------------------------------------------------- resolver


class DidResolver:
    """Resolve ``did:key`` locally and ``did:web`` via a local hook, then the injected fetcher.

    * ``fetch(url) -> FetchResult`` - e.g. :meth:`issuer.net.fetch.SafeFetcher.fetch`; ``None``
      disables remote did:web (``resolutionFailed``).
    * ``local(did) -> dict | None`` - answers the service's own did:web DIDs without network; its
      documents are validated but never cached (keys may rotate).
    * Remote results are cached for ``ttl`` seconds, failures for ``negative_ttl`` seconds, at most
      ``max_entries`` entries (LRU eviction); ``now()`` is a monotonic clock in seconds.

    Every call returns a deep copy, so callers cannot poison the cache.
    """

    def __init__(
        self,
        *,
        fetch: Callable | None = None,
        local: Callable[[str], dict | None] | None = None,
        now: Callable[[], float] = time.monotonic,
        ttl: float = 300.0,
        negative_ttl: float = 30.0,
        max_entries: int = 1024,
    ) -> None:
        from .did_key import resolve_did_key  # deferred: did_key imports DidError from here
        from .did_web import did_web_to_url, resolve_did_web

        if max_entries < 0:
            raise ValueError("max_entries must be non-negative")
        self._resolve_key = resolve_did_key
        self._resolve_web = resolve_did_web
        self._check_web = did_web_to_url
        self._fetch = fetch
        self._local = local
        self._now = now
        self._ttl = ttl
        self._negative_ttl = negative_ttl
        self._max_entries = max_entries
        self._cache: OrderedDict[str, tuple[float, dict | DidError]] = OrderedDict()
        self._lock = threading.Lock()

    def resolve(self, did: str) -> dict:
        """Return the DID document for ``did`` (no fragment) or raise :class:`DidError`."""
        if not isinstance(did, str) or len(did) > MAX_DID_LENGTH:
            raise DidError("not a DID")
        if did.startswith("did:key:"):
            return self._resolve_key(did)
        if did.startswith("did:web:"):
            return self._resolve_web_cached(did)
        if did.startswith("did:"):
            raise DidError(f"DID method of {did[:40]!r} is not supported", code="methodNotSupported")
        raise DidError("not a DID")

    def invalidate(self, did: str | None = None) -> None:
        """Drop one cached DID (or all of them)."""
        with self._lock:
            if did is None:
                self._cache.clear()
            else:
                self._cache.pop(did, None)

    def _resolve_web_cached(self, did: str) -> dict:
        self._check_web(did)  # syntax errors are raised before any hook, fetch or cache entry
        if self._local is not None:
            document = self._local(did)
            if document is not None:
                return copy.deepcopy(validate_did_document(did, document))
        cached = self._cache_get(did)
        if cached is not None:
            if isinstance(cached, DidError):
                raise cached.copy()
            return copy.deepcopy(cached)
        if self._fetch is None:
            raise DidError("remote did:web resolution is disabled", code="resolutionFailed")
        try:
            document = self._resolve_web(did, fetch=self._fetch)
        except DidError as exc:
            self._cache_put(did, exc.copy(), self._negative_ttl)
            raise
        self._cache_put(did, document, self._ttl)
        return copy.deepcopy(document)

    def _cache_get(self, did: str) -> dict | DidError | None:
        now = self._now()
        with self._lock:
            entry = self._cache.get(did)
            if entry is None:
                return None
            if entry[0] <= now:
                del self._cache[did]
                return None
            self._cache.move_to_end(did)
            return entry[1]

    def _cache_put(self, did: str, value: dict | DidError, ttl: float) -> None:
        if ttl <= 0 or self._max_entries == 0:
            return
        expires = self._now() + ttl
        with self._lock:
            self._cache[did] = (expires, value)
            self._cache.move_to_end(did)
            while len(self._cache) > self._max_entries:
                self._cache.popitem(last=False)
