"""Public exports of a hosted credential: the printable PDF certificate and the unsealed ELM
(Europass) copy, and the SHACL shape of an unsealed copy that the copy names in its
``credentialSchema``. Thin routes: the documents are made by :mod:`issuer.delivery`."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, json, request

from ..delivery import artifacts, elm, pdf
from ..delivery.record import credential_record
from ..errors import Conflict
from .context import service
from .public import find_credential

bp = Blueprint("exports", __name__)


def _record(row):
    course = row.course
    uploaded_svg = course.image is not None and course.image.media_type == "image/svg+xml"
    return credential_record(row, service().base_url, badge_png=artifacts.badge_png(course),
                             badge_svg=artifacts.badge_svg(course) if uploaded_svg else b"")


def _pdf_cache() -> pdf.PdfCache:
    return current_app.extensions.setdefault("issuer_pdf_cache", pdf.PdfCache())


def _disposition(kind: str, filename: str) -> str:
    return f'{kind}; filename="{filename}"'


@bp.get("/credentials/<credential_id>.pdf")
def certificate_pdf(credential_id: str):
    """The A4 certificate. The ETag is the hash of the page's content (status included), so a
    revalidating client gets 304 without a new rendering, and never a stale status."""
    row = find_credential(credential_id)
    certificate = pdf.Certificate(_record(row), now=service().clock(), cache=_pdf_cache())
    etag = certificate.key[:32]
    if etag in request.if_none_match:
        response = Response(status=304)
    else:
        response = Response(certificate.pdf(), mimetype=pdf.MEDIA_TYPE)
        kind = "attachment" if request.args.get("download") else "inline"
        response.headers["Content-Disposition"] = _disposition(kind, f"certificate-{row.id}.pdf")
    response.set_etag(etag)
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/credentials/<credential_id>.elm.json")
def credential_elm(credential_id: str):
    """The unsealed ELM ``EuropeanDigitalCredential``; 409 problem when the issuer profile lacks
    what ELM requires, or when the credential is revoked or suspended."""
    row = find_credential(credential_id)
    if row.status != "active":
        raise Conflict(f"this credential is {row.status}; a {row.status} credential has no Europass copy",
                       credentialStatus=row.status)
    document = elm.build_elm(_record(row))
    response = Response(json.dumps(document, ensure_ascii=False, indent=2), mimetype=elm.MEDIA_TYPE)
    response.headers["Content-Disposition"] = _disposition("attachment", f"credential-{row.id}.elm.json")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get(elm.UNSEALED_SHAPE_PATH)
def unsealed_copy_shape():
    """The SHACL shape (Turtle) of an unsealed ELM copy: no proof, names its signed OB original."""
    response = Response(elm.unsealed_shape(), mimetype="text/turtle")
    response.headers["Cache-Control"] = "public, max-age=86400"
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
