"""Shared test data: providers, courses, learners and credentials, as plain functions with
overridable defaults (``make_*(**overrides)``), in the style of warehouse's factories.

* ``LEARNER`` / :func:`learner_body` - the learner of an issue request (``POST /api/v1/credentials``);
* :func:`make_learner`, :func:`make_alignment`, :func:`make_achievement_input` - the inputs of the
  pure credential builder (:mod:`issuer.badges.credential`);
* :func:`make_credential` - an unsigned ``AchievementCredential`` built by that builder;
* :func:`make_provider` - a provider with one issuer profile (keys sealed) in a database session;
  :func:`course_entry` - a course of its catalogue document.
"""
from __future__ import annotations

from datetime import datetime, timezone

from issuer.demo.setup import create_provider_with_issuers
from issuer.badges.credential import AchievementInput, AlignmentInput, CredentialExtras, Learner, build_achievement, \
    build_credential

BASE_URL = "http://localhost:5000"
NOW = datetime(2026, 5, 4, 10, 0, tzinfo=timezone.utc)
LEARNER = {"name": "Alex Muster", "email": "Alex.Muster@example.org"}
ISSUER_PROFILE = {"id": "did:web:localhost%3A5000:issuers:emob-academy", "type": ["Profile"],
                  "name": "Academy of Electromobility"}


def learner_body(**overrides) -> dict:
    """The ``learner`` member of an issue request."""
    return {**LEARNER, **overrides}


def make_learner(**overrides) -> Learner:
    return Learner(**{"name": LEARNER["name"], "email": LEARNER["email"], **overrides})


def make_alignment(**overrides) -> AlignmentInput:
    values = {"name": "High-voltage safety", "url": f"{BASE_URL}/skills/DRIVES-ACM/HV-SAFETY",
              "framework": "DRIVES Automotive Competence Matrix", "code": "HV-SAFETY", "level": 3}
    return AlignmentInput(**{**values, **overrides})


def make_achievement_input(**overrides) -> AchievementInput:
    url = f"{BASE_URL}/achievements/emob-academy-hv-2s"
    values = {"id": url, "name": "High-Voltage Qualification Level 2S", "description": "Work safely on HV systems.",
              "criteria": "Pass the practical and written assessment.", "criteria_url": None,
              "image_url": f"{url}/image", "image_caption": "Badge: High-Voltage Qualification Level 2S",
              "code": "HV-2S", "alignments": (make_alignment(),)}
    return AchievementInput(**{**values, **overrides})


def make_credential(*, learner: Learner | None = None, achievement: dict | None = None, now: datetime = NOW,
                    extras: CredentialExtras = CredentialExtras(), salt: str | None = "salt",
                    credential_id: str = "urn:uuid:2b1f5a38-6f0e-4a9b-9f4e-0d1c2b3a4f5e",
                    issuer: dict | None = None) -> dict:
    """An unsigned credential from the pure builder (fixed salt and time, so it is reproducible)."""
    return build_credential(credential_id=credential_id, issuer=issuer or dict(ISSUER_PROFILE),
                            achievement=achievement or build_achievement(make_achievement_input()),
                            learner=learner or make_learner(), now=now, extras=extras, salt=salt)


def course_entry(**overrides) -> dict:
    """One course of a course-catalogue document (``schemas/course-catalogue.schema.json``)."""
    values = {"code": "HV-1", "title": "HV awareness", "description": "Awareness of HV hazards.",
              "criteria": "Online quiz passed.", "learningOutcomes": ["Recognise HV components"],
              "workload": {"hours": 4}, "eqfLevel": 3, "assessmentType": "Online quiz",
              "participationForm": "online", "qualityAssurance": "Internal review",
              "skills": [{"skill": "HVS-AWARE", "level": 1}]}
    return {**values, **overrides}


def make_provider(session, service, **overrides):
    """A provider with one issuer profile and its first API key: ``(provider, api_key)``."""

    values = {"slug": "test-academy", "name": "Test Academy", "url": "https://test-academy.example"}
    return create_provider_with_issuers(session, service, **{**values, **overrides})
