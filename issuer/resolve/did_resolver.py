"""A caching DID resolver: ``did:key`` locally, ``did:web`` through a local hook or the fetcher.

* DID Core 1.0 (https://www.w3.org/TR/did-core/) §7.1 DID resolution;
* VC Data Integrity 1.0 (https://www.w3.org/TR/vc-data-integrity/) §4.4: verifiers should cache
  remote resolutions; security catalog NET-08 (negative cache, caps).

Kept apart from :mod:`issuer.resolve.did_document` so that the DID methods (which import its
``DidError``) and the resolver (which imports the methods) form no import cycle.
"""
from __future__ import annotations

import copy
import json
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from .did_document import MAX_DID_LENGTH, DidError, validate_did_document
from .did_key import resolve_did_key
from .did_web import did_web_to_url, resolve_did_web

__all__ = ["DidResolver"]


class DidResolver:
    """Resolve ``did:key`` locally and ``did:web`` via a local hook, then the injected fetcher.

    * ``fetch(url) -> FetchResult`` - e.g. :meth:`issuer.resolve.fetch.SafeFetcher.fetch`; ``None``
      disables remote did:web (``resolutionFailed``).
    * ``local(did) -> dict | None`` - answers the service's own did:web DIDs without network; its
      documents are validated but never cached (keys may rotate).
    * Remote results are cached for ``ttl`` seconds, failures for ``negative_ttl`` seconds, within
      ``max_bytes`` (an estimate: three times the compact JSON) and at most
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
        max_bytes: int = 8 * 1024 * 1024,
    ) -> None:
        if max_entries < 0 or max_bytes < 0:
            raise ValueError("max_entries and max_bytes must be non-negative")
        self._max_bytes = max_bytes
        self._bytes = 0
        self._resolve_key = resolve_did_key
        self._resolve_web = resolve_did_web
        self._check_web = did_web_to_url
        self._fetch = fetch
        self._local = local
        self._now = now
        self._ttl = ttl
        self._negative_ttl = negative_ttl
        self._max_entries = max_entries
        self._cache: OrderedDict[str, tuple[float, dict | DidError, int]] = OrderedDict()
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
                self._bytes = 0
            else:
                entry = self._cache.pop(did, None)
                self._bytes -= entry[2] if entry else 0

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
                self._bytes -= entry[2]
                return None
            self._cache.move_to_end(did)
            return entry[1]

    def _cache_put(self, did: str, value: dict | DidError, ttl: float) -> None:
        if ttl <= 0 or self._max_entries == 0:
            return
        size = 256 + len(did) + (len(json.dumps(value, separators=(",", ":"))) * 3 if isinstance(value, dict) else 256)
        if size > self._max_bytes // 4:  # one document never takes more than a quarter of the cache
            return
        expires = self._now() + ttl
        with self._lock:
            old = self._cache.pop(did, None)
            self._bytes -= old[2] if old else 0
            self._cache[did] = (expires, value, size)
            self._bytes += size
            while self._cache and (len(self._cache) > self._max_entries or self._bytes > self._max_bytes):
                _, evicted = self._cache.popitem(last=False)
                self._bytes -= evicted[2]
