"""The Skills Hub's public catalogue search and the learner's gap report (issue #14 §2).

* ``GET /api/v1/catalogue``: courses filtered by job role, skill, EQF level, language, form of
  participation, country and provider, with result counts per filter value (facets); see
  :mod:`issuer.skills.search`.
* ``POST /api/v1/gap-report``: a holder's credentials (objects, JWTs or ``{"url"}`` links, each
  verified as ``POST /api/v1/verify`` does) and a target job role give the role's coverage, the
  courses closing each gap and the smallest set of courses completing the role
  (:mod:`issuer.skills.gaps`). Nothing is stored: the answer is ``Cache-Control: no-store`` and
  the credentials are not kept, not even in the logs.

The pages ``/catalogue`` and ``/gap-report`` (:mod:`issuer.web.hub`) use the same functions.
"""
from __future__ import annotations

from flask import Blueprint, jsonify, request

from ..errors import BadRequest, NotFound, ValidationFailed
from ..skills import search as catalogue_search
from ..skills.coverage_report import coverage_for, course_ref
from ..store import queries
from ..store.catalogue_index import catalogue_index
from ..verify.runtime import load_url
from . import limits
from .context import db, service
from .public import json_response
from .verification import count_credentials, holder_of, json_request_body, within_budget

__all__ = ["bp", "run_search", "course_json", "gap_report", "role_reference", "MAX_LIMIT", "MAX_URLS"]

bp = Blueprint("hub", __name__)

MAX_LIMIT = 100
MAX_URLS = 5
KNOWN = set(catalogue_search.FILTERS) | {"limit", "offset"}


def _page_args(args) -> tuple[int, int]:
    try:
        limit = int(args.get("limit") or 50)
        offset = int(args.get("offset") or 0)
    except ValueError:
        raise BadRequest(f"limit (1-{MAX_LIMIT}) and offset (0 or more) must be whole numbers") from None
    if not 1 <= limit <= MAX_LIMIT or not 0 <= offset <= 1_000_000:
        raise BadRequest(f"limit must be 1 to {MAX_LIMIT} and offset 0 to 1000000")
    return limit, offset


def run_search(args) -> tuple[dict, dict]:
    """``(query, result)`` of :func:`issuer.skills.search.search` for the request's query
    parameters ``args``; a malformed filter is :class:`BadRequest` naming it."""
    try:
        query = catalogue_search.parse_query(args)
    except ValueError as exc:
        raise BadRequest(str(exc)) from None
    index = catalogue_index(db())
    return query, {**catalogue_search.search(index, query), "roles": index["roles"]}


def course_json(course: dict, roles: dict) -> dict:
    """One search result: :func:`~issuer.skills.coverage_report.course_ref` plus ``description``,
    ``translations``, ``ects``, the provider's ``countries`` and issuer page, ``skills`` and ``roles``
    (each with its page URL)."""
    base = service().base_url
    provider = course["provider"]
    return {**course_ref(course, base), "description": course["description"],
            "translations": course.get("translations") or {}, "ects": course["ects"],
            "countries": provider["countries"],
            "issuerUrl": f"{base}/issuers/{provider['issuer']}" if provider["issuer"] else None,
            "skills": [{"framework": s["framework"], "code": s["code"], "name": s["name"], "level": s["level"],
                        "url": f"{base}/skills/{s['framework']}/{s['code']}"} for s in course["skills"]],
            "roles": [{"framework": roles[k]["framework"], "code": roles[k]["code"], "name": roles[k]["name"],
                       "url": f"{base}/roles/{roles[k]['framework']}/{roles[k]['code']}"} for k in course["roles"]]}


@bp.get("/api/v1/catalogue")
def search_catalogue():
    """Search the public catalogue: the filters of :mod:`issuer.skills.search`, ``limit`` (1-100,
    default 50) and ``offset``; answers ``{"total", "offset", "limit", "courses": [...], "facets"}``."""
    unknown = sorted(set(request.args) - KNOWN)
    if unknown:
        raise BadRequest(f"unknown query parameter(s): {', '.join(unknown)}; known: {', '.join(sorted(KNOWN))}")
    limit, offset = _page_args(request.args)
    _query, result = run_search(request.args)
    courses = [course_json(c, result["roles"]) for c in result["courses"][offset:offset + limit]]
    return json_response({"total": result["total"], "offset": offset, "limit": limit, "courses": courses,
                          "facets": result["facets"]}, max_age=60)


def role_reference(value) -> tuple[str, str]:
    """``"<framework>/<role code>"`` of a stored job role as ``(framework, code)``; anything else is
    :class:`ValidationFailed`."""
    if not isinstance(value, str) or value.count("/") != 1 or len(value) > 129:
        raise ValidationFailed("role must be \"<framework code>/<job role code>\", e.g. \"DRIVES-ACM/EV-CHG-TECH\"")
    framework, code = value.split("/")
    if queries.role_by_code(db(), framework, code) is None:
        raise ValidationFailed(f"unknown job role {value!r}")
    return framework, code


def _fetch(item):
    """A ``{"url"}`` item fetched (rate limited as verification by URL); other items as given.
    A fetch that fails is returned as the error, to be reported for that item."""
    if isinstance(item, dict) and set(item) == {"url"}:
        limits.check("verify_url", request.remote_addr or "")
        try:
            return load_url(service(), item["url"])
        except (BadRequest, NotFound) as exc:
            return exc
    return item


def gap_report(items: list, role: tuple[str, str], holder: dict | None = None, *,
               include_unknown: bool = False) -> dict:
    """The learner's gap report for job role ``role`` = (framework, code) from ``items``
    (credentials, JWTs, bytes of baked images or files, ``{"url"}``): ``{"role": {"framework",
    "code", "name", "url"}, "credentials": [per-item result], "counted", "skillsHeld", "coverage":
    {covered, partial, missing (each gap with "courses"), counts, percentage}, "plan", "stored":
    false}``. At most :data:`MAX_URLS` links; a malformed link is :class:`ValidationFailed`."""
    if sum(1 for i in items if isinstance(i, dict) and set(i) == {"url"}) > MAX_URLS:
        raise ValidationFailed(f"a gap report fetches at most {MAX_URLS} links")
    fetched = [_fetch(item) for item in items]
    failed = {i: f"could not load the link: {exc}" for i, exc in enumerate(fetched) if isinstance(exc, Exception)}
    counted, checked = count_credentials([f for f in fetched if not isinstance(f, Exception)], holder,
                                         include_unknown=include_unknown)
    results, checked_iter = [], iter(checked)
    for i in range(len(fetched)):
        results.append({"verified": False, "counted": False, "reason": failed[i]} if i in failed
                       else next(checked_iter))
    coverage = coverage_for(db(), service().base_url, counted, role=role)
    entry = coverage["roles"][0]
    plan = entry.pop("plan")
    head = {k: entry.pop(k) for k in ("framework", "code", "name", "url")}
    for k in ("description", "escoUri"):
        entry.pop(k, None)
    return {"role": head, "credentials": results, "counted": len(counted), "skillsHeld": coverage["skillsHeld"],
            "coverage": entry, "plan": plan, "stored": False}


@bp.post("/api/v1/gap-report")
@within_budget
def gap_report_json():
    """``{"credentials": [credential | JWT | {"url"}], "role": "<framework>/<code>", "holder"?:
    {"email"} | {"id"}, "includeUnknownIssuers"?}`` → :func:`gap_report`."""
    body = json_request_body()
    cap = service().config["COVERAGE_MAX_CREDENTIALS"]
    items = body.get("credentials") if isinstance(body, dict) else None
    if not isinstance(items, list) or not 1 <= len(items) <= cap:
        raise ValidationFailed(f"send {{\"credentials\": [1 to {cap} credentials, JWTs or {{\"url\": ...}}], "
                               f"\"role\": \"<framework>/<job role code>\"}}")
    holder = holder_of(body)
    report = gap_report(items, role_reference(body.get("role")), holder,
                        include_unknown=body.get("includeUnknownIssuers") is True)
    response = jsonify(report)
    response.headers["Cache-Control"] = "no-store"
    return response
