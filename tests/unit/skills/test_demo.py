from __future__ import annotations

import pytest
from sqlalchemy import select

from issuer.demo import DEMO_FRAMEWORK, demo_matrix, demo_providers, load_demo
from issuer.skills import CATALOGUE_SCHEMA, MATRIX_SCHEMA, validate_document
from issuer.skills.catalogue import list_courses
from issuer.skills.coverage import held_from_courses, role_coverage, roles_for_skills
from issuer.skills.matrix import export_matrix, matrix_to_csv, parse_matrix_csv
from issuer.store.models import Course, Provider

from .conftest import counts

REQUIRED_ROLES = {
    "High-Voltage Battery Technician", "ADAS Calibration Technician", "Automotive Software Engineer",
    "EV Charging Infrastructure Technician", "Battery Cell Production Operator", "Functional Safety Engineer",
}


def test_demo_matrix_is_valid_and_realistic():
    matrix = demo_matrix()
    validate_document(MATRIX_SCHEMA, matrix)
    fw = matrix["framework"]
    assert (fw["code"], fw["name"]) == (DEMO_FRAMEWORK, "DRIVES Automotive Competence Matrix")
    assert "not the official" in fw["description"].lower()
    assert 28 <= len(matrix["skills"]) <= 40
    assert all(len(s.get("description", "")) > 60 for s in matrix["skills"])
    # no invented ESCO skill URIs: the ELM export turns them into relatedESCOSkill claims
    assert not any("escoUri" in s for s in matrix["skills"])
    assert REQUIRED_ROLES <= {r["name"] for r in matrix["jobRoles"]}
    skill_codes = {s["code"] for s in matrix["skills"]}
    used = set()
    for role in matrix["jobRoles"]:
        assert 5 <= len(role["skills"]) <= 8, role["code"]
        assert {ref["skill"] for ref in role["skills"]} <= skill_codes
        used |= {ref["skill"] for ref in role["skills"]}
    assert used == skill_codes  # every skill is needed by some role


def test_demo_providers_and_catalogues_are_valid():
    matrix = demo_matrix()
    skill_codes = {s["code"] for s in matrix["skills"]}
    providers = demo_providers()
    assert len(providers) >= 3
    assert "emob-academy" in {p["slug"] for p in providers}
    validities = 0
    for provider in providers:
        assert set(provider) == {"slug", "name", "url", "suspensionEnabled", "issuers", "catalogue"}
        assert provider["issuers"] and all(
            set(i) == {"slug", "name", "url", "email", "description", "countryCode", "legalIdentifier",
                       "legalIdentifierScheme"} for i in provider["issuers"])
        assert all(len(i["countryCode"]) == 2 and i["countryCode"].isupper() for i in provider["issuers"])
        catalogue = provider["catalogue"]
        validate_document(CATALOGUE_SCHEMA, catalogue)
        assert 2 <= len(catalogue["courses"]) <= 5
        for course in catalogue["courses"]:
            assert len(course["skills"]) >= 1, course["code"]
            assert {m["skill"] for m in course["skills"]} <= skill_codes
            assert 4 <= course["eqfLevel"] <= 7
            validities += "validityPeriod" in course
    assert validities >= 2
    assert any("ects" in c["workload"] for p in providers for c in p["catalogue"]["courses"])


def test_demo_matrix_survives_the_csv_format():
    matrix = demo_matrix()
    matrix.pop("$schema")
    parsed = parse_matrix_csv(matrix_to_csv(matrix))
    # CSV carries no framework description or URL; skills come in order of first use.
    assert parsed["framework"] == {k: v for k, v in matrix["framework"].items() if k not in ("description", "url")}
    assert sorted(parsed["skills"], key=lambda s: s["code"]) == sorted(matrix["skills"], key=lambda s: s["code"])
    assert parsed["jobRoles"] == matrix["jobRoles"]


class Callback:
    def __init__(self, returns=True):
        self.calls = []
        self.returns = returns

    def __call__(self, session, slug, name, url, suspension_enabled, *, issuers):
        self.calls.append((slug, name, url, suspension_enabled, issuers))
        provider = Provider(slug=slug, name=name, url=url, suspension_enabled=suspension_enabled)
        session.add(provider)
        return provider if self.returns else None


@pytest.mark.parametrize("returns", [True, False])
def test_load_demo_is_idempotent(session, returns):
    callback = Callback(returns)
    first = load_demo(session, create_provider=callback)
    assert first["changed"] is True
    assert [c[0] for c in callback.calls] == [p["slug"] for p in demo_providers()]
    emob = next(c for c in callback.calls if c[0] == "emob-academy")
    assert emob[3] is True and emob[4][0]["slug"] == "emob-academy"
    after_first = counts(session)
    assert after_first["Provider"] == len(demo_providers())
    assert after_first["Course"] == sum(len(p["catalogue"]["courses"]) for p in demo_providers())

    second = load_demo(session, create_provider=callback)
    assert second["changed"] is False
    assert len(callback.calls) == len(demo_providers())  # not called again
    assert counts(session) == after_first
    assert not session.dirty and not session.new
    expected = demo_matrix()
    expected.pop("$schema")
    assert export_matrix(session, DEMO_FRAMEWORK) == expected


def test_load_demo_callback_must_create_the_provider(session):
    with pytest.raises(RuntimeError):
        load_demo(session, create_provider=lambda *args, **kwargs: None)


def test_demo_courses_in_the_database(session):
    load_demo(session, create_provider=Callback())
    emob = session.scalar(select(Provider).where(Provider.slug == "emob-academy"))
    courses = {c["code"]: c for c in list_courses(session, emob)}
    assert courses["HV-REFRESH"]["validityDays"] == 730 and courses["HV-REFRESH"]["slug"] == "emob-academy/hv-refresh"
    assert all(c["skills"] for c in courses.values())
    # A holder of all Academy credentials covers most of the HV battery technician role.
    course_ids = session.scalars(select(Course.id).where(Course.provider_id == emob.id)).all()
    held = held_from_courses(session, course_ids)
    coverage = role_coverage(roles_for_skills(session, held), held)
    assert coverage[0]["code"] == "HV-BATT-TECH" and coverage[0]["percentage"] >= 50
