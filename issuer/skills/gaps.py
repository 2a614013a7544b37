"""Closing skill gaps with catalogue courses (issue #14 §2): the courses that teach a missing or
below-level skill at the required level, and the smallest set of courses that completes a job role.

A course *closes* the gap of a skill when its skill mapping teaches that skill at the level the
role requires or above (a level-2 course does not close a level-3 requirement).

**Smallest set of courses** (:func:`completion_plan`) is the set cover problem: the universe is
the role's gap skills that some course closes, each course covers the gaps it closes, and the
plan is a smallest family of courses covering the universe. Gaps that no course closes are
listed as ``uncoverable`` and left out of the universe.

* Courses covering the same gaps are merged (the one with the least workload, then by title,
  stays) and a course whose gaps are a strict subset of another's is dropped (when there are at
  most :data:`MAX_DOMINANCE` distinct candidates): neither change can make the smallest cover
  larger, though among covers of one size the least-workload one is then sought among the kept.
* **Exact** when ``2**gaps * candidates`` is at most :data:`EXACT_BUDGET` (about 200,000 steps,
  a few tens of milliseconds): dynamic programming over the subsets of the gaps, minimising the
  number of courses, then the total workload in hours (a course without stated hours counts 0).
* **Greedy** otherwise: repeatedly take the course closing most open gaps (ties: less workload,
  then title). Its size is at most H(d) = 1 + 1/2 + ... + 1/d times the smallest (Chvátal 1979),
  d being the most gaps one course closes; the result reports that ``ratioBound`` and a
  ``lowerBound`` of ceil(gaps / d) courses. When the greedy size equals the lower bound it is
  optimal, and ``optimal`` says so.

Nothing here touches the database: the courses are those of
:func:`issuer.store.catalogue_index.catalogue_index`.
"""
from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping

__all__ = ["EXACT_BUDGET", "courses_by_skill", "closing_courses", "completion_plan"]

EXACT_BUDGET = 200_000
MAX_DOMINANCE = 500


def courses_by_skill(courses: Iterable[dict]) -> dict[Hashable, list[tuple[dict, int]]]:
    """``{skill key: [(course, level taught)]}`` over the courses' skill mappings, in course order."""
    found: dict[Hashable, list[tuple[dict, int]]] = {}
    for course in courses:
        for skill in course["skills"]:
            found.setdefault(skill["key"], []).append((course, skill["level"]))
    return found


def closing_courses(by_skill: Mapping[Hashable, list[tuple[dict, int]]], skill: Hashable,
                    required: int) -> list[tuple[dict, int]]:
    """The ``(course, level taught)`` pairs that teach ``skill`` at ``required`` or above, the
    closest level first (then in catalogue order)."""
    found = [(course, level) for course, level in by_skill.get(skill, []) if level >= required]
    return sorted(found, key=lambda pair: pair[1] - required)


def _hours(course: dict) -> float:
    hours = course.get("workloadHours")
    return float(hours) if isinstance(hours, (int, float)) else 0.0


def _candidates(gaps: Mapping[Hashable, int], courses: Iterable[dict]) -> tuple[list[Hashable], list[tuple[int, dict]]]:
    """The coverable gaps (bit order) and the non-dominated ``(bitmask, course)`` candidates."""
    order = list(gaps)
    bit = {skill: 1 << i for i, skill in enumerate(order)}
    best_per_mask: dict[int, dict] = {}
    for course in courses:
        mask = 0
        for skill in course["skills"]:
            if skill["key"] in gaps and skill["level"] >= gaps[skill["key"]]:
                mask |= bit[skill["key"]]
        if mask:
            kept = best_per_mask.get(mask)
            if kept is None or (_hours(course), course["title"], course["slug"]) < \
                    (_hours(kept), kept["title"], kept["slug"]):
                best_per_mask[mask] = course
    masks = sorted(best_per_mask, key=lambda m: (-bin(m).count("1"), m))
    if len(masks) > MAX_DOMINANCE:  # quadratic: big inputs go to the greedy cover, which needs no pruning
        return order, [(m, best_per_mask[m]) for m in masks]
    kept_masks = [m for m in masks if not any(o != m and o & m == m for o in masks)]
    return order, [(m, best_per_mask[m]) for m in kept_masks]


def _exact(full: int, candidates: list[tuple[int, dict]]) -> list[int]:
    """Indexes of a smallest cover of ``full`` (then least workload): DP over the subsets."""
    best: list[tuple[int, float, tuple[int, ...]] | None] = [None] * (full + 1)
    best[0] = (0, 0.0, ())
    for mask in range(full + 1):
        current = best[mask]
        if current is None:
            continue
        for i, (cover, course) in enumerate(candidates):
            target = mask | cover
            if target == mask:
                continue
            option = (current[0] + 1, current[1] + _hours(course), current[2] + (i,))
            if best[target] is None or option[:2] < best[target][:2]:
                best[target] = option
    return list(best[full][2])


def _greedy(full: int, candidates: list[tuple[int, dict]]) -> list[int]:
    chosen: list[int] = []
    covered = 0
    while covered != full:
        i = min(range(len(candidates)), key=lambda j: (-bin(candidates[j][0] & ~covered).count("1"),
                                                        _hours(candidates[j][1]), candidates[j][1]["title"]))
        chosen.append(i)
        covered |= candidates[i][0]
    return chosen


def completion_plan(gaps: Mapping[Hashable, int], courses: Iterable[dict]) -> dict:
    """The smallest set of ``courses`` closing the ``gaps`` (``{skill key: required level}``).

    Returns ``{"courses": [{"course": course, "closes": [skill keys]}], "uncoverable": [skill
    keys], "method": "exact" | "greedy" | "none", "optimal": bool, "lowerBound": int,
    "ratioBound": float | None}`` (see the module docstring; ``"none"`` when nothing is to close)."""
    courses = list(courses)
    coverable = {sk["key"] for c in courses for sk in c["skills"]
                 if sk["key"] in gaps and sk["level"] >= gaps[sk["key"]]}
    uncoverable = [s for s in gaps if s not in coverable]
    order, candidates = _candidates({s: gaps[s] for s in gaps if s in coverable}, courses)
    if not order:
        return {"courses": [], "uncoverable": uncoverable, "method": "none", "optimal": True, "lowerBound": 0,
                "ratioBound": None}
    full = (1 << len(order)) - 1
    widest = max(bin(mask).count("1") for mask, _course in candidates)
    lower = math.ceil(len(order) / widest)
    if (1 << len(order)) * len(candidates) <= EXACT_BUDGET:
        chosen, method, ratio = _exact(full, candidates), "exact", None
    else:
        chosen, method = _greedy(full, candidates), "greedy"
        ratio = round(sum(1 / k for k in range(1, widest + 1)), 3)
    plan = [{"course": candidates[i][1], "closes": [s for b, s in enumerate(order) if candidates[i][0] >> b & 1]}
            for i in chosen]
    plan.sort(key=lambda p: (p["course"]["title"], p["course"]["slug"]))
    return {"courses": plan, "uncoverable": uncoverable, "method": method,
            "optimal": method == "exact" or len(plan) == lower, "lowerBound": lower, "ratioBound": ratio}
