"""OB 3.0 §5.3 baking: PNG iTXt ``openbadgecredential`` and SVG ``openbadges:credential``,
round trips both ways, re-baking replaces, the 1EdTech baked fixtures, and bombs/XXE."""
from __future__ import annotations

import base64
import hashlib
import json
import re
import time
import zlib

import pytest

from issuer.delivery import baking, images, raster
from tests.spec import load_spec_json

CREDENTIAL = json.dumps({"@context": ["https://www.w3.org/ns/credentials/v2"], "id": "urn:uuid:1",
                         "name": "Bake ]]> me", "type": ["VerifiableCredential"]})
JWT = "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJkaWQ6a2V5OnoifQ.c2lnbmF0dXJl"


@pytest.fixture(scope="module")
def png():
    return raster.default_badge_png("HV Technician", "Academy of Electromobility")


@pytest.fixture(scope="module")
def svg():
    return images.default_badge_svg("HV Technician", "Academy of Electromobility").encode()


def _credential_chunks(data: bytes) -> int:
    return sum(1 for c in baking.iter_png_chunks(data) if c.type == b"iTXt" and bytes(c.data).startswith(b"openbadgecredential\0"))


@pytest.mark.parametrize("credential", [CREDENTIAL, JWT])
def test_png_round_trip_and_rebake_replaces(png, credential):
    baked = baking.bake_png(png, credential)
    assert baking.unbake_png(baked) == credential
    assert _credential_chunks(baked) == 1
    rebaked = baking.bake_png(baked, JWT if credential == CREDENTIAL else CREDENTIAL)
    assert _credential_chunks(rebaked) == 1
    assert baking.unbake_png(rebaked) != credential
    assert baking.unbake_png(png) is None
    chunks = [c.type for c in baking.iter_png_chunks(baked)]
    assert chunks.index(b"iTXt") < chunks.index(b"IDAT")  # before the image data


@pytest.mark.parametrize("credential", [CREDENTIAL, JWT])
def test_svg_round_trip_and_rebake_replaces(svg, credential):
    baked = baking.bake_svg(svg, credential)
    text = baked.decode()
    assert 'xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"' in text
    assert baking.unbake_svg(baked) == credential
    if credential is JWT:
        assert f'verify="{JWT}"' in text
    else:
        assert "<![CDATA[" in text
    rebaked = baking.bake_svg(baked, JWT if credential == CREDENTIAL else CREDENTIAL)
    assert rebaked.decode().count("<openbadges:credential") == 1
    assert baking.unbake_svg(rebaked) != credential


def test_unbake_sniffs_the_format(png, svg):
    assert baking.unbake(baking.bake_png(png, JWT)) == JWT
    assert baking.unbake(baking.bake_svg(svg, CREDENTIAL)) == CREDENTIAL


@pytest.mark.parametrize("name", ["simple-json.png", "simple-jwt.png", "simple-jwt_v1.png",
                                  "simple-json.svg", "simple-jwt.svg", "simple-jwt_v1.svg"])
def test_1edtech_baked_fixtures(name):
    entry = load_spec_json("examples", "1edtech-validator", "baked-image-fixtures.json")["files"][name]
    data = base64.b64decode(entry["content"]) if entry["encoding"] == "base64" else entry["content"].encode()
    assert hashlib.sha256(data).hexdigest() == entry["sha256"]
    credential = baking.unbake(data)
    assert credential
    if "jwt" in name:
        assert re.fullmatch(r"[\w-]+\.[\w-]+\.[\w-]+", credential)
    else:
        assert json.loads(credential)["type"]


def _chunk(ctype: bytes, data: bytes, length: int | None = None) -> bytes:
    return (len(data) if length is None else length).to_bytes(4, "big") + ctype + data + \
        zlib.crc32(ctype + data).to_bytes(4, "big")


def test_png_bombs_and_garbage_are_refused_quickly(png):
    head = png[:33]  # signature + IHDR
    bomb = zlib.compress(b"\0" * (200 * 1024 * 1024), 9)
    cases = {
        "compressed iTXt inflating to 200 MB": head + _chunk(b"iTXt", b"openbadgecredential\0\1\0\0\0" + bomb) + png[33:],
        "declared chunk length of 2 GB": head + _chunk(b"iTXt", b"x", length=2**31 - 1) + png[33:],
        "truncated": png[: len(png) // 2],
        "not a PNG": b"GIF89a" + b"\0" * 100,
    }
    for name, data in cases.items():
        start = time.perf_counter()
        try:
            result = baking.unbake_png(data)
        except baking.BakingError:
            result = "refused"
        assert result in ("refused", None), name
        assert time.perf_counter() - start < 2, name
    with pytest.raises(baking.BakingError):
        baking.unbake_png(b"\x89PNG\r\n\x1a\n" + b"\0" * (20 * 1024 * 1024))  # over the size cap


@pytest.mark.parametrize("svg_text", [
    '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><svg xmlns="http://www.w3.org/2000/svg" '
    'xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"><openbadges:credential>&c;</openbadges:credential></svg>',
    '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><svg '
    'xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0">'
    '<openbadges:credential>&xxe;</openbadges:credential></svg>',
])
def test_svg_entities_are_refused(svg_text):
    with pytest.raises(baking.BakingError):
        baking.unbake_svg(svg_text.encode())


def test_bad_credentials_are_not_baked(png):
    for bad in ("", "not json and not a jwt", "[1,2]"):
        with pytest.raises(baking.BakingError):
            baking.bake_png(png, bad)
