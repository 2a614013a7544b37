"""Searching the public course catalogue, with result counts per filter value (facets).

Input: the course dicts of :func:`issuer.store.catalogue_index.catalogue_index`. Filters (all
optional, combined with AND; each takes one value):

=================  ==========================================================================
``q``              words that must all occur (case-insensitively) in the title, description,
                   a translation, the provider's name or a skill's name or code
``role``           ``<framework>/<role code>``: courses teaching a skill the job role requires
``skill``          ``<framework>/<skill code>``: courses teaching the skill, at ``level`` or above
``level``          1-5, with ``skill`` only
``eqf``            EQF level 1-8
``language``       the course's language (primary subtag: ``de`` also matches ``de-AT``)
``participation``  ``online``, ``onsite`` or ``blended``
``country``        ISO 3166-1 alpha-2 code of one of the provider's issuer profiles
``provider``       the provider's slug
=================  ==========================================================================

Facets follow the usual "disjunctive" rule: the count of a value is the number of courses that
would match if that dimension's filter were set to that value, the other filters unchanged.
Courses of providers that have not issued any credential are kept and flagged (``hasIssued``).
"""
from __future__ import annotations

import re
from typing import Any, Callable, Iterable

__all__ = ["FILTERS", "PARTICIPATION", "parse_query", "search", "best_text"]

PARTICIPATION = ("online", "onsite", "blended")
FILTERS = ("q", "role", "skill", "level", "eqf", "language", "participation", "country", "provider")
FACETS = ("role", "skill", "eqf", "language", "participation", "country", "provider")
_REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}/[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_LANG = re.compile(r"^[A-Za-z]{2,4}(-[A-Za-z0-9]{1,8}){0,3}$")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
MAX_QUERY = 200
MAX_WORDS = 10


def _int(name: str, value: str, low: int, high: int) -> int:
    if not value.isdigit() or not low <= int(value) <= high:
        raise ValueError(f"{name} must be a whole number from {low} to {high}")
    return int(value)


def parse_query(args: dict[str, str]) -> dict[str, Any]:
    """The filters of ``args`` (query parameters; unknown names are ignored, empty values unset),
    validated: ``{"q": [words], "role": (framework, code), "skill": (framework, code), "level": int,
    "eqf": int, "language": str, "participation": str, "country": str, "provider": str}``.

    Raises ``ValueError`` naming the parameter for a malformed value."""
    query: dict[str, Any] = {}
    values = {k: str(args.get(k) or "").strip() for k in FILTERS}
    if len(values["q"]) > MAX_QUERY:
        raise ValueError(f"q is longer than {MAX_QUERY} characters")
    words = values["q"].casefold().split()
    if len(words) > MAX_WORDS:
        raise ValueError(f"q has more than {MAX_WORDS} words")
    if words:
        query["q"] = words
    for name in ("role", "skill"):
        if values[name]:
            if not _REF.match(values[name]):
                raise ValueError(f"{name} must be <framework code>/<{name} code>")
            query[name] = tuple(values[name].split("/"))
    if values["level"]:
        if "skill" not in query:
            raise ValueError("level needs skill")
        query["level"] = _int("level", values["level"], 1, 5)
    if values["eqf"]:
        query["eqf"] = _int("eqf", values["eqf"], 1, 8)
    if values["language"]:
        if not _LANG.match(values["language"]):
            raise ValueError("language must be a BCP 47 language tag such as de or pt-BR")
        query["language"] = values["language"].lower()
    if values["participation"]:
        if values["participation"] not in PARTICIPATION:
            raise ValueError("participation must be online, onsite or blended")
        query["participation"] = values["participation"]
    if values["country"]:
        if not re.fullmatch(r"[A-Za-z]{2}", values["country"]):
            raise ValueError("country must be an ISO 3166-1 alpha-2 code such as DE")
        query["country"] = values["country"].upper()
    if values["provider"]:
        if not _SLUG.match(values["provider"]):
            raise ValueError("provider must be a provider's slug")
        query["provider"] = values["provider"]
    return query


def _primary(tag: str | None) -> str | None:
    return tag.split("-")[0].lower() if tag else None


def _haystack(course: dict) -> str:
    parts = [course["title"], course["description"], course["provider"]["name"], course["code"]]
    for texts in (course.get("translations") or {}).values():
        parts += [texts.get("title") or "", texts.get("description") or ""]
    for skill in course["skills"]:
        parts += [skill["name"], skill["code"]]
    return "\n".join(parts).casefold()


def _tests(query: dict, index: dict) -> dict[str, Callable[[dict], bool]]:
    """One predicate per set filter."""
    tests: dict[str, Callable[[dict], bool]] = {}
    roles = index["roles"]
    if "q" in query:
        texts = {c["key"]: _haystack(c) for c in index["courses"]}
        tests["q"] = lambda c: all(word in texts[c["key"]] for word in query["q"])
    if "role" in query:
        wanted = {s for r in roles.values() if (r["framework"], r["code"]) == query["role"] for s, _l in r["skills"]}
        tests["role"] = lambda c: any(s["key"] in wanted for s in c["skills"])
    if "skill" in query:
        level = query.get("level", 1)
        tests["skill"] = lambda c: any((s["framework"], s["code"]) == query["skill"] and s["level"] >= level
                                       for s in c["skills"])
    if "eqf" in query:
        tests["eqf"] = lambda c: c["eqf"] == query["eqf"]
    if "language" in query:
        tests["language"] = lambda c: bool(c["language"]) and (
            c["language"].lower() == query["language"] or _primary(c["language"]) == query["language"])
    if "participation" in query:
        tests["participation"] = lambda c: c["participation"] == query["participation"]
    if "country" in query:
        tests["country"] = lambda c: query["country"] in c["provider"]["countries"]
    if "provider" in query:
        tests["provider"] = lambda c: c["provider"]["slug"] == query["provider"]
    return tests


def _values(course: dict, dimension: str, roles: dict) -> Iterable[tuple[Any, str]]:
    """``(value, label)`` of ``course`` on a facet dimension."""
    if dimension == "role":
        for key in course["roles"]:
            role = roles[key]
            yield f"{role['framework']}/{role['code']}", role["name"]
    elif dimension == "skill":
        for s in course["skills"]:
            yield f"{s['framework']}/{s['code']}", s["name"]
    elif dimension == "eqf" and course["eqf"] is not None:
        yield course["eqf"], str(course["eqf"])
    elif dimension == "language" and course["language"]:
        yield _primary(course["language"]), _primary(course["language"])
    elif dimension == "participation" and course["participation"] in PARTICIPATION:
        yield course["participation"], course["participation"]
    elif dimension == "country":
        for code in course["provider"]["countries"]:
            yield code, code
    elif dimension == "provider":
        yield course["provider"]["slug"], course["provider"]["name"]


def _facets(courses: list[dict], tests: dict, roles: dict, query: dict) -> dict[str, list[dict]]:
    facets = {}
    for dimension in FACETS:
        others = [test for name, test in tests.items() if name != dimension and not (dimension == "skill" and
                                                                                    name == "level")]
        counts: dict[Any, list] = {}
        for course in courses:
            if all(test(course) for test in others):
                for value, label in dict(_values(course, dimension, roles)).items():
                    counts.setdefault(value, [label, 0])[1] += 1
        chosen = query.get(dimension)
        chosen = "/".join(chosen) if isinstance(chosen, tuple) else chosen
        facets[dimension] = sorted(
            ({"value": value, "label": label, "count": count, "selected": value == chosen}
             for value, (label, count) in counts.items()),
            key=lambda f: (-f["count"], str(f["label"]).casefold(), str(f["value"])))
    return facets


def search(index: dict, query: dict) -> dict:
    """The courses of ``index`` (:func:`~issuer.store.catalogue_index.catalogue_index`) matching
    ``query`` (:func:`parse_query`): ``{"total": n, "courses": [course], "facets": {dimension:
    [{"value", "label", "count", "selected"}]}}``; courses in the index's order (title), facet
    values by count (descending) then label. Dimensions: role, skill, eqf, language,
    participation, country, provider."""
    courses = index["courses"]
    tests = _tests(query, index)
    found = [c for c in courses if all(test(c) for test in tests.values())]
    return {"total": len(found), "courses": found, "facets": _facets(courses, tests, index["roles"], query)}


def best_text(course: dict, field: str, lang: str | None) -> str:
    """``course[field]`` ("title" or "description") in the language closest to ``lang``: a
    translation with exactly that tag, then one of the same primary language, then the course's own
    text (issue #14 §3)."""
    translations = course.get("translations") or {}
    if lang:
        for same in (lambda tag: tag.lower() == lang.lower(), lambda tag: _primary(tag) == _primary(lang)):
            for tag, texts in translations.items():
                if same(tag) and texts.get(field):
                    return texts[field]
    return course[field]
