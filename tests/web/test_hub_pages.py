"""The catalogue search page, gap courses on the coverage page, the gap report page, and course
texts in the page's language (issue #14 §2-§3)."""
from __future__ import annotations

import json

from tests.api.test_catalogue_api import COURSE
from tests.web.helpers import GERMAN, HTML, get_page

ROLE = "DRIVES-ACM/EV-CHG-TECH"


def test_catalogue_page_searches_and_links(client, demo):
    page = get_page(client, "/catalogue?participation=online")
    results = page.first("h2", id="results")
    assert int(results["data-total"]) == 3
    links = page.links()
    assert any(href.startswith("/achievements/") for href in links)
    assert any(href.startswith("/roles/DRIVES-ACM/") for href in links)
    assert any(href.startswith("/skills/DRIVES-ACM/") for href in links)
    assert page.first("a", class_="chip")["href"] == "/catalogue"  # removing the only filter
    selected = [o for o in page.find("option") if "selected" in o]
    assert [o["value"] for o in selected] == ["online"]
    assert "No credentials issued yet" in page.text  # no provider has issued: marked, not hidden


def test_role_and_skill_pages_link_to_the_search(client, demo):
    assert f"/catalogue?role={ROLE}" in get_page(client, "/roles/DRIVES-ACM/EV-CHG-TECH").links()
    assert "/catalogue?skill=DRIVES-ACM/HVS-AWARE" in get_page(client, "/skills/DRIVES-ACM/HVS-AWARE").links()


def test_catalogue_page_answers_json_by_accept_and_400_for_bad_filters(client, demo):
    body = client.get("/catalogue?eqf=7", headers={"Accept": "application/json"}).get_json()
    assert body["total"] == 3 and {f["value"] for f in body["facets"]["eqf"]} >= {4, 7}
    assert client.get("/catalogue?eqf=99", headers=HTML).status_code == 400


def test_coverage_page_shows_courses_for_gaps_and_the_plan(client, demo, api):
    issued = api.issue("HV-2S")
    page = get_page(client, f"/credentials/{issued['id']}/coverage")
    gap_links = [a for a in page.find("a") if "data-gap-course" in a]
    plan_links = [a for a in page.find("a") if "data-plan-course" in a]
    assert gap_links and plan_links
    assert all(a["href"].startswith("http://localhost:5000/achievements/") for a in gap_links + plan_links)
    assert "Smallest set of courses to complete this role" in page.text


def test_gap_report_page(client, demo, api):
    issued = api.issue("HV-2S")
    form = get_page(client, f"/gap-report?role={ROLE}")
    assert [o["value"] for o in form.find("option") if "selected" in o] == [ROLE]
    response = client.post("/gap-report", headers=HTML, data={
        "role": ROLE, "credentials": json.dumps(issued["credential"]), "urls": ""})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    assert 'data-role="DRIVES-ACM/EV-CHG-TECH"' in html and "data-plan-course" in html and "data-not-counted" not in html


def test_gap_report_page_shows_errors_in_the_form(client, demo):
    no_credentials = client.post("/gap-report", headers=HTML, data={"role": ROLE})
    assert no_credentials.status_code == 400 and 'id="form-error"' in no_credentials.get_data(as_text=True)
    bad_role = client.post("/gap-report", headers=HTML, data={"role": "X/Y", "credentials": "{}"})
    assert bad_role.status_code == 422 and "unknown job role" in bad_role.get_data(as_text=True)
    too_many = client.post("/gap-report", headers=HTML, data={"role": ROLE, "urls": "\n".join(
        f"https://h{i}.invalid/c" for i in range(6))})
    assert too_many.status_code == 400


def test_course_texts_follow_the_page_language(client, demo, auth):
    course = {**COURSE, "translations": {"de": {"title": "Grundlagen der Elektromobilität"},
                                         "fr": {"title": "Les bases du véhicule électrique", "description": "Bases."}}}
    assert client.post("/api/v1/courses", json={"courses": [course]}, headers=auth).status_code == 200
    path = "/achievements/emob-academy/ev-intro"
    assert get_page(client, path).first("h1") is not None
    assert "EV fundamentals" in get_page(client, path).text
    assert "Grundlagen der Elektromobilität" in get_page(client, path, headers=GERMAN).text
    french = get_page(client, path + "?lang=fr")
    assert french.first("html")["lang"] == "fr"
    assert "Les bases du véhicule électrique" in french.text and "Bases." in french.text
    assert "Les bases du véhicule électrique" in get_page(client, "/catalogue?q=bases").text


def test_gap_report_page_takes_files_and_refuses_too_large_uploads(client, demo, api):
    import io
    issued = api.issue("HV-2S")
    files = {"role": ROLE, "email": "Alex.Muster@example.org ", "file": [(io.BytesIO(issued["jwt"].encode()), "badge.jwt"),
                                    (io.BytesIO(json.dumps(issued["credential"]).encode()), "badge.json")]}
    response = client.post("/gap-report", headers=HTML, data=files, content_type="multipart/form-data")
    assert response.status_code == 200 and "2 credentials counted" in response.get_data(as_text=True)
    # a hand-made body: the test client's own multipart encoder leaks a temp file if the app does not read it
    boundary = "----limit"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.json\"\r\n"
            f"Content-Type: application/json\r\n\r\n").encode() + b"x" * (9 * 1024 * 1024) + \
        f"\r\n--{boundary}--\r\n".encode()
    too_large = client.post("/gap-report", headers=HTML, data=body,
                            content_type=f"multipart/form-data; boundary={boundary}")
    assert too_large.status_code == 413 and 'id="form-error"' in too_large.get_data(as_text=True)


def test_course_page_links_to_the_job_roles_it_contributes_to(client, demo):
    links = get_page(client, "/achievements/emob-academy/chg-install").links()
    assert "/roles/DRIVES-ACM/EV-CHG-TECH" in links and any("/skills/DRIVES-ACM/" in href for href in links)
