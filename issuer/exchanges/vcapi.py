"""VC API / W3C VCALM exchanges for wallet pickup, and the DCC deep links the Learner Credential
Wallet (LCW) opens.

* VCALM (https://w3c-ccg.github.io/vc-api/#workflows-and-exchanges): ``POST`` ``{}`` to the exchange
  URL answers a ``verifiablePresentationRequest`` for ``DIDAuthentication`` with ``challenge`` and
  ``domain`` (our origin, the ``credentialRequestOrigin``); the wallet posts
  ``{"verifiablePresentation": …}`` to the same URL and receives
  ``{"verifiablePresentation": {"verifiableCredential": [credential]}}``.
* LCW legacy direct link (``request.html?issuer=…&auth_type=bearer&challenge=…&vc_request_url=…``):
  the wallet posts its DIDAuth presentation bare to ``vc_request_url``, signed with the challenge
  and no domain, and expects the bare credential back.
* The interaction URL (``?iuv=1``) lists ``{"protocols": {"vcapi": …, "OID4VCI": …}}``.

DIDAuth presentations: ``Ed25519Signature2020`` (what LCW sends) or ``DataIntegrityProof`` with
``eddsa-rdfc-2022``, by a ``did:key`` holder, ``proofPurpose: authentication``, the exchange's
``challenge``, and its ``domain`` wherever the request carried one.
"""
from __future__ import annotations

from ..resolve import DidError, public_key_from_did_key
from ..badges.contexts import ContextNotAllowed, VC_V2
from ..signing.jsonld.safemode import DataLossError
from ..signing import ed25519_signature_2020, eddsa_rdfc_2022

__all__ = ["PresentationRejected", "presentation_request", "verify_did_authentication", "delivery_presentation",
           "protocols"]

ACCEPTED_CRYPTOSUITES = ("eddsa-rdfc-2022", "Ed25519Signature2020")


class PresentationRejected(Exception):
    """The DIDAuth presentation is not acceptable (``code`` names why)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


def presentation_request(exchange_url: str, challenge: str, domain: str) -> dict:
    """The VCALM ``verifiablePresentationRequest`` (DIDAuthentication, did:key)."""
    return {"verifiablePresentationRequest": {
        "query": [{"type": "DIDAuthentication", "acceptedMethods": [{"method": "key"}],
                   "acceptedCryptosuites": [{"cryptosuite": c} for c in ACCEPTED_CRYPTOSUITES]}],
        "challenge": challenge, "domain": domain,
        "interact": {"service": [{"type": "UnmediatedHttpPresentationService2021",
                                  "serviceEndpoint": exchange_url}]},
    }}


def protocols(exchange_url: str, openid4vci: str) -> dict:
    """What the interaction URL and ``…/protocols`` answer."""
    return {"protocols": {"vcapi": exchange_url, "OID4VCI": openid4vci}}


def delivery_presentation(credential: dict) -> dict:
    """The unsigned presentation that carries the claimed credential back (VCALM)."""
    return {"verifiablePresentation": {"@context": [VC_V2], "type": ["VerifiablePresentation"],
                                       "verifiableCredential": [credential]}}


def _single_proof(presentation: dict) -> dict:
    proof = presentation.get("proof")
    if isinstance(proof, list) and len(proof) == 1:
        proof = proof[0]
    if not isinstance(proof, dict):
        raise PresentationRejected("proof_missing", "the presentation needs exactly one proof")
    return proof


def verify_did_authentication(presentation, *, challenge: str, domain: str, domain_required: bool = True) -> str:
    """Verify a DIDAuth presentation; return the holder's ``did:key``.

    Without ``domain_required`` (the LCW legacy link, which asks for none) the proof may omit
    ``domain``; a ``domain`` it does carry must still be ours. Raises
    :class:`PresentationRejected` with code ``not_a_presentation``, ``proof_missing``,
    ``unsupported_proof``, ``wrong_purpose``, ``wrong_challenge``, ``wrong_domain``,
    ``unsupported_did``, ``holder_mismatch``, ``unprocessable`` or ``bad_signature``.
    """
    if not isinstance(presentation, dict) or "VerifiablePresentation" not in (
            presentation.get("type") if isinstance(presentation.get("type"), list) else [presentation.get("type")]):
        raise PresentationRejected("not_a_presentation", "send a VerifiablePresentation")
    if presentation.get("verifiableCredential"):
        raise PresentationRejected("not_a_presentation", "a DIDAuth presentation carries no credentials")
    proof = _single_proof(presentation)
    if proof.get("type") == "Ed25519Signature2020":
        suite = ed25519_signature_2020
    elif proof.get("type") == "DataIntegrityProof" and proof.get("cryptosuite") == "eddsa-rdfc-2022":
        suite = eddsa_rdfc_2022
    else:
        raise PresentationRejected("unsupported_proof", "sign with Ed25519Signature2020 or eddsa-rdfc-2022")
    if proof.get("proofPurpose") != "authentication":
        raise PresentationRejected("wrong_purpose", "the proof's proofPurpose must be authentication")
    if proof.get("challenge") != challenge:
        raise PresentationRejected("wrong_challenge", "the proof's challenge is not this exchange's challenge")
    if proof.get("domain") != domain and (domain_required or proof.get("domain") is not None):
        raise PresentationRejected("wrong_domain", f"the proof's domain must be {domain!r}")
    method = proof.get("verificationMethod")
    if not isinstance(method, str) or "#" not in method or len(method) > 300:
        raise PresentationRejected("unsupported_did", "verificationMethod must be a did:key DID URL")
    did, fragment = method.split("#", 1)
    try:
        key = public_key_from_did_key(did)
    except DidError as exc:
        raise PresentationRejected("unsupported_did", f"only did:key holders are accepted: {exc}") from None
    if fragment != did[len("did:key:"):] or key.alg != "EdDSA":
        raise PresentationRejected("unsupported_did", "the verificationMethod is not the did:key's Ed25519 key")
    holder = presentation.get("holder")
    holder_id = holder.get("id") if isinstance(holder, dict) else holder
    if holder_id is not None and holder_id != did:
        raise PresentationRejected("holder_mismatch", "the presentation's holder is not the key's controller")
    try:
        check = suite.verify_proof(presentation, proof, key.key)
    except (DataLossError, ContextNotAllowed, eddsa_rdfc_2022.ProofError, ValueError) as exc:
        raise PresentationRejected("unprocessable", f"the presentation cannot be processed: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - hostile JSON-LD: pyld raises JsonLdError, TypeError, ...
        raise PresentationRejected("unprocessable", "the presentation is not valid JSON-LD for its proof: "
                                   f"{type(exc).__name__}") from None
    if not check.verified:
        raise PresentationRejected("bad_signature", check.reason or "the signature does not verify")
    return did
