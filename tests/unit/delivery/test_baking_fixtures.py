"""The 1EdTech validator's baked images (shared/spec) unbake, and survive re-baking."""
from __future__ import annotations

import base64
import hashlib
import json
import re

import pytest

from issuer.delivery import baking
from issuer.delivery.baking import bake, iter_png_chunks, unbake
from tests.spec import load_spec_json

NAMES = ["simple-json.svg", "simple-jwt.svg", "simple-jwt_v1.svg",
         "simple-json.png", "simple-jwt.png", "simple-jwt_v1.png"]


def _fixture(name: str) -> bytes:
    entry = load_spec_json("examples", "1edtech-validator", "baked-image-fixtures.json")["files"][name]
    raw = base64.b64decode(entry["content"]) if entry["encoding"] == "base64" else entry["content"].encode()
    assert hashlib.sha256(raw).hexdigest() == entry["sha256"]
    return raw


def _jwt_payload(jwt: str) -> dict:
    segment = jwt.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))


def _assert_credential(text: str) -> None:
    if text.startswith("{"):
        credential = json.loads(text)
        assert credential["id"] == "http://example.com/credentials/3527"
        assert "OpenBadgeCredential" in credential["type"]
    else:
        payload = _jwt_payload(text)
        credential = payload.get("vc", payload)
        assert "OpenBadgeCredential" in credential["type"]


@pytest.mark.parametrize("name", NAMES)
def test_fixture_unbakes(name):
    text = unbake(_fixture(name), strict=True)
    assert text
    _assert_credential(text)
    assert name.startswith("simple-json") == text.startswith("{")


@pytest.mark.parametrize("name", NAMES)
def test_fixture_rebakes_with_one_credential(name):
    raw = _fixture(name)
    jwt = unbake(_fixture(name.replace("json", "jwt")))
    rebaked = bake(raw, jwt)
    assert unbake(rebaked, strict=True) == jwt
    if name.endswith(".png"):
        assert sum(c.type == b"iTXt" for c in iter_png_chunks(rebaked)) == 1
    else:
        assert rebaked.count(b"<openbadges:credential") == 1
        assert b"<!DOCTYPE svg PUBLIC" in rebaked


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
