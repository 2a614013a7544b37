"""The legacy ``Ed25519Signature2020`` proof type (verification, plus signing for test vectors).

Data Integrity EdDSA Cryptosuites v1.0, Appendix "Ed25519Signature2020"
(https://www.w3.org/TR/vc-di-eddsa/#ed25519signature2020) and the W3C CCG "Ed25519 Signature 2020"
report (https://w3c-ccg.github.io/di-eddsa-2020/). Open Badges 3.0 lists it among the "prior
(deprecated) cryptosuites" a verifier should still consider; new credentials use ``eddsa-rdfc-2022``.

The algorithm is the one of ``eddsa-rdfc-2022`` with another proof type and no ``cryptosuite``:

* :func:`configure_proof` - the proof options (the proof without ``proofValue``) with ``@context`` set
  to the document's context, canonicalized with URDNA2015 (= RDFC-1.0);
* :func:`transform` - the document without ``proof``, canonicalized the same way;
* :func:`hash_data` - SHA-256(canonical proof options) || SHA-256(canonical document);
* the signature is Ed25519 over those 64 bytes, ``proofValue`` = multibase base58-btc.

The type ``Ed25519Signature2020`` is defined by the context
``https://w3id.org/security/suites/ed25519-2020/v1``, which the document's ``@context`` must list.
"""
from __future__ import annotations

from datetime import datetime

from ..badges.contexts import ED25519_2020, document_loader
from ..badges.timestamps import xsd_datetime
from .eddsa_rdfc_2022 import ProofCheck, ProofError, hash_data, transform
from .keys import ed25519_sign, ed25519_verify
from .multibase import MultibaseError, decode_base58btc, encode_base58btc
from .jsonld.canonize import canonize

__all__ = ["PROOF_TYPE", "configure_proof", "transform", "hash_data", "create_proof", "verify_proof"]

PROOF_TYPE = "Ed25519Signature2020"


def _require_context(document_context) -> None:
    contexts = document_context if isinstance(document_context, list) else [document_context]
    if ED25519_2020 not in contexts:
        raise ProofError(f"{PROOF_TYPE} requires the context {ED25519_2020} in the document")


def configure_proof(options: dict, document_context, loader=document_loader) -> str:
    """Canonical N-Quads of the proof options, with the document's ``@context``."""
    if options.get("type") != PROOF_TYPE:
        raise ProofError(f"proof type must be {PROOF_TYPE}")
    _require_context(document_context)
    config = {k: v for k, v in options.items() if k not in ("proofValue", "@context")}
    config["@context"] = document_context
    return canonize(config, loader)


def create_proof(document: dict, private_key, *, verification_method: str, created: datetime,
                 proof_purpose: str = "assertionMethod", loader=document_loader) -> dict:
    """The ``Ed25519Signature2020`` proof object for ``document`` (used to reproduce test vectors)."""
    options = {"type": PROOF_TYPE, "created": xsd_datetime(created),
               "verificationMethod": verification_method, "proofPurpose": proof_purpose}
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    digest = hash_data(transform(unsecured, loader), configure_proof(options, unsecured.get("@context"), loader))
    return {**options, "proofValue": encode_base58btc(ed25519_sign(private_key, digest))}


def verify_proof(document: dict, proof: dict, public_key, loader=document_loader, *,
                 transformed: str | None = None) -> ProofCheck:
    """Verify one ``Ed25519Signature2020`` proof of ``document`` with an Ed25519 public key.

    ``transformed`` may carry the canonical document (without proofs) when the caller already has it.
    Raises like :func:`issuer.signing.eddsa_rdfc_2022.verify_proof` for documents that cannot be
    canonicalized; returns a failed :class:`ProofCheck` for a bad context or signature.
    """
    try:
        signature = decode_base58btc(proof.get("proofValue"), max_len=200)
    except MultibaseError as exc:
        return ProofCheck(False, f"proofValue is not base58-btc multibase: {exc}")
    if len(signature) != 64:
        return ProofCheck(False, f"proofValue must decode to 64 bytes, got {len(signature)}")
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    try:
        canonical_config = configure_proof(proof, unsecured.get("@context"), loader)
    except ProofError as exc:
        return ProofCheck(False, str(exc))
    if transformed is None:
        transformed = transform(unsecured, loader)
    if ed25519_verify(public_key, signature, hash_data(transformed, canonical_config)):
        return ProofCheck(True)
    return ProofCheck(False, "the Ed25519 signature does not match the canonical document")
