"""The facts of one issued credential, read once from the stored record for every export.

The PDF certificate and the ELM (Europass) export both show the same facts, so both read them
here, from the database rows (course, issuer profile, competence-matrix skills) and from the
standard Open Badges 3.0 / VC 2.0 terms of the stored signed credential (``id``, ``issuer.id``,
``credentialSubject.achievement.id``, ``result``, ``activityEndDate``). Terms of the project's own
EU micro-credential context are deliberately not read: the course row holds those facts.
Pure: no Flask, no I/O beyond the ORM objects passed in.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from ..badges.read import achievement_of, subject_of
from ..badges.timestamps import as_utc

__all__ = ["SkillFact", "IssuerFacts", "CredentialRecord", "credential_record"]


@dataclass(frozen=True)
class SkillFact:
    """A competence-matrix skill the course covers, at ``level`` 1 (basic) ... 5 (expert)."""

    name: str
    code: str
    level: int
    framework: str
    framework_code: str
    url: str
    esco_uri: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class IssuerFacts:
    id: str                      # the issuer's DID, as in the signed credential
    slug: str
    name: str
    url: str | None
    email: str | None
    country_code: str | None     # ISO 3166-1 alpha-2
    legal_identifier: str | None
    legal_identifier_scheme: str | None  # vat | eidas | registration


@dataclass(frozen=True)
class CredentialRecord:
    """Everything an export shows. Dates are aware UTC datetimes; ``status`` is the hosted status
    (``active``, ``suspended`` or ``revoked``) at the time the record was read."""

    id: str                      # the row id (a UUID): /credentials/<id>
    credential_id: str           # the signed credential's ``id`` (urn:uuid:<id>)
    page_url: str
    verify_url: str
    achievement_id: str
    title: str
    description: str
    criteria: str
    code: str
    language: str                # BCP 47 primary tag, "en" when the course has none
    holder: str
    issuer: IssuerFacts
    issued: datetime
    valid_until: datetime | None
    completed: datetime | None
    status: str
    grade: str | None
    learning_outcomes: tuple[str, ...] = ()
    skills: tuple[SkillFact, ...] = ()
    workload_hours: float | None = None
    ects: float | None = None
    eqf_level: int | None = None
    assessment_type: str | None = None
    participation_form: str | None = None
    quality_assurance: str | None = None
    holder_did: str | None = None
    badge_png: bytes = field(default=b"", repr=False)
    badge_svg: bytes = field(default=b"", repr=False)  # the provider's uploaded (sanitized) SVG, if any
    base_url: str = ""           # the service's public base URL (no trailing slash)


def _parse_time(value) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return as_utc(datetime.fromisoformat(value.replace("Z", "+00:00")))
    except ValueError:
        return None


def _dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def _grade(subject: dict) -> str | None:
    results = subject.get("result")
    for item in results if isinstance(results, list) else [results]:
        value = _dict(item).get("value")
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def credential_record(row, base_url: str, *, badge_png: bytes = b"", badge_svg: bytes = b"") -> CredentialRecord:
    """The :class:`CredentialRecord` of a ``store.models.Credential`` row (with its ``course``,
    ``course.skills`` and ``issuer`` relationships) published under ``base_url``. ``badge_png``
    is the badge as PNG (ELM needs a PNG); ``badge_svg`` the provider's uploaded SVG badge, which
    the PDF prefers."""
    document = json.loads(row.document)
    subject = subject_of(document)
    issuer_doc = document.get("issuer")
    issuer_id = issuer_doc.get("id") if isinstance(issuer_doc, dict) else issuer_doc
    course, profile = row.course, row.issuer
    achievement_id = achievement_of(document).get("id")
    skills = tuple(
        SkillFact(name=cs.skill.name, code=cs.skill.code, level=cs.level, framework=cs.skill.framework.name,
                  framework_code=cs.skill.framework.code,
                  url=f"{base_url}/skills/{cs.skill.framework.code}/{cs.skill.code}",
                  esco_uri=cs.skill.esco_uri or None, description=cs.skill.description)
        for cs in course.skills)
    language = (course.language or "en").split("-")[0].lower()
    return CredentialRecord(
        id=row.id, credential_id=str(document.get("id") or f"urn:uuid:{row.id}"),
        page_url=f"{base_url}/credentials/{row.id}", verify_url=f"{base_url}/credentials/{row.id}/verify",
        achievement_id=str(achievement_id or f"{base_url}/credentials/{row.id}#achievement"),
        title=course.title, description=course.description, criteria=course.criteria, code=course.code,
        language=language, holder=row.learner_name,
        issuer=IssuerFacts(id=str(issuer_id or ""), slug=profile.slug, name=profile.name, url=profile.url,
                           email=profile.email, country_code=profile.country_code,
                           legal_identifier=profile.legal_identifier,
                           legal_identifier_scheme=profile.legal_identifier_scheme),
        issued=as_utc(row.valid_from), valid_until=as_utc(row.valid_until),
        completed=_parse_time(subject.get("activityEndDate")), status=row.status, grade=_grade(subject),
        learning_outcomes=tuple(t for t in (course.learning_outcomes or ()) if isinstance(t, str) and t.strip()),
        skills=skills, workload_hours=course.workload_hours, ects=course.ects, eqf_level=course.eqf_level,
        assessment_type=course.assessment_type, participation_form=course.participation_form,
        quality_assurance=course.quality_assurance,
        holder_did=row.subject_id if isinstance(row.subject_id, str) and row.subject_id.startswith("did:") else None,
        badge_png=badge_png, badge_svg=badge_svg, base_url=base_url)
