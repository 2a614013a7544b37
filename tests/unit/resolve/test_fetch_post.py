"""SafeFetcher.post (webhook deliveries): the GET's address rules, any status returned, redirects
not followed, the answer capped, one deadline, header injection refused."""
from __future__ import annotations

import time

import pytest

from issuer.resolve.fetch import FetchError, SafeFetcher
from tests.notify.receiver import Receiver
from tests.unit.resolve.support import FakeResolver, refusing_resolver


@pytest.fixture
def receiver():
    with Receiver() as running:
        yield running


def _local(**kw) -> SafeFetcher:
    return SafeFetcher(allow_http=True, allow_private=True, timeout=5, **kw)


def test_post_sends_the_body_and_headers_and_returns_any_status(receiver):
    receiver.status, receiver.answer = 418, b"x" * 10_000
    result = _local().post(receiver.url, b'{"a":1}', headers={"webhook-id": "msg_1"}, max_answer_bytes=100)
    assert result.status == 418 and result.body == b"x" * 100 and result.truncated
    [request] = receiver.requests
    assert request["body"] == b'{"a":1}' and request["headers"]["webhook-id"] == "msg_1"
    assert request["headers"]["Content-Type"] == "application/json"


def test_redirects_are_returned_not_followed(receiver):
    receiver.redirect_to = "http://127.0.0.1:1/"
    result = _local().post(receiver.url, b"{}", headers={})
    assert result.status == 302 and len(receiver.requests) == 1


@pytest.mark.parametrize("url", ["http://127.0.0.1/x", "https://10.0.0.1/x", "https://localhost/x",
                                 "https://[::ffff:127.0.0.1]/x"])
def test_non_public_addresses_are_refused_before_connecting(url):
    with pytest.raises(FetchError) as caught:
        SafeFetcher(resolver=refusing_resolver).post(url, b"{}", headers={})
    assert caught.value.code in {"forbidden_address", "bad_scheme"}


def test_a_name_resolving_to_a_private_address_is_refused():
    fetcher = SafeFetcher(resolver=FakeResolver({"hooks.example.org": ["93.184.215.14", "192.168.1.9"]}))
    with pytest.raises(FetchError) as caught:
        fetcher.post("https://hooks.example.org/x", b"{}", headers={})
    assert caught.value.code == "forbidden_address"
    assert fetcher.check_url("https://hooks.example.org/x", resolve=False) == "https://hooks.example.org/x"
    with pytest.raises(FetchError):
        fetcher.check_url("https://hooks.example.org/x")


def test_header_injection_is_refused(receiver):
    with pytest.raises(ValueError):
        _local().post(receiver.url, b"{}", headers={"webhook-id": "a\r\nX-Evil: 1"})


def test_one_deadline_bounds_a_silent_receiver():
    import socket  # reason: a listening socket that never answers, for this test only
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        started = time.monotonic()
        with pytest.raises(FetchError) as caught:
            SafeFetcher(allow_http=True, allow_private=True, timeout=0.5).post(
                f"http://127.0.0.1:{silent.getsockname()[1]}/", b"{}", headers={})
        assert caught.value.code == "timeout" and time.monotonic() - started < 3
