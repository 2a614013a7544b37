"""Purge of expired rows that anyone can make the service write: OID4VCI ``c_nonce`` values (one
per call of the public nonce endpoint) and OAuth 2.0 access tokens (one per token request). A
periodic function of every job runner (``issuer worker`` and the in-process runner of
``issuer serve``; :mod:`.periodic`), every :data:`EVERY_SECONDS`.

A new nonce also purges expired ones on the way (:func:`issuer.store.offers.add_nonce`), so this
matters when the nonce endpoint falls quiet; for tokens it is the only purge. Deleting is
idempotent, so several runners may run it at once. With the ``wallet`` rate limit (per client
address, :mod:`issuer.api.limits`) the nonce rows at any time are at most about the limit times
``OID4VCI_NONCE_TTL`` per address.
"""
from __future__ import annotations

from datetime import datetime

from ..store import clients, offers
from . import periodic

__all__ = ["EVERY_SECONDS", "purge_expired", "PURGE"]

EVERY_SECONDS = 300.0


def purge_expired(service, now: datetime) -> dict[str, int]:
    """Delete the nonces expired at ``now`` (aware UTC) and the access tokens that have certainly
    expired (:func:`issuer.store.clients.purge_tokens`); ``{"nonces", "oauthTokens"}`` deleted."""
    with service.session(write=True) as session:
        counts = {"nonces": offers.purge_nonces(session, now), "oauthTokens": clients.purge_tokens(session, now)}
        session.commit()
    return counts


PURGE = periodic.register("expired-rows", EVERY_SECONDS, purge_expired)
