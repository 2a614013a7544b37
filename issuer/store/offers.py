"""Storage of wallet pickup: claim offers, claims (one per credential) and OID4VCI nonces.

Queries only; the services in :mod:`issuer.exchanges` own the transactions (the caller commits).
Secrets are looked up by their SHA-256 hex digest (see :mod:`issuer.exchanges.codes`).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .models import CredentialClaim, CredentialOffer, ExchangeNonce

__all__ = ["SECRET_COLUMNS", "find_offer", "latest_offer", "claim_of", "revoke_open_offers", "add_offer",
           "add_claim", "add_nonce", "use_nonce", "purge_nonces"]

SECRET_COLUMNS = {"claim_token": CredentialOffer.claim_hash, "exchange_id": CredentialOffer.exchange_hash,
                  "code": CredentialOffer.code_hash, "access_token": CredentialOffer.access_token_hash}


def find_offer(session: Session, secret: str, digest: str, *, for_update: bool = False) -> CredentialOffer | None:
    """The offer whose ``secret`` (a key of :data:`SECRET_COLUMNS`) hashes to ``digest``; ``for_update``
    locks the row (PostgreSQL ``SELECT … FOR UPDATE``)."""
    query = select(CredentialOffer).where(SECRET_COLUMNS[secret] == digest)
    if for_update:
        query = query.with_for_update()
    return session.scalar(query)


def latest_offer(session: Session, credential_id: str) -> CredentialOffer | None:
    """The credential's most recent offer, whatever its state."""
    return session.scalar(select(CredentialOffer).where(CredentialOffer.credential_id == credential_id)
                          .order_by(CredentialOffer.created_at.desc()).limit(1))


def claim_of(session: Session, credential_id: str) -> CredentialClaim | None:
    """The credential's claim (its holder), if it was claimed."""
    return session.scalar(select(CredentialClaim).where(CredentialClaim.credential_id == credential_id))


def revoke_open_offers(session: Session, credential_id: str, now: datetime) -> int:
    """Withdraw the credential's open or locked offers (their access tokens too); how many."""
    result = session.execute(update(CredentialOffer)
                             .where(CredentialOffer.credential_id == credential_id,
                                    CredentialOffer.state.in_(("open", "locked")))
                             .values(state="revoked", revoked_at=now, access_token_hash=None))
    return result.rowcount or 0


def add_offer(session: Session, offer: CredentialOffer) -> None:
    """Store a new offer (flushed, so constraint violations surface here)."""
    session.add(offer)
    session.flush()


def add_claim(session: Session, claim: CredentialClaim) -> bool:
    """Store the claim; False (and nothing stored) when the credential already has one — the unique
    ``credential_claim.credential_id`` decides races between wallets."""
    try:
        with session.begin_nested():
            session.add(claim)
            session.flush()
    except IntegrityError:
        return False
    return True


def add_nonce(session: Session, value: str, expires_at: datetime, now: datetime) -> None:
    """Store a fresh ``c_nonce``; expired ones are purged on the way."""
    purge_nonces(session, now)
    session.add(ExchangeNonce(value=value, expires_at=expires_at))
    session.flush()


def purge_nonces(session: Session, now: datetime) -> int:
    """Delete the nonces expired at ``now`` (used or not: an expired one is refused either way);
    how many. Run on every new nonce and by the periodic purge (:mod:`issuer.jobs.purge`)."""
    return session.execute(delete(ExchangeNonce).where(ExchangeNonce.expires_at < now)).rowcount


def use_nonce(session: Session, value: str, now: datetime) -> bool:
    """Atomically mark an unused, unexpired nonce as used; False when there is no such nonce."""
    result = session.execute(update(ExchangeNonce)
                             .where(ExchangeNonce.value == value, ExchangeNonce.used_at.is_(None),
                                    ExchangeNonce.expires_at > now)
                             .values(used_at=now))
    return result.rowcount == 1
