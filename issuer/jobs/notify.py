"""Notification runners: webhook deliveries and learner e-mail as periodic functions of every job
runner (``issuer worker``, and the in-process runner of ``issuer serve``; :mod:`.periodic`).

Each call sends what is due in rounds (:func:`issuer.notify.dispatch.deliver_due`,
:func:`issuer.notify.mail.send_due`) until nothing more is due or :data:`BUDGET_SECONDS` is spent,
so a backlog (a batch of 100,000 with a webhook subscribed) drains without starving the other
periodic functions. Several runners may run them at once: the rows are claimed with
``FOR UPDATE SKIP LOCKED`` and leases (see those modules).
"""
from __future__ import annotations

import time
from datetime import datetime
from typing import Callable

from ..notify import dispatch, mail
from . import periodic

__all__ = ["BUDGET_SECONDS", "deliver_webhooks", "send_learner_email", "WEBHOOKS", "EMAIL"]

BUDGET_SECONDS = 10.0
WEBHOOK_ROUND = 50
EMAIL_ROUND = 20


def _drain(step: Callable[[], int], round_size: int, budget: float, clock: Callable[[], float]) -> int:
    total, started = 0, clock()
    while True:
        done = step()
        total += done
        if done < round_size or clock() - started >= budget:
            return total


def deliver_webhooks(service, now: datetime, *, budget: float = BUDGET_SECONDS,
                     clock: Callable[[], float] = time.monotonic) -> int:
    """Send the webhook deliveries due at ``now`` (aware UTC) through the SSRF-guarded client, for
    at most ``budget`` seconds (``clock``: monotonic seconds); how many attempts were made."""
    send = dispatch.sender(service)
    return _drain(lambda: dispatch.deliver_due(service, now, send=send, limit=WEBHOOK_ROUND), WEBHOOK_ROUND,
                  budget, clock)


def send_learner_email(service, now: datetime, *, budget: float = BUDGET_SECONDS,
                       clock: Callable[[], float] = time.monotonic) -> int:
    """Send the learner e-mails due at ``now`` (SMTP or the outbox folder), for at most ``budget``
    seconds; how many were attempted."""
    return _drain(lambda: mail.send_due(service, now, limit=EMAIL_ROUND), EMAIL_ROUND, budget, clock)


WEBHOOKS = periodic.register("webhook-deliveries", lambda config: config["NOTIFY_POLL_SECONDS"], deliver_webhooks)
EMAIL = periodic.register("learner-email", lambda config: config["NOTIFY_POLL_SECONDS"], send_learner_email)
