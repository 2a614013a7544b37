"""The official 1EdTech OB 3.0 JSON Schemas bundled as package data equal the reference copies in
``$ISSUER_SPEC_DIR/schemas`` (read in place), and the manifest records each one's source and sha256."""
from __future__ import annotations

import hashlib
import json
from importlib import resources

import pytest
from jsonschema import Draft201909Validator

from issuer.verify import official_schemas
from issuer.verify.official_schemas import MANIFEST, bundled_bytes, bundled_schema
from tests.spec import spec_path

NAMES = [official_schemas.ACHIEVEMENT_CREDENTIAL, official_schemas.ENDORSEMENT_CREDENTIAL, official_schemas.PROFILE]


def test_manifest_lists_exactly_the_three_schemas():
    assert sorted(MANIFEST) == sorted(NAMES)
    folder = resources.files("issuer") / "official_schemas"
    assert sorted(p.name for p in folder.iterdir() if p.name != "MANIFEST.json") == sorted(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_bundled_copy_equals_the_reference(name):
    reference = spec_path("schemas", name).read_bytes()
    assert bundled_bytes(name) == reference
    entry = MANIFEST[name]
    assert entry["sha256"] == hashlib.sha256(reference).hexdigest()
    assert entry["url"] == f"https://purl.imsglobal.org/spec/ob/v3p0/schema/json/{name}"
    assert entry["$id"] == json.loads(reference)["$id"]
    assert entry["source"].startswith("1EdTech/openbadges-specification@")


@pytest.mark.parametrize("name", NAMES)
def test_bundled_schema_is_a_valid_draft_2019_09_schema(name):
    schema = bundled_schema(name)
    assert schema["$schema"].startswith("https://json-schema.org/draft/2019-09/")
    Draft201909Validator.check_schema(schema)
