"""Status lists under concurrency (issue #4 §4): no duplicate positions, no lost revocations.

Worker processes build their own service from the same configuration and issue through the real
issuing path (build, sign, allocate a random position, store) against the same database.
"""
from __future__ import annotations

import multiprocessing
import os
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from issuer.status.bitstring import decode
from issuer.store.models import Credential, StatusEntry, StatusList
from tests.conftest import PG_URL
from tests.factories import LEARNER


def _issue_worker(config: dict, provider_slug: str, course: str, n: int) -> int:
    from issuer import issuance
    from issuer.store import tenants  # noqa: F401 - imported in the child
    from issuer.api.provider import IssuanceContext
    from issuer.service import build_service
    from issuer.store.models import Provider
    service = build_service(dict(config))
    done = 0
    with service.session(write=True) as session:
        provider = session.scalar(select(Provider).where(Provider.slug == provider_slug))
        for _ in range(n):
            ctx = IssuanceContext(base_url=service.base_url, vault=service.vault, now=service.clock(),
                                  status_length=config["STATUS_LIST_LENGTH"],
                                  status_capacity=config["STATUS_LIST_CAPACITY"])
            request = issuance.parse_issue_request({"course": course, "learner": LEARNER}, now=ctx.now)
            issuance.issue_credential(session, provider, request, ctx, actor="load-test")
            session.commit()
            done += 1
    service.close()
    return done


def _run_workers(service, processes: int, per_process: int, provider="bbz-alpenvorland", course="ADAS-CAL"):
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(processes) as pool:
        results = pool.starmap(_issue_worker, [(service.config, provider, course, per_process)] * processes)
    assert sum(results) == processes * per_process


def _assert_unique_positions(service, expected: int):
    with service.session() as s:
        rows = s.execute(select(StatusEntry.list_id, StatusEntry.position)).all()
        credentials = s.scalar(select(Credential.id).limit(1))
    assert credentials is not None
    duplicates = [k for k, v in Counter(rows).items() if v > 1]
    assert len(rows) == expected and duplicates == []


@pytest.mark.slow
@pytest.mark.skipif(not PG_URL, reason="runs in the PostgreSQL pass (ISSUER_TEST_DATABASE_URL)")
def test_eight_processes_issue_2000_each_on_postgresql_without_duplicate_positions(service, demo):
    per_process = int(os.environ.get("ISSUER_LOAD_PER_PROCESS", "2000"))
    _run_workers(service, 8, per_process)
    _assert_unique_positions(service, 8 * per_process)


@pytest.mark.slow
def test_several_processes_issue_on_sqlite_without_duplicate_positions(service, demo):
    if PG_URL:
        pytest.skip("SQLite-specific")
    _run_workers(service, 4, 150)
    _assert_unique_positions(service, 600)


def test_positions_are_random_and_lists_roll_over(tmp_path, database_url):
    """A small capacity forces roll-over; positions spread over the whole 131,072-entry range."""
    from issuer.service import build_service
    from issuer.demo.setup import initialize
    from tests.conftest import make_config
    svc = build_service(make_config(tmp_path, database_url, STATUS_LIST_CAPACITY=40))
    initialize(svc, load_demo=True)
    _issue_worker(svc.config, "bbz-alpenvorland", "ADAS-CAL", 100)
    with svc.session() as s:
        lists = s.scalars(select(StatusList).order_by(StatusList.seq)).all()
        positions = s.scalars(select(StatusEntry.position)).all()
    assert [sl.seq for sl in lists] == [1, 2, 3] and all(sl.length == 131072 for sl in lists)
    assert lists[0].full and lists[1].full and not lists[2].full
    assert max(positions) > 131072 // 2 and min(positions) < 131072 // 2  # not sequential
    assert len(set(positions)) > 95
    svc.close()


def test_hundred_concurrent_revocations_are_all_published(service, demo, app):
    """No lost revocations: 100 concurrent revocations on one list all show in the signed list."""
    _issue_worker(service.config, "bbz-alpenvorland", "ADAS-CAL", 100)
    with service.session() as s:
        ids = s.scalars(select(Credential.id)).all()
    headers = {"Authorization": f"Bearer {demo['bbz-alpenvorland']}"}

    def revoke(cid):
        with app.test_client() as c:
            return c.post(f"/api/v1/credentials/{cid}/revoke", json={"reason": "fraud"}, headers=headers).status_code

    with ThreadPoolExecutor(max_workers=16) as pool:
        codes = list(pool.map(revoke, ids))
    assert codes == [200] * 100
    with service.session() as s:
        entries = s.execute(select(StatusEntry.list_id, StatusEntry.position)).all()
        lists = {sl.id: sl.public_id for sl in s.scalars(select(StatusList))}
    client = app.test_client()
    for list_id, public_id in lists.items():
        published = client.get(f"/status/{public_id}").get_json()
        bits = decode(published["credentialSubject"]["encodedList"])
        for entry_list, position in entries:
            if entry_list == list_id:
                assert bits.get(position) == 1
