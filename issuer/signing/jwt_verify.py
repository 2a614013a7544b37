"""Verifying VC-JWT (compact JWS) credentials as profiled by Open Badges 3.0.

* Open Badges 3.0 §8.2 "JSON Web Token Proof Format" (https://www.imsglobal.org/spec/ob/v3p0/#jwt-proof):
  the JOSE header holds ``alg`` and ``kid`` or ``jwk`` (and optionally ``typ``); "Additional JOSE Headers
  are NOT allowed". §8.2.6 "Verify a Credential": ``iss`` = ``issuer.id``, ``jti`` = ``id``,
  ``sub`` = ``credentialSubject.id``, ``nbf`` = ``validFrom``, ``exp`` = ``validUntil``.
* VC Data Model 1.1 §6.3.1 "JSON Web Token" (decoding a ``vc`` claim): ``iss``, ``jti``, ``sub``,
  ``nbf`` and ``exp`` stand for ``issuer``, ``id``, ``credentialSubject.id``, ``issuanceDate`` and
  ``expirationDate``; :func:`decode_credential` puts them into the credential when it leaves them out,
  and :func:`check_claims` reports every claim that contradicts a field the credential does carry.
* Bitstring Status List 1.0 §2.2 / VC-JOSE-COSE §3.1.1: a status list credential may be a VC-JWT
  with ``typ`` ``vc+jwt`` (or ``JWT``) and a ``cty``; it is not an Open Badge, so it is checked
  with :data:`STATUS_LIST_HEADER_MEMBERS` and without the OB-only required claims.
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
from datetime import datetime, timezone

import jwt

from ..badges.read import subject_of
from ..badges.timestamps import xsd_datetime
from ..intake.strict_json import JsonError, strict_loads
from .keys import PublicKeyInfo

__all__ = [
    "JwsError", "UnverifiedJws", "ALLOWED_HEADER_MEMBERS", "REGISTERED_CLAIMS",
    "parse_unverified", "check_header", "verify_signature", "check_claims", "numeric_date",
    "decode_credential", "carried_credential", "claim_fields", "STATUS_LIST_HEADER_MEMBERS", "OB_REQUIRED_CLAIMS",
]

ALLOWED_HEADER_MEMBERS = frozenset({"alg", "kid", "jwk", "typ"})
# VC-JOSE-COSE §3.1.1 adds the content type; still no URL-bearing (jku, x5u) or critical members
STATUS_LIST_HEADER_MEMBERS = ALLOWED_HEADER_MEMBERS | {"cty"}
_ALLOWED_CTY = frozenset({"vc", "vc+ld+json"})
OB_REQUIRED_CLAIMS = ("iss", "jti")  # Open Badges 3.0 §8.2.4
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


def check_header(header: dict, algorithms: tuple[str, ...], *,
                 members: frozenset = ALLOWED_HEADER_MEMBERS) -> str:
    """Apply the OB 3.0 header rules and the algorithm allowlist; return the ``alg``.

    Members other than ``members`` (by default ``alg``, ``kid``, ``jwk``, ``typ``) are refused
    (``jku``, ``x5u``, ``x5c``, ``crit`` ... are never interpreted); ``alg`` must be a listed
    asymmetric algorithm; ``typ``, when present, must be ``JWT`` or ``vc+jwt`` (not e.g. ``at+jwt``);
    ``cty``, where allowed (:data:`STATUS_LIST_HEADER_MEMBERS`), must be ``vc`` (or ``vc+ld+json``).
    """
    extra = sorted(set(header) - members)
    if extra:
        who = "Open Badges 3.0" if members == ALLOWED_HEADER_MEMBERS else "this verifier"
        raise JwsError(f"JOSE header members not allowed by {who}: {', '.join(extra)[:200]}")
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
    cty = header.get("cty")
    if "cty" in header:
        normalized = cty.lower().removeprefix("application/") if isinstance(cty, str) else None
        if normalized not in _ALLOWED_CTY:
            raise JwsError(f"cty {str(cty)[:40]!r} is not vc")
    kid = header.get("kid")
    if kid is not None and (not isinstance(kid, str) or not kid or len(kid) > MAX_KID_LENGTH
                            or not kid.isprintable()):
        raise JwsError("kid must be a short printable string")
    if "jwk" in header and not isinstance(header["jwk"], dict):
        raise JwsError("jwk header member must be a JSON object")
    if kid is None and "jwk" not in header:
        raise JwsError("JOSE header has neither kid nor jwk: no key to verify with")
    return alg


def verify_signature(jws: UnverifiedJws, key: PublicKeyInfo, algorithms: tuple[str, ...], *,
                     members: frozenset = ALLOWED_HEADER_MEMBERS) -> None:
    """Check the JWS signature with ``key``; the header ``alg`` must be the key's own algorithm.

    Raises :class:`JwsError` if the header is refused (see :func:`check_header`), the algorithm does
    not match the key type (JWT-04) or the signature is invalid.
    """
    alg = check_header(jws.header, algorithms, members=members)
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


def claim_fields(vc_claim: bool) -> tuple[tuple[str, str], ...]:
    """``(claim, credential field)`` pairs: VC DM 1.1 §6.3.1 for a ``vc`` claim, else OB 3.0 §8.2.4."""
    start, end = ("issuanceDate", "expirationDate") if vc_claim else ("validFrom", "validUntil")
    return (("iss", "issuer"), ("jti", "id"), ("sub", "credentialSubject.id"), ("nbf", start), ("exp", end))


def _xsd_datetime(value: object) -> str | None:
    """A NumericDate as an ``xsd:dateTimeStamp`` in UTC, or None if it is not a usable number."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        moment = datetime.fromtimestamp(value, timezone.utc)
    except (OverflowError, OSError, ValueError):
        return None
    if moment.microsecond:  # a fractional NumericDate keeps its fraction (xsd:dateTimeStamp allows one)
        return moment.isoformat(timespec="microseconds").replace("+00:00", "Z")
    return xsd_datetime(moment)


def carried_credential(payload: dict, *, vc_claim: bool) -> dict:
    """The credential exactly as a VC-JWT payload carries it: the ``vc`` claim (VC 1.1), or the payload
    without its registered claims (VC 2.0 / OB 3.0 §8.2.4). An embedded proof inside signed this."""
    if vc_claim:
        return payload["vc"]
    return {k: v for k, v in payload.items() if k not in REGISTERED_CLAIMS}


def decode_credential(payload: dict, *, vc_claim: bool) -> tuple[dict, dict[str, str]]:
    """The credential a VC-JWT payload stands for, and ``{field: claim}`` for each field taken from a claim.

    ``payload`` is the whole JWT payload. With ``vc_claim`` (VC 1.1) the credential is the ``vc``
    claim; otherwise (VC 2.0 / OB 3.0 §8.2.4) it is the payload without its registered claims. A
    field the credential leaves out is taken from its claim (VC DM 1.1 §6.3.1 decoding: ``iss`` →
    ``issuer``, ``jti`` → ``id``, ``sub`` → ``credentialSubject.id``, ``nbf`` → ``issuanceDate`` /
    ``validFrom``, ``exp`` → ``expirationDate`` / ``validUntil``). A field the credential carries is
    never overwritten: a claim that disagrees with it is reported by :func:`check_claims`.
    ``payload`` is not modified.
    """
    credential = dict(carried_credential(payload, vc_claim=vc_claim))
    filled: dict[str, str] = {}
    for claim, field in claim_fields(vc_claim):
        if claim not in payload:
            continue
        value = payload[claim]
        if claim in ("nbf", "exp"):
            value = _xsd_datetime(value)
        elif not isinstance(value, str):
            continue
        if value is None:
            continue
        if field == "issuer":
            issuer = credential.get("issuer")
            if issuer is None:
                credential["issuer"] = value
            elif isinstance(issuer, dict) and "id" not in issuer:
                credential["issuer"] = {"id": value, **issuer}
            else:
                continue
        elif field == "credentialSubject.id":
            subject = credential.get("credentialSubject")
            if subject is None:
                credential["credentialSubject"] = {"id": value}
            elif isinstance(subject, dict) and "id" not in subject:
                credential["credentialSubject"] = {"id": value, **subject}
            else:
                continue
        elif field not in credential:
            credential[field] = value
        else:
            continue
        filled[field] = claim
    return credential, filled


def _issuer_id(credential: dict):
    issuer = credential.get("issuer")
    return issuer.get("id") if isinstance(issuer, dict) else issuer


def _subject_id(credential: dict):
    return subject_of(credential).get("id")


def _show(value: object) -> str:
    return "absent" if value is None else repr(value)[:80]


def _field_value(credential: dict, field: str) -> tuple[str, object]:
    """(the field's name as shown in reasons, its value or None)."""
    if field == "issuer":
        issuer = credential.get("issuer")
        return ("issuer.id", issuer.get("id")) if isinstance(issuer, dict) else ("issuer", issuer)
    if field == "credentialSubject.id":
        return field, _subject_id(credential)
    return field, credential.get(field)


def _date_problem(claim: str, value: object, name: str, field_value: object) -> str | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return f"the JWT claim {claim} ({_show(value)}) is not a NumericDate"
    if field_value is None:
        return f"the JWT claim {claim} ({value}) has no {name} to stand for (it is not a valid date)"
    if numeric_date(field_value) is None or int(value) != numeric_date(field_value):
        shown = _xsd_datetime(value) or value
        return (f"the JWT claim {claim} ({value} = {shown}) disagrees with the credential's "
                f"{name} ({_show(field_value)})")
    return None


def check_claims(payload: dict, credential: dict, *, vc_claim: bool = False,
                 required: tuple[str, ...] = OB_REQUIRED_CLAIMS) -> list[str]:
    """OB 3.0 §8.2.6 / VC DM 1.1 §6.3.1: the registered claims must agree with the credential.

    ``credential`` is the decoded credential (see :func:`decode_credential`); each reason names the
    claim and the field that disagree, e.g. ``the JWT claim iss ('did:a') disagrees with the
    credential's vc.issuer.id ('did:b')``. ``required`` claims must be present: ``iss`` and ``jti``
    for an Open Badge (§8.2.4), none for other credentials (a status list). ``sub``, ``nbf`` and
    ``exp`` may be absent: the published OB 3.0 examples omit ``nbf``, the 1EdTech validator's
    fixtures omit ``sub``, and ``sub`` cannot exist for an identifier-only subject.
    """
    problems = [f"the JWT has no {claim} claim (Open Badges 3.0 §8.2.4 requires it)"
                for claim in required if claim not in payload]
    prefix = "vc." if vc_claim else ""
    for claim, field in claim_fields(vc_claim):
        if claim not in payload:
            continue
        name, value = _field_value(credential, field)
        if claim in ("nbf", "exp"):
            problem = _date_problem(claim, payload[claim], prefix + name, value)
            if problem:
                problems.append(problem)
        elif payload[claim] != value:
            problems.append(f"the JWT claim {claim} ({_show(payload[claim])}) disagrees with the credential's "
                            f"{prefix}{name} ({_show(value)})")
    return problems
