"""did:web URL mapping (did:web §3.3 Read), NET-04 syntax rejects and document validation (DI-14)."""
from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from issuer.resolve import DidError, did_web_to_url, parse_did_web, resolve_did_web, url_to_did_web
from issuer.resolve import FetchError


@pytest.mark.parametrize(("did", "url"), [
    ("did:web:example.com", "https://example.com/.well-known/did.json"),
    ("did:web:example.com:issuers:acme", "https://example.com/issuers/acme/did.json"),
    ("did:web:example.com%3A3000:user:alice", "https://example.com:3000/user/alice/did.json"),
    ("did:web:example.com%3a3000", "https://example.com:3000/.well-known/did.json"),
    ("did:web:w3c-ccg.github.io:user:alice", "https://w3c-ccg.github.io/user/alice/did.json"),
    ("did:web:Example.COM", "https://example.com/.well-known/did.json"),
    ("did:web:xn--bcher-kva.example", "https://xn--bcher-kva.example/.well-known/did.json"),
    ("did:web:localhost%3A5000:issuers:acme", "https://localhost:5000/issuers/acme/did.json"),
    ("did:web:example.com:issuers:7f1c8a4e-0b7e-4d43-9d6e-1b5b0d2f1a11",
     "https://example.com/issuers/7f1c8a4e-0b7e-4d43-9d6e-1b5b0d2f1a11/did.json"),
    ("did:web:example.com:a.b:c_d", "https://example.com/a.b/c_d/did.json"),
])
def test_did_web_to_url(did, url):
    assert did_web_to_url(did) == url


@pytest.mark.parametrize("did", [
    "did:web:",
    "did:web",
    "did:key:z6Mk",
    "did:web:example.com:..:admin",
    "did:web:example.com:.",
    "did:web:example.com:",
    "did:web:example.com::admin",
    "did:web::example.com",
    "did:web:user@example.com",
    "did:web:user%40example.com",
    "did:web:example.com%2Fadmin",
    "did:web:example.com:a%2Fb",
    "did:web:example.com:%2E%2E:admin",
    "did:web:example.com:a%20b",
    "did:web:example.com%3A",
    "did:web:example.com%3A0",
    "did:web:example.com%3A65536",
    "did:web:example.com%3A08080",
    "did:web:example.com%3A80%3A81",
    "did:web:example.com%3Ahttp",
    "did:web:127.0.0.1",
    "did:web:127.0.0.1%3A8080",
    "did:web:2852039166",
    "did:web:0xA9FEA9FE",
    "did:web:0177.0.0.1",
    "did:web:example.123",
    "did:web:bücher.example",  # IDN must be punycode
    "did:web:exаmple.com",  # Cyrillic 'а' homograph
    "did:web:xn--.example",
    "did:web:-example.com",
    "did:web:example-.com",
    "did:web:exa_mple.com",
    "did:web:example..com",
    "did:web:.example.com",
    "did:web:example.com.",
    "did:web:example.com#key-1",
    "did:web:example.com?service=x",
    "did:web:example.com/path",
    "did:web:example.com:path/more",
    "did:web:" + "a" * 64 + ".com",
    "did:web:example.com:" + ":".join(["x"] * 1100),
])
def test_bad_did_web_rejected(did):
    with pytest.raises(DidError) as err:
        did_web_to_url(did)
    assert err.value.code == "invalidDid"


def test_parse_did_web():
    assert parse_did_web("did:web:example.com%3A8443:a:b") == ("example.com", 8443, ["a", "b"])
    assert parse_did_web("did:web:example.com") == ("example.com", None, [])


@pytest.mark.parametrize(("origin", "segments", "did"), [
    ("http://localhost:5000", ["issuers", "acme"], "did:web:localhost%3A5000:issuers:acme"),
    ("https://example.com", ["issuers", "acme"], "did:web:example.com:issuers:acme"),
    ("https://example.com:443", [], "did:web:example.com"),
    ("https://example.com:8443/", [], "did:web:example.com%3A8443"),
    ("https://Example.com/badges", ["issuers", "x"], "did:web:example.com:badges:issuers:x"),
])
def test_url_to_did_web(origin, segments, did):
    assert url_to_did_web(origin, segments) == did
    host = did_web_to_url(did)  # round trip stays valid
    assert host.startswith("https://")


@pytest.mark.parametrize(("origin", "segments"), [
    ("ftp://example.com", []),
    ("https://user@example.com", []),
    ("https://example.com?x=1", []),
    ("https://127.0.0.1:5000", ["issuers"]),
    ("https://example.com", [".."]),
    ("https://example.com", ["a/b"]),
    ("https://example.com", ["a:b"]),
    ("https://example.com", [""]),
    ("https://example.com", ["ü"]),
    ("https://example.com:99999", []),
])
def test_url_to_did_web_rejects(origin, segments):
    with pytest.raises(DidError):
        url_to_did_web(origin, segments)


def test_url_to_did_web_rejects_string_segments():
    with pytest.raises(TypeError):
        url_to_did_web("https://example.com", "issuers")  # type: ignore[arg-type]


DID = "did:web:example.com:issuers:acme"
VM_ID = DID + "#key-1"


def _document(**overrides):
    doc = {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": DID,
        "verificationMethod": [{
            "id": VM_ID, "type": "Multikey", "controller": DID,
            "publicKeyMultibase": "z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp",
        }],
        "assertionMethod": [VM_ID],
    }
    doc.update(overrides)
    return doc


class FakeFetch:
    def __init__(self, body=None, *, status=200, error=None):
        self.body = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.status = status
        self.error = error
        self.urls = []

    def __call__(self, url):
        self.urls.append(url)
        if self.error:
            raise self.error
        return SimpleNamespace(url=url, status=self.status, headers={}, body=self.body)


def test_resolve_did_web_fetches_mapped_url():
    fetch = FakeFetch(_document())
    doc = resolve_did_web(DID, fetch=fetch)
    assert doc["id"] == DID
    assert fetch.urls == ["https://example.com/issuers/acme/did.json"]


def test_resolve_did_web_bad_did_never_fetches():
    fetch = FakeFetch(_document())
    with pytest.raises(DidError):
        resolve_did_web("did:web:example.com:..:admin", fetch=fetch)
    assert fetch.urls == []


def _vm(**overrides):
    vm = dict(_document()["verificationMethod"][0])
    vm.update(overrides)
    return vm


@pytest.mark.parametrize("doc", [
    _document(id="did:web:evil.example"),
    _document(id=DID + ":x"),
    {k: v for k, v in _document().items() if k != "id"},
    _document(verificationMethod=[_vm(controller="did:web:evil.example")]),  # DI-14
    _document(verificationMethod=[_vm(controller=None)]),
    _document(verificationMethod=[_vm(id="did:web:evil.example#key-1")]),
    _document(verificationMethod=[_vm(id=DID + "x#key-1")]),
    _document(verificationMethod=[_vm(id="#key-1")]),  # did:web documents must use absolute ids
    _document(verificationMethod=[_vm(id=DID + "#")]),
    _document(verificationMethod=[_vm(type=None)]),
    _document(verificationMethod=["did:web:example.com#k"]),
    _document(verificationMethod=_vm()),
    _document(assertionMethod=VM_ID),
    _document(assertionMethod=[42]),
    _document(assertionMethod=[_vm(controller="did:web:evil.example")]),
    _document(verificationMethod=[_vm(id=f"{DID}#k{i}") for i in range(65)]),
    [],
    "did",
])
def test_invalid_documents(doc):
    with pytest.raises(DidError) as err:
        resolve_did_web(DID, fetch=FakeFetch(doc))
    assert err.value.code == "invalidDidDocument"


@pytest.mark.parametrize("body", [
    b"not json", b"\xff\xfe{}", b'{"id": "a", "id": "b"}', b'{"id": NaN}', b"[" * 100000,
])
def test_unparseable_documents(body):
    with pytest.raises(DidError) as err:
        resolve_did_web(DID, fetch=FakeFetch(body))
    assert err.value.code == "invalidDidDocument"


@pytest.mark.parametrize(("error", "code"), [
    (FetchError("http_error", "HTTP 404", status=404), "notFound"),
    (FetchError("http_error", "HTTP 500", status=500), "resolutionFailed"),
    (FetchError("forbidden_address", "private"), "resolutionFailed"),
    (FetchError("timeout", "slow"), "resolutionFailed"),
    (ConnectionRefusedError("refused"), "resolutionFailed"),
])
def test_fetch_failures(error, code):
    with pytest.raises(DidError) as err:
        resolve_did_web(DID, fetch=FakeFetch(error=error))
    assert err.value.code == code
    assert err.value.__cause__ is error


def test_non_2xx_result_is_not_found():
    with pytest.raises(DidError) as err:
        resolve_did_web(DID, fetch=FakeFetch(_document(), status=404))
    assert err.value.code == "notFound"
