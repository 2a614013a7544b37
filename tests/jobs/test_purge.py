"""The periodic purge deletes expired nonces and OAuth access tokens (:mod:`issuer.jobs.purge`):
rows anyone can make the service write do not pile up."""
from __future__ import annotations

import time
from datetime import timedelta

from sqlalchemy import func, select

import issuer.jobs  # noqa: F401 - registers the runners, as every runner's import does
from issuer.jobs import purge
from issuer.jobs.periodic import Ticker, registered
from issuer.store import offers
from issuer.store.models import ExchangeNonce, OAuthToken


def _count(service, model) -> int:
    with service.session() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_the_purge_is_registered(service):
    entries = {e.name: e for e in registered()}
    assert entries["expired-rows"].interval(service.config) == purge.EVERY_SECONDS


def test_expired_nonces_and_tokens_are_deleted(client, auth, service):
    made = client.post("/api/v1/oauth/clients", json={"name": "c", "scope": "credentials:read"}, headers=auth)
    grant = {"grant_type": "client_credentials", "client_id": made.get_json()["clientId"],
             "client_secret": made.get_json()["clientSecret"]}
    old_token = client.post("/oauth/token", data=grant).get_json()["access_token"]
    new_token = client.post("/oauth/token", data=grant).get_json()["access_token"]
    for _ in range(3):
        assert client.post("/oid4vci/nonce").status_code == 200
    now = service.clock()
    with service.session(write=True) as session:  # one token from two days ago, two nonces long expired
        session.execute(OAuthToken.__table__.update().where(OAuthToken.id == session.scalar(
            select(func.min(OAuthToken.id)))).values(issued_at=now - timedelta(days=2)))
        for value in ("expired-1", "expired-2"):
            session.add(ExchangeNonce(value=value, expires_at=now - timedelta(minutes=1)))
        session.commit()
    assert _count(service, ExchangeNonce) == 5 and _count(service, OAuthToken) == 2

    assert "expired-rows" in Ticker(service).run_due(time.monotonic())
    assert _count(service, ExchangeNonce) == 3 and _count(service, OAuthToken) == 1
    api = {"Authorization": f"Bearer {new_token}"}
    assert client.get("/api/v1/credentials", headers=api).status_code == 200  # a live token stays
    assert client.get("/api/v1/credentials", headers={"Authorization": f"Bearer {old_token}"}).status_code == 401

    later = now + service.config["OID4VCI_NONCE_TTL"] * timedelta(seconds=1) + timedelta(days=1, seconds=1)
    assert purge.purge_expired(service, later) == {"nonces": 3, "oauthTokens": 1}
    assert _count(service, ExchangeNonce) == 0 and _count(service, OAuthToken) == 0


def test_a_new_nonce_purges_expired_ones(service):
    now = service.clock()
    with service.session(write=True) as session:
        offers.add_nonce(session, "old", now + timedelta(seconds=1), now)
        offers.add_nonce(session, "new", now + timedelta(minutes=5), now + timedelta(seconds=2))
        session.commit()
        assert session.scalars(select(ExchangeNonce.value)).all() == ["new"]
