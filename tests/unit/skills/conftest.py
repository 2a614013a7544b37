"""Fixtures: an in-memory SQLite database per test, and small matrix/catalogue documents."""
from __future__ import annotations

import copy

import pytest
from sqlalchemy import func, select

from issuer.store.db import Base, make_engine, make_sessionmaker
from issuer.store.models import Course, CourseSkill, Framework, JobRole, Provider, RoleSkill, Skill

MATRIX = {
    "framework": {"code": "TEST-FW", "name": "Test framework", "version": "1"},
    "skills": [
        {"code": "A", "name": "Skill A", "description": "Does A."},
        {"code": "B", "name": "Skill B", "escoUri": "http://data.europa.eu/esco/skill/0000-b"},
        {"code": "C", "name": "Skill C"},
    ],
    "jobRoles": [
        {"code": "R1", "name": "Role one", "description": "First role.",
         "skills": [{"skill": "A", "level": 3}, {"skill": "B", "level": 2}]},
        {"code": "R2", "name": "Role two", "escoUri": "http://data.europa.eu/esco/occupation/0000-r2",
         "skills": [{"skill": "B", "level": 4}, {"skill": "C", "level": 1}]},
    ],
}


def course_doc(code="HV-1", skills=None, **extra):
    course = {
        "code": code, "title": f"Course {code}", "description": "A course.", "criteria": "Pass the test.",
        "learningOutcomes": ["Can do A."], "workload": {"hours": 24}, "eqfLevel": 4,
        "assessmentType": "Written test", "participationForm": "onsite", "qualityAssurance": "ISO 21001",
        "skills": skills if skills is not None else [{"skill": "A", "level": 3}],
    }
    course.update(extra)
    return course


@pytest.fixture
def make_session():
    """Factory of sessions on fresh in-memory databases (several per test when needed)."""
    engines, sessions = [], []

    def factory():
        engine = make_engine("sqlite://")
        Base.metadata.create_all(engine)
        session = make_sessionmaker(engine)()
        engines.append(engine)
        sessions.append(session)
        return session

    yield factory
    for session in sessions:
        session.close()
    for engine in engines:
        engine.dispose()


@pytest.fixture
def session(make_session):
    return make_session()


@pytest.fixture
def matrix():
    return copy.deepcopy(MATRIX)


@pytest.fixture
def provider(session):
    provider = Provider(slug="acme", name="ACME Training")
    session.add(provider)
    session.flush()
    return provider


def counts(session) -> dict[str, int]:
    return {model.__name__: session.scalar(select(func.count()).select_from(model))
            for model in (Framework, Skill, JobRole, RoleSkill, Course, CourseSkill, Provider)}
