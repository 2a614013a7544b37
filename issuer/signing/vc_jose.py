"""VC-JWT as profiled by Open Badges 3.0, section 8.2 (JSON Web Token Proof Format).

https://www.imsglobal.org/spec/ob/v3p0/#jwt-proof — the payload is the credential (VC 2.0, no
``vc`` wrapper) plus ``iss``, ``jti``, ``nbf``, ``sub`` (when the subject has an ``id``) and
``exp`` (when ``validUntil`` is present). The JOSE header holds only ``alg``, ``kid`` and ``typ``
("Additional JOSE Headers are NOT allowed").
"""
from __future__ import annotations

import json
from datetime import datetime

import jwt

from ..badges.read import subject_of

__all__ = ["sign_vc_jwt", "registered_claims", "ALLOWED_ALGORITHMS"]

ALLOWED_ALGORITHMS = ("ES256", "RS256", "EdDSA")


def _numeric_date(value: str) -> int:
    return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp())


def registered_claims(credential: dict) -> dict:
    """The JWT claims OB 3.0 §8.2.4 maps from the credential: ``iss``, ``jti``, ``nbf`` (and ``exp``,
    ``sub`` when ``validUntil`` / the first ``credentialSubject.id`` are present)."""
    issuer = credential["issuer"]
    claims = {"iss": issuer["id"] if isinstance(issuer, dict) else issuer, "jti": credential["id"],
              "nbf": _numeric_date(credential["validFrom"])}
    subject_id = subject_of(credential).get("id")
    if subject_id:
        claims["sub"] = subject_id
    if credential.get("validUntil"):
        claims["exp"] = _numeric_date(credential["validUntil"])
    return claims


def sign_vc_jwt(credential: dict, private_key, *, alg: str, kid: str) -> str:
    """A compact VC-JWT (OB 3.0 §8.2, VC-JOSE-COSE): the credential as payload plus its registered
    claims, header ``alg``/``kid``/``typ``. Raises ``ValueError`` for an ``alg`` outside
    :data:`ALLOWED_ALGORITHMS`."""
    if alg not in ALLOWED_ALGORITHMS:
        raise ValueError(f"algorithm {alg!r} is not allowed")
    payload = {k: v for k, v in credential.items() if k != "proof"}
    payload.update(registered_claims(credential))
    return jwt.encode(payload, private_key, algorithm=alg, headers={"kid": kid, "typ": "JWT"},
                      json_encoder=_CompactEncoder)


class _CompactEncoder(json.JSONEncoder):
    def __init__(self, *args, **kwargs):
        kwargs["ensure_ascii"] = False
        super().__init__(*args, **kwargs)
