"""The W3C vc-di-eddsa eddsa-rdfc-2022 test vectors reproduce exactly: canonical N-Quads,
hashes and proofValue (read from ../shared/spec/vectors/vc-di-eddsa-raw), and the OB
implementation guide's signing vector."""
from __future__ import annotations

import hashlib
from datetime import datetime

import pytest

from issuer.resolve import did_key_from_public_key
from issuer.badges import contexts
from issuer.signing.jsonld.safemode import DataLossError
from issuer.signing import eddsa_rdfc_2022 as suite
from issuer.signing.keys import ed25519_from_multibase, ed25519_private_from_multibase, generate_ed25519
from tests.spec import load_spec_json, spec_contexts, spec_path

RAW = ("vectors", "vc-di-eddsa-raw")


def _text(*parts):
    return spec_path(*RAW, *parts).read_text(encoding="utf-8")


def test_w3c_vector_every_intermediate_value():
    loader = contexts.make_loader(spec_contexts())
    key_pair = load_spec_json(*RAW, "keyPair.json")
    unsigned = load_spec_json(*RAW, "unsigned.json")
    config = load_spec_json(*RAW, "eddsa-rdfc-2022", "proofConfigDataInt.json")
    canon_doc = suite.transform(unsigned, loader)
    assert canon_doc == _text("eddsa-rdfc-2022", "canonDocDataInt.txt")
    options = {k: v for k, v in config.items() if k != "@context"}
    canon_proof = suite.configure_proof(options, unsigned["@context"], loader)
    assert canon_proof == _text("eddsa-rdfc-2022", "proofCanonDataInt.txt")
    assert hashlib.sha256(canon_doc.encode()).hexdigest() == _text("eddsa-rdfc-2022", "docHashDataInt.txt").strip()
    assert hashlib.sha256(canon_proof.encode()).hexdigest() == \
        _text("eddsa-rdfc-2022", "proofHashDataInt.txt").strip()
    combined = suite.hash_data(canon_doc, canon_proof)
    assert combined.hex() == _text("eddsa-rdfc-2022", "combinedHashDataInt.txt").strip()
    private = ed25519_private_from_multibase(key_pair["privateKeyMultibase"])
    proof_value = suite.serialize_proof(combined, private)
    assert proof_value == _text("eddsa-rdfc-2022", "sigBTC58DataInt.txt").strip()
    signed = load_spec_json(*RAW, "eddsa-rdfc-2022", "signedDataInt.json")
    assert signed["proof"]["proofValue"] == proof_value
    created = datetime.fromisoformat(config["created"].replace("Z", "+00:00"))
    proof = suite.create_proof(unsigned, private, verification_method=config["verificationMethod"],
                               created=created, loader=loader)
    assert proof == signed["proof"]
    public = ed25519_from_multibase(key_pair["publicKeyMultibase"])
    assert suite.verify_proof(signed, signed["proof"], public, loader).verified


def test_ob_implementation_guide_vector():
    vector = load_spec_json("vectors", "ob-impl-guide", "ob3-eddsa-rdfc-2022-test-vector.json")
    private = ed25519_private_from_multibase(vector["keyPair"]["secretKeyMultibase"]) \
        if "secretKeyMultibase" in vector["keyPair"] else None
    if private is None:
        from cryptography.hazmat.primitives.asymmetric import ed25519  # test-only key import
        private = ed25519.Ed25519PrivateKey.from_private_bytes(
            bytes.fromhex(vector["keyPair"]["privateKeyHex_seed_plus_public"])[:32])
    doc = vector["unsignedCredential"]
    options = vector["proofOptions"]
    canon_doc = suite.transform(doc)
    canon_proof = suite.configure_proof(options, doc["@context"])
    assert canon_doc == vector["documentCanonicalNQuads"]
    assert canon_proof == vector["proofCanonicalNQuads"]
    assert hashlib.sha256(canon_doc.encode()).hexdigest() == vector["documentHashHex"]
    assert suite.hash_data(canon_doc, canon_proof).hex() == vector["dataToSignHex_proofHash_then_documentHash"]
    assert suite.serialize_proof(suite.hash_data(canon_doc, canon_proof), private) == vector["proofValue"]


def test_one_character_tamper_fails():
    signed = load_spec_json(*RAW, "eddsa-rdfc-2022", "signedDataInt.json")
    loader = contexts.make_loader(spec_contexts())
    public = ed25519_from_multibase(load_spec_json(*RAW, "keyPair.json")["publicKeyMultibase"])
    tampered = {**signed, "name": signed.get("name", "x") + "!"} if "name" in signed else \
        {**signed, "validFrom": signed["validFrom"].replace("0", "1", 1)}
    assert not suite.verify_proof(tampered, signed["proof"], public, loader).verified


# --- text direction: kept as the reference suite keeps it, or nothing is signed ---------------------


def _directed_credential(issuer: str, value) -> dict:
    return {"@context": [contexts.VC_V2], "id": "urn:uuid:0e7a4c21-5b8d-4f6e-9a3c-000000000001",
            "type": ["VerifiableCredential"], "issuer": issuer, "validFrom": "2025-06-01T10:00:00Z",
            "credentialSubject": {"id": "did:example:learner", "name": value}}


def test_signature_covers_the_text_direction():
    key = generate_ed25519()
    did = did_key_from_public_key(key)
    value = {"@value": "تشخيص", "@language": "ar", "@direction": "rtl"}
    signed = suite.add_proof(_directed_credential(did, value), key, verification_method=f"{did}#{did[8:]}",
                             created=datetime.fromisoformat("2025-06-01T10:00:00+00:00"))
    public = key.public_key()
    assert suite.verify_proof(signed, signed["proof"][0], public).verified
    flipped = {**signed, "credentialSubject": {**signed["credentialSubject"], "name": {**value, "@direction": "ltr"}}}
    assert not suite.verify_proof(flipped, signed["proof"][0], public).verified


def test_refuses_to_sign_a_direction_it_would_lose():
    document = _directed_credential("did:example:issuer", {"@value": 48, "@direction": "rtl"})
    with pytest.raises(DataLossError, match="@direction"):
        suite.add_proof(document, generate_ed25519(), verification_method="did:example:issuer#k",
                        created=datetime.fromisoformat("2025-06-01T10:00:00+00:00"))
