"""The Skills Hub pages for people (issue #14 §2): the catalogue search ``/catalogue`` and the
learner's gap report ``/gap-report``. JSON forms: ``GET /api/v1/catalogue`` and
``POST /api/v1/gap-report`` (:mod:`issuer.api.hub`), which these pages share their logic with.

The gap report form takes uploaded files (JSON, JWT, baked PNG/SVG), pasted credentials or JWTs
and links; each is verified with the project's verifier. Nothing is stored: the page is rendered
from the request and answered ``Cache-Control: no-store``.
"""
from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, request
from werkzeug.exceptions import RequestEntityTooLarge

from ..api.context import db, service
from ..api.hub import MAX_URLS, course_json, gap_report, role_reference, run_search
from ..api.public import json_response, wants_json
from ..api.verification import MAX_VERIFY_BYTES, _limit, within_budget
from ..errors import BadRequest, IssuerError
from ..intake.strict_json import JsonError, strict_loads
from ..skills import search as catalogue_search
from ..store.catalogue_index import catalogue_index
from .render import page

__all__ = ["bp", "PAGE_SIZE"]

bp = Blueprint("hub_pages", __name__)
PAGE_SIZE = 20
MAX_FILES = 20
MAX_FORM_BYTES = 8 * 1024 * 1024  # all files together


def _link(args: dict, **changes) -> str:
    """``/catalogue`` with ``args`` changed (a value of None drops the filter; offset resets)."""
    merged = {k: v for k, v in {**args, **changes}.items() if v not in (None, "") and k != "offset"}
    if "offset" in changes and changes["offset"]:
        merged["offset"] = changes["offset"]
    return "/catalogue" + (f"?{urlencode(merged)}" if merged else "")


@bp.get("/catalogue")
def catalogue_page():
    """The catalogue search page; JSON (as ``GET /api/v1/catalogue``) by ``Accept``."""
    args = {k: v for k, v in request.args.items() if k in catalogue_search.FILTERS and v}
    query, result = run_search(request.args)
    if wants_json():
        return json_response({"total": result["total"], "courses": [course_json(c, result["roles"])
                                                                     for c in result["courses"][:PAGE_SIZE]],
                              "facets": result["facets"]}, max_age=60)
    try:
        offset = max(0, int(request.args.get("offset") or 0))
    except ValueError:
        raise BadRequest("offset must be a whole number") from None
    shown = result["courses"][offset:offset + PAGE_SIZE]
    return page("catalogue_search.html", query=query, args=args, result=result, courses=shown, offset=offset,
                page_size=PAGE_SIZE, link=lambda **changes: _link(args, **changes), roles=result["roles"])


def _roles() -> list[dict]:
    """Job roles for the form's picker, by framework then name."""
    return sorted(catalogue_index(db()).get("roles", {}).values(), key=lambda r: (r["framework"], r["name"].casefold()))


def _pasted(text: str) -> list:
    """Pasted credentials: one JSON credential or a JSON array of them, else JWTs separated by white space."""
    text = text.strip()
    if not text:
        return []
    if text[0] in "{[":
        try:
            parsed = strict_loads(text.encode("utf-8"))
        except JsonError:
            return [text]  # the report says it could not be read
        return parsed if isinstance(parsed, list) else [parsed]
    return text.split()


def _form_items() -> list:
    request.max_content_length = MAX_FORM_BYTES
    request.max_form_memory_size = MAX_VERIFY_BYTES
    items: list = []
    files = [f for f in request.files.getlist("file") if f and f.filename]
    if len(files) > MAX_FILES:
        raise BadRequest(f"upload at most {MAX_FILES} files")
    items += [_limit(f.stream.read(MAX_VERIFY_BYTES + 1)) for f in files]
    items += _pasted(request.form.get("credentials", ""))
    urls = request.form.get("urls", "").split()
    if len(urls) > MAX_URLS:
        raise BadRequest(f"give at most {MAX_URLS} links")
    items += [{"url": url} for url in urls]
    cap = service().config["COVERAGE_MAX_CREDENTIALS"]
    if len(items) > cap:
        raise BadRequest(f"a gap report takes at most {cap} credentials")
    return items


@bp.get("/gap-report")
def gap_report_form():
    """The learner's gap report form: credentials (files, pasted or links) and a target job role."""
    return page("gap_report.html", roles=_roles(), chosen=request.args.get("role"), report=None, error=None,
                max_urls=MAX_URLS, cache="no-store")


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_exc):
    return page("gap_report.html", roles=_roles(), chosen=None, report=None, max_urls=MAX_URLS, status=413,
                error=f"the upload is larger than {MAX_FORM_BYTES // (1024 * 1024)} MB", cache="no-store")


@bp.post("/gap-report")
@within_budget
def gap_report_submit():
    """The plan: the role's coverage, the courses for each gap, the smallest set of courses."""
    chosen = request.form.get("role")
    try:
        items = _form_items()
        role = role_reference(chosen)
        if not items:
            raise BadRequest("add at least one credential: a file, a pasted credential or a link")
        email = request.form.get("email", "").strip()
        report = gap_report(items, role, {"email": email[:320]} if email else None)
    except IssuerError as exc:
        return page("gap_report.html", roles=_roles(), chosen=chosen, report=None, error=exc.detail,
                    max_urls=MAX_URLS, status=exc.http_status, cache="no-store")
    return page("gap_report.html", roles=_roles(), chosen=chosen, report=report, error=None, max_urls=MAX_URLS,
                cache="no-store")
