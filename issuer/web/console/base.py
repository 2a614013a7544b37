"""The console's blueprint and what every console view shares: the signed-in staff account,
role checks, CSRF protection of every form (Flask-WTF) and page rendering.

Sessions are Flask's signed cookies (HttpOnly, SameSite=Lax, Secure when the service's origin is
https). A session names the account and a fingerprint of its password hash, so a changed password,
a disabled account or a role change takes effect on the next request (OWASP ASVS 4.0 V3).
"""
from __future__ import annotations

import hashlib
from functools import wraps
from urllib.parse import urlencode

from flask import Blueprint, g, redirect, request, session
from flask_babel import gettext as _, lazy_gettext as _l
from flask_wtf.csrf import CSRFError, generate_csrf, validate_csrf
from wtforms.validators import ValidationError

from ...api.context import db, db_write, service
from ...errors import IssuerError, NotFound, ValidationFailed
from ...store import staff
from ...store.models import ConsoleUser, Provider
from ..render import page

__all__ = ["bp", "current_user", "current_provider", "requires", "render", "fingerprint", "start_session",
           "end_session", "uploaded_image", "write_session", "actor", "flash_message", "SESSION_KEY", "role_name", "ROLE_NAMES"]

bp = Blueprint("console", __name__, url_prefix="/console")
SESSION_KEY = "console"
ROLE_NAMES = {"admin": _l("Administrator"), "issuer": _l("Issuing staff"), "viewer": _l("Viewer")}


def role_name(role: str) -> str:
    """The role's name in the page's language (the code itself for an unknown role)."""
    return str(ROLE_NAMES.get(role, role))


def fingerprint(user: ConsoleUser) -> str:
    """16 hex digits of SHA-256 over the account's password hash, role and state: a session made
    before any of them changed no longer matches."""
    text = f"{user.id}|{user.password_hash}|{user.role}|{user.disabled_at}|{user.provider_id}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def start_session(user: ConsoleUser) -> None:
    """Sign ``user`` in: a fresh session (no fixation: the old contents are dropped)."""
    session.clear()
    session.permanent = True
    session[SESSION_KEY] = {"uid": user.id, "fp": fingerprint(user)}
    generate_csrf()  # a new CSRF token for the new session


def end_session() -> None:
    """Sign out: the whole session is dropped."""
    session.clear()


def current_user() -> ConsoleUser | None:
    """The signed-in staff account (loaded once per request), or None."""
    if "console_user" not in g:
        data = session.get(SESSION_KEY)
        user = None
        if isinstance(data, dict) and isinstance(data.get("uid"), int):
            user = db().get(ConsoleUser, data["uid"])
            if user is None or user.disabled_at is not None or fingerprint(user) != data.get("fp"):
                user = None
        g.console_user = user
    return g.console_user


def current_provider(write_session=None) -> Provider:
    """The signed-in account's provider (as an object of ``write_session`` when given)."""
    user = current_user()
    return (write_session or db()).get(Provider, user.provider_id)


def uploaded_image(field: str) -> tuple[bytes, str]:
    """The PNG or SVG file of form field ``field``: at most ``MAX_UPLOAD_BYTES`` + 1 bytes (the
    image checks refuse more) and its media type, the browser's or, when the browser sent another,
    the one its ``.png``/``.svg`` name says. No file chosen: ``ValidationFailed`` (422)."""
    upload = request.files.get(field)
    if upload is None or not upload.filename:
        raise ValidationFailed(_("Choose a PNG or SVG file."))
    data = upload.read(service().config["MAX_UPLOAD_BYTES"] + 1)
    media_type = upload.mimetype
    if media_type not in ("image/png", "image/svg+xml"):
        name = upload.filename.lower()
        media_type = "image/svg+xml" if name.endswith(".svg") else "image/png" if name.endswith(".png") else media_type
    return data, media_type


def write_session():
    """The request's writing session."""
    return db_write()


def actor() -> str:
    """The audit log's actor for changes made in the console: ``console:<e-mail>``."""
    return f"console:{current_user().email}"[:100]


def requires(permission: str):
    """View decorator: a signed-in account whose role grants ``permission`` (``read``, ``issue``,
    ``manage``); without a session, a redirect to the log-in page; without the permission, 403."""
    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            user = current_user()
            if user is None:
                target = request.full_path.rstrip("?") if request.method == "GET" else "/console/"
                return redirect(f"/console/login?{urlencode({'next': target})}", 303)
            if not staff.can(user, permission):
                return render("console/message.html", status=403, title=_("Not allowed"),
                              message=_("Your role does not allow this. Ask an administrator of your organisation."))
            return view(*args, **kwargs)
        wrapper.console_permission = permission
        return wrapper
    return decorate


def flash_message(text: str, kind: str = "ok") -> None:
    """A one-time notice shown on the next console page."""
    session.setdefault("console_notices", []).append({"text": text, "kind": kind})
    session.modified = True


def render(template: str, *, status: int = 200, **context):
    """A console page (never cached: it shows one provider's private data)."""
    notices = session.pop("console_notices", []) if status < 300 else []
    user = current_user()
    provider = db().get(Provider, user.provider_id) if user is not None else None
    return page(template, status=status, cache="no-store", user=user, provider=provider, notices=notices,
                role_name=role_name,
                can=lambda permission: user is not None and staff.can(user, permission), **context)


@bp.before_request
def _csrf():
    """Every state-changing console request carries the session's CSRF token (form field
    ``csrf_token`` or header ``X-CSRFToken``)."""
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        token = request.form.get("csrf_token") or request.headers.get("X-CSRFToken")
        try:
            validate_csrf(token)
        except ValidationError as exc:
            raise CSRFError(str(exc)) from None


@bp.errorhandler(CSRFError)
def _csrf_failed(exc):
    return render("console/message.html", status=400, title=_("The form has expired"),
                  message=_("Reload the page and try again (the security token of the form is missing or old)."))


@bp.errorhandler(NotFound)
def _not_found(exc):
    return render("console/message.html", status=404, title=_("Not found"),
                  message=_("There is nothing here, or it belongs to another organisation."))


@bp.errorhandler(IssuerError)
def _issuer_error(exc: IssuerError):
    if exc.http_status == 429:
        return render("console/message.html", status=429, title=_("Too many requests"),
                      message=_("Wait a minute and try again."))
    return render("console/message.html", status=exc.http_status if exc.http_status < 500 else 400,
                  title=_("That did not work"), message=exc.detail)
