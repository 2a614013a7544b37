"""A provider's course catalogue: the courses that define Open Badges 3.0 achievements.

JSON format: ``schemas/course-catalogue.schema.json``::

    {"courses": [{"code", "title", "description", "criteria", "learningOutcomes": [str],
                  "workload": {"hours"?, "ects"?}, "eqfLevel": 1..8, "assessmentType",
                  "participationForm": "online" | "onsite" | "blended", "qualityAssurance",
                  "language"?, "translations"?: {lang: {"title"?, "description"?}},
                  "validityPeriod"?: "P2Y" | {"days": n},
                  "skills": [{"framework"?, "skill", "level": 1..5}]}]}

Import semantics (:func:`import_courses`):

* courses are upserted by (provider, ``code``) and replaced: optional members that are omitted are
  cleared, and the course's skill mapping becomes exactly the imported one. Courses that the
  document does not mention are kept. The badge image (``image_id``) is never touched;
* the public slug is ``f"{provider.slug}/{code}".lower()``, served as ``/achievements/<provider>/<code>``
  (codes and provider slugs only use URL-safe characters, and a provider slug has no "/", so two
  providers never compete for a path). Two course codes of a document that differ only in case are
  refused;
* a skill reference names its framework, else ``default_framework``, else the only framework
  stored (when there is exactly one);
* ``validityPeriod`` becomes ``validity_days``: an ISO 8601 duration of years, months, weeks and days
  counts a year as 365 days, a month as 30 days and a week as 7 days ("P2Y" = 730, "P18M" = 540,
  "P1Y6M" = 545); ``{"days": n}`` is taken as is. The result must be 1 to 36,500 days;
* everything is validated before any write. Problems are raised as
  :class:`~issuer.errors.ValidationFailed` listing each JSON Pointer path (``/courses/0/skills/1/skill``);
  when the only problems are slugs taken by other courses, :class:`~issuer.errors.Conflict`.
  The session is flushed, never committed.
"""
from __future__ import annotations

import re
from typing import Any, Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from issuer.errors import Conflict, ValidationFailed
from issuer.store.models import Course, CourseSkill, Framework, Provider, Skill

from . import (CATALOGUE_SCHEMA, json_pointer, raise_problems, repeats, sort_problems, sync_skill_levels,
               validate_document)
from .matrix import _assign

__all__ = ["import_courses", "list_courses", "export_courses", "course_slug", "validity_days",
           "MAX_VALIDITY_DAYS"]

MAX_VALIDITY_DAYS = 36_500
DAYS_PER_YEAR, DAYS_PER_MONTH, DAYS_PER_WEEK = 365, 30, 7
_DURATION = re.compile(r"^P(?:([0-9]{1,5})Y)?(?:([0-9]{1,5})M)?(?:([0-9]{1,5})W)?(?:([0-9]{1,5})D)?$")
_CHUNK = 500  # bound on IN (...) lists


def validity_days(value: str | dict) -> int:
    """Days of a validity period: an ISO 8601 duration (``"P2Y"``, ``"P18M"``, ``"P1Y6M"``,
    ``"P2W"``, ``"P365D"``; a year counts 365 days, a month 30, a week 7) or ``{"days": n}``.

    Raises ``ValueError`` for other forms (time components, fractions, negative or zero periods)
    and for periods over :data:`MAX_VALIDITY_DAYS`.
    """
    if isinstance(value, dict):
        days = value.get("days")
        if set(value) != {"days"} or not isinstance(days, int) or isinstance(days, bool):
            raise ValueError('a validity period object must be {"days": <integer>}')
    elif isinstance(value, str):
        match = _DURATION.match(value)
        if match is None or value == "P":
            raise ValueError(f"{value!r} is not an ISO 8601 duration of whole years, months, weeks and days "
                             f"(e.g. P2Y, P18M, P365D)")
        years, months, weeks, d = (int(g) if g else 0 for g in match.groups())
        days = years * DAYS_PER_YEAR + months * DAYS_PER_MONTH + weeks * DAYS_PER_WEEK + d
    else:
        raise ValueError("a validity period is an ISO 8601 duration string or {\"days\": n}")
    if not 1 <= days <= MAX_VALIDITY_DAYS:
        raise ValueError(f"a validity period must be 1 to {MAX_VALIDITY_DAYS} days, not {days}")
    return days


def canonical_language(tag: str | None) -> str | None:
    """A BCP 47 ``language[-script][-region]`` tag in its canonical case (RFC 5646 §2.1.1):
    ``EN-gb`` → ``en-GB``, ``SR-latn-rs`` → ``sr-Latn-RS``; the form OB 3.0's ``inLanguage`` requires."""
    if not tag:
        return tag
    parts = tag.split("-")
    out = [parts[0].lower()]
    for part in parts[1:]:
        out.append(part.title() if len(part) == 4 else part.upper())
    return "-".join(out)


def course_slug(provider_slug: str, code: str) -> str:
    """The public path of a course under ``/achievements/``: ``"<provider slug>/<code>"`` in lower
    case. Provider slugs never contain "/", so no two providers' courses can share a path."""
    return f"{provider_slug}/{code}".lower()


def _chunks(items: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start:start + _CHUNK]


def import_courses(session: Session, provider: Provider, data: dict, *,
                   default_framework: str | None = None) -> dict:
    """Validate and upsert ``provider``'s courses from a course-catalogue document.

    Returns ``{"provider": slug, "created": [codes], "updated": [codes], "unchanged": [codes],
    "changed": bool}`` (codes in document order). See the module docstring for the rules.
    Raises ``ValidationFailed`` (or ``Conflict`` when only slugs clash) listing every problem;
    nothing is written then.
    """
    validate_document(CATALOGUE_SCHEMA, data, what="course catalogue")
    courses: list[dict] = data["courses"]
    days, problems = _validity(courses)
    resolved, skill_problems, unknown = _resolve_skills(session, courses, default_framework)
    existing, slug_problems = _existing_courses(session, provider, courses)
    problems += skill_problems + slug_problems
    if problems:
        sort_problems(problems)
        note = ("unknown skills: " + ", ".join(dict.fromkeys(unknown))) if unknown else None
        exc = Conflict if len(slug_problems) == len(problems) else ValidationFailed
        raise_problems(problems, "course catalogue", exc=exc, note=note)
    return _upsert_courses(session, provider, courses, days, resolved, existing)


def _translations(value: dict | None) -> dict | None:
    """Per-language texts with canonical tags (``{"FR": ...}`` is stored as ``{"fr": ...}``), or None."""
    return {canonical_language(tag): dict(texts) for tag, texts in value.items()} if value else None


def _validity(courses: list[dict]) -> tuple[dict[int, int | None], list[dict]]:
    """Duplicate codes, duplicate translation languages (case-insensitively, as they end up in the slug) and validity periods in days."""
    problems = [{"path": f"/courses/{i}/code",
                 "message": f"duplicate course code {courses[i]['code']!r} (same slug as /courses/{first})"}
                for i, first in repeats(course["code"].lower() for course in courses)]
    for i, course in enumerate(courses):
        tags = list(course.get("translations") or {})
        problems += [{"path": json_pointer(["courses", i, "translations", tags[j]]),
                      "message": f"language {tags[j]!r} is given twice (also as {tags[first]!r})"}
                     for j, first in repeats(tag.lower() for tag in tags)]
    days: dict[int, int | None] = {}
    for i, course in enumerate(courses):
        days[i] = None
        if "validityPeriod" in course:
            try:
                days[i] = validity_days(course["validityPeriod"])
            except ValueError as exc:
                problems.append({"path": f"/courses/{i}/validityPeriod", "message": str(exc)})
    return days, problems


def _frameworks(session: Session, courses: list[dict], implicit: str | None):
    """The frameworks the skill references name: ``(implicit framework, its problem, {code: Framework})``."""
    implicit_problem: str | None = None
    if implicit is None and any("framework" not in m for c in courses for m in c["skills"]):
        stored = session.scalars(select(Framework.code).limit(2)).all()
        if len(stored) == 1:
            implicit = stored[0]
        else:
            implicit_problem = ("no competence framework is stored; import a competence matrix first" if not stored
                                else "name the skill's framework: several frameworks are stored and no default "
                                     "framework was given")
    fw_codes = sorted({m.get("framework", implicit) for c in courses for m in c["skills"]} - {None})
    frameworks = {f.code: f for f in session.scalars(select(Framework).where(Framework.code.in_(fw_codes)))} \
        if fw_codes else {}
    return implicit, implicit_problem, frameworks


def _stored_skills(session: Session, courses: list[dict], implicit: str | None,
                   frameworks: dict) -> dict[tuple[str, str], Skill]:
    """``{(framework code, skill code): Skill}`` for every referenced skill that is stored."""
    wanted: dict[str, set[str]] = {}
    for course in courses:
        for mapping in course["skills"]:
            fw = mapping.get("framework", implicit)
            if fw in frameworks:
                wanted.setdefault(fw, set()).add(mapping["skill"])
    found: dict[tuple[str, str], Skill] = {}
    for fw, codes in wanted.items():
        for chunk in _chunks(sorted(codes)):
            query = select(Skill).where(Skill.framework_id == frameworks[fw].id, Skill.code.in_(chunk))
            for skill in session.scalars(query):
                found[(fw, skill.code)] = skill
    return found


def _resolve_skills(session: Session, courses: list[dict], default_framework: str | None):
    """Each course's ``[(Skill, level)]``, the problems of its skill references, and the unknown skills."""
    implicit, implicit_problem, frameworks = _frameworks(session, courses, default_framework)
    found = _stored_skills(session, courses, implicit, frameworks)
    problems: list[dict] = []
    unknown: list[str] = []
    resolved: dict[int, list[tuple[Skill, int]]] = {}
    for i, course in enumerate(courses):
        resolved[i] = []
        seen: dict[int, int] = {}
        for j, mapping in enumerate(course["skills"]):
            base = f"/courses/{i}/skills/{j}"
            explicit = "framework" in mapping
            fw = mapping.get("framework", implicit)
            if fw is None:
                problems.append({"path": base, "message": implicit_problem or "no framework"})
                continue
            if fw not in frameworks:
                where = f"{base}/framework" if explicit else base
                how = "" if explicit else " (the default framework)"
                problems.append({"path": where, "message": f"unknown framework {fw!r}{how}"})
                continue
            skill = found.get((fw, mapping["skill"]))
            if skill is None:
                problems.append({"path": f"{base}/skill",
                                 "message": f"unknown skill {mapping['skill']!r} in framework {fw!r}"})
                unknown.append(f"{fw}/{mapping['skill']}")
                continue
            if skill.id in seen:
                problems.append({"path": f"{base}/skill",
                                 "message": f"skill {fw}/{skill.code} is mapped twice (also at "
                                            f"/courses/{i}/skills/{seen[skill.id]})"})
                continue
            seen[skill.id] = j
            resolved[i].append((skill, mapping["level"]))
    return resolved, problems, unknown


def _existing_courses(session: Session, provider: Provider, courses: list[dict]):
    """The provider's stored courses by code, and the problems of slugs other courses already use."""
    problems: list[dict] = []
    codes = [c["code"] for c in courses]
    existing: dict[str, Course] = {}
    if provider.id is not None:
        for chunk in _chunks(codes):
            query = (select(Course).where(Course.provider_id == provider.id, Course.code.in_(chunk))
                     .options(selectinload(Course.skills)))
            existing.update({c.code: c for c in session.scalars(query)})
    slugs = {course_slug(provider.slug, c["code"]): i for i, c in enumerate(courses)}
    for chunk in _chunks(sorted(slugs)):
        for other in session.scalars(select(Course).where(Course.slug.in_(chunk))):
            i = slugs[other.slug]
            if other.provider_id == provider.id and other.code == courses[i]["code"]:
                continue
            whose = "this provider's" if other.provider_id == provider.id else "another provider's"
            problems.append({"path": f"/courses/{i}/code",
                             "message": f"the slug {other.slug!r} is already used by {whose} course {other.code!r}"})
    return existing, problems


def _upsert_courses(session: Session, provider: Provider, courses: list[dict], days: dict, resolved: dict,
                    existing: dict[str, Course]) -> dict:
    """Create or update the (validated) courses and their skill links; the import summary."""
    summary: dict[str, Any] = {"provider": provider.slug, "created": [], "updated": [], "unchanged": []}
    with session.no_autoflush:
        for i, item in enumerate(courses):
            values = {
                "slug": course_slug(provider.slug, item["code"]),
                "title": item["title"],
                "description": item["description"],
                "criteria": item["criteria"],
                "learning_outcomes": list(item["learningOutcomes"]),
                "workload_hours": item["workload"].get("hours"),
                "ects": item["workload"].get("ects"),
                "eqf_level": item["eqfLevel"],
                "assessment_type": item["assessmentType"],
                "participation_form": item["participationForm"],
                "quality_assurance": item["qualityAssurance"],
                "language": canonical_language(item.get("language")),
                "translations": _translations(item.get("translations")),
                "validity_days": days[i],
            }
            course = existing.get(item["code"])
            desired = dict(resolved[i])
            if course is None:
                course = Course(provider=provider, code=item["code"], **values)
                session.add(course)
                sync_skill_levels(session, course.skills, desired, CourseSkill)
                summary["created"].append(item["code"])
                continue
            changed = _assign(course, values)
            changed = any(sync_skill_levels(session, course.skills, desired, CourseSkill).values()) or changed
            summary["updated" if changed else "unchanged"].append(item["code"])
    session.flush()
    summary["changed"] = bool(summary["created"] or summary["updated"])
    return summary



def _courses(session: Session, provider: Provider) -> Sequence[Course]:
    query = (select(Course).where(Course.provider_id == provider.id).order_by(Course.code)
             .options(selectinload(Course.skills).selectinload(CourseSkill.skill).selectinload(Skill.framework)))
    return session.scalars(query).all()


def _skill_links(course: Course) -> list[CourseSkill]:
    return sorted(course.skills, key=lambda link: (link.skill.framework.code, link.skill.code))


def list_courses(session: Session, provider: Provider) -> list[dict]:
    """``provider``'s courses ordered by code, each as::

        {"id", "code", "slug", "title", "description", "criteria", "learningOutcomes",
         "workload": {"hours", "ects"}, "eqfLevel", "assessmentType", "participationForm",
         "qualityAssurance", "language", "translations": {lang: {"title"?, "description"?}}, "validityDays", "imageId",
         "skills": [{"framework", "code", "name", "level"}]}

    Unset optional values are ``None``; skills are ordered by framework and skill code.
    """
    return [{
        "id": c.id,
        "code": c.code,
        "slug": c.slug,
        "title": c.title,
        "description": c.description,
        "criteria": c.criteria,
        "learningOutcomes": list(c.learning_outcomes or []),
        "workload": {"hours": c.workload_hours, "ects": c.ects},
        "eqfLevel": c.eqf_level,
        "assessmentType": c.assessment_type,
        "participationForm": c.participation_form,
        "qualityAssurance": c.quality_assurance,
        "language": c.language,
        "translations": c.translations or {},
        "validityDays": c.validity_days,
        "imageId": c.image_id,
        "skills": [{"framework": link.skill.framework.code, "code": link.skill.code, "name": link.skill.name,
                    "level": link.level} for link in _skill_links(c)],
    } for c in _courses(session, provider)]


def export_courses(session: Session, provider: Provider) -> dict:
    """``provider``'s catalogue as a course-catalogue document that :func:`import_courses` accepts
    (validity as ``{"days": n}``; every skill names its framework)."""
    out = []
    for c in _courses(session, provider):
        course: dict[str, Any] = {
            "code": c.code, "title": c.title, "description": c.description, "criteria": c.criteria,
            "learningOutcomes": list(c.learning_outcomes or []),
            "workload": {k: v for k, v in (("hours", c.workload_hours), ("ects", c.ects)) if v is not None},
            "eqfLevel": c.eqf_level, "assessmentType": c.assessment_type,
            "participationForm": c.participation_form, "qualityAssurance": c.quality_assurance,
        }
        if c.language:
            course["language"] = c.language
        if c.translations:
            course["translations"] = c.translations
        if c.validity_days:
            course["validityPeriod"] = {"days": c.validity_days}
        course["skills"] = [{"framework": link.skill.framework.code, "skill": link.skill.code, "level": link.level}
                            for link in _skill_links(c)]
        out.append(course)
    return {"courses": out}
