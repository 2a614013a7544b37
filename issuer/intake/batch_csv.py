"""Batch CSV (RFC 4180, UTF-8, header row) -> issue request bodies, one per data row.

Columns (header names, any order; ``course`` and ``name`` required, one of ``email`` / ``did``
per row): ``course``, ``name``, ``email``, ``did``, ``completedAt`` (RFC 3339), ``grade``,
``score`` (a number), ``evidenceUrl``, ``idempotencyKey``, and optionally ``issuer`` (an issuer
profile slug). Empty cells are absent values. Each row's ``index`` is the CSV line it starts on
(the header is line 1), so problems point at the line a spreadsheet shows. See
``schemas/batch.csv.md``.
"""
from __future__ import annotations

import csv
import io
import math

from ..errors import ValidationFailed

__all__ = ["COLUMNS", "parse_batch_csv"]

COLUMNS = ("course", "name", "email", "did", "completedAt", "grade", "score", "evidenceUrl", "idempotencyKey",
           "issuer")
_MAX_CELL = 2000


def _row_body(cells: dict) -> tuple[dict, list[dict]]:
    problems = []
    body: dict = {"course": cells.get("course", "")}
    learner: dict = {"name": cells.get("name", "")}
    if cells.get("email") and cells.get("did"):
        problems.append({"path": "/learner", "message": "give either email or did, not both"})
    if cells.get("email"):
        learner["email"] = cells["email"]
    elif cells.get("did"):
        learner["id"] = cells["did"]
    body["learner"] = learner
    if cells.get("completedAt"):
        body["completedAt"] = cells["completedAt"]
    if cells.get("issuer"):
        body["issuer"] = cells["issuer"]
    result: dict = {}
    if cells.get("grade"):
        result["grade"] = cells["grade"]
    if cells.get("score"):
        try:
            score = float(cells["score"])
            if not math.isfinite(score):
                raise ValueError
            result["score"] = int(score) if score.is_integer() and abs(score) < 2 ** 53 else score
        except ValueError:
            problems.append({"path": "/result/score", "message": f"not a number: {cells['score'][:40]!r}"})
    if result:
        body["result"] = result
    if cells.get("evidenceUrl"):
        body["evidence"] = [{"url": cells["evidenceUrl"]}]
    return body, problems


def parse_batch_csv(text: str, *, max_rows: int) -> list[tuple[int, dict, str | None, list[dict]]]:
    """The rows of a batch CSV as ``(line, body, idempotency key, problems)``; ``problems`` are
    those of reading the row (cells), the body is validated later like any issue request.

    Raises ``ValidationFailed`` (422) for a missing or unknown header, more than ``max_rows`` data
    rows, or broken CSV quoting."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise ValidationFailed(f"the CSV header cannot be read: {exc}") from None
    if not header or not any(h.strip() for h in header):
        raise ValidationFailed("the CSV has no header row", errors=[{"index": 1, "path": "", "message": "no header"}])
    names = [h.strip() for h in header]
    unknown = [n for n in names if n not in COLUMNS]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    missing = [n for n in ("course", "name") if n not in names]
    if unknown or duplicated or missing or not ({"email", "did"} & set(names)):
        detail = []
        if unknown:
            detail.append(f"unknown column(s) {', '.join(repr(n[:40]) for n in unknown[:10])}")
        if duplicated:
            detail.append(f"column(s) given twice: {', '.join(duplicated)}")
        if missing or not ({"email", "did"} & set(names)):
            detail.append("needs the columns course, name and email or did")
        raise ValidationFailed("the CSV header is not usable: " + "; ".join(detail) + f" (columns: {', '.join(COLUMNS)})",
                               errors=[{"index": 1, "path": "", "message": d} for d in detail])
    rows = []
    line = reader.line_num + 1
    try:
        for record in reader:
            start, line = line, reader.line_num + 1
            if not any(cell.strip() for cell in record):
                continue
            if len(rows) >= max_rows:
                raise ValidationFailed(f"the batch has more than {max_rows} rows (ISSUER_BATCH_MAX_ITEMS)")
            problems = []
            if len(record) != len(names):
                problems.append({"path": "", "message": f"{len(record)} cells, the header has {len(names)}"})
            cells = {n: v.strip() for n, v in zip(names, record) if v.strip()}
            long = [n for n, v in cells.items() if len(v) > _MAX_CELL]
            for n in long:
                problems.append({"path": f"/{n}", "message": f"longer than {_MAX_CELL} characters"})
                cells[n] = cells[n][:_MAX_CELL]
            body, cell_problems = _row_body(cells)
            rows.append((start, body, cells.get("idempotencyKey"), problems + cell_problems))
    except csv.Error as exc:
        raise ValidationFailed(f"the CSV cannot be read at line {reader.line_num}: {exc}",
                               errors=[{"index": reader.line_num, "path": "", "message": str(exc)}]) from None
    return rows
