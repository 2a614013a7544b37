"""Downloads: baked PNG/SVG credentials, badge images and QR codes (public)."""
from __future__ import annotations

from flask import Blueprint, Response, request

from ..delivery import artifacts
from .context import service
from ..errors import NotFound
from .public import find_course, find_credential, find_issuer

bp = Blueprint("files", __name__)

# SVGs are served as images that can run nothing and load nothing.
SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"


def _file(data: bytes, media_type: str, *, filename: str | None = None, max_age: int = 300) -> Response:
    response = Response(data, mimetype=media_type)
    response.headers["Cache-Control"] = f"public, max-age={max_age}"
    response.headers["X-Content-Type-Options"] = "nosniff"
    if media_type == "image/svg+xml":
        response.headers["Content-Security-Policy"] = SVG_CSP
    if filename and request.args.get("download"):
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _form() -> bool:
    return request.args.get("form") == "jwt"


@bp.get("/credentials/<credential_id>.png")
def baked_png(credential_id: str):
    row = find_credential(credential_id)
    return _file(artifacts.baked_png(row, jwt=_form()), "image/png", filename=f"credential-{row.id}.png")


@bp.get("/credentials/<credential_id>.svg")
def baked_svg(credential_id: str):
    row = find_credential(credential_id)
    return _file(artifacts.baked_svg(row, jwt=_form()), "image/svg+xml", filename=f"credential-{row.id}.svg")


@bp.get("/credentials/<credential_id>/qr.<any(png, svg):fmt>")
def qr_code(credential_id: str, fmt: str):
    row = find_credential(credential_id)
    url = f"{service().base_url}/credentials/{row.id}/verify"
    return _file(artifacts.verify_qr(url, fmt), "image/png" if fmt == "png" else "image/svg+xml", max_age=86400)


@bp.get("/achievements/<provider>/<code>/image")
def achievement_image(provider: str, code: str):
    """The badge image: the provider's upload, or the generated default (SVG; ``?format=png``)."""
    course = find_course(provider, code)
    wants_png = request.args.get("format") == "png" or (
        course.image is not None and course.image.media_type == "image/png" and request.args.get("format") != "svg")
    if wants_png:
        return _file(artifacts.badge_png(course), "image/png")
    return _file(artifacts.badge_svg(course), "image/svg+xml")



@bp.get("/issuers/<slug>/logo")
def issuer_logo(slug: str):
    """The issuer's logo (its Profile ``image``), as uploaded in the console; 404 without one."""
    issuer = find_issuer(slug)
    if issuer.logo is None:
        raise NotFound(f"issuer {slug!r} has no logo")
    return _file(issuer.logo.data, issuer.logo.media_type)
