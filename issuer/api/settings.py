"""Provider settings (``/api/v1/settings``): the defaults a provider chooses for its own issuing.

``emailLearners`` (issue #12 §4): e-mail each learner who has an address when a credential is
issued, unless the request says ``"sendEmail": false``. See :mod:`issuer.notify.mail`.
"""
from __future__ import annotations

from flask import Blueprint, jsonify

from ..errors import ValidationFailed
from .context import committing, current_provider, db_write, requires, service
from .requests import json_body

__all__ = ["bp", "settings_json"]

bp = Blueprint("settings", __name__, url_prefix="/api/v1")


@bp.after_request
def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


def settings_json(provider) -> dict:
    """The provider's settings document: ``{"emailLearners": bool}``."""
    return {"emailLearners": bool(provider.email_learners)}


@bp.get("/settings")
@requires("credentials:read")
def get_settings():
    """The calling provider's settings."""
    return jsonify(settings_json(current_provider()))


@bp.put("/settings")
@requires("credentials:issue")
def put_settings():
    """Replace the settings with ``{"emailLearners": bool}``; the new settings."""
    body = json_body(service().config["MAX_CONTENT_LENGTH"])
    if not isinstance(body, dict) or set(body) != {"emailLearners"} or not isinstance(body["emailLearners"], bool):
        raise ValidationFailed('send {"emailLearners": true|false}',
                               errors=[{"path": "/emailLearners", "message": "a boolean, and nothing else"}])
    session = db_write()
    provider = current_provider(session)
    with committing(session):
        provider.email_learners = body["emailLearners"]
    return jsonify(settings_json(provider))
