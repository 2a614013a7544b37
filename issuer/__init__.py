"""Open Badges 3.0 micro-credential issuer for the automotive Skills Hub.

1EdTech Open Badges 3.0: https://www.imsglobal.org/spec/ob/v3p0/ ; W3C Verifiable Credentials
Data Model 2.0: https://www.w3.org/TR/vc-data-model-2.0/ .

``create_app()`` is the Flask application factory: configuration (defaults, then the instance
folder's ``config.py``, then ``ISSUER_*`` variables, then ``test_config``), the service container,
then the HTTP blueprints and error handlers.
"""
from __future__ import annotations

from pathlib import Path

__all__ = ["create_app", "__version__"]
__version__ = "0.1.0"


def create_app(test_config: dict | None = None, *, service=None):
    # reason: importing any ``issuer.*`` module runs this file first; deferring these imports keeps
    # Flask and the whole application out of the core rooms' imports (and out of their import graph).
    from flask import Flask, g

    from . import api, web
    from .config import instance_path, load_config, prepare_instance
    from .service import build_service

    default_instance = Path.cwd() / "instance"
    instance = Path(test_config["INSTANCE_PATH"]) if test_config and "INSTANCE_PATH" in test_config \
        else instance_path(default_instance)
    prepare_instance(instance)
    app = Flask(__name__, instance_path=str(instance), instance_relative_config=True,
                template_folder="web/templates", static_folder="web/static")
    if service is None:
        config = load_config(instance, overrides=test_config)
        service = build_service(config)
    app.config.update(
        SECRET_KEY=service.config["SECRET_KEY"],
        MAX_CONTENT_LENGTH=service.config["MAX_UPLOAD_BYTES"],
        JSON_MAX_BYTES=service.config["MAX_CONTENT_LENGTH"],
        JSON_SORT_KEYS=False,
    )
    app.extensions["issuer"] = service
    if service.config.get("PROXY_FIX_X_FOR"):
        from werkzeug.middleware.proxy_fix import ProxyFix  # reason: only behind a configured proxy
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=service.config["PROXY_FIX_X_FOR"])

    api.init_app(app)
    web.init_app(app)
    api.init_late(app)

    @app.teardown_appcontext
    def _close_session(_exc):
        for name in ("db_session", "db_write_session"):
            session = g.pop(name, None)
            if session is not None:
                session.close()

    return app
