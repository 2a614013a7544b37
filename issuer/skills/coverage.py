"""How far a holder's skills cover the job roles of a competence matrix.

:func:`role_coverage` is pure logic. Its input roles are dicts::

    {"code": str, "name": str, ...any other members (passed through)...,
     "skills": [{"key": <hashable>, "name": str, "level": 1..5, ...other members passed through}]}

where ``key`` identifies a skill (the database helpers use the ``Skill.id``) and ``level`` is the
level the role requires. ``held`` maps a skill key to the best level the holder has (see
:func:`best_levels`); a level of 0 or less counts as not held.

Each role in the result is the input role without ``skills``, plus::

    "covered":  [skill + {"required": level, "held": level}]   held >= required
    "partial":  [skill + {"required": level, "held": level}]   0 < held < required
    "missing":  [skill + {"required": level}]                  not held
    "counts":   {"required", "covered", "partial", "missing"}
    "percentage": covered / required * 100, rounded half-up to 1 decimal (0.0 for no skills)

(in each skill entry ``level`` is renamed ``required``). Roles are sorted by percentage
(descending), then by number of partial skills (descending), then name and code. Only roles with
at least one covered or partial skill are returned unless ``include_all`` is true.

:func:`roles_for_skills` builds the role input from the database; :func:`held_from_courses` builds
``held`` from the courses a holder completed.
"""
from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from issuer.store.models import CourseSkill, Framework, JobRole, RoleSkill, Skill

__all__ = ["role_coverage", "percentage", "best_levels", "roles_for_skills", "held_from_courses"]

_CHUNK = 500


def percentage(covered: int, required: int) -> float:
    """``covered / required * 100`` rounded half-up to one decimal; 0.0 when nothing is required."""
    if required <= 0:
        return 0.0
    value = (Decimal(covered) * 100 / Decimal(required)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return float(value)


def best_levels(pairs: Iterable[tuple[Hashable, int]]) -> dict[Hashable, int]:
    """Fold ``(skill key, level)`` pairs into the best level per key."""
    best: dict[Hashable, int] = {}
    for key, level in pairs:
        if level is not None and level > best.get(key, 0):
            best[key] = level
    return best


def role_coverage(roles: Iterable[Mapping[str, Any]], held: Mapping[Hashable, int], *,
                  include_all: bool = False) -> list[dict]:
    """Coverage of each role by the ``held`` skill levels (see the module docstring)."""
    results = []
    for role in roles:
        required: dict[Hashable, dict] = {}
        for skill in role.get("skills", []):
            # A skill listed twice counts once, at the higher required level.
            previous = required.get(skill["key"])
            if previous is None or skill["level"] > previous["level"]:
                required[skill["key"]] = dict(skill)
        covered, partial, missing = [], [], []
        for key, skill in required.items():
            entry = {k: v for k, v in skill.items() if k != "level"}
            entry["required"] = skill["level"]
            level = held.get(key) or 0
            if level <= 0:
                missing.append(entry)
                continue
            entry["held"] = level
            (covered if level >= skill["level"] else partial).append(entry)
        if not (covered or partial) and not include_all:
            continue
        result = {k: v for k, v in role.items() if k != "skills"}
        result.update({
            "covered": covered, "partial": partial, "missing": missing,
            "counts": {"required": len(required), "covered": len(covered), "partial": len(partial),
                       "missing": len(missing)},
            "percentage": percentage(len(covered), len(required)),
        })
        results.append(result)
    results.sort(key=lambda r: (-r["percentage"], -r["counts"]["partial"], str(r.get("name", "")),
                                str(r.get("code", ""))))
    return results


def roles_for_skills(session: Session, skill_ids: Iterable[int] | None, *,
                     framework: str | None = None) -> list[dict]:
    """Job roles requiring at least one of ``skill_ids`` (all roles when ``None``), optionally only
    of ``framework`` (a code), in the input shape of :func:`role_coverage`::

        {"id", "framework", "code", "name", "description", "escoUri",
         "skills": [{"key": skill id, "framework", "code", "name", "level"}]}

    ordered by framework code and role name.
    """
    query = (select(JobRole).join(JobRole.framework)
             .options(selectinload(JobRole.framework),
                      selectinload(JobRole.skills).selectinload(RoleSkill.skill).selectinload(Skill.framework))
             .order_by(Framework.code, JobRole.name, JobRole.code))
    if framework is not None:
        query = query.where(Framework.code == framework)
    roles: list[JobRole]
    if skill_ids is None:
        roles = list(session.scalars(query))
    else:
        ids = sorted(set(skill_ids))
        role_ids: set[int] = set()
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start:start + _CHUNK]
            role_ids.update(session.scalars(select(RoleSkill.role_id).where(RoleSkill.skill_id.in_(chunk))))
        roles = []
        ordered = sorted(role_ids)
        for start in range(0, len(ordered), _CHUNK):
            roles.extend(session.scalars(query.where(JobRole.id.in_(ordered[start:start + _CHUNK]))))
        roles.sort(key=lambda r: (r.framework.code, r.name, r.code))
    return [{
        "id": role.id,
        "framework": role.framework.code,
        "code": role.code,
        "name": role.name,
        "description": role.description,
        "escoUri": role.esco_uri,
        "skills": [{"key": link.skill_id, "framework": link.skill.framework.code, "code": link.skill.code,
                    "name": link.skill.name, "level": link.level} for link in role.skills],
    } for role in roles]


def held_from_courses(session: Session, course_ids: Iterable[int]) -> dict[int, int]:
    """Best level per skill id over the skill mappings of ``course_ids`` (e.g. the courses of a
    holder's valid credentials)."""
    ids = sorted(set(course_ids))
    pairs: list[tuple[int, int]] = []
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start:start + _CHUNK]
        pairs.extend(session.execute(select(CourseSkill.skill_id, CourseSkill.level)
                                     .where(CourseSkill.course_id.in_(chunk))))
    return best_levels(pairs)
