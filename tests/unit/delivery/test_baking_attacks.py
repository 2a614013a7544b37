"""Hostile baked images: security catalog §5 (IMG-01, IMG-02, IMG-05, IMG-06)."""
from __future__ import annotations

import struct
import time
import tracemalloc
import zlib

import pytest

from tests.unit.delivery.conftest import png_chunk
from issuer.delivery.baking import (
    PNG_SIGNATURE,
    BakingError,
    bake_png,
    bake_svg,
    parse_svg,
    unbake,
    unbake_png,
    unbake_svg,
)




def _after_ihdr(png: bytes, *chunks: bytes) -> bytes:
    return png[:33] + b"".join(chunks) + png[33:]


def _zlib_bomb(size: int) -> bytes:
    compressor, block, out = zlib.compressobj(9), b"\0" * (1 << 20), []
    for _ in range(size >> 20):
        out.append(compressor.compress(block))
    out.append(compressor.flush())
    return b"".join(out)


# --- PNG ---------------------------------------------------------------------------------------------


def test_itxt_zlib_bomb_is_capped_quickly_with_bounded_memory(png):
    bomb = _after_ihdr(png, png_chunk(b"iTXt", b"openbadgecredential\0\1\0\0\0" + _zlib_bomb(100 << 20)))
    assert len(bomb) < 200_000
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(BakingError, match="inflates to more than"):
            unbake_png(bomb)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - started < 2
    assert peak < 8 << 20


def test_huge_declared_chunk_length(png):
    evil = png[:33] + struct.pack(">I4s", 0x7FFFFFF0, b"iTXt") + b"openbadgecredential\0" + png[33:]
    with pytest.raises(BakingError, match="truncated"):
        unbake_png(evil)


def test_chunk_length_over_2_31(png):
    evil = png[:33] + struct.pack(">I4s", 0xFFFFFFFF, b"tEXt") + png[33:]
    with pytest.raises(BakingError, match="2\\^31"):
        unbake_png(evil)


@pytest.mark.parametrize("cut", [9, 20, 40, -6])
def test_truncated_png(png, cut):
    with pytest.raises(BakingError):
        unbake_png(png[:cut])


def test_truncated_inside_the_credentialpng_chunk(png, credential_jwt):
    baked = bake_png(png, credential_jwt)
    with pytest.raises(BakingError, match="truncated"):
        unbake_png(baked[:33 + 40])


@pytest.mark.parametrize("data", [b"", b"GIF89a....", b"\x89PNG\r\n\x1a", b"<svg", b"%PDF-1.7"])
def test_not_a_png(data, credential_jwt):
    with pytest.raises(BakingError):
        unbake_png(data)
    with pytest.raises(BakingError):
        bake_png(data, credential_jwt)


def test_not_an_image_at_all():
    with pytest.raises(BakingError, match="not a PNG or SVG"):
        unbake(b"\x00\x01binary")


def test_crc_mismatch(png, credential_jwt):
    baked = bytearray(bake_png(png, credential_jwt))
    baked[60] ^= 0xFF  # inside the iTXt text
    with pytest.raises(BakingError, match="CRC"):
        unbake_png(bytes(baked))


def test_first_chunk_must_be_ihdr(png):
    with pytest.raises(BakingError, match="IHDR"):
        unbake_png(PNG_SIGNATURE + png_chunk(b"tEXt", b"a\0b") + png[8:])


def test_too_many_text_chunks(png):
    flood = _after_ihdr(png, *([png_chunk(b"tEXt", b"k\0v")] * 10_000))
    with pytest.raises(BakingError, match="too many chunks"):
        unbake_png(flood)


def test_too_many_chunks(png):
    flood = _after_ihdr(png, *([png_chunk(b"abCd", b"")] * 9_000))
    with pytest.raises(BakingError, match="too many chunks"):
        unbake_png(flood)


def test_size_cap(png):
    with pytest.raises(BakingError, match="larger than"):
        unbake_png(png + b"\0" * 100, max_bytes=len(png))
    with pytest.raises(BakingError, match="larger than"):
        unbake_png(PNG_SIGNATURE + b"\0" * (20 * 1024 * 1024))  # over the default cap


def test_plain_itxt_over_text_cap(png):
    big = _after_ihdr(png, png_chunk(b"iTXt", b"openbadgecredential\0\0\0\0\0" + b"a" * 2048))
    with pytest.raises(BakingError, match="larger than"):
        unbake_png(big, max_text_bytes=1024)


@pytest.mark.parametrize("body", [
    b"openbadgecredential\0",                      # no flags
    b"openbadgecredential\0\0\0no-nul-terminators",
    b"openbadgecredential\0\2\0\0\0a.b.c",          # bad compression flag
    b"openbadgecredential\0\1\0\0\0not zlib",
    b"openbadgecredential\0\1\0\0\0" + zlib.compress(b"a.b.c")[:-3],  # truncated stream
    b"openbadgecredential\0\0\0\0\0\xff\xfe",       # not UTF-8
    b"openbadgecredential\0\0\0\0\0   ",            # empty
])
def test_malformed_itxt(png, body):
    with pytest.raises(BakingError):
        unbake_png(_after_ihdr(png, png_chunk(b"iTXt", body)))


def test_no_pillow_and_no_idat_inflate(png, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "PIL", None)
    monkeypatch.setitem(sys.modules, "PIL.Image", None)
    calls = []
    real = zlib.decompressobj
    monkeypatch.setattr(zlib, "decompressobj", lambda *a: calls.append(a) or real(*a))
    assert unbake_png(png) is None
    assert calls == []


# --- SVG ---------------------------------------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE svg [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0">
<openbadges:credential>&lol9;</openbadges:credential></svg>"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0">
<openbadges:credential>&xxe;</openbadges:credential></svg>"""

PARAMETER_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY % remote SYSTEM "http://127.0.0.1:1/evil.dtd"> %remote;]>
<svg xmlns="http://www.w3.org/2000/svg"/>"""

ATTLIST_DEFAULT = b"""<?xml version="1.0"?>
<!DOCTYPE svg [<!ATTLIST svg onload CDATA "alert(1)">]>
<svg xmlns="http://www.w3.org/2000/svg"/>"""

XINCLUDE = b"""<svg xmlns="http://www.w3.org/2000/svg" xmlns:xi="http://www.w3.org/2001/XInclude"
 xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0">
<openbadges:credential><xi:include href="file:///etc/passwd" parse="text"/></openbadges:credential></svg>"""


@pytest.mark.parametrize("doc", [BILLION_LAUGHS, XXE, PARAMETER_ENTITY, ATTLIST_DEFAULT],
                         ids=["billion-laughs", "xxe", "parameter-entity", "attlist-default"])
def test_dtd_attacks_are_refused(doc, credential_jwt):
    started = time.perf_counter()
    for call in (unbake_svg, unbake, parse_svg):
        with pytest.raises(BakingError, match="forbidden"):
            call(doc)
    with pytest.raises(BakingError, match="forbidden"):
        bake_svg(doc, credential_jwt)
    assert time.perf_counter() - started < 1


def test_xxe_is_never_resolved(monkeypatch):
    opened = []
    monkeypatch.setattr("builtins.open", lambda *a, **k: opened.append(a))
    with pytest.raises(BakingError):
        unbake_svg(XXE)
    assert opened == []


def test_xinclude_is_not_processed():
    with pytest.raises(BakingError, match="empty"):
        unbake_svg(XINCLUDE)


def test_bare_doctype_is_allowed_and_not_fetched():
    doc = (b'<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://127.0.0.1:1/svg11.dtd">'
           b'<svg xmlns="http://www.w3.org/2000/svg"/>')
    assert unbake_svg(doc) is None


def test_svg_size_cap():
    big = b'<svg xmlns="http://www.w3.org/2000/svg">' + b" " * (1 << 20) + b"</svg>"
    with pytest.raises(BakingError, match="larger than"):
        unbake_svg(big, max_bytes=1 << 20)


def test_deep_nesting_is_refused():
    deep = b'<svg xmlns="http://www.w3.org/2000/svg">' + b"<g>" * 100_000 + b"</g>" * 100_000 + b"</svg>"
    with pytest.raises(BakingError, match="nested deeper"):
        unbake_svg(deep)


@pytest.mark.parametrize("doc", [b"<svg><g></svg>", b"<svg xmlns='http://www.w3.org/2000/svg'>&undefined;</svg>",
                                 b"<svg xmlns:a='x'><b:c/></svg>"])
def test_malformed_svg(doc):
    with pytest.raises(BakingError, match="malformed"):
        unbake_svg(doc)
