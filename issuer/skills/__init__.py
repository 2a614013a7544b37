"""Competence matrices, course catalogues and skill coverage (no Flask).

Skills map to OB 3.0 ``Alignment`` objects (https://www.imsglobal.org/spec/ob/v3p0/#alignment);
skill URIs follow ESCO (https://esco.ec.europa.eu/).

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
from typing import Any, Callable, Iterable

from jsonschema import Draft202012Validator

from issuer.intake import schemas as jsonschemas
from issuer.intake.schemas import MAX_REPORTED_ERRORS, json_pointer, problems, raise_problems, sort_problems

__all__ = [
    "SCHEMA_BASE", "MATRIX_SCHEMA", "CATALOGUE_SCHEMA", "MAX_REPORTED_ERRORS", "load_schema",
    "schema_validator", "schema_problems", "validate_document", "sort_problems", "raise_problems", "json_pointer",
    "repeats", "sync_skill_levels",
]

SCHEMA_BASE = "https://ob3-skills-hub.example/schemas/"
MATRIX_SCHEMA = "competence-matrix"
CATALOGUE_SCHEMA = "course-catalogue"
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


def schema_problems(name: str, data: Any) -> list[dict]:
    """Every way ``data`` violates schema ``name``, as ``{"path", "message"}`` dicts sorted by path."""
    return problems(schema_validator(name), data)


def validate_document(name: str, data: Any, *, what: str | None = None) -> None:
    """Validate ``data`` against schema ``name``; raise ``ValidationFailed`` listing every problem.

    Errors are sorted by path; at most :data:`MAX_REPORTED_ERRORS` are listed.
    """
    problems = schema_problems(name, data)
    if problems:
        raise_problems(problems, what or f"{name} document")


def repeats(keys: Iterable[Any]) -> list[tuple[int, int]]:
    """``(index, first_index)`` for every key equal to an earlier one (duplicate codes in a document)."""
    first: dict[Any, int] = {}
    found = []
    for i, key in enumerate(keys):
        if key in first:
            found.append((i, first[key]))
        else:
            first[key] = i
    return found


def sync_skill_levels(session, links: list, desired: dict, new_link: Callable[..., Any]) -> dict[str, int]:
    """Make ``links`` (a job role's ``RoleSkill`` or a course's ``CourseSkill`` rows) hold exactly
    ``desired`` (``{Skill: level}``, in order): drop the others, add the missing ones with
    ``new_link(skill=..., level=...)``, update changed levels. Returns ``{"added", "removed", "changed"}``
    counts. ``session`` (a SQLAlchemy ``Session``) deletes the dropped rows; nothing is flushed or committed."""
    counts = {"added": 0, "removed": 0, "changed": 0}
    for link in list(links):
        if link.skill not in desired:
            links.remove(link)
            if link.id is not None:  # stored: delete the row (a role's links have no delete-orphan)
                session.delete(link)
            counts["removed"] += 1
    current = {link.skill: link for link in links}
    for skill, level in desired.items():
        link = current.get(skill)
        if link is None:
            links.append(new_link(skill=skill, level=level))
            counts["added"] += 1
        elif link.level != level:
            link.level = level
            counts["changed"] += 1
    return counts
