"""RFC 9457 problem details for every error, never a stack trace."""
from __future__ import annotations

import logging

from flask import Response, g, has_request_context, json, request
from werkzeug.exceptions import HTTPException

from ..errors import PROBLEM_BASE, IssuerError

__all__ = ["init_errors", "problem_response"]

log = logging.getLogger("issuer")
PROBLEM_JSON = "application/problem+json"


def problem_response(problem: dict, status: int) -> Response:
    if has_request_context() and g.get("request_id"):
        problem = {**problem, "requestId": g.request_id}
    response = Response(json.dumps(problem, ensure_ascii=False), status=status, mimetype=PROBLEM_JSON)
    response.headers["Cache-Control"] = "no-store"
    return response


def _wants_html() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "application/problem+json", "text/html"])
    return best == "text/html" and not request.path.startswith("/api/")


def init_errors(app) -> None:
    @app.errorhandler(IssuerError)
    def _issuer_error(exc: IssuerError):
        response = problem_response(exc.to_problem(), exc.http_status)
        if exc.http_status == 401:
            # RFC 9110 §11.6.1 (a 401 carries a challenge), RFC 6750 §3 (Bearer).
            error = ', error="invalid_token"' if request.headers.get("Authorization") else ""
            response.headers["WWW-Authenticate"] = f'Bearer realm="issuer"{error}'
        return response

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        html_404 = app.extensions.get("issuer_html_404")
        if exc.code == 404 and html_404 is not None and _wants_html():
            return html_404()
        code = (exc.name or "error").lower().replace(" ", "_")
        problem = {"type": PROBLEM_BASE + code, "title": exc.name, "status": exc.code,
                   "detail": exc.description, "code": code}
        response = problem_response(problem, exc.code or 500)
        if exc.code == 405 and hasattr(exc, "valid_methods") and exc.valid_methods:
            response.headers["Allow"] = ", ".join(exc.valid_methods)
        return response

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):  # a bug: log it, show no internals
        log.exception("unhandled error on %s %s", request.method, request.path)
        problem = {"type": PROBLEM_BASE + "internal_error", "title": "Internal error", "status": 500,
                   "detail": "The server hit an unexpected error; it has been logged.", "code": "internal_error"}
        return problem_response(problem, 500)
