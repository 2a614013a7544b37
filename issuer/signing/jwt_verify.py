"""Verifying VC-JWT (compact JWS) credentials as profiled by Open Badges 3.0.

* Open Badges 3.0 §8.2 "JSON Web Token Proof Format" (https://www.imsglobal.org/spec/ob/v3p0/#jwt-proof):
  the JOSE header holds ``alg`` and ``kid`` or ``jwk`` (and optionally ``typ``); "Additional JOSE Headers
  are NOT allowed". §8.2.6 "Verify a Credential": ``iss`` = ``issuer.id``, ``jti`` = ``id``,
  ``sub`` = ``credentialSubject.id``, ``nbf`` = ``validFrom``, ``exp`` = ``validUntil``.
* RFC 7515 (JWS) and RFC 8725 (JWT BCP): §3.1 the algorithm comes from an allowlist and must match the
  key; §3.10 header URLs (``jku``, ``x5u``) are never followed; §3.11 explicit typing.
* Security catalog §1 (JWT-01 .. JWT-15).

Both segments are decoded here with :func:`issuer.intake.strict_json.strict_loads` (duplicate members, NaN and deep
nesting refused) before PyJWT sees the token, so PyJWT's last-member-wins parsing cannot disagree with
ours. The signature is then checked by PyJWT's implementation of exactly one algorithm: the header's
``alg``, which must be in the allowlist and must be the algorithm bound to the key's type.
"""
from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from datetime import datetime

import jwt

from ..intake.strict_json import JsonError, strict_loads
from .keys import PublicKeyInfo

__all__ = [
    "JwsError", "UnverifiedJws", "ALLOWED_HEADER_MEMBERS", "REGISTERED_CLAIMS",
    "parse_unverified", "check_header", "verify_signature", "check_claims", "numeric_date",
]

ALLOWED_HEADER_MEMBERS = frozenset({"alg", "kid", "jwk", "typ"})
REGISTERED_CLAIMS = frozenset({"iss", "sub", "aud", "exp", "nbf", "iat", "jti"})
_ALLOWED_TYP = frozenset({"jwt", "vc+jwt"})
_SEGMENT = re.compile(r"[A-Za-z0-9_-]*")
MAX_KID_LENGTH = 2048


class JwsError(ValueError):
    """A compact JWS is malformed, uses a forbidden header, or does not verify."""

    def __init__(self, message: str, *, code: str = "PROOF_VERIFICATION_ERROR") -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class UnverifiedJws:
    """The decoded parts of a compact JWS whose signature has NOT been checked yet."""

    token: str
    header: dict
    payload: dict
    signature: bytes

    @property
    def signing_input(self) -> bytes:
        """``BASE64URL(header) '.' BASE64URL(payload)``: the bytes the signature covers (RFC 7515 §5.2)."""
        return self.token.rsplit(".", 1)[0].encode("ascii")


def _b64url_decode(segment: str, what: str) -> bytes:
    if not _SEGMENT.fullmatch(segment) or len(segment) % 4 == 1:
        raise JwsError(f"JWS {what} is not unpadded base64url", code="PARSING_ERROR")
    try:
        decoded = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    except (binascii.Error, ValueError) as exc:
        raise JwsError(f"JWS {what} is not base64url: {exc}", code="PARSING_ERROR") from None
    if base64.urlsafe_b64encode(decoded).rstrip(b"=") != segment.encode("ascii"):
        raise JwsError(f"JWS {what} is not canonical base64url", code="PARSING_ERROR")
    return decoded


def _json_object(segment: str, what: str, max_depth: int) -> dict:
    try:
        value = strict_loads(_b64url_decode(segment, what), max_depth=max_depth)
    except JsonError as exc:
        raise JwsError(f"JWS {what} is not acceptable JSON: {exc}", code="PARSING_ERROR") from None
    if not isinstance(value, dict):
        raise JwsError(f"JWS {what} is not a JSON object", code="PARSING_ERROR")
    return value


def parse_unverified(token: str | bytes, *, max_bytes: int = 1_000_000, max_depth: int = 64) -> UnverifiedJws:
    """Split and decode a compact JWS without verifying it (size is capped before any decoding).

    Raises :class:`JwsError` (code ``PARSING_ERROR``) for anything but three base64url segments whose
    header and payload are JSON objects, and for ``b64: false`` (RFC 7797 unencoded payloads).
    """
    if isinstance(token, (bytes, bytearray)):
        if len(token) > max_bytes:
            raise JwsError(f"JWS is larger than {max_bytes} bytes", code="PARSING_ERROR")
        try:
            token = bytes(token).decode("ascii")
        except UnicodeDecodeError:
            raise JwsError("JWS is not ASCII text", code="PARSING_ERROR") from None
    if not isinstance(token, str):
        raise JwsError("JWS must be text", code="PARSING_ERROR")
    token = token.strip()
    if len(token) > max_bytes:
        raise JwsError(f"JWS is larger than {max_bytes} bytes", code="PARSING_ERROR")
    parts = token.split(".")
    if len(parts) != 3:
        raise JwsError(f"a compact JWS has 3 segments, this one has {len(parts)}", code="PARSING_ERROR")
    header = _json_object(parts[0], "header", max_depth)
    if "b64" in header:
        raise JwsError("the b64 header (unencoded payload, RFC 7797) is not accepted", code="PARSING_ERROR")
    payload = _json_object(parts[1], "payload", max_depth)
    signature = _b64url_decode(parts[2], "signature")
    return UnverifiedJws(token, header, payload, signature)


def check_header(header: dict, algorithms: tuple[str, ...]) -> str:
    """Apply the OB 3.0 header rules and the algorithm allowlist; return the ``alg``.

    Members other than ``alg``, ``kid``, ``jwk``, ``typ`` are refused (``jku``, ``x5u``, ``x5c``,
    ``crit``, ``cty`` ... are never interpreted); ``alg`` must be a listed asymmetric algorithm;
    ``typ``, when present, must be ``JWT`` or ``vc+jwt`` (not e.g. ``at+jwt``).
    """
    extra = sorted(set(header) - ALLOWED_HEADER_MEMBERS)
    if extra:
        raise JwsError(f"JOSE header members not allowed by Open Badges 3.0: {', '.join(extra)[:200]}")
    alg = header.get("alg")
    if not isinstance(alg, str) or not alg:
        raise JwsError("JOSE header has no alg")
    if alg.lower() == "none" or alg.upper().startswith("HS") or alg not in algorithms:
        raise JwsError(f"algorithm {alg[:20]!r} is not allowed (allowed: {', '.join(algorithms)})")
    typ = header.get("typ")
    if typ is not None:
        normalized = typ.lower().removeprefix("application/") if isinstance(typ, str) else None
        if normalized not in _ALLOWED_TYP:
            raise JwsError(f"typ {str(typ)[:40]!r} is not JWT or vc+jwt")
    kid = header.get("kid")
    if kid is not None and (not isinstance(kid, str) or not kid or len(kid) > MAX_KID_LENGTH
                            or not kid.isprintable()):
        raise JwsError("kid must be a short printable string")
    if "jwk" in header and not isinstance(header["jwk"], dict):
        raise JwsError("jwk header member must be a JSON object")
    if kid is None and "jwk" not in header:
        raise JwsError("JOSE header has neither kid nor jwk: no key to verify with")
    return alg


def verify_signature(jws: UnverifiedJws, key: PublicKeyInfo, algorithms: tuple[str, ...]) -> None:
    """Check the JWS signature with ``key``; the header ``alg`` must be the key's own algorithm.

    Raises :class:`JwsError` if the header is refused, the algorithm does not match the key type
    (JWT-04) or the signature is invalid.
    """
    alg = check_header(jws.header, algorithms)
    if key.alg != alg:
        raise JwsError(f"header alg {alg} does not match the key type (which needs {key.alg})")
    try:
        algorithm = jwt.get_algorithm_by_name(alg)
        valid = algorithm.verify(jws.signing_input, algorithm.prepare_key(key.key), jws.signature)
    except (jwt.PyJWTError, NotImplementedError, TypeError, ValueError) as exc:
        raise JwsError(f"the JWS does not verify: {exc}") from None
    if not valid:
        raise JwsError("the JWS signature does not verify")


def numeric_date(value: object) -> int | None:
    """An RFC 3339 date-time with offset as a NumericDate (seconds), or None if malformed."""
    if not isinstance(value, str) or len(value) > 64:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    return int(moment.timestamp())


def _issuer_id(credential: dict):
    issuer = credential.get("issuer")
    return issuer.get("id") if isinstance(issuer, dict) else issuer


def _subject_id(credential: dict):
    subject = credential.get("credentialSubject")
    return subject.get("id") if isinstance(subject, dict) else None


def _date_claim(payload: dict, claim: str, credential: dict, field: str, problems: list[str]) -> None:
    if claim not in payload:
        return
    value = payload[claim]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        problems.append(f"{claim} is not a NumericDate")
    elif field not in credential:
        if claim == "nbf":
            problems.append(f"nbf is present but the credential has no {field}")
    elif int(value) != numeric_date(credential[field]):
        problems.append(f"{claim} ({value}) does not equal {field} ({str(credential[field])[:40]})")


def check_claims(payload: dict, credential: dict, *, vc_claim: bool = False) -> list[str]:
    """OB 3.0 §8.2.6: the registered claims must agree with the credential; returns the problems.

    ``iss`` and ``jti`` are required. ``sub``, ``nbf`` and ``exp`` must agree when present, but may be
    absent: the published OB 3.0 examples omit ``nbf`` (and ``exp`` with a ``validUntil``), the 1EdTech
    validator's fixtures omit ``sub``, and ``sub`` cannot exist for an identifier-only subject.
    """
    problems = []
    if payload.get("iss") != _issuer_id(credential):
        problems.append("iss does not equal the credential's issuer id")
    if payload.get("jti") != credential.get("id"):
        problems.append("jti does not equal the credential id")
    if "sub" in payload and payload["sub"] != _subject_id(credential):
        problems.append("sub does not equal credentialSubject.id")
    start, end = ("issuanceDate", "expirationDate") if vc_claim else ("validFrom", "validUntil")
    _date_claim(payload, "nbf", credential, start, problems)
    _date_claim(payload, "exp", credential, end, problems)
    return problems
