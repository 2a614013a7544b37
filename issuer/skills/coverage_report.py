"""Job-role coverage of one or several credentials (the employer's view of skills).

Skills are read from each credential's ``alignment`` entries: an alignment counts when its
``targetUrl`` is a skill page of this service's competence matrix, or when its
``targetFramework`` and ``targetCode`` name a matrix skill. The level is the alignment's
``proficiencyLevel`` (1 when absent).
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..badges.read import alignments_of
from .coverage import best_levels, role_coverage, roles_for_skills
from ..store.models import Framework, Skill

__all__ = ["alignments_of", "held_skills", "coverage_for"]


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


def coverage_for(session: Session, base_url: str, credentials: list[dict], *, include_all: bool = False) -> dict:
    """Job-role coverage of the credentials: ``{"skillsHeld": n, "roles": [...]}`` (roles with at
    least one held skill, or all roles with ``include_all``)."""
    held = held_skills(session, base_url, credentials)
    roles = role_coverage(roles_for_skills(session, list(held)), held, include_all=include_all) if held else []
    return {"skillsHeld": len(held), "roles": _with_urls(roles, base_url)}
