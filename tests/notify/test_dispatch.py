"""Several workers sending at once (issue #12 §2-3): each due delivery is taken by one worker only
(``FOR UPDATE SKIP LOCKED`` plus a lease on PostgreSQL; the write lock on SQLite), and a worker
that dies while sending leaves its deliveries due again after the lease."""
from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from issuer.notify import dispatch
from issuer.notify.events import record_event
from issuer.resolve.fetch import PostResult
from issuer.signing.keystore import SecretBox
from issuer.store.models import Provider
from issuer.store.notify_models import WebhookDelivery, WebhookEndpoint


def _setup(service, count: int) -> None:
    now = datetime.now(timezone.utc)
    with service.session(write=True) as session:
        provider_id = session.scalar(select(Provider.id).where(Provider.slug == "emob-academy"))
        box = SecretBox(service.config["SECRET_KEY"])
        session.add(WebhookEndpoint(id="ep_x", provider_id=provider_id, url="https://hooks.example.org/x",
                                    events=["batch.completed"], created_at=now, enabled=True,
                                    secret_sealed=box.seal(dispatch.webhooks.new_secret().encode(), "ep_x")))
        session.flush()
        for i in range(count):
            record_event(session, provider_id=provider_id, type="batch.completed", data={"batchId": str(i)}, now=now)
        session.commit()


def test_concurrent_workers_send_each_delivery_once(service, demo):
    _setup(service, 24)
    sent: Counter = Counter()
    lock = threading.Lock()

    def send(url, body, headers):
        time.sleep(0.01)
        with lock:
            sent[headers["webhook-id"]] += 1
        return PostResult(url, 200, {}, b"", False)

    def worker():
        while dispatch.deliver_due(service, datetime.now(timezone.utc), send=send, limit=4):
            pass

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(sent) == 24 and set(sent.values()) == {1}
    with service.session() as session:
        assert set(session.scalars(select(WebhookDelivery.state))) == {"delivered"}


def test_a_worker_that_died_while_sending_leaves_the_delivery_due_after_the_lease(service, demo):
    _setup(service, 1)
    now = datetime.now(timezone.utc)

    def die(url, body, headers):
        raise KeyboardInterrupt  # the process is killed between claiming and recording

    try:
        dispatch.deliver_due(service, now, send=die)
    except KeyboardInterrupt:
        pass
    ok = lambda url, body, headers: PostResult(url, 200, {}, b"", False)  # noqa: E731
    lease = dispatch.lease_for(50)
    assert lease >= dispatch.LEASE + 50 * timedelta(seconds=dispatch.TIMEOUT_SECONDS)  # a slow live worker keeps it
    assert dispatch.deliver_due(service, now + lease / 2, send=ok) == 0  # still leased
    assert dispatch.deliver_due(service, now + lease, send=ok) == 1
    with service.session() as session:
        [delivery] = session.scalars(select(WebhookDelivery))
        assert delivery.state == "delivered" and delivery.attempts == 1


def test_a_secret_sealed_under_another_master_key_fails_the_delivery_without_sending(service, demo):
    _setup(service, 1)
    with service.session(write=True) as session:
        endpoint = session.get(WebhookEndpoint, "ep_x")
        endpoint.secret_sealed = SecretBox("another-master-key-" + "m" * 32).seal(b"whsec_x", "ep_x")
        session.commit()
    sent = []
    assert dispatch.deliver_due(service, datetime.now(timezone.utc), send=lambda *a: sent.append(a)) == 0
    assert sent == []
    with service.session() as session:
        assert session.scalar(select(WebhookDelivery.state)) == "failed"
