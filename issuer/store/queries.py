"""Read queries of the public API and the catalogue pages (no writes, no commits).

Each takes the caller's ``Session`` and returns model objects (or ``None`` for an unknown key), so
views stay free of SQLAlchemy. The objects are those of :mod:`issuer.store.models`; the public
catalogue they serve is described in the README ("Catalogue pages").
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import Course, CourseSkill, Framework, IssuerProfile, JobRole, Provider, RoleSkill, Skill

__all__ = ["issuer_by_slug", "course_by_slug", "course_by_legacy_slug", "framework_by_code", "skill_by_code", "role_by_code",
           "issuers_by_provider", "providers", "frameworks", "courses_of_provider", "roles_requiring",
           "courses_teaching", "courses_for_skills", "framework_roles", "framework_skills"]


def issuer_by_slug(session: Session, slug: str) -> IssuerProfile | None:
    """The issuer profile with URL slug ``slug``."""
    return session.scalar(select(IssuerProfile).where(IssuerProfile.slug == slug))


def course_by_slug(session: Session, slug: str) -> Course | None:
    """The course (an ``Achievement``) with URL slug ``slug`` (``<provider>-<code>``)."""
    return session.scalar(select(Course).where(Course.slug == slug))


def course_by_legacy_slug(session: Session, legacy_slug: str) -> Course | None:
    """The course whose path was ``/achievements/<provider>-<code>`` before issue #9 §5."""
    return session.scalar(select(Course).where(Course.legacy_slug == legacy_slug.lower()))


def framework_by_code(session: Session, code: str) -> Framework | None:
    """The competence framework with code ``code``."""
    return session.scalar(select(Framework).where(Framework.code == code))


def skill_by_code(session: Session, framework_code: str, code: str) -> Skill | None:
    """Skill ``code`` of framework ``framework_code``."""
    return session.scalar(select(Skill).join(Framework).where(Framework.code == framework_code, Skill.code == code))


def role_by_code(session: Session, framework_code: str, code: str) -> JobRole | None:
    """Job role ``code`` of framework ``framework_code``."""
    return session.scalar(select(JobRole).join(Framework).where(Framework.code == framework_code,
                                                                JobRole.code == code))


def issuers_by_provider(session: Session) -> dict[int, IssuerProfile]:
    """``{provider id: its first issuer profile}``."""
    out: dict[int, IssuerProfile] = {}
    for issuer in session.scalars(select(IssuerProfile).order_by(IssuerProfile.id)):
        out.setdefault(issuer.provider_id, issuer)
    return out


def providers(session: Session) -> list[Provider]:
    """Every training provider, by name."""
    return list(session.scalars(select(Provider).order_by(Provider.name)))


def frameworks(session: Session) -> list[Framework]:
    """Every competence framework, by name."""
    return list(session.scalars(select(Framework).order_by(Framework.name)))


def courses_of_provider(session: Session, provider_id: int) -> list[Course]:
    """The provider's courses, by title."""
    return list(session.scalars(select(Course).where(Course.provider_id == provider_id).order_by(Course.title)))


def roles_requiring(session: Session, skill_id: int) -> list[RoleSkill]:
    """The job roles' requirements of skill ``skill_id`` (``RoleSkill`` rows), by role name."""
    return list(session.scalars(select(RoleSkill).join(JobRole).where(RoleSkill.skill_id == skill_id)
                                .order_by(JobRole.name)))


def courses_teaching(session: Session, skill_id: int) -> list[CourseSkill]:
    """The courses' mappings to skill ``skill_id`` (``CourseSkill`` rows), by course title."""
    return list(session.scalars(select(CourseSkill).join(Course).where(CourseSkill.skill_id == skill_id)
                                .order_by(Course.title)))


def courses_for_skills(session: Session, skill_ids: list[int]) -> list[Course]:
    """The courses mapped to any of ``skill_ids``, each once, by title."""
    if not skill_ids:
        return []
    # (no DISTINCT over Course: PostgreSQL has no equality for its JSON column)
    course_ids = select(CourseSkill.course_id).where(CourseSkill.skill_id.in_(skill_ids))
    return list(session.scalars(select(Course).where(Course.id.in_(course_ids)).order_by(Course.title)))


def framework_roles(session: Session, framework_id: int) -> list[JobRole]:
    """The framework's job roles, by name."""
    return list(session.scalars(select(JobRole).where(JobRole.framework_id == framework_id).order_by(JobRole.name)))


def framework_skills(session: Session, framework_id: int) -> list[Skill]:
    """The framework's skills, by name."""
    return list(session.scalars(select(Skill).where(Skill.framework_id == framework_id).order_by(Skill.name)))
