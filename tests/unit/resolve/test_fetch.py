"""SafeFetcher against local servers: NET-01 (addresses), NET-02 (pinning), NET-03 (redirects),
NET-05 (size, time, encoding) and caching."""
from __future__ import annotations

import ipaddress
import json
import socket
import time

import pytest

from issuer.resolve import FetchError, SafeFetcher, is_forbidden_address, parse_ip_host

from .conftest import TLS_HOST
from .support import FakeResolver, refusing_resolver


def _code(fetcher: SafeFetcher, url: str) -> str:
    with pytest.raises(FetchError) as err:
        fetcher.fetch(url)
    return err.value.code


def _open_fetcher(**kwargs) -> SafeFetcher:
    return SafeFetcher(allow_http=True, allow_private=True, **kwargs)


def _assert_no_connection(server) -> None:
    """Connections are accepted in order, so if a permitted probe is connection #1, nothing
    reached the server before it."""
    _open_fetcher(cache_ttl=0).fetch(f"http://127.0.0.1:{server.port}/ok")
    assert server.connections == 1


# ----------------------------------------------------------------------------- NET-01 addresses


def test_default_settings_refuse_loopback_with_zero_connections(http_server):
    fetcher = SafeFetcher(resolver=refusing_resolver)
    for url in (f"http://127.0.0.1:{http_server.port}/ok", f"https://127.0.0.1:{http_server.port}/ok",
                f"http://localhost:{http_server.port}/ok", f"https://[::1]:{http_server.port}/ok"):
        assert _code(fetcher, url) == "forbidden_address"
    assert http_server.connections == 0
    _assert_no_connection(http_server)


def test_http_allowed_but_private_refused(http_server):
    fetcher = SafeFetcher(allow_http=True)
    assert _code(fetcher, f"http://127.0.0.1:{http_server.port}/ok") == "forbidden_address"
    _assert_no_connection(http_server)


def test_localhost_name_resolution_is_checked(http_server):
    fetcher = SafeFetcher(allow_http=True, resolver=FakeResolver({"intranet.example": ["127.0.0.1"]}))
    assert _code(fetcher, f"http://intranet.example:{http_server.port}/ok") == "forbidden_address"
    _assert_no_connection(http_server)


@pytest.mark.parametrize("host", [
    "2852039166", "0xA9FEA9FE", "0xa9.0xfe.0xa9.0xfe", "0251.0376.0251.0376", "0177.0.0.1", "127.1", "0x7f.1",
    "017700000001", "0", "0.0.0.0", "10.0.0.1", "172.16.0.1", "192.168.1.1", "100.64.0.1", "169.254.169.254",
    "224.0.0.1", "255.255.255.255", "192.0.2.1", "[::1]", "[::]", "[::ffff:127.0.0.1]",
    "[::ffff:169.254.169.254]", "[::ffff:a9fe:a9fe]", "[fd00::1]", "[fe80::1]", "[fec0::1]", "[ff02::1]",
    "[64:ff9b::a9fe:a9fe]", "[2002:a9fe:a9fe::1]", "[::127.0.0.1]", "localhost", "api.localhost",
])
def test_forbidden_literal_hosts_never_resolve_or_connect(host):
    fetcher = SafeFetcher(resolver=refusing_resolver)
    assert _code(fetcher, f"https://{host}/x") == "forbidden_address"


@pytest.mark.parametrize("addresses", [
    ["169.254.169.254"], ["::ffff:127.0.0.1"], ["::ffff:169.254.169.254"], ["127.0.0.1"], ["10.1.2.3"],
    ["100.100.100.100"], ["fe80::1"], ["fd12:3456::1"], ["2002:c0a8:0101::1"], ["64:ff9b::7f00:1"],
    ["93.184.216.34", "10.0.0.1"],  # one bad address among good ones is enough
    ["2606:2800:220:1::1", "::1"],
])
def test_resolved_forbidden_addresses_are_refused(addresses):
    resolver = FakeResolver({"evil.example": addresses})
    fetcher = SafeFetcher(resolver=resolver)
    assert _code(fetcher, "https://evil.example/did.json") == "forbidden_address"
    assert resolver.calls == ["evil.example"]


@pytest.mark.parametrize(("host", "expected"), [
    ("2852039166", "169.254.169.254"), ("0xA9FEA9FE", "169.254.169.254"), ("0177.0.0.1", "127.0.0.1"),
    ("127.1", "127.0.0.1"), ("10.1", "10.0.0.1"), ("192.168.257", "192.168.1.1"), ("[::1]", "::1"),
    ("example.com", None), ("1.2.3.4.5", None), ("08.0.0.1", None), ("256.0.0.1", None), ("0x", "0.0.0.0"),
])
def test_parse_ip_host(host, expected):
    parsed = parse_ip_host(host)
    assert (str(parsed) if parsed else None) == expected


@pytest.mark.parametrize(("address", "forbidden"), [
    ("8.8.8.8", False), ("93.184.216.34", False), ("2606:2800:220:1::1", False), ("2002:0808:0808::1", False),
    ("100.64.0.1", True), ("198.18.0.1", True), ("240.0.0.1", True), ("::ffff:8.8.8.8", True), ("ff0e::1", True),
    ("2001:db8::1", True), ("2001::1", True),
])
def test_is_forbidden_address(address, forbidden):
    assert is_forbidden_address(ipaddress.ip_address(address)) is forbidden


# ----------------------------------------------------------------------------- URL and scheme checks


@pytest.mark.parametrize(("url", "code"), [
    ("http://example.com/", "bad_scheme"),
    ("ftp://example.com/", "bad_scheme"),
    ("file:///etc/passwd", "bad_scheme"),
    ("gopher://example.com/", "bad_scheme"),
    ("//example.com/", "bad_scheme"),
    ("", "bad_url"),
    ("https:///path", "bad_url"),
    ("https://user:pw@example.com/", "bad_url"),
    ("https://example.com@evil.example/", "bad_url"),
    ("https://exa mple.com/", "bad_url"),
    ("https://example.com/\r\nX-Injected: 1", "bad_url"),
    ("https://example.com\\@evil.example/", "bad_url"),
    ("https://bücher.de/", "bad_url"),
    ("https://[fe80::1%25eth0]/", "bad_url"),
    ("https://example.com:0/", "bad_url"),
    ("https://example.com:99999/", "bad_url"),
    ("https://example.com./", "bad_url"),
    ("https://exa_mple..com/", "bad_url"),
    ("https://-example.com/", "bad_url"),
    ("https://example.com/" + "a" * 3000, "bad_url"),
])
def test_bad_urls(url, code):
    assert _code(SafeFetcher(resolver=refusing_resolver), url) == code


def test_dns_failure():
    assert _code(SafeFetcher(resolver=FakeResolver({})), "https://nowhere.example/") == "dns_error"


def test_connection_refused():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert _code(_open_fetcher(), f"http://127.0.0.1:{port}/") == "connect_error"


# ----------------------------------------------------------------------------- permitted fetches


def test_allow_private_and_http_fetches(http_server):
    result = _open_fetcher().fetch(f"http://127.0.0.1:{http_server.port}/ok")
    assert result.status == 200 and json.loads(result.body) == {"ok": True}
    assert result.content_type == "application/json"
    assert result.url == f"http://127.0.0.1:{http_server.port}/ok"
    with pytest.raises(TypeError):
        result.headers["x"] = "y"  # read-only (results are shared through the cache)


def test_request_headers(http_server):
    result = _open_fetcher().fetch(f"http://127.0.0.1:{http_server.port}/echo", accept="application/did+json")
    sent = {k.lower(): v for k, v in json.loads(result.body).items()}
    assert sent["host"] == f"127.0.0.1:{http_server.port}"
    assert sent["accept"] == "application/did+json"
    assert sent["accept-encoding"] == "identity"
    assert "proxy-authorization" not in sent


def test_proxy_environment_is_ignored(http_server, monkeypatch):
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY"):
        monkeypatch.setenv(name, "http://10.255.255.1:3128")
    result = _open_fetcher().fetch(f"http://127.0.0.1:{http_server.port}/ok")
    assert result.status == 200 and http_server.connections == 1


def test_chunked_body(http_server):
    assert _open_fetcher().fetch(f"http://127.0.0.1:{http_server.port}/chunked-small").body == b"abcde"


def test_http_error_status(http_server):
    with pytest.raises(FetchError) as err:
        _open_fetcher().fetch(f"http://127.0.0.1:{http_server.port}/missing")
    assert err.value.code == "http_error" and err.value.status == 404


# ----------------------------------------------------------------------------- NET-02 pinning


def test_connects_to_pinned_address_without_second_lookup(http_server, monkeypatch):
    resolver = FakeResolver({"rebind.example": ["127.0.0.1"]})
    system_lookups: list[str] = []
    real_getaddrinfo = socket.getaddrinfo

    def spy(host, *args, **kwargs):
        system_lookups.append(host)
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", spy)
    fetcher = SafeFetcher(allow_http=True, allow_private=True, resolver=resolver)
    result = fetcher.fetch(f"http://rebind.example:{http_server.port}/echo")
    sent = {k.lower(): v for k, v in json.loads(result.body).items()}
    assert resolver.calls == ["rebind.example"]  # resolved exactly once ...
    assert "rebind.example" not in system_lookups  # ... and never again at connect time
    assert sent["host"] == f"rebind.example:{http_server.port}"


def test_tls_uses_sni_and_verifies_the_host_name(https_server, client_tls):
    resolver = FakeResolver({TLS_HOST: ["127.0.0.1"]})
    fetcher = SafeFetcher(allow_private=True, resolver=resolver, ssl_context=client_tls)
    result = fetcher.fetch(f"https://{TLS_HOST}:{https_server.port}/echo")
    sent = {k.lower(): v for k, v in json.loads(result.body).items()}
    assert sent["host"] == f"{TLS_HOST}:{https_server.port}"
    assert https_server.sni == [TLS_HOST]


def test_tls_certificate_for_another_name_is_refused(https_server, client_tls):
    resolver = FakeResolver({"other.test": ["127.0.0.1"]})
    fetcher = SafeFetcher(allow_private=True, resolver=resolver, ssl_context=client_tls)
    assert _code(fetcher, f"https://other.test:{https_server.port}/ok") == "tls_error"
    assert https_server.requests == []


def test_tls_untrusted_certificate_is_refused(https_server):
    fetcher = SafeFetcher(allow_private=True, resolver=FakeResolver({TLS_HOST: ["127.0.0.1"]}))
    assert _code(fetcher, f"https://{TLS_HOST}:{https_server.port}/ok") == "tls_error"
    assert https_server.requests == []


def test_tls_to_ip_literal_needs_ip_in_certificate(https_server, client_tls):
    fetcher = SafeFetcher(allow_private=True, ssl_context=client_tls)
    assert _code(fetcher, f"https://127.0.0.1:{https_server.port}/ok") == "tls_error"


# ----------------------------------------------------------------------------- NET-05 caps


def test_oversize_body_is_aborted(http_server):
    assert _code(_open_fetcher(), f"http://127.0.0.1:{http_server.port}/big") == "too_large"


def test_oversize_chunked_body_is_aborted(http_server):
    assert _code(_open_fetcher(), f"http://127.0.0.1:{http_server.port}/big-chunked") == "too_large"


def test_oversize_content_length_refused_before_reading(http_server):
    assert _code(_open_fetcher(), f"http://127.0.0.1:{http_server.port}/huge-length") == "too_large"


def test_byte_cap_boundary(http_server):
    url = f"http://127.0.0.1:{http_server.port}/exact"
    assert len(_open_fetcher(max_bytes=100).fetch(url).body) == 100
    assert _code(_open_fetcher(max_bytes=99), url) == "too_large"


@pytest.mark.parametrize("path", ["/slow-body", "/slow-headers"])
def test_slow_responses_hit_the_overall_deadline(http_server, path):
    start = time.monotonic()
    assert _code(_open_fetcher(timeout=0.5), f"http://127.0.0.1:{http_server.port}{path}") == "timeout"
    assert time.monotonic() - start < 1.5


def test_content_encoding_is_refused(http_server):
    assert _code(_open_fetcher(), f"http://127.0.0.1:{http_server.port}/gzip") == "bad_response"


# ----------------------------------------------------------------------------- NET-03 redirects


def test_redirects_refused_by_default(http_server):
    assert _code(_open_fetcher(), f"http://127.0.0.1:{http_server.port}/redirect") == "redirect_refused"
    assert [path for path, _ in http_server.requests] == ["/redirect"]


def test_same_origin_redirect_followed_when_enabled(http_server):
    result = _open_fetcher(max_redirects=2).fetch(f"http://127.0.0.1:{http_server.port}/redirect")
    assert result.url == f"http://127.0.0.1:{http_server.port}/ok"
    assert json.loads(result.body) == {"ok": True}


def test_redirect_loop_is_bounded(http_server):
    url = f"http://127.0.0.1:{http_server.port}/redirect-loop"
    assert _code(_open_fetcher(max_redirects=3), url) == "redirect_refused"
    assert len(http_server.requests) == 4


def test_cross_origin_redirect_refused(http_server):
    resolver = FakeResolver({"other.test": ["127.0.0.1"], "issuer.test": ["127.0.0.1"]})
    fetcher = _open_fetcher(max_redirects=3, resolver=resolver)
    assert _code(fetcher, f"http://issuer.test:{http_server.port}/redirect-away") == "redirect_refused"
    assert resolver.calls == ["issuer.test"]


def test_https_to_http_redirect_refused(https_server, client_tls):
    resolver = FakeResolver({TLS_HOST: ["127.0.0.1"]})
    fetcher = SafeFetcher(allow_private=True, allow_http=True, max_redirects=3, resolver=resolver,
                          ssl_context=client_tls)
    assert _code(fetcher, f"https://{TLS_HOST}:{https_server.port}/redirect-http") == "redirect_refused"


# ----------------------------------------------------------------------------- cache


class Clock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def test_successful_responses_are_cached(http_server):
    clock = Clock()
    fetcher = _open_fetcher(cache_ttl=60, clock=clock)
    url = f"http://127.0.0.1:{http_server.port}/ok"
    first = fetcher.fetch(url)
    assert fetcher.fetch(url) is first
    assert fetcher.fetch(url + "#fragment") is first
    assert http_server.connections == 1
    clock.t += 61
    fetcher.fetch(url)
    assert http_server.connections == 2
    fetcher.fetch(url, use_cache=False)
    fetcher.fetch(url, accept="application/did+json")
    assert http_server.connections == 4
    fetcher.clear_cache()
    fetcher.fetch(url)
    assert http_server.connections == 5


def test_failures_are_cached_briefly(http_server):
    """Issue #9 §2: a failed URL is not fetched again within ``failure_ttl`` (catalog P-04)."""
    clock = Clock()
    fetcher = _open_fetcher(clock=clock, failure_ttl=30)
    url = f"http://127.0.0.1:{http_server.port}/missing"
    for _ in range(3):
        with pytest.raises(FetchError) as caught:
            fetcher.fetch(url)
        assert caught.value.code == "http_error" and caught.value.status == 404
    assert http_server.connections == 1
    clock.t += 31
    with pytest.raises(FetchError):
        fetcher.fetch(url)
    assert http_server.connections == 2


def test_cache_is_bounded(http_server):
    fetcher = _open_fetcher(clock=Clock(), max_cache_entries=2)
    urls = [f"http://127.0.0.1:{http_server.port}/ok?n={i}" for i in range(3)]
    for url in urls:
        fetcher.fetch(url)
    fetcher.fetch(urls[2])
    assert http_server.connections == 3
    fetcher.fetch(urls[0])  # evicted
    assert http_server.connections == 4


def test_constructor_validation():
    for kwargs in ({"max_bytes": 0}, {"timeout": 0}, {"max_redirects": -1}):
        with pytest.raises(ValueError):
            SafeFetcher(**kwargs)


@pytest.mark.parametrize("accept", ["application/json\r\nX-Evil: 1", "ü", None])
def test_bad_accept_is_a_programming_error(accept):
    with pytest.raises(ValueError):
        SafeFetcher(resolver=refusing_resolver).fetch("https://example.com/", accept=accept)
