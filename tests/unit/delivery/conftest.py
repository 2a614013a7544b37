"""Shared fixtures for the badge image tests: small images and credentials made on the fly."""
from __future__ import annotations

import base64
import io
import json
import struct
import zlib

import pytest
from PIL import Image

from issuer.delivery import images, raster

CREDENTIAL = {
    "@context": ["https://www.w3.org/ns/credentials/v2",
                 "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
    "id": "urn:uuid:6c5c1d8e-2f3c-4c59-9f6e-5c2a3b8f7d10",
    "type": ["VerifiableCredential", "OpenBadgeCredential"],
    "issuer": {"id": "https://issuer.example/issuers/1", "type": ["Profile"], "name": "Kfz-Innung Süd"},
    "validFrom": "2025-01-01T00:00:00Z",
    "name": "Hochvolt — Stufe 2 <HV2> & \"mehr\"",
    "credentialSubject": {"type": ["AchievementSubject"], "achievement": {"id": "urn:a", "type": ["Achievement"]}},
}


def _b64url(value: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()


@pytest.fixture
def credential_json() -> str:
    return json.dumps(CREDENTIAL, ensure_ascii=False, indent=2)


@pytest.fixture
def credential_jwt() -> str:
    return ".".join([_b64url({"alg": "EdDSA", "typ": "JWT"}), _b64url({"vc": CREDENTIAL}), "c2lnbmF0dXJl"])


def make_png(size: tuple[int, int] = (16, 12), mode: str = "RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, "#0a5cad").save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def png() -> bytes:
    return make_png()


SVG = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
    'viewBox="0 0 10 10" width="10" height="10">\n'
    '  <!-- artwork -->\n'
    '  <circle cx="5" cy="5" r="4" fill="#c00"/>\n'
    '</svg>\n'
)


@pytest.fixture
def svg() -> bytes:
    return SVG.encode("utf-8")


@pytest.fixture(scope="module")
def badge_png() -> bytes:
    """The default badge artwork, rasterized (a real 400x400 PNG)."""
    return raster.default_badge_png("HV Technician", "Academy of Electromobility")


@pytest.fixture(scope="module")
def badge_svg() -> bytes:
    """The default badge artwork (SVG)."""
    return images.default_badge_svg("HV Technician", "Academy of Electromobility").encode()


def png_chunk(ctype: bytes, data: bytes, length: int | None = None) -> bytes:
    """A PNG chunk with a valid CRC; ``length`` overrides the declared length (for attacks)."""
    declared = len(data) if length is None else length
    return struct.pack(">I4s", declared, ctype) + data + struct.pack(">I", zlib.crc32(ctype + data))

