"""Webhook API (``/api/v1/webhooks``, scope ``webhooks:manage``; issue #12 §3, Standard Webhooks
https://www.standardwebhooks.com/): register an endpoint (the signing secret is shown once), list,
read and delete endpoints, read an endpoint's delivery log and redeliver a message by hand.

Another provider's endpoints and deliveries answer 404. See :mod:`issuer.notify.webhooks`.
"""
from __future__ import annotations

from flask import Blueprint, jsonify, request

from ..errors import BadRequest
from ..notify import dispatch, webhooks
from ..signing.keystore import SecretBox
from ..store import notify as store
from .context import committing, current_provider, db, db_write, requires, service
from .requests import json_body

__all__ = ["bp"]

bp = Blueprint("webhooks", __name__, url_prefix="/api/v1")
SCOPE = "webhooks:manage"
MAX_LIMIT = 100


@bp.after_request
def _no_store(response):
    """Answers carry a secret once and private logs: no cache may keep them (RFC 9111 §5.2.2.5)."""
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/webhooks")
@requires(SCOPE)
def create_webhook():
    """Register ``{"url", "events"}``: 201 with the endpoint and its ``secret`` (shown once)."""
    svc = service()
    body = json_body(svc.config["MAX_CONTENT_LENGTH"])
    session = db_write()
    provider = current_provider(session)
    fetcher = dispatch.webhook_fetcher(svc)
    with committing(session):
        endpoint, secret = webhooks.create_endpoint(session, provider.id, body,
                                                    box=SecretBox(svc.config["SECRET_KEY"]), now=svc.clock(),
                                                    check_url=fetcher.check_url)
    response = jsonify({**webhooks.endpoint_json(endpoint), "secret": secret})
    response.status_code = 201
    response.headers["Location"] = f"/api/v1/webhooks/{endpoint.id}"
    return response


@bp.get("/webhooks")
@requires(SCOPE)
def list_webhooks():
    """``{"webhooks": [endpoint, ...]}``, oldest first (never the secrets)."""
    provider = current_provider()
    return jsonify({"webhooks": [webhooks.endpoint_json(e) for e in store.endpoints_of(db(), provider.id)]})


@bp.get("/webhooks/<endpoint_id>")
@requires(SCOPE)
def get_webhook(endpoint_id: str):
    """One endpoint (404 for an unknown, deleted or foreign id)."""
    provider = current_provider()
    return jsonify(webhooks.endpoint_json(webhooks.get_endpoint(db(), provider.id, endpoint_id)))


@bp.delete("/webhooks/<endpoint_id>")
@requires(SCOPE)
def delete_webhook(endpoint_id: str):
    """Delete the endpoint and cancel its pending deliveries: 204."""
    session = db_write()
    provider = current_provider(session)
    with committing(session):
        webhooks.delete_endpoint(session, provider.id, endpoint_id, now=service().clock())
    return "", 204


@bp.get("/webhooks/<endpoint_id>/deliveries")
@requires(SCOPE)
def list_deliveries(endpoint_id: str):
    """The delivery log, newest first: ``{"deliveries": [...]}`` (``?limit=`` 1-100, default 20)."""
    unknown = sorted(set(request.args) - {"limit"})
    if unknown:
        raise BadRequest(f"unknown query parameter(s): {', '.join(unknown)}; known: limit")
    try:
        limit = int(request.args.get("limit", "20"))
    except ValueError:
        raise BadRequest(f"limit must be an integer from 1 to {MAX_LIMIT}") from None
    if not 1 <= limit <= MAX_LIMIT:
        raise BadRequest(f"limit must be an integer from 1 to {MAX_LIMIT}")
    session = db()
    endpoint = webhooks.get_endpoint(session, current_provider().id, endpoint_id)
    rows = store.deliveries_of(session, endpoint.id, limit=limit)
    attempts = store.attempts_of(session, [r.id for r in rows])
    return jsonify({"deliveries": [webhooks.delivery_json(r, attempts[r.id]) for r in rows]})


@bp.post("/webhooks/<endpoint_id>/deliveries/<delivery_id>/redeliver")
@requires(SCOPE)
def redeliver(endpoint_id: str, delivery_id: str):
    """Queue the message again, due now, with a fresh retry schedule: 202 with the delivery."""
    session = db_write()
    provider = current_provider(session)
    with committing(session):
        delivery = webhooks.redeliver(session, provider.id, endpoint_id, delivery_id, now=service().clock())
    attempts = store.attempts_of(session, [delivery.id])
    return jsonify(webhooks.delivery_json(delivery, attempts[delivery.id])), 202
