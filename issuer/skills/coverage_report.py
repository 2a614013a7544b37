"""Job-role coverage of one or several credentials (the employer's view of skills).

Skills are read from each credential's ``alignment`` entries: an alignment counts when its
``targetUrl`` is a skill page of this service's competence matrix, or when its
``targetFramework`` and ``targetCode`` name a matrix skill. The level is the alignment's
``proficiencyLevel`` (1 when absent).

Each missing or below-level skill of a role carries ``courses``: the catalogue courses that teach
it at the required level (:mod:`issuer.skills.gaps`), and each role a ``plan``: the smallest set
of courses that would complete it given what the holder already has.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..badges.read import alignments_of
from .coverage import best_levels, role_coverage, roles_for_skills
from .gaps import closing_courses, completion_plan, courses_by_skill
from ..store.catalogue_index import catalogue_index
from ..store.models import Framework, Skill

__all__ = ["alignments_of", "held_skills", "coverage_for", "course_ref", "with_gap_courses", "MAX_GAP_COURSES"]

MAX_GAP_COURSES = 50  # per skill: the closest levels first


def held_skills(session: Session, base_url: str, credentials: list[dict]) -> dict[int, int]:
    """``{skill id: highest proficiency level}`` the credentials' alignments prove, matched by
    ``targetUrl`` under ``base_url`` or by framework name and ``targetCode``."""
    prefix = f"{base_url}/skills/"
    pairs = []
    for credential in credentials:
        for alignment in alignments_of(credential):
            skill = None
            url = alignment.get("targetUrl")
            if isinstance(url, str) and url.startswith(prefix) and url.count("/") >= 1:
                framework_code, _, code = url[len(prefix):].partition("/")
                skill = session.scalar(select(Skill).join(Framework).where(
                    Framework.code == framework_code, Skill.code == code))
            if skill is None and alignment.get("targetCode") and alignment.get("targetFramework"):
                skill = session.scalar(select(Skill).join(Framework).where(
                    Framework.name == alignment["targetFramework"], Skill.code == alignment["targetCode"]))
            if skill is None:
                continue
            level = alignment.get("proficiencyLevel")
            pairs.append((skill.id, level if isinstance(level, int) and 1 <= level <= 5 else 1))
    return best_levels(pairs)


def _with_urls(roles: list[dict], base_url: str) -> list[dict]:
    for role in roles:
        framework = role.get("framework")
        role.pop("id", None)
        if framework:
            role["url"] = f"{base_url}/roles/{framework}/{role['code']}"
        for group in ("covered", "partial", "missing"):
            for skill in role.get(group, []):
                code = skill.get("code")
                if framework and code:
                    skill["url"] = f"{base_url}/skills/{framework}/{code}"
                skill.pop("key", None)
    return roles


def course_ref(course: dict, base_url: str, *, level: int | None = None) -> dict:
    """A catalogue course as coverage answers name it: ``{"code", "title", "titles": {lang:
    title}, "url", "provider", "providerName", "providerHasIssued", "language", "participation",
    "eqf", "workloadHours", "level"?}`` (``level``: the level it teaches the skill in question)."""
    ref = {"code": course["code"], "title": course["title"],
           "titles": {tag: t["title"] for tag, t in (course.get("translations") or {}).items() if t.get("title")},
           "url": f"{base_url}{course['url']}", "provider": course["provider"]["slug"],
           "providerName": course["provider"]["name"], "providerHasIssued": course["provider"]["hasIssued"],
           "language": course["language"], "participation": course["participation"], "eqf": course["eqf"],
           "workloadHours": course["workloadHours"]}
    if level is not None:
        ref["level"] = level
    return ref


def with_gap_courses(roles: list[dict], index: dict, base_url: str) -> list[dict]:
    """Add ``courses`` to each partial and missing skill of ``roles`` (:func:`role_coverage`
    results, skills still keyed) and a ``plan`` to each role::

        {"courses": [course_ref + {"closes": [{"code", "name"}]}], "uncoverable": [{"code", "name"}],
         "complete": bool, "method": "exact" | "greedy" | "none", "optimal", "lowerBound", "ratioBound"}
    """
    by_skill = courses_by_skill(index["courses"])
    for role in roles:
        gaps = role.get("partial", []) + role.get("missing", [])
        names = {s["key"]: {"code": s.get("code"), "name": s.get("name")} for s in gaps}
        for skill in gaps:
            skill["courses"] = [course_ref(course, base_url, level=level) for course, level in
                                closing_courses(by_skill, skill["key"], skill["required"])[:MAX_GAP_COURSES]]
        plan = completion_plan({s["key"]: s["required"] for s in gaps}, index["courses"])
        role["plan"] = {
            "courses": [{**course_ref(p["course"], base_url), "closes": [names[k] for k in p["closes"]]}
                        for p in plan["courses"]],
            "uncoverable": [names[k] for k in plan["uncoverable"]], "complete": not plan["uncoverable"],
            **{k: plan[k] for k in ("method", "optimal", "lowerBound", "ratioBound")}}
    return roles


def coverage_for(session: Session, base_url: str, credentials: list[dict], *, include_all: bool = False,
                 role: tuple[str, str] | None = None) -> dict:
    """Job-role coverage of the credentials: ``{"skillsHeld": n, "roles": [...]}`` (roles with at
    least one held skill, all roles with ``include_all``, or only ``role`` = (framework code, role
    code) whatever is held), with the courses closing each gap (:func:`with_gap_courses`)."""
    held = held_skills(session, base_url, credentials)
    if role is not None:
        candidates = [r for r in roles_for_skills(session, None, framework=role[0]) if r["code"] == role[1]]
        roles = role_coverage(candidates, held, include_all=True)
    else:
        roles = role_coverage(roles_for_skills(session, list(held)), held, include_all=include_all) if held else []
    if roles:
        with_gap_courses(roles, catalogue_index(session), base_url)
    return {"skillsHeld": len(held), "roles": _with_urls(roles, base_url)}
