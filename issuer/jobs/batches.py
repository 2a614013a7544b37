"""Batches: validate and store a bulk issuance request, issue its items in chunks, sweep stuck work.

* :func:`validate_rows` checks every row the way ``POST /api/v1/credentials`` would
  (``issuance.parse_issue_request``, the course in the catalogue and mapped, the issuer profile,
  idempotency keys) and reports problems per row (CSV line or array index).
* :func:`submit` stores the batch and its items in one transaction (the caller commits).
* :func:`run_chunk` is the job: it claims items of a position range in small groups and issues
  each through ``issuance.issue_credential`` in a savepoint, under the item's deterministic
  credential id, so a job that runs twice (a worker killed after committing, before the broker
  heard the ack) meets the primary key and issues nothing twice.
* :func:`sweep` (a periodic function) re-enqueues items whose worker died (lease ran out) and the
  pending items of batches that made no progress for ``BATCH_STALL_SECONDS`` (a job lost between
  the commit of the batch and the enqueue, or an in-memory queue lost with its process).
"""
from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError

from .. import issuance
from ..badges.timestamps import as_utc, iso_z
from ..errors import IssuerError, ValidationFailed
from ..exchanges.by_email import offer_by_email, wants_email
from ..issuance import IssuanceContext
from ..notify.events import record_event
from ..store import batches as store
from ..store.models import Batch, Credential, Provider

__all__ = ["Row", "RowProblem", "validate_rows", "submit", "batch_fingerprint", "run_chunk", "sweep", "progress",
           "chunk_starts", "ON_INVALID"]

log = logging.getLogger(__name__)

ON_INVALID = ("reject", "issueValid")
_IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,200}$")


@dataclass
class Row:
    """One row of a submitted batch: ``index`` (CSV line or array index), the issue request
    ``body``, the item's ``idempotency_key`` and problems found while reading it (CSV cells)."""

    index: int
    body: object
    idempotency_key: str | None = None
    problems: list[dict] = field(default_factory=list)


@dataclass
class RowProblem:
    index: int
    errors: list[dict]

    def flat(self) -> list[dict]:
        """The problems as ``{"index", "path", "message"}`` entries (the 422 ``errors`` list)."""
        return [{"index": self.index, "path": e.get("path", ""), "message": e.get("message", "")}
                for e in self.errors]


def _problems_of(exc: IssuerError) -> list[dict]:
    if exc.errors:
        return [{"path": e.get("path", ""), "message": e.get("message", str(e))} for e in exc.errors]
    return [{"path": "", "message": exc.detail}]


def validate_rows(session, provider: Provider, rows: list[Row], *, now: datetime, skew: timedelta,
                  send_email: bool | None = None) -> tuple[list[Row], list[RowProblem]]:
    """Check every row as ``POST /api/v1/credentials`` would, without issuing: the request body
    (``issuance.parse_issue_request``), the course (in the provider's catalogue and mapped to
    skills), the issuer profile, and the item idempotency key (syntax, not twice in the batch, not
    used before for another request). ``send_email`` (the batch's ``sendEmail``) is copied into
    rows that do not set it (``true`` only into rows with a learner e-mail address). Returns (valid rows, problems of the others)."""
    courses = store.course_states(session, provider.id)
    issuers = store.issuer_slugs(session, provider.id)
    earlier = store.credential_keys(session, provider.id, [r.idempotency_key for r in rows
                                                           if isinstance(r.idempotency_key, str)])
    seen: dict[str, int] = {}
    valid, problems = [], []
    for row in rows:
        errors = list(row.problems)
        body = row.body
        if not isinstance(body, dict):
            problems.append(RowProblem(row.index, errors + [{"path": "", "message": "an item must be a JSON object"}]))
            continue
        learner = body.get("learner")
        if send_email is not None and "sendEmail" not in body and \
                (not send_email or (isinstance(learner, dict) and "email" in learner)):
            body["sendEmail"] = send_email  # the batch's flag; learners known by DID only get no e-mail
        if "offer" in body:
            errors.append({"path": "/offer", "message": "claim offers are not made in batches (their secret is "
                           "shown once); make them per credential: POST /api/v1/credentials/<id>/offer"})
        key = row.idempotency_key
        if key is not None:
            if not isinstance(key, str) or not _IDEMPOTENCY_KEY.match(key):
                errors.append({"path": "/idempotencyKey", "message": "1-200 visible ASCII characters"})
            elif key in seen:
                errors.append({"path": "/idempotencyKey", "message": f"also used by the item at {seen[key]}"})
            else:
                seen[key] = row.index
                if key in earlier and earlier[key] != issuance.request_fingerprint(body):
                    errors.append({"path": "/idempotencyKey",
                                   "message": "already used for a different request (idempotency_key_reused)"})
        try:
            request = issuance.parse_issue_request(body, now=now, skew=skew)
            wants_email(request.send_email, provider.email_learners, request.learner.email)
        except IssuerError as exc:
            problems.append(RowProblem(row.index, errors + _problems_of(exc)))
            continue
        state = courses.get(request.course)
        if state is None:
            errors.append({"path": "/course", "message": f"course {request.course!r} is not in your catalogue"})
        elif not state:
            errors.append({"path": "/course", "message": f"course {request.course!r} is not mapped to any "
                           "competence-matrix skill"})
        if request.issuer is not None and request.issuer not in issuers:
            errors.append({"path": "/issuer", "message": f"no issuer profile {request.issuer!r} of yours"})
        if not issuers:
            errors.append({"path": "/issuer", "message": "this provider has no issuer profile yet"})
        if errors:
            problems.append(RowProblem(row.index, errors))
        else:
            valid.append(row)
    return valid, problems


def batch_fingerprint(parts: dict) -> str:
    """What a batch ``Idempotency-Key`` is bound to: SHA-256 of the canonical JSON of ``parts``
    (the body or the CSV text, and the options)."""
    return issuance.request_fingerprint(parts)


def submit(session, provider: Provider, rows: list[Row], problems: list[RowProblem], *, batch_id: str,
           now: datetime, on_invalid: str, source: str, chunk_size: int, actor: str,
           idempotency_key: str | None, fingerprint: str) -> dict:
    """Store the batch: valid ``rows`` as ``pending`` items, the rows of ``problems`` as ``failed``
    items with their problem (``on_invalid == "issueValid"``). Items are ordered by index; the
    caller commits, then enqueues. Returns the batch's column values."""
    entries = [(r.index, r, None) for r in rows] + [(p.index, None, p) for p in problems]
    entries.sort(key=lambda e: e[0])
    items = []
    for position, (index, row, problem) in enumerate(entries):
        if row is not None:
            items.append({"position": position, "index": index, "request": json.dumps(row.body, ensure_ascii=False),
                          "idempotency_key": row.idempotency_key, "state": store.PENDING, "problem": None})
        else:
            items.append({"position": position, "index": index, "request": None, "idempotency_key": None,
                          "state": store.FAILED, "problem": ValidationFailed(
                              "the row cannot be issued", errors=problem.errors).to_problem()})
    batch = {"id": batch_id, "provider_id": provider.id, "idempotency_key": idempotency_key,
             "request_hash": fingerprint, "source": source, "on_invalid": on_invalid, "total": len(items),
             "chunk_size": chunk_size, "actor": actor[:100], "created_at": now, "enqueued_at": None,
             "started_at": None, "finished_at": None, "swept_at": None}
    store.create(session, batch, items)
    if not rows:
        _finish(session, Batch(id=batch_id, provider_id=provider.id, total=len(items)), now)
    return batch


def chunk_starts(positions, chunk_size: int) -> list[int]:
    """The first positions of the chunks (ranges of ``chunk_size``) holding ``positions``."""
    return sorted({p - p % chunk_size for p in positions})


def _finish(session, batch, now: datetime) -> bool:
    """Mark ``batch`` done if nothing is left; the one caller that did records ``batch.completed``
    (same transaction, so the event is neither lost nor doubled)."""
    if not store.finish(session, batch.id, now):
        return False
    counts = store.counts(session, batch.id)
    record_event(session, provider_id=batch.provider_id, type="batch.completed", now=now,
                 data={"batchId": batch.id, "total": batch.total, "issued": counts[store.ISSUED],
                       "failed": counts[store.FAILED]})
    return True


def _issue_item(service, session, provider: Provider, batch, item,
                ctx: IssuanceContext) -> tuple[str, str | None, dict | None]:
    """Issue one claimed item inside the caller's transaction: (state, credential id, problem)."""
    credential_id = store.item_credential_id(batch.id, item.position)
    if item.attempts > 1 and session.get(Credential, credential_id) is not None:  # a re-run (first runs skip the look-up)
        return store.ISSUED, credential_id, None
    body = json.loads(item.request)
    fingerprint = issuance.request_fingerprint(body)
    try:
        with session.begin_nested():
            existing = issuance.find_idempotent(session, provider, item.idempotency_key, fingerprint)
            if existing is not None:
                return store.ISSUED, existing.id, None
            request = issuance.parse_issue_request(body, now=ctx.now, skew=ctx.clock_skew)
            row = issuance.issue_credential(session, provider, request, ctx, actor=batch.actor,
                                            idempotency_key=item.idempotency_key, fingerprint=fingerprint,
                                            credential_id=credential_id)
            if wants_email(request.send_email, provider.email_learners, request.learner.email):
                offer_by_email(session, service, row, recipient=request.learner.email.strip())
        return store.ISSUED, credential_id, None
    except IssuerError as exc:  # e.g. the course was deleted or unmapped since submission
        return store.FAILED, None, exc.to_problem()
    except IntegrityError:
        # another run of this item (or another request with its idempotency key) committed first
        if session.get(Credential, credential_id) is not None:
            return store.ISSUED, credential_id, None
        existing = issuance.find_idempotent(session, provider, item.idempotency_key, fingerprint)
        if existing is not None:
            return store.ISSUED, existing.id, None
        raise


def run_chunk(service, batch_id: str, lo: int, hi: int) -> dict:
    """The job: issue the claimable items of ``batch_id`` with ``lo <= position < hi``.

    Items are claimed ``BATCH_GROUP_SIZE`` at a time (lease ``BATCH_LEASE_SECONDS``); each group is
    one transaction with a savepoint per item. Items claimed by a live worker are left to it.
    Returns ``{"issued", "failed"}`` counts of this run. An unexpected error propagates (the queue
    retries the message; finished items are skipped then)."""
    config = service.config
    lease = timedelta(seconds=config["BATCH_LEASE_SECONDS"])
    group = config["BATCH_GROUP_SIZE"]
    done = {"issued": 0, "failed": 0}
    with service.session() as session:
        batch = session.get(Batch, batch_id)
        if batch is None or batch.finished_at is not None:
            return done
        session.expunge(batch)
    provider = None
    while True:
        now = service.clock()
        with service.session(write=True) as session:
            claimed = store.claim(session, batch_id, lo, hi, now=now, lease=lease, limit=group)
            if claimed:
                store.mark_started(session, batch_id, now)
            session.commit()
        if not claimed:
            break
        now = service.clock()
        ctx = issuance.context_for(service, now)
        ctx.memo = {}  # one group, one transaction: the course, issuer and open lists are read once
        with service.session(write=True) as session:
            try:
                provider = session.get(Provider, batch.provider_id)
                for item in claimed:
                    state, credential_id, problem = _issue_item(service, session, provider, batch, item, ctx)
                    store.record(session, item.id, state=state, now=now, credential_id=credential_id, problem=problem)
                    done[state] += 1
                session.commit()
            except Exception:
                session.rollback()
                raise
    with service.session(write=True) as session:
        finished = _finish(session, batch, service.clock())
        session.commit()
    if finished:
        log.info("batch %s finished", batch_id)
    return done


def sweep(service, now: datetime) -> list[tuple[str, list[int]]]:
    """Find stuck work and hand it out again; returns ``[(batch id, chunk starts enqueued)]``.

    For each unfinished batch: a batch with nothing left to do is marked finished; items whose
    lease ran out (their worker died) are re-enqueued; when the batch made no progress for
    ``BATCH_STALL_SECONDS`` and no message waits on the queue, its pending items are re-enqueued
    too (a job lost between commit and enqueue). A compare-and-set on ``swept_at`` lets one sweeper act per batch and round."""
    stall = timedelta(seconds=service.config["BATCH_STALL_SECONDS"])
    # Messages waiting on the queue: a batch without progress is then most likely waiting its turn
    # behind other work, not lost (unknown counts as empty).
    waiting = bool(getattr(service.jobs, "queued", lambda: None)())
    out = []
    with service.session() as session:
        candidates = store.unfinished(session)
        session.expunge_all()
    for batch in candidates:
        with service.session(write=True) as session:
            if _finish(session, batch, now):
                session.commit()
                continue
            stalled = store.last_activity(session, batch) < now - stall and not waiting
            positions = store.redo_positions(session, batch.id, now, pending=stalled)
            if not positions or not store.claim_sweep(session, batch, now):
                session.rollback()
                continue
            session.commit()
        starts = chunk_starts(positions, batch.chunk_size)
        enqueue = service.jobs.enqueue_chunks if service.jobs is not None else None
        if enqueue is not None:
            enqueue(batch.id, starts, batch.chunk_size)
            log.info("sweep: re-enqueued %d chunk(s) of batch %s", len(starts), batch.id)
            out.append((batch.id, starts))
    return out


def progress(session, batch, now: datetime, base_url: str) -> dict:
    """``GET /api/v1/batches/<id>``: ``{"id", "url", "itemsUrl", "status", "total", "issued",
    "failed", "pending", "rate", "eta", "createdAt", "startedAt", "finishedAt"}``. ``rate`` is
    credentials issued per second since the first claim (null before), ``eta`` the seconds left
    at that rate (0 when done, null when unknown)."""
    counts = store.counts(session, batch.id)
    pending = counts[store.PENDING] + counts[store.RUNNING]
    started, finished = as_utc(batch.started_at), as_utc(batch.finished_at)
    status = "done" if finished is not None or pending == 0 else ("running" if started else "pending")
    rate = eta = None
    if started is not None:
        elapsed = ((finished or now) - started).total_seconds()
        rate = round(counts[store.ISSUED] / elapsed, 2) if elapsed > 0 else None
    if status == "done":
        eta = 0
    elif rate:
        eta = round(pending / rate, 1)
    url = f"{base_url}/api/v1/batches/{batch.id}"
    return {"id": batch.id, "url": url, "itemsUrl": f"{url}/items", "status": status, "total": batch.total,
            "issued": counts[store.ISSUED], "failed": counts[store.FAILED], "pending": pending, "rate": rate,
            "eta": eta, "createdAt": iso_z(batch.created_at),
            "startedAt": iso_z(started) if started else None, "finishedAt": iso_z(finished) if finished else None}

