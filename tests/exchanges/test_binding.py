"""Holder binding and the one-claim rule: the pure copy, the database constraint, a race, and the
migration that adds the tables (run on SQLite, and on PostgreSQL when ISSUER_TEST_DATABASE_URL is set)."""
from __future__ import annotations

import threading
from datetime import datetime, timezone

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError

from issuer.exchanges.binding import bound_document
from issuer.store.migrations import alembic_config
from issuer.store.models import CredentialClaim
from tests.exchanges.conftest import path_of
from tests.exchanges.holder import Holder


def test_bound_copy_names_the_holder_and_keeps_the_record():
    signed = {"@context": ["x"], "id": "urn:uuid:1", "credentialStatus": {"id": "s#1"},
              "credentialSubject": {"type": ["AchievementSubject"], "identifier": [{"salt": "a"}],
                                    "achievement": {"name": "A"}}, "proof": [{"type": "DataIntegrityProof"}]}
    copy = bound_document(signed, "did:key:z6Mkholder")
    assert "proof" not in copy and copy["id"] == "urn:uuid:1" and copy["credentialStatus"] == {"id": "s#1"}
    assert list(copy["credentialSubject"])[0] == "id" and copy["credentialSubject"]["id"] == "did:key:z6Mkholder"
    assert copy["credentialSubject"]["identifier"] == [{"salt": "a"}]
    assert "id" not in signed["credentialSubject"]  # the stored record is untouched
    with pytest.raises(ValueError):
        bound_document({"credentialSubject": [{}, {}]}, "did:key:z")


def test_database_allows_one_claim_per_credential(service, issue_with_offer):
    issued = issue_with_offer()
    now = datetime.now(timezone.utc)
    with service.session(write=True) as session:
        from sqlalchemy import select
        from issuer.store.models import CredentialOffer
        offer_id = session.scalar(select(CredentialOffer.id).where(CredentialOffer.credential_id == issued["id"]))
        for did in ("did:key:z6Mkone", "did:key:z6Mktwo"):
            session.add(CredentialClaim(credential_id=issued["id"], offer_id=offer_id, holder_did=did,
                                        protocol="vcapi", formats=["ldp_vc"], claimed_at=now, document="{}", jwt=""))
        with pytest.raises(IntegrityError):
            session.commit()


def test_two_wallets_racing_for_one_credential(app, issue_with_offer):
    offer = issue_with_offer()["offer"]
    path = path_of(offer["vcapi"])
    request = app.test_client().post(path, json={}).get_json()["verifiablePresentationRequest"]
    holders = [Holder(), Holder()]
    bodies = [{"verifiablePresentation": h.did_auth(challenge=request["challenge"], domain=request["domain"])}
              for h in holders]
    statuses, barrier = [], threading.Barrier(2)

    def claim(body):
        client = app.test_client()
        barrier.wait()
        statuses.append(client.post(path, json=body).status_code)

    threads = [threading.Thread(target=claim, args=(b,)) for b in bodies]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(statuses) == [200, 409]


def test_migration_down_and_up_again(service):
    url = service.config["DATABASE_URL"]
    cfg = alembic_config(url)
    tables = lambda: set(inspect(service.engine).get_table_names())  # noqa: E731
    assert {"credential_offer", "credential_claim", "exchange_nonce"} <= tables()
    below = ScriptDirectory.from_config(cfg).get_revision("0004_wallets_offers").down_revision
    command.downgrade(cfg, below)
    service.close()
    assert not {"credential_offer", "credential_claim", "exchange_nonce"} & tables()
    command.upgrade(cfg, "head")
    service.close()
    assert {"credential_offer", "credential_claim", "exchange_nonce"} <= tables()
