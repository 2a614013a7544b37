"""The W3C vc-di-eddsa eddsa-rdfc-2022 test vectors reproduce exactly: canonical N-Quads,
hashes and proofValue (read from ../shared/spec/vectors/vc-di-eddsa-raw), and the OB
implementation guide's signing vector."""
from __future__ import annotations

import hashlib
from datetime import datetime

from issuer.badges import contexts
from issuer.signing import eddsa_rdfc_2022 as suite
from issuer.signing.keys import ed25519_from_multibase, ed25519_private_from_multibase
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
