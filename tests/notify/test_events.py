"""The event outbox (issue #12 §3): events and their deliveries are written in the caller's
transaction, for every path that changes a credential."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from issuer.notify.events import EVENT_TYPES, record_event
from issuer.store.models import Provider
from issuer.store.notify_models import Event, WebhookDelivery, WebhookEndpoint

NOW = datetime(2026, 5, 4, 10, 0, tzinfo=timezone.utc)


def _provider_id(service, slug: str) -> int:
    with service.session() as session:
        return session.scalar(select(Provider.id).where(Provider.slug == slug))


def _endpoint(service, provider_id: int, events, *, enabled=True, name="a") -> str:
    with service.session(write=True) as session:
        row = WebhookEndpoint(id=f"ep_{name}", provider_id=provider_id, url=f"https://hooks.example.org/{name}",
                              events=list(events), secret_sealed=b"x", enabled=enabled, created_at=NOW)
        session.add(row)
        session.commit()
        return row.id


def _events(service, provider_id: int, type_: str | None = None) -> list[Event]:
    with service.session() as session:
        query = select(Event).where(Event.provider_id == provider_id)
        if type_:
            query = query.where(Event.type == type_)
        return list(session.scalars(query.order_by(Event.created_at)))


def _deliveries(service, endpoint_id: str) -> list[WebhookDelivery]:
    with service.session() as session:
        return list(session.scalars(select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint_id)))


def test_issuing_records_the_event_and_one_delivery_per_subscribed_endpoint(service, demo, api):
    emob, bbz = _provider_id(service, "emob-academy"), _provider_id(service, "bbz-alpenvorland")
    issued = _endpoint(service, emob, ["credential.issued"], name="issued")
    revoked_only = _endpoint(service, emob, ["credential.revoked"], name="revoked")
    disabled = _endpoint(service, emob, ["credential.issued"], enabled=False, name="off")
    other = _endpoint(service, bbz, ["credential.issued"], name="other")
    body = api.issue()
    events = _events(service, emob, "credential.issued")
    assert [e.data for e in events] == [{"credentialId": body["id"], "course": "HV-2S"}]
    [delivery] = _deliveries(service, issued)
    assert delivery.event_id == events[0].id and delivery.state == "pending" and delivery.id.startswith("msg_")
    assert delivery.next_attempt_at is not None and delivery.attempts == 0
    assert _deliveries(service, revoked_only) == [] and _deliveries(service, disabled) == []
    assert _deliveries(service, other) == [] and _events(service, bbz) == []


def test_status_changes_record_events_and_repeats_do_not(service, demo, api, client):
    emob = _provider_id(service, "emob-academy")
    endpoint = _endpoint(service, emob, ["credential.revoked"], name="r")
    cid = api.issue()["id"]
    api.revoke(cid)
    api.revoke(cid)  # idempotent repeat: changed=false, no second event
    [event] = _events(service, emob, "credential.revoked")
    assert event.data == {"credentialId": cid, "status": "revoked"}
    assert len(_deliveries(service, endpoint)) == 1


def test_suspend_and_unsuspend_record_their_events(service, demo, api, client):
    headers = api.headers("bbz-alpenvorland")
    bbz = _provider_id(service, "bbz-alpenvorland")
    with service.session(write=True) as session:
        session.get(Provider, bbz).suspension_enabled = True
        session.commit()
    cid = api.issue("ADAS-CAL", provider="bbz-alpenvorland")["id"]
    assert client.post(f"/api/v1/credentials/{cid}/suspend", json={}, headers=headers).status_code == 200
    assert client.post(f"/api/v1/credentials/{cid}/unsuspend", json={}, headers=headers).status_code == 200
    types = [e.type for e in _events(service, bbz)]
    assert types == ["credential.issued", "credential.suspended", "credential.unsuspended"]


def test_a_rejected_request_records_nothing(service, demo, api):
    emob = _provider_id(service, "emob-academy")
    api.issue("NO-SUCH-COURSE", expect=404)
    api.issue(learner={"name": "x", "email": "not an address"}, expect=422)
    assert _events(service, emob) == []


def test_a_rolled_back_transaction_leaves_no_event_and_no_delivery(service, demo):
    emob = _provider_id(service, "emob-academy")
    endpoint = _endpoint(service, emob, ["batch.completed"], name="b")
    with service.session(write=True) as session:
        record_event(session, provider_id=emob, type="batch.completed", data={"batchId": "b1"}, now=NOW)
        assert session.scalar(select(Event).where(Event.provider_id == emob)) is not None  # flushed
        session.rollback()
    assert _events(service, emob) == [] and _deliveries(service, endpoint) == []
    with service.session(write=True) as session:
        record_event(session, provider_id=emob, type="batch.completed", data={"batchId": "b1"}, now=NOW)
        session.commit()
    assert [e.data for e in _events(service, emob)] == [{"batchId": "b1"}]
    assert len(_deliveries(service, endpoint)) == 1


def test_unknown_event_types_are_a_programming_error(service, demo):
    with service.session(write=True) as session, pytest.raises(ValueError):
        record_event(session, provider_id=1, type="credential.exploded", data={}, now=NOW)
    assert "credential.claimed" in EVENT_TYPES
