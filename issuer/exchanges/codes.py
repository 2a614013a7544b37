"""The secrets of a claim offer, derived from one random claim token.

The claim page URL carries a random token (256 bits). Every other secret of the offer is an HMAC
of it under a key derived from the service's master key, so the database stores only SHA-256
hashes (a copy of the database cannot claim anything) while the claim page can still show every
link:

* ``exchange_id`` = HMAC(token, "exchange"): names the VC-API exchange, the interaction URL and
  the OID4VCI ``credential_offer_uri``;
* ``pre_authorized_code`` = HMAC(exchange_id, "pre-authorized_code") (OID4VCI §4.1.1);
* ``challenge`` = HMAC(exchange_id, "challenge"): the DIDAuth challenge of the VC-API exchange and
  of the LCW deep link;
* ``pin_tag`` = HMAC(exchange_id, PIN hash), only for an offer with a PIN (``tx_code``): the VC API
  links of such an offer name the exchange as ``<exchange_id>.<pin_tag>``. VC API wallets have no
  way to send a PIN, so the claim page shows these links only after the learner typed the PIN there;
  the bare exchange id (which the OpenID credential offer shows) opens nothing without the PIN.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

__all__ = ["new_claim_token", "digest", "OfferSecrets", "derive", "hash_tx_code", "new_tx_code", "new_opaque",
           "pin_tag"]


def _b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def new_claim_token() -> str:
    """A fresh claim token: 32 random bytes, base64url (43 characters)."""
    return secrets.token_urlsafe(32)


def new_opaque() -> str:
    """An opaque bearer value (access tokens, nonces): 32 random bytes, base64url."""
    return secrets.token_urlsafe(32)


def digest(value: str) -> str:
    """SHA-256 hex of a secret, the only form in which it is stored."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def _key(master: str) -> bytes:
    return hmac.new(master.encode("utf-8"), b"issuer/exchanges/v1", hashlib.sha256).digest()


def _mac(master: str, value: str, label: str) -> str:
    return _b64u(hmac.new(_key(master), f"{label}:{value}".encode("utf-8"), hashlib.sha256).digest())


class OfferSecrets:
    """The derived secrets of one offer (see the module docstring)."""

    def __init__(self, exchange_id: str, master: str):
        self.exchange_id = exchange_id
        self.pre_authorized_code = _mac(master, exchange_id, "pre-authorized_code")
        self.challenge = _mac(master, exchange_id, "challenge")


def derive(master: str, *, claim_token: str | None = None, exchange_id: str | None = None) -> OfferSecrets:
    """The offer's secrets from its claim token, or from its exchange id."""
    if exchange_id is None:
        if not claim_token:
            raise ValueError("pass claim_token or exchange_id")
        exchange_id = _mac(master, claim_token, "exchange")
    return OfferSecrets(exchange_id, master)


def new_tx_code(length: int = 6) -> str:
    """A numeric OID4VCI ``tx_code`` (PIN) of ``length`` digits."""
    return "".join(secrets.choice("0123456789") for _ in range(length))


def hash_tx_code(master: str, offer_id: str, tx_code: str) -> str:
    """HMAC of the PIN, bound to the offer (a 6-digit PIN hashed alone would be trivial to invert)."""
    return hmac.new(_key(master), f"tx_code:{offer_id}:{tx_code}".encode("utf-8"), hashlib.sha256).hexdigest()


def pin_tag(master: str, exchange_id: str, tx_code_hash: str) -> str:
    """The tag that opens the VC API exchange of an offer with a PIN (see the module docstring).

    It is derived from the stored PIN hash, so the service can check it without the PIN, while a
    copy of the database (without the master key) cannot make it."""
    return _mac(master, f"{exchange_id}:{tx_code_hash}", "vcapi-pin")
