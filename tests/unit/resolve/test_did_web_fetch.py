"""End to end: did:web resolved over pinned TLS through SafeFetcher and DidResolver."""
from __future__ import annotations

import json

import pytest

from issuer.resolve import DidError, DidResolver, find_verification_method, resolve_did_web
from issuer.resolve import SafeFetcher

from .conftest import TLS_HOST
from .support import FakeResolver

MB = "z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"


def _did_document(did: str) -> bytes:
    vm_id = f"{did}#{MB}"
    return json.dumps({
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": did,
        "verificationMethod": [{"id": vm_id, "type": "Multikey", "controller": did, "publicKeyMultibase": MB}],
        "assertionMethod": [vm_id],
    }).encode()


@pytest.fixture
def did_host(https_server, client_tls):
    did = f"did:web:{TLS_HOST}%3A{https_server.port}:issuers:acme"
    https_server.extra_routes["/issuers/acme/did.json"] = _did_document(did)
    fetcher = SafeFetcher(allow_private=True, resolver=FakeResolver({TLS_HOST: ["127.0.0.1"]}),
                         ssl_context=client_tls)
    return did, fetcher, https_server


def test_resolve_did_web_over_tls(did_host):
    did, fetcher, server = did_host
    doc = resolve_did_web(did, fetch=fetcher.fetch)
    assert find_verification_method(doc, f"{did}#{MB}")["publicKeyMultibase"] == MB
    assert [path for path, _ in server.requests] == ["/issuers/acme/did.json"]


def test_resolver_caches_remote_documents(did_host):
    did, fetcher, server = did_host
    resolver = DidResolver(fetch=fetcher.fetch)
    for _ in range(3):
        assert resolver.resolve(did)["id"] == did
    assert server.connections == 1


def test_missing_document_is_not_found(did_host):
    did, fetcher, _server = did_host
    with pytest.raises(DidError) as err:
        resolve_did_web(did.replace(":acme", ":nobody"), fetch=fetcher.fetch)
    assert err.value.code == "notFound"


def test_default_fetcher_refuses_private_did_web_host(did_host):
    did, _fetcher, server = did_host
    fetcher = SafeFetcher(resolver=FakeResolver({TLS_HOST: ["127.0.0.1"]}))
    with pytest.raises(DidError) as err:
        DidResolver(fetch=fetcher.fetch).resolve(did)
    assert err.value.code == "resolutionFailed"
    assert err.value.__cause__.code == "forbidden_address"
    assert server.connections == 0
