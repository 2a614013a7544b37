"""Batches API: ``POST /api/v1/batches`` (JSON items or a CSV upload), ``GET /api/v1/batches/<id>``
(progress) and ``GET /api/v1/batches/<id>/items`` (per-item results, cursor paging). See
docs/jobs.md; the work runs on the job queue (:mod:`issuer.jobs`).
"""
from __future__ import annotations

import base64
import hashlib
import logging
from urllib.parse import urlencode

from flask import Blueprint, jsonify, request
from sqlalchemy.exc import IntegrityError

from ..errors import BadRequest, Conflict, PayloadTooLarge, UnsupportedMediaType, ValidationFailed
from ..intake.batch_csv import parse_batch_csv
from ..jobs import batches as jobs_batches
from ..jobs.queue import queue_for
from ..store import batches as store
from .context import current_provider, db, db_write, principal, requires, service
from .requests import parse_json

bp = Blueprint("batches", __name__, url_prefix="/api/v1")
log = logging.getLogger(__name__)

MAX_PAGE = 500
_OPTIONS = ("onInvalid", "sendEmail")


@bp.after_request
def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


def _flag(value, name: str) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str) and value in ("true", "false"):
        return value == "true"
    raise BadRequest(f"{name} must be true or false")


def _body_bytes(limit: int) -> bytes:
    if request.content_length is not None and request.content_length > limit:
        raise PayloadTooLarge(f"the batch is larger than {limit} bytes (ISSUER_BATCH_MAX_BYTES)")
    request.max_content_length = limit
    data = request.get_data(cache=True)
    if len(data) > limit:
        raise PayloadTooLarge(f"the batch is larger than {limit} bytes (ISSUER_BATCH_MAX_BYTES)")
    return data


def _read_submission(config) -> tuple[list[jobs_batches.Row], dict, str, str]:
    """(rows, options, source, fingerprint) of the request: JSON ``{"items", "sendEmail"?,
    "onInvalid"?}`` or ``text/csv`` with options in the query string."""
    max_items = config["BATCH_MAX_ITEMS"]
    data = _body_bytes(config["BATCH_MAX_BYTES"])
    mimetype = request.mimetype
    unknown = sorted(set(request.args) - set(_OPTIONS))
    if unknown:
        raise BadRequest(f"unknown query parameter(s): {', '.join(unknown)}; known: {', '.join(_OPTIONS)}")
    if mimetype == "text/csv":
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise BadRequest("the CSV is not UTF-8") from None
        options = {"onInvalid": request.args.get("onInvalid"), "sendEmail": _flag(request.args.get("sendEmail"),
                                                                                   "sendEmail")}
        rows = [jobs_batches.Row(index=line, body=body, idempotency_key=key, problems=problems)
                for line, body, key, problems in parse_batch_csv(text, max_rows=max_items)]
        fingerprint = jobs_batches.batch_fingerprint({"csv": hashlib.sha256(data).hexdigest(), **options})
        source = "csv"
    elif mimetype == "application/json" or mimetype.endswith("+json"):
        if request.args:
            raise BadRequest("with a JSON body, give onInvalid and sendEmail in the body")
        body = parse_json(data)
        if not isinstance(body, dict) or not isinstance(body.get("items"), list):
            raise ValidationFailed('send {"items": [issue requests], "sendEmail"?: bool, "onInvalid"?: '
                                   '"reject" | "issueValid"}')
        extra = sorted(set(body) - {"items", *_OPTIONS})
        if extra:
            raise ValidationFailed(f"unknown member(s): {', '.join(repr(e[:40]) for e in extra[:10])}")
        if len(body["items"]) > max_items:
            raise ValidationFailed(f"the batch has more than {max_items} items (ISSUER_BATCH_MAX_ITEMS)")
        options = {"onInvalid": body.get("onInvalid"), "sendEmail": _flag(body.get("sendEmail"), "sendEmail")}
        fingerprint = jobs_batches.batch_fingerprint({"json": body})
        rows = []
        for i, item in enumerate(body["items"]):
            key = item.pop("idempotencyKey", None) if isinstance(item, dict) else None
            rows.append(jobs_batches.Row(index=i, body=item, idempotency_key=key))
        source = "json"
    else:
        raise UnsupportedMediaType(f"send the batch as application/json or text/csv (got {mimetype or 'none'!r})")
    if options["onInvalid"] is None:
        options["onInvalid"] = "reject"
    if options["onInvalid"] not in jobs_batches.ON_INVALID:
        raise BadRequest("onInvalid must be reject or issueValid")
    if not rows:
        raise ValidationFailed("the batch has no items")
    return rows, options, source, fingerprint


def _accepted(batch_id: str, status: str, code: int, *, replayed: bool = False, extra: dict | None = None):
    url = f"{service().base_url}/api/v1/batches/{batch_id}"
    response = jsonify({"id": batch_id, "url": url, "status": status, **(extra or {})})
    response.status_code = code
    response.headers["Location"] = f"/api/v1/batches/{batch_id}"
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response


def _replay(session, provider_id: int, key: str, fingerprint: str):
    existing = store.find_by_key(session, provider_id, key)
    if existing is None:
        return None
    if existing.request_hash != fingerprint:
        raise Conflict("this Idempotency-Key was already used with a different batch",
                       code_hint="idempotency_key_reused")
    status = jobs_batches.progress(session, existing, service().clock(), service().base_url)["status"]
    return _accepted(existing.id, status, 202, replayed=True)


@bp.post("/batches")
@requires("credentials:issue")
def submit_batch():
    """Validate every row, store the batch and enqueue its jobs: 202 ``{"id", "url", "status"}``."""
    svc = service()
    config = svc.config
    key = request.headers.get("Idempotency-Key")
    if key is not None and not (1 <= len(key) <= 200 and key.isascii() and key.isprintable() and " " not in key):
        raise BadRequest("Idempotency-Key must be 1-200 visible ASCII characters")
    rows, options, source, fingerprint = _read_submission(config)
    session = db_write()
    provider = current_provider(session)
    if key is not None:
        replay = _replay(session, provider.id, key, fingerprint)
        if replay is not None:
            session.rollback()
            return replay
    now = svc.clock()
    valid, problems = jobs_batches.validate_rows(session, provider, rows, now=now, skew=svc.clock_skew,
                                                 send_email=options["sendEmail"])
    if problems and (options["onInvalid"] == "reject" or not valid):
        session.rollback()
        errors = [e for p in problems for e in p.flat()][:1000]
        raise ValidationFailed(f"{len(problems)} of {len(rows)} rows cannot be issued; nothing was stored "
                               "(send onInvalid=issueValid to issue the valid rows)", errors=errors,
                               invalidRows=len(problems))
    batch_id = svc.new_id()
    try:
        batch = jobs_batches.submit(session, provider, valid, problems, batch_id=batch_id, now=now,
                                    on_invalid=options["onInvalid"], source=source,
                                    chunk_size=config["BATCH_CHUNK_SIZE"], actor=principal().actor,
                                    idempotency_key=key, fingerprint=fingerprint)
        session.commit()
    except IntegrityError:
        session.rollback()
        replay = _replay(session, provider.id, key, fingerprint) if key else None
        if replay is not None:
            return replay
        raise
    try:
        queue = queue_for(svc)
        queue.enqueue_batch(batch_id, batch["total"], batch["chunk_size"])
        store.mark_enqueued(session, batch_id, svc.clock())
        session.commit()
    except Exception:  # noqa: BLE001 - the batch is stored: the sweep enqueues it when the broker is back
        session.rollback()
        log.exception("could not enqueue batch %s; the sweep will", batch_id)
    extra = {"total": batch["total"], "invalid": len(problems)}
    if problems:
        extra["problems"] = [e for p in problems for e in p.flat()][:1000]
    return _accepted(batch_id, "done" if not valid else "pending", 202, extra=extra)


@bp.get("/batches/<batch_id>")
@requires("credentials:read")
def get_batch(batch_id: str):
    """Progress: ``{"id", "status", "total", "issued", "failed", "pending", "rate", "eta", ...}``."""
    session = db()
    batch = store.get_owned(session, current_provider().id, batch_id)
    return jsonify(jobs_batches.progress(session, batch, service().clock(), service().base_url))


def _cursor(position: int) -> str:
    return base64.urlsafe_b64encode(str(position).encode()).decode().rstrip("=")


def _after(cursor: str | None) -> int:
    if cursor is None:
        return -1
    try:
        if len(cursor) > 24:
            raise ValueError
        return int(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode())
    except (ValueError, UnicodeDecodeError):
        raise BadRequest("the cursor is not one this service gave out") from None


@bp.get("/batches/<batch_id>/items")
@requires("credentials:read")
def batch_items(batch_id: str):
    """``{"items": [{"index", "state", "credentialId" | "problem"}], "next"}``, in item order."""
    unknown = sorted(set(request.args) - {"cursor", "limit"})
    if unknown:
        raise BadRequest(f"unknown query parameter(s): {', '.join(unknown)}; known: cursor, limit")
    try:
        limit = int(request.args.get("limit", "100"))
    except ValueError:
        raise BadRequest(f"limit must be an integer from 1 to {MAX_PAGE}") from None
    if not 1 <= limit <= MAX_PAGE:
        raise BadRequest(f"limit must be an integer from 1 to {MAX_PAGE}")
    after = _after(request.args.get("cursor"))
    session = db()
    batch = store.get_owned(session, current_provider().id, batch_id)
    rows = store.page_items(session, batch.id, after, limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    base = service().base_url
    items = []
    for row in rows:
        item = {"index": row.index, "state": row.state}
        if row.credential_id:
            item["credentialId"] = row.credential_id
            item["url"] = f"{base}/api/v1/credentials/{row.credential_id}"
        if row.problem:
            item["problem"] = row.problem
        items.append(item)
    next_url = None
    if more and rows:
        next_url = f"{base}/api/v1/batches/{batch.id}/items?" + urlencode({"limit": limit,
                                                                           "cursor": _cursor(rows[-1].position)})
    response = jsonify({"items": items, "next": next_url})
    if next_url:
        response.headers["Link"] = f'<{next_url}>; rel="next"'
    return response
