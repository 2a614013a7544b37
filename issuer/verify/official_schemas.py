"""The official 1EdTech Open Badges 3.0 JSON Schemas, bundled as package data like the contexts.

``issuer/official_schemas/`` holds byte copies of ``ob_v3p0_achievementcredential_schema.json``,
``ob_v3p0_endorsementcredential_schema.json`` and ``ob_v3p0_profile_schema.json`` as published at
``https://purl.imsglobal.org/spec/ob/v3p0/schema/json/`` (Open Badges 3.0 §B "Serialization" /
JSON Schema, draft 2019-09); ``MANIFEST.json`` records each one's URL, ``$id``, source (repository @
commit : path) and sha256 (``scripts/bundle_official_schemas.py`` refreshes them). The ``official_schema``
check uses them unless a folder is configured to override them (``OFFICIAL_SCHEMA_DIR``).
"""
from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from importlib import resources
from types import MappingProxyType

__all__ = ["ACHIEVEMENT_CREDENTIAL", "ENDORSEMENT_CREDENTIAL", "PROFILE", "MANIFEST", "bundled_bytes",
           "bundled_schema"]

ACHIEVEMENT_CREDENTIAL = "ob_v3p0_achievementcredential_schema.json"
ENDORSEMENT_CREDENTIAL = "ob_v3p0_endorsementcredential_schema.json"
PROFILE = "ob_v3p0_profile_schema.json"

_ROOT = resources.files("issuer") / "official_schemas"
MANIFEST = MappingProxyType(json.loads((_ROOT / "MANIFEST.json").read_text(encoding="utf-8")))


@lru_cache(maxsize=None)
def bundled_bytes(name: str) -> bytes:
    """The bundled schema file ``name`` (a key of :data:`MANIFEST`), checked against its sha256.

    Raises ``KeyError`` for a name that is not bundled and ``ValueError`` if the file was altered.
    """
    entry = MANIFEST[name]
    data = (_ROOT / name).read_bytes()
    if hashlib.sha256(data).hexdigest() != entry["sha256"]:
        raise ValueError(f"bundled schema {name} does not match the sha256 in MANIFEST.json")
    return data


def bundled_schema(name: str) -> dict:
    """The bundled schema ``name`` as a fresh dict."""
    return json.loads(bundled_bytes(name))
