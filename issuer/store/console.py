"""Read models of the provider console: dashboard counts, recent activity, the skill picker and
the job roles a course contributes to. Every query is limited to one provider's rows (the
competence matrix is shared and public). No Flask.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import extract, func, select
from sqlalchemy.orm import Session, selectinload

from ..badges.timestamps import as_utc
from ..errors import NotFound
from .models import (
    ApiKey, Course, CourseSkill, Credential, CredentialClaim, Framework, IssuerProfile, JobRole, RoleSkill, Skill,
    StatusEvent, Provider,
)

__all__ = ["month_keys", "monthly_counts", "course_counts", "recent_events", "skill_picker", "course_roles",
           "get_course", "courses_of", "COUNTED", "api_keys_of", "revoke_api_key", "issuers_of"]

#: the series of the dashboard: credentials issued, claimed into a wallet, revoked and suspended
COUNTED = ("issued", "claimed", "revoked", "suspended")


def month_keys(now: datetime, months: int) -> list[str]:
    """The last ``months`` calendar months up to ``now``'s, oldest first, as ``"YYYY-MM"``."""
    year, month = now.year, now.month
    keys = []
    for _ in range(months):
        keys.append(f"{year:04d}-{month:02d}")
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return keys[::-1]


def _by_month(session: Session, column, stmt) -> dict[str, int]:
    year, month = extract("year", column), extract("month", column)
    rows = session.execute(stmt.add_columns(year, month, func.count()).group_by(year, month))
    return {f"{int(y):04d}-{int(m):02d}": int(n) for y, m, n in rows}


def monthly_counts(session: Session, provider: Provider, now: datetime, *, months: int = 12,
                   course_code: str | None = None) -> list[dict]:
    """Per calendar month (the last ``months``, oldest first): ``{"month": "YYYY-MM", "issued",
    "claimed", "revoked", "suspended"}``, counted when it happened (issuance ``validFrom``, the
    claim, the status change), for ``provider`` (and one course when ``course_code`` is given)."""
    base = select().select_from(Credential).where(Credential.provider_id == provider.id)
    if course_code is not None:
        base = base.join(Course, Course.id == Credential.course_id).where(Course.code == course_code)
    issued = _by_month(session, Credential.valid_from, base)
    claimed = _by_month(session, CredentialClaim.claimed_at,
                        base.join(CredentialClaim, CredentialClaim.credential_id == Credential.id))
    events = {}
    for action in ("revoke", "suspend"):
        events[action] = _by_month(session, StatusEvent.at, base.join(
            StatusEvent, StatusEvent.credential_id == Credential.id).where(StatusEvent.action == action))
    return [{"month": key, "issued": issued.get(key, 0), "claimed": claimed.get(key, 0),
             "revoked": events["revoke"].get(key, 0), "suspended": events["suspend"].get(key, 0)}
            for key in month_keys(now, months)]


def course_counts(session: Session, provider: Provider) -> list[dict]:
    """Per course of ``provider`` (by code): ``{"code", "title", "retired", "issued", "claimed",
    "revoked", "suspended"}``; revoked and suspended count the credentials' current status."""
    courses = courses_of(session, provider)
    totals = {c.id: {"code": c.code, "title": c.title, "retired": c.retired_at is not None,
                     **{k: 0 for k in COUNTED}} for c in courses}
    for course_id, status, n in session.execute(
            select(Credential.course_id, Credential.status, func.count()).where(Credential.provider_id == provider.id)
            .group_by(Credential.course_id, Credential.status)):
        row = totals.get(course_id)
        if row is not None:
            row["issued"] += n
            if status in ("revoked", "suspended"):
                row[status] += n
    for course_id, n in session.execute(
            select(Credential.course_id, func.count()).join(CredentialClaim, CredentialClaim.credential_id == Credential.id)
            .where(Credential.provider_id == provider.id).group_by(Credential.course_id)):
        if course_id in totals:
            totals[course_id]["claimed"] = n
    return list(totals.values())


def recent_events(session: Session, provider: Provider, *, limit: int = 15) -> list[dict]:
    """``provider``'s latest status events (issuance, revocation, suspension), newest first:
    ``{"at", "action", "reason", "actor", "credentialId", "learnerName", "course"}``."""
    rows = session.execute(
        select(StatusEvent, Credential.learner_name, Course.code)
        .join(Credential, Credential.id == StatusEvent.credential_id)
        .join(Course, Course.id == Credential.course_id)
        .where(StatusEvent.provider_id == provider.id, Credential.provider_id == provider.id)
        .order_by(StatusEvent.at.desc(), StatusEvent.id.desc()).limit(limit))
    return [{"at": as_utc(event.at), "action": event.action, "reason": event.reason, "actor": event.actor,
             "credentialId": event.credential_id, "learnerName": name, "course": code}
            for event, name, code in rows]




def courses_of(session: Session, provider: Provider) -> list[Course]:
    """``provider``'s courses by code, with their skills loaded."""
    return list(session.scalars(select(Course).where(Course.provider_id == provider.id).order_by(Course.code)
                                .options(selectinload(Course.skills).selectinload(CourseSkill.skill)
                                         .selectinload(Skill.framework))))


def get_course(session: Session, provider: Provider, code: str) -> Course:
    """``provider``'s course ``code`` (skills loaded), or ``NotFound`` (also for another provider's)."""
    course = session.scalar(select(Course).where(Course.provider_id == provider.id, Course.code == code)
                            .options(selectinload(Course.skills).selectinload(CourseSkill.skill)
                                     .selectinload(Skill.framework)))
    if course is None:
        raise NotFound(f"course {code!r} is not in your catalogue")
    return course


def skill_picker(session: Session, query: str = "") -> list[dict]:
    """The competence matrix for the skill picker, grouped by job role: ``[{"framework",
    "role": {"code", "name"} or None, "skills": [{"framework", "code", "name", "level"}]}]``;
    ``level`` is the level the role requires. Skills of no role come last (``role`` None). With
    ``query``, only skills whose code or name (or whose role's name) contains it, case-insensitively."""
    needle = (query or "").strip().casefold()[:100]
    roles = session.scalars(select(JobRole).order_by(JobRole.framework_id, JobRole.code)
                            .options(selectinload(JobRole.framework),
                                     selectinload(JobRole.skills).selectinload(RoleSkill.skill))).all()
    groups, placed = [], set()
    for role in roles:
        role_hit = needle and needle in role.name.casefold()
        skills = [{"framework": role.framework.code, "code": link.skill.code, "name": link.skill.name,
                   "level": link.level} for link in role.skills
                  if not needle or role_hit or needle in link.skill.code.casefold()
                  or needle in link.skill.name.casefold()]
        placed.update(link.skill_id for link in role.skills)
        if skills:
            groups.append({"framework": role.framework.code, "role": {"code": role.code, "name": role.name},
                           "skills": skills})
    loose = session.execute(select(Skill, Framework.code).join(Framework, Framework.id == Skill.framework_id)
                            .order_by(Framework.code, Skill.code)).all()
    rest = [{"framework": fw, "code": s.code, "name": s.name, "level": None} for s, fw in loose
            if s.id not in placed and (not needle or needle in s.code.casefold() or needle in s.name.casefold())]
    if rest:
        groups.append({"framework": None, "role": None, "skills": rest})
    return groups


def course_roles(session: Session, course: Course) -> list[dict]:
    """The job roles ``course`` contributes to: ``[{"framework", "code", "name", "covered",
    "atLevel", "total"}]`` where ``covered`` counts the role's skills the course teaches,
    ``atLevel`` those taught at (at least) the level the role requires, ``total`` the role's
    skills; most covered first."""
    taught = {link.skill_id: link.level for link in course.skills}
    if not taught:
        return []
    roles = session.scalars(select(JobRole).join(RoleSkill, RoleSkill.role_id == JobRole.id)
                            .where(RoleSkill.skill_id.in_(list(taught))).distinct()
                            .options(selectinload(JobRole.framework), selectinload(JobRole.skills))).all()
    out = []
    for role in roles:
        covered = [link for link in role.skills if link.skill_id in taught]
        out.append({"framework": role.framework.code, "code": role.code, "name": role.name,
                    "covered": len(covered), "atLevel": sum(1 for link in covered if taught[link.skill_id] >= link.level),
                    "total": len(role.skills)})
    return sorted(out, key=lambda r: (-r["covered"], r["code"]))


def api_keys_of(session: Session, provider: Provider) -> list[ApiKey]:
    """``provider``'s API keys (only prefixes and labels; secrets are never stored), oldest first."""
    return list(session.scalars(select(ApiKey).where(ApiKey.provider_id == provider.id).order_by(ApiKey.id)))


def revoke_api_key(session: Session, provider: Provider, prefix: str, now: datetime) -> ApiKey:
    """Revoke ``provider``'s API key with this prefix (it answers 401 from then on); ``NotFound``
    for an unknown prefix or another provider's key. Revoking twice keeps the first time."""
    key = session.scalar(select(ApiKey).where(ApiKey.provider_id == provider.id, ApiKey.prefix == prefix))
    if key is None:
        raise NotFound("no such API key")
    if key.revoked_at is None:
        key.revoked_at = now
    return key


def issuers_of(session: Session, provider: Provider) -> list[IssuerProfile]:
    """``provider``'s issuer profiles (with their keys), by slug."""
    return list(session.scalars(select(IssuerProfile).where(IssuerProfile.provider_id == provider.id)
                                .order_by(IssuerProfile.slug).options(selectinload(IssuerProfile.keys))))
