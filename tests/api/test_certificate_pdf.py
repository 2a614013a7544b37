"""Issue #15 §1: the printable PDF certificate (A4, PDF/A-2b, course language, QR to the
verification page, status on the page). Text is read back with pypdf; the first page is rendered
with pypdfium2 and its QR code decoded with zxing-cpp. A rendered page goes to the test artifacts."""
from __future__ import annotations

import io
import os
import pathlib
import re

import pypdf
import pypdfium2
import pytest
import zxingcpp

from tests.factories import LEARNER

BASE = "http://localhost:5000"
ARTIFACTS = pathlib.Path(os.environ.get("ISSUER_TEST_ARTIFACTS")
                         or pathlib.Path(__file__).resolve().parents[2] / "test-artifacts") / "certificates"
A4_POINTS = (595.28, 841.89)


def _pdf(client, cid, **headers):
    response = client.get(f"/credentials/{cid}.pdf", headers=headers)
    assert response.status_code == 200, response.data[:300]
    assert response.mimetype == "application/pdf"
    return response


def _text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def _first_page_png(data: bytes, name: str | None = None):
    document = pypdfium2.PdfDocument(data)
    image = document[0].render(scale=3).to_pil()
    if name:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        image.save(ARTIFACTS / name)
    return image


def test_german_certificate_holds_the_fields(client, demo, api):
    cid = api.issue(provider="emob-academy", result={"grade": "sehr gut"}, completedAt="2026-03-02T15:00:00Z")["id"]
    response = _pdf(client, cid)
    assert response.headers["Content-Disposition"] == f'inline; filename="certificate-{cid}.pdf"'
    data = response.data
    reader = pypdf.PdfReader(io.BytesIO(data))
    box = reader.pages[0].mediabox
    assert (round(float(box.width), 1), round(float(box.height), 1)) == (round(A4_POINTS[0], 1), round(A4_POINTS[1], 1))
    text = _text(data)
    for expected in ("Zertifikat", "Hiermit wird bestätigt, dass", "Alex Muster",
                     "High-Voltage Qualification for EV Service Work (Level 2S)",   # title as written
                     "Ausgestellt von", "Academy of Electromobility", "Abgeschlossen am 2. März 2026",
                     "Ausgestellt am", "Gültig bis", "unbefristet",
                     "Kompetenzen", "High-voltage safety awareness", "HV de-energisation and securing", "3 von 5",
                     "Angaben zum EU-Microcredential", "Arbeitsaufwand 24 Stunden", "EQR-Niveau 4",
                     "Form der Teilnahme Präsenz", "Art der Prüfung Written multiple-choice test",
                     "Ergebnis sehr gut", "Qualitätssicherung Delivered under the Academy", "Sprache Deutsch",
                     "Kurskennung HV-2S", "Lernergebnisse", "Zertifikat prüfen", f"urn:uuid:{cid}"):
        assert expected in text, expected
    assert f"{BASE}/credentials/{cid}/verify" in text.replace(" ", "")  # long URLs wrap
    assert LEARNER["email"].lower() not in text.lower()
    assert "WIDERRUFEN" not in text and "AUSGESETZT" not in text


def test_qr_code_decodes_to_the_verification_url(client, demo, api):
    cid = api.issue(provider="emob-academy")["id"]
    image = _first_page_png(_pdf(client, cid).data, "certificate-de-HV-2S.png")
    codes = [c for c in zxingcpp.read_barcodes(image) if c.format == zxingcpp.BarcodeFormat.QRCode]
    assert [c.text for c in codes] == [f"{BASE}/credentials/{cid}/verify"]


def test_english_course_certificate_and_pdfa(client, demo, api):
    cid = api.issue("FUSA-26262", provider="nordhaven-tu",
                    learner={"name": "Ελένη Παπαδοπούλου-Кузнецова", "email": "eleni@example.org"})["id"]
    data = _pdf(client, cid).data
    _first_page_png(data, "certificate-en-FUSA-26262.png")
    text = _text(data)
    assert "ΕλένηΠαπαδοπούλου-Кузнецова" in text.replace(" ", "")  # Greek and Cyrillic (the line may wrap)
    for expected in ("Certificate", "This certifies that", "Skills",
                     "EU micro-credential facts", "Credit points 5 ECTS", "Workload 135 hours", "EQF level 7",
                     "Form of participation blended (online and on site)", "Language English",
                     "Verify this certificate", f"urn:uuid:{cid}"):
        assert expected in text, expected
    reader = pypdf.PdfReader(io.BytesIO(data))
    xmp = reader.xmp_metadata
    assert xmp is not None
    pdfaid = "http://www.aiim.org/pdfa/ns/id/"
    assert xmp.get_nodes_in_namespace("", pdfaid), "no PDF/A identification in the XMP metadata"
    raw = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode("utf-8", "replace")
    assert re.search(r'pdfaid:part(="|>)2', raw) and re.search(r'pdfaid:conformance(="|>)B', raw), raw
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    assert fonts and all("DejaVu" in f for f in fonts), fonts  # Latin, Greek and Cyrillic from one family


@pytest.mark.parametrize("action,banner", [("revoke", "WIDERRUFEN: Der Aussteller hat diesen Nachweis widerrufen"),
                                           ("suspend", "AUSGESETZT: Der Aussteller hat diesen Nachweis ausgesetzt")])
def test_status_is_on_the_page_and_never_stale(client, demo, auth, action, banner, api):
    cid = api.issue(provider="emob-academy")["id"]
    before = _pdf(client, cid)
    assert banner not in _text(before.data)
    etag = before.headers["ETag"].strip('"')
    assert client.get(f"/credentials/{cid}.pdf", headers={"If-None-Match": f'"{etag}"'}).status_code == 304
    assert before.headers["Cache-Control"] == "no-cache"
    assert client.post(f"/api/v1/credentials/{cid}/{action}", json={"reason": "test"}, headers=auth).status_code == 200
    after = client.get(f"/credentials/{cid}.pdf", headers={"If-None-Match": f'"{etag}"'})
    assert after.status_code == 200 and after.headers["ETag"].strip('"') != etag
    assert banner in _text(after.data)
    if action == "suspend":
        _first_page_png(after.data, "certificate-de-suspended.png")


def test_download_parameter_makes_an_attachment(client, demo, api):
    cid = api.issue(provider="emob-academy")["id"]
    response = _pdf(client, cid, **{})
    response = client.get(f"/credentials/{cid}.pdf?download=1")
    assert response.headers["Content-Disposition"] == f'attachment; filename="certificate-{cid}.pdf"'


def _raster_images(data: bytes) -> int:
    page = pypdf.PdfReader(io.BytesIO(data)).pages[0]
    xobjects = page["/Resources"].get("/XObject") or {}
    return sum(1 for x in xobjects.values() if x.get_object().get("/Subtype") == "/Image")


def test_the_providers_svg_badge_is_drawn_as_vector(client, demo, auth, api):
    default = _pdf(client, api.issue("HV-REFRESH", provider="emob-academy")["id"]).data
    assert _raster_images(default) == 1  # the generated PNG badge (the QR code is vector)
    svg = (b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle cx="5" cy="5" r="4" fill="#c00"/>'
           b'<image href="https://evil.example/x.png"/></svg>')
    assert client.put("/api/v1/courses/HV-REFRESH/image", data=svg, content_type="image/svg+xml",
                      headers=auth).status_code == 200
    uploaded = _pdf(client, api.issue("HV-REFRESH", provider="emob-academy")["id"]).data
    assert _raster_images(uploaded) == 0  # the provider's SVG, as vector graphics
    _first_page_png(uploaded, "certificate-de-uploaded-svg-badge.png")
