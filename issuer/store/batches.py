"""Batches and their items in the database: creation, claims, progress counts, paging, the sweep's
queries. Transactions are the caller's (``issuer.jobs.batches`` and the API).

Item states: ``pending`` -> ``running`` (claimed until ``lease_until``) -> ``issued`` | ``failed``.
A claim is one ``UPDATE ... WHERE state is claimable RETURNING id``, so two workers never both
hold an item while its lease runs; exactly-once issuance itself rests on the credential's
primary key (see :func:`item_credential_id`), not on the claim.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import and_, func, insert, or_, select, update
from sqlalchemy.orm import Session

from ..badges.timestamps import as_utc
from ..errors import NotFound
from .models import Batch, BatchItem, Course, CourseSkill, Credential, IssuerProfile

__all__ = ["PENDING", "RUNNING", "ISSUED", "FAILED", "item_credential_id", "find_by_key", "create", "get_owned",
           "counts", "page_items", "claim", "mark_started", "record", "finish", "unfinished", "redo_positions",
           "last_activity", "claim_sweep", "mark_enqueued", "pending_items", "course_states", "issuer_slugs",
           "credential_keys"]

PENDING, RUNNING, ISSUED, FAILED = "pending", "running", "issued", "failed"
_NAMESPACE = uuid.UUID("6f1c3e0a-2b7d-5c1e-9a44-0c8b3d2e1f57")  # batch items (fixed: ids must never change)


def item_credential_id(batch_id: str, position: int) -> str:
    """The credential id of a batch item: UUIDv5 (RFC 9562 §5.5) of ``"<batch id>/<position>"``,
    so every run of the item's job names the same credential and a second insert hits the key."""
    return str(uuid.uuid5(_NAMESPACE, f"{batch_id}/{position}"))


def _claimable(now: datetime):
    return or_(BatchItem.state == PENDING, and_(BatchItem.state == RUNNING, BatchItem.lease_until < now))


def find_by_key(session: Session, provider_id: int, key: str) -> Batch | None:
    """The provider's batch submitted under ``Idempotency-Key`` ``key``, or None."""
    return session.scalar(select(Batch).where(Batch.provider_id == provider_id, Batch.idempotency_key == key))


def create(session: Session, batch: dict, items: list[dict]) -> None:
    """Insert the batch row (``batch``: column values) and its items (``position``, ``index``,
    ``request``, ``idempotency_key``, ``state``, ``problem``) as one multi-row insert. No commit."""
    session.execute(insert(Batch), [batch])
    now = batch["created_at"]
    rows = [{"batch_id": batch["id"], "attempts": 0, "updated_at": now, "credential_id": None,
             "lease_until": None, **item} for item in items]
    for start in range(0, len(rows), 2000):
        session.execute(insert(BatchItem), rows[start:start + 2000])


def get_owned(session: Session, provider_id: int, batch_id: str) -> Batch:
    """The batch ``batch_id`` of provider ``provider_id``; ``NotFound`` (404) for another's or none."""
    row = session.get(Batch, batch_id) if len(batch_id) <= 36 else None
    if row is None or row.provider_id != provider_id:
        raise NotFound(f"no batch {batch_id!r}")
    return row


def counts(session: Session, batch_id: str) -> dict[str, int]:
    """Items per state: ``{"pending", "running", "issued", "failed"}`` (zeros included)."""
    out = {PENDING: 0, RUNNING: 0, ISSUED: 0, FAILED: 0}
    for state, n in session.execute(select(BatchItem.state, func.count()).where(BatchItem.batch_id == batch_id)
                                    .group_by(BatchItem.state)):
        out[state] = n
    return out


def page_items(session: Session, batch_id: str, after: int, limit: int) -> list[BatchItem]:
    """Up to ``limit`` items with ``position > after``, in position order."""
    return list(session.scalars(select(BatchItem).where(BatchItem.batch_id == batch_id, BatchItem.position > after)
                                .order_by(BatchItem.position).limit(limit)))


def claim(session: Session, batch_id: str, lo: int, hi: int, *, now: datetime, lease: timedelta,
          limit: int) -> list[BatchItem]:
    """Claim up to ``limit`` claimable items with ``lo <= position < hi`` until ``now + lease``:
    pending ones, and running ones whose lease ran out (their worker died). Returns the claimed
    rows (position order); the caller commits at once so other workers see the claim."""
    ids = list(session.scalars(select(BatchItem.id).where(
        BatchItem.batch_id == batch_id, BatchItem.position >= lo, BatchItem.position < hi, _claimable(now))
        .order_by(BatchItem.position).limit(limit)))
    if not ids:
        return []
    claimed = set(session.scalars(
        update(BatchItem).where(BatchItem.id.in_(ids), _claimable(now))
        .values(state=RUNNING, lease_until=now + lease, attempts=BatchItem.attempts + 1, updated_at=now)
        .returning(BatchItem.id)))
    if not claimed:
        return []
    rows = session.scalars(select(BatchItem).where(BatchItem.id.in_(claimed)).order_by(BatchItem.position))
    return list(rows)


def mark_started(session: Session, batch_id: str, now: datetime) -> None:
    """Set the batch's ``started_at`` once (the first claim)."""
    session.execute(update(Batch).where(Batch.id == batch_id, Batch.started_at.is_(None)).values(started_at=now))


def record(session: Session, item_id: int, *, state: str, now: datetime, credential_id: str | None = None,
           problem: dict | None = None) -> None:
    """Store an item's outcome (``issued`` with its credential id, or ``failed`` with a problem)."""
    values = {"state": state, "credential_id": credential_id, "problem": problem, "lease_until": None,
              "updated_at": now}
    if state == ISSUED:
        values["request"] = None  # the credential now holds what the request said
    # Core on the session's connection (once per item; no ORM object of the item is in this session)
    session.connection().execute(update(BatchItem.__table__).where(BatchItem.id == item_id).values(**values))


def finish(session: Session, batch_id: str, now: datetime) -> bool:
    """Mark the batch done when no item is pending or running; True only for the one call that
    did it (a conditional update), so completion is observed exactly once."""
    open_items = select(BatchItem.id).where(BatchItem.batch_id == batch_id,
                                            BatchItem.state.in_((PENDING, RUNNING))).exists()
    result = session.execute(update(Batch).where(Batch.id == batch_id, Batch.finished_at.is_(None), ~open_items)
                             .values(finished_at=now))
    return result.rowcount == 1


def unfinished(session: Session, limit: int = 1000) -> list[Batch]:
    """Batches not finished yet, oldest first."""
    return list(session.scalars(select(Batch).where(Batch.finished_at.is_(None)).order_by(Batch.created_at)
                                .limit(limit)))


def redo_positions(session: Session, batch_id: str, now: datetime, *, pending: bool) -> list[int]:
    """Positions of items to hand out again: running ones whose lease ran out, and (``pending``)
    pending ones."""
    cond = and_(BatchItem.state == RUNNING, BatchItem.lease_until < now)
    if pending:
        cond = or_(cond, BatchItem.state == PENDING)
    return list(session.scalars(select(BatchItem.position).where(BatchItem.batch_id == batch_id, cond)
                                .order_by(BatchItem.position)))


def last_activity(session: Session, batch: Batch) -> datetime:
    """The latest of the batch's item updates, its enqueueing and its last sweep."""
    moments = [session.scalar(select(func.max(BatchItem.updated_at)).where(BatchItem.batch_id == batch.id)),
               batch.enqueued_at, batch.swept_at, batch.created_at]
    return max(as_utc(m) for m in moments if m is not None)




def claim_sweep(session: Session, batch: Batch, now: datetime) -> bool:
    """Record that this sweeper re-enqueues ``batch`` now; False when another sweeper recorded
    it since ``batch`` was read (compare-and-set on ``swept_at``)."""
    cond = Batch.swept_at.is_(None) if batch.swept_at is None else Batch.swept_at == batch.swept_at
    return session.execute(update(Batch).where(Batch.id == batch.id, cond).values(swept_at=now)).rowcount == 1


def mark_enqueued(session: Session, batch_id: str, now: datetime) -> None:
    """The batch's jobs are on the queue (after the broker accepted them)."""
    session.execute(update(Batch).where(Batch.id == batch_id).values(enqueued_at=now))


def pending_items(session: Session) -> int:
    """Items of every batch still to issue (pending or running): the job queue's depth in items."""
    return session.scalar(select(func.count()).select_from(BatchItem).join(Batch, Batch.id == BatchItem.batch_id)
                          .where(Batch.finished_at.is_(None), BatchItem.state.in_((PENDING, RUNNING)))) or 0


def course_states(session: Session, provider_id: int) -> dict[str, bool]:
    """The provider's course codes -> whether the course is mapped to at least one skill."""
    mapped = select(CourseSkill.id).where(CourseSkill.course_id == Course.id).exists()
    return {code: bool(m) for code, m in session.execute(
        select(Course.code, mapped).where(Course.provider_id == provider_id))}


def issuer_slugs(session: Session, provider_id: int) -> set[str]:
    """The slugs of the provider's issuer profiles."""
    return set(session.scalars(select(IssuerProfile.slug).where(IssuerProfile.provider_id == provider_id)))


def credential_keys(session: Session, provider_id: int, keys: list[str]) -> dict[str, str | None]:
    """Of ``keys``, those the provider already issued a credential under: key -> request hash."""
    out: dict[str, str | None] = {}
    for start in range(0, len(keys), 500):
        out.update(session.execute(select(Credential.idempotency_key, Credential.request_hash).where(
            Credential.provider_id == provider_id, Credential.idempotency_key.in_(keys[start:start + 500]))).all())
    return out
