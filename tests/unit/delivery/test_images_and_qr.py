"""Badge images (generated default, sanitized uploads, PNG checks) and QR codes."""
from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import pytest
import zxingcpp
from PIL import Image

from issuer.delivery import images, qr, raster

SVG_NS = "{http://www.w3.org/2000/svg}"


def test_default_svg_is_valid_deterministic_and_escaped():
    svg = images.default_badge_svg('Battery <Safety> & "Diagnostics" Level 3 for very long titles indeed',
                                   "Academy & Co")
    root = ET.fromstring(svg)
    assert root.tag == SVG_NS + "svg" and root.get("role") == "img"
    assert root.find(SVG_NS + "title") is not None
    assert svg == images.default_badge_svg('Battery <Safety> & "Diagnostics" Level 3 for very long titles indeed',
                                           "Academy & Co")
    assert "<Safety>" not in svg and "&amp;" in svg


def test_default_png_is_a_png():
    data = raster.default_badge_png("ADAS Calibration", "BBZ")
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG" and image.size == (400, 400)


def test_sanitize_svg_removes_active_and_external_content():
    hostile = (b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
               b'xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0" onload="alert(1)">'
               b'<script>alert(1)</script><style>@import url(https://evil.example/x.css);</style>'
               b'<foreignObject><div xmlns="http://www.w3.org/1999/xhtml">x</div></foreignObject>'
               b'<a xlink:href="javascript:alert(1)"><rect width="5" height="5" onclick="x()"/></a>'
               b'<image href="https://evil.example/track.png"/><use href="#ok"/>'
               b'<circle id="ok" r="3" style="fill:url(https://evil.example/x)"/>'
               b'<openbadges:credential>{"a":1}</openbadges:credential></svg>')
    clean = images.sanitize_svg(hostile).decode()
    for bad in ("script", "onload", "onclick", "javascript:", "evil.example", "foreignObject", "@import",
                "openbadges:credential"):
        assert bad not in clean, bad
    assert 'href="#ok"' in clean and "<circle" in clean
    ET.fromstring(clean)


@pytest.mark.parametrize("data", [b"not svg", b"<html/>",
                                  b'<!DOCTYPE svg [<!ENTITY x "y">]><svg xmlns="http://www.w3.org/2000/svg">&x;</svg>'])
def test_sanitize_svg_refuses_non_svg_and_entities(data):
    with pytest.raises(images.ImageError):
        images.sanitize_svg(data)


def test_check_png_reads_only_the_header():
    data = raster.default_badge_png("x", "y")
    assert images.check_png(data) == (400, 400)
    huge_header = data[:16] + (100_000).to_bytes(4, "big") + (100_000).to_bytes(4, "big") + data[24:]
    with pytest.raises(images.ImageError):
        images.check_png(huge_header)
    with pytest.raises(images.ImageError):
        images.check_png(b"GIF89a")


def test_qr_codes_decode_to_the_url():
    url = "https://skills.example.org/credentials/7b0c2f1e-1111-4a2b-9c3d-0e1f2a3b4c5d/verify"
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr.qr_png(url))))
    assert [d.text for d in decoded] == [url]
    root = ET.fromstring(qr.qr_svg(url))
    assert root.tag.endswith("svg")
