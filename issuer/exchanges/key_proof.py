"""OID4VCI key proofs of type ``jwt`` (OpenID4VCI 1.0, Appendix F.1) and the holder's DID.

A proof is a compact JWS with header ``typ: openid4vci-proof+jwt``, ``alg`` ``ES256`` or ``EdDSA``,
and exactly one of ``kid`` (a ``did:key`` or ``did:jwk`` DID URL) or ``jwk`` (a bare public key);
``x5c`` and key attestations are not supported. Claims: ``aud`` = the Credential Issuer Identifier,
``iat``, ``nonce`` = a ``c_nonce`` from the Nonce Endpoint (single use; this also stops replay),
``iss`` optional (anonymous pre-authorized access).

The holder is named by ``did:key`` for a did:key ``kid`` and by ``did:jwk``
(https://github.com/quartzjer/did-jwk/blob/main/spec.md) for a bare JWK or a did:jwk ``kid``.
"""
from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta
from typing import Callable

import jwt as pyjwt

from ..resolve import DidError, public_key_from_did_key
from ..signing.keys import KeyError_, PublicKeyInfo, public_key_from_jwk

__all__ = ["PROOF_TYP", "ProofRejected", "verify_key_proof", "did_jwk", "public_key_from_did_jwk",
           "PROOF_ALGORITHMS"]

PROOF_TYP = "openid4vci-proof+jwt"
PROOF_ALGORITHMS = ("ES256", "EdDSA")
MAX_PROOF_LENGTH = 8192
_PUBLIC_MEMBERS = {"EC": ("crv", "kty", "x", "y"), "OKP": ("crv", "kty", "x")}


class ProofRejected(Exception):
    """The key proof is not acceptable: ``error`` is ``invalid_proof`` or ``invalid_nonce``."""

    def __init__(self, description: str, error: str = "invalid_proof"):
        super().__init__(description)
        self.error = error
        self.description = description


def _b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def did_jwk(jwk: dict) -> str:
    """``did:jwk`` of a public JWK: base64url of its public members as compact JSON, sorted."""
    members = _PUBLIC_MEMBERS.get(jwk.get("kty"))
    if members is None:
        raise ProofRejected(f"unsupported key type {jwk.get('kty')!r}: use an EC P-256 or OKP Ed25519 key")
    public = {k: jwk[k] for k in members if k in jwk}
    return "did:jwk:" + _b64u(json.dumps(public, separators=(",", ":"), sort_keys=True).encode("utf-8"))


def public_key_from_did_jwk(did: str) -> PublicKeyInfo:
    """The public key a ``did:jwk`` carries (EC P-256 or OKP Ed25519); :class:`ProofRejected` otherwise."""
    value = did[len("did:jwk:"):]
    if not value or len(value) > 1000:
        raise ProofRejected("did:jwk is empty or too long")
    try:
        jwk = json.loads(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))
        return public_key_from_jwk(jwk)
    except (ValueError, KeyError_, TypeError) as exc:
        raise ProofRejected(f"did:jwk does not hold a usable public key: {exc}") from None


def _holder_key(header: dict) -> tuple[PublicKeyInfo, str]:
    kid, jwk = header.get("kid"), header.get("jwk")
    if "x5c" in header or "key_attestation" in header or "trust_chain" in header:
        raise ProofRejected("only kid (did:key, did:jwk) or jwk key proofs are supported")
    if (kid is None) == (jwk is None):
        raise ProofRejected("the proof header must carry exactly one of kid and jwk")
    if jwk is not None:
        try:
            info = public_key_from_jwk(jwk)
        except KeyError_ as exc:
            raise ProofRejected(f"the proof's jwk is not acceptable: {exc}") from None
        return info, did_jwk(jwk)
    if not isinstance(kid, str) or len(kid) > 1200:
        raise ProofRejected("kid must be a DID URL")
    did = kid.split("#", 1)[0]
    if did.startswith("did:key:"):
        try:
            return public_key_from_did_key(did), did
        except DidError as exc:
            raise ProofRejected(f"unsupported or invalid did:key: {exc}") from None
    if did.startswith("did:jwk:"):
        return public_key_from_did_jwk(did), did
    raise ProofRejected("kid must be a did:key or did:jwk DID URL (other DID methods are not resolved)")


def verify_key_proof(token, *, audience: str, now: datetime, skew: timedelta, max_age: timedelta,
                     use_nonce: Callable[[str], bool]) -> str:
    """Verify one ``jwt`` key proof; return the holder's DID.

    ``use_nonce(nonce)`` must atomically mark a valid, unused, unexpired ``c_nonce`` as used and
    return True, else False. Raises :class:`ProofRejected`.
    """
    if not isinstance(token, str) or not 0 < len(token) <= MAX_PROOF_LENGTH or token.count(".") != 2:
        raise ProofRejected("the proof is not a compact JWS")
    try:
        header = pyjwt.get_unverified_header(token)
    except pyjwt.PyJWTError as exc:
        raise ProofRejected(f"the proof header cannot be read: {exc}") from None
    if header.get("typ") != PROOF_TYP:
        raise ProofRejected(f"the proof's typ must be {PROOF_TYP!r}")
    alg = header.get("alg")
    if alg not in PROOF_ALGORITHMS:
        raise ProofRejected(f"proof alg must be one of {', '.join(PROOF_ALGORITHMS)}")
    info, holder = _holder_key(header)
    if info.alg != alg:
        raise ProofRejected(f"the key is a {info.alg} key but the proof says alg {alg}")
    try:
        claims = pyjwt.decode(token, key=info.key, algorithms=[alg],
                              options={"verify_aud": False, "verify_iat": False, "verify_exp": True,
                                       "verify_nbf": True})
    except pyjwt.InvalidSignatureError:
        raise ProofRejected("the proof's signature does not verify with its key") from None
    except pyjwt.PyJWTError as exc:
        raise ProofRejected(f"the proof cannot be verified: {exc}") from None
    aud = claims.get("aud")
    if not (aud == audience or (isinstance(aud, list) and audience in aud)):
        raise ProofRejected(f"the proof's aud must be the credential issuer {audience!r}")
    iat = claims.get("iat")
    if not isinstance(iat, (int, float)) or isinstance(iat, bool):
        raise ProofRejected("the proof needs a numeric iat")
    issued = datetime.fromtimestamp(iat, tz=now.tzinfo)
    if issued > now + skew or issued < now - max_age - skew:
        raise ProofRejected("the proof's iat is too far from the current time")
    nonce = claims.get("nonce")
    if not isinstance(nonce, str) or not nonce:
        raise ProofRejected("the proof needs the c_nonce from the nonce endpoint", error="invalid_nonce")
    if not use_nonce(nonce):
        raise ProofRejected("the proof's nonce is unknown, expired or already used; get a fresh c_nonce",
                            error="invalid_nonce")
    return holder
