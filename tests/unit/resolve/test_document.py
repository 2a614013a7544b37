"""find_verification_method (DID Core §5.3, VC-DI proof purpose) and DidResolver caching."""
from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from issuer.resolve import DidError, DidResolver, find_verification_method, resolve_did_key, split_did_url
from issuer.resolve import FetchError

DID = "did:web:example.com:issuers:acme"
KEY_DID = "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"
MB = "z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"


def _vm(fragment="key-1", **extra):
    return {"id": f"{DID}#{fragment}", "type": "Multikey", "controller": DID, "publicKeyMultibase": MB, **extra}


def _document(**overrides):
    doc = {"id": DID, "verificationMethod": [_vm()], "assertionMethod": [f"{DID}#key-1"]}
    doc.update(overrides)
    return doc


# ----------------------------------------------------------------------------- find_verification_method


def test_find_listed_by_reference():
    assert find_verification_method(_document(), f"{DID}#key-1") == _vm()


def test_find_relative_reference_and_relative_query():
    doc = _document(assertionMethod=["#key-1"])
    assert find_verification_method(doc, f"{DID}#key-1")["id"] == f"{DID}#key-1"
    assert find_verification_method(doc, "#key-1")["id"] == f"{DID}#key-1"


def test_find_embedded():
    embedded = _vm("emb")
    doc = _document(assertionMethod=[embedded])
    assert find_verification_method(doc, f"{DID}#emb") == embedded


def test_find_returns_a_copy():
    doc = _document()
    found = find_verification_method(doc, f"{DID}#key-1")
    found["publicKeyMultibase"] = "zEvil"
    assert doc["verificationMethod"][0]["publicKeyMultibase"] == MB


def test_find_did_key_document():
    doc = resolve_did_key(KEY_DID)
    vm = find_verification_method(doc, f"{KEY_DID}#{MB}")
    assert vm["publicKeyMultibase"] == MB
    assert find_verification_method(doc, f"{KEY_DID}#{MB}", "authentication") == vm


@pytest.mark.parametrize(("doc", "vm_id", "relationship"), [
    (_document(), f"{DID}#key-1", "authentication"),  # not listed under that relationship
    (_document(assertionMethod=[]), f"{DID}#key-1", "assertionMethod"),
    (_document(assertionMethod=None), f"{DID}#key-1", "assertionMethod"),
    ({k: v for k, v in _document().items() if k != "assertionMethod"}, f"{DID}#key-1", "assertionMethod"),
    (_document(), f"{DID}#key-2", "assertionMethod"),
    (_document(verificationMethod=[]), f"{DID}#key-1", "assertionMethod"),  # referenced, not defined
    (_document(assertionMethod=[f"{DID}#key-2"], verificationMethod=[_vm(), _vm("key-2")]),
     f"{DID}#key-1", "assertionMethod"),  # defined but only key-2 is authorised
    (_document(verificationMethod=[_vm(), _vm(publicKeyMultibase="zOther")]), f"{DID}#key-1",
     "assertionMethod"),  # ambiguous duplicate definitions
    (_document(), "", "assertionMethod"),
    (_document(), None, "assertionMethod"),
    ({"verificationMethod": [_vm()]}, f"{DID}#key-1", "assertionMethod"),
    ("not a document", f"{DID}#key-1", "assertionMethod"),
])
def test_find_refuses(doc, vm_id, relationship):
    with pytest.raises(DidError):
        find_verification_method(doc, vm_id, relationship)


def test_find_unknown_relationship_is_a_programming_error():
    with pytest.raises(ValueError):
        find_verification_method(_document(), f"{DID}#key-1", "assertionMethods")


def test_split_did_url():
    assert split_did_url(f"{DID}#key-1") == (DID, "key-1")
    assert split_did_url(DID) == (DID, None)
    for bad in (f"{DID}#", "https://example.com#x", f"{DID}/path#x", f"{DID}?q#x", 5):
        with pytest.raises(DidError):
            split_did_url(bad)


# ----------------------------------------------------------------------------- DidResolver


class Clock:
    def __init__(self):
        self.t = 1000.0

    def __call__(self):
        return self.t


class FakeFetch:
    def __init__(self, documents=None, errors=None):
        self.documents = documents or {}
        self.errors = errors or {}
        self.urls = []

    def __call__(self, url):
        self.urls.append(url)
        if url in self.errors:
            raise self.errors[url]
        return SimpleNamespace(url=url, status=200, headers={}, body=json.dumps(self.documents[url]).encode())


URL = "https://example.com/issuers/acme/did.json"


def test_resolver_did_key_is_local():
    fetch = FakeFetch()
    resolver = DidResolver(fetch=fetch)
    assert resolver.resolve(KEY_DID)["id"] == KEY_DID
    assert fetch.urls == []


def test_resolver_caches_within_ttl():
    clock, fetch = Clock(), FakeFetch({URL: _document()})
    resolver = DidResolver(fetch=fetch, now=clock, ttl=60)
    assert resolver.resolve(DID)["id"] == DID
    clock.t += 59
    resolver.resolve(DID)
    assert len(fetch.urls) == 1
    clock.t += 2
    resolver.resolve(DID)
    assert len(fetch.urls) == 2


def test_resolver_results_cannot_poison_cache():
    resolver = DidResolver(fetch=FakeFetch({URL: _document()}), now=Clock())
    first = resolver.resolve(DID)
    first["verificationMethod"][0]["publicKeyMultibase"] = "zEvil"
    assert resolver.resolve(DID)["verificationMethod"][0]["publicKeyMultibase"] == MB


def test_resolver_negative_cache():
    clock = Clock()
    fetch = FakeFetch(errors={URL: FetchError("timeout", "slow")})
    resolver = DidResolver(fetch=fetch, now=clock, negative_ttl=10)
    for _ in range(3):
        with pytest.raises(DidError) as err:
            resolver.resolve(DID)
        assert err.value.code == "resolutionFailed"
    assert len(fetch.urls) == 1
    clock.t += 11
    with pytest.raises(DidError):
        resolver.resolve(DID)
    assert len(fetch.urls) == 2


def test_resolver_invalid_document_is_negatively_cached():
    fetch = FakeFetch({URL: _document(id="did:web:evil.example")})
    resolver = DidResolver(fetch=fetch, now=Clock())
    for _ in range(2):
        with pytest.raises(DidError) as err:
            resolver.resolve(DID)
        assert err.value.code == "invalidDidDocument"
    assert len(fetch.urls) == 1


def test_resolver_cache_is_bounded():
    dids = [f"did:web:example.com:issuers:i{i}" for i in range(5)]
    docs = {f"https://example.com/issuers/i{i}/did.json": {"id": did} for i, did in enumerate(dids)}
    fetch = FakeFetch(docs)
    resolver = DidResolver(fetch=fetch, now=Clock(), max_entries=3)
    for did in dids:
        resolver.resolve(did)
    resolver.resolve(dids[-1])  # still cached
    assert len(fetch.urls) == 5
    resolver.resolve(dids[0])  # evicted (least recently used)
    assert len(fetch.urls) == 6
    assert len(resolver._cache) == 3


def test_resolver_invalidate():
    fetch = FakeFetch({URL: _document()})
    resolver = DidResolver(fetch=fetch, now=Clock())
    resolver.resolve(DID)
    resolver.invalidate(DID)
    resolver.resolve(DID)
    resolver.invalidate()
    resolver.resolve(DID)
    assert len(fetch.urls) == 3


def test_resolver_local_hook_first_and_uncached():
    fetch = FakeFetch({URL: _document(verificationMethod=[_vm(publicKeyMultibase="zRemote")])})
    calls = []

    def local(did):
        calls.append(did)
        return _document() if did == DID else None

    resolver = DidResolver(fetch=fetch, local=local, now=Clock())
    assert resolver.resolve(DID)["verificationMethod"][0]["publicKeyMultibase"] == MB
    resolver.resolve(DID)
    assert calls == [DID, DID] and fetch.urls == []
    other = "did:web:example.com:issuers:other"
    fetch.documents["https://example.com/issuers/other/did.json"] = {"id": other}
    assert resolver.resolve(other) == {"id": other}
    assert fetch.urls == ["https://example.com/issuers/other/did.json"]


def test_resolver_local_documents_are_validated():
    resolver = DidResolver(local=lambda did: {"id": "did:web:evil.example"})
    with pytest.raises(DidError) as err:
        resolver.resolve(DID)
    assert err.value.code == "invalidDidDocument"


def test_resolver_without_fetch():
    with pytest.raises(DidError) as err:
        DidResolver().resolve(DID)
    assert err.value.code == "resolutionFailed"


@pytest.mark.parametrize(("did", "code"), [
    ("did:example:123", "methodNotSupported"),
    ("did:jwk:eyJ", "methodNotSupported"),
    ("https://example.com", "invalidDid"),
    ("did:web:example.com:..:admin", "invalidDid"),
    ("did:web:127.0.0.1", "invalidDid"),
    ("did:key:zBad0", "invalidDid"),
    (None, "invalidDid"),
])
def test_resolver_rejects(did, code):
    fetch = FakeFetch()
    local_calls = []
    resolver = DidResolver(fetch=fetch, local=local_calls.append)
    with pytest.raises(DidError) as err:
        resolver.resolve(did)
    assert err.value.code == code
    assert fetch.urls == [] and local_calls == []
