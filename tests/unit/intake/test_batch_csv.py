"""Batch CSV rows -> issue request bodies, with line numbers (header = line 1)."""
from __future__ import annotations

import pytest

from issuer.errors import ValidationFailed
from issuer.intake.batch_csv import parse_batch_csv


def test_rows_become_issue_requests_with_their_line_numbers():
    text = ('course,name,email,did,completedAt,grade,score,evidenceUrl,idempotencyKey\n'
            'HV-2S,"Muster, Alex",alex@example.org,,2026-01-10T10:00:00Z,,92.5,https://e.example/1,k1\n'
            '\n'
            'HV-2S,"Two\nLines",,did:key:z6Mk,,B,,,\n'
            'HV-2S,Three,three@example.org,,,,,,\n')
    rows = parse_batch_csv(text, max_rows=10)
    assert [r[0] for r in rows] == [2, 4, 6]
    line, body, key, problems = rows[0]
    assert body == {"course": "HV-2S", "learner": {"name": "Muster, Alex", "email": "alex@example.org"},
                    "completedAt": "2026-01-10T10:00:00Z", "result": {"score": 92.5},
                    "evidence": [{"url": "https://e.example/1"}]}
    assert key == "k1" and problems == []
    assert rows[1][1]["learner"] == {"name": "Two\nLines", "id": "did:key:z6Mk"} and rows[1][1]["result"] == {"grade": "B"}
    assert rows[2][2] is None


def test_cell_problems_are_kept_per_row():
    rows = parse_batch_csv("course,name,email,did,score\nHV-2S,A,a@example.org,did:key:z,abc\nHV-2S,B\n", max_rows=5)
    messages = [p["message"] for p in rows[0][3]]
    assert any("either email or did" in m for m in messages) and any("not a number" in m for m in messages)
    assert "cells" in rows[1][3][0]["message"]


@pytest.mark.parametrize("text", ["", "\n", "course,name\nHV-2S,A\n", "course,name,email,color\n",
                                  "course,name,email,email\n", 'course,name,email\n"HV-2S,A,a@example.org\n'])
def test_unusable_csv_is_422(text):
    with pytest.raises(ValidationFailed):
        parse_batch_csv(text, max_rows=5)


def test_too_many_rows_is_422():
    with pytest.raises(ValidationFailed, match="more than 2 rows"):
        parse_batch_csv("course,name,email\n" + "HV-2S,A,a@example.org\n" * 3, max_rows=2)
