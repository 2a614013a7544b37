from __future__ import annotations

import copy

import pytest
from sqlalchemy import select

from issuer.errors import Conflict, ValidationFailed
from issuer.skills.catalogue import (
    MAX_VALIDITY_DAYS, course_slug, export_courses, import_courses, list_courses, validity_days,
)
from issuer.skills.matrix import import_matrix
from issuer.store.models import Course, CourseSkill, Framework, Provider

from .conftest import counts, course_doc


@pytest.fixture
def catalogue_db(session, matrix, provider):
    import_matrix(session, matrix)
    return session


def _skills(session, provider, code):
    course = next(c for c in list_courses(session, provider) if c["code"] == code)
    return {s["code"]: s["level"] for s in course["skills"]}


@pytest.mark.parametrize("value, days", [
    ("P2Y", 730), ("P18M", 540), ("P365D", 365), ("P1Y6M", 545), ("P2W", 14), ("P1Y2M3W4D", 365 + 60 + 21 + 4),
    ("P100Y", 36500), ({"days": 90}, 90), ({"days": 1}, 1),
])
def test_validity_days(value, days):
    assert validity_days(value) == days


@pytest.mark.parametrize("value", ["P", "PT1H", "P1DT1H", "P0D", "P0Y0M", "P1.5Y", "p2y", "2Y", "P-1D", "P100Y1D",
                                   {"days": 0}, {"days": True}, {"days": 1.0}, {"days": 5, "x": 1}, {}, 5, None])
def test_validity_days_rejects(value):
    with pytest.raises(ValueError):
        validity_days(value)
    assert MAX_VALIDITY_DAYS == 36500


def test_course_slug():
    assert course_slug("emob-academy", "HV-2S") == "emob-academy/hv-2s"
    assert course_slug("acme", "Intro_1.v2") == "acme/intro_1.v2"


def test_import_creates_courses(catalogue_db, provider):
    session = catalogue_db
    doc = {"courses": [
        course_doc("HV-1", validityPeriod="P2Y", language="de", workload={"hours": 24, "ects": 1},
                   skills=[{"skill": "A", "level": 3}, {"framework": "TEST-FW", "skill": "B", "level": 2}]),
        course_doc("Intro", skills=[{"skill": "C", "level": 1}], participationForm="online"),
    ]}
    summary = import_courses(session, provider, doc, default_framework="TEST-FW")
    assert summary == {"provider": "acme", "created": ["HV-1", "Intro"], "updated": [], "unchanged": [],
                       "changed": True}
    course = session.scalar(select(Course).where(Course.code == "HV-1"))
    assert course.slug == "acme/hv-1" and course.provider is provider
    assert (course.validity_days, course.language, course.workload_hours, course.ects) == (730, "de", 24, 1)
    assert course.learning_outcomes == ["Can do A."]
    listed = list_courses(session, provider)
    assert [c["code"] for c in listed] == ["HV-1", "Intro"]
    assert listed[0]["skills"] == [
        {"framework": "TEST-FW", "code": "A", "name": "Skill A", "level": 3},
        {"framework": "TEST-FW", "code": "B", "name": "Skill B", "level": 2},
    ]
    assert listed[0]["title"] == "Course HV-1" and listed[0]["validityDays"] == 730
    assert listed[1]["slug"] == "acme/intro" and listed[1]["language"] is None
    assert listed[1]["workload"] == {"hours": 24, "ects": None}
    assert not session.new and not session.dirty and session.in_transaction()


def test_reimport_is_idempotent_and_export_round_trips(catalogue_db, provider):
    session = catalogue_db
    doc = {"courses": [course_doc("HV-1", validityPeriod="P18M"), course_doc("HV-2", language="en")]}
    import_courses(session, provider, doc)
    before = counts(session)
    summary = import_courses(session, provider, copy.deepcopy(doc))
    assert summary["unchanged"] == ["HV-1", "HV-2"] and summary["changed"] is False
    assert counts(session) == before
    exported = export_courses(session, provider)
    assert exported["courses"][0]["validityPeriod"] == {"days": 540}
    assert exported["courses"][0]["skills"] == [{"framework": "TEST-FW", "skill": "A", "level": 3}]
    assert import_courses(session, provider, exported)["changed"] is False
    assert export_courses(session, provider) == exported


def test_reimport_replaces_skill_mapping_and_clears_omitted_fields(catalogue_db, provider):
    session = catalogue_db
    import_courses(session, provider, {"courses": [
        course_doc("HV-1", language="de", validityPeriod="P2Y",
                   skills=[{"skill": "A", "level": 3}, {"skill": "B", "level": 2}])]})
    summary = import_courses(session, provider, {"courses": [
        course_doc("HV-1", title="New title", skills=[{"skill": "B", "level": 4}, {"skill": "C", "level": 1}])]})
    assert summary["updated"] == ["HV-1"]
    assert _skills(session, provider, "HV-1") == {"B": 4, "C": 1}
    assert counts(session)["CourseSkill"] == 2  # the dropped mapping was deleted, not orphaned
    course = session.scalar(select(Course).where(Course.code == "HV-1"))
    assert (course.title, course.language, course.validity_days) == ("New title", None, None)
    # a mapping that only changes level
    import_courses(session, provider, {"courses": [
        course_doc("HV-1", title="New title", skills=[{"skill": "B", "level": 5}, {"skill": "C", "level": 1}])]})
    assert _skills(session, provider, "HV-1") == {"B": 5, "C": 1}


def test_unknown_skills_listed_and_nothing_written(catalogue_db, provider):
    session = catalogue_db
    import_courses(session, provider, {"courses": [course_doc("OLD")]})
    before = counts(session)
    doc = {"courses": [
        course_doc("OLD", title="Changed title"),
        course_doc("NEW", skills=[{"skill": "A", "level": 1}, {"skill": "X", "level": 2}, {"skill": "Y", "level": 2}]),
    ]}
    with pytest.raises(ValidationFailed) as info:
        import_courses(session, provider, doc)
    errors = info.value.errors
    assert [e["path"] for e in errors] == ["/courses/1/skills/1/skill", "/courses/1/skills/2/skill"]
    assert errors[0]["message"] == "unknown skill 'X' in framework 'TEST-FW'"
    assert "unknown skills: TEST-FW/X, TEST-FW/Y" in info.value.detail
    assert counts(session) == before
    assert not session.new and not session.dirty and not session.deleted
    assert session.scalar(select(Course).where(Course.code == "OLD")).title == "Course OLD"


def test_unknown_framework(catalogue_db, provider):
    session = catalogue_db
    doc = {"courses": [course_doc("C1", skills=[{"framework": "NOPE", "skill": "A", "level": 1},
                                                {"skill": "A", "level": 1}])]}
    with pytest.raises(ValidationFailed) as info:
        import_courses(session, provider, doc, default_framework="ALSO-NOPE")
    assert info.value.errors == [
        {"path": "/courses/0/skills/0/framework", "message": "unknown framework 'NOPE'"},
        {"path": "/courses/0/skills/1", "message": "unknown framework 'ALSO-NOPE' (the default framework)"},
    ]
    assert counts(session)["Course"] == 0


def test_framework_inference(catalogue_db, provider):
    session = catalogue_db
    # one framework stored: references without a framework use it
    assert import_courses(session, provider, {"courses": [course_doc("C1")]})["created"] == ["C1"]
    session.add(Framework(code="OTHER", name="Other framework"))
    session.flush()
    with pytest.raises(ValidationFailed) as info:
        import_courses(session, provider, {"courses": [course_doc("C2")]})
    assert info.value.errors[0]["path"] == "/courses/0/skills/0"
    assert "several frameworks" in info.value.errors[0]["message"]
    doc = {"courses": [course_doc("C2", skills=[{"framework": "TEST-FW", "skill": "B", "level": 2}])]}
    assert import_courses(session, provider, doc)["created"] == ["C2"]


def test_no_framework_stored(session, provider):
    with pytest.raises(ValidationFailed) as info:
        import_courses(session, provider, {"courses": [course_doc("C1")]})
    assert "import a competence matrix first" in info.value.errors[0]["message"]


def test_duplicate_codes_and_mappings(catalogue_db, provider):
    doc = {"courses": [course_doc("HV-1"), course_doc("hv-1"),
                       course_doc("HV-2", skills=[{"skill": "A", "level": 1}, {"framework": "TEST-FW", "skill": "A",
                                                                               "level": 2}])]}
    with pytest.raises(ValidationFailed) as info:
        import_courses(catalogue_db, provider, doc)
    assert [e["path"] for e in info.value.errors] == ["/courses/1/code", "/courses/2/skills/1/skill"]
    assert "same slug as /courses/0" in info.value.errors[0]["message"]
    assert "mapped twice" in info.value.errors[1]["message"]


def test_validity_over_the_maximum_has_a_path(catalogue_db, provider):
    with pytest.raises(ValidationFailed) as info:
        import_courses(catalogue_db, provider, {"courses": [course_doc(validityPeriod="P200Y")]})
    assert info.value.errors[0]["path"] == "/courses/0/validityPeriod"


def test_schema_errors_come_first(catalogue_db, provider):
    with pytest.raises(ValidationFailed) as info:
        import_courses(catalogue_db, provider, {"courses": [course_doc(code="bad code", eqfLevel=0)]})
    assert [e["path"] for e in info.value.errors] == ["/courses/0/code", "/courses/0/eqfLevel"]


def test_course_paths_never_collide_across_providers(catalogue_db):
    """Issue #9 §5: provider "a" + course "b-c" and provider "a-b" + course "c" are different paths."""
    session = catalogue_db
    a, ab = Provider(slug="a", name="A"), Provider(slug="a-b", name="A-B")
    session.add_all([a, ab])
    session.flush()
    import_courses(session, a, {"courses": [course_doc("b-c")]})
    summary = import_courses(session, ab, {"courses": [course_doc("c"), course_doc("d")]})
    assert summary["created"] == ["c", "d"]
    assert [c["slug"] for c in list_courses(session, a)] == ["a/b-c"]
    assert [c["slug"] for c in list_courses(session, ab)] == ["a-b/c", "a-b/d"]
    before = counts(session)
    # the same provider, a code differing only in case, is still refused
    with pytest.raises(Conflict) as info:
        import_courses(session, a, {"courses": [course_doc("B-C")]})
    assert info.value.http_status == 409
    assert "this provider's course 'b-c'" in info.value.errors[0]["message"]
    assert counts(session) == before
    # a conflict plus another problem is a validation failure listing both
    with pytest.raises(ValidationFailed) as info:
        bad = course_doc("e", skills=[{"skill": "Z", "level": 1}])
        import_courses(session, a, {"courses": [course_doc("B-C"), bad]})
    assert [e["path"] for e in info.value.errors] == ["/courses/0/code", "/courses/1/skills/0/skill"]


def test_list_courses_is_per_provider(catalogue_db, provider):
    session = catalogue_db
    other = Provider(slug="other", name="Other")
    session.add(other)
    session.flush()
    import_courses(session, provider, {"courses": [course_doc("X1")]})
    import_courses(session, other, {"courses": [course_doc("X1"), course_doc("X2")]})
    assert [c["slug"] for c in list_courses(session, provider)] == ["acme/x1"]
    assert [c["slug"] for c in list_courses(session, other)] == ["other/x1", "other/x2"]
    assert counts(session)["CourseSkill"] == 3 == len(session.scalars(select(CourseSkill)).all())


def test_pending_provider(catalogue_db):
    provider = Provider(slug="fresh", name="Fresh")
    catalogue_db.add(provider)
    summary = import_courses(catalogue_db, provider, {"courses": [course_doc("N1")]})
    assert summary["created"] == ["N1"] and provider.id is not None


@pytest.mark.parametrize("tag, canonical", [("de", "de"), ("AA", "aa"), ("pt-br", "pt-BR"), ("SR-latn-rs", "sr-Latn-RS"),
                                            ("es-419", "es-419"), (None, None)])
def test_course_languages_are_stored_in_canonical_case(tag, canonical):
    from issuer.skills.catalogue import canonical_language
    assert canonical_language(tag) == canonical


def test_language_tags_that_obs_inlanguage_rejects_are_refused_at_import(catalogue_db, provider):
    with pytest.raises(ValidationFailed):
        import_courses(catalogue_db, provider, {"courses": [course_doc("HV-1", language="en-x-private")]})
