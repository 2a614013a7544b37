"""Catalogue search filters and facets, and the best-language course text (issue #14 §2-§3)."""
from __future__ import annotations

import pytest

from issuer.skills.search import best_text, parse_query, search

ROLES = {1: {"key": 1, "framework": "FW", "code": "TECH", "name": "Technician", "skills": [(10, 3), (11, 2)]},
         2: {"key": 2, "framework": "FW", "code": "ENG", "name": "Engineer", "skills": [(12, 4)]}}


def entry(code, *, skills, provider="acad", countries=("DE",), language="de", participation="onsite", eqf=4,
          issued=True, translations=None):
    return {"key": code, "slug": f"{provider}/{code}".lower(), "code": code, "title": f"Course {code}",
            "description": f"About {code}", "translations": translations or {}, "language": language,
            "participation": participation, "eqf": eqf, "workloadHours": 10, "ects": None,
            "provider": {"slug": provider, "name": provider.title(), "countries": list(countries),
                         "issuer": provider, "hasIssued": issued},
            "skills": [{"key": k, "framework": "FW", "code": f"S{k}", "name": f"Skill {k}", "level": lv}
                       for k, lv in skills.items()],
            "roles": sorted({r for r, role in ROLES.items() for s, _ in role["skills"] if s in skills})}


INDEX = {"roles": ROLES, "courses": [
    entry("A", skills={10: 3}),
    entry("B", skills={11: 1, 12: 4}, participation="online", language="en", eqf=6, provider="uni",
          countries=("SE",), issued=False, translations={"de": {"title": "Kurs B"}}),
    entry("C", skills={12: 5}, participation="blended", language="de-AT", provider="uni", countries=("SE",)),
]}


def codes(query: dict) -> list[str]:
    return [c["code"] for c in search(INDEX, parse_query(query))["courses"]]


def test_each_filter():
    assert codes({}) == ["A", "B", "C"]
    assert codes({"role": "FW/TECH"}) == ["A", "B"]
    assert codes({"skill": "FW/S12"}) == ["B", "C"] and codes({"skill": "FW/S12", "level": "5"}) == ["C"]
    assert codes({"eqf": "6"}) == ["B"]
    assert codes({"language": "de"}) == ["A", "C"]  # de-AT is German
    assert codes({"participation": "online"}) == ["B"]
    assert codes({"country": "se"}) == ["B", "C"]
    assert codes({"provider": "uni", "participation": "blended"}) == ["C"]
    assert codes({"q": "kurs b"}) == ["B"] and codes({"q": "skill 12 about"}) == ["B", "C"]


def test_facets_count_each_value_with_the_other_filters():
    result = search(INDEX, parse_query({"provider": "uni"}))
    facets = {dim: {f["value"]: f["count"] for f in values} for dim, values in result["facets"].items()}
    assert facets["provider"] == {"acad": 1, "uni": 2}  # its own filter is left out
    assert facets["participation"] == {"online": 1, "blended": 1}
    assert facets["role"] == {"FW/TECH": 1, "FW/ENG": 2}
    assert facets["country"] == {"SE": 2} and facets["language"] == {"en": 1, "de": 1}
    assert [f["selected"] for f in result["facets"]["provider"] if f["value"] == "uni"] == [True]


def test_courses_of_providers_without_credentials_are_kept():
    assert [c["provider"]["hasIssued"] for c in search(INDEX, {})["courses"]] == [True, False, True]


@pytest.mark.parametrize("query, message", [
    ({"role": "no-slash"}, "role"), ({"level": "3"}, "level needs skill"), ({"eqf": "9"}, "eqf"),
    ({"participation": "remote"}, "participation"), ({"country": "DEU"}, "country"),
    ({"language": "not a tag"}, "language"), ({"provider": "Bad Slug"}, "provider"), ({"q": "x" * 201}, "q"),
    ({"q": " ".join("w" * 11)}, "q")])
def test_malformed_filters_are_refused(query, message):
    with pytest.raises(ValueError, match=message):
        parse_query(query)


def test_best_text_prefers_the_page_language():
    course = {"title": "Hochvolt", "description": "D", "language": "de",
              "translations": {"fr": {"title": "Haute tension"}, "en-GB": {"title": "High voltage"}}}
    assert best_text(course, "title", "fr") == "Haute tension"
    assert best_text(course, "title", "en") == "High voltage"  # same primary language
    assert best_text(course, "title", "de") == "Hochvolt" and best_text(course, "title", "cs") == "Hochvolt"
    assert best_text(course, "description", "fr") == "D"  # no French description: the course's own
