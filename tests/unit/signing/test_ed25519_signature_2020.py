"""Ed25519Signature2020 against the W3C vc-di-eddsa test vectors (reproduced both ways)."""
from __future__ import annotations

import hashlib
import json

import pytest

from issuer.badges.contexts import make_loader
from issuer.signing import ed25519_signature_2020 as suite
from issuer.signing.eddsa_rdfc_2022 import ProofError
from issuer.signing.keys import ed25519_private_from_multibase, public_key_from_multikey
from issuer.signing.multibase import decode_base58btc
from tests.spec import load_spec_json, spec_contexts, spec_path

BASE = ("vectors", "vc-di-eddsa-raw", "Ed25519Signature2020")


def _txt(name: str) -> str:
    return spec_path(*BASE, name).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def loader():
    return make_loader(spec_contexts())


@pytest.fixture(scope="module")
def key_pair():
    return load_spec_json("vectors", "vc-di-eddsa-raw", "keyPair.json")


@pytest.fixture()
def signed():
    return load_spec_json(*BASE, "signedEdSig.json")


def _unsecured(signed: dict) -> dict:
    return {k: v for k, v in signed.items() if k != "proof"}


def test_canonical_document_matches_vector(signed, loader):
    assert suite.transform(_unsecured(signed), loader) == _txt("canonDocEdSig.txt")


def test_canonical_proof_options_match_vector(signed, loader):
    options = {k: v for k, v in signed["proof"].items() if k != "proofValue"}
    assert suite.configure_proof(options, signed["@context"], loader) == _txt("proofCanonEdSig.txt")
    config = load_spec_json(*BASE, "proofConfigEdSig.json")
    assert suite.configure_proof(config, signed["@context"], loader) == _txt("proofCanonEdSig.txt")


def test_hashes_match_vector(signed, loader):
    document = suite.transform(_unsecured(signed), loader)
    options = suite.configure_proof(signed["proof"], signed["@context"], loader)
    assert hashlib.sha256(document.encode()).hexdigest() == _txt("docHashEdSig.txt").strip()
    assert hashlib.sha256(options.encode()).hexdigest() == _txt("proofHashEdSig.txt").strip()
    assert suite.hash_data(document, options).hex() == _txt("combinedHashEdSig.txt").strip()


def test_signing_reproduces_vector_signature(signed, loader, key_pair):
    from datetime import datetime

    key = ed25519_private_from_multibase(key_pair["privateKeyMultibase"])
    proof = suite.create_proof(_unsecured(signed), key, verification_method=signed["proof"]["verificationMethod"],
                               created=datetime.fromisoformat("2023-02-24T23:36:38+00:00"), loader=loader)
    assert proof == signed["proof"]
    assert proof["proofValue"] == _txt("sigBTC58EdSig.txt").strip()
    assert decode_base58btc(proof["proofValue"]).hex() == _txt("sigHexEdSig.txt").strip()


def test_vector_verifies(signed, loader, key_pair):
    public = public_key_from_multikey(key_pair["publicKeyMultibase"]).key
    assert suite.verify_proof(signed, signed["proof"], public, loader).verified
    transformed = suite.transform(_unsecured(signed), loader)
    assert suite.verify_proof(signed, signed["proof"], public, loader, transformed=transformed).verified


@pytest.mark.parametrize("change", ["name", "created", "proofValue", "purpose"])
def test_tampering_is_detected(signed, loader, key_pair, change):
    public = public_key_from_multikey(key_pair["publicKeyMultibase"]).key
    proof = dict(signed["proof"])
    if change == "name":
        signed["name"] = "Alumni Credential!"
    elif change == "created":
        proof["created"] = "2023-02-24T23:36:39Z"
    elif change == "purpose":
        proof["proofPurpose"] = "authentication"
    else:
        value = proof["proofValue"]
        proof["proofValue"] = value[:-2] + ("A" if value[-2] != "A" else "B") + value[-1]
    check = suite.verify_proof(signed, proof, public, loader)
    assert not check.verified and check.reason


def test_context_is_required(signed, loader, key_pair):
    public = public_key_from_multikey(key_pair["publicKeyMultibase"]).key
    signed["@context"] = signed["@context"][:2]
    check = suite.verify_proof(signed, signed["proof"], public, loader)
    assert not check.verified and "ed25519-2020" in check.reason
    with pytest.raises(ProofError):
        suite.configure_proof(signed["proof"], signed["@context"], loader)


@pytest.mark.parametrize("value", ["", "z", "u" + "A" * 86, "z3", json.dumps("z" * 300)])
def test_malformed_proof_value(signed, loader, key_pair, value):
    public = public_key_from_multikey(key_pair["publicKeyMultibase"]).key
    proof = {**signed["proof"], "proofValue": value}
    check = suite.verify_proof(signed, proof, public, loader)
    assert not check.verified and "proofValue" in check.reason
