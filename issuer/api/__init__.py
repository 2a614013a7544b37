"""The HTTP edge: the only package (with ``issuer/__init__`` and ``issuer/cli``) that imports Flask."""
from __future__ import annotations

from .errors import init_errors
from .exchanges import bp as exchanges_bp
from .exports import bp as exports_bp
from .files import bp as files_bp
from .offers import bp as offers_bp
from .provider import bp as provider_bp
from .public import bp as public_bp
from .verification import bp as verification_bp

__all__ = ["init_app"]


def init_app(app) -> None:
    init_errors(app)
    app.register_blueprint(provider_bp)
    app.register_blueprint(exports_bp)
    app.register_blueprint(public_bp)
    app.register_blueprint(files_bp)
    app.register_blueprint(verification_bp)
    app.register_blueprint(offers_bp)
    app.register_blueprint(exchanges_bp)
