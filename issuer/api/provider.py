"""Provider API (``/api/v1``): issue credentials, manage the catalogue, change credential status.

Every endpoint authenticates a provider API key; another provider's objects answer 404.
"""
from __future__ import annotations

import hmac
import re

from flask import Blueprint, json, jsonify, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .. import issuance
from ..badges.timestamps import iso_z
from ..delivery.artifacts import store_course_image
from ..errors import BadRequest, IssuerError, NotFound, PayloadTooLarge, Unauthorized, ValidationFailed
from ..exchanges.by_email import offer_by_email, wants_email
from ..exchanges.offers import claim_summary
from ..issuance import IssuanceContext
from ..skills import catalogue, matrix
from ..status import revocation
from ..status.lists import SUSPENSION_COST
from ..store.models import Course
from . import limits
from .context import committing, current_provider, db, db_write, principal, requires, service
from .offers import offer_for, parse_offer_option
from .requests import json_body

bp = Blueprint("api", __name__, url_prefix="/api/v1")

_IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,200}$")
_UNCLAIMED = {"claimed": False, "claimedAt": None, "protocol": None, "holder": None, "formats": [], "offer": None}


@bp.after_request
def _no_store(response):
    """Provider API answers are private to the caller: no cache may keep them (RFC 9111 §5.2.2.5)."""
    response.headers["Cache-Control"] = "no-store"
    return response


def credential_links(credential_id: str) -> dict:
    base = service().base_url
    return {
        "self": f"{base}/credentials/{credential_id}",
        "json": f"{base}/credentials/{credential_id}.json",
        "jwt": f"{base}/credentials/{credential_id}.jwt",
        "png": f"{base}/credentials/{credential_id}.png",
        "svg": f"{base}/credentials/{credential_id}.svg",
        "verify": f"{base}/credentials/{credential_id}/verify",
        "qr": f"{base}/credentials/{credential_id}/qr.png",
        "coverage": f"{base}/credentials/{credential_id}/coverage",
    }


def _credential_response(row, status: int, replayed: bool = False, session=None, offer: dict | None = None,
                         email: str | None = None, claim: dict | None = None):
    body = {"id": row.id, "status": row.status, "credential": json.loads(row.document), "jwt": row.jwt,
            "links": credential_links(row.id),
            "claim": dict(claim) if claim is not None else claim_summary(session or db(), row.id)}
    if offer is not None:
        body["offer"] = offer
    if email is not None:
        body["email"] = email
    if isinstance(body["credential"].get("credentialStatus"), list):
        body["warnings"] = [{"code": "credential_status_array", "detail": SUSPENSION_COST}]
    response = jsonify(body)
    response.status_code = status
    response.headers["Location"] = f"/credentials/{row.id}"
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response


def issuance_context() -> IssuanceContext:
    """The request's issuing context (:func:`issuer.issuance.context_for` at the service clock's now)."""
    svc = service()
    return issuance.context_for(svc, svc.clock())


def _actor() -> str:
    return principal().actor


@bp.post("/credentials")
@requires("credentials:issue")
def issue():
    provider = current_provider()  # an object of the reading session
    limits.check("issue", f"provider:{provider.id}")
    key = request.headers.get("Idempotency-Key")
    if key is not None and not _IDEMPOTENCY_KEY.match(key):
        raise BadRequest("Idempotency-Key must be 1-200 visible ASCII characters")
    body = json_body(service().config["MAX_CONTENT_LENGTH"])
    fingerprint = issuance.request_fingerprint(body) if isinstance(body, (dict, list)) else None
    reader = db()
    existing = issuance.find_idempotent(reader, provider, key, fingerprint)
    if existing is not None:
        return _credential_response(existing, 200, replayed=True, session=reader)
    ctx = issuance_context()
    req = issuance.parse_issue_request(body, now=ctx.now, skew=ctx.clock_skew)
    offer_option = parse_offer_option(body.get("offer"))
    email = wants_email(req.send_email, provider.email_learners, req.learner.email)
    # Read and sign on the reading session; the writing transaction (SQLite: the write lock) only
    # inserts. A concurrent request with the same Idempotency-Key loses on the unique key below.
    session = db_write()
    try:
        row = issuance.issue_credential(session, provider, req, ctx, actor=_actor(), idempotency_key=key,
                                        fingerprint=fingerprint, read_session=reader)
        reader.commit()
        tx_code = bool(offer_option and offer_option["tx_code"])
        if email:  # the e-mailed claim link is the credential's offer (a second one would supersede it)
            offer = offer_by_email(session, service(), row, recipient=req.learner.email.strip(), tx_code=tx_code)
        else:
            offer = offer_for(session, row, tx_code=tx_code) if offer_option else None
        # a credential made in this transaction has no claim, and at most the offer just made
        claim = claim_summary(session, row.id) if offer is not None else _UNCLAIMED
        session.commit()
    except IntegrityError:
        session.rollback()
        existing = issuance.find_idempotent(session, provider, key, fingerprint) if key else None
        if existing is not None:
            return _credential_response(existing, 200, replayed=True, session=session)
        raise
    except Exception:
        session.rollback()
        raise
    return _credential_response(row, 201, session=session, offer=offer if offer_option else None,
                                email="queued" if email else None, claim=claim)


@bp.get("/credentials/<credential_id>")
@requires("credentials:read")
def get_credential(credential_id: str):
    row = revocation.get_owned(db(), current_provider(), credential_id)
    return _credential_response(row, 200)


def _status_body(row, session=None) -> dict:
    return {"id": row.id, "status": row.status, "history": revocation.history(session or db(), row),
            "validFrom": iso_z(row.valid_from), "validUntil": iso_z(row.valid_until)}


def _change(credential_id: str, action: str, body: dict):
    session = db_write()
    provider = current_provider(session)
    reason = body.get("reason") if isinstance(body, dict) else None
    with committing(session):
        row, changed = revocation.change_status(session, provider, credential_id, action, reason=reason,
                                                actor=_actor(), now=service().clock())
    out = _status_body(row, session)
    out["changed"] = changed
    return jsonify(out)


def _optional_body() -> dict:
    if not request.get_data(cache=True):
        return {}
    body = json_body(service().config["MAX_CONTENT_LENGTH"])
    if not isinstance(body, dict):
        raise ValidationFailed("the body must be a JSON object")
    return body


@bp.post("/credentials/<credential_id>/<any(revoke, suspend, unsuspend):action>")
@requires("credentials:status")
def change_status(credential_id: str, action: str):
    """``revoke`` (final; needs a reason), ``suspend`` and ``unsuspend``: ``{"reason": "..."}``."""
    current_provider()
    return _change(credential_id, action, _optional_body())


@bp.get("/credentials/<credential_id>/status")
@requires("credentials:read")
def status(credential_id: str):
    row = revocation.get_owned(db(), current_provider(), credential_id)
    return jsonify(_status_body(row))


@bp.post("/credentials/revoke")
@requires("credentials:status")
def bulk_revoke():
    """Revoke many credentials: ``{"ids": [...], "reason": "..."}``; one result per id."""
    current_provider()
    body = json_body(service().config["MAX_CONTENT_LENGTH"])
    if not isinstance(body, dict) or not isinstance(body.get("ids"), list) or not body["ids"]:
        raise ValidationFailed("send {\"ids\": [credential ids], \"reason\": \"...\"}")
    ids = body["ids"]
    if len(ids) > 1000 or not all(isinstance(i, str) and len(i) <= 64 for i in ids):
        raise ValidationFailed("ids must be at most 1000 credential id strings")
    session = db_write()
    provider = current_provider(session)
    results = []
    for credential_id in dict.fromkeys(ids):
        try:
            with session.begin_nested():
                row, changed = revocation.change_status(session, provider, credential_id, "revoke",
                                                        reason=body.get("reason"), actor=_actor(),
                                                        now=service().clock())
            results.append({"id": credential_id, "status": row.status, "changed": changed})
        except IssuerError as exc:
            if isinstance(exc, ValidationFailed):
                session.rollback()
                raise
            results.append({"id": credential_id, "error": exc.to_problem()})
    session.commit()
    return jsonify({"results": results, "revoked": sum(1 for r in results if r.get("changed"))})


@bp.get("/courses")
@requires("catalogue:read")
def list_courses():
    return jsonify({"courses": catalogue.list_courses(db(), current_provider())})


@bp.post("/courses")
@requires("catalogue:write")
def import_courses():
    session = db_write()
    provider = current_provider(session)
    body = json_body(service().config["MAX_CONTENT_LENGTH"])
    with committing(session):
        summary = catalogue.import_courses(session, provider, body)
    return jsonify(summary), 200


def _require_admin() -> None:
    token = service().config.get("ADMIN_TOKEN")
    header = request.headers.get("Authorization", "")
    if not token:
        raise NotFound("the matrix import API is disabled (set ISSUER_ADMIN_TOKEN)")
    if not header.startswith("Bearer ") or not hmac.compare_digest(header[7:].strip(), token):
        raise Unauthorized("the competence matrix is shared: importing it needs the admin token")


@bp.post("/matrix")
def import_matrix():
    """Import the reference competence matrix (JSON, or CSV with ``Content-Type: text/csv``)."""
    _require_admin()
    session = db_write()
    if request.mimetype == "text/csv":
        limit = service().config["MAX_UPLOAD_BYTES"]
        data = request.get_data(cache=True)
        if len(data) > limit:
            raise PayloadTooLarge(f"the CSV is larger than {limit} bytes")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise BadRequest("the CSV is not UTF-8") from None
        body = matrix.parse_matrix_csv(text)
    else:
        body = json_body(service().config["MAX_UPLOAD_BYTES"])
    with committing(session):
        summary = matrix.import_matrix(session, body)
    return jsonify(summary), 200


@bp.put("/courses/<code>/image")
@requires("catalogue:write")
def upload_course_image(code: str):
    """Upload a course's badge image (``image/png`` or ``image/svg+xml``; SVGs are sanitized)."""
    session = db_write()
    provider = current_provider(session)
    course = session.scalar(select(Course).where(Course.provider_id == provider.id, Course.code == code))
    if course is None:
        raise NotFound(f"course {code!r} is not in your catalogue")
    with committing(session):
        image = store_course_image(session, course, request.get_data(cache=True), request.mimetype)
    return jsonify({"course": code, "mediaType": image.media_type, "bytes": len(image.data),
                    "url": f"{service().base_url}/achievements/{course.slug}/image"}), 200
