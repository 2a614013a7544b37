"""Default artwork, SVG sanitizing and PNG upload checks (security catalog IMG-02..IMG-07)."""
from __future__ import annotations

import io
import struct
import xml.etree.ElementTree as ET
import zlib

import pytest
from PIL import Image

from issuer.delivery import images, raster
from issuer.delivery.baking import bake_svg, unbake_svg
from issuer.delivery.images import ImageError, check_png, default_badge_svg, sanitize_svg
from tests.unit.delivery.conftest import make_png, png_chunk

SVG_NS = "{http://www.w3.org/2000/svg}"


def _texts(svg: str) -> list[str]:
    root = ET.fromstring(svg)
    return ["".join(t.itertext()) for t in root.iter(f"{SVG_NS}text")]


# --- default_badge_svg -------------------------------------------------------------------------------


def test_default_badge_is_valid_accessible_svg():
    svg = default_badge_svg("Brake Systems", "AutoSkills Academy")
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG_NS}svg"
    assert root.get("role") == "img" and root.get("viewBox") == "0 0 400 400"
    title = root.find(f"{SVG_NS}title")
    assert title is not None and title.text == "Brake Systems \u2014 AutoSkills Academy"
    assert root.get("aria-labelledby") == title.get("id")
    assert "Brake Systems" in _texts(svg) and "AutoSkills Academy" in _texts(svg)


def test_default_badge_is_deterministic_with_distinct_ids():
    a = default_badge_svg("Brake Systems", "Academy")
    assert a == default_badge_svg("Brake Systems", "Academy")
    b = default_badge_svg("Brake Systems", "Academy", accent="#c0392b")
    assert a != b
    ids = lambda svg: {e.get("id") for e in ET.fromstring(svg).iter() if e.get("id")}
    assert ids(a).isdisjoint(ids(b))


def test_markup_in_inputs_is_escaped():
    svg = default_badge_svg("<script>alert(1)</script> & \"co\"", "Issuer </text><script/>",
                            subtitle="a < b")
    root = ET.fromstring(svg)
    assert not list(root.iter("script")) and not list(root.iter(f"{SVG_NS}script"))
    assert any("<script>" in t for t in _texts(svg))
    assert "a < b" in _texts(svg)


def test_long_title_wraps_to_three_lines_with_ellipsis():
    title = "Diagnose und Instandsetzung von Fahrwerks- und Lenkungssystemen an Nutzfahrzeugen mit Luftfederung"
    root = ET.fromstring(default_badge_svg(title, "HWK"))
    title_text = root.findall(f"{SVG_NS}text")[0]
    lines = [t.text for t in title_text.iter(f"{SVG_NS}tspan")]
    assert len(lines) == 3 and lines[-1].endswith("\u2026")
    assert all(len(line) <= 22 for line in lines)


def test_short_title_uses_large_font_on_one_line():
    root = ET.fromstring(default_badge_svg("Brakes", "X"))
    title_text = root.findall(f"{SVG_NS}text")[0]
    assert title_text.get("font-size") == "30" and len(title_text.findall(f"{SVG_NS}tspan")) == 1


def test_long_unbroken_words_and_issuer_are_truncated():
    svg = default_badge_svg("X" * 200, "Y" * 200, subtitle="Z" * 200)
    assert all(len(t) <= 66 for t in _texts(svg))


def test_control_characters_are_dropped():
    svg = default_badge_svg("Brake\x00\x07 Systems\ufffe", "Academy\x1b")
    assert "Brake Systems" in _texts(svg)


def test_optional_issuer_and_subtitle():
    svg = default_badge_svg("Brakes", "", subtitle="Level 2")
    assert _texts(svg) == ["Brakes", "Level 2"]


@pytest.mark.parametrize("accent", ["red", "#12345", "#gggggg", "", "url(#x)"])
def test_bad_accent(accent):
    with pytest.raises(ValueError):
        default_badge_svg("Brakes", "X", accent=accent)


def test_short_hex_accent():
    assert "#" in default_badge_svg("Brakes", "X", accent="#c03")


def test_empty_title():
    with pytest.raises(ValueError):
        default_badge_svg("  ", "X")


def test_default_badge_survives_sanitizing_and_baking(credential_jwt):
    svg = default_badge_svg("Hochvolt Stufe 2", "Kfz-Innung", subtitle="Level 2")
    clean = sanitize_svg(svg.encode())
    before, after = ET.fromstring(svg), ET.fromstring(clean)
    assert [(e.tag, e.attrib) for e in before.iter()] == [(e.tag, e.attrib) for e in after.iter()]
    assert unbake_svg(bake_svg(svg, credential_jwt)) == credential_jwt


# --- sanitize_svg ------------------------------------------------------------------------------------

HOSTILE = b"""<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0" xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape"
     viewBox="0 0 100 100" onload="alert(1)" inkscape:version="1.0">
  <openbadges:credential verify="a.b.c"/>
  <title>Badge</title>
  <script>alert(2)</script>
  <style>@import url(https://evil.example/x.css);</style>
  <defs><linearGradient id="g"><stop offset="0" stop-color="#fff"/></linearGradient></defs>
  <foreignObject><iframe xmlns="http://www.w3.org/1999/xhtml" src="javascript:alert(3)"/></foreignObject>
  <a xlink:href="javascript:alert(4)"><rect width="10" height="10"/></a>
  <rect id="r" width="10" height="10" fill="url(#g)" onclick="alert(5)"
        style="fill:url(https://evil.example/p.svg#a);stroke:red;behavior:url(x.htc)"/>
  <rect width="5" height="5" fill="url( 'https://evil.example/x' )" filter="url(#f)"/>
  <use xlink:href="#r"/>
  <use href="https://evil.example/sprite.svg#icon"/>
  <use xlink:href="data:image/svg+xml;base64,PHN2Zz4="/>
  <image href="https://evil.example/track.png" width="1" height="1"/>
  <circle r="4"><animate attributeName="href" to="javascript:alert(6)"/><set attributeName="onclick"/></circle>
  <text x="1" y="2">Hello <tspan>world</tspan><script>x</script> tail</text>
</svg>"""


@pytest.fixture
def cleaned() -> bytes:
    return sanitize_svg(HOSTILE)


def test_sanitized_output_is_svg(cleaned):
    root = ET.fromstring(cleaned)
    assert root.tag == f"{SVG_NS}svg" and root.get("viewBox") == "0 0 100 100"


@pytest.mark.parametrize("needle", [
    b"script", b"alert", b"javascript", b"evil.example", b"foreignObject", b"iframe", b"@import",
    b"<style", b"onload", b"onclick", b"openbadges", b"credential", b"inkscape", b"data:", b"animate",
    b"<set", b"<image", b"<a ", b"behavior",
])
def test_hostile_content_is_removed(cleaned, needle):
    assert needle not in cleaned


def test_safe_content_is_kept(cleaned):
    root = ET.fromstring(cleaned)
    uses = root.findall(f"{SVG_NS}use")
    assert [u.get("{http://www.w3.org/1999/xlink}href") for u in uses] == ["#r", None, None]
    rect = root.find(f"{SVG_NS}rect[@id='r']")
    assert rect.get("fill") == "url(#g)" and rect.get("style") == "stroke:red"
    assert root.find(f"{SVG_NS}title").text == "Badge"
    assert "".join(root.find(f"{SVG_NS}text").itertext()) == "Hello world tail"


def test_attribute_with_one_external_url_is_dropped_but_local_kept(cleaned):
    root = ET.fromstring(cleaned)
    small = next(r for r in root.iter(f"{SVG_NS}rect") if r.get("width") == "5")
    assert small.get("fill") is None and small.get("filter") == "url(#f)"


def test_sanitizing_is_idempotent(cleaned):
    assert sanitize_svg(cleaned) == cleaned


@pytest.mark.parametrize("doc", [
    b"not xml", b"", b"<html xmlns='http://www.w3.org/1999/xhtml'/>", b"<svg/>",
    b'<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg xmlns="http://www.w3.org/2000/svg">&x;</svg>',
])
def test_sanitize_rejects(doc):
    with pytest.raises(ImageError):
        sanitize_svg(doc)


def test_sanitize_size_cap():
    with pytest.raises(ImageError, match="larger than"):
        sanitize_svg(b'<svg xmlns="http://www.w3.org/2000/svg">' + b" " * 600_000 + b"</svg>")


def test_sanitize_element_cap():
    many = b'<svg xmlns="http://www.w3.org/2000/svg">' + b"<g/>" * 25_000 + b"</svg>"
    with pytest.raises(ImageError, match="elements"):
        sanitize_svg(many)


def test_sanitize_non_bytes():
    with pytest.raises(ImageError):
        sanitize_svg("<svg/>")  # type: ignore[arg-type]


# --- check_png ---------------------------------------------------------------------------------------




def _png_with_ihdr(width: int, height: int, depth: int = 8, colour: int = 2) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", zlib.compress(b"\0"))
            + png_chunk(b"IEND", b""))


def test_check_png_returns_size():
    assert check_png(make_png((40, 30))) == (40, 30)


def test_pixel_flood_is_refused_without_decoding():
    flood = _png_with_ihdr(50_000, 50_000)  # IMG-03: tiny file, 2.5 gigapixels declared
    assert len(flood) < 100
    with pytest.raises(ImageError, match="pixels"):
        check_png(flood)


def test_max_pixels_parameter():
    assert check_png(_png_with_ihdr(100, 100), max_pixels=10_000) == (100, 100)
    with pytest.raises(ImageError):
        check_png(_png_with_ihdr(100, 101), max_pixels=10_000)


@pytest.mark.parametrize("data", [
    b"GIF89a", b"<html><script>alert(1)</script></html>", b"",
    _png_with_ihdr(0, 10), _png_with_ihdr(10, 10, depth=3), _png_with_ihdr(10, 10, colour=5),
])
def test_check_png_rejects(data):
    with pytest.raises(ImageError):
        check_png(data)


def test_polyglot_trailer_is_refused():
    with pytest.raises(ImageError, match="after the IEND"):
        check_png(make_png() + b"<script>alert(1)</script>")


def test_png_without_idat():
    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    with pytest.raises(ImageError, match="IDAT"):
        check_png(b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IEND", b""))


def test_check_png_size_cap():
    with pytest.raises(ImageError, match="larger than"):
        check_png(make_png(), max_bytes=10)


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
