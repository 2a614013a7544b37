"""``GET /verify``: paste JSON or a JWT, upload a file or baked image, or give a URL;
``POST /verify`` (a plain multipart form, no JavaScript needed) shows the report.

Verifying changes nothing, so the form needs no CSRF token; the body is capped at the API's
verification limit.
"""
from __future__ import annotations

from flask import Blueprint, request
from werkzeug.exceptions import RequestEntityTooLarge

from ..api.context import db, service
from ..api.verification import MAX_VERIFY_BYTES, subject_from_request, verify_subject, within_budget
from ..skills.coverage_report import coverage_for
from ..verify.runtime import counts_for_coverage
from ..errors import BadRequest, IssuerError, NotFound, PayloadTooLarge, UnsupportedMediaType, ValidationFailed
from .render import page
from .report_view import report_view

__all__ = ["bp"]

bp = Blueprint("verify_form", __name__)

_ERRORS = ((PayloadTooLarge, "verify.error.too_large"), (NotFound, "verify.error.not_found"),
           (UnsupportedMediaType, "verify.error.form"), (ValidationFailed, "verify.error.url"),
           (BadRequest, "verify.error.input"))


def _form(*, status: int = 200, error: str | None = None, detail: str | None = None, pasted: str = "", url: str = ""):
    return page("verify_form.html", status=status, error=error, detail=detail, pasted=pasted, url=url,
                max_mb=MAX_VERIFY_BYTES // (1024 * 1024))


@bp.get("/verify")
def verify_form():
    return _form()


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_exc):
    return _form(status=413, error="verify.error.too_large")


@bp.post("/verify")
@within_budget
def verify_submit():
    request.max_content_length = MAX_VERIFY_BYTES + 64 * 1024
    request.max_form_memory_size = MAX_VERIFY_BYTES
    try:
        subject = subject_from_request()
    except IssuerError as exc:
        key = next((k for cls, k in _ERRORS if isinstance(exc, cls)), "verify.error.generic")
        kept = {} if isinstance(exc, PayloadTooLarge) else {  # a too-large body is never parsed
            "pasted": request.form.get("credential", ""), "url": request.form.get("url", "")}
        return _form(status=exc.http_status, error=key, detail=exc.detail, **kept)
    report = verify_subject(subject)
    coverage = None
    if counts_for_coverage(report) and isinstance(report.credential, dict):
        coverage = coverage_for(db(), service().base_url, [report.credential])
    return page("verify_report.html", report=report_view(report), coverage=coverage, cache="no-store")
