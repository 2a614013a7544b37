"""Recognising and parsing what was submitted for verification (the ``parsing`` check).

Accepted inputs (Open Badges 3.0 §5 "Document Formats", §5.3 "Baked Badge"; VC-JOSE-COSE §3.1.2
``EnvelopedVerifiableCredential``):

* a credential as a ``dict`` or as JSON text/bytes (embedded proof, "json-ld");
* a compact JWS as text/bytes ("jwt"), or a JSON ``EnvelopedVerifiableCredential`` whose ``id`` is
  ``data:application/vc+jwt,<compact JWS>``;
* a baked PNG or SVG image ("png"/"svg"), sniffed from its bytes, holding either of the above.
  Images are read strictly: the whole PNG is checked up to IEND, and a second credential chunk or
  element, or a compressed ``iTXt`` (OB 3.0 §5.3.1 "Compression MUST NOT be used"), is refused, so
  no two readers can disagree on which credential an image holds.

Everything is capped before it is decoded (catalog DI-22, JWT-10, JWT-15, IMG-01..06) and every
failure is an :class:`InputError`, never another exception.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from ..delivery.baking import BakingError, PNG_SIGNATURE, unbake
from ..intake.strict_json import JsonError, strict_loads
from ..signing.jwt_verify import JwsError, UnverifiedJws, carried_credential, decode_credential, parse_unverified
from .limits import LimitExceeded, StructureLimits, check_structure

__all__ = ["InputError", "ParsedInput", "parse_input", "ENVELOPE_PREFIX"]

ENVELOPE_PREFIX = "data:application/vc+jwt,"
_COMPACT_JWS = re.compile(r"[A-Za-z0-9_=-]*\.[A-Za-z0-9_=.+/-]*")
_UTF8_BOM = b"\xef\xbb\xbf"


class InputError(ValueError):
    """The input cannot be read as a credential (``PARSING_ERROR``)."""

    code = "PARSING_ERROR"

    def __init__(self, message: str, *, fmt: str | None = None, detail: dict | None = None) -> None:
        super().__init__(message)
        self.format = fmt
        self.detail = detail


@dataclass(frozen=True)
class ParsedInput:
    """A parsed submission. ``credential`` is the VC (for a JWT: the payload without JWT claims, or
    the ``vc`` claim of a VC 1.1 JWT, completed from the registered claims as VC DM 1.1 §6.3.1
    decodes it); ``jws`` is set for JWT-secured credentials; ``from_claims`` maps each credential
    field taken from a JWT claim to that claim (e.g. ``{"issuanceDate": "nbf"}``); ``as_secured`` is
    the credential exactly as the JWT carries it (what an embedded proof inside the JWT signed)."""

    format: str
    credential: dict
    jws: UnverifiedJws | None = None
    vc_claim: bool = False
    from_claims: dict = field(default_factory=dict)
    as_secured: dict | None = None


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_depth: int
    max_image_bytes: int


def parse_input(subject, *, max_bytes: int, max_depth: int, max_image_bytes: int,
                structure: StructureLimits | None = None) -> ParsedInput:
    """Detect the kind of ``subject`` and parse it; raise :class:`InputError` if it is unusable.

    With ``structure``, the credential must also keep the structural limits of
    :mod:`issuer.verify.limits` (the error's ``detail`` then names the limit).
    """
    limits = Limits(max_bytes, max_depth, max_image_bytes)
    parsed = _parse(subject, limits)
    if structure is not None:
        try:
            check_structure(parsed.credential, structure)
        except LimitExceeded as exc:
            raise InputError(str(exc), fmt=parsed.format, detail=exc.detail) from None
    return parsed


def _parse(subject, limits: Limits) -> ParsedInput:
    if isinstance(subject, dict):
        check_json_value(subject, limits)
        return _from_object(subject, "json-ld", limits)
    if isinstance(subject, (bytes, bytearray, memoryview)):
        return _from_bytes(bytes(subject[:max(limits.max_bytes, limits.max_image_bytes) + 1]), limits)
    if isinstance(subject, str):
        return _from_text(subject, None, limits)
    raise InputError(f"cannot verify a {type(subject).__name__}: submit JSON, a JWT or a baked image")


def _too_deep(limits: Limits, fmt: str | None) -> InputError:
    exc = LimitExceeded("VERIFY_MAX_DEPTH", limits.max_depth, limits.max_depth + 1, "", "levels of nesting")
    message = str(exc).replace(f"found {limits.max_depth + 1}", f"found more than {limits.max_depth}")
    return InputError(message, fmt=fmt, detail=exc.detail)


# --- bytes and text ------------------------------------------------------------------------------


def _is_xml(data: bytes) -> bool:
    return data.removeprefix(_UTF8_BOM).lstrip()[:1] == b"<"


def _from_bytes(data: bytes, limits: Limits) -> ParsedInput:
    fmt = "png" if data[:8] == PNG_SIGNATURE else "svg" if _is_xml(data[:1024]) else None
    if fmt is None:
        if len(data) > limits.max_bytes:
            raise InputError(f"input is larger than the verifier's limit VERIFY_MAX_BYTES ({limits.max_bytes} bytes)",
                             detail={"limit": "VERIFY_MAX_BYTES", "max": limits.max_bytes})
        try:
            return _from_text(data.decode("utf-8"), None, limits)
        except UnicodeDecodeError:
            raise InputError("input is not UTF-8 text, PNG or SVG") from None
    if len(data) > limits.max_image_bytes:
        raise InputError(f"image is larger than the verifier's limit VERIFY_MAX_IMAGE_BYTES "
                         f"({limits.max_image_bytes} bytes)", fmt=fmt,
                         detail={"limit": "VERIFY_MAX_IMAGE_BYTES", "max": limits.max_image_bytes})
    try:
        text = unbake(data, max_bytes=limits.max_image_bytes, strict=True)
    except BakingError as exc:
        raise InputError(f"cannot read the baked {fmt.upper()} image: {exc}", fmt=fmt) from None
    if text is None:
        raise InputError(f"the {fmt.upper()} image holds no Open Badges credential", fmt=fmt)
    return _from_text(text, fmt, limits)


def _from_text(text: str, fmt: str | None, limits: Limits) -> ParsedInput:
    if len(text) > limits.max_bytes or len(text.encode("utf-8", "surrogatepass")) > limits.max_bytes:
        raise InputError(f"input is larger than the verifier's limit VERIFY_MAX_BYTES ({limits.max_bytes} bytes)",
                         fmt=fmt, detail={"limit": "VERIFY_MAX_BYTES", "max": limits.max_bytes})
    stripped = text.strip().removeprefix("\ufeff").strip()
    if stripped[:1] in ("{", "[", '"'):
        try:
            value = strict_loads(stripped, max_depth=limits.max_depth)
        except JsonError as exc:
            if "nesting deeper" in str(exc):
                raise _too_deep(limits, fmt) from None
            raise InputError(f"not acceptable JSON: {exc}", fmt=fmt) from None
        if not isinstance(value, dict):
            raise InputError("the JSON is not an object (a credential must be a JSON object)", fmt=fmt)
        return _from_object(value, fmt or "json-ld", limits)
    if _COMPACT_JWS.fullmatch(stripped):
        return _from_jws(stripped, fmt or "jwt", limits)
    raise InputError("input is neither a JSON credential nor a compact JWS", fmt=fmt)


# --- JSON objects and JWTs -----------------------------------------------------------------------


def _is_envelope(obj: dict) -> bool:
    types = obj.get("type")
    types = types if isinstance(types, list) else [types]
    return "EnvelopedVerifiableCredential" in types


def _from_object(obj: dict, fmt: str, limits: Limits) -> ParsedInput:
    if not _is_envelope(obj):
        return ParsedInput(fmt, obj)
    data_url = obj.get("id")
    if not isinstance(data_url, str) or not data_url.startswith(ENVELOPE_PREFIX):
        raise InputError(f"EnvelopedVerifiableCredential id must start with {ENVELOPE_PREFIX!r}", fmt=fmt)
    return _from_jws(data_url[len(ENVELOPE_PREFIX):], "jwt" if fmt == "json-ld" else fmt, limits)


def _from_jws(token: str, fmt: str, limits: Limits) -> ParsedInput:
    try:
        jws = parse_unverified(token, max_bytes=limits.max_bytes, max_depth=limits.max_depth)
    except JwsError as exc:
        raise InputError(str(exc), fmt=fmt) from None
    payload = jws.payload
    if "vc" in payload:
        if not isinstance(payload["vc"], dict):
            raise InputError("the JWT vc claim is not a JSON object", fmt=fmt)
        if "@context" in payload:
            raise InputError("the JWT has both a vc claim (VC 1.1) and a top-level credential (VC 2.0)", fmt=fmt)
    vc_claim = "vc" in payload
    credential, from_claims = decode_credential(payload, vc_claim=vc_claim)
    return ParsedInput(fmt, credential, jws, vc_claim=vc_claim, from_claims=from_claims,
                       as_secured=carried_credential(payload, vc_claim=vc_claim))


# --- dict input ----------------------------------------------------------------------------------


def check_json_value(value, limits: Limits) -> None:
    """Check a Python value is plain JSON within the size and depth caps (iteratively, no recursion)."""
    budget = limits.max_bytes
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limits.max_depth:
            raise _too_deep(limits, None)
        budget -= 2
        if isinstance(node, dict):
            for key, item in node.items():
                if not isinstance(key, str):
                    raise InputError("JSON object keys must be strings")
                budget -= len(key) + 4
                stack.append((item, depth + 1))
        elif isinstance(node, list):
            stack.extend((item, depth + 1) for item in node)
        elif isinstance(node, str):
            budget -= len(node)
        elif isinstance(node, float) and not math.isfinite(node):
            raise InputError("NaN and Infinity are not valid JSON")
        elif node is not None and not isinstance(node, (bool, int, float)):
            raise InputError(f"{type(node).__name__} is not a JSON value")
        if budget < 0:
            raise InputError(f"input is larger than the verifier's limit VERIFY_MAX_BYTES ({limits.max_bytes} bytes)",
                             detail={"limit": "VERIFY_MAX_BYTES", "max": limits.max_bytes})
