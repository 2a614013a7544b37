"""Issue #14 §2-§4 in a real browser: search the catalogue, follow a skill gap to a course, get a
learner's gap report, and switch languages. Screenshots of each page go to the test artifacts."""
from __future__ import annotations

import json
import urllib.request

import pytest

ROLE = "DRIVES-ACM/EV-CHG-TECH"


def test_search_the_catalogue(page, live_server, screenshots):
    assert page.goto(live_server.url("/catalogue")).status == 200
    total = int(page.locator("#results").get_attribute("data-total"))
    assert total == page.locator(".course-card").count() >= 10
    page.screenshot(path=str(screenshots / "catalogue-search.png"), full_page=True)
    page.get_by_label("Form of participation").select_option("online")
    page.get_by_label("Job role").select_option(label=page.locator("#f-role option", has_text="Functional Safety").first.inner_text())
    with page.expect_navigation():
        page.get_by_role("button", name="Search").click()
    found = int(page.locator("#results").get_attribute("data-total"))
    assert 0 < found < total
    for card in page.locator(".course-card__facts").all():
        assert "Online" in card.inner_text()
    page.screenshot(path=str(screenshots / "catalogue-search-filtered.png"), full_page=True)
    page.locator(".chip[data-remove=participation]").click()  # drop one filter: more results again
    page.wait_for_load_state()
    assert int(page.locator("#results").get_attribute("data-total")) >= found
    page.locator(".course-card__roles a").first.click()  # course -> job role -> back to the search
    page.wait_for_load_state()
    assert "/roles/" in page.url
    page.locator("[data-search-link]").click()
    page.wait_for_load_state()
    assert "role=" in page.url and int(page.locator("#results").get_attribute("data-total")) > 0


def test_follow_a_gap_to_a_course(page, live_server, credential_id, screenshots):
    assert page.goto(live_server.url(f"/credentials/{credential_id}/coverage")).status == 200
    gap_links = page.locator("[data-gap-course]")
    assert gap_links.count() >= 1
    assert page.locator("[data-plan-method]").count() >= 1
    page.screenshot(path=str(screenshots / "coverage-with-gap-courses.png"), full_page=True)
    target = gap_links.first.get_attribute("href")
    gap_links.first.click()
    page.wait_for_load_state()
    assert page.url == target and "/achievements/" in page.url
    page.screenshot(path=str(screenshots / "gap-course.png"), full_page=True)


def test_learner_gap_report(page, live_server, credential_id, screenshots):
    document = urllib.request.urlopen(live_server.url(f"/credentials/{credential_id}.json")).read().decode()
    assert page.goto(live_server.url(f"/gap-report?role={ROLE}")).status == 200
    page.screenshot(path=str(screenshots / "gap-report-form.png"), full_page=True)
    assert page.get_by_label("Target job role").input_value() == ROLE
    page.get_by_label("Or paste credentials").fill(json.dumps(json.loads(document)))
    with page.expect_navigation():
        page.get_by_role("button", name="Show my plan").click()
    report = page.locator("[data-gap-report]")
    assert report.get_attribute("data-role") == ROLE
    assert page.locator("[data-plan-course]").count() >= 1
    assert page.locator("[data-not-counted]").count() == 0
    page.screenshot(path=str(screenshots / "gap-report.png"), full_page=True)
    page.locator("[data-plan-course]").first.click()
    page.wait_for_load_state()
    assert "/achievements/" in page.url


@pytest.mark.parametrize("lang, heading", [("fr", "Trouver une formation"), ("de", "Kurs finden"),
                                           ("cs", "Najít kurz")])
def test_switch_languages_on_the_catalogue(page, live_server, screenshots, lang, heading):
    page.goto(live_server.url("/catalogue"))
    assert page.locator("html").get_attribute("lang") == "en"
    names = {"fr": "Français", "de": "Deutsch", "cs": "Čeština"}
    page.get_by_role("navigation", name="Language").get_by_role("link", name=names[lang]).click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == lang
    assert page.locator("h1").inner_text() == heading
    page.screenshot(path=str(screenshots / f"catalogue-{lang}.png"), full_page=True)
    page.goto(live_server.url("/gap-report"))  # remembered
    assert page.locator("html").get_attribute("lang") == lang


A11Y_PAGES = ["/catalogue", "/catalogue?participation=online&country=SE", "/gap-report?role=" + ROLE, "/?lang=cs",
              "/roles/DRIVES-ACM/EV-CHG-TECH?lang=it"]


@pytest.fixture
def csp_free_page(browser):
    """A page whose context may inject axe-core's script (the pages' CSP allows no inline script)."""
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.mark.parametrize("path", A11Y_PAGES)
def test_hub_pages_meet_wcag_21_aa(csp_free_page, live_server, credential_id, path):
    """axe-core (tests/browser/axe.py, from the console branch's a11y/ npm package) on the hub's
    pages, the coverage page with gap courses and the gap report; skipped until that helper exists."""
    axe = pytest.importorskip("tests.browser.axe")
    page = csp_free_page
    assert page.goto(live_server.url(path)).status == 200
    axe.check(page)
    page.goto(live_server.url(f"/credentials/{credential_id}/coverage"))
    axe.check(page)
