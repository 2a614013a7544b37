"""The HTTP API, one edge of the service: with ``web/`` and the app factory (``issuer/__init__``)
the only code that imports Flask (tests/unit/test_layering.py).

Errors are RFC 9457 problem details (https://www.rfc-editor.org/rfc/rfc9457); the credentials it
serves follow Open Badges 3.0 (https://www.imsglobal.org/spec/ob/v3p0/)."""
from __future__ import annotations

from .batches import bp as batches_bp
from .errors import init_errors
from .exchanges import bp as exchanges_bp
from .exports import bp as exports_bp
from .files import bp as files_bp
from .hub import bp as hub_bp
from .keys import bp as keys_bp
from .legal_identity import bp as legal_identity_bp
from .limits import init_limits
from .listing import bp as listing_bp
from .oauth import init_oauth
from .offers import bp as offers_bp
from .openapi import bp as openapi_bp
from .ops import init_ops
from .provider import bp as provider_bp
from .public import bp as public_bp
from .settings import bp as settings_bp
from .verification import bp as verification_bp
from .webhooks import bp as webhooks_bp

__all__ = ["init_app"]


def init_app(app) -> None:
    init_errors(app)
    app.register_blueprint(listing_bp)
    app.register_blueprint(keys_bp)
    app.register_blueprint(legal_identity_bp)
    app.register_blueprint(provider_bp)
    app.register_blueprint(batches_bp)
    app.register_blueprint(exports_bp)
    app.register_blueprint(public_bp)
    app.register_blueprint(files_bp)
    app.register_blueprint(verification_bp)
    app.register_blueprint(hub_bp)
    app.register_blueprint(offers_bp)
    app.register_blueprint(exchanges_bp)
    app.register_blueprint(webhooks_bp)
    app.register_blueprint(settings_bp)
    init_oauth(app)
    app.register_blueprint(openapi_bp)


def init_late(app) -> None:
    """What needs every route registered: rate limits, then operations (request ids, metrics)."""
    init_limits(app)
    init_ops(app)
