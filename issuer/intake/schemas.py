"""The project's JSON Schemas: ``schemas/`` at the project root, packaged as ``issuer/schemas``
(a symbolic link in the source tree, real files in an installed wheel)."""
from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

from jsonschema import Draft202012Validator
from jsonschema.validators import validator_for

from ..errors import ValidationFailed

__all__ = ["load_schema", "validator", "validate_or_raise", "SCHEMA_DIR"]

SCHEMA_DIR = resources.files("issuer") / "schemas"


@lru_cache(maxsize=None)
def _text(name: str) -> str:
    return (SCHEMA_DIR / name).read_text(encoding="utf-8")


def load_schema(name: str) -> dict:
    """The schema ``name`` (file name in ``schemas/``), as a fresh dict."""
    return json.loads(_text(name))


@lru_cache(maxsize=None)
def validator(name: str):
    schema = load_schema(name)
    cls = validator_for(schema, default=Draft202012Validator)
    cls.check_schema(schema)
    return cls(schema)


def validate_or_raise(name: str, instance) -> None:
    errors = sorted(validator(name).iter_errors(instance), key=lambda e: list(e.absolute_path))
    if errors:
        raise ValidationFailed(
            f"{len(errors)} problem(s) in the request body",
            errors=[{"path": "/" + "/".join(str(p) for p in e.absolute_path), "message": e.message[:300]}
                    for e in errors[:50]])
