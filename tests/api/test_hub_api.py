"""The public catalogue search, gap courses on coverage, the learner's gap report, and per-language
course texts over the API (issue #14 §2-§3)."""
from __future__ import annotations

import copy

import pytest

from tests.api.test_catalogue_api import COURSE

ROLE = "DRIVES-ACM/EV-CHG-TECH"


def _role(coverage, code):
    return next(r for r in coverage["roles"] if r["code"] == code)


def test_search_filters_and_facets(client, demo):
    everything = client.get("/api/v1/catalogue").get_json()
    assert everything["total"] == 15 and len(everything["courses"]) == 15
    online = client.get("/api/v1/catalogue?participation=online").get_json()
    assert online["total"] == sum(1 for c in everything["courses"] if c["participation"] == "online") > 0
    assert all(c["participation"] == "online" for c in online["courses"])
    facet = {f["value"]: f["count"] for f in online["facets"]["participation"]}
    assert facet == {p: sum(1 for c in everything["courses"] if c["participation"] == p)
                     for p in ("online", "onsite", "blended")}
    by_country = {f["value"]: f["count"] for f in everything["facets"]["country"]}
    assert by_country == {"DE": 5, "AT": 5, "SE": 5}
    role = client.get(f"/api/v1/catalogue?role={ROLE}&eqf=4&language=de").get_json()
    assert role["total"] >= 1 and all(c["eqf"] == 4 and c["language"].startswith("de") for c in role["courses"])
    assert all(any(r["code"] == "EV-CHG-TECH" for r in c["roles"]) for c in role["courses"])
    skill = client.get("/api/v1/catalogue?skill=DRIVES-ACM/HVS-AWARE&level=3&provider=emob-academy").get_json()
    assert {c["code"] for c in skill["courses"]} and all(c["provider"] == "emob-academy" for c in skill["courses"])
    first = everything["courses"][0]
    assert first["url"].startswith("http://localhost:5000/achievements/") and first["skills"][0]["url"]
    paged = client.get("/api/v1/catalogue?limit=2&offset=14").get_json()
    assert paged["total"] == 15 and len(paged["courses"]) == 1


def test_courses_of_providers_without_credentials_are_marked_not_hidden(client, demo, api):
    before = client.get("/api/v1/catalogue").get_json()["courses"]
    assert before and not any(c["providerHasIssued"] for c in before)
    api.issue("HV-2S")
    after = client.get("/api/v1/catalogue").get_json()["courses"]
    assert len(after) == len(before)
    assert {c["provider"] for c in after if c["providerHasIssued"]} == {"emob-academy"}


@pytest.mark.parametrize("query", ["participation=remote", "eqf=9", "level=2", "role=x", "unknown=1", "limit=0",
                                   "limit=abc", "country=Deutschland", "q=" + "x" * 300])
def test_bad_search_parameters_are_400_problems(client, demo, query):
    response = client.get(f"/api/v1/catalogue?{query}")
    assert response.status_code == 400 and response.mimetype == "application/problem+json"


def test_coverage_lists_courses_for_each_gap_and_a_plan(client, demo, api):
    issued = api.issue("HV-2S")
    coverage = client.get(f"/credentials/{issued['id']}/coverage.json").get_json()
    role = _role(coverage, "EV-CHG-TECH")
    gaps = role["partial"] + role["missing"]
    assert gaps and all("courses" in s for s in gaps) and not any("courses" in s for s in role["covered"])
    for skill in gaps:
        for course in skill["courses"]:
            assert course["level"] >= skill["required"] and course["url"].startswith("http://localhost:5000/")
    plan = role["plan"]
    assert plan["method"] == "exact" and plan["optimal"]
    closed = {s["code"] for c in plan["courses"] for s in c["closes"]}
    coverable = {s["code"] for s in gaps if s["courses"]}
    assert closed == coverable and {s["code"] for s in plan["uncoverable"]} == {s["code"] for s in gaps} - coverable
    assert plan["complete"] == (not plan["uncoverable"])
    # the combined coverage of a holder carries the same
    combined = client.post("/api/v1/coverage", json={"credentials": [issued["credential"]]}).get_json()
    assert _role(combined, "EV-CHG-TECH")["plan"] == plan


def test_gap_report_json(client, demo, api):
    holder = {"name": "Ina Berg", "email": "ina.berg@example.org"}
    a = api.issue("HV-2S", learner=holder)
    forged = copy.deepcopy(api.issue("CHG-INSTALL", learner=holder)["credential"])
    forged["credentialSubject"]["achievement"]["name"] = "Forged"
    link = {"url": f"http://localhost:5000/credentials/{a['id']}"}  # our own link: read from the database
    response = client.post("/api/v1/gap-report", json={"credentials": [a["jwt"], forged, link], "role": ROLE,
                                                       "holder": {"email": holder["email"]}})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    report = response.get_json()
    assert report["stored"] is False and report["role"]["code"] == "EV-CHG-TECH"
    assert [r["counted"] for r in report["credentials"]] == [True, False, True] and report["counted"] == 2
    assert report["coverage"]["counts"]["required"] == 6
    assert all("courses" in s for s in report["coverage"]["missing"] + report["coverage"]["partial"])
    assert {c["code"] for c in report["plan"]["courses"]} == {"CHG-INSTALL"}  # the forged copy counts for nothing


@pytest.mark.parametrize("body, status", [
    ({"credentials": [], "role": ROLE}, 422), ({"credentials": [{}]}, 422),
    ({"credentials": [{}], "role": "DRIVES-ACM/NOPE"}, 422), ({"credentials": [{}], "role": "bad"}, 422),
    ({"credentials": [{"url": "file:///etc/passwd"}], "role": ROLE}, 422),
    ({"credentials": [{"url": f"https://h{i}.invalid/c"} for i in range(6)], "role": ROLE}, 422),
    ({"credentials": [{}], "role": ROLE, "holder": "me"}, 422)])
def test_gap_report_refuses_bad_input(client, demo, body, status):
    response = client.post("/api/v1/gap-report", json=body)
    assert response.status_code == status and response.mimetype == "application/problem+json"
    assert client.post("/api/v1/gap-report", data="x", content_type="text/plain").status_code == 415


def test_course_translations_are_imported_listed_and_exported(client, demo, auth):
    course = {**COURSE, "translations": {"FR": {"title": "Les bases du véhicule électrique"},
                                         "cs": {"title": "Základy elektromobilů", "description": "Úvod."}}}
    assert client.post("/api/v1/courses", json={"courses": [course]}, headers=auth).status_code == 200
    stored = client.get("/api/v1/courses/EV-INTRO", headers=auth).get_json()
    assert stored["translations"] == {"fr": {"title": "Les bases du véhicule électrique"},
                                      "cs": {"title": "Základy elektromobilů", "description": "Úvod."}}
    found = client.get("/api/v1/catalogue?q=elektromobil").get_json()["courses"]
    assert [c["code"] for c in found] == ["EV-INTRO"] and found[0]["titles"]["cs"] == "Základy elektromobilů"
    issued = client.post("/api/v1/credentials", json={"course": "EV-INTRO", "learner": {
        "name": "Ola", "email": "ola@example.org"}}, headers=auth).get_json()
    assert issued["credential"]["credentialSubject"]["achievement"]["name"] == "EV fundamentals"  # its own language


@pytest.mark.parametrize("translations", [{"fr": {}}, {"fr": {"title": ""}}, {"fr": {"name": "x"}},
                                          {"not a tag": {"title": "x"}}, {"fr": {"title": "a"}, "FR": {"title": "b"}}])
def test_bad_course_translations_are_refused(client, demo, auth, translations):
    response = client.post("/api/v1/courses", json={"courses": [{**COURSE, "translations": translations}]},
                           headers=auth)
    assert response.status_code == 422
    assert client.get("/api/v1/courses/EV-INTRO", headers=auth).status_code == 404
