"""``POST /api/v1/batches`` (JSON and CSV), progress, per-item results and the ``batch`` filter of
``GET /api/v1/credentials``, with the jobs run by the in-process runner (Dramatiq StubBroker)."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from issuer.jobs.queue import JobQueue
from issuer.store.batches import item_credential_id
from issuer.store.models import Credential, StatusEntry


def _items(n: int, **extra) -> list[dict]:
    return [{"course": "HV-2S", "learner": {"name": f"Learner {i}", "email": f"l{i}@example.org"}, **extra}
            for i in range(n)]


def _wait(service):
    service.jobs.join()


def _all_items(client, headers, url: str) -> list[dict]:
    out = []
    while url:
        response = client.get(url, headers=headers)
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        out.extend(body["items"])
        url = body["next"]
    return out


def test_json_batch_is_issued_once_per_item(client, auth, service, api):
    response = client.post("/api/v1/batches", json={"items": _items(25)}, headers=auth)
    assert response.status_code == 202, response.get_json()
    body = response.get_json()
    assert set(body) >= {"id", "url", "status"} and body["total"] == 25
    assert response.headers["Location"] == f"/api/v1/batches/{body['id']}"
    _wait(service)
    status = client.get(f"/api/v1/batches/{body['id']}", headers=auth).get_json()
    assert status["status"] == "done"
    assert (status["total"], status["issued"], status["failed"], status["pending"]) == (25, 25, 0, 0)
    assert status["eta"] == 0 and status["rate"] > 0 and status["finishedAt"]
    items = _all_items(client, auth, f"/api/v1/batches/{body['id']}/items?limit=7")
    assert [i["index"] for i in items] == list(range(25))
    assert [i["credentialId"] for i in items] == [item_credential_id(body["id"], i) for i in range(25)]
    # every credential verifies, and none shares a status position
    for item in items[:3]:
        credential = client.get(f"/credentials/{item['credentialId']}.json").get_json()
        assert api.verify(credential)["verified"] is True
    with service.session() as session:
        assert session.scalar(select(func.count()).select_from(Credential)) == 25
        positions = session.execute(select(StatusEntry.list_id, StatusEntry.position)).all()
        assert len(positions) == len(set(positions)) >= 25
        assert session.scalar(select(func.count(func.distinct(StatusEntry.credential_id)))) == 25
    # GET /api/v1/credentials?batch=<id> lists exactly the batch's credentials
    listed = _all_items(client, auth, f"/api/v1/credentials?batch={body['id']}&limit=10")
    assert sorted(i["id"] for i in listed) == sorted(i["credentialId"] for i in items)


def test_csv_batch_reports_rows_by_line_and_issues_the_valid_ones(client, auth, service):
    csv_text = ("course,name,email,did,completedAt,grade,score,evidenceUrl,idempotencyKey\n"
                "HV-2S,Ada Lovelace,ada@example.org,,2026-01-10T10:00:00Z,A,,https://example.org/e/1,k-1\n"
                "NOPE,Bob,bob@example.org,,,,,,\n"
                "HV-2S,Carla,,did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK,,,87,,\n"
                "HV-2S,Dan,dan@example.org,,,,not-a-number,,\n")
    rejected = client.post("/api/v1/batches", data=csv_text, content_type="text/csv", headers=auth)
    assert rejected.status_code == 422
    problem = rejected.get_json()
    assert rejected.mimetype == "application/problem+json"
    assert sorted({e["index"] for e in problem["errors"]}) == [3, 5]
    assert any("NOPE" in e["message"] for e in problem["errors"])
    with service.session() as session:
        assert session.scalar(select(func.count()).select_from(Credential)) == 0

    accepted = client.post("/api/v1/batches?onInvalid=issueValid", data=csv_text, content_type="text/csv",
                           headers=auth)
    assert accepted.status_code == 202, accepted.get_json()
    body = accepted.get_json()
    assert body["invalid"] == 2 and body["total"] == 4
    _wait(service)
    status = client.get(body["url"].replace("http://localhost:5000", ""), headers=auth).get_json()
    assert (status["issued"], status["failed"], status["pending"], status["status"]) == (2, 2, 0, "done")
    items = _all_items(client, auth, f"/api/v1/batches/{body['id']}/items")
    assert [(i["index"], i["state"]) for i in items] == [(2, "issued"), (3, "failed"), (4, "issued"), (5, "failed")]
    assert items[1]["problem"]["status"] == 422 and "credentialId" not in items[1]
    credential = client.get(f"/api/v1/credentials/{items[0]['credentialId']}", headers=auth).get_json()["credential"]
    assert credential["credentialSubject"]["result"][0]["value"] == "A"
    assert credential["evidence"][0]["id"] == "https://example.org/e/1"
    carla = client.get(f"/api/v1/credentials/{items[2]['credentialId']}", headers=auth).get_json()["credential"]
    assert carla["credentialSubject"]["id"].startswith("did:key:")
    assert carla["credentialSubject"]["result"][0]["value"] == "87"


def test_batch_idempotency_key_replays_and_conflicts(client, auth, service):
    headers = {**auth, "Idempotency-Key": "cohort-2026-05"}
    first = client.post("/api/v1/batches", json={"items": _items(3)}, headers=headers)
    assert first.status_code == 202
    again = client.post("/api/v1/batches", json={"items": _items(3)}, headers=headers)
    assert again.status_code == 202 and again.get_json()["id"] == first.get_json()["id"]
    assert again.headers["Idempotent-Replayed"] == "true"
    other = client.post("/api/v1/batches", json={"items": _items(4)}, headers=headers)
    assert other.status_code == 409 and other.get_json()["code"] == "conflict"
    _wait(service)
    with service.session() as session:
        assert session.scalar(select(func.count()).select_from(Credential)) == 3


def test_item_idempotency_key_never_makes_a_second_credential(client, auth, service, api):
    single = api.issue(learner={"name": "Eve", "email": "eve@example.org"})
    client.post("/api/v1/credentials", json={"course": "HV-2S", "learner": {"name": "Eve", "email": "eve@example.org"}},
                headers={**auth, "Idempotency-Key": "eve-hv2s"})
    item = {"course": "HV-2S", "learner": {"name": "Eve", "email": "eve@example.org"}, "idempotencyKey": "eve-hv2s"}
    first = client.post("/api/v1/batches", json={"items": [item]}, headers=auth).get_json()
    second = client.post("/api/v1/batches", json={"items": [dict(item)]}, headers=auth).get_json()
    _wait(service)
    ids = [_all_items(client, auth, f"/api/v1/batches/{b['id']}/items")[0]["credentialId"] for b in (first, second)]
    with service.session() as session:
        keyed = session.scalar(select(Credential.id).where(Credential.idempotency_key == "eve-hv2s"))
        assert session.scalar(select(func.count()).select_from(Credential)) == 2  # `single` and the keyed one
    assert ids == [keyed, keyed] and single["id"] != keyed
    # the same key with another request: the row is refused, nothing is issued
    clash = {**item, "learner": {"name": "Eve Other", "email": "eve@example.org"}}
    response = client.post("/api/v1/batches", json={"items": [clash]}, headers=auth)
    assert response.status_code == 422 and "idempotency_key_reused" in json.dumps(response.get_json())
    dup = client.post("/api/v1/batches", json={"items": [{**item, "idempotencyKey": "x"},
                                                         {**item, "idempotencyKey": "x"}]}, headers=auth)
    assert dup.status_code == 422 and dup.get_json()["errors"][0]["index"] == 1


@pytest.mark.parametrize("body, status", [
    ({"items": []}, 422),
    ({"items": "x"}, 422),
    ({"items": [{"course": "HV-2S"}], "extra": 1}, 422),
    ({"items": [{"course": "HV-2S", "learner": {"name": "A", "email": "a@example.org"}}], "onInvalid": "x"}, 400),
    ({"items": [{"course": "HV-2S", "learner": {"name": "A", "email": "a@example.org"}, "offer": True}]}, 422),
    ({"items": [7]}, 422),
])
def test_bad_batches_are_problems_and_store_nothing(client, auth, service, body, status):
    response = client.post("/api/v1/batches", json=body, headers=auth)
    assert response.status_code == status, response.get_json()
    assert response.mimetype == "application/problem+json"
    assert service.jobs is None  # nothing was enqueued


def test_limits_answer_413_and_422(client, auth, service):
    service.config["BATCH_MAX_ITEMS"] = 3
    assert client.post("/api/v1/batches", json={"items": _items(4)}, headers=auth).status_code == 422
    rows = "course,name,email\n" + "".join(f"HV-2S,L{i},l{i}@example.org\n" for i in range(4))
    assert client.post("/api/v1/batches", data=rows, content_type="text/csv", headers=auth).status_code == 422
    service.config["BATCH_MAX_BYTES"] = 100
    response = client.post("/api/v1/batches", data=rows, content_type="text/csv", headers=auth)
    assert response.status_code == 413 and response.mimetype == "application/problem+json"
    assert client.post("/api/v1/batches", data="x", content_type="text/plain", headers=auth).status_code == 415
    bad_header = client.post("/api/v1/batches", data="course,name,phone\nHV-2S,A,1\n", content_type="text/csv",
                             headers=auth)
    assert bad_header.status_code == 422 and "phone" in bad_header.get_json()["detail"]


def test_other_providers_batches_are_404(client, demo, auth, service):
    batch = client.post("/api/v1/batches", json={"items": _items(1)}, headers=auth).get_json()
    other = {"Authorization": f"Bearer {demo['bbz-alpenvorland']}"}
    assert client.get(f"/api/v1/batches/{batch['id']}", headers=other).status_code == 404
    assert client.get(f"/api/v1/batches/{batch['id']}/items", headers=other).status_code == 404
    assert client.get("/api/v1/batches/" + "x" * 100, headers=auth).status_code == 404
    _wait(service)
    assert client.get(f"/api/v1/credentials?batch={batch['id']}", headers=other).get_json()["items"] == []
    assert client.get("/api/v1/credentials?batch=", headers=auth).status_code == 400
    assert client.get(f"/api/v1/batches/{batch['id']}/items?cursor=@@", headers=auth).status_code == 400


def test_batches_need_the_issue_scope(client, service, demo):
    from issuer.store import tenants  # reason: only this test makes a scoped key
    from issuer.store.models import Provider
    with service.session(write=True) as session:
        provider = session.scalar(select(Provider).where(Provider.slug == "emob-academy"))
        key = tenants.create_api_key(session, provider, label="t", scopes=["credentials:read"])
        session.commit()
    response = client.post("/api/v1/batches", json={"items": _items(1)}, headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 403 and response.get_json()["scope"] == "credentials:issue"


def test_metrics_show_the_job_queue_depth(client, auth, service):
    assert 'issuer_job_queue_depth{kind="pending_items"} 0.0' in client.get("/metrics").get_data(as_text=True)
    service.jobs = JobQueue(service, in_process=False)
    client.post("/api/v1/batches", json={"items": _items(5)}, headers=auth)  # queued, no worker consumes
    text = client.get("/metrics").get_data(as_text=True)
    assert 'issuer_job_queue_depth{kind="pending_items"} 5.0' in text
    assert 'issuer_job_queue_depth{kind="queued_messages"} 1.0' in text


def test_batch_send_email_queues_mail_and_completion_is_one_event(client, auth, service):
    from issuer.store.notify_models import EmailMessage, Event  # reason: notify's tables, only here
    items = _items(2) + [{"course": "HV-2S", "learner": {
        "name": "By DID", "id": "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"}}]
    batch = client.post("/api/v1/batches", json={"items": items, "sendEmail": True}, headers=auth).get_json()
    _wait(service)
    with service.session() as session:
        assert session.scalar(select(func.count()).select_from(EmailMessage)) == 2  # the DID learner gets none
        events = list(session.scalars(select(Event).where(Event.type == "batch.completed")))
    assert len(events) == 1
    assert events[0].data == {"batchId": batch["id"], "total": 3, "issued": 3, "failed": 0}
    assert client.get(f"/api/v1/batches/{batch['id']}", headers=auth).get_json()["status"] == "done"
