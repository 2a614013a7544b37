"""Several ``issuer serve`` instances against one PostgreSQL (issue #12 §2): two real servers and
a worker process (RabbitMQ) take single issues, batches and status changes at the same time; no
status position is used twice, every batch item is issued once and every status change holds."""
from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import PG_URL
from tests.jobs.live import BROKER_URL, Live, call, free_port, private_queue, wait_for  # noqa: F401

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not PG_URL, reason="several instances share PostgreSQL "
                                                                       "(the PostgreSQL pass of .ci/run)")]


def test_two_servers_and_a_worker_side_by_side(tmp_path, database_url, private_queue):
    ports = [free_port(), free_port()]
    env = {**os.environ, "ISSUER_INSTANCE_PATH": str(tmp_path / "instance"), "ISSUER_DATABASE_URL": database_url,
           "ISSUER_BASE_URL": "http://localhost:5000", "ISSUER_VERIFY_REMOTE_DID_WEB": "false",
           "ISSUER_JSONLD_WORKERS": "0", "ISSUER_RATE_LIMITS_ENABLED": "false", "ISSUER_BROKER_URL": BROKER_URL,
           "ISSUER_JOB_QUEUE": private_queue.name, "ISSUER_BATCH_CHUNK_SIZE": "10",
           "ISSUER_SECRET_KEY": "multi-instance-master-key-" + "m" * 32}
    live = Live(tmp_path, env)
    try:
        live.serve(ports[0], workers=2, name="serve-a")
        live.serve(ports[1], workers=2, name="serve-b")
        live.worker(processes=1, threads=2)
        key = dict(line.split(" ", 1) for line in
                   (tmp_path / "instance" / "demo-api-key.txt").read_text().splitlines())["emob-academy"]
        auth = {"Authorization": f"Bearer {key}"}

        def single(i):
            return call(ports[i % 2], "POST", "/api/v1/credentials",
                        {"course": "HV-2S", "learner": {"name": f"Single {i}", "email": f"s{i}@example.org"}}, auth)

        def batch(i):
            items = [{"course": "HV-2S", "learner": {"name": f"B{i}-{j}", "email": f"b{i}-{j}@example.org"}}
                     for j in range(30)]
            return call(ports[i % 2], "POST", "/api/v1/batches", {"items": items}, auth)

        with ThreadPoolExecutor(8) as pool:
            batches = list(pool.map(batch, range(4)))
            singles = list(pool.map(single, range(40)))
        assert all(code == 202 for code, _ in batches), batches
        assert all(code == 201 for code, _ in singles), [s for s in singles if s[0] != 201][:3]

        def change(args):
            i, (_code, body) = args
            action = ("revoke", "suspend")[i % 2]
            return call(ports[(i + 1) % 2], "POST", f"/api/v1/credentials/{body['id']}/{action}",
                        {"reason": "multi-instance test"}, auth)

        with ThreadPoolExecutor(8) as pool:
            changes = list(pool.map(change, enumerate(singles[:20])))
        assert all(code == 200 and body["changed"] for code, body in changes), changes[:3]

        def all_done():
            states = [call(ports[0], "GET", f"/api/v1/batches/{body['id']}", headers=auth)[1] for _c, body in batches]
            return states if all(s["status"] == "done" for s in states) else None
        states = wait_for(all_done, 240, "every batch to finish", interval=1.0)
        assert [(s["issued"], s["failed"]) for s in states] == [(30, 0)] * 4
        for i, (_code, body) in enumerate(singles[:20]):
            code, state = call(ports[i % 2], "GET", f"/api/v1/credentials/{body['id']}/status", headers=auth)
            assert state["status"] == ("revoked", "suspended")[i % 2]
    finally:
        live.stop_all()
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM credential")).scalar() == 40 + 4 * 30
            duplicates = conn.execute(text("SELECT list_id, position FROM status_entry GROUP BY list_id, position "
                                           "HAVING count(*) > 1")).all()
            assert duplicates == []
            assert conn.execute(text("SELECT count(DISTINCT credential_id) FROM batch_item")).scalar() == 120
    finally:
        engine.dispose()
