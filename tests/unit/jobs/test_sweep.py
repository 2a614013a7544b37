"""The batch sweep and the job itself, driven by hand (no worker thread): a batch whose jobs were
lost between commit and enqueue, items whose worker died holding them, a job run twice."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from issuer.jobs import batches
from issuer.jobs.batches import Row
from issuer.store import batches as store
from issuer.store.models import BatchItem, Credential, Provider


class Recorder:
    """Stands in for the job queue: records what would be enqueued."""

    def __init__(self):
        self.sent: list[tuple[str, list[int], int]] = []

    def enqueue_chunks(self, batch_id, starts, chunk_size):
        self.sent.append((batch_id, list(starts), chunk_size))
        return len(starts)

    def close(self):
        """Nothing to stop."""


@pytest.fixture
def stored_batch(service, demo):
    """A committed batch of 7 items (chunks of 3), never enqueued."""
    service.jobs = Recorder()
    now = service.clock()
    with service.session(write=True) as session:
        provider = session.scalar(select(Provider).where(Provider.slug == "emob-academy"))
        rows = [Row(index=i, body={"course": "HV-2S", "learner": {"name": f"L{i}", "email": f"l{i}@example.org"}})
                for i in range(7)]
        valid, problems = batches.validate_rows(session, provider, rows, now=now, skew=timedelta(minutes=5))
        assert not problems
        batch = batches.submit(session, provider, valid, [], batch_id=service.new_id(), now=now, on_invalid="reject",
                               source="json", chunk_size=3, actor="test", idempotency_key=None, fingerprint="f")
        session.commit()
    return batch["id"]


def _states(service, batch_id):
    with service.session() as session:
        return store.counts(session, batch_id)


def test_a_batch_lost_before_enqueue_is_swept_once_stalled(service, stored_batch):
    now = service.clock()
    assert batches.sweep(service, now) == []  # not stalled yet: it may still be on its way
    later = now + timedelta(seconds=service.config["BATCH_STALL_SECONDS"] + 1)
    assert batches.sweep(service, later) == [(stored_batch, [0, 3, 6])]
    assert batches.sweep(service, later) == []  # one sweeper per batch and round (compare-and-set)
    for start in (0, 3, 6):
        batches.run_chunk(service, stored_batch, start, start + 3)
    assert _states(service, stored_batch)["issued"] == 7
    with service.session() as session:
        assert session.get(store.Batch, stored_batch).finished_at is not None


def test_items_of_a_dead_worker_are_handed_out_when_their_lease_ends(service, stored_batch):
    now = service.clock()
    with service.session(write=True) as session:  # a worker claims 3 items, then dies
        claimed = store.claim(session, stored_batch, 0, 3, now=now, lease=timedelta(seconds=60), limit=3)
        session.commit()
    assert len(claimed) == 3
    batches.run_chunk(service, stored_batch, 0, 3)  # the redelivered message leaves them to their claimer
    assert _states(service, stored_batch)["running"] == 3
    assert batches.sweep(service, now + timedelta(seconds=30)) == []
    assert batches.sweep(service, now + timedelta(seconds=61)) == [(stored_batch, [0])]


def test_a_job_run_twice_issues_nothing_twice(service, stored_batch):
    batches.run_chunk(service, stored_batch, 0, 7)
    with service.session(write=True) as session:  # as if the item's commit was never recorded
        session.execute(update(BatchItem).where(BatchItem.batch_id == stored_batch).values(state="pending"))
        session.execute(update(store.Batch).where(store.Batch.id == stored_batch).values(finished_at=None))
        session.commit()
    again = batches.run_chunk(service, stored_batch, 0, 7)
    assert again == {"issued": 7, "failed": 0}
    with service.session() as session:
        assert session.scalar(select(func.count()).select_from(Credential)) == 7
        ids = set(session.scalars(select(BatchItem.credential_id).where(BatchItem.batch_id == stored_batch)))
    assert ids == {store.item_credential_id(stored_batch, p) for p in range(7)}


def test_an_item_whose_course_disappeared_fails_with_its_problem(service, stored_batch):
    with service.session(write=True) as session:
        session.execute(update(BatchItem).where(BatchItem.position == 2).values(
            request='{"course": "GONE", "learner": {"name": "X", "email": "x@example.org"}}'))
        session.commit()
    batches.run_chunk(service, stored_batch, 0, 7)
    with service.session() as session:
        item = session.scalar(select(BatchItem).where(BatchItem.position == 2))
    assert item.state == "failed" and item.problem["status"] == 404 and "GONE" in item.problem["detail"]
    assert _states(service, stored_batch) == {"pending": 0, "running": 0, "issued": 6, "failed": 1}


def test_a_batch_waiting_behind_queued_work_is_not_re_enqueued(service, stored_batch):
    service.jobs.queued = lambda: 12  # other batches' messages are still waiting
    later = service.clock() + timedelta(seconds=service.config["BATCH_STALL_SECONDS"] + 1)
    assert batches.sweep(service, later) == []
    service.jobs.queued = lambda: 0
    assert batches.sweep(service, later) == [(stored_batch, [0, 3, 6])]
