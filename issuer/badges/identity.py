"""The learner's e-mail identity in a credential: the OB 3.0 ``IdentityObject`` and its hash.

Open Badges 3.0 §B.1.12 IdentityObject (https://www.imsglobal.org/spec/ob/v3p0/#identityobject):
``identityHash`` is ``"sha256$" + hex(SHA-256(identity || salt))`` when ``hashed`` is true, else the
plain identity. E-mail addresses are normalised first (trim, lower-case). The one place that
computes or checks this hash: issuance builds it, verification ("does this holder own the
credential?") checks it.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets

__all__ = ["normalize_email", "email_hash", "identity_object", "identity_matches"]


def normalize_email(email: str) -> str:
    """E-mail normalisation before hashing (documented: trim, lower-case)."""
    return email.strip().lower()


def email_hash(email: str, salt: str) -> str:
    """``"sha256$<64 hex digits>"`` for ``email`` (normalised) followed by ``salt``."""
    return "sha256$" + hashlib.sha256((normalize_email(email) + salt).encode("utf-8")).hexdigest()


def identity_object(email: str, salt: str | None = None) -> dict:
    """OB 3.0 ``IdentityObject`` with ``identityHash`` = ``sha256$`` hex(SHA-256(email || salt)).

    ``salt`` defaults to 16 random bytes in hex (a fresh salt per credential).
    """
    salt = salt if salt is not None else secrets.token_hex(16)
    return {"type": "IdentityObject", "identityHash": email_hash(email, salt), "identityType": "emailAddress",
            "hashed": True, "salt": salt}


def identity_matches(identity, email: str) -> bool:
    """True when ``identity`` (an ``IdentityObject`` read from a credential, untrusted) names ``email``.

    Only ``identityType: "emailAddress"`` identities count; a hashed one must use ``sha256$`` (the
    hex digest is compared case-insensitively), a plain one is compared after normalisation.
    """
    if not isinstance(identity, dict) or identity.get("identityType") != "emailAddress":
        return False
    value = identity.get("identityHash", "")
    if not isinstance(value, str):
        return False
    if identity.get("hashed"):
        salt = identity.get("salt", "")
        if not value.startswith("sha256$") or not isinstance(salt, str):
            return False
        return hmac.compare_digest(email_hash(email, salt), "sha256$" + value[7:].lower())
    return value.strip().lower() == normalize_email(email)
