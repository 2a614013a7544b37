"""Issuing to a class from the console: a CSV upload (the batches API's format,
``schemas/batch.csv.md``), a preview of the problems by line before anything is stored, then a
batch on the job queue (:mod:`issuer.jobs`) with live progress and downloadable results."""
from __future__ import annotations

import csv
import io
import logging

from flask import Response, jsonify, redirect, request
from flask_babel import gettext as _

from ...api.context import committing, db, service
from ...errors import ValidationFailed
from ...intake.batch_csv import parse_batch_csv
from ...jobs import batches as jobs_batches
from ...jobs.queue import queue_for
from ...store import batches as batch_store
from .base import actor, bp, current_provider, render, requires, write_session

__all__ = ["preview_class", "submit_class", "batch_page", "batch_progress", "batch_results", "read_csv"]

_ON_INVALID = ("reject", "issueValid")
log = logging.getLogger(__name__)


def read_csv(data: bytes) -> tuple[str, list[jobs_batches.Row]]:
    """The CSV text and its rows (``ValidationFailed`` for a file that is not UTF-8 CSV of the
    batch format, or one over the size and row limits)."""
    config = service().config
    if len(data) > config["BATCH_MAX_BYTES"]:
        raise ValidationFailed(_("The file is too large."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationFailed(_("The file is not UTF-8 text.")) from None
    rows = [jobs_batches.Row(index=line, body=body, idempotency_key=key, problems=problems)
            for line, body, key, problems in parse_batch_csv(text, max_rows=config["BATCH_MAX_ITEMS"])]
    if not rows:
        raise ValidationFailed(_("The file has no rows below its header."))
    return text, rows


def _check(session, provider, rows):
    svc = service()
    return jobs_batches.validate_rows(session, provider, rows, now=svc.clock(), skew=svc.clock_skew)


@bp.post("/issue/class/preview")
@requires("issue")
def preview_class():
    """Check an uploaded class CSV row by row and show the problems by line; nothing is stored."""
    upload = request.files.get("csv")
    if upload is None or not upload.filename:
        raise ValidationFailed(_("Choose a CSV file."))
    text, rows = read_csv(upload.read(service().config["BATCH_MAX_BYTES"] + 1))
    session = write_session()
    try:
        valid, problems = _check(session, current_provider(session), rows)
    finally:
        session.rollback()
    return render("console/class_preview.html", csv_text=text, total=len(rows), valid=len(valid),
                  problems=[{"line": p.index, "errors": p.errors} for p in problems])


@bp.post("/issue/class")
@requires("issue")
def submit_class():
    """Issue the previewed class (form ``csv`` text, ``onInvalid``): a batch on the job queue."""
    on_invalid = request.form.get("onInvalid", "reject")
    if on_invalid not in _ON_INVALID:
        raise ValidationFailed(_("Unknown action."))
    text, rows = read_csv(request.form.get("csv", "").encode("utf-8"))
    svc = service()
    session = write_session()
    provider = current_provider(session)
    valid, problems = _check(session, provider, rows)
    if problems and (on_invalid == "reject" or not valid):
        session.rollback()
        raise ValidationFailed(_("%(n)d rows cannot be issued; nothing was issued.", n=len(problems)))
    batch_id = svc.new_id()
    with committing(session):
        batch = jobs_batches.submit(session, provider, valid, problems, batch_id=batch_id, now=svc.clock(),
                                    on_invalid=on_invalid, source="csv", chunk_size=svc.config["BATCH_CHUNK_SIZE"],
                                    actor=actor(), idempotency_key=None,
                                    fingerprint=jobs_batches.batch_fingerprint({"console": text}))
    try:
        queue_for(svc).enqueue_batch(batch_id, batch["total"], batch["chunk_size"])
        batch_store.mark_enqueued(session, batch_id, svc.clock())
        session.commit()
    except Exception:  # noqa: BLE001 - the batch is stored: the sweep enqueues it when the broker is back
        session.rollback()
        log.exception("could not enqueue batch %s; the sweep will", batch_id)
    return redirect(f"/console/batches/{batch_id}", 303)


def _progress(batch_id: str) -> dict:
    session = db()
    batch = batch_store.get_owned(session, current_provider().id, batch_id)
    return jobs_batches.progress(session, batch, service().clock(), service().base_url)


@bp.get("/batches/<batch_id>")
@requires("read")
def batch_page(batch_id: str):
    """A class batch: live progress while it runs, then its results."""
    return render("console/batch.html", batch=_progress(batch_id), batch_id=batch_id)


@bp.get("/batches/<batch_id>/progress")
@requires("read")
def batch_progress(batch_id: str):
    """The batch's progress as JSON for the page's script: ``{"total", "done", "issued", "failed",
    "state", "finished", "text"}``."""
    p = _progress(batch_id)
    done = p["issued"] + p["failed"]
    finished = p["status"] == "done"
    text = _("%(done)d of %(total)d done: %(issued)d issued, %(failed)d failed.", done=done, total=p["total"],
             issued=p["issued"], failed=p["failed"])
    response = jsonify({"total": p["total"], "done": done, "issued": p["issued"], "failed": p["failed"],
                        "state": p["status"], "finished": finished, "text": text})
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/batches/<batch_id>/results.csv")
@requires("read")
def batch_results(batch_id: str):
    """The batch's results as CSV: ``line,state,credentialId,url,problem`` (one row per CSV line)."""
    session = db()
    batch = batch_store.get_owned(session, current_provider().id, batch_id)
    base = service().base_url
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["line", "state", "credentialId", "url", "problem"])
    after = -1
    while True:
        page = batch_store.page_items(session, batch.id, after, 500)
        if not page:
            break
        for item in page:
            problem = item.problem or {}
            messages = "; ".join(f"{e.get('path', '')}: {e.get('message', '')}" for e in problem.get("errors", [])) \
                or problem.get("detail", "")
            writer.writerow([item.index, item.state, item.credential_id or "",
                             f"{base}/credentials/{item.credential_id}" if item.credential_id else "", messages])
        after = page[-1].position
    response = Response(out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="batch-{batch.id}.csv"'
    response.headers["Cache-Control"] = "no-store"
    return response
