"""Issue #9 §2 "slow remote hosts" (catalog P-04, NET-08): one total fetch budget per request,
brief negative caching by host, and caps on concurrent outbound fetches."""
from __future__ import annotations

import socket
import threading
import time

import pytest

from issuer.resolve.fetch import FetchError, SafeFetcher, fetch_budget


class SilentHost:
    """Accepts TCP connections and never answers (the hostile host of the issue)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        self.held: list[socket.socket] = []
        self._stop = False
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        self.sock.settimeout(0.1)
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.accepted += 1
            self.held.append(conn)

    def close(self) -> None:
        self._stop = True
        self.thread.join(2)
        for conn in self.held:
            conn.close()
        self.sock.close()


@pytest.fixture
def silent():
    host = SilentHost()
    yield host
    host.close()


def _fetcher(**kwargs) -> SafeFetcher:
    return SafeFetcher(allow_http=True, allow_private=True, **kwargs)


def test_a_silent_host_costs_one_timeout_then_fails_fast_from_the_failure_cache(silent):
    fetcher = _fetcher(timeout=0.5, failure_ttl=30)
    start = time.monotonic()
    with pytest.raises(FetchError) as first:
        fetcher.fetch(f"http://127.0.0.1:{silent.port}/did.json")
    assert first.value.code == "timeout" and 0.4 < time.monotonic() - start < 2
    start = time.monotonic()
    for path in ("/did.json", "/status/1", "/other"):  # any URL on the same host and port
        with pytest.raises(FetchError, match="failed recently"):
            fetcher.fetch(f"http://127.0.0.1:{silent.port}{path}")
    assert time.monotonic() - start < 0.1
    assert silent.accepted == 1


def test_a_cached_host_failure_names_the_host_not_another_requests_url(silent):
    """The failure cache answers every URL of a failed host: its message must not carry the URL
    (which may hold a private token) that another request fetched first."""
    fetcher = _fetcher(timeout=0.3, failure_ttl=30)
    with pytest.raises(FetchError, match="private-token-123"):
        fetcher.fetch(f"http://127.0.0.1:{silent.port}/credentials/private-token-123")
    with pytest.raises(FetchError, match="failed recently") as later:
        fetcher.fetch(f"http://127.0.0.1:{silent.port}/status/1")
    assert "private-token-123" not in str(later.value)
    assert f"127.0.0.1:{silent.port} did not answer in time" in str(later.value)


def test_one_budget_for_all_fetches_of_a_request(silent):
    fetcher = _fetcher(timeout=5.0, failure_ttl=0)
    start = time.monotonic()
    with fetch_budget(0.6):
        for path in ("/a", "/b", "/c"):
            with pytest.raises(FetchError) as caught:
                fetcher.fetch(f"http://127.0.0.1:{silent.port}{path}")
            assert caught.value.code == "timeout"
    assert time.monotonic() - start < 1.5  # not 3 x 5 s
    with fetch_budget(5.0), fetch_budget(0.2):  # an inner budget never extends the outer one
        start = time.monotonic()
        with pytest.raises(FetchError):
            fetcher.fetch(f"http://127.0.0.1:{silent.port}/d")
        assert time.monotonic() - start < 1.0


def test_a_timeout_cut_short_by_the_budget_is_not_cached_against_the_host(silent):
    fetcher = _fetcher(timeout=5.0, failure_ttl=30)
    with fetch_budget(0.3), pytest.raises(FetchError):
        fetcher.fetch(f"http://127.0.0.1:{silent.port}/x")
    with fetch_budget(0.3), pytest.raises(FetchError) as again:
        fetcher.fetch(f"http://127.0.0.1:{silent.port}/x")
    assert "failed recently" not in str(again.value) and silent.accepted == 2


def test_concurrent_fetches_to_one_host_are_capped(silent):
    fetcher = _fetcher(timeout=1.0, failure_ttl=0, max_per_host=2, max_concurrent=8)
    errors: list[FetchError] = []

    def one(i):
        try:
            fetcher.fetch(f"http://127.0.0.1:{silent.port}/{i}")
        except FetchError as exc:
            errors.append(exc)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(6)]
    peak = _watch_peak(fetcher, threads)
    assert len(errors) == 6
    assert 1 <= peak <= 2  # never more than two at once to one host
    assert any("in flight" in str(e) for e in errors)  # some waited for a slot until their deadline


def _watch_peak(fetcher: SafeFetcher, threads) -> int:
    """Run ``threads`` and return the most fetches seen in flight at once (sampled every ms)."""
    for t in threads:
        t.start()
    peak = 0
    while any(t.is_alive() for t in threads):
        peak = max(peak, fetcher._total_in_flight)
        time.sleep(0.001)
    return peak


def test_the_global_cap_bounds_fetches_to_all_hosts():
    hosts = [SilentHost() for _ in range(3)]
    try:
        fetcher = _fetcher(timeout=0.8, failure_ttl=0, max_per_host=2, max_concurrent=2)
        threads = [threading.Thread(target=lambda h=h: pytest.raises(FetchError, fetcher.fetch,
                                                                       f"http://127.0.0.1:{h.port}/"))
                   for h in hosts for _ in range(2)]
        assert 1 <= _watch_peak(fetcher, threads) <= 2
    finally:
        for h in hosts:
            h.close()


def test_settings_are_validated():
    with pytest.raises(ValueError):
        SafeFetcher(max_concurrent=0)
    with pytest.raises(ValueError):
        SafeFetcher(failure_ttl=-1)


# --- every cache of remote data is bounded by bytes (issue #9 §2 "Memory", catalog P-03) ----------


def test_the_response_cache_is_bounded_by_bytes():
    from issuer.resolve.fetch import FetchResult
    fetcher = _fetcher(max_cache_entries=1000, max_cache_bytes=100_000)
    for i in range(50):
        fetcher._cache_put((f"https://h{i}.example/x", "a"), FetchResult(f"https://h{i}.example/x", 200, {}, b"x" * 10_000))
    assert fetcher._cache_bytes <= 100_000 and len(fetcher._cache) == 10
    assert fetcher._cache_get(("https://h49.example/x", "a")) is not None  # the newest stay
    assert fetcher._cache_get(("https://h0.example/x", "a")) is None
    fetcher._cache_put(("https://big.example/", "a"), FetchResult("https://big.example/", 200, {}, b"x" * 60_000))
    assert fetcher._cache_get(("https://big.example/", "a")) is None  # more than a quarter: not cached


def test_the_did_cache_is_bounded_by_bytes():
    import json as _json

    from issuer.resolve.did_resolver import DidResolver

    class Result:
        status = 200

        def __init__(self, body: bytes) -> None:
            self.body = body

    def fetch(url: str):
        host = url.split("/")[2]
        did = f"did:web:{host}"
        doc = {"@context": "https://www.w3.org/ns/did/v1", "id": did,
               "service": [{"id": f"{did}#s{i}", "type": "LinkedDomains", "serviceEndpoint": f"https://{host}/{i}"}
                           for i in range(40)]}
        return Result(_json.dumps(doc).encode())

    resolver = DidResolver(fetch=fetch, max_entries=1000, max_bytes=200_000)
    for i in range(100):
        resolver.resolve(f"did:web:h{i}.example")
    assert resolver._bytes <= 200_000 and 0 < len(resolver._cache) < 100
    assert sum(entry[2] for entry in resolver._cache.values()) == resolver._bytes
