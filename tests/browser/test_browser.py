"""Issue #5 §5, tested as a person would: in headless Chromium against a live server."""
from __future__ import annotations

import io

import pytest

MEDIA_TYPES = {"json": "application/json", "jwt": "application/vc+jwt", "png": "image/png", "svg": "image/svg+xml",
               "pdf": "application/pdf", "elm": "application/ld+json"}


def _media_type(response) -> str:
    return response.headers["content-type"].split(";")[0].strip()


def test_learner_page_shows_the_credential(page, live_server, credential_id, screenshots):
    response = page.goto(live_server.url(f"/credentials/{credential_id}"))
    assert response.status == 200
    assert page.locator("h1").inner_text() == "High-Voltage Qualification for EV Service Work (Level 2S)"
    assert page.locator(".holder").first.inner_text() == "Alex Muster"
    assert "alex.muster@example.org" not in page.content().lower()
    assert page.locator(".skill").count() == 2
    badge = page.locator("img.hero__badge")
    assert badge.get_attribute("alt").startswith("Badge:")
    assert badge.evaluate("img => img.complete && img.naturalWidth > 0")
    assert page.locator(".qr img").evaluate("img => img.complete && img.naturalWidth > 0")
    page.screenshot(path=str(screenshots / "learner-page.png"), full_page=True)


def test_download_links_return_the_right_media_types(page, live_server, credential_id):
    page.goto(live_server.url(f"/credentials/{credential_id}"))
    links = page.locator("a[data-download]")
    assert links.count() == len(MEDIA_TYPES)
    seen = {}
    for i in range(links.count()):
        link = links.nth(i)
        href = link.evaluate("a => a.href")  # absolute
        response = page.request.get(href)
        assert response.status == 200, href
        seen[link.get_attribute("data-download")] = _media_type(response)
    assert seen == MEDIA_TYPES


def test_qr_code_opens_a_verification_page_that_says_verified(page, live_server, credential_id, screenshots):
    import zxingcpp
    from PIL import Image

    response = page.request.get(live_server.url(f"/credentials/{credential_id}/qr.png"))
    assert _media_type(response) == "image/png"
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(response.body())))
    assert len(decoded) == 1
    url = decoded[0].text
    assert url == live_server.url(f"/credentials/{credential_id}/verify")

    assert page.goto(url).status == 200
    verdict = page.locator("[data-verdict]")
    assert verdict.get_attribute("data-verdict") == "verified"
    assert page.locator("h1").inner_text() == "Verified"
    assert page.locator(".check--failed").count() == 0
    assert page.locator(".holder").first.inner_text() == "Alex Muster"
    assert page.locator(".role-card").count() >= 1
    page.screenshot(path=str(screenshots / "verification-page.png"), full_page=True)


def test_upload_a_baked_png_on_verify(page, live_server, credential_id, tmp_path):
    page.goto(live_server.url(f"/credentials/{credential_id}"))
    with page.expect_download() as info:
        page.locator("a[data-download=png]").click()
    baked = tmp_path / "badge.png"
    info.value.save_as(baked)
    assert baked.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    page.goto(live_server.url("/verify"))
    page.get_by_label("Upload a file").set_input_files(str(baked))
    with page.expect_navigation():
        page.get_by_role("button", name="Verify", exact=True).click()
    assert page.locator("[data-verdict]").get_attribute("data-verdict") == "verified"
    assert page.locator("h1").inner_text() == "Verified"
    assert "Baked PNG badge" in page.locator(".facts--claims").inner_text()


def test_paste_a_tampered_credential_is_not_verified(page, live_server, credential_id):
    document = page.request.get(live_server.url(f"/credentials/{credential_id}.json")).text()
    page.goto(live_server.url("/verify"))
    page.get_by_label("Paste a credential (JSON) or a VC-JWT").fill(document.replace("Alex Muster", "Eve Mallory"))
    with page.expect_navigation():
        page.get_by_role("button", name="Verify", exact=True).click()
    assert page.locator("[data-verdict]").get_attribute("data-verdict") == "not_verified"
    assert page.locator("[data-check=proof]").get_attribute("data-status") == "failed"


def test_switch_the_language(page, live_server, credential_id, screenshots):
    page.goto(live_server.url(f"/credentials/{credential_id}"))
    assert page.locator("html").get_attribute("lang") == "en"
    page.get_by_role("navigation", name="Language").get_by_role("link", name="Deutsch").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "de"
    assert "Verliehen an" in page.locator(".hero").inner_text()
    assert page.get_by_role("link", name="Diesen Nachweis prüfen").count() == 1
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(screenshots / "learner-page-de-mobile.png"), full_page=True)
    page.get_by_role("link", name="Diesen Nachweis prüfen").click()  # the choice is remembered
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "de"
    assert page.locator("h1").inner_text() == "Verifiziert"


def test_coverage_view(page, live_server, credential_id, screenshots):
    assert page.goto(live_server.url(f"/credentials/{credential_id}/coverage")).status == 200
    cards = page.locator(".role-card")
    assert cards.count() >= 1
    first = cards.first
    assert first.locator("progress").get_attribute("value")
    assert first.locator(".group--covered li").count() >= 1
    assert first.locator(".group--missing li").count() >= 1
    page.screenshot(path=str(screenshots / "coverage-view.png"), full_page=True)


def test_copy_link_button(page, live_server, credential_id):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(live_server.url(f"/credentials/{credential_id}"))
    button = page.get_by_role("button", name="Copy link")
    assert button.is_visible()
    button.click()
    from playwright.sync_api import expect  # imported here: the conftest reports a missing Playwright
    expect(page.locator(".copy__status")).to_have_text("Link copied")  # waits for the script
    assert page.evaluate("navigator.clipboard.readText()") == live_server.url(f"/credentials/{credential_id}")


def test_keyboard_users_can_skip_to_the_content(page, live_server, credential_id):
    page.goto(live_server.url(f"/credentials/{credential_id}"))
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    assert skip.evaluate("a => a === document.activeElement")
    assert skip.is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"


@pytest.mark.parametrize("path", ["/credentials/{bad}", "/credentials/{bad}/verify", "/credentials/{bad}/coverage",
                                  "/issuers/{bad}", "/achievements/{bad}", "/skills/DRIVES-ACM/{bad}",
                                  "/roles/DRIVES-ACM/{bad}"])
def test_bad_ids_answer_a_friendly_404(page, live_server, path):
    response = page.goto(live_server.url(path.format(bad="no-such-id")))
    assert response.status == 404
    assert page.locator("h1").inner_text() == "Page not found"
    assert page.get_by_role("link", name="Verify a credential").count() >= 1
