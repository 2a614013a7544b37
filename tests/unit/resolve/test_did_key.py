"""did:key against the W3C CCG did:key vectors (vectors/did-key/*.json) and NET-07 bad inputs."""
from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from issuer.resolve import DidError, did_key_from_public_key, public_key_from_did_key, resolve_did_key
from issuer.signing.keys import public_jwk, public_key_from_jwk
from issuer.signing.multibase import P256_PUB, b58decode, encode_base58btc
from tests.spec import load_spec_json

def _ed25519_vectors():
    return sorted(load_spec_json("vectors", "did-key", "ed25519-x25519.json").items())


def _nist_vectors(curve: str):
    vectors = load_spec_json("vectors", "did-key", "nist-curves.json")
    return [(did, v) for did, v in sorted(vectors.items())
            if v["verificationMethod"].get("publicKeyJwk", {}).get("crv") == curve]


def test_ed25519_seed_maps_to_did():
    vectors = _ed25519_vectors()
    assert len(vectors) >= 5
    for did, vector in vectors:
        key = ed25519.Ed25519PrivateKey.from_private_bytes(bytes.fromhex(vector["seed"]))
        assert did_key_from_public_key(key) == did
        assert did_key_from_public_key(key.public_key()) == did


def test_ed25519_documents_match_vectors():
    for did, vector in _ed25519_vectors():
        _check_ed25519_document(did, vector)


def _check_ed25519_document(did, vector):
    doc = resolve_did_key(did)
    expected_vm = vector["didDocument"]["verificationMethod"][0]
    vm = doc["verificationMethod"][0]
    assert doc["id"] == did
    assert vm["id"] == expected_vm["id"] == f"{did}#{did[len('did:key:'):]}"
    assert vm["controller"] == did and vm["type"] == "Multikey"
    info = public_key_from_did_key(did)
    assert info.alg == "EdDSA"
    if "publicKeyBase58" in expected_vm:
        assert info.key.public_bytes_raw() == b58decode(expected_vm["publicKeyBase58"])
    else:  # one vector expresses the key as a JsonWebKey2020
        assert public_jwk(info.key) == expected_vm["publicKeyJwk"]
    for rel in ("authentication", "assertionMethod", "capabilityInvocation", "capabilityDelegation"):
        assert doc[rel] == [vm["id"]] == vector["didDocument"][rel]


def test_document_shape():
    did = _ed25519_vectors()[0][0]
    doc = resolve_did_key(did)
    assert doc["@context"] == ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"]
    assert doc["verificationMethod"][0]["publicKeyMultibase"] == did.split(":")[2]
    assert "keyAgreement" not in doc


def test_p256_jwk_vectors():
    vectors = _nist_vectors("P-256")
    assert len(vectors) == 2
    for did, vector in vectors:
        _check_p256_vector(did, vector)


def _check_p256_vector(did, vector):
    jwk = vector["verificationMethod"]["publicKeyJwk"]
    key = public_key_from_jwk(jwk).key
    assert did_key_from_public_key(key) == did
    info = public_key_from_did_key(did)
    assert info.alg == "ES256"
    assert public_jwk(info.key) == jwk
    doc = resolve_did_key(did)
    assert doc["verificationMethod"][0]["id"] == vector["didDocument"]["verificationMethod"][0]["id"]


def test_p256_base58_vector():
    vectors = load_spec_json("vectors", "did-key", "nist-curves.json")
    (did, vector), = [(d, v) for d, v in vectors.items() if "publicKeyBase58" in v["verificationMethod"]]
    compressed = b58decode(vector["verificationMethod"]["publicKeyBase58"])
    assert did == "did:key:" + encode_base58btc(P256_PUB + compressed)
    key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), compressed)
    assert did_key_from_public_key(key) == did
    assert resolve_did_key(did)["id"] == did


@pytest.mark.parametrize("curve", ["P-384", "P-521"])
def test_other_nist_curves_unsupported(curve):
    vectors = _nist_vectors(curve)
    assert vectors
    for did, _vector in vectors:
        with pytest.raises(DidError) as err:
            resolve_did_key(did)
        assert err.value.code == "unsupportedPublicKeyType"


def test_generated_keys_round_trip():
    for key in (ed25519.Ed25519PrivateKey.generate(), ec.generate_private_key(ec.SECP256R1())):
        did = did_key_from_public_key(key)
        assert resolve_did_key(did)["id"] == did


def test_unsupported_key_objects():
    with pytest.raises(DidError):
        did_key_from_public_key(ec.generate_private_key(ec.SECP384R1()))
    with pytest.raises(DidError):
        did_key_from_public_key("z6Mk...")


GOOD = "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"
_RAW = b58decode(GOOD.split(":")[2][1:])


@pytest.mark.parametrize(("did", "code"), [
    ("", "invalidDid"),
    ("did:key:", "invalidDid"),
    ("did:web:example.com", "invalidDid"),
    (GOOD.replace(":z", ":"), "invalidDid"),  # NET-07: no 'z'
    (GOOD.replace(":z", ":u"), "invalidDid"),
    (GOOD[:-4] + "0OIl", "invalidDid"),  # non-base58 characters
    ("did:key:1:" + GOOD.split(":")[2], "invalidDid"),  # version form
    ("did:key:-v4:" + GOOD.split(":")[2], "invalidDid"),
    (GOOD + "#" + GOOD.split(":")[2], "invalidDid"),  # fragment is not part of a DID
    (GOOD + "/path", "invalidDid"),
    ("did:key:" + encode_base58btc(b"\xec\x01" + _RAW[2:]), "unsupportedPublicKeyType"),  # X25519
    ("did:key:" + encode_base58btc(_RAW[:-1]), "invalidPublicKeyLength"),  # 31 bytes
    ("did:key:" + encode_base58btc(_RAW + b"\x00"), "invalidPublicKeyLength"),  # 33 bytes
    ("did:key:" + encode_base58btc(P256_PUB + b"\x02" + b"\xff" * 32), "invalidPublicKey"),  # not on curve
    ("did:key:z" + "1" * 200, "invalidDid"),
])
def test_bad_did_keys(did, code):
    with pytest.raises(DidError) as err:
        resolve_did_key(did)
    assert err.value.code == code
    assert isinstance(err.value, ValueError)


def test_non_string_input():
    with pytest.raises(DidError):
        resolve_did_key(None)  # type: ignore[arg-type]
