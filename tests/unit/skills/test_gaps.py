"""Courses closing skill gaps and the smallest set of courses completing a job role (issue #14 §2)."""
from __future__ import annotations

import itertools
import random

from issuer.skills.gaps import EXACT_BUDGET, closing_courses, completion_plan, courses_by_skill


def course(slug: str, skills: dict, hours: float | None = 10) -> dict:
    return {"slug": slug, "title": slug, "workloadHours": hours,
            "skills": [{"key": k, "level": level} for k, level in skills.items()]}


def test_closing_courses_teach_the_required_level_or_above_closest_first():
    courses = [course("low", {"a": 2}), course("exact", {"a": 3}), course("high", {"a": 5})]
    found = closing_courses(courses_by_skill(courses), "a", 3)
    assert [(c["slug"], level) for c, level in found] == [("exact", 3), ("high", 5)]
    assert closing_courses(courses_by_skill(courses), "b", 1) == []


def test_exact_plan_is_the_smallest_set():
    # the greedy choice (the course closing most gaps: "wide") needs 3 courses; the best cover needs 2
    courses = [course("wide", {1: 3, 2: 3, 3: 3, 4: 3}), course("left", {1: 3, 2: 3, 5: 3}),
               course("right", {3: 3, 4: 3, 6: 3}), course("odd", {5: 3}), course("even", {6: 3})]
    plan = completion_plan({k: 3 for k in range(1, 7)}, courses)
    assert plan["method"] == "exact" and plan["optimal"]
    assert [p["course"]["slug"] for p in plan["courses"]] == ["left", "right"]
    assert sorted(k for p in plan["courses"] for k in p["closes"]) == [1, 2, 3, 4, 5, 6]


def test_ties_go_to_the_smaller_workload():
    courses = [course("long", {1: 3, 2: 3}, hours=80), course("short", {1: 3, 2: 3}, hours=8)]
    plan = completion_plan({1: 3, 2: 3}, courses)
    assert [p["course"]["slug"] for p in plan["courses"]] == ["short"]


def test_below_level_courses_do_not_close_a_gap_and_uncoverable_gaps_are_listed():
    plan = completion_plan({"a": 4, "b": 2}, [course("weak", {"a": 3, "b": 2})])
    assert [p["course"]["slug"] for p in plan["courses"]] == ["weak"] and plan["courses"][0]["closes"] == ["b"]
    assert plan["uncoverable"] == ["a"]


def test_nothing_to_close():
    assert completion_plan({}, [course("x", {1: 1})]) == {
        "courses": [], "uncoverable": [], "method": "none", "optimal": True, "lowerBound": 0, "ratioBound": None}


def _brute_force(gaps: dict, courses: list) -> int:
    closes = [{s["key"] for s in c["skills"] if s["key"] in gaps and s["level"] >= gaps[s["key"]]} for c in courses]
    universe = set().union(*closes) if closes else set()
    for size in range(len(courses) + 1):
        if any(set().union(*combo) >= universe for combo in itertools.combinations(closes, size)):
            return size
    raise AssertionError


def test_exact_matches_brute_force_on_random_catalogues():
    rng = random.Random(14)
    for _ in range(60):
        gaps = {k: rng.randint(1, 5) for k in range(rng.randint(1, 8))}
        courses = [course(f"c{i}", {k: rng.randint(1, 5) for k in rng.sample(range(10), rng.randint(1, 4))})
                   for i in range(rng.randint(1, 9))]
        plan = completion_plan(gaps, courses)
        assert plan["method"] in ("exact", "none")
        assert len(plan["courses"]) == _brute_force(gaps, courses)


def test_large_inputs_use_the_greedy_cover_with_its_bound():
    rng = random.Random(7)
    gaps = {k: 1 for k in range(30)}  # 2**30 subsets: far over the exact budget
    courses = [course(f"c{i:03}", {k: 1 for k in rng.sample(range(30), 4)}) for i in range(200)]
    plan = completion_plan(gaps, courses)
    assert (1 << 30) > EXACT_BUDGET and plan["method"] == "greedy"
    closed = {k for p in plan["courses"] for k in p["closes"]}
    assert closed == set(range(30)) - set(plan["uncoverable"])
    assert plan["lowerBound"] == 8 and plan["ratioBound"] == round(1 + 1 / 2 + 1 / 3 + 1 / 4, 3)
    assert len(plan["courses"]) >= plan["lowerBound"] and plan["optimal"] == (len(plan["courses"]) == 8)
