"""Building the unsigned OB 3.0 ``AchievementCredential`` (pure functions, no I/O).

Open Badges 3.0, section 4 / Appendix B (AchievementCredential, AchievementSubject,
Achievement, Alignment, IdentityObject, Result, Evidence) and W3C VC Data Model 2.0.
The EU micro-credential elements (Council Recommendation 2022/C 243/02) use OB 3.0 terms where OB
has them (``creditsAvailable``) and otherwise the terms of an inline context object with European
Learning Model IRIs (:mod:`.microcredential`, ``docs/eu-microcredential-terms.md``), so any JSON-LD
processor reads them offline with only the VC 2.0 and OB 3.0 contexts it ships.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import datetime, timedelta

from .contexts import EU_MICROCREDENTIAL_TERMS, OB_V3P0, VC_V2
from .identity import identity_object
from .microcredential import eqf_level_iri, volume_of_learning
from .timestamps import xsd_datetime

__all__ = ["CONTEXT", "AlignmentInput", "AchievementInput", "Learner", "identity_object",
           "build_achievement", "build_credential", "xsd_datetime", "json_number"]

CONTEXT = [VC_V2, OB_V3P0, dict(EU_MICROCREDENTIAL_TERMS)]
ALIGNMENT_TARGET_TYPE = "ext:CompetenceMatrixSkill"


def json_number(value: float | int) -> float | int:
    """Integral floats become ints, so JSON-LD gives the same RDF in Python and JavaScript."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return int(value)
    return value


@dataclass(frozen=True)
class AlignmentInput:
    name: str
    url: str
    framework: str
    code: str
    level: int
    description: str | None = None


@dataclass(frozen=True)
class AchievementInput:
    id: str
    name: str
    description: str
    criteria: str
    criteria_url: str | None
    image_url: str
    image_caption: str
    code: str
    alignments: tuple[AlignmentInput, ...]
    learning_outcomes: tuple[str, ...] = ()
    workload_hours: float | None = None
    ects: float | None = None
    eqf_level: int | None = None
    assessment_type: str | None = None
    participation_form: str | None = None
    quality_assurance: str | None = None
    language: str | None = None


@dataclass(frozen=True)
class Learner:
    name: str
    email: str | None = None
    did: str | None = None


@dataclass(frozen=True)
class CredentialExtras:
    completed_at: datetime | None = None
    result: dict | None = None
    evidence: tuple[dict, ...] = ()
    valid_for: timedelta | None = None
    credential_status: dict | list[dict] | None = None


def build_alignment(a: AlignmentInput) -> dict:
    """OB 3.0 §B.1.4 ``Alignment`` for a skill of the competence matrix (``targetType`` ``ext:CompetenceMatrixSkill``, ``proficiencyLevel`` 1-5)."""
    alignment = {"type": ["Alignment"], "targetName": a.name, "targetUrl": a.url,
                 "targetFramework": a.framework, "targetCode": a.code, "targetType": ALIGNMENT_TARGET_TYPE,
                 "proficiencyLevel": a.level}
    if a.description:
        alignment["targetDescription"] = a.description
    return alignment


def build_achievement(a: AchievementInput, creator: dict | None = None) -> dict:
    """OB 3.0 §B.1.2 ``Achievement`` (``achievementType`` ``MicroCredential``) as a dict.

    Unset optional terms are omitted; the EU micro-credential terms (``workloadHours``, ``ectsCredits``,
    ``eqfLevel``, ...) come from the project's context. ``creator`` is an optional issuer ``Profile``."""
    criteria: dict = {"narrative": a.criteria}
    if a.criteria_url:
        criteria = {"id": a.criteria_url, **criteria}
    achievement: dict = {
        "id": a.id, "type": ["Achievement"], "achievementType": "MicroCredential",
        "name": a.name, "description": a.description, "criteria": criteria,
        "image": {"id": a.image_url, "type": "Image", "caption": a.image_caption},
        "humanCode": a.code,
    }
    if creator:
        achievement["creator"] = creator
    if a.language:
        achievement["inLanguage"] = a.language
    if a.alignments:
        achievement["alignment"] = [build_alignment(x) for x in a.alignments]
    optional = {
        "creditsAvailable": None if a.ects is None else json_number(a.ects),
        "learningOutcome": list(a.learning_outcomes) or None,
        "volumeOfLearning": None if a.workload_hours is None else volume_of_learning(a.workload_hours),
        "eqfLevel": None if a.eqf_level is None else eqf_level_iri(a.eqf_level),
        "assessmentType": a.assessment_type,
        "participationForm": a.participation_form,
        "qualityAssurance": a.quality_assurance,
    }
    achievement.update({k: v for k, v in optional.items() if v is not None})
    return achievement


def build_subject(learner: Learner, achievement: dict, extras: CredentialExtras, salt: str | None) -> dict:
    """OB 3.0 §B.1.3 ``AchievementSubject``: ``id`` = the learner's DID, else a salted e-mail
    ``IdentityObject`` (:func:`issuer.badges.identity.identity_object`; ``salt=None`` draws a fresh one)."""
    subject: dict = {"type": ["AchievementSubject"]}
    if learner.did:
        subject["id"] = learner.did
    else:
        subject["identifier"] = [identity_object(learner.email or "", salt)]
    subject["name"] = learner.name
    subject["achievement"] = achievement
    if extras.completed_at:
        subject["activityEndDate"] = xsd_datetime(extras.completed_at)
    if extras.result:
        subject["result"] = [{"type": ["Result"], **extras.result}]
    return subject


def build_credential(*, credential_id: str, issuer: dict, achievement: dict, learner: Learner, now: datetime,
                     extras: CredentialExtras = CredentialExtras(), salt: str | None = None) -> dict:
    """The unsigned credential: contexts VC 2.0, OB 3.0.3 and the inline EU micro-credential terms."""
    credential: dict = {
        "@context": copy.deepcopy(CONTEXT),
        "id": credential_id,
        "type": ["VerifiableCredential", "AchievementCredential"],
        "name": achievement["name"],
        "description": achievement["description"],
        "issuer": issuer,
        "validFrom": xsd_datetime(now),
        "awardedDate": xsd_datetime(now),
    }
    if extras.valid_for:
        credential["validUntil"] = xsd_datetime(now + extras.valid_for)
    credential["credentialSubject"] = build_subject(learner, achievement, extras, salt)
    if extras.evidence:
        credential["evidence"] = [dict(e) for e in extras.evidence]
    if extras.credential_status:
        credential["credentialStatus"] = copy.deepcopy(extras.credential_status)
    return credential
