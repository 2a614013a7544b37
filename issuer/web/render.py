"""Rendering pages: security headers, caching, the friendly 404, and link helpers.

Every value a template shows goes through Jinja's autoescaping; links taken from a credential
are used only when they are http(s) URLs (``safe_url``), so a hostile document cannot smuggle in
``javascript:`` links.
"""
from __future__ import annotations

from flask import Response, render_template, request
from markupsafe import Markup

from ..api.context import service
from ..verify.trust import strip_hidden

__all__ = ["page", "not_found_page", "safe_url", "absolute", "is_local", "init_app", "CSP"]

CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


def page(template: str, *, status: int = 200, cache: str = "no-cache", **context) -> Response:
    """A rendered HTML page; it varies by language, so caches must revalidate."""
    response = Response(render_template(template, **context), status=status, mimetype="text/html")
    response.headers["Cache-Control"] = cache
    response.vary.update(("Accept", "Accept-Language", "Cookie"))
    return response


def not_found_page() -> Response:
    return page("not_found.html", status=404, cache="no-store")


def safe_url(value) -> str | None:
    """``value`` if it is an http(s) URL, else None."""
    if isinstance(value, str) and value.lower().startswith(("https://", "http://")) and len(value) <= 2000:
        return value
    return None


def absolute(path: str) -> str:
    return f"{service().base_url}{path}"


def is_local(url) -> bool:
    """True for links to this service's own pages (shown as internal links)."""
    return isinstance(url, str) and url.startswith(service().base_url + "/")


def _security_headers(response: Response) -> Response:
    # Every answer (JSON, problem+json, images, JWTs): browsers must not sniff another type.
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    if response.mimetype == "text/html":
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    return response


def _finalize(value):
    """Every ``{{ value }}`` of every page: text loses bidirectional controls and invisible
    characters (issue #9 §3), so no name can reorder or hide what is shown around it."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return strip_hidden(value)
    return value


def init_app(app) -> None:
    app.jinja_env.finalize = _finalize
    app.jinja_env.add_extension("jinja2.ext.do")
    app.after_request(_security_headers)
    app.jinja_env.globals.update(safe_url=safe_url, is_local=is_local, absolute=absolute,
                                 current_path=lambda: request.path)
    app.extensions["issuer_html_404"] = not_found_page
