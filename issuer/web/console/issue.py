"""Issuing from the console: one learner through a form (the same checks as
``POST /api/v1/credentials``: :func:`issuer.issuance.parse_issue_request`)."""
from __future__ import annotations

from flask import redirect, request
from flask_babel import gettext as _

from ... import issuance
from ...api.context import db
from ...api.provider import issuance_context
from ...errors import IssuerError, ValidationFailed
from ...store import console as views
from .base import actor, bp, current_provider, flash_message, render, requires, write_session

__all__ = ["issue_one", "form_body"]


def form_body(form) -> dict:
    """The issue request of the form's ``course``, ``name``, ``email`` or ``did`` and ``completed``
    (a date, taken as 00:00 UTC): the JSON body the API takes."""
    learner = {"name": form.get("name", "")[:200]}
    if form.get("did", "").strip():
        learner["id"] = form["did"].strip()[:500]
    if form.get("email", "").strip() or "id" not in learner:
        learner["email"] = form.get("email", "").strip()[:320]
    body = {"course": form.get("course", "")[:64], "learner": learner}
    if form.get("completed", "").strip():
        body["completedAt"] = form["completed"].strip()[:10] + "T00:00:00Z"
    return body


def _issuable(session, provider):
    return [c for c in views.courses_of(session, provider) if c.retired_at is None and c.skills]


@bp.route("/issue", methods=["GET", "POST"])
@requires("issue")
def issue_one():
    """The issue form (GET; ``?course=`` preselects) and issuing to one learner (POST)."""
    if request.method == "GET":
        return render("console/issue.html", courses=_issuable(db(), current_provider()), values=request.args,
                      errors=[])
    body = form_body(request.form)
    session = write_session()
    provider = current_provider(session)
    ctx = issuance_context()
    try:
        req = issuance.parse_issue_request(body, now=ctx.now, skew=ctx.clock_skew)
        row = issuance.issue_credential(session, provider, req, ctx, actor=actor())
        session.commit()
    except IssuerError as exc:
        session.rollback()
        errors = [f"{e.get('path', '')}: {e.get('message', '')}" for e in exc.errors] \
            if isinstance(exc, ValidationFailed) else []
        return render("console/issue.html", status=exc.http_status if exc.http_status < 500 else 400,
                      courses=_issuable(db(), current_provider()), values=request.form, error=exc.detail,
                      errors=errors)
    flash_message(_("Issued to %(name)s.", name=row.learner_name))
    return redirect(f"/console/credentials/{row.id}", 303)
