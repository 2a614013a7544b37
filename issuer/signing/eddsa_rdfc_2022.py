"""The ``eddsa-rdfc-2022`` cryptosuite (W3C Data Integrity EdDSA Cryptosuites v1.0, section 3.3).

https://www.w3.org/TR/vc-di-eddsa/#eddsa-rdfc-2022

Function names follow the spec's algorithm sections: :func:`transform` (3.3.3),
:func:`hash_data` (3.3.4), :func:`configure_proof` (3.3.5), :func:`serialize_proof` (3.3.6),
:func:`verify_proof` (3.3.7 / 3.3.2), and :func:`create_proof` (3.3.1).
"""
from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from pyld import jsonld

from .jsonld.canonize import canonize
from ..badges.contexts import document_loader
from ..badges.timestamps import xsd_datetime
from .keys import ed25519_sign, ed25519_verify
from .multibase import MultibaseError, decode_base58btc, encode_base58btc

__all__ = ["CRYPTOSUITE", "ProofError", "transform", "hash_data", "configure_proof",
           "serialize_proof", "create_proof", "create_proof_hashed", "verify_proof", "add_proof", "ProofCheck"]

CRYPTOSUITE = "eddsa-rdfc-2022"
PROOF_TYPE = "DataIntegrityProof"


class ProofError(ValueError):
    """A proof is malformed (``PROOF_VERIFICATION_ERROR`` / ``PROOF_GENERATION_ERROR``)."""


def transform(document: dict, loader=document_loader) -> str:
    """3.3.3 Transformation: canonical N-Quads (RDFC-1.0) of the unsecured document."""
    return canonize(document, loader)


def hash_data(transformed_document: str, canonical_proof_config: str) -> bytes:
    """3.3.4 Hashing: SHA-256(proof config) || SHA-256(document)."""
    return (hashlib.sha256(canonical_proof_config.encode("utf-8")).digest()
            + hashlib.sha256(transformed_document.encode("utf-8")).digest())


def configure_proof(options: dict, document_context, loader=document_loader) -> str:
    """3.3.5 Proof Configuration: canonical N-Quads of the proof options with the document's context."""
    if options.get("type") != PROOF_TYPE or options.get("cryptosuite") != CRYPTOSUITE:
        raise ProofError(f"proof must be a {PROOF_TYPE} with cryptosuite {CRYPTOSUITE}")
    config = {k: v for k, v in options.items() if k != "proofValue"}
    config["@context"] = document_context
    if loader is document_loader:  # the same few configurations recur (one per key and second)
        return _canonical_config(json.dumps(config, sort_keys=True, ensure_ascii=False))
    return canonize(config, loader)


@lru_cache(maxsize=512)
def _canonical_config(config_json: str) -> str:
    return canonize(json.loads(config_json), document_loader)


def serialize_proof(hash_value: bytes, private_key) -> str:
    """3.3.6 Proof Serialization: Ed25519 signature, multibase base58-btc."""
    return encode_base58btc(ed25519_sign(private_key, hash_value))


def create_proof(document: dict, private_key, *, verification_method: str, created: datetime,
                 proof_purpose: str = "assertionMethod", loader=document_loader) -> dict:
    """3.3.1 Create Proof: returns the proof object (with ``proofValue``)."""
    return create_proof_hashed(document, private_key, verification_method=verification_method, created=created,
                               proof_purpose=proof_purpose, loader=loader)[0]


def create_proof_hashed(document: dict, private_key, *, verification_method: str, created: datetime,
                        proof_purpose: str = "assertionMethod", loader=document_loader) -> tuple[dict, bytes]:
    """3.3.1 Create Proof, also returning the 64 bytes of hash data (3.3.4) the signature covers,
    so that the signer can check its signature with the published public key without
    canonicalizing again (see :func:`issuer.verify.selfcheck.check_own_output`)."""
    options = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": xsd_datetime(created),
        "verificationMethod": verification_method,
        "proofPurpose": proof_purpose,
    }
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    canonical_config = configure_proof(options, unsecured.get("@context"), loader)
    transformed = transform(unsecured, loader)
    hashed = hash_data(transformed, canonical_config)
    options["proofValue"] = serialize_proof(hashed, private_key)
    return options, hashed


def add_proof(document: dict, private_key, **kwargs) -> dict:
    """The secured document: ``document`` plus its proof, ``proof`` always an array (OB 3.0 schema)."""
    proof = create_proof(document, private_key, **kwargs)
    return {**{k: v for k, v in document.items() if k != "proof"}, "proof": [proof]}


@dataclass(frozen=True)
class ProofCheck:
    verified: bool
    reason: str | None = None


def verify_proof(document: dict, proof: dict, public_key, loader=document_loader, *,
                 transformed: str | None = None) -> ProofCheck:
    """3.3.2 Verify Proof for one proof of ``document`` (whose other proofs are removed).

    ``transformed`` may carry the canonical N-Quads of the document without proofs (3.3.3) when the
    caller already computed them, e.g. to verify every proof of a proof set with one canonicalization.

    Raises DataLossError / ContextNotAllowed / CanonizationError for documents that cannot be
    canonicalized; returns a :class:`ProofCheck` for a signature that does not verify.
    """
    value = proof.get("proofValue")
    try:
        signature = decode_base58btc(value, max_len=200)
    except MultibaseError as exc:
        return ProofCheck(False, f"proofValue is not base58-btc multibase: {exc}")
    if len(signature) != 64:
        return ProofCheck(False, f"proofValue must decode to 64 bytes, got {len(signature)}")
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    options = {k: v for k, v in proof.items() if k != "proofValue"}
    if options.get("@context") not in (None, unsecured.get("@context")):
        return ProofCheck(False, "proof @context does not match the document @context")
    options.pop("@context", None)
    canonical_config = configure_proof(options, unsecured.get("@context"), loader)
    if transformed is None:
        transformed = transform(unsecured, loader)
    if ed25519_verify(public_key, signature, hash_data(transformed, canonical_config)):
        return ProofCheck(True)
    if _signed_without_direction(unsecured, loader, public_key, signature, canonical_config):
        return ProofCheck(False, "the signature covers the document without its text direction (@direction): "
                                 "it was made by a processor that drops @direction, so it does not cover what "
                                 "the document says (w3c/vc-data-integrity#366)")
    return ProofCheck(False, "the Ed25519 signature does not match the canonical document")


def _signed_without_direction(unsecured: dict, loader, public_key, signature: bytes, canonical_config: str) -> bool:
    """Diagnosis only, for a signature that failed: does it match the canonical form that drops every
    ``@direction`` (pyld's ``rdfDirection: null``, as processors before the i18n-datatype fix did)?
    Run only for documents that mention ``@direction`` and name no blank nodes (no poison graphs)."""
    text = json.dumps(unsecured, ensure_ascii=False)
    if '"@direction"' not in text or '"_:' in text:
        return False
    try:
        dropped = jsonld.normalize(copy.deepcopy(unsecured), {
            "algorithm": "URDNA2015", "format": "application/n-quads", "documentLoader": loader, "base": None})
    except jsonld.JsonLdError:
        return False
    return ed25519_verify(public_key, signature, hash_data(dropped, canonical_config))
