"""The event outbox: record what happened, in the transaction that made it happen.

Transactional outbox (https://microservices.io/patterns/data/transactional-outbox.html): the event
row and one delivery row per subscribed, enabled webhook endpoint are added to the caller's
session. They commit with the credential change or not at all, so a crash after the commit loses
no event and a rolled-back transaction sends none. :mod:`issuer.notify.dispatch` sends them later.

Event types (issue #12 §3): see :data:`EVENT_TYPES`. ``data`` carries the object's id
(``credentialId`` or ``batchId``) and a few public facts; never personal data.
"""
from __future__ import annotations

import uuid
from datetime import datetime
from typing import Callable

from ..store import notify as store
from ..store.notify_models import Event, WebhookDelivery

__all__ = ["EVENT_TYPES", "record_event", "new_event_id", "new_delivery_id"]

EVENT_TYPES = ("credential.issued", "credential.revoked", "credential.suspended", "credential.unsuspended",
               "credential.claimed", "batch.completed")


def new_event_id() -> str:
    """A fresh event id: ``evt_`` + 32 hex digits (a random UUID)."""
    return "evt_" + uuid.uuid4().hex


def new_delivery_id() -> str:
    """A fresh delivery id, used as the Standard Webhooks ``webhook-id``: ``msg_`` + 32 hex digits."""
    return "msg_" + uuid.uuid4().hex


def record_event(session, *, provider_id: int, type: str, data: dict, now: datetime,  # noqa: A002 - the spec's name
                 new_id: Callable[[], str] = new_event_id) -> Event:
    """Add an event of ``type`` (one of :data:`EVENT_TYPES`) with JSON ``data`` for ``provider_id``
    at ``now`` (aware UTC) to ``session``, and one pending delivery (due at ``now``) per enabled
    endpoint of the provider subscribed to that type (endpoints are read once per transaction). The
    rows are added, not flushed: they are written with the caller's next flush or commit (or roll
    back with it).

    Raises ``ValueError`` for an unknown type (a programming error)."""
    if type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {type!r}")
    event = Event(id=new_id(), provider_id=provider_id, type=type, data=dict(data), created_at=now)
    deliveries = [WebhookDelivery(id=new_delivery_id(), event_id=event.id, endpoint_id=endpoint_id,
                                  provider_id=provider_id, state="pending", attempts=0, next_attempt_at=now,
                                  created_at=now)
                  for endpoint_id in _subscribed(session, provider_id, type)]
    store.stage(session, event, *deliveries)
    return event


def _subscribed(session, provider_id: int, event_type: str) -> list[str]:
    """The ids of the provider's endpoints for ``event_type``, read once per transaction (a batch
    chunk records many events in one): cached in ``session.info`` against the current transaction."""
    transaction = session.get_transaction()
    cache = session.info.get("notify_endpoints")
    if cache is None or cache[0] is not transaction:
        cache = (transaction, {})
        session.info["notify_endpoints"] = cache
    key = (provider_id, event_type)
    if key not in cache[1]:
        cache[1][key] = store.subscribed_endpoints(session, provider_id, event_type)
    return cache[1][key]
