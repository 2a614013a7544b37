"""The credential's pages for people: the learner's page, its verification page and the
employer's job-role coverage view.

``credential_page`` and ``coverage_page`` are called by the negotiating routes of
``issuer.api`` (registered in ``app.extensions["issuer_pages"]`` by :func:`issuer.web.init_app`); ``/credentials/<id>/verify`` is HTML only and always answers a bad id with the
friendly 404 page.
"""
from __future__ import annotations

from flask import Blueprint, json

from ..api.context import db, service
from ..badges.timestamps import as_utc
from ..api.public import find_credential
from ..api.verification import credential_coverage, verify_subject, within_budget
from ..status.revocation import status_since
from . import present
from .render import absolute, not_found_page, page
from .report_view import report_view

__all__ = ["bp", "credential_page", "coverage_page"]

bp = Blueprint("web", __name__)


@bp.errorhandler(404)
def _not_found(_exc):
    return not_found_page()


def _downloads(credential_id: str, *, europass: bool = False) -> list[dict]:
    """The learner's downloads; the Europass (ELM) copy only when it can be made (an active
    credential whose issuer profile has a legal identifier and a country)."""
    base = f"/credentials/{credential_id}"
    downloads = [
        {"key": "json", "href": f"{base}.json", "type": "application/json", "file": f"credential-{credential_id}.json"},
        {"key": "jwt", "href": f"{base}.jwt", "type": "application/vc+jwt", "file": f"credential-{credential_id}.jwt"},
        {"key": "png", "href": f"{base}.png?download=1", "type": "image/png", "file": None},
        {"key": "svg", "href": f"{base}.svg?download=1", "type": "image/svg+xml", "file": None},
        {"key": "pdf", "href": f"{base}.pdf", "type": "application/pdf", "file": f"certificate-{credential_id}.pdf"}]
    if europass:
        downloads.append({"key": "elm", "href": f"{base}.elm.json", "type": "application/ld+json",
                          "file": f"credential-{credential_id}.elm.json"})
    return downloads


def credential_view(row) -> dict:
    """What the learner's page shows: the signed document's content and the hosted row's status.
    A revoked or suspended credential shows since when, and offers no sharing (``shareable``)."""
    document = json.loads(row.document)
    achievement = present.achievement_of(document)
    issued, expires = as_utc(row.valid_from), as_utc(row.valid_until)
    url = absolute(f"/credentials/{row.id}")
    name = present.text(achievement.get("name"), 300) or present.text(document.get("name"), 300) or row.course.title
    issuer = document.get("issuer")
    issuer_name = (present.text(issuer.get("name"), 300) if isinstance(issuer, dict) else None) or row.issuer.name
    return {
        "id": row.id, "url": url, "name": name, "holder": row.learner_name,
        "description": present.text(achievement.get("description")),
        "image": f"/achievements/{row.course.slug}/image",
        "og_image": absolute(f"/achievements/{row.course.slug}/image?format=png"),
        "achievement_url": f"/achievements/{row.course.slug}",
        "issuer": {"name": issuer_name, "href": f"/issuers/{row.issuer.slug}", "country": row.issuer.country_code},
        "issued": issued, "expires": expires, "status": row.status, "status_since": as_utc(status_since(db(), row)),
        "expired": expires is not None and expires < service().clock(),
        "shareable": row.status == "active",
        "facts": present.facts(achievement), "skills": present.skills(achievement),
        "evidence": present.evidence(document), "results": present.results(document),
        "downloads": _downloads(row.id, europass=row.status == "active" and bool(row.issuer.legal_identifier)
                                and bool(row.issuer.country_code)),
        "linkedin_add": present.linkedin_add_url(name=name, organisation=issuer_name, issued=issued,
                                                 expires=expires, url=url, cert_id=row.id),
        "linkedin_share": present.linkedin_share_url(url),
    }


def credential_page(row):
    return page("credential.html", c=credential_view(row))


def coverage_page(row):
    return page("coverage.html", c=credential_view(row), coverage=credential_coverage(row))


@bp.get("/credentials/<credential_id>/verify")
@within_budget
def credential_verify(credential_id: str):
    """The page a QR code or shared link opens: the hosted credential, verified on the spot."""
    row = find_credential(credential_id)
    report = verify_subject(row.document)
    coverage = credential_coverage(row) if report.verified else None
    return page("verify_report.html", report=report_view(report), coverage=coverage, cache="no-store",
                hosted={"id": row.id, "href": f"/credentials/{row.id}", "coverage": f"/credentials/{row.id}/coverage"})
