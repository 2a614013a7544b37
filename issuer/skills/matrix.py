"""Import and export a reference competence matrix: framework, skills, job roles and role levels.

JSON format
-----------
See ``schemas/competence-matrix.schema.json``::

    {"framework": {"code", "name", "version"?, "description"?, "url"?},
     "skills":   [{"code", "name", "description"?, "escoUri"?}],
     "jobRoles": [{"code", "name", "description"?, "escoUri"?,
                   "skills": [{"skill": "<skill code>", "level": 1..5}]}]}

Import semantics (:func:`import_matrix`):

* the framework is upserted by ``code``; its optional members that the document omits keep
  their stored value (a document may extend an existing framework, and CSV has no columns for
  the framework description or URL);
* skills and job roles are upserted by (framework, code) and *replaced*: an optional member that
  is omitted is cleared; a role's skill list becomes exactly the one in the document;
* skills and roles that the document does not mention are kept (an import never deletes them);
* a role may reference skills defined in the document or already stored for the framework;
* everything is validated first (schema, duplicate codes, unknown skill references); nothing is
  written unless the whole document is acceptable. The session is flushed, never committed.

The CSV form of the same document is read and written by :mod:`issuer.skills.matrix_csv`.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from issuer.errors import NotFound
from issuer.store.models import Framework, JobRole, RoleSkill, Skill

from . import MATRIX_SCHEMA, raise_problems, repeats, sort_problems, sync_skill_levels, validate_document

__all__ = [
    "import_matrix", "export_matrix", "parse_matrix_csv", "matrix_to_csv",
]

def _assign(obj: Any, values: dict) -> bool:
    """Set the attributes that differ; True when anything changed."""
    changed = False
    for attr, value in values.items():
        if getattr(obj, attr) != value:
            setattr(obj, attr, value)
            changed = True
    return changed


def _duplicates(items: list[dict], key: str, base: str, what: str) -> list[dict]:
    return [{"path": f"{base}/{i}/{key}", "message": f"duplicate {what} {items[i][key]!r} (first at {base}/{first})"}
            for i, first in repeats(item[key] for item in items)]


def import_matrix(session: Session, data: dict) -> dict:
    """Validate and upsert a competence matrix document; return a summary of what changed.

    Raises :class:`~issuer.errors.ValidationFailed` (``errors`` with JSON Pointer paths) before any
    write when the document is invalid, has duplicate codes, or references unknown skills.

    Summary::

        {"framework": {"code", "created": bool, "updated": bool},
         "skills":   {"created": n, "updated": n, "unchanged": n},
         "jobRoles": {"created": n, "updated": n, "unchanged": n},
         "roleSkills": {"added": n, "removed": n, "changed": n},
         "changed": bool}
    """
    validate_document(MATRIX_SCHEMA, data, what="competence matrix")
    fw_data = data["framework"]
    skills_data: list[dict] = data.get("skills", [])
    roles_data: list[dict] = data.get("jobRoles", [])
    framework, existing_skills, existing_roles = _stored(session, fw_data["code"], roles_data)
    problems = _duplicates(skills_data, "code", "/skills", "skill code")
    problems += _duplicates(roles_data, "code", "/jobRoles", "job role code")
    reference_problems, unknown = _skill_reference_problems(
        roles_data, set(existing_skills) | {s["code"] for s in skills_data}, fw_data["code"])
    problems += reference_problems
    if problems:
        sort_problems(problems)
        note = ("unknown skill codes: " + ", ".join(unknown)) if unknown else None
        raise_problems(problems, "competence matrix", note=note)

    summary: dict[str, Any] = {
        "framework": {"code": fw_data["code"], "created": False, "updated": False},
        "skills": {"created": 0, "updated": 0, "unchanged": 0},
        "jobRoles": {"created": 0, "updated": 0, "unchanged": 0},
        "roleSkills": {"added": 0, "removed": 0, "changed": 0},
    }
    with session.no_autoflush:
        framework = _upsert_framework(session, framework, fw_data, summary["framework"])
        skills = _upsert_skills(session, framework, existing_skills, skills_data, summary["skills"])
        _upsert_roles(session, framework, existing_roles, roles_data, skills, summary)
    session.flush()
    summary["changed"] = bool(
        summary["framework"]["created"] or summary["framework"]["updated"]
        or any(summary[k]["created"] or summary[k]["updated"] for k in ("skills", "jobRoles"))
        or any(summary["roleSkills"].values()))
    return summary


def _stored(session: Session, code: str, roles_data: list[dict]):
    """The stored framework ``code`` (or ``None``), its skills by code and the document's roles by code."""
    framework = session.scalar(select(Framework).where(Framework.code == code))
    existing_skills: dict[str, Skill] = {}
    existing_roles: dict[str, JobRole] = {}
    if framework is not None:
        existing_skills = {s.code: s for s in session.scalars(select(Skill).where(Skill.framework_id == framework.id))}
        role_codes = [r["code"] for r in roles_data]
        if role_codes:
            query = (select(JobRole).where(JobRole.framework_id == framework.id)
                     .options(selectinload(JobRole.skills).selectinload(RoleSkill.skill)))
            existing_roles = {r.code: r for r in session.scalars(query) if r.code in set(role_codes)}
    return framework, existing_skills, existing_roles


def _skill_reference_problems(roles_data: list[dict], known: set[str], fw_code: str) -> tuple[list[dict], list[str]]:
    """Problems of the roles' skill references (unknown, or listed twice) and the unknown codes."""
    problems: list[dict] = []
    unknown: list[str] = []
    for i, role in enumerate(roles_data):
        seen: dict[str, int] = {}
        for j, ref in enumerate(role["skills"]):
            code = ref["skill"]
            if code not in known:
                problems.append({"path": f"/jobRoles/{i}/skills/{j}/skill",
                                 "message": f"unknown skill {code!r}: not defined in this document nor in "
                                            f"framework {fw_code!r}"})
                if code not in unknown:
                    unknown.append(code)
            elif code in seen:
                problems.append({"path": f"/jobRoles/{i}/skills/{j}/skill",
                                 "message": f"skill {code!r} is listed twice for job role {role['code']!r} "
                                            f"(first at /jobRoles/{i}/skills/{seen[code]})"})
            else:
                seen[code] = j
    return problems, unknown


def _upsert_framework(session: Session, framework: Framework | None, fw_data: dict, summary: dict) -> Framework:
    fw_values = {"name": fw_data["name"]}
    for key in ("version", "description", "url"):
        if key in fw_data:
            fw_values[key] = fw_data[key] or None
    if framework is None:
        framework = Framework(code=fw_data["code"], **fw_values)
        session.add(framework)
        summary["created"] = True
    else:
        summary["updated"] = _assign(framework, fw_values)
    return framework


def _upsert_skills(session: Session, framework: Framework, existing: dict[str, Skill], skills_data: list[dict],
                   summary: dict) -> dict[str, Skill]:
    skills = dict(existing)
    for item in skills_data:
        values = {"name": item["name"], "description": item.get("description") or None,
                  "esco_uri": item.get("escoUri")}
        skill = skills.get(item["code"])
        if skill is None:
            skill = Skill(framework=framework, code=item["code"], **values)
            session.add(skill)
            skills[item["code"]] = skill
            summary["created"] += 1
        else:
            summary["updated" if _assign(skill, values) else "unchanged"] += 1
    return skills


def _upsert_roles(session: Session, framework: Framework, existing: dict[str, JobRole], roles_data: list[dict],
                  skills: dict[str, Skill], summary: dict) -> None:
    links = summary["roleSkills"]
    for item in roles_data:
        values = {"name": item["name"], "description": item.get("description") or None,
                  "esco_uri": item.get("escoUri")}
        role = existing.get(item["code"])
        created = role is None
        if role is None:
            role = JobRole(framework=framework, code=item["code"], **values)
            session.add(role)
            changed = True
        else:
            changed = _assign(role, values)
        desired = {skills[ref["skill"]]: ref["level"] for ref in item["skills"]}
        counts = sync_skill_levels(session, role.skills, desired, RoleSkill)
        for key, n in counts.items():
            links[key] += n
        changed = changed or any(counts.values())
        if created:
            summary["jobRoles"]["created"] += 1
        else:
            summary["jobRoles"]["updated" if changed else "unchanged"] += 1


def export_matrix(session: Session, framework_code: str) -> dict:
    """The stored framework as a competence-matrix document (the :func:`import_matrix` format).

    Skills, roles and role skills are in creation order; members that are not set are omitted.
    Raises :class:`~issuer.errors.NotFound` for an unknown framework.
    """
    framework = session.scalar(select(Framework).where(Framework.code == framework_code))
    if framework is None:
        raise NotFound(f"no competence framework with code {framework_code!r}")
    fw: dict[str, Any] = {"code": framework.code, "name": framework.name}
    for key in ("version", "description", "url"):
        if getattr(framework, key):
            fw[key] = getattr(framework, key)
    skills = session.scalars(select(Skill).where(Skill.framework_id == framework.id).order_by(Skill.id)).all()
    roles = session.scalars(
        select(JobRole).where(JobRole.framework_id == framework.id).order_by(JobRole.id)
        .options(selectinload(JobRole.skills).selectinload(RoleSkill.skill))).all()
    return {
        "framework": fw,
        "skills": [_entity(s) for s in skills],
        "jobRoles": [{**_entity(r), "skills": [{"skill": link.skill.code, "level": link.level} for link in r.skills]}
                     for r in roles],
    }


def _entity(obj: Skill | JobRole) -> dict:
    out: dict[str, Any] = {"code": obj.code, "name": obj.name}
    if obj.description:
        out["description"] = obj.description
    if obj.esco_uri:
        out["escoUri"] = obj.esco_uri
    return out


from .matrix_csv import matrix_to_csv, parse_matrix_csv  # noqa: E402 - re-exported
