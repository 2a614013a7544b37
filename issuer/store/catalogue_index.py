"""The public course catalogue as plain data, for search, facets and gap courses (issue #14 §2).

:func:`catalogue_index` reads every course once with its provider, the provider's issuer
countries, whether the provider has issued any credential, its skill mapping and the job roles
it contributes to. Searching, counting facets and choosing courses for skill gaps then run on
these dicts (:mod:`issuer.skills.search`, :mod:`issuer.skills.gaps`) with no further query.
A catalogue of the Skills Hub's size (hundreds to a few thousand courses) fits comfortably; the
read costs five queries whatever the size.
"""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from .models import Course, CourseSkill, Credential, Framework, IssuerProfile, JobRole, Provider, RoleSkill, Skill

__all__ = ["catalogue_index"]


def _roles(session: Session) -> tuple[dict[int, dict], dict[int, list[tuple[int, int]]]]:
    """``({role id: role}, {skill id: [(role id, required level)]})``."""
    roles = {role.id: {"key": role.id, "framework": fw, "code": role.code, "name": role.name}
             for role, fw in session.execute(select(JobRole, Framework.code).join(JobRole.framework))}
    by_skill: dict[int, list[tuple[int, int]]] = {}
    for role_id, skill_id, level in session.execute(select(RoleSkill.role_id, RoleSkill.skill_id, RoleSkill.level)):
        by_skill.setdefault(skill_id, []).append((role_id, level))
    for role in roles.values():
        role["skills"] = []
    for skill_id, links in by_skill.items():
        for role_id, level in links:
            roles[role_id]["skills"].append((skill_id, level))
    return roles, by_skill


def _providers(session: Session) -> dict[int, dict]:
    """``{provider id: {"slug", "name", "countries", "issuer", "hasIssued"}}``."""
    issued = dict(session.execute(select(Credential.provider_id, func.count()).group_by(Credential.provider_id)).all())
    providers = {p.id: {"slug": p.slug, "name": p.name, "countries": [], "issuer": None,
                        "hasIssued": issued.get(p.id, 0) > 0}
                 for p in session.scalars(select(Provider).order_by(Provider.name))}
    for profile in session.scalars(select(IssuerProfile).order_by(IssuerProfile.id)):
        entry = providers.get(profile.provider_id)
        if entry is None:
            continue
        entry["issuer"] = entry["issuer"] or profile.slug
        if profile.country_code and profile.country_code.upper() not in entry["countries"]:
            entry["countries"].append(profile.country_code.upper())
    return providers


def catalogue_index(session: Session) -> dict:
    """Every course of every provider, as ``{"courses": [course], "roles": {role id: role}}``.

    A course is ``{"key": id, "slug", "code", "url": "/achievements/<slug>", "title", "description",
    "translations": {lang: {"title"?, "description"?}}, "language", "participation", "eqf",
    "workloadHours", "ects", "provider": {"slug", "name", "countries": [ISO 3166 alpha-2], "issuer":
    issuer slug, "hasIssued": bool}, "skills": [{"key": skill id, "framework", "code", "name",
    "level"}], "roles": [role id]}`` (roles requiring at least one of its skills), by title then slug.
    A role is ``{"key", "framework", "code", "name", "skills": [(skill id, required level)]}``.
    """
    roles, roles_by_skill = _roles(session)
    providers = _providers(session)
    query = (select(Course).options(selectinload(Course.skills).selectinload(CourseSkill.skill)
                                    .selectinload(Skill.framework)).order_by(Course.title, Course.slug))
    courses = []
    for course in session.scalars(query):
        skills = [{"key": link.skill_id, "framework": link.skill.framework.code, "code": link.skill.code,
                   "name": link.skill.name, "level": link.level} for link in course.skills]
        role_ids = sorted({role_id for s in skills for role_id, _level in roles_by_skill.get(s["key"], [])})
        courses.append({
            "key": course.id, "slug": course.slug, "code": course.code, "url": f"/achievements/{course.slug}",
            "title": course.title, "description": course.description, "translations": course.translations or {},
            "language": course.language, "participation": (course.participation_form or "").strip().lower() or None,
            "eqf": course.eqf_level, "workloadHours": course.workload_hours, "ects": course.ects,
            "provider": providers[course.provider_id], "skills": skills, "roles": role_ids,
        })
    return {"courses": courses, "roles": roles}
