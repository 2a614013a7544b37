"""GET /api/v1/credentials (filters, cursor paging, Link headers), GET /api/v1/issuers and
GET /api/v1/courses/<code>: only the caller's own objects, ever."""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select, update

from issuer.store.models import Credential


def listing(client, auth, query: str = "", status: int = 200):
    response = client.get(f"/api/v1/credentials{query}", headers=auth)
    assert response.status_code == status, response.get_json()
    return response


def ids(response) -> list[str]:
    return [item["id"] for item in response.get_json()["items"]]


@pytest.fixture
def other(demo):
    return {"Authorization": f"Bearer {demo['bbz-alpenvorland']}"}


def test_lists_only_own_credentials_newest_first_with_summaries(client, auth, other, service, api):
    mine = [api.issue()["id"] for _ in range(3)]
    theirs = api.issue("ADAS-CAL", provider="bbz-alpenvorland")["id"]
    body = listing(client, auth).get_json()
    assert body["next"] is None
    assert set(ids_ := [i["id"] for i in body["items"]]) == set(mine) and theirs not in ids_
    item = body["items"][0]
    assert set(item) == {"id", "url", "course", "issuer", "status", "issuedAt", "validUntil", "learnerName",
                         "learnerDid", "claimedAt"}
    assert item["course"] == "HV-2S" and item["status"] == "active" and item["issuer"] == "emob-academy"
    assert item["url"] == f"http://localhost:5000/api/v1/credentials/{item['id']}"
    assert "email" not in str(body).lower()
    issued = [i["issuedAt"] for i in body["items"]]
    assert issued == sorted(issued, reverse=True)
    assert ids(listing(client, other)) == [theirs]


def test_cursor_paging_is_stable_and_complete_with_link_headers(client, auth, service, api):
    made = {api.issue()["id"] for _ in range(5)}
    # Same issuance time for all: the id breaks ties, so pages neither repeat nor skip.
    with service.session(write=True) as s:
        first = s.scalar(select(Credential.valid_from).limit(1))
        s.execute(update(Credential).values(valid_from=first))
        s.commit()
    seen, url, pages = [], "/api/v1/credentials?limit=2", 0
    while url:
        response = client.get(url, headers=auth)
        assert response.status_code == 200
        body = response.get_json()
        seen += ids(response)
        pages += 1
        if body["next"]:
            assert response.headers["Link"] == f'<{body["next"]}>; rel="next"'
            assert body["next"].startswith("http://localhost:5000/api/v1/credentials?")
            assert "limit=2" in body["next"]
            parts = urlsplit(body["next"])
            url = f"{parts.path}?{parts.query}"
            api.issue()  # new credentials during paging do not disturb later pages
        else:
            assert "Link" not in response.headers
            url = None
    assert pages == 3 and len(seen) == len(set(seen)) == 5 and set(seen) == made


def test_filters_course_status_dates_did_and_email(client, auth, service, api):
    a = api.issue(learner={"name": "A", "email": "Learner.One@Example.org"})["id"]
    b = api.issue("BAT-SERVICE", learner={"name": "B", "email": "two@example.org"})["id"]
    c = api.issue(learner={"name": "C", "id": "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"})["id"]
    d = api.issue("HV-REFRESH", learner={"name": "D", "email": "learner.one@example.org"})["id"]
    api.revoke(b, "error")
    assert client.post(f"/api/v1/credentials/{c}/suspend", json={}, headers=auth).status_code == 200

    assert ids(listing(client, auth, "?course=BAT-SERVICE")) == [b]
    assert set(ids(listing(client, auth, "?status=active"))) == {a, d}
    assert ids(listing(client, auth, "?status=revoked")) == [b]
    assert ids(listing(client, auth, "?status=suspended")) == [c]
    assert ids(listing(client, auth, "?status=expired")) == []
    assert ids(listing(client, auth, "?learnerDid=did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK")) == [c]
    # e-mail: trimmed and case-insensitive, matched through the keyed index
    assert set(ids(listing(client, auth, "?learnerEmail=%20LEARNER.one@example.org"))) == {a, d}
    assert ids(listing(client, auth, "?learnerEmail=nobody@example.org")) == []
    with service.session() as s:
        stored = s.scalars(select(Credential.learner_email_index)).all()
    assert all(v is None or (len(v) == 64 and "@" not in v) for v in stored)

    now = service.clock()
    later = (now + timedelta(hours=1)).isoformat()
    earlier = (now - timedelta(hours=1)).isoformat().replace("+00:00", "Z")
    assert len(ids(listing(client, auth, f"?issuedAfter={earlier}"))) == 4
    assert ids(listing(client, auth, f"?issuedBefore={earlier}")) == []
    assert len(ids(listing(client, auth, f"?issuedBefore={later.replace('+', '%2B')}"))) == 4
    # two years and a day later, the HV-REFRESH credential (valid P2Y) has expired
    service.clock = lambda: now + timedelta(days=2 * 366)
    assert ids(listing(client, auth, "?status=expired")) == [d]
    assert ids(listing(client, auth, "?status=active")) == [a]
    assert [i["status"] for i in listing(client, auth, f"?course=HV-REFRESH").get_json()["items"]] == ["expired"]


def test_email_filter_finds_credentials_issued_before_the_index(client, auth, service, api):
    old = api.issue(learner={"name": "Old", "email": "old@example.org"})["id"]
    with service.session(write=True) as s:
        s.execute(update(Credential).values(learner_email_index="legacy"))  # as migration 0002 marks them
        s.commit()
    new = api.issue(learner={"name": "New", "email": "old@example.org"})["id"]
    api.issue(learner={"name": "Other", "email": "other@example.org"})
    assert set(ids(listing(client, auth, "?learnerEmail=OLD@example.org"))) == {old, new}


@pytest.mark.parametrize("query", [
    "?status=deleted", "?limit=0", "?limit=201", "?limit=x", "?issuedAfter=yesterday",
    "?issuedAfter=2026-01-01T00:00:00", "?learnerDid=someone", "?learnerEmail=x", "?cursor=bm9wZQ",
    "?cursor=" + "A" * 300, "?color=red", "?batch=b1", "?claimed=yes", "?status=active&status=revoked",
])
def test_bad_queries_are_problem_400(client, auth, query):
    response = listing(client, auth, query, status=400)
    assert response.mimetype == "application/problem+json"


def test_others_objects_never_appear(client, auth, other, api):
    theirs = api.issue("ADAS-CAL", provider="bbz-alpenvorland",
                       learner={"name": "T", "email": "shared@example.org"})["id"]
    assert ids(listing(client, auth, "?learnerEmail=shared@example.org")) == []
    assert ids(listing(client, auth, "?course=ADAS-CAL")) == []
    assert client.get(f"/api/v1/credentials/{theirs}", headers=auth).status_code == 404
    assert client.get("/api/v1/courses/ADAS-CAL", headers=auth).status_code == 404
    slugs = [i["slug"] for i in client.get("/api/v1/issuers", headers=auth).get_json()["issuers"]]
    assert slugs == ["emob-academy"]


def test_issuers_and_one_course(client, auth):
    issuers = client.get("/api/v1/issuers", headers=auth).get_json()["issuers"]
    assert issuers[0]["did"] == "did:web:localhost%3A5000:issuers:emob-academy"
    assert issuers[0]["profile"]["type"] == ["Profile"]
    course = client.get("/api/v1/courses/HV-2S", headers=auth)
    assert course.status_code == 200
    listed = client.get("/api/v1/courses", headers=auth).get_json()["courses"]
    assert course.get_json() == next(c for c in listed if c["code"] == "HV-2S")
    assert client.get("/api/v1/courses/NOPE", headers=auth).status_code == 404


def test_listing_needs_authentication(client, demo):
    assert client.get("/api/v1/credentials").status_code == 401
    assert client.get("/api/v1/issuers").status_code == 401


def test_a_course_language_in_any_case_still_issues(client, auth):
    """Found by schemathesis: a course imported with language "AA" made issuance fail (5xx)."""
    course = client.get("/api/v1/courses", headers=auth).get_json()["courses"][0]
    doc = {"courses": [{"code": "LANG-1", "title": "T", "description": "D", "criteria": "C", "learningOutcomes": ["x"],
                        "workload": {"hours": 1}, "eqfLevel": 4, "assessmentType": "exam",
                        "participationForm": "online", "qualityAssurance": "QA", "language": "PT-br",
                        "skills": [{"framework": s["framework"], "skill": s["code"], "level": s["level"]}
                                   for s in course["skills"]]}]}
    imported = client.post("/api/v1/courses", json=doc, headers=auth)
    assert imported.status_code == 200, imported.get_json()
    issued = client.post("/api/v1/credentials", json={"course": "LANG-1", "learner": {"name": "A", "email": "a@b.org"}},
                         headers=auth)
    assert issued.status_code == 201, issued.get_json()
    assert issued.get_json()["credential"]["credentialSubject"]["achievement"]["inLanguage"] == "pt-BR"
