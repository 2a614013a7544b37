"""POST /api/v1/credentials: issuing, idempotency, and every bad input of issue #2 §7."""
from __future__ import annotations

import hashlib
import json

import pytest
from sqlalchemy import func, select

from issuer.store.models import Credential, StatusEntry
from tests.factories import LEARNER


def count(service, model=Credential) -> int:
    with service.session() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_issue_returns_signed_ob3_credential(client, api, service):
    api.issue(expect=None, completedAt="2026-05-04T10:00:00Z", result={"grade": "A"},
              evidence=[{"url": "https://lms.example/submissions/1", "narrative": "Practical exam"}])
    response = api.response
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert response.headers["Location"] == f"/credentials/{body['id']}"
    vc = body["credential"]
    assert vc["@context"][:2] == ["https://www.w3.org/ns/credentials/v2",
                                  "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
    assert vc["id"] == f"urn:uuid:{body['id']}"
    assert vc["type"] == ["VerifiableCredential", "AchievementCredential"]
    assert vc["issuer"]["id"] == "did:web:localhost%3A5000:issuers:emob-academy"
    assert vc["issuer"]["type"] == ["Profile"]
    subject = vc["credentialSubject"]
    identity = subject["identifier"][0]
    assert identity["type"] == "IdentityObject" and identity["hashed"] is True
    assert identity["identityType"] == "emailAddress"
    assert "alex" not in json.dumps(vc).lower().split("alex muster")[0]  # e-mail never in clear
    assert "Alex.Muster@example.org" not in json.dumps(vc)
    assert subject["name"] == "Alex Muster"
    achievement = subject["achievement"]
    assert achievement["id"].startswith("http://localhost:5000/achievements/")
    assert achievement["alignment"] and all(
        {"targetName", "targetUrl", "targetFramework", "targetCode", "targetType"} <= set(a)
        for a in achievement["alignment"])
    assert subject["result"] == [{"type": ["Result"], "value": "A", "status": "Completed"}]
    assert subject["activityEndDate"] == "2026-05-04T10:00:00Z"
    assert vc["evidence"][0]["id"] == "https://lms.example/submissions/1"
    proof = vc["proof"]
    assert isinstance(proof, list) and proof[0]["cryptosuite"] == "eddsa-rdfc-2022"
    assert proof[0]["verificationMethod"] == vc["issuer"]["id"] + "#key-ed25519-1"
    assert proof[0]["proofPurpose"] == "assertionMethod"
    assert body["jwt"].count(".") == 2
    assert {"json", "jwt", "png", "svg", "verify", "qr"} <= set(body["links"])


def test_identity_hash_is_salted_sha256_of_normalised_email(api):
    vc = api.issue()["credential"]
    identity = vc["credentialSubject"]["identifier"][0]
    expected = hashlib.sha256(("alex.muster@example.org" + identity["salt"]).encode()).hexdigest()
    assert identity["identityHash"] == f"sha256${expected}"


def test_learner_did_goes_into_subject_id(client, auth):
    did = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
    response = client.post("/api/v1/credentials", headers=auth,
                           json={"course": "HV-2S", "learner": {"name": "Kim", "id": did}})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["credential"]["credentialSubject"]["id"] == did


def test_validity_period_sets_valid_until(api):
    vc = api.issue("HV-REFRESH")["credential"]
    assert vc["validUntil"] > vc["validFrom"]


def test_served_byte_for_byte(client, api):
    body = api.issue()
    stored_json = client.get(f"/credentials/{body['id']}.json")
    assert stored_json.status_code == 200
    assert json.loads(stored_json.data) == body["credential"]
    again = client.get(f"/credentials/{body['id']}.json")
    assert again.data == stored_json.data
    negotiated = client.get(f"/credentials/{body['id']}", headers={"Accept": "application/json"})
    assert negotiated.data == stored_json.data
    jwt = client.get(f"/credentials/{body['id']}.jwt")
    assert jwt.data.decode() == body["jwt"] and jwt.mimetype == "application/vc+jwt"


def test_idempotency_key_returns_same_credential(client, auth, service):
    headers = {**auth, "Idempotency-Key": "completion-42"}
    payload = {"course": "HV-2S", "learner": LEARNER}
    first = client.post("/api/v1/credentials", json=payload, headers=headers)
    second = client.post("/api/v1/credentials", json=payload, headers=headers)
    assert first.status_code == 201 and second.status_code == 200
    assert second.headers["Idempotent-Replayed"] == "true"
    assert first.get_json()["id"] == second.get_json()["id"]
    assert count(service) == 1


BAD_INPUTS = {
    "unknown course": (dict(json={"course": "NOPE", "learner": LEARNER}), 404),
    "malformed e-mail": (dict(json={"course": "HV-2S", "learner": {"name": "A", "email": "not-an-email"}}), 422),
    "malformed DID": (dict(json={"course": "HV-2S", "learner": {"name": "A", "id": "did:bad key"}}), 422),
    "both email and DID": (dict(json={"course": "HV-2S", "learner": {"name": "A", "id": "did:key:z6Mk1",
                                                                     "email": "a@b.org"}}), 422),
    "missing learner": (dict(json={"course": "HV-2S"}), 422),
    "unknown field": (dict(json={"course": "HV-2S", "learner": LEARNER, "admin": True}), 422),
    "body not JSON": (dict(data=b"{not json", content_type="application/json"), 400),
    "duplicate JSON member": (dict(data=b'{"course":"HV-2S","course":"X","learner":{"name":"a","email":"a@b.org"}}',
                                   content_type="application/json"), 400),
    "JSON array body": (dict(json=[1, 2]), 422),
    "wrong content type": (dict(data=b"course=HV-2S", content_type="application/x-www-form-urlencoded"), 415),
    "no content type": (dict(data=b'{"course":"HV-2S"}'), 415),
    "body too large": (dict(data=b'{"course":"' + b"x" * 2_000_000 + b'"}', content_type="application/json"), 413),
    "control characters": (dict(json={"course": "HV-2S", "learner": {"name": "A\x00B", "email": "a@b.org"}}), 422),
    "completedAt in the future": (dict(json={"course": "HV-2S", "learner": LEARNER,
                                             "completedAt": "2999-01-01T00:00:00Z"}), 422),
    "completedAt without offset": (dict(json={"course": "HV-2S", "learner": LEARNER,
                                              "completedAt": "2026-01-01T00:00:00"}), 422),
    "failed result": (dict(json={"course": "HV-2S", "learner": LEARNER, "result": {"passed": False}}), 422),
    "evidence not a URL": (dict(json={"course": "HV-2S", "learner": LEARNER,
                                      "evidence": [{"url": "javascript:alert(1)"}]}), 422),
    "deeply nested": (dict(data=b'{"course":' + b"[" * 5000 + b"]" * 5000 + b"}",
                           content_type="application/json"), 400),
}


@pytest.mark.parametrize("name", list(BAD_INPUTS))
def test_bad_input_gets_problem_json_and_stores_nothing(client, auth, service, name):
    kwargs, status = BAD_INPUTS[name]
    response = client.post("/api/v1/credentials", headers=auth, **kwargs)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert problem["status"] == status and problem["title"] and problem["detail"]
    assert "Traceback" not in response.get_data(as_text=True)
    assert count(service) == 0 and count(service, StatusEntry) == 0


@pytest.mark.parametrize("header", [None, "Bearer nope", "Bearer obk_000000000000_wrong", "Basic abc"])
def test_missing_or_wrong_api_key(client, demo, service, header):
    headers = {"Authorization": header} if header else {}
    response = client.post("/api/v1/credentials", json={"course": "HV-2S", "learner": LEARNER}, headers=headers)
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert count(service) == 0


def test_course_of_another_provider_is_not_found(client, demo, service):
    other = {"Authorization": f"Bearer {demo['bbz-alpenvorland']}"}
    response = client.post("/api/v1/credentials", json={"course": "HV-2S", "learner": LEARNER}, headers=other)
    assert response.status_code == 404 and response.mimetype == "application/problem+json"
    assert count(service) == 0


def test_course_without_skills_is_refused(api, service):
    from issuer.store.models import Course, CourseSkill
    with service.session() as s:
        course = s.scalar(select(Course).where(Course.code == "HV-2S"))
        for cs in list(course.skills):
            s.delete(cs)
        s.commit()
    api.issue(expect=None)
    response = api.response
    assert response.status_code == 422 and "not mapped" in response.get_json()["detail"]
    assert count(service) == 0 and count(service, StatusEntry) == 0
    assert CourseSkill  # imported for the deletion above


def test_conflicting_idempotency_key_reuse(client, auth, service):
    headers = {**auth, "Idempotency-Key": "k-1"}
    assert client.post("/api/v1/credentials", json={"course": "HV-2S", "learner": LEARNER},
                       headers=headers).status_code == 201
    response = client.post("/api/v1/credentials", json={"course": "HV-REFRESH", "learner": LEARNER},
                           headers=headers)
    assert response.status_code == 409 and response.mimetype == "application/problem+json"
    assert count(service) == 1


def test_other_providers_credential_is_not_found(client, demo):
    own = {"Authorization": f"Bearer {demo['emob-academy']}"}
    other = {"Authorization": f"Bearer {demo['bbz-alpenvorland']}"}
    created = client.post("/api/v1/credentials", json={"course": "HV-2S", "learner": LEARNER}, headers=own)
    cid = created.get_json()["id"]
    assert client.get(f"/api/v1/credentials/{cid}", headers=own).status_code == 200
    for path in (f"/api/v1/credentials/{cid}", f"/api/v1/credentials/{cid}/status"):
        assert client.get(path, headers=other).status_code == 404
    assert client.post(f"/api/v1/credentials/{cid}/revoke", json={"reason": "x"}, headers=other).status_code == 404


def test_unknown_credential_and_route_are_problem_json(client):
    for path in ("/credentials/does-not-exist.json", "/credentials/does-not-exist.jwt", "/no/such/route"):
        response = client.get(path, headers={"Accept": "application/json"})
        assert response.status_code == 404 and response.mimetype == "application/problem+json"


def test_parallel_retries_with_one_idempotency_key_make_one_credential(app, auth, service):
    from concurrent.futures import ThreadPoolExecutor
    headers = {**auth, "Idempotency-Key": "parallel-1"}
    payload = {"course": "HV-2S", "learner": LEARNER}

    def post(_):
        with app.test_client() as c:
            r = c.post("/api/v1/credentials", json=payload, headers=headers)
            return r.status_code, r.get_json()["id"]

    with ThreadPoolExecutor(max_workers=10) as pool:
        results = list(pool.map(post, range(20)))
    assert {status for status, _ in results} <= {200, 201}
    assert sorted(status for status, _ in results).count(201) == 1
    assert len({cid for _, cid in results}) == 1 and count(service) == 1


def test_issuer_of_another_provider_is_not_found(client, demo, auth, service):
    response = client.post("/api/v1/credentials", json={"course": "HV-2S", "learner": LEARNER,
                                                         "issuer": "bbz-alpenvorland"}, headers=auth)
    assert response.status_code == 404 and count(service) == 0


def test_no_two_issuers_share_a_key(demo, service):
    from issuer.store.models import SigningKey
    with service.session() as s:
        keys = s.scalars(select(SigningKey)).all()
    assert len({json.dumps(k.public_jwk, sort_keys=True) for k in keys}) == len(keys)


def test_revoked_api_key_is_refused(client, demo, monkeypatch, tmp_path, service):
    from click.testing import CliRunner
    from issuer.cli import main
    key = demo["nordhaven-tu"]
    headers = {"Authorization": f"Bearer {key}"}
    assert client.get("/api/v1/courses", headers=headers).status_code == 200
    monkeypatch.setenv("ISSUER_INSTANCE_PATH", service.config["INSTANCE_PATH"])
    monkeypatch.setenv("ISSUER_DATABASE_URL", service.config["DATABASE_URL"])
    monkeypatch.setenv("ISSUER_SECRET_KEY", service.config["SECRET_KEY"])
    result = CliRunner().invoke(main, ["provider", "revoke-key", key.split("_")[1]])
    assert result.exit_code == 0, result.output
    assert client.get("/api/v1/courses", headers=headers).status_code == 401
