"""A provider sees and changes only its own data through every console page and form (issue #14
§1, as tests/api/test_listing.py and the status API tests do for the API): another provider's
credential, course, key, client, issuer profile or account answers 404 and stays unchanged."""
from __future__ import annotations

import io

import pytest

from issuer.store.models import ApiKey, ConsoleUser, Course, OAuthClient, SigningKey


@pytest.fixture
def other(login_as):
    """An administrator of another provider (nordhaven-tu)."""
    return login_as("nordhaven-tu")


def _status(api, credential_id: str) -> str:
    return api.client.get(f"/api/v1/credentials/{credential_id}/status", headers=api.headers()).get_json()["status"]


def test_lists_and_dashboard_show_only_the_own_provider(console, other, api):
    issued = api.issue("HV-2S", learner={"name": "Emob Learner", "email": "e@example.org"})
    for path in ("/console/", "/console/credentials", "/console/credentials?learnerEmail=e@example.org",
                 "/console/courses", "/console/issue", "/console/settings", "/console/users"):
        html = other.get(path).get_data(as_text=True)
        assert "Emob Learner" not in html and issued["id"] not in html, path
        assert "HV-2S" not in html and "emob-academy" not in html, path
    assert "Emob Learner" in console.get("/console/credentials").get_data(as_text=True)


def test_another_providers_credential_is_not_found_and_unchanged(other, api):
    issued = api.issue("HV-2S")
    assert other.get(f"/console/credentials/{issued['id']}").status_code == 404
    for action in ("revoke", "suspend", "unsuspend"):
        response = other.post(f"/console/credentials/{issued['id']}/status", {"action": action, "reason": "x"})
        assert response.status_code == 404, action
    assert other.post("/console/credentials/revoke", {"ids": [issued["id"]], "reason": "x"}).status_code == 303
    assert "Revoked 0 of 1" in other.get("/console/credentials").get_data(as_text=True)
    assert _status(api, issued["id"]) == "active"


def test_another_providers_course_is_not_found_and_unchanged(other, api, service):
    before = api.client.get("/api/v1/courses/HV-2S", headers=api.headers()).get_json()
    assert other.get("/console/courses/HV-2S").status_code == 404
    assert other.get("/console/courses/HV-2S/edit").status_code == 404
    assert other.post("/console/courses/HV-2S/edit", {"title": "stolen"}).status_code == 404
    skill = before["skills"][0]
    assert other.post("/console/courses/HV-2S/skills", {"action": "remove", "framework": skill["framework"],
                                                        "skill": skill["code"]}).status_code == 404
    assert other.post("/console/courses/HV-2S/retire", {"retire": "1"}).status_code == 404
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"/>'
    assert other.post("/console/courses/HV-2S/image", {"image": (io.BytesIO(svg), "b.svg")},
                      content_type="multipart/form-data").status_code == 404
    refused = other.post("/console/issue", {"course": "HV-2S", "name": "X", "email": "x@example.org"})
    assert refused.status_code == 404
    after = api.client.get("/api/v1/courses/HV-2S", headers=api.headers()).get_json()
    assert after == before
    with service.session() as session:
        course = session.query(Course).filter_by(code="HV-2S").one()
        assert course.retired_at is None and course.image_id is None


def test_importing_a_course_code_another_provider_uses_makes_an_own_course(other, api):
    import json
    course = api.client.get("/api/v1/courses/HV-2S", headers=api.headers()).get_json()
    entry = {k: course[k] for k in ("code", "title", "description", "criteria", "learningOutcomes", "eqfLevel",
                                    "assessmentType", "participationForm", "qualityAssurance")}
    entry.update(title="Nordhaven's own", workload={"hours": 4},
                 skills=[{"framework": s["framework"], "skill": s["code"], "level": s["level"]} for s in course["skills"]])
    data = {"catalogue": (io.BytesIO(json.dumps({"courses": [entry]}).encode()), "c.json")}
    assert other.post("/console/courses/import", data, content_type="multipart/form-data").status_code == 303
    assert api.client.get("/api/v1/courses/HV-2S", headers=api.headers()).get_json()["title"] == course["title"]


def test_another_providers_keys_clients_profiles_and_accounts(console, other, service, api):
    made = console.post("/console/settings/oauth-clients",
                        {"name": "emob LMS", "scope": ["credentials:read"]})
    assert made.status_code == 201
    with service.session() as session:
        key = session.query(ApiKey).join(ApiKey.provider).filter_by(slug="emob-academy").first()
        client = session.query(OAuthClient).filter_by(name="emob LMS").one()
        admin = session.query(ConsoleUser).filter_by(email="admin@emob-academy.example").one()
        keys_before = {(k.fragment, k.active) for k in session.query(SigningKey).all() if k.issuer.slug == "emob-academy"}
        prefix, client_id, admin_id = key.prefix, client.client_id, admin.id
    assert other.post(f"/console/settings/api-keys/{prefix}/revoke").status_code == 404
    assert other.post(f"/console/settings/oauth-clients/{client_id}/revoke").status_code == 404
    assert other.post("/console/settings/issuers/emob-academy", {"name": "Stolen"}).status_code == 404
    assert other.post("/console/settings/issuers/emob-academy/rotate").status_code == 404
    for action in ("disable", "reset", "role"):
        assert other.post(f"/console/users/{admin_id}", {"action": action, "role": "viewer"}).status_code == 404
    with service.session() as session:
        assert session.get(ApiKey, key.id).revoked_at is None
        assert session.query(OAuthClient).filter_by(client_id=client_id).one().revoked_at is None
        admin = session.get(ConsoleUser, admin_id)
        assert admin.disabled_at is None and admin.role == "admin"
        assert {(k.fragment, k.active) for k in session.query(SigningKey).all()
                if k.issuer.slug == "emob-academy"} == keys_before
    assert api.client.get("/api/v1/courses", headers=api.headers()).status_code == 200
    assert console.get("/console/").status_code == 200  # the admin was not logged out
