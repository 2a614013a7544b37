"""The provider console in headless Chromium (issue #14 §4): log in, import a course and map it to
skills, issue one learner, revoke one credential; every page checked for WCAG 2.1 AA with axe-core
and saved as a screenshot."""
from __future__ import annotations

import json

import pytest

from issuer.demo.setup import demo_console_login

from . import axe


@pytest.fixture
def page(browser):
    """A page whose context lets axe-core be injected with ``add_script_tag``: the pages' CSP
    (``script-src 'self'``, tested in tests/web) would refuse the inline script tag."""
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture
def console_page(page, live_server):
    """A page logged in to the console as the demo provider's administrator."""
    email, password = demo_console_login(live_server.service)
    page.goto(live_server.url("/console/login"))
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/console/")
    return page


def _nav(page, name: str):
    """A link of the console's navigation (the site header has a public "Catalogue" link too)."""
    page.get_by_role("navigation", name="Console").get_by_role("link", name=name).click()


def _shot(page, screenshots, name: str) -> None:
    page.screenshot(path=str(screenshots / f"console-{name}.png"), full_page=True)


def test_log_in_and_see_the_dashboard(page, live_server, screenshots):
    email, password = demo_console_login(live_server.service)
    page.goto(live_server.url("/console/"))
    assert "/console/login" in page.url  # no session: the log-in form
    assert page.locator("input[type=hidden][name=csrf_token]").count() == 1
    axe.check(page)
    _shot(page, screenshots, "login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Log in").click()
    assert page.get_by_role("alert").inner_text() == "The e-mail address or the password is wrong."
    axe.check(page)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/console/")
    assert page.locator("h1").inner_text() == "Dashboard"
    assert page.locator("svg.chart").count() == 1
    axe.check(page)
    _shot(page, screenshots, "dashboard")


def test_import_a_course_and_map_it_to_skills(console_page, live_server, screenshots, tmp_path):
    page = console_page
    api = live_server.app.test_client()
    headers = {"Authorization": f"Bearer {live_server.api_keys['emob-academy']}"}
    course = api.get("/api/v1/courses/HV-2S", headers=headers).get_json()
    entry = {k: course[k] for k in ("title", "description", "criteria", "learningOutcomes", "eqfLevel",
                                    "assessmentType", "participationForm", "qualityAssurance")}
    entry.update(code="BROWSER-1", title="Thermal management of traction batteries", workload={"hours": 12},
                 skills=[{"framework": course["skills"][0]["framework"], "skill": course["skills"][0]["code"],
                          "level": 2}])
    upload = tmp_path / "catalogue.json"
    upload.write_text(json.dumps({"courses": [entry]}))

    _nav(page, "Catalogue")
    page.wait_for_url("**/console/courses")
    axe.check(page)
    page.get_by_label("Catalogue file (JSON)").set_input_files(str(upload))
    page.get_by_role("button", name="Import").click()
    assert "Imported: 1 new" in page.get_by_role("status").first.inner_text()
    _shot(page, screenshots, "catalogue")

    page.get_by_role("link", name="BROWSER-1").click()
    page.wait_for_url("**/console/courses/BROWSER-1")
    assert page.locator("[data-test=mapped-skills] tbody tr").count() == 1
    # find a second skill with the picker (grouped by job role) and map it at level 3
    second = course["skills"][1]
    page.get_by_label("Find a skill or job role").fill(second["name"][:8])
    page.get_by_role("button", name="Search").click()
    item = page.locator(f'[data-pick="{second["framework"]}/{second["code"]}"]').first
    item.locator("select").select_option("3")
    item.get_by_role("button").click()
    page.wait_for_url("**/console/courses/BROWSER-1")
    rows = page.locator("[data-test=mapped-skills] tbody tr")
    assert rows.count() == 2
    assert page.locator(f'tr[data-skill="{second["code"]}"] select').input_value() == "3"
    assert page.locator("[data-test=roles] li").count() >= 1  # the job roles it contributes to
    axe.check(page)
    _shot(page, screenshots, "course")
    mapped = api.get("/api/v1/courses/BROWSER-1", headers=headers).get_json()["skills"]
    assert {(s["code"], s["level"]) for s in mapped} == {(course["skills"][0]["code"], 2), (second["code"], 3)}


def test_issue_one_and_revoke_it(console_page, live_server, screenshots):
    page = console_page
    _nav(page, "Issue")
    page.wait_for_url("**/console/issue")
    axe.check(page)
    _shot(page, screenshots, "issue")
    page.get_by_label("Course").select_option("HV-2S")
    page.get_by_label("Learner name").fill("Robin Browser")
    page.get_by_label("Learner e-mail").fill("robin@example.org")
    page.get_by_role("button", name="Issue the credential").click()
    page.wait_for_url("**/console/credentials/*")
    credential_url = page.url
    assert "Issued to Robin Browser." in page.get_by_role("status").first.inner_text()

    _nav(page, "Credentials")
    page.get_by_label("Learner e-mail").fill("robin@example.org")
    page.get_by_role("button", name="Search").click()
    rows = page.locator("[data-test=credentials] tbody tr")
    assert rows.count() == 1
    axe.check(page)
    _shot(page, screenshots, "credentials")

    page.get_by_role("link", name="Robin Browser").click()
    assert page.url == credential_url
    page.get_by_label("Reason").fill("issued by mistake")
    page.get_by_role("button", name="Revoke").click()
    assert "The credential is revoked." in page.get_by_role("status").first.inner_text()
    assert "issued by mistake" in page.locator("[data-test=history]").inner_text()
    axe.check(page)
    _shot(page, screenshots, "credential")
    credential_id = credential_url.rsplit("/", 1)[1]
    public = page.request.get(live_server.url(f"/credentials/{credential_id}/verify"))
    assert public.status == 200
    _nav(page, "Dashboard")
    bars = page.locator("svg.chart rect").evaluate_all(
        "rects => rects.filter(r => r.querySelector('title') && parseFloat(r.getAttribute('height')) > 0)"
        ".map(r => r.querySelector('title').textContent)")
    assert any("Issued" in b for b in bars) and any("Revoked" in b for b in bars), bars
    axe.check(page)
    _shot(page, screenshots, "dashboard-with-activity")


def test_settings_and_accounts_pages(console_page, live_server, screenshots):
    page = console_page
    _nav(page, "Settings")
    page.wait_for_url("**/console/settings")
    axe.check(page)
    _shot(page, screenshots, "settings")
    page.get_by_label("Label of a new key").fill("browser test")
    page.get_by_role("button", name="Create an API key").click()
    secret = page.locator("[data-secret]").inner_text()
    assert secret.startswith("obk_")
    axe.check(page)
    _nav(page, "Notifications")
    page.wait_for_url("**/console/notifications")
    axe.check(page)
    _shot(page, screenshots, "notifications")
    _nav(page, "Accounts")
    page.wait_for_url("**/console/users")
    axe.check(page)
    _shot(page, screenshots, "accounts")


def test_the_axe_check_finds_violations(page):
    page.set_content('<html><body><img src="/x.png"><a href="/"></a></body></html>')
    found = {v["id"] for v in axe.violations(page)}
    assert {"html-has-lang", "image-alt", "link-name"} <= found
    with pytest.raises(AssertionError, match="image-alt"):
        axe.check(page)


def test_issue_to_a_class_of_30_from_csv_and_watch_the_progress(console_page, live_server, screenshots, tmp_path):
    page = console_page
    lines = ["course,name,email,completedAt"]
    lines += [f"HV-2S,Learner {i:02d},learner{i:02d}@example.org,2026-05-04T10:00:00Z" for i in range(1, 31)]
    lines.append("NO-SUCH-COURSE,Extra Person,extra@example.org,")  # line 32: refused in the preview
    upload = tmp_path / "class.csv"
    upload.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _nav(page, "Issue")
    page.get_by_label("Class list (CSV)").set_input_files(str(upload))
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_url("**/console/issue/class/preview")
    assert page.locator("[data-test=summary]").inner_text() == "30 of 31 rows can be issued."
    problem = page.locator('[data-test=problems] tr[data-line="32"]')
    assert "NO-SUCH-COURSE" in problem.inner_text()
    axe.check(page)
    _shot(page, screenshots, "class-preview")
    page.get_by_role("button", name="Issue the 30 valid rows (skip the others)").click()
    page.wait_for_url("**/console/batches/*")
    status = page.locator("[data-batch-status]")
    seen = set()
    for _ in range(300):  # watch the live progress (the page polls the batch's progress)
        seen.add(page.locator("progress").get_attribute("value"))
        if status.get_attribute("data-state") == "done":
            break
        page.wait_for_timeout(100)
    assert page.locator("[data-batch-text]").inner_text() == "31 of 31 done: 30 issued, 1 failed."
    assert page.locator("progress").get_attribute("value") == "31" and "31" in seen
    axe.check(page)
    _shot(page, screenshots, "class-progress")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the results (CSV)").click()
    rows = download.value.path().read_text().splitlines()
    assert rows[0] == "line,state,credentialId,url,problem" and len(rows) == 32
    assert sum(1 for r in rows[1:] if ",issued," in r) == 30
