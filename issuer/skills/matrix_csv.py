"""Competence matrix as CSV: one row per role-skill pair.

CSV format
----------
:func:`parse_matrix_csv` turns CSV text into the competence-matrix document of :mod:`issuer.skills.matrix` (then use
:func:`import_matrix`). It is documented for users in ``schemas/competence-matrix.csv.md``.

* UTF-8 text (a leading byte-order mark is ignored); the first line is a header naming the columns,
  in any order, case-insensitively. The delimiter is ``,``; a header with ``;`` (or a tab) and no
  ``,`` selects ``;`` (or tab), as spreadsheets in many European locales export. Standard CSV
  quoting (``"..."``, ``""`` for a quote) allows delimiters and line breaks inside cells.
* One row per job role - skill pair:

  ==================== ========= ==================================================================
  column               required  meaning
  ==================== ========= ==================================================================
  framework_code       yes       framework code; the same on every row (one framework per file)
  framework_name       yes       framework name; needed on at least one row, others may be blank
  framework_version    no        framework version
  role_code            yes*      job role code
  role_name            yes       job role name; needed on at least one row of each role
  role_description     no        job role description
  skill_code           yes       skill code
  skill_name           no        skill name; blank on every row of a skill = the skill must already
                                 exist in the framework (only referenced, not updated)
  skill_description    no        skill description
  esco_uri             no        ESCO URI of the *skill* (http://data.europa.eu/esco/skill/...)
  level                yes*      level the role requires, an integer from 1 to 5
  role_esco_uri        no        (extension) ESCO occupation URI of the job role
  ==================== ========= ==================================================================

  The header must contain the columns marked "yes"; optional columns may be left out.
  (*) A row with an empty ``role_code`` and empty ``level`` defines a skill that no role
  requires (yet).
* Role and skill attributes may be repeated on each row or given once; blank cells inherit the
  value given on another row, and different non-blank values for the same role or skill are an
  error. A (role, skill) pair may appear only once. Rows whose cells are all blank are ignored.
* Row numbers in errors count the header as row 1 (so they match spreadsheet rows when no cell
  contains a line break). Errors are ``{"row", "column", "message"}`` dicts.
* Limits: at most :data:`MAX_CSV_BYTES` (5 MiB) of UTF-8 and :data:`MAX_CSV_ROWS` (10,000) data
  rows, else :class:`~issuer.errors.PayloadTooLarge`.

:func:`matrix_to_csv` writes the same format.
"""
from __future__ import annotations

import csv
import io
from typing import Any

from issuer.errors import PayloadTooLarge, ValidationFailed

from . import MATRIX_SCHEMA, raise_problems, schema_problems

__all__ = ["parse_matrix_csv", "matrix_to_csv", "CSV_COLUMNS", "CSV_EXTRA_COLUMNS", "CSV_REQUIRED_COLUMNS",
           "MAX_CSV_BYTES", "MAX_CSV_ROWS"]

CSV_COLUMNS = (
    "framework_code", "framework_name", "framework_version", "role_code", "role_name",
    "role_description", "skill_code", "skill_name", "skill_description", "esco_uri", "level",
)
CSV_EXTRA_COLUMNS = ("role_esco_uri",)
CSV_REQUIRED_COLUMNS = ("framework_code", "framework_name", "role_code", "role_name", "skill_code", "level")
MAX_CSV_BYTES = 5 * 1024 * 1024
MAX_CSV_ROWS = 10_000


_FIELD_COLUMNS = {
    "framework": {"code": "framework_code", "name": "framework_name", "version": "framework_version"},
    "skills": {"code": "skill_code", "name": "skill_name", "description": "skill_description",
               "escoUri": "esco_uri"},
    "jobRoles": {"code": "role_code", "name": "role_name", "description": "role_description",
                 "escoUri": "role_esco_uri"},
}


class _Entity:
    """Values of one framework/role/skill gathered from rows, with the row each value came from."""

    def __init__(self, kind: str, row: int):
        self.kind = kind
        self.values: dict[str, str] = {}
        self.rows: dict[str, int] = {}
        self.first_row = row

    def merge(self, field: str, value: str, row: int, label: str, problems: list[dict]) -> None:
        if not value:
            return
        if field not in self.values:
            self.values[field] = value
            self.rows[field] = row
        elif self.values[field] != value:
            column = _FIELD_COLUMNS[self.kind][field]
            problems.append({"row": row, "column": column,
                             "message": f"{label}: {column} {value!r} differs from {self.values[field]!r} "
                                        f"given on row {self.rows[field]}"})

    def row_of(self, field: str) -> int:
        return self.rows.get(field, self.first_row)


class _CsvState:
    """What the rows said so far."""

    def __init__(self) -> None:
        self.problems: list[dict] = []
        self.framework: _Entity | None = None
        self.skills: dict[str, _Entity] = {}
        self.roles: dict[str, _Entity] = {}
        self.links: dict[str, dict[str, tuple[Any, int]]] = {}  # role -> skill -> (level, row)

    def error(self, row: int, column: str | None, message: str) -> None:
        problem: dict[str, Any] = {"row": row}
        if column:
            problem["column"] = column
        problem["message"] = message
        self.problems.append(problem)

    def add_row(self, row: dict[str, str], row_no: int) -> None:
        fw_code = row.get("framework_code", "")
        if not fw_code:
            self.error(row_no, "framework_code", "framework_code is empty")
            return
        if self.framework is None:
            self.framework = _Entity("framework", row_no)
            self.framework.merge("code", fw_code, row_no, "framework", self.problems)
        elif fw_code != self.framework.values["code"]:
            self.error(row_no, "framework_code",
                       f"framework_code {fw_code!r} differs from {self.framework.values['code']!r} on row "
                       f"{self.framework.first_row}: a file holds one framework")
            return
        self.framework.merge("name", row.get("framework_name", ""), row_no, "framework", self.problems)
        self.framework.merge("version", row.get("framework_version", ""), row_no, "framework", self.problems)

        skill_code, role_code, level_text = row.get("skill_code", ""), row.get("role_code", ""), row.get("level", "")
        if skill_code:
            skill = self.skills.setdefault(skill_code, _Entity("skills", row_no))
            label = f"skill {skill_code!r}"
            for field, column in _FIELD_COLUMNS["skills"].items():
                skill.merge(field, row.get(column, ""), row_no, label, self.problems)
        else:
            self.error(row_no, "skill_code", "skill_code is empty")
        if not role_code:
            if level_text:
                self.error(row_no, "role_code", "role_code is empty but a level is given (a row without a role "
                                                "only defines a skill)")
            for column in ("role_name", "role_description", "role_esco_uri"):
                if row.get(column):
                    self.error(row_no, column, f"{column} is given but role_code is empty")
            return
        role = self.roles.setdefault(role_code, _Entity("jobRoles", row_no))
        label = f"job role {role_code!r}"
        for field, column in _FIELD_COLUMNS["jobRoles"].items():
            role.merge(field, row.get(column, ""), row_no, label, self.problems)
        if not skill_code:
            return
        links = self.links.setdefault(role_code, {})
        if skill_code in links:
            self.error(row_no, "skill_code", f"skill {skill_code!r} is listed twice for job role {role_code!r} "
                                             f"(first on row {links[skill_code][1]})")
            return
        level: Any = None
        if level_text:
            # Non-numbers are kept as text so that the schema reports them against this row.
            level = int(level_text) if level_text.isascii() and level_text.isdigit() else level_text
        links[skill_code] = (level, row_no)

    def document(self) -> tuple[dict, list[_Entity], list[str]]:
        assert self.framework is not None
        document: dict[str, Any] = {"framework": dict(self.framework.values), "skills": [], "jobRoles": []}
        skill_entities = []
        for entity in self.skills.values():
            if set(entity.values) - {"code"}:  # a code alone only references an existing skill
                document["skills"].append(dict(entity.values))
                skill_entities.append(entity)
        role_codes = []
        for code, entity in self.roles.items():
            refs = []
            for skill_code, (level, _row) in self.links.get(code, {}).items():
                refs.append({"skill": skill_code} if level is None else {"skill": skill_code, "level": level})
            document["jobRoles"].append({**entity.values, "skills": refs})
            role_codes.append(code)
        return document, skill_entities, role_codes

    def locate(self, problem: dict, document: dict, skill_entities: list[_Entity], role_codes: list[str]) -> None:
        """Report a schema problem of the built document against the row and column it came from."""
        parts = [p.replace("~1", "/").replace("~0", "~") for p in problem["path"].split("/")[1:]]
        message = problem["message"]
        kind = parts[0] if parts else ""
        field = parts[2] if len(parts) > 2 else "code"
        missing = message == f"{field!r} is required"
        if kind == "framework" and self.framework is not None:
            field = parts[1] if len(parts) > 1 else "code"
            column = _FIELD_COLUMNS["framework"].get(field)
            if message == f"{field!r} is required":
                message = f"{column} is empty on every row"
            self.error(self.framework.row_of(field), column, message)
        elif kind == "skills" and len(parts) > 1:
            entity = skill_entities[int(parts[1])]
            column = _FIELD_COLUMNS["skills"].get(field)
            if missing:
                message = f"{column} is empty on every row of skill {entity.values['code']!r}"
            self.error(entity.row_of(field), column, message)
        elif kind == "jobRoles" and len(parts) > 1:
            index = int(parts[1])
            code = role_codes[index]
            if len(parts) > 3 and parts[2] == "skills":
                ref = document["jobRoles"][index]["skills"][int(parts[3])]
                row = self.links[code][ref["skill"]][1]
                if parts[4:5] == ["skill"]:
                    self.error(row, "skill_code", message)
                else:
                    level = ref.get("level")
                    self.error(row, "level", "level is empty" if level is None
                               else f"level must be a whole number from 1 to 5, not {level!r}")
            else:
                column = _FIELD_COLUMNS["jobRoles"].get(field)
                if missing:
                    message = f"{column} is empty on every row of job role {code!r}"
                self.error(self.roles[code].row_of(field), column, message)
        else:
            self.error(1, None, message)


def _delimiter(header_line: str) -> str:
    for candidate in (",", ";", "\t"):
        if candidate in header_line:
            return candidate
    return ","


def parse_matrix_csv(text: str) -> dict:
    """Parse the CSV format described in the module docstring into a competence-matrix document.

    The result is schema-valid (problems are reported with row numbers); skill references are
    resolved by :func:`import_matrix`, since a row may reference a skill already in the framework.
    Raises :class:`~issuer.errors.ValidationFailed` (``errors``: ``{"row", "column"?, "message"}``,
    sorted by row) or :class:`~issuer.errors.PayloadTooLarge`.
    """
    if len(text) > MAX_CSV_BYTES or len(text.encode("utf-8", "surrogatepass")) > MAX_CSV_BYTES:
        raise PayloadTooLarge(f"the CSV file is larger than {MAX_CSV_BYTES} bytes")
    if text.startswith("\ufeff"):
        text = text[1:]
    header_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(header_line), strict=True)
    state = _CsvState()
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise ValidationFailed("the CSV header cannot be read",
                               errors=[{"row": 1, "message": f"malformed CSV: {exc}"}]) from exc
    if header is None or not any(h.strip() for h in header):
        raise ValidationFailed("the CSV file is empty", errors=[{"row": 1, "message": "no header row"}])
    columns = [h.strip().lower() for h in header]
    allowed = set(CSV_COLUMNS) | set(CSV_EXTRA_COLUMNS)
    for name in dict.fromkeys(columns):
        if name not in allowed:
            state.error(1, name or None, f"unknown column {name!r}; the columns are {', '.join(CSV_COLUMNS)} "
                                         f"and optionally {', '.join(CSV_EXTRA_COLUMNS)}")
        elif columns.count(name) > 1:
            state.error(1, name, f"column {name!r} appears more than once")
    for name in CSV_REQUIRED_COLUMNS:
        if name not in columns:
            state.error(1, name, f"required column {name!r} is missing")
    if state.problems:
        raise_problems(state.problems, "competence matrix CSV header")

    row_no, data_rows = 1, 0
    try:
        for cells in reader:
            row_no += 1
            if not any(c.strip() for c in cells):
                continue
            data_rows += 1
            if data_rows > MAX_CSV_ROWS:
                raise PayloadTooLarge(f"the CSV file has more than {MAX_CSV_ROWS} data rows")
            if len(cells) > len(columns):
                state.error(row_no, None, f"the row has {len(cells)} cells but the header has {len(columns)} columns")
                continue
            state.add_row({name: (cells[i].strip() if i < len(cells) else "") for i, name in enumerate(columns)},
                          row_no)
    except csv.Error as exc:
        state.error(row_no + 1, None, f"malformed CSV: {exc}")

    if state.framework is None:
        if not state.problems:
            state.error(2, None, "the CSV file has no data rows")
        raise_problems(state.problems, "competence matrix CSV")
    document, skill_entities, role_codes = state.document()
    for problem in schema_problems(MATRIX_SCHEMA, document):
        state.locate(problem, document, skill_entities, role_codes)
    if state.problems:
        # A bad skill code is reported for the skill and for the role's reference: list it once.
        unique = {(p["row"], p.get("column", ""), p["message"]): p for p in state.problems}
        problems = [unique[key] for key in sorted(unique, key=lambda k: (k[0], k[1]))]
        raise_problems(problems, "competence matrix CSV")
    return document


def matrix_to_csv(data: dict) -> str:
    """Write a competence-matrix document in the CSV format: the header, one row per job role -
    skill pair, then one row per skill that no role requires. The framework description and URL
    have no columns and are not written."""
    fw = data["framework"]
    skills = {s["code"]: s for s in data.get("skills", [])}
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS + CSV_EXTRA_COLUMNS)
    fw_cells = [fw["code"], fw["name"], fw.get("version", "")]

    def skill_cells(code: str) -> list[str]:
        s = skills.get(code, {})
        return [code, s.get("name", ""), s.get("description", ""), s.get("escoUri", "")]

    used: set[str] = set()
    for role in data.get("jobRoles", []):
        for ref in role["skills"]:
            used.add(ref["skill"])
            writer.writerow(fw_cells + [role["code"], role["name"], role.get("description", "")]
                            + skill_cells(ref["skill"]) + [str(ref["level"]), role.get("escoUri", "")])
    for code in skills:
        if code not in used:
            writer.writerow(fw_cells + ["", "", ""] + skill_cells(code) + ["", ""])
    return out.getvalue()
