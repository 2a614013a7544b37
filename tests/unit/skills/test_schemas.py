from __future__ import annotations

import json
import pathlib

import pytest
from jsonschema import Draft202012Validator

from issuer.errors import ValidationFailed
from issuer.skills import (
    CATALOGUE_SCHEMA, MATRIX_SCHEMA, MAX_REPORTED_ERRORS, json_pointer, load_schema, validate_document,
)

from .conftest import MATRIX, course_doc

ROOT = pathlib.Path(__file__).resolve().parents[3]


@pytest.mark.parametrize("name", [MATRIX_SCHEMA, CATALOGUE_SCHEMA])
def test_schema_is_valid_draft_2020_12(name):
    schema = load_schema(name)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == f"https://ob3-skills-hub.example/schemas/{name}.schema.json"
    assert schema["title"] and schema["description"]


def _undocumented(node, path="#"):
    """Paths of property and definition schemas without a title or description."""
    missing = []
    if isinstance(node, dict):
        for key in ("properties", "$defs"):
            for name, sub in node.get(key, {}).items():
                if not (sub.get("title") and sub.get("description")):
                    missing.append(f"{path}/{key}/{name}")
        for key, value in node.items():
            missing += _undocumented(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            missing += _undocumented(value, f"{path}/{i}")
    return missing


@pytest.mark.parametrize("name", [MATRIX_SCHEMA, CATALOGUE_SCHEMA])
def test_every_property_is_documented(name):
    assert _undocumented(load_schema(name)) == []


def test_load_schema_names_and_copies():
    by_name = load_schema("competence-matrix")
    assert by_name == load_schema("competence-matrix.schema.json")
    assert by_name == json.loads((ROOT / "schemas" / "competence-matrix.schema.json").read_text())
    by_name["title"] = "changed"
    assert load_schema("competence-matrix")["title"] != "changed"
    for bad in ("../pyproject", "x/y", "", "Competence-Matrix"):
        with pytest.raises(ValueError):
            load_schema(bad)


def test_packaged_schemas_are_the_project_schemas():
    """``issuer/schemas`` (package data) is the project's ``schemas/`` folder, not a copy."""
    import pathlib
    from importlib import resources
    root = pathlib.Path(__file__).resolve().parents[3]
    for name in ("competence-matrix.schema.json", "course-catalogue.schema.json"):
        packaged = (resources.files("issuer") / "schemas" / name).read_text(encoding="utf-8")
        assert packaged == (root / "schemas" / name).read_text(encoding="utf-8")


def test_json_pointer_escapes():
    assert json_pointer(["courses", 0, "a/b", "c~d"]) == "/courses/0/a~1b/c~0d"
    assert json_pointer([]) == ""


def test_all_schema_errors_reported_with_paths():
    bad_course = course_doc(code="bad code", eqfLevel=9, workload={},
                            skills=[{"skill": "A", "level": 0, "extra": 1}])
    other = course_doc(code="OK", participationForm="remote", language="english!", validityPeriod="PT5H")
    del other["title"]
    with pytest.raises(ValidationFailed) as info:
        validate_document(CATALOGUE_SCHEMA, {"courses": [bad_course, other]})
    errors = info.value.errors
    paths = [e["path"] for e in errors]
    assert paths == sorted(paths, key=lambda p: [(0, int(x), "") if x.isdigit() else (1, 0, x)
                                                 for x in p.split("/")[1:]])
    assert set(paths) == {
        "/courses/0/code", "/courses/0/eqfLevel", "/courses/0/workload", "/courses/0/skills/0",
        "/courses/0/skills/0/level", "/courses/1/language", "/courses/1/participationForm",
        "/courses/1/title", "/courses/1/validityPeriod",
    }
    by_path = {e["path"]: e["message"] for e in errors}
    assert by_path["/courses/1/title"] == "'title' is required"
    assert "not a valid ISO 8601 duration" in by_path["/courses/1/validityPeriod"]
    assert "'bad code' is not a valid Code" in by_path["/courses/0/code"]
    assert "hours, ECTS credits, or both" in by_path["/courses/0/workload"]
    assert info.value.http_status == 422
    problem = info.value.to_problem()
    assert problem["errors"] == errors and "9 problems" in problem["detail"]


def test_error_list_is_capped():
    with pytest.raises(ValidationFailed) as info:
        validate_document(CATALOGUE_SCHEMA, {"courses": [{"code": "x"}] * 30})
    assert len(info.value.errors) == MAX_REPORTED_ERRORS
    assert "300 problems" in info.value.detail and f"first {MAX_REPORTED_ERRORS} listed" in info.value.detail


def test_matrix_schema_accepts_example_and_rejects_bad_values():
    validate_document(MATRIX_SCHEMA, MATRIX)
    validate_document(MATRIX_SCHEMA, {"framework": {"code": "F", "name": "F"}})
    bad = {
        "framework": {"code": "-F", "name": " ", "url": "ftp://x"},
        "skills": [{"code": "S", "name": "S", "escoUri": "http://data.europa.eu/esco/occupation/123"},
                   {"code": "x" * 65, "name": "S"}],
        "jobRoles": [{"code": "R", "name": "R", "escoUri": "http://data.europa.eu/esco/skill/123", "skills": []},
                     {"code": "R2", "name": "R2", "escoUri": "http://data.europa.eu/esco/isco/C7231",
                      "skills": [{"skill": "S", "level": 6}]}],
        "extra": True,
    }
    with pytest.raises(ValidationFailed) as info:
        validate_document(MATRIX_SCHEMA, bad)
    assert {e["path"] for e in info.value.errors} == {
        "", "/framework/code", "/framework/name", "/framework/url", "/skills/0/escoUri", "/skills/1/code",
        "/jobRoles/0/escoUri", "/jobRoles/0/skills", "/jobRoles/1/skills/0/level",
    }


@pytest.mark.parametrize("period", ["P2Y", "P18M", "P365D", "P1Y6M", "P2W", {"days": 30}])
def test_validity_period_accepted(period):
    validate_document(CATALOGUE_SCHEMA, {"courses": [course_doc(validityPeriod=period)]})


@pytest.mark.parametrize("period", ["PT5H", "P1.5Y", "2Y", "P", "p2y", "P-1D", {"days": 0}, {"days": 1.5},
                                    {"months": 2}, 30])
def test_validity_period_rejected(period):
    with pytest.raises(ValidationFailed) as info:
        validate_document(CATALOGUE_SCHEMA, {"courses": [course_doc(validityPeriod=period)]})
    assert all(e["path"].startswith("/courses/0/validityPeriod") for e in info.value.errors)
