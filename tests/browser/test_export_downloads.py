"""Issue #15 §4 in Chromium: the learner downloads the PDF certificate and the Europass copy."""
from __future__ import annotations

import json


def test_download_the_certificate_and_the_europass_copy(page, live_server, credential_id, screenshots, tmp_path):
    page.goto(live_server.url(f"/credentials/{credential_id}?lang=de"))
    downloads = page.locator("section[aria-labelledby=downloads]")
    assert "Europass-Format zum Hochladen in den EDC-Builder" in downloads.inner_text()
    downloads.screenshot(path=str(screenshots / "learner-downloads-de.png"))

    with page.expect_download() as info:
        page.locator("a[data-download=pdf]").click()
    pdf = info.value
    assert pdf.suggested_filename == f"certificate-{credential_id}.pdf"
    path = tmp_path / pdf.suggested_filename
    pdf.save_as(path)
    assert path.read_bytes().startswith(b"%PDF-")

    with page.expect_download() as info:
        page.locator("a[data-download=elm]").click()
    elm = info.value
    assert elm.suggested_filename == f"credential-{credential_id}.elm.json"
    path = tmp_path / elm.suggested_filename
    elm.save_as(path)
    document = json.loads(path.read_text(encoding="utf-8"))
    assert "EuropeanDigitalCredential" in document["type"]
    assert document["identifier"]["notation"] == f"urn:uuid:{credential_id}"


def test_verify_an_uploaded_europass_copy(page, live_server, credential_id, screenshots, tmp_path):
    copy = tmp_path / "copy.elm.json"
    copy.write_bytes(page.request.get(live_server.url(f"/credentials/{credential_id}.elm.json")).body())
    page.goto(live_server.url("/verify?lang=en"))
    page.get_by_label("Upload a file").set_input_files(str(copy))
    with page.expect_navigation():
        page.get_by_role("button", name="Verify", exact=True).click()
    assert page.locator("[data-verdict]").get_attribute("data-verdict") == "verified"
    assert page.locator("[data-verdict]").get_attribute("data-issuer-trust") == "hosted"  # as for the original
    card = page.locator("section[data-elm=linked]")
    assert "This is an unsealed Europass (ELM) copy" in card.inner_text()
    assert card.locator(f"a[href$='/credentials/{credential_id}']").inner_text() == f"urn:uuid:{credential_id}"
    assert page.locator("[data-check=elm_copy]").get_attribute("data-status") == "passed"
    page.screenshot(path=str(screenshots / "verify-europass-copy.png"), full_page=True)
