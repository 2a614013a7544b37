"""Sending due webhook deliveries, with retries (Standard Webhooks §Retry schedule,
https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md).

:func:`deliver_due` is a plain function for the job runner (``issuer worker`` and the in-process
runner of ``issuer serve``): it locks up to ``limit`` due deliveries in a short transaction
(``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so several workers share the work), leases them, sends
each one outside any transaction, and records the attempt in a second short transaction. A worker
killed while sending leaves its deliveries due again when the lease ends (:func:`lease_for`: 2 min
plus one timeout per delivery taken), so a delivery is sent at least once; receivers de-duplicate
by ``webhook-id``.

A 2xx answer delivers. Anything else (another status, a redirect - never followed -, a refused
address, a timeout) is retried after :data:`RETRY_SCHEDULE`: immediately, 5 s, 5 min, 30 min, 2 h,
5 h, 10 h and 10 h, i.e. 8 attempts over 27 h 35 min; then the delivery is ``failed``.
"""
from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Callable

from ..resolve.fetch import FetchError, PostResult, SafeFetcher
from ..signing.keystore import SecretBox
from ..store import notify as store
from ..store.notify_models import WebhookAttempt
from . import webhooks

__all__ = ["RETRY_SCHEDULE", "LEASE", "lease_for", "TIMEOUT_SECONDS", "MAX_ANSWER_BYTES", "deliver_due", "next_attempt",
           "webhook_fetcher", "sender"]

RETRY_SCHEDULE = (timedelta(0), timedelta(seconds=5), timedelta(minutes=5), timedelta(minutes=30),
                  timedelta(hours=2), timedelta(hours=5), timedelta(hours=10), timedelta(hours=10))
LEASE = timedelta(minutes=2)      # plus TIMEOUT_SECONDS per delivery taken: then a dead worker's are due again
MAX_ANSWER_CHARS = 1024           # of the receiver's answer, kept in the log
MAX_ANSWER_BYTES = 4096           # read of the receiver's answer; the rest is never read
TIMEOUT_SECONDS = 10.0            # one attempt: connect, TLS, request and answer together
PARALLEL = 4                      # attempts in flight per round (and at most 2 to one host: the fetcher's cap)
Send = Callable[[str, bytes, dict], PostResult]


def webhook_fetcher(service) -> SafeFetcher:
    """The service's SSRF-guarded client for webhook URLs (one per service): https only and public
    addresses only, unless the test-only ``ALLOW_PRIVATE_FETCH`` is on; :data:`TIMEOUT_SECONDS`;
    no redirect is followed."""
    fetcher = service.caches.get("webhook_fetcher")
    if fetcher is None:
        private = bool(service.config.get("ALLOW_PRIVATE_FETCH"))
        fetcher = SafeFetcher(allow_http=private, allow_private=private, timeout=TIMEOUT_SECONDS,
                              max_redirects=0, cache_ttl=0, failure_ttl=0, max_concurrent=8, max_per_host=2,
                              user_agent="ob3-issuer-webhooks (+https://www.standardwebhooks.com/)")
        service.caches["webhook_fetcher"] = fetcher
    return fetcher


def sender(service) -> Send:
    """``send(url, body, headers)`` for :func:`deliver_due` through :func:`webhook_fetcher` (the
    address is checked again at every attempt, against DNS rebinding)."""
    fetcher = webhook_fetcher(service)
    return lambda url, body, headers: fetcher.post(url, body, headers=headers, max_answer_bytes=MAX_ANSWER_BYTES)


def lease_for(limit: int, timeout_seconds: float = TIMEOUT_SECONDS) -> timedelta:
    """How long ``limit`` claimed deliveries (or e-mails, with the SMTP timeout) stay with their
    worker: :data:`LEASE` plus one full ``timeout_seconds`` each, so a live worker sending to slow
    receivers never loses its claim to another."""
    return LEASE + limit * timedelta(seconds=timeout_seconds)


def next_attempt(attempts: int, now: datetime, schedule: tuple[timedelta, ...] = RETRY_SCHEDULE) -> datetime | None:
    """When to try again after ``attempts`` failed attempts (1 = the first failed) on ``schedule``
    (webhooks' by default; e-mail has its own), or None when the schedule is used up and the
    delivery fails for good."""
    return now + schedule[attempts] if attempts < len(schedule) else None


def _answer(result: PostResult) -> str:
    text = result.body.decode("utf-8", "replace")[:MAX_ANSWER_CHARS]
    return text + ("…" if result.truncated or len(result.body) > MAX_ANSWER_CHARS else "")


def deliver_due(service, now: datetime, *, send: Send, limit: int = 50,
                clock: Callable[[], float] = time.monotonic) -> int:
    """Send up to ``limit`` webhook deliveries due at ``now`` (aware UTC) through ``send(url, body,
    headers) -> PostResult`` (which raises :class:`FetchError` for a refused URL or a transport
    failure; :meth:`issuer.resolve.fetch.SafeFetcher.post`). Returns how many were attempted.

    Each attempt is logged (status code or error, the answer's first 1,024 characters, duration in
    ms from ``clock``, monotonic seconds); up to :data:`PARALLEL` attempts run at once, and all of a
    round are recorded in one transaction. Success marks the delivery ``delivered``, a failure
    schedules the next try (:data:`RETRY_SCHEDULE`) or marks it ``failed``."""
    box = SecretBox(service.config["SECRET_KEY"])
    with service.session(write=True) as session:
        claimed = store.claim_due_deliveries(session, now, limit=limit, lease_until=now + lease_for(limit))
        jobs = []
        for delivery in claimed:
            endpoint = delivery.endpoint
            if endpoint.deleted_at is not None or not endpoint.enabled:
                delivery.state, delivery.next_attempt_at = "cancelled", None
                continue
            try:
                secret = box.open(endpoint.secret_sealed, endpoint.id).decode("ascii")
            except ValueError:  # sealed under another master key: cannot sign, never will
                delivery.state, delivery.next_attempt_at = "failed", None
                continue
            body, headers = webhooks.message(delivery.id, delivery.event, secret, now)
            jobs.append((delivery.id, endpoint.url, body, headers))
        session.commit()
    if not jobs:
        return 0
    with ThreadPoolExecutor(max_workers=min(PARALLEL, len(jobs))) as pool:
        results = list(pool.map(lambda job: _attempt(send, clock, *job), jobs))
    _record(service, now, results)
    return len(jobs)


def _attempt(send: Send, clock: Callable[[], float], delivery_id: str, url: str, body: bytes,
             headers: dict) -> tuple:
    started = clock()
    status, error, answer = None, None, None
    try:
        result = send(url, body, headers)
        status, answer = result.status, _answer(result)
    except FetchError as exc:
        error = f"{exc.code}: {exc.message}"[:500]
    return delivery_id, status, error, answer, int((clock() - started) * 1000)


def _record(service, now: datetime, results: list[tuple]) -> None:
    """Log the attempts of one round and schedule what failed, in one short transaction."""
    with service.session(write=True) as session:
        for delivery_id, status, error, answer, elapsed_ms in results:
            delivery = store.delivery_by_id(session, delivery_id, for_update=True)
            session.add(WebhookAttempt(delivery_id=delivery_id, at=now, status_code=status, error=error,
                                       response=answer, duration_ms=elapsed_ms))
            delivery.attempts += 1
            delivery.last_attempt_at, delivery.last_status = now, status
            if delivery.state != "pending":  # cancelled (endpoint deleted) while we were sending
                continue
            if status is not None and 200 <= status < 300:
                delivery.state, delivery.delivered_at, delivery.next_attempt_at = "delivered", now, None
            else:
                delivery.next_attempt_at = next_attempt(delivery.attempts, now)
                if delivery.next_attempt_at is None:
                    delivery.state = "failed"
        session.commit()
