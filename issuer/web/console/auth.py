"""Console log-in and log-out: e-mail and password (Argon2id), rate limited per client address,
accounts locked after repeated failures (:mod:`issuer.store.staff`)."""
from __future__ import annotations

from flask import redirect, request
from flask_babel import gettext as _

from ...api import limits
from ...api.context import db, service
from ...store import staff
from .base import bp, current_user, end_session, render, requires, start_session, write_session

__all__ = ["login", "logout", "safe_next"]


def safe_next(value: str | None) -> str:
    """Where to go after log-in: a console path of this site, never another origin."""
    if isinstance(value, str) and value.startswith("/console/") and not value.startswith("/console//") \
            and "\\" not in value and len(value) < 2000:
        return value
    return "/console/"


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The log-in form (GET); a log-in attempt (POST ``email``, ``password``, ``csrf_token``)."""
    target = safe_next(request.values.get("next"))
    if request.method == "GET":
        if current_user() is not None:
            return redirect(target, 303)
        return render("console/login.html", next=target, email="", sso_links=staff.sso_providers(db()))
    email = request.form.get("email", "")[:254]
    try:
        limits.check("console_login", request.remote_addr or "unknown")
    except limits.TooManyRequests:
        return render("console/login.html", status=429, next=target, email=email,
                      error=_("Too many log-in attempts from your address. Wait a minute and try again."))
    session = write_session()
    svc = service()
    try:
        user = staff.authenticate(session, email, request.form.get("password", ""), svc.clock())
        session.commit()
    except staff.AccountLocked:
        session.rollback()
        return render("console/login.html", status=423, next=target, email=email,
                      error=_("This account is locked after repeated failed log-ins. Try again in %(minutes)d "
                              "minutes, or ask an administrator to set a new password.", minutes=staff.LOCK_MINUTES))
    except staff.LoginFailed:
        session.commit()  # keep the failure count
        return render("console/login.html", status=200, next=target, email=email,
                      error=_("The e-mail address or the password is wrong."))
    start_session(user)
    return redirect(target, 303)


@bp.post("/logout")
@requires("read")
def logout():
    """End the console session."""
    end_session()
    return redirect("/console/login", 303)
