"""The provider console (``/console``): staff of a training provider manage their catalogue,
map courses to the competence matrix, issue and revoke Open Badges 3.0 credentials
(https://www.imsglobal.org/spec/ob/v3p0/) and manage keys and settings, without the API.

* ``base``: the blueprint, sessions, roles and CSRF protection (Flask-WTF);
* ``auth``: log-in (Argon2id passwords, rate limit, lockout) and log-out; ``sso``: OpenID Connect;
* ``dashboard``, ``credentials``, ``issue`` (and ``batch``: a class from CSV), ``courses``, ``settings``, ``notify``: the pages.

Every page shows the signed-in account's provider only: each query is scoped to it (as the API's).
"""
from __future__ import annotations

from datetime import timedelta

from flask_wtf.csrf import generate_csrf

from . import auth, batch, courses, credentials, dashboard, issue, notify, settings, sso
from .base import bp

__all__ = ["init_app", "VIEWS"]

VIEWS = (auth, batch, courses, credentials, dashboard, issue, notify, settings, sso)


def init_app(app) -> None:
    """Register the console on ``app`` (after :func:`issuer.web.i18n.init_app`, whose Flask-Babel
    translates it): secure session cookies, the ``csrf_token()`` template global, the blueprint."""
    config = app.extensions["issuer"].config
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=str(config["BASE_URL"]).startswith("https://"),
        SESSION_COOKIE_NAME="console_session",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=config.get("CONSOLE_SESSION_HOURS", 8)),
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session
    )
    app.jinja_env.globals["csrf_token"] = generate_csrf
    sso.oauth.init_app(app)
    app.register_blueprint(bp)
