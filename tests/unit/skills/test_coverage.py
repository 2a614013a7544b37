from __future__ import annotations

import pytest
from sqlalchemy import select

from issuer.skills.catalogue import import_courses
from issuer.skills.coverage import best_levels, held_from_courses, percentage, role_coverage, roles_for_skills
from issuer.skills.matrix import import_matrix
from issuer.store.models import Course, Skill

from .conftest import course_doc


def _role(code, name, *skills, **extra):
    return {"code": code, "name": name, **extra,
            "skills": [{"key": k, "name": f"Skill {k}", "level": lvl} for k, lvl in skills]}


@pytest.mark.parametrize("covered, required, expected", [
    (1, 3, 33.3), (2, 3, 66.7), (1, 8, 12.5), (1, 16, 6.3), (3, 16, 18.8), (1, 7, 14.3), (0, 5, 0.0),
    (5, 5, 100.0), (0, 0, 0.0),
])
def test_percentage_rounds_half_up(covered, required, expected):
    assert percentage(covered, required) == expected


def test_role_coverage_classifies_and_sorts():
    roles = [
        _role("R1", "Alpha", ("a", 3), ("b", 2), ("c", 4), framework="F", id=1),
        _role("R2", "Beta", ("a", 2), ("d", 1)),
        _role("R3", "Gamma", ("x", 1)),
    ]
    held = {"a": 3, "b": 1, "d": 5, "c": 0}
    result = role_coverage(roles, held)
    assert [r["code"] for r in result] == ["R2", "R1"]  # R3 (nothing held) left out
    beta, alpha = result
    assert beta["percentage"] == 100.0 and beta["counts"] == {"required": 2, "covered": 2, "partial": 0, "missing": 0}
    assert alpha == {
        "code": "R1", "name": "Alpha", "framework": "F", "id": 1,
        "covered": [{"key": "a", "name": "Skill a", "required": 3, "held": 3}],
        "partial": [{"key": "b", "name": "Skill b", "required": 2, "held": 1}],
        "missing": [{"key": "c", "name": "Skill c", "required": 4}],
        "counts": {"required": 3, "covered": 1, "partial": 1, "missing": 1},
        "percentage": 33.3,
    }
    assert "skills" in roles[0]  # the input is not modified


def test_role_coverage_include_all_and_ties():
    roles = [
        _role("R1", "Zulu", ("a", 2), ("b", 2)),
        _role("R2", "Alpha", ("a", 2), ("c", 2)),
        _role("R3", "Mike", ("a", 5), ("b", 2)),
        _role("R4", "Empty"),
        _role("R5", "Nothing", ("z", 1)),
    ]
    held = {"a": 2, "b": 1}
    result = role_coverage(roles, held)
    # 50 % each: more partial skills first, then by name
    assert [r["code"] for r in result] == ["R1", "R2", "R3"]
    assert [r["percentage"] for r in result] == [50.0, 50.0, 0.0]
    everything = role_coverage(roles, held, include_all=True)
    assert [r["code"] for r in everything] == ["R1", "R2", "R3", "R4", "R5"]
    assert everything[3]["percentage"] == 0.0 and everything[3]["counts"]["required"] == 0
    assert role_coverage(roles, {}) == []


def test_duplicate_required_skill_counts_once_at_the_higher_level():
    role = _role("R", "Role", ("a", 2), ("a", 4))
    [result] = role_coverage([role], {"a": 3})
    assert result["counts"]["required"] == 1 and result["partial"][0]["required"] == 4


def test_best_levels():
    assert best_levels([("a", 2), ("b", 1), ("a", 4), ("a", 3), ("c", 0), ("d", None)]) == {"a": 4, "b": 1}


def test_roles_for_skills_and_held_from_courses(session, matrix, provider):
    import_matrix(session, matrix)
    import_courses(session, provider, {"courses": [
        course_doc("C1", skills=[{"skill": "A", "level": 3}, {"skill": "B", "level": 1}]),
        course_doc("C2", skills=[{"skill": "B", "level": 3}]),
    ]})
    ids = {s.code: s.id for s in session.scalars(select(Skill))}
    c1 = session.scalar(select(Course).where(Course.code == "C1"))
    held = held_from_courses(session, [c1.id])
    assert held == {ids["A"]: 3, ids["B"]: 1}
    roles = roles_for_skills(session, [ids["A"]])
    assert [r["code"] for r in roles] == ["R1"]
    assert roles[0]["framework"] == "TEST-FW" and roles[0]["description"] == "First role."
    assert roles[0]["skills"] == [
        {"key": ids["A"], "framework": "TEST-FW", "code": "A", "name": "Skill A", "level": 3},
        {"key": ids["B"], "framework": "TEST-FW", "code": "B", "name": "Skill B", "level": 2},
    ]
    assert [r["code"] for r in roles_for_skills(session, held)] == ["R1", "R2"]
    assert [r["code"] for r in roles_for_skills(session, None)] == ["R1", "R2"]
    assert roles_for_skills(session, None, framework="NOPE") == []
    assert roles_for_skills(session, []) == []

    [r1, r2] = role_coverage(roles_for_skills(session, held), held)
    assert (r1["code"], r1["percentage"], len(r1["partial"])) == ("R1", 50.0, 1)
    assert (r2["code"], r2["percentage"], len(r2["partial"])) == ("R2", 0.0, 1)
    all_courses = held_from_courses(session, [c.id for c in session.scalars(select(Course))])
    assert all_courses == {ids["A"]: 3, ids["B"]: 3}
    [r1] = [r for r in role_coverage(roles_for_skills(session, all_courses), all_courses) if r["code"] == "R1"]
    assert r1["percentage"] == 100.0
