"""Issue #9 §4: bad input gets a clear 4xx and nothing is stored."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from issuer.store.models import Course, Credential, StatusEvent
from tests.factories import LEARNER



def count(service, model=Credential) -> int:
    with service.session() as s:
        return s.scalar(select(func.count()).select_from(model))


def post_raw(client, path, text, auth):
    return client.post(path, data=text.encode("utf-8"), content_type="application/json", headers=auth)


@pytest.mark.parametrize("completed", ["0999-12-31T23:00:00Z", "0001-01-01T00:00:00Z",
                                       "9999-12-31T23:00:00-05:00", "0999-06-01T00:00:00+00:00"])
def test_completed_at_outside_four_digit_years_is_refused(client, auth, service, completed):
    before = count(service)
    response = client.post("/api/v1/credentials", headers=auth,
                           json={"course": "HV-2S", "learner": LEARNER, "completedAt": completed})
    assert response.status_code == 422, response.get_json()
    assert response.mimetype == "application/problem+json"
    assert "1000 and 9999" in response.get_json()["detail"]
    assert count(service) == before


def test_completed_at_in_year_1000_still_issues(client, auth):
    response = client.post("/api/v1/credentials", headers=auth,
                           json={"course": "HV-2S", "learner": LEARNER, "completedAt": "1000-01-01T00:00:00Z"})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["credential"]["credentialSubject"]["activityEndDate"] == "1000-01-01T00:00:00Z"


def test_lone_surrogate_in_learner_name_is_400_and_nothing_stored(client, auth, service):
    before = count(service)
    body = '{"course": "HV-2S", "learner": {"name": "Al\\ud800ex", "email": "alex@example.org"}}'
    response = post_raw(client, "/api/v1/credentials", body, auth)
    assert response.status_code == 400
    assert "surrogate" in response.get_json()["detail"]
    assert count(service) == before


def test_lone_surrogate_in_catalogue_text_is_400(client, auth, service):
    before = count(service, Course)
    course = {"code": "SUR-1", "title": "Title \udc00", "description": "d", "criteria": "c",
              "learningOutcomes": ["x"], "workload": {"hours": 1}, "eqfLevel": 4, "assessmentType": "exam",
              "participationForm": "online", "qualityAssurance": "qa",
              "skills": [{"framework": "drives", "skill": "HV-SAFETY", "level": 2}]}
    text = json.dumps({"courses": [course]})  # json.dumps writes the surrogate as \udc00
    assert "\\udc00" in text
    response = post_raw(client, "/api/v1/courses", text, auth)
    assert response.status_code == 400, response.get_json()
    assert count(service, Course) == before


def test_lone_surrogate_in_revocation_reason_is_400(client, auth, service):
    issued = client.post("/api/v1/credentials", headers=auth, json={"course": "HV-2S", "learner": LEARNER})
    cid = issued.get_json()["id"]
    events = count(service, StatusEvent)
    response = post_raw(client, f"/api/v1/credentials/{cid}/revoke", '{"reason": "fraud \\ud83d"}', auth)
    assert response.status_code == 400
    assert count(service, StatusEvent) == events
    assert client.get(f"/api/v1/credentials/{cid}/status", headers=auth).get_json()["status"] == "active"


# white space of any kind, and characters that show nothing: zero-width space, word joiner, BOM,
# Hangul filler (renders as a blank), soft hyphen, left-to-right mark
BLANK_NAMES = ["   \t ", "\u3000\u00a0", "\u200b\u200b", "\u2060 \ufeff", "\u3164", "\u00ad\u200e"]


@pytest.mark.parametrize("name", BLANK_NAMES)
def test_learner_name_of_only_spaces_is_refused(client, auth, service, name):
    before = count(service)
    response = client.post("/api/v1/credentials", headers=auth,
                           json={"course": "HV-2S", "learner": {"name": name, "email": "a@example.org"}})
    assert response.status_code == 422
    assert any(e["path"] == "/learner/name" for e in response.get_json()["errors"])
    assert count(service) == before


@pytest.mark.parametrize("name", ["Ana Ruiz", "\u0645\u06cc\u200c\u0631\u0648", "\U0001f469\u200d\U0001f527 Ana"])
def test_names_joined_with_zwnj_or_zwj_still_issue(client, auth, name):
    """ZWNJ and ZWJ are not blanks: Persian and emoji sequences need them."""
    response = client.post("/api/v1/credentials", headers=auth,
                           json={"course": "HV-2S", "learner": {"name": name, "email": "a@example.org"}})
    assert response.status_code == 201, response.get_json()


@pytest.mark.parametrize("title", ["\u200b\u2060", "\u3164 \ufeff"])
def test_course_title_that_shows_nothing_is_refused(client, auth, service, title):
    before = count(service, Course)
    course = {"code": "BLANK-1", "title": title, "description": "d", "criteria": "c",
              "learningOutcomes": ["x"], "workload": {"hours": 1}, "eqfLevel": 4, "assessmentType": "exam",
              "participationForm": "online", "qualityAssurance": "qa",
              "skills": [{"framework": "drives", "skill": "HV-SAFETY", "level": 2}]}
    response = client.post("/api/v1/courses", headers=auth, json={"courses": [course]})
    assert response.status_code == 422, response.get_json()
    assert any(e["path"] == "/courses/0/title" for e in response.get_json()["errors"])
    assert count(service, Course) == before


@pytest.mark.parametrize("name", BLANK_NAMES)
def test_provider_name_that_shows_nothing_is_refused(name):
    from issuer.errors import ValidationFailed
    from issuer.store.tenants import check_name
    with pytest.raises(ValidationFailed):
        check_name(name)


def test_schemas_use_the_same_blank_characters_as_the_code():
    """Catalogue and matrix text in the published schemas needs a visible character, as names do in code."""
    from pathlib import Path
    from issuer.intake.text import VISIBLE_PATTERN
    root = Path(__file__).resolve().parents[2] / "schemas"
    found = []
    for name in ("course-catalogue.schema.json", "competence-matrix.schema.json"):
        stack = [json.loads((root / name).read_text(encoding="utf-8"))]
        while stack:
            node = stack.pop()
            if isinstance(node, dict):
                if node.get("pattern") in ("\\S", VISIBLE_PATTERN):
                    found.append(node["pattern"])
                stack.extend(node.values())
            elif isinstance(node, list):
                stack.extend(node)
    assert found and set(found) == {VISIBLE_PATTERN}


@pytest.mark.parametrize("did", [
    "did:key:zINVALID",                                              # not base58 (I), no key
    "did:key:z6Mk",                                                  # too short
    "did:key:zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme",     # secp256k1: unsupported
    "did:web:",                                                      # empty host
    "did:web:exa mple.com",
    "did:example:abc%zz",                                            # bad pct-encoding
    "did:example:abc#frag",
    "did:Example:abc",                                               # method names are lower case
])
def test_invalid_learner_dids_are_refused(client, auth, service, did):
    before = count(service)
    response = client.post("/api/v1/credentials", headers=auth,
                           json={"course": "HV-2S", "learner": {"name": "Kim", "id": did}})
    assert response.status_code == 422, (did, response.get_json())
    assert any(e["path"] == "/learner/id" for e in response.get_json().get("errors", []))
    assert count(service) == before


@pytest.mark.parametrize("did", ["did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
                                 "did:web:example.com:users:kim", "did:example:123456789abcdefghi"])
def test_valid_learner_dids_are_issued(client, auth, did):
    response = client.post("/api/v1/credentials", headers=auth,
                           json={"course": "HV-2S", "learner": {"name": "Kim", "id": did}})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["credential"]["credentialSubject"]["id"] == did


@pytest.mark.parametrize("result", [{"grade": "A", "score": 87}, {"grade": "A", "score": 87, "maxScore": 100},
                                    {"maxScore": 100}])
def test_result_data_is_never_dropped_silently(client, auth, service, result):
    before = count(service)
    response = client.post("/api/v1/credentials", headers=auth,
                           json={"course": "HV-2S", "learner": LEARNER, "result": result})
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["errors"][0]["path"].startswith("/result")
    assert count(service) == before


@pytest.mark.parametrize("learner", [{"name": "A"}, {"name": "A", "email": "a@example.org",
                                                      "id": "did:example:123"}])
def test_learner_error_reads_as_a_sentence(client, auth, learner):
    response = client.post("/api/v1/credentials", headers=auth, json={"course": "HV-2S", "learner": learner})
    assert response.status_code == 422
    body = response.get_json()
    assert "give either an e-mail or a DID" in body["detail"]
    assert "is not valid under any of the given schemas" not in json.dumps(body)


def test_direction_overrides_in_a_learner_name_are_refused(client, auth, service):
    before = count(service)
    response = client.post("/api/v1/credentials", headers=auth,
                           json={"course": "HV-2S", "learner": {"name": "Alex \u202eretsuM", "email": "a@example.org"}})
    assert response.status_code == 422
    assert any(e["path"] == "/learner/name" for e in response.get_json()["errors"])
    assert count(service) == before


def test_pages_never_show_direction_controls(client, auth):
    """Text stored before (or arriving from a catalogue) is neutralised wherever a page shows it."""
    course = {"code": "BIDI-1", "title": "Brakes \u202egnp.exe\u202c", "description": "d \u2066x\u2069",
              "criteria": "c", "learningOutcomes": ["x"], "workload": {"hours": 1}, "eqfLevel": 4,
              "assessmentType": "exam", "participationForm": "online", "qualityAssurance": "qa",
              "skills": [{"framework": "DRIVES-ACM", "skill": "HVS-AWARE", "level": 2}]}
    assert client.post("/api/v1/courses", json={"courses": [course]}, headers=auth).status_code == 200
    issued = client.post("/api/v1/credentials", headers=auth,
                         json={"course": "BIDI-1", "learner": {"name": "Kim", "email": "k@example.org"}})
    assert issued.status_code == 201
    html_headers = {"Accept": "text/html"}
    for path in ("/", "/achievements/emob-academy/bidi-1", f"/credentials/{issued.get_json()['id']}",
                 f"/credentials/{issued.get_json()['id']}/verify"):
        html = client.get(path, headers=html_headers).get_data(as_text=True)
        assert "Brakes gnp.exe" in html, path
        assert not any(ch in html for ch in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"), path
