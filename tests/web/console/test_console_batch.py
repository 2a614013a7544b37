"""Issuing to a class from the console (issue #14 §1 Issue): a CSV upload checked row by row
before anything is stored, then a batch on the job queue (in-process worker here) with progress
and downloadable results; another provider's batch is not found."""
from __future__ import annotations

import io
import re
import time

from issuer.store.models import Batch, Credential


def _csv(rows: list[str]) -> bytes:
    return ("course,name,email\n" + "\n".join(rows) + "\n").encode()


def _preview(console, data: bytes):
    return console.post("/console/issue/class/preview", {"csv": (io.BytesIO(data), "class.csv")},
                        content_type="multipart/form-data")


def test_preview_lists_problems_by_line_and_stores_nothing(console, service):
    data = _csv(["HV-2S,Ann One,ann@example.org", "NOPE,Bob Two,bob@example.org", "HV-2S,,carl@example.org"])
    response = _preview(console, data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "2 of 3 rows can be issued." not in html and "1 of 3 rows can be issued." in html
    assert re.search(r'data-line="3".*?NOPE', html, re.S) and 'data-line="4"' in html
    assert "Issue the 1 valid rows" in html
    with service.session() as session:
        assert session.query(Batch).count() == 0 and session.query(Credential).count() == 0


def test_a_class_is_issued_with_progress_and_results(console, service):
    data = _csv([f"HV-2S,Learner {i},l{i}@example.org" for i in range(12)] + ["NOPE,X,x@example.org"])
    text = data.decode()
    refused = console.post("/console/issue/class", {"csv": text, "onInvalid": "reject"})
    assert refused.status_code == 422  # one bad row: nothing is issued unless the valid ones are asked for
    submitted = console.post("/console/issue/class", {"csv": text, "onInvalid": "issueValid"})
    assert submitted.status_code == 303
    batch_url = submitted.headers["Location"]
    assert re.fullmatch(r"/console/batches/[0-9a-f-]{36}", batch_url)
    assert 'data-batch-status="' in console.get(batch_url).get_data(as_text=True)
    for _ in range(300):
        progress = console.get(f"{batch_url}/progress").get_json()
        if progress["finished"]:
            break
        time.sleep(0.1)
    assert progress == {"total": 13, "done": 13, "issued": 12, "failed": 1, "state": "done", "finished": True,
                        "text": "13 of 13 done: 12 issued, 1 failed."}
    results = console.get(f"{batch_url}/results.csv")
    assert results.mimetype == "text/csv"
    lines = results.get_data(as_text=True).splitlines()
    assert lines[0] == "line,state,credentialId,url,problem" and len(lines) == 14
    assert sum(",issued," in line for line in lines) == 12
    assert any(line.startswith("14,failed,") and "NOPE" in line for line in lines)
    with service.session() as session:
        assert session.query(Credential).count() == 12


def test_another_providers_batch_is_not_found(console, login_as):
    submitted = console.post("/console/issue/class", {"csv": _csv(["HV-2S,Ann,ann@example.org"]).decode(),
                                                      "onInvalid": "reject"})
    batch_url = submitted.headers["Location"]
    other = login_as("nordhaven-tu")
    for path in (batch_url, f"{batch_url}/progress", f"{batch_url}/results.csv"):
        assert other.get(path).status_code == 404, path
    viewer = login_as("emob-academy", "viewer")
    assert _preview(viewer, _csv(["HV-2S,Ann,ann@example.org"])).status_code == 403
