"""Storage of notifications: events, webhook endpoints, deliveries and attempts, the e-mail outbox.

Queries only; :mod:`issuer.notify` owns the logic and the callers own the transactions. Picking
due work locks the rows with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so several workers never
take the same delivery (SQLite serializes writers: its writing sessions hold the database lock).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, joinedload

from .models import Credential
from .notify_models import EmailMessage, Event, WebhookAttempt, WebhookDelivery, WebhookEndpoint

__all__ = ["subscribed_endpoints", "add", "stage", "endpoints_of", "endpoint_of", "deliveries_of", "delivery_of", "delivery_by_id",
           "attempts_of", "claim_due_deliveries", "claim_due_emails", "cancel_pending", "count_events",
           "email_rows_of", "email_by_id", "credential_for_mail"]


def add(session: Session, *rows) -> None:
    """Add ``rows`` to the session and flush (constraint violations surface here)."""
    session.add_all(rows)
    session.flush()


def stage(session: Session, *rows) -> None:
    """Add ``rows`` to the session without flushing (the caller's flush or commit writes them, in
    one batch)."""
    session.add_all(rows)


def subscribed_endpoints(session: Session, provider_id: int, event_type: str) -> list[str]:
    """The ids of the provider's enabled, not deleted endpoints subscribed to ``event_type``, oldest
    first. Columns on the session's connection (no ORM objects, no autoflush: endpoints are other
    transactions' rows), since every recorded event asks."""
    rows = session.connection().execute(
        select(WebhookEndpoint.id, WebhookEndpoint.events)
        .where(WebhookEndpoint.provider_id == provider_id, WebhookEndpoint.enabled.is_(True),
               WebhookEndpoint.deleted_at.is_(None))
        .order_by(WebhookEndpoint.created_at, WebhookEndpoint.id)).all()
    return [row.id for row in rows if event_type in (row.events or [])]


def endpoints_of(session: Session, provider_id: int) -> list[WebhookEndpoint]:
    """The provider's endpoints that are not deleted, oldest first."""
    return list(session.scalars(select(WebhookEndpoint).where(WebhookEndpoint.provider_id == provider_id,
                                                              WebhookEndpoint.deleted_at.is_(None))
                                .order_by(WebhookEndpoint.created_at, WebhookEndpoint.id)))


def endpoint_of(session: Session, provider_id: int, endpoint_id: str) -> WebhookEndpoint | None:
    """The provider's endpoint ``endpoint_id`` (None when unknown, deleted or another provider's)."""
    return session.scalar(select(WebhookEndpoint).where(WebhookEndpoint.id == endpoint_id,
                                                        WebhookEndpoint.provider_id == provider_id,
                                                        WebhookEndpoint.deleted_at.is_(None)))


def deliveries_of(session: Session, endpoint_id: str, *, limit: int, before: datetime | None = None
                  ) -> list[WebhookDelivery]:
    """The endpoint's deliveries, newest first, at most ``limit`` (created before ``before``)."""
    query = select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint_id)
    if before is not None:
        query = query.where(WebhookDelivery.created_at < before)
    return list(session.scalars(query.order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc())
                                .limit(limit)))


def delivery_of(session: Session, endpoint_id: str, delivery_id: str, *, for_update: bool = False
                ) -> WebhookDelivery | None:
    """The endpoint's delivery ``delivery_id`` (row-locked with ``for_update``)."""
    query = select(WebhookDelivery).where(WebhookDelivery.id == delivery_id,
                                          WebhookDelivery.endpoint_id == endpoint_id)
    return session.scalar(query.with_for_update() if for_update else query)


def delivery_by_id(session: Session, delivery_id: str, *, for_update: bool = False) -> WebhookDelivery | None:
    """The delivery ``delivery_id`` whatever its endpoint (row-locked with ``for_update``)."""
    query = select(WebhookDelivery).where(WebhookDelivery.id == delivery_id)
    return session.scalar(query.with_for_update() if for_update else query)


def attempts_of(session: Session, delivery_ids: list[str]) -> dict[str, list[WebhookAttempt]]:
    """Delivery id -> its attempts, oldest first."""
    out: dict[str, list[WebhookAttempt]] = {i: [] for i in delivery_ids}
    if delivery_ids:
        for row in session.scalars(select(WebhookAttempt).where(WebhookAttempt.delivery_id.in_(delivery_ids))
                                   .order_by(WebhookAttempt.at, WebhookAttempt.id)):
            out[row.delivery_id].append(row)
    return out


def claim_due_deliveries(session: Session, now: datetime, *, limit: int, lease_until: datetime
                         ) -> list[WebhookDelivery]:
    """Lock up to ``limit`` pending deliveries due at ``now`` (oldest first; rows locked by another
    worker are skipped) and push their ``next_attempt_at`` to ``lease_until``: a worker that dies
    while sending leaves them due again after the lease. The caller commits at once."""
    return _claim_due(session, WebhookDelivery, now, limit=limit, lease_until=lease_until)


def claim_due_emails(session: Session, now: datetime, *, limit: int, lease_until: datetime) -> list[EmailMessage]:
    """As :func:`claim_due_deliveries`, for the e-mail outbox."""
    return _claim_due(session, EmailMessage, now, limit=limit, lease_until=lease_until)


def _claim_due(session: Session, model, now: datetime, *, limit: int, lease_until: datetime) -> list:
    rows = list(session.scalars(select(model)
                                .where(model.state == "pending", model.next_attempt_at <= now)
                                .order_by(model.next_attempt_at, model.id)
                                .limit(limit).with_for_update(skip_locked=True)))
    for row in rows:
        row.next_attempt_at = lease_until
    session.flush()
    return rows


def cancel_pending(session: Session, endpoint_id: str) -> int:
    """Cancel the endpoint's pending deliveries (it was deleted); how many."""
    result = session.execute(update(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint_id,
                                                           WebhookDelivery.state == "pending")
                             .values(state="cancelled", next_attempt_at=None))
    return result.rowcount or 0


def count_events(session: Session, provider_id: int, event_type: str | None = None) -> int:
    """How many events the provider has (of ``event_type``)."""
    query = select(func.count()).select_from(Event).where(Event.provider_id == provider_id)
    if event_type:
        query = query.where(Event.type == event_type)
    return session.scalar(query) or 0


def email_by_id(session: Session, row_id: str, *, for_update: bool = False) -> EmailMessage | None:
    """The e-mail outbox row ``row_id`` (row-locked with ``for_update``)."""
    query = select(EmailMessage).where(EmailMessage.id == row_id)
    return session.scalar(query.with_for_update() if for_update else query)


def credential_for_mail(session: Session, credential_id: str) -> Credential | None:
    """The credential with its course and issuer loaded (what a learner e-mail names)."""
    return session.scalar(select(Credential).where(Credential.id == credential_id)
                          .options(joinedload(Credential.course), joinedload(Credential.issuer)))


def email_rows_of(session: Session, credential_id: str) -> list[EmailMessage]:
    """The e-mail outbox rows of a credential, oldest first."""
    return list(session.scalars(select(EmailMessage).where(EmailMessage.credential_id == credential_id)
                                .order_by(EmailMessage.created_at, EmailMessage.id)))
