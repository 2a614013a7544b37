"""Job-role coverage for employers (issue #5 §4): per credential and combined for one holder."""
from __future__ import annotations

import copy

from issuer.api.verification import _holder_identity


def _role(coverage, code):
    return next(r for r in coverage["roles"] if r["code"] == code)


def test_credential_coverage_json(client, demo, api):
    body = api.issue("ADAS-CAL", provider="bbz-alpenvorland", learner={"name": "Tom", "email": "tom@example.org"})
    coverage = client.get(f"/credentials/{body['id']}/coverage", headers={"Accept": "application/json"}).get_json()
    role = _role(coverage, "ADAS-CAL-TECH")
    assert role["counts"]["required"] == len(role["covered"]) + len(role["partial"]) + len(role["missing"])
    assert role["percentage"] == round(100 * len(role["covered"]) / role["counts"]["required"], 1)
    assert all(s["held"] >= s["required"] for s in role["covered"])
    assert all(s["url"].startswith("http://localhost:5000/skills/DRIVES-ACM/") for s in role["missing"])
    assert client.get("/credentials/nope/coverage", headers={"Accept": "application/json"}).status_code == 404


def test_combined_coverage_counts_only_verified_credentials_of_the_holder(client, demo, api):
    holder = {"name": "Ina Berg", "email": "ina.berg@example.org"}
    a = api.issue("ADAS-CAL", provider="bbz-alpenvorland", learner=holder)
    b = api.issue("ADAS-LIDAR", provider="bbz-alpenvorland", learner=holder)
    other = api.issue("HV-3S", provider="emob-academy", learner={"name": "Someone", "email": "else@example.org"})
    tampered = copy.deepcopy(api.issue("HV-2S", provider="emob-academy", learner=holder)["credential"])
    tampered["credentialSubject"]["achievement"]["name"] = "Forged"
    single = client.post("/api/v1/coverage", json={"credentials": [a["credential"]],
                                                    "holder": {"email": holder["email"]}}).get_json()
    combined = client.post("/api/v1/coverage", json={
        "credentials": [a["credential"], b["jwt"], other["credential"], tampered],
        "holder": {"email": "Ina.Berg@example.org"}}).get_json()
    assert [c["counted"] for c in combined["credentials"]] == [True, True, False, False]
    assert combined["credentials"][2]["reason"].startswith("the credential's recipient")
    assert combined["credentials"][3]["verified"] is False
    assert combined["counted"] == 2
    assert _role(combined, "ADAS-CAL-TECH")["percentage"] > _role(single, "ADAS-CAL-TECH")["percentage"]


def test_combined_coverage_bad_requests(client):
    assert client.post("/api/v1/coverage", json={"credentials": []}).status_code == 422
    assert client.post("/api/v1/coverage", json={"credentials": [{}], "holder": {"x": 1}}).status_code == 422
    assert client.post("/api/v1/coverage", data=b"x", content_type="text/plain").status_code == 415
    assert client.post("/api/v1/coverage", data=b"{bad", content_type="application/json").status_code == 400


def test_the_holder_of_a_list_valued_subject_is_its_first_subject():
    """One reader (issuer.badges.read.subject_of): combining credentials reads the same holder a page shows."""
    listed = {"credentialSubject": [{"id": "did:example:ana"}, {"id": "did:example:other"}]}
    assert _holder_identity(listed) == ("did", "did:example:ana")
    assert _holder_identity({"credentialSubject": {"identifier": []}}) == ("email", None)
    assert _holder_identity({"credentialSubject": ["junk"]}) == ("email", None)
