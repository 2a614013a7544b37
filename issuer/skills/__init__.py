"""Competence matrices, course catalogues and skill coverage (no Flask).

* :mod:`issuer.skills.matrix` - import/export a reference competence matrix (framework, skills,
  job roles with required skill levels), from JSON or from the documented CSV format.
* :mod:`issuer.skills.catalogue` - import/list/export a provider's course catalogue (the courses
  that become Open Badges 3.0 ``Achievement`` definitions) mapped to matrix skills.
* :mod:`issuer.skills.coverage` - which job roles a holder's skills cover, and how far.

Documents are validated against the JSON Schemas (draft 2020-12) in the project's ``schemas/``
folder: ``competence-matrix.schema.json`` and ``course-catalogue.schema.json``. This module holds
the schema loader and :func:`validate_document`, which reports *all* problems at once as a
:class:`~issuer.errors.ValidationFailed` whose ``errors`` are ``{"path": <JSON Pointer>,
"message": ...}`` dicts.

Import functions never commit: the caller owns the transaction. They validate everything first
and write only when the whole document is acceptable, so nothing is ever half-imported.
"""
from __future__ import annotations

import functools
import re
from typing import Any, Iterable, NoReturn

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match

from issuer.intake import schemas as jsonschemas
from issuer.errors import IssuerError, ValidationFailed

__all__ = [
    "SCHEMA_BASE", "MATRIX_SCHEMA", "CATALOGUE_SCHEMA", "MAX_REPORTED_ERRORS", "load_schema",
    "schema_validator", "schema_problems", "validate_document", "sort_problems", "raise_problems", "json_pointer",
]

SCHEMA_BASE = "https://ob3-skills-hub.example/schemas/"
MATRIX_SCHEMA = "competence-matrix"
CATALOGUE_SCHEMA = "course-catalogue"
#: At most this many problems are listed in one ``ValidationFailed`` (the detail gives the total).
MAX_REPORTED_ERRORS = 200

_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def _file_name(name: str) -> str:
    base = name
    for suffix in (".json", ".schema"):
        if base.endswith(suffix):
            base = base[: -len(suffix)]
    if not _NAME.match(base):
        raise ValueError(f"invalid schema name {name!r}")
    return base + ".schema.json"


def load_schema(name: str) -> dict:
    """Return the JSON Schema ``name`` (a fresh dict the caller may modify).

    ``name`` is ``"competence-matrix"``, ``"course-catalogue"`` or the file name
    (``"competence-matrix.schema.json"``). The project's ``schemas/`` folder is read first; an
    installed package reads the same files as ``issuer/schemas`` package data.
    """
    return jsonschemas.load_schema(_file_name(name))


@functools.lru_cache(maxsize=None)
def schema_validator(name: str) -> Draft202012Validator:
    """A cached :class:`Draft202012Validator` for schema ``name`` (format assertions off)."""
    schema = load_schema(name)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


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


def schema_problems(name: str, data: Any) -> list[dict]:
    """Every way ``data`` violates schema ``name``, as ``{"path", "message"}`` dicts sorted by path."""
    return sorted(_describe(schema_validator(name).iter_errors(data)), key=_sort_key)


def validate_document(name: str, data: Any, *, what: str | None = None) -> None:
    """Validate ``data`` against schema ``name``; raise ``ValidationFailed`` listing every problem.

    Errors are sorted by path; at most :data:`MAX_REPORTED_ERRORS` are listed.
    """
    problems = schema_problems(name, data)
    if problems:
        raise_problems(problems, what or f"{name} document")


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
