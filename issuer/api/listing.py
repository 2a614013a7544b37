"""Finding the provider's own objects: ``GET /api/v1/credentials`` (filters, cursor paging with
``Link`` headers), ``GET /api/v1/issuers`` and ``GET /api/v1/courses/<code>``.

Every query is scoped to the calling provider; other providers' objects never appear, not even
in counts (there are no totals).
"""
from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urlencode

from flask import Blueprint, jsonify, request

from ..store import tenants
from ..errors import BadRequest, NotFound
from ..skills import catalogue
from ..store import listing
from .context import current_provider, db, requires, service

bp = Blueprint("listing", __name__, url_prefix="/api/v1")

#: Query parameters of GET /api/v1/credentials.
FILTERS = ("course", "status", "issuedAfter", "issuedBefore", "learnerDid", "learnerEmail", "claimed", "batch",
           "cursor",
           "limit")
MAX_LIMIT = 200
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_DID = re.compile(r"^did:[a-z0-9]+:[A-Za-z0-9._%:-]*[A-Za-z0-9._%-]$")


def _time(name: str) -> datetime | None:
    value = request.args.get(name)
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise BadRequest(f"{name} must be an RFC 3339 date-time such as 2026-05-04T10:00:00Z") from None
    if moment.tzinfo is None:
        raise BadRequest(f"{name} needs a time zone (Z or an offset)")
    return moment


def parse_query() -> listing.CredentialQuery:
    unknown = sorted(set(request.args) - set(FILTERS))
    if unknown:
        raise BadRequest(f"unknown query parameter(s): {', '.join(unknown)}; known: {', '.join(FILTERS)}")
    repeated = sorted(k for k in request.args if len(request.args.getlist(k)) > 1)
    if repeated:
        raise BadRequest(f"query parameter(s) given more than once: {', '.join(repeated)}")
    args = request.args
    status = args.get("status")
    if status is not None and status not in listing.STATUSES:
        raise BadRequest(f"status must be one of {', '.join(listing.STATUSES)}")
    did = args.get("learnerDid")
    if did is not None and (len(did) > 500 or not _DID.match(did)):
        raise BadRequest("learnerDid must be a DID")
    email = args.get("learnerEmail")
    if email is not None and not (3 <= len(email) <= 320 and "@" in email):
        raise BadRequest("learnerEmail must be an e-mail address")
    course = args.get("course")
    if course is not None and not 1 <= len(course) <= 64:
        raise BadRequest("course must be a course code (1-64 characters)")
    batch = args.get("batch")
    if batch is not None and not _UUID.match(batch):
        raise BadRequest("batch must be a batch id (a UUID)")
    claimed = args.get("claimed")
    if claimed is not None and claimed not in ("true", "false"):
        raise BadRequest("claimed must be true or false")
    try:
        limit = int(args.get("limit", "50"))
    except ValueError:
        raise BadRequest(f"limit must be an integer from 1 to {MAX_LIMIT}") from None
    if not 1 <= limit <= MAX_LIMIT:
        raise BadRequest(f"limit must be an integer from 1 to {MAX_LIMIT}")
    return listing.CredentialQuery(course=course, status=status, issued_after=_time("issuedAfter"),
                                   issued_before=_time("issuedBefore"), learner_did=did, learner_email=email,
                                   claimed=None if claimed is None else claimed == "true", batch=batch,
                                   cursor=args.get("cursor"), limit=limit)


@bp.get("/credentials")
@requires("credentials:read")
def list_credentials():
    """``{"items": [summary, ...], "next": url | null}``; ``Link: <next>; rel="next"`` when more."""
    query = parse_query()
    svc = service()
    now = svc.clock()
    rows, cursor = listing.find_credentials(db(), current_provider(), query, now=now,
                                            email_key=listing.email_index_key(svc.config["SECRET_KEY"]))
    next_url = None
    if cursor is not None:
        params = {k: v for k, v in request.args.items() if k != "cursor"}
        params["cursor"] = cursor
        next_url = f"{svc.base_url}/api/v1/credentials?{urlencode(params)}"
    claims = listing.claims_of(db(), [r.id for r in rows])
    response = jsonify({"items": [listing.summary(r, svc.base_url, now, claims.get(r.id)) for r in rows],
                        "next": next_url})
    if next_url:
        response.headers["Link"] = f'<{next_url}>; rel="next"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/issuers")
@requires("catalogue:read")
def list_issuers():
    """The provider's issuer profiles: ``{"issuers": [{"slug", "did", "profile", "didMethod", "url",
    "legalIdentity"}]}``; ``legalIdentity`` is ``{"country", "legalIdentifier", "legalIdentifierScheme"}``
    (set with ``PUT /api/v1/issuers/<slug>/legal-identity``)."""
    base = service().base_url
    out = [{"slug": i.slug, "did": tenants.issuer_did(i, base), "didMethod": i.did_method,
            "url": f"{base}/issuers/{i.slug}", "profile": tenants.profile_json(i, base),
            "legalIdentity": tenants.legal_identity_json(i)}
           for i in listing.issuers_of(db(), current_provider())]
    return jsonify({"issuers": out})


@bp.get("/courses/<code>")
@requires("catalogue:read")
def get_course(code: str):
    """One course of the provider's catalogue, in the shape of ``GET /api/v1/courses`` items."""
    course = next((c for c in catalogue.list_courses(db(), current_provider()) if c["code"] == code), None)
    if course is None:
        raise NotFound(f"course {code!r} is not in your catalogue")
    return jsonify(course)
