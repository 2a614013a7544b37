"""Database models of notifications: the event outbox, webhook endpoints and deliveries, and the
learner e-mail outbox.

Outbox pattern (https://microservices.io/patterns/data/transactional-outbox.html): an
:class:`Event` row and its :class:`WebhookDelivery` rows are written in the transaction that
changes the credential, so no event is lost when a process dies after the commit, and none is
sent for a transaction that rolled back. Deliveries are sent later by :mod:`issuer.notify.dispatch`.

Secrets at rest: a webhook endpoint's signing secret and an e-mail's recipient and claim link are
stored only encrypted (AES-256-GCM under a key derived from the master key, see
:class:`issuer.signing.keystore.SecretBox`); the e-mail's sealed envelope is erased once the SMTP
server accepted the message.
"""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .db import Base

__all__ = ["Event", "WebhookEndpoint", "WebhookDelivery", "WebhookAttempt", "EmailMessage"]


class Event(Base):
    """Something that happened to a provider's credential or batch (``credential.issued``, ...)."""

    __tablename__ = "notify_event"
    __table_args__ = (Index("ix_notify_event_provider_created", "provider_id", "created_at"),)
    id: Mapped[str] = mapped_column(String(40), primary_key=True)  # evt_<32 hex>
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"))
    type: Mapped[str] = mapped_column(String(40))
    data: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class WebhookEndpoint(Base):
    """A provider's webhook subscription. ``secret_sealed`` is the Standard Webhooks signing secret
    (``whsec_...``), encrypted; ``deleted_at`` set = deleted (the row stays for its delivery log)."""

    __tablename__ = "webhook_endpoint"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)  # ep_<32 hex>
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"), index=True)
    url: Mapped[str] = mapped_column(String(2048))
    events: Mapped[list] = mapped_column(JSON)
    secret_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    deleted_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))


class WebhookDelivery(Base):
    """One event for one endpoint: the Standard Webhooks message (``id`` is its ``webhook-id``,
    the same on every retry). ``state``: pending | delivered | failed | cancelled."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (Index("ix_webhook_delivery_due", "state", "next_attempt_at"),
                      Index("ix_webhook_delivery_endpoint", "endpoint_id", "created_at"))
    id: Mapped[str] = mapped_column(String(40), primary_key=True)  # msg_<32 hex>
    event_id: Mapped[str] = mapped_column(ForeignKey("notify_event.id"), index=True)
    endpoint_id: Mapped[str] = mapped_column(ForeignKey("webhook_endpoint.id"))
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"), index=True)
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    last_attempt_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    last_status: Mapped[Optional[int]] = mapped_column(Integer)
    delivered_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    event: Mapped[Event] = relationship()
    endpoint: Mapped[WebhookEndpoint] = relationship()


class WebhookAttempt(Base):
    """One HTTP attempt of a delivery: the answer's status code (or the error) and its first bytes."""

    __tablename__ = "webhook_attempt"
    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[str] = mapped_column(ForeignKey("webhook_delivery.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status_code: Mapped[Optional[int]] = mapped_column(Integer)
    error: Mapped[Optional[str]] = mapped_column(String(500))
    response: Mapped[Optional[str]] = mapped_column(Text)  # truncated answer body
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)


class EmailMessage(Base):
    """A learner e-mail waiting to be sent. ``sealed`` holds the recipient address and the private
    claim link, encrypted; it is set to NULL once the SMTP server accepted the message (or it failed
    for good). ``state``: pending | sent | failed."""

    __tablename__ = "email_outbox"
    __table_args__ = (Index("ix_email_outbox_due", "state", "next_attempt_at"),)
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"), index=True)
    credential_id: Mapped[str] = mapped_column(ForeignKey("credential.id"), index=True)
    language: Mapped[str] = mapped_column(String(8))
    sealed: Mapped[Optional[bytes]] = mapped_column(LargeBinary)
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[Optional[str]] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
