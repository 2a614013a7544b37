"""Smoke tests of the npm interop harness itself (interop/*.mjs via tests/interop/harness.py).

They check that the third-party tools behave as expected on known-good
reference data, so that later interop tests of *our* credentials can trust them.
"""
from __future__ import annotations

import base64
import copy
import gzip
import json

import jwt as pyjwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from issuer.badges.contexts import BUNDLED_CONTEXTS, EU_MICROCREDENTIAL_TERMS, EU_MICROCREDENTIAL_V1
from tests.spec import load_spec_json, spec_contexts

OB_UNSIGNED = ("examples", "ob-spec-rendered-1.0.14", "ex01-sample-openbadgecredential-file-contents.unsigned.json")
DID_WEB = "did:web:localhost%3A5000:issuers:acme"
KEY_ID = "key-ed25519-1"
STATUS_URL = "http://localhost:5000/status/revocation/1"
SEED = bytes(range(32))


def _python_bits(encoded_list: str) -> bytes:
    """Decode a Bitstring Status List ``encodedList`` (multibase 'u' + base64url(gzip))."""
    assert encoded_list.startswith("u")
    b64 = encoded_list[1:]
    return gzip.decompress(base64.urlsafe_b64decode(b64 + "=" * (-len(b64) % 4)))


def _bit(raw: bytes, index: int) -> bool:
    # index 0 = most significant bit of byte 0
    return bool(raw[index // 8] >> (7 - index % 8) & 1)


# --- (a) W3C vc-di-eddsa test vector ---------------------------------------------------------

def test_w3c_eddsa_rdfc_2022_vector_verifies(node_harness):
    vector = load_spec_json("vectors", "vc-di-eddsa-raw", "eddsa-rdfc-2022", "signedDataInt.json")
    # The vector's issuer is an https URL but its key is a did:key, so vc's
    # CredentialIssuancePurpose (issuer == VM controller) must be relaxed.
    result = node_harness.verify(vector, spec_contexts(), check_issuer=False)
    assert result["verified"] is True, result
    assert result["error"] is None
    [proof] = result["results"]
    assert proof["cryptosuite"] == "eddsa-rdfc-2022"
    assert proof["verified"] is True
    assert proof["verificationMethod"] == vector["proof"]["verificationMethod"]
    assert result["documentsUsed"] == ["https://www.w3.org/ns/credentials/examples/v2"]

    strict = node_harness.verify(vector, spec_contexts())
    assert strict["verified"] is False
    assert "issuer must match the verification method controller" in strict["error"]


def test_w3c_eddsa_vector_tampered_fails(node_harness):
    vector = load_spec_json("vectors", "vc-di-eddsa-raw", "eddsa-rdfc-2022", "signedDataInt.json")
    tampered = copy.deepcopy(vector)
    alumni_of = tampered["credentialSubject"]["alumniOf"]
    tampered["credentialSubject"]["alumniOf"] = alumni_of[:-1] + chr(ord(alumni_of[-1]) + 1)
    result = node_harness.verify(tampered, spec_contexts(), check_issuer=False)
    assert result["verified"] is False
    assert "Invalid signature" in result["error"]


def test_w3c_ed25519signature2020_vector_verifies(node_harness):
    vector = load_spec_json("vectors", "vc-di-eddsa", "Ed25519Signature2020", "signedEdSig.json")
    result = node_harness.verify(vector, spec_contexts(), check_issuer=False)
    assert result["verified"] is True, result
    assert result["results"][0]["type"] == "Ed25519Signature2020"


def test_offline_loader_refuses_unknown_urls(node_harness):
    vector = load_spec_json("vectors", "vc-di-eddsa-raw", "eddsa-rdfc-2022", "signedDataInt.json")
    result = node_harness.verify(vector, {}, check_issuer=False)  # examples/v2 context not supplied
    assert result["verified"] is False
    assert "not allowed offline" in result["error"]


# --- (b) sign -> verify round trip -----------------------------------------------------------

@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "Ed25519Signature2020"])
def test_sign_verify_round_trip_ob3(node_harness, suite):
    unsigned = load_spec_json(*OB_UNSIGNED)
    out = node_harness.sign(unsigned, suite, SEED)
    signed = out["signed"]
    did = out["didDocument"]["id"]
    assert did.startswith("did:key:z6Mk")
    assert signed["issuer"]["id"] == did  # object issuer keeps its other fields
    assert signed["issuer"]["name"] == unsigned["issuer"]["name"]
    assert out["verificationMethod"] == f"{did}#{out['publicKeyMultibase']}"
    assert signed["proof"]["verificationMethod"] == out["verificationMethod"]
    assert signed["@context"][:2] == unsigned["@context"][:2]  # still VC 2.0 + OB 3.0.3
    if suite == "eddsa-rdfc-2022":
        assert signed["proof"]["type"] == "DataIntegrityProof"
        assert signed["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    else:
        assert signed["proof"]["type"] == "Ed25519Signature2020"
        assert signed["@context"][-1] == "https://w3id.org/security/suites/ed25519-2020/v1"

    result = node_harness.verify(signed, {})
    assert result["verified"] is True, result

    tampered = copy.deepcopy(signed)
    tampered["credentialSubject"]["achievement"]["name"] += "!"
    assert node_harness.verify(tampered, {})["verified"] is False

    # the seed makes the key deterministic
    assert node_harness.sign(unsigned, suite, SEED.hex())["verificationMethod"] == out["verificationMethod"]


def test_sign_ed25519signature2020_vc11(node_harness):
    unsigned = {
        "@context": ["https://www.w3.org/2018/credentials/v1", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": "urn:uuid:7a9f5b0e-3c2d-4a57-9a4e-0f3a1c0f2b11",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": "https://example.com/issuer", "type": ["Profile"], "name": "Example"},
        "name": "VC 1.1 badge",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "https://example.com/achievements/1",
                "type": ["Achievement"],
                "name": "A",
                "description": "D",
                "criteria": {"narrative": "N"},
            },
        },
    }
    out = node_harness.sign(unsigned, "Ed25519Signature2020")
    assert "issuanceDate" in out["signed"]  # added by @digitalbazaar/vc for VC 1.1
    assert node_harness.verify(out["signed"], {})["verified"] is True


# --- (c) their encoder vs. our bit order ------------------------------------------------------

def test_encode_list_bit_order(node_harness):
    set_bits = [0, 23, 131071]
    out = node_harness.encode_list(131072, set_bits)
    assert out["length"] == 131072
    raw = _python_bits(out["encodedList"])
    assert len(raw) == 131072 // 8
    assert raw[0] == 0x80  # index 0 = MSB of byte 0
    assert raw[2] == 0x01  # index 23 = LSB of byte 2
    assert raw[-1] == 0x01
    assert [i for i in range(131072) if _bit(raw, i)] == set_bits

    list_credential = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": STATUS_URL,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": DID_WEB,
        "credentialSubject": {
            "id": STATUS_URL + "#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": out["encodedList"],
        },
    }
    for index, expected in [(0, True), (1, False), (22, False), (23, True), (24, False), (131071, True)]:
        res = node_harness.status_bit(list_credential, index, {})
        assert res["bit"] is expected, (index, res)
        assert res["length"] == 131072
    out_of_range = node_harness.status_bit(list_credential, 131072, {})
    assert out_of_range["bit"] is None and "out of range" in out_of_range["error"]


# --- (d) the 1EdTech validator's test list ----------------------------------------------------

def test_1edtech_testlist(node_harness):
    testlist = load_spec_json("examples", "1edtech-validator", "bit-string-list", "testlist.json")
    assert testlist["credentialSubject"]["type"] == "BitstringStatusList"
    hit = node_harness.status_bit(testlist, 23, {})
    miss = node_harness.status_bit(testlist, 22, {})
    assert hit["bit"] is True and miss["bit"] is False
    assert hit["length"] == 131072
    assert hit["statusPurpose"] == "revocation"
    # by URL, through the documents map
    assert node_harness.status_bit(testlist["id"], 23, {testlist["id"]: testlist})["bit"] is True
    # the same bits through our own decoding
    raw = _python_bits(testlist["credentialSubject"]["encodedList"])
    assert [i for i in range(len(raw) * 8) if _bit(raw, i)] == [23]


# --- did:web issuer + Bitstring Status List, end to end ---------------------------------------

def _did_web_fixture(harness, revoked_index):
    list_credential = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": STATUS_URL,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": DID_WEB,
        "validFrom": "2024-01-01T00:00:00Z",
        "credentialSubject": {
            "id": STATUS_URL + "#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": harness.encode_list(131072, [revoked_index])["encodedList"],
        },
    }
    signed_list = harness.sign(list_credential, "eddsa-rdfc-2022", SEED, did=DID_WEB, key_id=KEY_ID)
    return signed_list["signed"], signed_list["didDocument"]


def _with_status(harness, index):
    unsigned = load_spec_json(*OB_UNSIGNED)
    unsigned["credentialStatus"] = {
        "id": f"{STATUS_URL}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": str(index),
        "statusListCredential": STATUS_URL,
    }
    return harness.sign(unsigned, "eddsa-rdfc-2022", SEED, did=DID_WEB, key_id=KEY_ID)["signed"]


def test_did_web_status_list_end_to_end(node_harness):
    signed_list, did_doc = _did_web_fixture(node_harness, 23)
    vm_id = f"{DID_WEB}#{KEY_ID}"
    assert did_doc["assertionMethod"] == [vm_id]
    assert did_doc["verificationMethod"][0]["type"] == "Multikey"
    documents = {DID_WEB: did_doc, STATUS_URL: signed_list}

    revoked = node_harness.verify(_with_status(node_harness, 23), documents, check_status=True)
    assert revoked["verified"] is True, revoked  # the library reports a set bit as status, not failure
    assert revoked["results"][0]["verificationMethod"] == vm_id
    status = revoked["statusResult"]
    assert status["verified"] is True and status["revoked"] is True and status["suspended"] is False
    assert status["entries"] == [{
        "statusPurpose": "revocation", "statusListIndex": "23", "statusListCredential": STATUS_URL,
        "set": True, "verified": True, "error": None,
    }]

    active = node_harness.verify(_with_status(node_harness, 22), documents, check_status=True)
    assert active["verified"] is True
    assert active["statusResult"]["revoked"] is False

    unchecked = node_harness.verify(_with_status(node_harness, 23), {DID_WEB: did_doc})
    assert unchecked["verified"] is True and unchecked["statusResult"] is None

    missing_list = node_harness.verify(_with_status(node_harness, 23), {DID_WEB: did_doc}, check_status=True)
    assert missing_list["verified"] is False
    assert "not allowed offline" in missing_list["error"]


def test_did_web_controller_document_shape(node_harness):
    """What jsonld-signatures needs from the did:web DID document."""
    signed_list, did_doc = _did_web_fixture(node_harness, 23)

    def verify_with(doc):
        return node_harness.verify(signed_list, {DID_WEB: doc})

    assert verify_with(did_doc)["verified"] is True

    no_assertion = {k: v for k, v in did_doc.items() if k != "assertionMethod"}
    res = verify_with(no_assertion)
    assert res["verified"] is False and "not authorized by controller" in res["error"]

    no_multikey_ctx = {**did_doc, "@context": ["https://www.w3.org/ns/did/v1"]}
    res = verify_with(no_multikey_ctx)
    assert res["verified"] is False and "multikey/v1" in res["error"]

    relative_ref = {**did_doc, "assertionMethod": [f"#{KEY_ID}"]}
    assert verify_with(relative_ref)["verified"] is False


# --- VC-JWT via jose ---------------------------------------------------------------------------

def test_verify_jwt_eddsa(node_harness):
    key = Ed25519PrivateKey.generate()
    jwk = json.loads(pyjwt.algorithms.OKPAlgorithm.to_jwk(key.public_key()))
    jwk.update(kid="k1", alg="EdDSA")
    claims = {"iss": "https://issuer.example", "sub": "did:example:1", "vc": {"type": ["VerifiableCredential"]}}
    token = pyjwt.encode(claims, key, algorithm="EdDSA", headers={"kid": "k1", "typ": "vc+jwt"})

    ok = node_harness.verify_jwt(token, {"keys": [jwk]}, "https://issuer.example")
    assert ok["verified"] is True, ok
    assert ok["header"]["alg"] == "EdDSA" and ok["header"]["typ"] == "vc+jwt"
    assert ok["payload"] == claims

    wrong_iss = node_harness.verify_jwt(token, {"keys": [jwk]}, "https://other.example")
    assert wrong_iss["verified"] is False and wrong_iss["code"] == "ERR_JWT_CLAIM_VALIDATION_FAILED"
    assert wrong_iss["payload"]["iss"] == "https://issuer.example"  # unverified, for diagnostics

    header, payload, sig = token.split(".")
    forged = ".".join([header, payload, ("A" if sig[0] != "A" else "B") + sig[1:]])
    assert node_harness.verify_jwt(forged, {"keys": [jwk]}, "https://issuer.example")["verified"] is False

    hs256 = pyjwt.encode(claims, "a-shared-secret-of-at-least-32-bytes!", algorithm="HS256")
    res = node_harness.verify_jwt(hs256, {"keys": [jwk]}, "https://issuer.example")
    assert res["verified"] is False and res["code"] == "ERR_JOSE_ALG_NOT_ALLOWED"


def test_signer_safe_mode_refusal_is_a_result(node_harness):
    unsigned = {
        "@context": ["https://www.w3.org/2018/credentials/v1"],  # VC 1.1: no @vocab
        "type": ["VerifiableCredential"],
        "issuer": "urn:example:replaced",
        "issuanceDate": "2020-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:1", "undefinedTerm": "x"},
    }
    with pytest.raises(node_harness.SignRefused) as info:
        node_harness.sign(unsigned, "eddsa-rdfc-2022")
    assert "Safe mode validation error" in str(info.value)
    assert "undefinedTerm" in str(info.value)
    result = node_harness.sign(unsigned, "eddsa-rdfc-2022", strict=False)
    assert result["signed"] is None and "invalid property" in result["error"]


# --- no context of ours reaches a third-party script (issue #8) ---------------------------------

@pytest.mark.parametrize("documents", [
    {EU_MICROCREDENTIAL_V1: BUNDLED_CONTEXTS[EU_MICROCREDENTIAL_V1]},
    {"https://contexts.example/ours": {"@context": [EU_MICROCREDENTIAL_V1]}},
    {"https://contexts.example/inline": {"@context": [dict(EU_MICROCREDENTIAL_TERMS)]}},
], ids=["retired-url", "names-it", "inline-terms"])
def test_harness_refuses_to_hand_over_a_context_of_ours(node_harness, documents):
    """Every script that takes ``documents`` refuses a context this project defines, before node runs."""
    credential = load_spec_json(*OB_UNSIGNED)
    for call in (lambda: node_harness.verify(credential, documents),
                 lambda: node_harness.sign(credential, "eddsa-rdfc-2022", SEED, documents=documents),
                 lambda: node_harness.status_bit("https://x.example/list", 0, documents),
                 lambda: node_harness.verify_as_wallet([{"id": "c", "credential": credential}], documents)):
        with pytest.raises(node_harness.HarnessError, match="context of ours"):
            call()


def test_harness_hands_over_only_did_documents_status_lists_and_reference_contexts(node_harness):
    examples = "https://www.w3.org/ns/credentials/examples/v2"
    assert node_harness.check_documents({examples: spec_contexts()[examples]})
    with pytest.raises(node_harness.HarnessError, match="neither a DID document"):
        node_harness.check_documents({examples: {"@context": {"alumniOf": "https://x.example/#alumniOf"}}})
    with pytest.raises(node_harness.HarnessError, match="neither a DID document"):
        node_harness.check_documents({"https://x.example/did.json": {"id": "did:web:x.example"}})
