from __future__ import annotations

import copy

import pytest
from sqlalchemy import select

from issuer.errors import NotFound, PayloadTooLarge, ValidationFailed
from issuer.skills import matrix_csv
from issuer.skills.matrix import export_matrix, import_matrix, matrix_to_csv, parse_matrix_csv
from issuer.store.models import Framework, JobRole, Skill

from .conftest import counts

HEADER = ("framework_code,framework_name,framework_version,role_code,role_name,role_description,"
          "skill_code,skill_name,skill_description,esco_uri,level\n")

# The conftest MATRIX, written by hand in the CSV format.
MATRIX_CSV = HEADER.replace("\n", ",role_esco_uri\n") + (
    "TEST-FW,Test framework,1,R1,Role one,First role.,A,Skill A,Does A.,,3,\n"
    "TEST-FW,,,R1,,,B,Skill B,,http://data.europa.eu/esco/skill/0000-b,2,\n"
    "TEST-FW,,,R2,Role two,,B,,,,4,http://data.europa.eu/esco/occupation/0000-r2\n"
    "TEST-FW,,,R2,,,C,Skill C,,,1,\n"
)


def _role_skills(session, code):
    role = session.scalar(select(JobRole).where(JobRole.code == code))
    return {link.skill.code: link.level for link in role.skills}


def test_import_creates_framework_skills_roles(session, matrix):
    summary = import_matrix(session, matrix)
    assert summary == {
        "framework": {"code": "TEST-FW", "created": True, "updated": False},
        "skills": {"created": 3, "updated": 0, "unchanged": 0},
        "jobRoles": {"created": 2, "updated": 0, "unchanged": 0},
        "roleSkills": {"added": 4, "removed": 0, "changed": 0},
        "changed": True,
    }
    assert counts(session)["RoleSkill"] == 4
    fw = session.scalar(select(Framework))
    assert (fw.code, fw.name, fw.version, fw.description) == ("TEST-FW", "Test framework", "1", None)
    b = session.scalar(select(Skill).where(Skill.code == "B"))
    assert b.esco_uri == "http://data.europa.eu/esco/skill/0000-b" and b.framework is fw
    assert _role_skills(session, "R1") == {"A": 3, "B": 2}
    assert export_matrix(session, "TEST-FW") == matrix
    assert not session.new and not session.dirty  # flushed, not committed: the caller owns the transaction
    assert session.in_transaction()


def test_reimport_is_idempotent(session, matrix):
    import_matrix(session, matrix)
    before = counts(session)
    summary = import_matrix(session, copy.deepcopy(matrix))
    assert summary["changed"] is False
    assert summary["skills"] == {"created": 0, "updated": 0, "unchanged": 3}
    assert summary["jobRoles"] == {"created": 0, "updated": 0, "unchanged": 2}
    assert summary["roleSkills"] == {"added": 0, "removed": 0, "changed": 0}
    assert counts(session) == before
    assert export_matrix(session, "TEST-FW") == matrix


def test_reimport_replaces_role_skills_and_fields(session, matrix):
    matrix["framework"]["description"] = "Kept when omitted."
    import_matrix(session, matrix)
    update = copy.deepcopy(matrix)
    del update["framework"]["description"]
    update["framework"]["name"] = "Renamed framework"
    update["skills"][0].pop("description")          # cleared
    update["skills"][1]["name"] = "Skill B v2"
    update["jobRoles"][0]["skills"] = [{"skill": "A", "level": 4}, {"skill": "C", "level": 2}]  # B dropped
    summary = import_matrix(session, update)
    assert summary["framework"] == {"code": "TEST-FW", "created": False, "updated": True}
    assert summary["skills"] == {"created": 0, "updated": 2, "unchanged": 1}
    assert summary["jobRoles"] == {"created": 0, "updated": 1, "unchanged": 1}
    assert summary["roleSkills"] == {"added": 1, "removed": 1, "changed": 1}
    assert _role_skills(session, "R1") == {"A": 4, "C": 2}
    assert counts(session)["Skill"] == 3 and counts(session)["RoleSkill"] == 4
    fw = session.scalar(select(Framework))
    assert fw.name == "Renamed framework" and fw.description == "Kept when omitted."
    assert session.scalar(select(Skill).where(Skill.code == "A")).description is None
    # Swapping a role's skills back and forth never trips the (role, skill) unique constraint.
    import_matrix(session, matrix)
    assert _role_skills(session, "R1") == {"A": 3, "B": 2}


def test_role_may_reference_skills_already_in_the_framework(session, matrix):
    import_matrix(session, matrix)
    extra = {"framework": {"code": "TEST-FW", "name": "Test framework"},
             "jobRoles": [{"code": "R3", "name": "Role three", "skills": [{"skill": "A", "level": 5},
                                                                         {"skill": "C", "level": 2}]}]}
    summary = import_matrix(session, extra)
    assert summary["jobRoles"]["created"] == 1 and summary["skills"]["created"] == 0
    assert _role_skills(session, "R3") == {"A": 5, "C": 2}
    assert session.scalar(select(Framework)).version == "1"  # omitted: kept


def test_unknown_skills_are_all_listed_and_nothing_is_written(session, matrix):
    matrix["jobRoles"][0]["skills"].append({"skill": "X", "level": 1})
    matrix["jobRoles"][1]["skills"].insert(0, {"skill": "Y", "level": 1})
    matrix["jobRoles"][1]["skills"].append({"skill": "X", "level": 2})
    before = counts(session)
    with pytest.raises(ValidationFailed) as info:
        import_matrix(session, matrix)
    assert [e["path"] for e in info.value.errors] == [
        "/jobRoles/0/skills/2/skill", "/jobRoles/1/skills/0/skill", "/jobRoles/1/skills/3/skill"]
    assert "unknown skill 'X'" in info.value.errors[0]["message"]
    assert "unknown skill codes: X, Y" in info.value.detail
    assert counts(session) == before
    assert not session.new and not session.dirty and not session.deleted


def test_invalid_update_changes_nothing(session, matrix):
    import_matrix(session, matrix)
    before = export_matrix(session, "TEST-FW")
    update = copy.deepcopy(matrix)
    update["framework"]["name"] = "Other name"
    update["skills"][0]["name"] = "Other skill name"
    update["jobRoles"][0]["skills"] = [{"skill": "NOPE", "level": 1}]
    with pytest.raises(ValidationFailed):
        import_matrix(session, update)
    assert not session.dirty and not session.new
    assert export_matrix(session, "TEST-FW") == before


def test_duplicate_codes_are_reported(session, matrix):
    matrix["skills"].append({"code": "A", "name": "Again"})
    matrix["jobRoles"].append(copy.deepcopy(matrix["jobRoles"][0]))
    matrix["jobRoles"][1]["skills"].append({"skill": "B", "level": 1})
    with pytest.raises(ValidationFailed) as info:
        import_matrix(session, matrix)
    messages = {e["path"]: e["message"] for e in info.value.errors}
    assert set(messages) == {"/skills/3/code", "/jobRoles/2/code", "/jobRoles/1/skills/2/skill"}
    assert "first at /skills/0" in messages["/skills/3/code"]
    assert counts(session)["Framework"] == 0


def test_schema_errors_reported_before_anything(session):
    with pytest.raises(ValidationFailed) as info:
        import_matrix(session, {"framework": {"code": "F"}, "skills": [{"code": "bad code", "name": "x"}]})
    assert {e["path"] for e in info.value.errors} == {"/framework/name", "/skills/0/code"}
    assert counts(session)["Framework"] == 0


def test_export_unknown_framework(session):
    with pytest.raises(NotFound):
        export_matrix(session, "NOPE")


# ---------------------------------------------------------------------------------------------
# CSV


def test_csv_parses_to_the_json_structure(matrix):
    assert parse_matrix_csv(MATRIX_CSV) == matrix


def test_csv_round_trips_to_the_same_database_state(make_session, matrix):
    from_json, from_csv = make_session(), make_session()
    import_matrix(from_json, matrix)
    import_matrix(from_csv, parse_matrix_csv(MATRIX_CSV))
    assert export_matrix(from_csv, "TEST-FW") == export_matrix(from_json, "TEST-FW")
    assert counts(from_csv) == counts(from_json)
    # ... and the writer produces CSV that parses back to the same document.
    assert parse_matrix_csv(matrix_to_csv(matrix)) == matrix


def test_csv_semicolons_bom_crlf_column_order_and_case():
    text = ("\ufeffLEVEL;Skill_Code;role_code;role_name;framework_code;framework_name\r\n"
            "2;A;R1;Role one;F;Framework\r\n"
            " 3 ; B ;R1;;F;\r\n"
            ";;;;;\r\n")
    assert parse_matrix_csv(text) == {
        "framework": {"code": "F", "name": "Framework"},
        "skills": [],
        "jobRoles": [{"code": "R1", "name": "Role one", "skills": [{"skill": "A", "level": 2},
                                                                   {"skill": "B", "level": 3}]}],
    }


def test_csv_multiline_cells_skill_only_rows_and_role_esco(matrix):
    text = (HEADER.rstrip("\n") + ",role_esco_uri\n"
            'F,Framework,,R1,Role,"Line one\nline two",A,Skill A,,,1,http://data.europa.eu/esco/occupation/x1\n'
            "F,,,,,,L,Lonely skill,Nobody needs it yet,,,\n")
    doc = parse_matrix_csv(text)
    assert doc["jobRoles"][0]["description"] == "Line one\nline two"
    assert doc["jobRoles"][0]["escoUri"] == "http://data.europa.eu/esco/occupation/x1"
    assert doc["skills"][1] == {"code": "L", "name": "Lonely skill", "description": "Nobody needs it yet"}
    assert parse_matrix_csv(matrix_to_csv(doc)) == doc


def test_csv_skill_given_by_code_only_references_an_existing_skill(session, matrix):
    import_matrix(session, matrix)
    text = HEADER + "TEST-FW,Test framework,,R9,Role nine,,A,,,,2\n"
    doc = parse_matrix_csv(text)
    assert doc["skills"] == []
    import_matrix(session, doc)
    assert _role_skills(session, "R9") == {"A": 2}
    assert session.scalar(select(Skill).where(Skill.code == "A")).description == "Does A."  # untouched
    with pytest.raises(ValidationFailed) as info:
        import_matrix(session, parse_matrix_csv(HEADER + "TEST-FW,Test framework,,R9,Role nine,,ZZ,,,,2\n"))
    assert info.value.errors[0]["path"] == "/jobRoles/0/skills/0/skill"


def test_csv_errors_name_rows_and_columns():
    text = HEADER + (
        "F,Framework,1,R1,Role one,,A,Skill A,,,3\n"        # row 2: fine
        "F,,,R1,,,B,Skill B,,,x\n"                          # row 3: level not a number
        "F,,,R1,,,C,Skill C,,,9\n"                          # row 4: level out of range
        "F,,,R2,Role two,,A,Other name,,,1\n"               # row 5: conflicting skill name
        "F,,,R1,,,A,,,,2\n"                                 # row 6: pair listed twice
        "G,,,R3,Role,,A,,,,1\n"                             # row 7: second framework
        "F,,,,,,D,Skill D,,,4\n"                            # row 8: level without role
        "F,,,R4,Role four,,bad code!,Bad,,,1\n"             # row 9: bad skill code
        "F,,,R5,,,A,,,,1\n"                                 # row 10: role without a name
        "F,,,R1,,,E,Skill E,,ftp://esco,1\n"                # row 11: bad ESCO URI
        ",,,R1,,,F,Skill F,,,1\n"                           # row 12: no framework code
        "F,,,R1,,,G,Skill G,,,1,extra\n"                    # row 13: too many cells
    )
    with pytest.raises(ValidationFailed) as info:
        parse_matrix_csv(text)
    found = {(e["row"], e.get("column")) for e in info.value.errors}
    assert found == {
        (3, "level"), (4, "level"), (5, "skill_name"), (6, "skill_code"), (7, "framework_code"),
        (8, "role_code"), (9, "skill_code"), (10, "role_name"), (11, "esco_uri"), (12, "framework_code"),
        (13, None),
    }
    rows = [e["row"] for e in info.value.errors]
    assert rows == sorted(rows)
    by_row = {e["row"]: e["message"] for e in info.value.errors}
    assert "differs from 'Skill A' given on row 2" in by_row[5]
    assert "first on row 2" in by_row[6]
    assert by_row[3] == "level must be a whole number from 1 to 5, not 'x'"
    assert by_row[10] == "role_name is empty on every row of job role 'R5'"


def test_csv_header_problems():
    with pytest.raises(ValidationFailed) as info:
        parse_matrix_csv("framework_code,framework_nam,role_code,role_code,skill_code,level\nF,x,R,R,S,1\n")
    found = {(e["row"], e["column"]) for e in info.value.errors}
    assert found == {(1, "framework_nam"), (1, "role_code"), (1, "framework_name"), (1, "role_name")}
    for text in ("", "\n\n", ",,\n"):
        with pytest.raises(ValidationFailed):
            parse_matrix_csv(text)
    with pytest.raises(ValidationFailed) as info:
        parse_matrix_csv(HEADER)
    assert info.value.errors == [{"row": 2, "message": "the CSV file has no data rows"}]


def test_csv_malformed_quoting():
    with pytest.raises(ValidationFailed) as info:
        parse_matrix_csv(HEADER + 'F,Framework,,R,Role,"unterminated,A,Skill,,,1\n')
    assert "malformed CSV" in info.value.errors[-1]["message"]


def test_csv_size_guards(monkeypatch):
    monkeypatch.setattr(matrix_csv, "MAX_CSV_ROWS", 3)
    rows = "".join(f"F,Framework,,R,Role,,S{i},Skill {i},,,1\n" for i in range(4))
    parse_matrix_csv(HEADER + "".join(rows.splitlines(True)[:3]))
    with pytest.raises(PayloadTooLarge):
        parse_matrix_csv(HEADER + rows)
    monkeypatch.setattr(matrix_csv, "MAX_CSV_BYTES", 200)
    with pytest.raises(PayloadTooLarge):
        parse_matrix_csv(HEADER + "F,Framework,,R,Role,,S,Skill,\"" + "é" * 60 + "\",,1\n")
