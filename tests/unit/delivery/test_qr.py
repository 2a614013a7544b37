"""QR codes for verification URLs: decode them back with zxing-cpp."""
from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET

import pytest
from PIL import Image, ImageDraw

from issuer.delivery.qr import qr_png, qr_svg

zxingcpp = pytest.importorskip("zxingcpp")

URLS = ["https://issuer.example/credentials/6c5c1d8e-2f3c-4c59-9f6e-5c2a3b8f7d10",
        "https://issuer.example/verify?c=urn%3Auuid%3A1&lang=de#x", "https://b.example/" + "a" * 600]


def _decode(image: Image.Image) -> str:
    (barcode,) = zxingcpp.read_barcodes(image)
    assert barcode.format == zxingcpp.BarcodeFormat.QRCode
    return barcode.text


def _rasterize(svg: bytes, scale: int = 8) -> Image.Image:
    """Draw the module squares of qrcode's SvgPathImage path ("M4,4H5V5H4z" per module)."""
    root = ET.fromstring(svg)
    side = int(root.get("viewBox").split()[2])
    image = Image.new("L", (side * scale, side * scale), 255)
    draw = ImageDraw.Draw(image)
    path = root.find("{http://www.w3.org/2000/svg}path").get("d")
    for x, y in re.findall(r"M(\d+),(\d+)H\d+V\d+H\d+z", path):
        x, y = int(x) * scale, int(y) * scale
        draw.rectangle((x, y, x + scale - 1, y + scale - 1), fill=0)
    return image


@pytest.mark.parametrize("url", URLS)
def test_png_decodes_to_url(url):
    png = qr_png(url)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    with Image.open(io.BytesIO(png)) as image:
        assert _decode(image) == url


def test_png_box_size_and_border():
    small, large = qr_png(URLS[0], box_size=2), qr_png(URLS[0], box_size=10)
    with Image.open(io.BytesIO(small)) as a, Image.open(io.BytesIO(large)) as b:
        assert b.size[0] == a.size[0] * 5
        assert a.convert("L").getpixel((7, 7)) == 255  # 4-module quiet zone at 2 px per module


@pytest.mark.parametrize("url", URLS)
def test_svg_is_well_formed_and_decodes(url):
    svg = qr_svg(url)
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert _decode(_rasterize(svg)) == url


def test_svg_has_white_background():
    root = ET.fromstring(qr_svg(URLS[0]))
    assert root.find("{http://www.w3.org/2000/svg}rect").get("fill") == "white"


@pytest.mark.parametrize("bad", ["", "   ", "x" * 3000, None])
def test_rejects_bad_urls(bad):
    with pytest.raises(ValueError):
        qr_png(bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        qr_svg(bad)  # type: ignore[arg-type]


def test_rejects_bad_box_size():
    with pytest.raises(ValueError):
        qr_png(URLS[0], box_size=0)


def test_qr_codes_decode_to_the_url():
    url = "https://skills.example.org/credentials/7b0c2f1e-1111-4a2b-9c3d-0e1f2a3b4c5d/verify"
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr_png(url))))
    assert [d.text for d in decoded] == [url]
    root = ET.fromstring(qr_svg(url))
    assert root.tag.endswith("svg")
