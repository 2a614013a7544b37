"""Errors with machine codes, turned into RFC 9457 problem details at the HTTP edge.

No Flask here: ``issuer.api`` maps ``http_status`` and ``to_problem()`` onto responses.
"""
from __future__ import annotations

__all__ = [
    "IssuerError", "BadRequest", "ValidationFailed", "NotFound", "Unauthorized", "Conflict",
    "UnsupportedMediaType", "PayloadTooLarge", "Unprocessable", "ConfigError", "InsufficientScope",
]

PROBLEM_BASE = "https://github.com/ob3-skills-hub/issuer/blob/main/docs/problems.md#"


class IssuerError(Exception):
    """Base class: ``code`` (snake_case), ``title`` and the HTTP status used by the API."""

    code = "issuer_error"
    title = "Request failed"
    http_status = 400

    def __init__(self, detail: str, *, errors: list[dict] | None = None, **extra):
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []
        self.extra = extra

    def to_problem(self) -> dict:
        """This error as an RFC 9457 problem details dict (``type``, ``title``, ``status``, ``detail``,
        ``code``, and ``errors`` when there is a list of problems)."""
        problem = {"type": PROBLEM_BASE + self.code, "title": self.title, "status": self.http_status,
                   "detail": self.detail, "code": self.code}
        if self.errors:
            problem["errors"] = self.errors
        problem.update(self.extra)
        return problem


class BadRequest(IssuerError):
    code, title, http_status = "bad_request", "Bad request", 400


class ValidationFailed(IssuerError):
    code, title, http_status = "validation_failed", "The request body is not valid", 422


class Unprocessable(IssuerError):
    code, title, http_status = "unprocessable", "The request cannot be processed", 422


class NotFound(IssuerError):
    code, title, http_status = "not_found", "Not found", 404


class Unauthorized(IssuerError):
    code, title, http_status = "unauthorized", "Missing or invalid API key", 401


class InsufficientScope(IssuerError):
    """The credentials are valid but lack a scope (RFC 6750 §3.1 ``insufficient_scope``)."""

    code, title, http_status = "insufficient_scope", "Insufficient scope", 403


class Conflict(IssuerError):
    code, title, http_status = "conflict", "Conflict", 409


class UnsupportedMediaType(IssuerError):
    code, title, http_status = "unsupported_media_type", "Unsupported media type", 415


class PayloadTooLarge(IssuerError):
    code, title, http_status = "payload_too_large", "Payload too large", 413


class ConfigError(Exception):
    """Startup refuses a broken configuration; ``problems`` says what is wrong."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("invalid configuration:\n  - " + "\n  - ".join(problems))
