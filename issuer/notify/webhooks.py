"""Webhook endpoints and their messages (Standard Webhooks, https://www.standardwebhooks.com/,
spec: https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md).

A provider registers ``{"url", "events"}``; the endpoint gets a signing secret ``whsec_`` + base64
of 32 random bytes, shown once and stored sealed (:class:`issuer.signing.keystore.SecretBox`). A
message is the JSON ``{"type", "timestamp", "data"}`` signed with HMAC-SHA-256 over
``"<webhook-id>.<webhook-timestamp>.<body>"`` by the ``standardwebhooks`` library; the headers are
``webhook-id`` (the delivery id, the same on every retry), ``webhook-timestamp`` (Unix seconds of
the attempt) and ``webhook-signature`` (``v1,<base64>``).

URLs are checked at registration by the caller-supplied ``check_url`` (the SSRF guard of
:mod:`issuer.resolve.fetch`): https only, no private, loopback or otherwise non-public address,
unless the test-only setting ``ALLOW_PRIVATE_FETCH`` is on. They are checked again when sent.
"""
from __future__ import annotations

import base64
import json
import secrets
import uuid
from datetime import datetime
from typing import Callable

from standardwebhooks.webhooks import Webhook

from ..badges.timestamps import iso_z
from ..errors import Conflict, NotFound, ValidationFailed
from ..resolve.fetch import FetchError
from ..signing.keystore import SecretBox
from ..store import notify as store
from ..store.notify_models import Event, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from .events import EVENT_TYPES

__all__ = ["MAX_ENDPOINTS", "new_secret", "create_endpoint", "delete_endpoint", "get_endpoint", "endpoint_json",
           "delivery_json", "redeliver", "message", "payload"]

MAX_ENDPOINTS = 20          # per provider
MAX_URL_LENGTH = 2048
SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    """A fresh signing secret: ``whsec_`` + standard base64 of 32 random bytes (Standard Webhooks
    §Symmetric signatures: 24 to 64 bytes)."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def _parse(body) -> tuple[str, list[str]]:
    if not isinstance(body, dict):
        raise ValidationFailed("send {\"url\": \"https://...\", \"events\": [event types]}")
    unknown = sorted(set(body) - {"url", "events"})
    problems = [{"path": f"/{k}", "message": "unknown member"} for k in unknown]
    url, events = body.get("url"), body.get("events")
    if not isinstance(url, str) or not url or len(url) > MAX_URL_LENGTH:
        problems.append({"path": "/url", "message": f"an https URL of at most {MAX_URL_LENGTH} characters"})
    if not isinstance(events, list) or not events or not all(isinstance(e, str) for e in events):
        problems.append({"path": "/events", "message": f"a non-empty list of: {', '.join(EVENT_TYPES)}"})
    else:
        problems += [{"path": f"/events/{i}", "message": f"unknown event type; known: {', '.join(EVENT_TYPES)}"}
                     for i, e in enumerate(events) if e not in EVENT_TYPES]
    if problems:
        raise ValidationFailed("the webhook registration has invalid values", errors=problems)
    return url, list(dict.fromkeys(events))


def create_endpoint(session, provider_id: int, body, *, box: SecretBox, now: datetime,
                    check_url: Callable[[str], str], new_id: Callable[[], str] | None = None
                    ) -> tuple[WebhookEndpoint, str]:
    """Register ``body`` (``{"url", "events"}``) for ``provider_id``; returns (endpoint, secret).
    The caller commits and shows the secret once.

    ``check_url(url)`` returns the normalized URL or raises :class:`FetchError` (the SSRF guard);
    a refused URL, an unknown event type or a malformed body raise ``ValidationFailed`` (422), more
    than :data:`MAX_ENDPOINTS` endpoints ``Conflict`` (409)."""
    url, events = _parse(body)
    try:
        url = check_url(url)
    except FetchError as exc:
        raise ValidationFailed(f"the webhook URL is refused: {exc.message}",
                               errors=[{"path": "/url", "message": exc.message, "code": exc.code}]) from None
    if len(store.endpoints_of(session, provider_id)) >= MAX_ENDPOINTS:
        raise Conflict(f"a provider can register at most {MAX_ENDPOINTS} webhook endpoints; delete one first")
    endpoint_id = (new_id or (lambda: "ep_" + uuid.uuid4().hex))()
    secret = new_secret()
    endpoint = WebhookEndpoint(id=endpoint_id, provider_id=provider_id, url=url, events=events,
                               secret_sealed=box.seal(secret.encode("ascii"), endpoint_id), enabled=True,
                               created_at=now)
    store.add(session, endpoint)
    return endpoint, secret


def get_endpoint(session, provider_id: int, endpoint_id: str) -> WebhookEndpoint:
    """The provider's endpoint; ``NotFound`` (404) for an unknown, deleted or foreign id."""
    endpoint = store.endpoint_of(session, provider_id, endpoint_id) if len(endpoint_id) <= 40 else None
    if endpoint is None:
        raise NotFound(f"webhook endpoint {endpoint_id!r} not found")
    return endpoint


def delete_endpoint(session, provider_id: int, endpoint_id: str, *, now: datetime) -> int:
    """Delete the endpoint (its delivery log stays readable to no one but the database) and cancel its
    pending deliveries; how many were cancelled. ``NotFound`` as :func:`get_endpoint`."""
    endpoint = get_endpoint(session, provider_id, endpoint_id)
    endpoint.deleted_at = now
    endpoint.enabled = False
    cancelled = store.cancel_pending(session, endpoint.id)
    session.flush()
    return cancelled


def endpoint_json(endpoint: WebhookEndpoint) -> dict:
    """The API view of an endpoint (never its secret)."""
    return {"id": endpoint.id, "url": endpoint.url, "events": list(endpoint.events), "enabled": endpoint.enabled,
            "createdAt": iso_z(endpoint.created_at)}


def delivery_json(delivery: WebhookDelivery, attempts: list[WebhookAttempt]) -> dict:
    """The delivery log entry: state, schedule and every attempt (status code or error, the answer's
    first bytes, duration)."""
    return {"id": delivery.id, "event": {"id": delivery.event.id, "type": delivery.event.type,
                                         "data": delivery.event.data},
            "state": delivery.state, "attempts": delivery.attempts,
            "nextAttemptAt": iso_z(delivery.next_attempt_at) if delivery.state == "pending" else None,
            "lastStatus": delivery.last_status, "deliveredAt": iso_z(delivery.delivered_at),
            "createdAt": iso_z(delivery.created_at),
            "log": [{"at": iso_z(a.at), "statusCode": a.status_code, "error": a.error, "response": a.response,
                     "durationMs": a.duration_ms} for a in attempts]}


def redeliver(session, provider_id: int, endpoint_id: str, delivery_id: str, *, now: datetime) -> WebhookDelivery:
    """Queue a delivery again, due at ``now``, with a fresh retry schedule (the log keeps the earlier
    attempts). ``NotFound`` (404) for an unknown or foreign endpoint or delivery."""
    endpoint = get_endpoint(session, provider_id, endpoint_id)
    delivery = store.delivery_of(session, endpoint.id, delivery_id, for_update=True) if len(delivery_id) <= 40 \
        else None
    if delivery is None:
        raise NotFound(f"delivery {delivery_id!r} not found for this endpoint")
    delivery.state = "pending"
    delivery.attempts = 0
    delivery.next_attempt_at = now
    session.flush()
    return delivery


def payload(event: Event) -> bytes:
    """The message body: compact JSON ``{"type", "timestamp", "data"}`` (``timestamp`` = when the
    event happened, RFC 3339 UTC)."""
    return json.dumps({"type": event.type, "timestamp": iso_z(event.created_at), "data": event.data},
                      separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def message(delivery_id: str, event: Event, secret: str, sent_at: datetime) -> tuple[bytes, dict[str, str]]:
    """The signed message for one attempt at ``sent_at`` (aware UTC): (body, headers)."""
    body = payload(event)
    signature = Webhook(secret).sign(msg_id=delivery_id, timestamp=sent_at, data=body.decode("utf-8"))
    return body, {"webhook-id": delivery_id, "webhook-timestamp": str(int(sent_at.timestamp())),
                  "webhook-signature": signature}
