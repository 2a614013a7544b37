"""Issue #9 §7: smaller defects found by trying the running service."""
from __future__ import annotations

import json

import pytest

from tests.web.helpers import HTML, LEARNER, get_page


def _document(client, credential_id: str) -> dict:
    return json.loads(client.get(f"/credentials/{credential_id}.json").data)


def test_combined_coverage_never_merges_a_did_holder_and_an_email_holder(client, auth, api):
    did = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
    by_email = _document(client, api.issue("HV-2S")["id"])
    by_did = _document(client, api.issue("HV-2S", learner={"name": "Alex Muster", "id": did})["id"])
    body = client.post("/api/v1/coverage", json={"credentials": [by_did, by_email]}).get_json()
    assert body["counted"] == 1
    first, second = body["credentials"]
    assert first["counted"] is True
    assert second["counted"] is False and "hashed e-mail" in second["reason"] and did in second["reason"]
    # Two e-mail holders cannot be shown to be one without the address ...
    other = _document(client, api.issue("HV-2S")["id"])
    body = client.post("/api/v1/coverage", json={"credentials": [by_email, other]}).get_json()
    assert body["counted"] == 1 and "holder" in body["credentials"][1]["reason"]
    # ... and with it, both count.
    body = client.post("/api/v1/coverage", json={"credentials": [by_email, other],
                                                 "holder": {"email": LEARNER["email"]}}).get_json()
    assert body["counted"] == 2


def test_combined_coverage_with_two_different_dids(client, auth, api):
    a = _document(client, api.issue(learner={"name": "A", "id": "did:example:alice"})["id"])
    b = _document(client, api.issue(learner={"name": "B", "id": "did:example:bob"})["id"])
    body = client.post("/api/v1/coverage", json={"credentials": [a, b]}).get_json()
    assert [c["counted"] for c in body["credentials"]] == [True, False]
    assert "did:example:bob" in body["credentials"][1]["reason"]


def test_framework_json_suffix(client, demo):
    response = client.get("/frameworks/DRIVES-ACM.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.get_json()["code"] == "DRIVES-ACM"
    assert client.get("/frameworks/nope.json").status_code == 404


@pytest.mark.parametrize("action", ["revoke", "suspend"])
def test_revoked_and_suspended_pages_offer_no_sharing_and_show_the_date(client, auth, service, action, api):
    credential_id = api.issue()["id"]  # emob-academy allows suspension
    before = get_page(client, f"/credentials/{credential_id}", headers=HTML)
    assert before.find("a", **{"data-share": "linkedin-add"})
    changed = client.post(f"/api/v1/credentials/{credential_id}/{action}", json={"reason": "test"}, headers=auth)
    assert changed.status_code == 200, changed.get_json()
    page = get_page(client, f"/credentials/{credential_id}", headers=HTML)
    assert not page.find("a", **{"data-share": "linkedin-add"})
    assert not page.find("a", **{"data-share": "linkedin-share"})
    assert not page.find("input", id="share-url")
    assert page.find("p", **{"data-share": "none"})
    since = [attrs for _tag, attrs in page.tags if "data-status-since" in attrs]
    assert since and since[0]["data-status-since"][:10] == service.clock().date().isoformat()
    label = "Revoked on" if action == "revoke" else "Suspended on"
    assert label in page.text


def test_api_report_for_a_revoked_credential_names_the_problem(client, auth, api):
    credential_id = api.issue()["id"]
    client.post(f"/api/v1/credentials/{credential_id}/revoke", json={"reason": "fraud"}, headers=auth)
    report = client.post("/api/v1/verify", json=_document(client, credential_id)).get_json()
    assert report["verified"] is False
    assert [p["code"] for p in report["problems"]] == ["REVOKED"]
    assert report["problems"][0]["title"] == "status"


def test_provider_api_responses_are_not_stored(client, auth):
    for response in (client.get("/api/v1/courses", headers=auth),
                     client.post("/api/v1/credentials", headers=auth,
                                 json={"course": "HV-2S", "learner": LEARNER}),
                     client.get("/api/v1/credentials/nope", headers=auth)):
        assert response.headers["Cache-Control"] == "no-store", response.status_code


def test_401_carries_a_bearer_challenge(client, demo):
    missing = client.get("/api/v1/courses")
    assert missing.status_code == 401
    assert missing.headers["WWW-Authenticate"] == 'Bearer realm="issuer"'
    wrong = client.get("/api/v1/courses", headers={"Authorization": "Bearer obk_abc_def"})
    assert wrong.status_code == 401
    assert wrong.headers["WWW-Authenticate"] == 'Bearer realm="issuer", error="invalid_token"'
    admin = client.post("/api/v1/matrix", json={}, headers={"Authorization": "Bearer nope"})
    assert admin.status_code == 401 and admin.headers["WWW-Authenticate"].startswith("Bearer")


def test_json_responses_are_nosniff(client, auth, api):
    credential_id = api.issue()["id"]
    for path in (f"/credentials/{credential_id}.json", "/issuers/emob-academy/did.json", "/frameworks/DRIVES-ACM.json",
                 "/api/v1/courses", "/does-not-exist.json"):
        response = client.get(path, headers=auth)
        assert response.headers.get("X-Content-Type-Options") == "nosniff", path
    verify = client.post("/api/v1/verify", json=_document(client, credential_id))
    assert verify.headers.get("X-Content-Type-Options") == "nosniff"
