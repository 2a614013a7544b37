"""The catalogue for people: home, issuers, achievements (courses), and the competence matrix
(frameworks, job roles, skills). Each page also answers JSON by content negotiation.
"""
from __future__ import annotations

from flask import Blueprint

from ..store import queries, tenants
from ..api.context import db, service
from ..api.public import (_achievement, _profile, find_course, find_framework, find_issuer, find_role, find_skill,
                          json_response, legacy_course_redirect, role_json, skill_json, wants_json)
from ..badges.credential import build_achievement
from ..issuance import achievement_input
from ..store.models import Framework
from . import present
from .render import page

__all__ = ["bp"]

bp = Blueprint("catalogue", __name__)


@bp.get("/")
def home():
    issuers = queries.issuers_by_provider(db())
    catalogue = [{"provider": p, "issuer": issuers.get(p.id), "courses": queries.courses_of_provider(db(), p.id)}
                 for p in queries.providers(db())]
    return page("home.html", catalogue=catalogue, frameworks=queries.frameworks(db()))


@bp.get("/issuers/<slug>")
def issuer_page(slug: str):
    issuer = find_issuer(slug)
    if wants_json():
        return _profile(issuer)
    return page("issuer.html", issuer=issuer, issuer_did=tenants.issuer_did(issuer, service().base_url),
                courses=queries.courses_of_provider(db(), issuer.provider_id))


@bp.get("/achievements/<slug>")
def legacy_achievement_page(slug: str):
    return legacy_course_redirect(slug)


@bp.get("/achievements/<slug>/image")
def legacy_achievement_image(slug: str):
    """The old image path ``/achievements/<provider>-<code>/image`` redirects; a course whose code
    is "image" (``/achievements/<provider>/image``) shares the URL shape and is served as its page."""
    if queries.course_by_slug(db(), f"{slug}/image".lower()) is not None:
        return achievement_page(slug, "image")
    return legacy_course_redirect(slug, "/image")


@bp.get("/achievements/<provider>/<code>")
def achievement_page(provider: str, code: str):
    course = find_course(provider, code)
    if wants_json():
        return _achievement(course)
    achievement = build_achievement(achievement_input(course, service().base_url))
    roles = {link.role_id: link.role for cs in course.skills for link in queries.roles_requiring(db(), cs.skill_id)}
    return page("achievement.html", course=course, issuer=queries.issuers_by_provider(db()).get(course.provider_id),
                facts=present.facts(achievement), skills=present.skills(achievement),
                roles=sorted(roles.values(), key=lambda r: r.name))


@bp.get("/skills/<framework>/<code>")
def skill_page(framework: str, code: str):
    skill = find_skill(framework, code)
    if wants_json():
        return json_response(skill_json(skill))
    return page("skill.html", skill=skill, roles=queries.roles_requiring(db(), skill.id),
                courses=queries.courses_teaching(db(), skill.id))


@bp.get("/roles/<framework>/<code>")
def role_page(framework: str, code: str):
    role = find_role(framework, code)
    if wants_json():
        return json_response(role_json(role))
    courses = queries.courses_for_skills(db(), [rs.skill_id for rs in role.skills])
    return page("role.html", role=role, courses=courses)


def framework_json(framework: Framework) -> dict:
    base = service().base_url
    roles = queries.framework_roles(db(), framework.id)
    skills = queries.framework_skills(db(), framework.id)
    return {"id": f"{base}/frameworks/{framework.code}", "type": "Framework", "code": framework.code,
            "name": framework.name, "version": framework.version, "description": framework.description,
            "roles": [role_json(r) for r in roles], "skills": [skill_json(s) for s in skills]}


@bp.get("/frameworks/<code>.json")
def framework_json_view(code: str):
    return json_response(framework_json(find_framework(code)))


@bp.get("/frameworks/<code>")
def framework_page(code: str):
    framework = find_framework(code)
    if wants_json():
        return json_response(framework_json(framework))
    roles = queries.framework_roles(db(), framework.id)
    skills = queries.framework_skills(db(), framework.id)
    return page("framework.html", framework=framework, roles=roles, skills=skills)
