"""The project's JSON Schemas: ``schemas/`` at the project root, packaged as ``issuer/schemas``
(a symbolic link in the source tree, real files in an installed wheel)."""
from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

from typing import Any, Iterable, NoReturn

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match
from jsonschema.validators import validator_for

from ..errors import IssuerError, ValidationFailed

__all__ = ["load_schema", "validator", "validate_or_raise", "SCHEMA_DIR", "MAX_REPORTED_ERRORS",
           "json_pointer", "problems", "sort_problems", "raise_problems"]

#: At most this many problems are listed in one ``ValidationFailed`` (the detail gives the total).
MAX_REPORTED_ERRORS = 200

SCHEMA_DIR = resources.files("issuer") / "schemas"


@lru_cache(maxsize=None)
def _text(name: str) -> str:
    return (SCHEMA_DIR / name).read_text(encoding="utf-8")


def load_schema(name: str) -> dict:
    """The schema ``name`` (file name in ``schemas/``), as a fresh dict."""
    return json.loads(_text(name))


@lru_cache(maxsize=None)
def validator(name: str):
    """A cached validator for the project schema file ``name`` (its ``$schema`` draft, 2020-12 by
    default); raises ``jsonschema.exceptions.SchemaError`` if the schema itself is invalid."""
    schema = load_schema(name)
    cls = validator_for(schema, default=Draft202012Validator)
    cls.check_schema(schema)
    return cls(schema)


def validate_or_raise(name: str, instance) -> None:
    """Validate a request body against schema ``name``; raise ``ValidationFailed`` listing (at most
    50 of) its :func:`problems`."""
    found = problems(validator(name), instance)
    if found:
        raise ValidationFailed(f"{len(found)} problem(s) in the request body",
                               errors=[{**p, "message": p["message"][:300]} for p in found[:50]])


def json_pointer(parts: Iterable[Any]) -> str:
    """RFC 6901 JSON Pointer for a sequence of keys and indexes (``""`` is the whole document)."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def _specific(error: ValidationError) -> ValidationError:
    # anyOf/oneOf failures carry the per-branch errors in ``context``: report the most relevant,
    # preferring a branch of the right type ("type" errors just mean "the other branch").
    if error.validator in ("anyOf", "oneOf") and error.context:
        typed = [e for e in error.context if e.validator != "type"]
        best = best_match(typed or error.context)
        if best is not None:
            return best
    return error


def _message(error: ValidationError) -> str:
    schema = error.schema if isinstance(error.schema, dict) else {}
    description = schema.get("description")
    if error.validator == "pattern":
        title = schema.get("title") or "value"
        return f"{error.instance!r} is not a valid {title}" + (f": {description}" if description else "")
    if error.validator in ("minProperties", "anyOf", "oneOf") and description:
        return f"{error.message}: {description}"
    return error.message


def _describe(errors: Iterable[ValidationError]) -> list[dict]:
    described: list[dict] = []
    missing_by_path: dict[tuple, list[str]] = {}
    for error in errors:
        if error.validator == "required" and isinstance(error.instance, dict):
            # One error per missing property, in schema order: point at the missing member itself.
            path = tuple(error.absolute_path)
            if path not in missing_by_path:
                missing_by_path[path] = [p for p in error.validator_value if p not in error.instance]
            queue = missing_by_path[path]
            prop = queue.pop(0) if queue else None
            pointer = json_pointer(path + ((prop,) if prop is not None else ()))
            message = f"{prop!r} is required" if prop is not None else error.message
            described.append({"path": pointer, "message": message})
            continue
        error = _specific(error)
        described.append({"path": json_pointer(error.absolute_path), "message": _message(error)})
    return described


def _sort_key(item: dict) -> tuple:
    parts = item["path"].split("/")[1:]
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts), item["message"]


def sort_problems(problems: list[dict]) -> list[dict]:
    """Sort ``{"path", "message"}`` problems by path (array indexes numerically), in place."""
    problems.sort(key=_sort_key)
    return problems


def problems(schema_validator, instance: Any) -> list[dict]:
    """Every way ``instance`` violates the schema of ``schema_validator`` (a jsonschema validator),
    as ``{"path": <RFC 6901 JSON Pointer>, "message": str}`` dicts sorted by path.

    The one translation of JSON Schema errors into problem lists: a missing property is reported at
    the property's own path, an ``anyOf``/``oneOf`` failure by its most relevant branch.
    """
    return sorted(_describe(schema_validator.iter_errors(instance)), key=_sort_key)


def raise_problems(problems: list[dict], what: str, *, exc: type[IssuerError] = ValidationFailed,
                   note: str | None = None) -> NoReturn:
    """Raise ``exc`` for a non-empty problem list; ``note`` is appended to the detail."""
    total = len(problems)
    shown = problems[:MAX_REPORTED_ERRORS]
    more = f" (first {len(shown)} listed)" if total > len(shown) else ""
    noun = "problem" if total == 1 else "problems"
    detail = f"the {what} has {total} {noun}{more}"
    if note:
        detail += f"; {note}"
    raise exc(detail, errors=shown)

