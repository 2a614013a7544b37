"""The catalogue for people: home, issuers, achievements (courses), and the competence matrix
(frameworks, job roles, skills). Each page also answers JSON by content negotiation.
"""
from __future__ import annotations

from flask import Blueprint
from sqlalchemy import select

from ..store import tenants
from ..api.context import db, service
from ..api.public import (_achievement, _profile, find_course, find_framework, find_issuer, find_role, find_skill,
                          json_response, legacy_course_redirect, role_json, skill_json, wants_json)
from ..badges.credential import build_achievement
from ..issuance import achievement_input
from ..store.models import Course, CourseSkill, Framework, IssuerProfile, JobRole, Provider, RoleSkill, Skill
from . import present
from .render import page

__all__ = ["bp"]

bp = Blueprint("catalogue", __name__)


def _issuers_by_provider() -> dict[int, IssuerProfile]:
    issuers = db().scalars(select(IssuerProfile).order_by(IssuerProfile.id)).all()
    out: dict[int, IssuerProfile] = {}
    for issuer in issuers:
        out.setdefault(issuer.provider_id, issuer)
    return out


def _courses(*where) -> list[Course]:
    return list(db().scalars(select(Course).where(*where).order_by(Course.title)))


@bp.get("/")
def home():
    providers = db().scalars(select(Provider).order_by(Provider.name)).all()
    issuers = _issuers_by_provider()
    catalogue = [{"provider": p, "issuer": issuers.get(p.id), "courses": _courses(Course.provider_id == p.id)}
                 for p in providers]
    frameworks = db().scalars(select(Framework).order_by(Framework.name)).all()
    return page("home.html", catalogue=catalogue, frameworks=frameworks)


@bp.get("/issuers/<slug>")
def issuer_page(slug: str):
    issuer = find_issuer(slug)
    if wants_json():
        return _profile(issuer)
    return page("issuer.html", issuer=issuer, issuer_did=tenants.issuer_did(issuer, service().base_url),
                courses=_courses(Course.provider_id == issuer.provider_id))


@bp.get("/achievements/<slug>")
def legacy_achievement_page(slug: str):
    return legacy_course_redirect(slug)


@bp.get("/achievements/<slug>/image")
def legacy_achievement_image(slug: str):
    """The old image path ``/achievements/<provider>-<code>/image`` redirects; a course whose code
    is "image" (``/achievements/<provider>/image``) shares the URL shape and is served as its page."""
    if db().scalar(select(Course.id).where(Course.slug == f"{slug}/image".lower())) is not None:
        return achievement_page(slug, "image")
    return legacy_course_redirect(slug, "/image")


@bp.get("/achievements/<provider>/<code>")
def achievement_page(provider: str, code: str):
    course = find_course(provider, code)
    if wants_json():
        return _achievement(course)
    achievement = build_achievement(achievement_input(course, service().base_url))
    return page("achievement.html", course=course, issuer=_issuers_by_provider().get(course.provider_id),
                facts=present.facts(achievement), skills=present.skills(achievement))


@bp.get("/skills/<framework>/<code>")
def skill_page(framework: str, code: str):
    skill = find_skill(framework, code)
    if wants_json():
        return json_response(skill_json(skill))
    roles = db().scalars(select(RoleSkill).join(JobRole).where(RoleSkill.skill_id == skill.id)
                         .order_by(JobRole.name)).all()
    courses = db().scalars(select(CourseSkill).join(Course).where(CourseSkill.skill_id == skill.id)
                           .order_by(Course.title)).all()
    return page("skill.html", skill=skill, roles=roles, courses=courses)


@bp.get("/roles/<framework>/<code>")
def role_page(framework: str, code: str):
    role = find_role(framework, code)
    if wants_json():
        return json_response(role_json(role))
    skill_ids = [rs.skill_id for rs in role.skills]
    # (no DISTINCT over Course: PostgreSQL has no equality for its JSON column)
    course_ids = select(CourseSkill.course_id).where(CourseSkill.skill_id.in_(skill_ids))
    courses = db().scalars(select(Course).where(Course.id.in_(course_ids))
                           .order_by(Course.title)).all() if skill_ids else []
    return page("role.html", role=role, courses=courses)


def framework_json(framework: Framework) -> dict:
    base = service().base_url
    roles = db().scalars(select(JobRole).where(JobRole.framework_id == framework.id).order_by(JobRole.name)).all()
    skills = db().scalars(select(Skill).where(Skill.framework_id == framework.id).order_by(Skill.name)).all()
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
    roles = db().scalars(select(JobRole).where(JobRole.framework_id == framework.id).order_by(JobRole.name)).all()
    skills = db().scalars(select(Skill).where(Skill.framework_id == framework.id).order_by(Skill.name)).all()
    return page("framework.html", framework=framework, roles=roles, skills=skills)
