"""The console's notification settings (administrators): webhook endpoints (Standard Webhooks,
https://www.standardwebhooks.com/; the signing secret shown once), their delivery log with
redelivery, and the e-mail default (send each learner the claim offer unless a request says not)."""
from __future__ import annotations

from flask import redirect, request
from flask_babel import gettext as _

from ...api.context import committing, db, service
from ...notify import dispatch, webhooks
from ...notify.events import EVENT_TYPES
from ...signing.keystore import SecretBox
from ...store import notify as notify_store
from .base import bp, current_provider, flash_message, render, requires, write_session

__all__ = ["notifications", "create_webhook", "delete_webhook", "webhook", "redeliver", "email_default"]


def _page(*, status: int = 200, **extra):
    provider = current_provider()
    return render("console/notifications.html", status=status, endpoints=notify_store.endpoints_of(db(), provider.id),
                  event_types=EVENT_TYPES, email_learners=bool(provider.email_learners), **extra)


@bp.get("/notifications")
@requires("manage")
def notifications():
    """Webhook endpoints and the learner e-mail default."""
    return _page()


@bp.post("/notifications/webhooks")
@requires("manage")
def create_webhook():
    """Register a webhook endpoint (``url``, ``event`` values); its signing secret is shown once.
    The URL passes the same outbound guard as ``POST /api/v1/webhooks`` (no private addresses)."""
    svc = service()
    session = write_session()
    provider = current_provider(session)
    body = {"url": request.form.get("url", "").strip(), "events": request.form.getlist("event")}
    with committing(session):
        endpoint, secret = webhooks.create_endpoint(session, provider.id, body,
                                                    box=SecretBox(svc.config["SECRET_KEY"]), now=svc.clock(),
                                                    check_url=dispatch.webhook_fetcher(svc).check_url)
    return _page(status=201, secret={"id": endpoint.id, "url": endpoint.url, "value": secret})


@bp.post("/notifications/webhooks/<endpoint_id>/delete")
@requires("manage")
def delete_webhook(endpoint_id: str):
    """Delete an endpoint; its pending deliveries are cancelled."""
    session = write_session()
    with committing(session):
        cancelled = webhooks.delete_endpoint(session, current_provider(session).id, endpoint_id,
                                             now=service().clock())
    flash_message(_("Webhook deleted; %(n)d pending deliveries cancelled.", n=cancelled))
    return redirect("/console/notifications", 303)


@bp.get("/notifications/webhooks/<endpoint_id>")
@requires("manage")
def webhook(endpoint_id: str):
    """An endpoint's delivery log (the latest 50), newest first."""
    session = db()
    endpoint = webhooks.get_endpoint(session, current_provider().id, endpoint_id)
    rows = notify_store.deliveries_of(session, endpoint.id, limit=50)
    attempts = notify_store.attempts_of(session, [r.id for r in rows])
    return render("console/webhook.html", endpoint=webhooks.endpoint_json(endpoint),
                  deliveries=[webhooks.delivery_json(r, attempts[r.id]) for r in rows])


@bp.post("/notifications/webhooks/<endpoint_id>/deliveries/<delivery_id>/redeliver")
@requires("manage")
def redeliver(endpoint_id: str, delivery_id: str):
    """Send a delivery again, now, with a fresh retry schedule."""
    session = write_session()
    with committing(session):
        webhooks.redeliver(session, current_provider(session).id, endpoint_id, delivery_id, now=service().clock())
    flash_message(_("The message is queued again."))
    return redirect(f"/console/notifications/webhooks/{endpoint_id}", 303)


@bp.post("/notifications/email")
@requires("manage")
def email_default():
    """The e-mail default (``emailLearners`` = ``1`` or ``0``), as ``PUT /api/v1/settings``."""
    session = write_session()
    provider = current_provider(session)
    provider.email_learners = request.form.get("emailLearners") == "1"
    session.commit()
    flash_message(_("Learners get their claim offer by e-mail by default.") if provider.email_learners
                  else _("Learners get no e-mail unless a request asks for it."))
    return redirect("/console/notifications", 303)
