"""The console's credentials: find them with the listing API's filters
(:mod:`issuer.store.listing`), open one (record, status history, claim state), revoke, suspend or
unsuspend it with a reason, and revoke a selection at once."""
from __future__ import annotations

import json
import re
from datetime import datetime, time, timezone
from urllib.parse import urlencode

from flask import redirect, request
from flask_babel import gettext as _

from ...api.context import committing, db, service
from ...errors import BadRequest, IssuerError, ValidationFailed
from ...exchanges.offers import claim_summary
from ...status import revocation
from ...store import console as views
from ...store import listing
from .base import actor, bp, current_provider, flash_message, render, requires, write_session

__all__ = ["credentials", "credential", "change_status", "bulk_revoke", "FILTERS"]

FILTERS = ("course", "status", "issuedAfter", "issuedBefore", "learnerDid", "learnerEmail", "claimed", "cursor")
PAGE = 50
MAX_BULK = 200
_ID = re.compile(r"^[0-9a-f-]{36}$")


def _day(name: str, value: str, end: bool) -> datetime:
    try:
        day = datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise BadRequest(_("%(field)s must be a date such as 2026-05-04", field=name)) from None
    return datetime.combine(day, time.max if end else time.min, tzinfo=timezone.utc)


def parse_filters(args) -> tuple[dict, listing.CredentialQuery]:
    """The filled-in filters of the search form and the listing query they make. Dates are whole
    days (UTC): ``issuedAfter`` from the start of its day, ``issuedBefore`` to the end of its day."""
    given = {k: args.get(k, "").strip()[:500] for k in FILTERS if args.get(k, "").strip()}
    status = given.get("status")
    if status is not None and status not in listing.STATUSES:
        raise BadRequest(_("Unknown status."))
    email = given.get("learnerEmail")
    if email is not None and "@" not in email:
        raise BadRequest(_("Enter a whole e-mail address to find a learner's credentials."))
    claimed = given.get("claimed")
    if claimed is not None and claimed not in ("true", "false"):
        raise BadRequest(_("Unknown claim state."))
    query = listing.CredentialQuery(
        course=given.get("course"), status=status,
        issued_after=_day("issuedAfter", given["issuedAfter"], False) if "issuedAfter" in given else None,
        issued_before=_day("issuedBefore", given["issuedBefore"], True) if "issuedBefore" in given else None,
        learner_did=given.get("learnerDid"), learner_email=email, cursor=given.get("cursor"), limit=PAGE,
        claimed=None if claimed is None else claimed == "true")
    return given, query


@bp.get("/credentials")
@requires("read")
def credentials():
    """The provider's credentials, newest first, 50 a page, filtered like ``GET /api/v1/credentials``."""
    session = db()
    provider = current_provider()
    svc = service()
    error = None
    try:
        given, query = parse_filters(request.args)
        rows, cursor = listing.find_credentials(session, provider, query, now=svc.clock(),
                                                email_key=listing.email_index_key(svc.config["SECRET_KEY"]))
    except BadRequest as exc:
        given, rows, cursor, error = {}, [], None, exc.detail
    claims = listing.claims_of(session, [row.id for row in rows])
    items = [listing.summary(row, svc.base_url, svc.clock(), claims.get(row.id)) for row in rows]
    next_args = {k: v for k, v in given.items() if k != "cursor"}
    next_url = f"/console/credentials?{urlencode({**next_args, 'cursor': cursor})}" if cursor else None
    return render("console/credentials.html", items=items, filters=given, next_url=next_url, error=error,
                  statuses=listing.STATUSES, courses=views.courses_of(session, provider), max_bulk=MAX_BULK,
                  status=200 if error is None else 400)


@bp.get("/credentials/<credential_id>")
@requires("read")
def credential(credential_id: str):
    """One credential: its record (the signed document), status history and claim state."""
    session = db()
    provider = current_provider()
    row = revocation.get_owned(session, provider, credential_id)
    svc = service()
    document = json.loads(row.document)
    return render("console/credential.html", row=row, summary=listing.summary(row, svc.base_url, svc.clock()),
                  history=revocation.history(session, row), claim=claim_summary(session, row.id),
                  document=json.dumps(document, indent=2, ensure_ascii=False),
                  suspension=provider.suspension_enabled)


@bp.post("/credentials/<credential_id>/status")
@requires("issue")
def change_status(credential_id: str):
    """Revoke, suspend or unsuspend (form ``action``) with a ``reason``."""
    action = request.form.get("action", "")
    if action not in revocation.ACTIONS:
        raise ValidationFailed(_("Choose revoke, suspend or unsuspend."))
    reason = request.form.get("reason", "").strip() or None
    session = write_session()
    provider = current_provider(session)
    with committing(session):
        _row, changed = revocation.change_status(session, provider, credential_id, action, reason=reason,
                                                 actor=actor(), now=service().clock())
    done = {"revoke": _("The credential is revoked."), "suspend": _("The credential is suspended."),
            "unsuspend": _("The credential is active again.")}[action]
    flash_message(done if changed else _("Nothing changed: the credential already had that status."))
    return redirect(f"/console/credentials/{credential_id}", 303)


@bp.post("/credentials/revoke")
@requires("issue")
def bulk_revoke():
    """Revoke the selected credentials (form ``ids``, at most 200) with one ``reason``."""
    ids = list(dict.fromkeys(i for i in request.form.getlist("ids") if _ID.match(i)))
    reason = request.form.get("reason", "").strip()
    if not ids:
        raise ValidationFailed(_("Select the credentials to revoke."))
    if len(ids) > MAX_BULK:
        raise ValidationFailed(_("Revoke at most %(n)d credentials at once.", n=MAX_BULK))
    if not reason:
        raise ValidationFailed(_("A revocation needs a reason."))
    session = write_session()
    provider = current_provider(session)
    revoked = failed = 0
    now = service().clock()
    for credential_id in ids:
        try:
            with session.begin_nested():
                _row, changed = revocation.change_status(session, provider, credential_id, "revoke", reason=reason,
                                                         actor=actor(), now=now)
            revoked += int(changed)
        except IssuerError:
            failed += 1
    session.commit()
    flash_message(_("Revoked %(revoked)d of %(total)d selected credentials.", revoked=revoked, total=len(ids)),
                  "ok" if not failed else "warn")
    return redirect("/console/credentials", 303)
