"""An issuer profile's legal identity through the API: the legal identifier (VAT number, eIDAS
legal person identifier or national registry number) and the country that the European Learning
Model requires of every issuer (issue #15; docs/elm-export.md).

``GET /api/v1/issuers/<slug>/legal-identity`` (scope ``catalogue:read``) and ``PUT`` (scope
``catalogue:write``) with ``{"country", "legalIdentifier", "legalIdentifierScheme"}``: each a
string or null, a missing member counts as null (PUT replaces the three). The answer adds
``elmExport``: ``{"available": bool, "missing": [...]}``, what the Europass export of the issuer's
credentials still needs (the same list as its 409 problem). Bad values answer 422 naming the
member. The console's Settings page and ``issuer provider legal-id`` set the same fields.
"""
from __future__ import annotations

import logging

from flask import Blueprint, jsonify

from ..delivery.elm import issuer_gaps
from ..errors import ValidationFailed
from ..store import tenants
from .context import committing, current_provider, db, db_write, principal, requires
from .requests import json_body

__all__ = ["bp", "legal_identity_body", "MEMBERS"]

bp = Blueprint("legal_identity", __name__, url_prefix="/api/v1/issuers")
log = logging.getLogger(__name__)

MEMBERS = ("country", "legalIdentifier", "legalIdentifierScheme")


@bp.after_request
def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


def legal_identity_body(issuer) -> dict:
    """``{"issuer", "country", "legalIdentifier", "legalIdentifierScheme", "elmExport"}``."""
    body = {"issuer": issuer.slug, **tenants.legal_identity_json(issuer)}
    missing = issuer_gaps(issuer.country_code, issuer.legal_identifier)
    body["elmExport"] = {"available": not missing, "missing": missing}
    return body


def _read_body() -> dict:
    body = json_body(16 * 1024)
    if not isinstance(body, dict):
        raise ValidationFailed('send {"country", "legalIdentifier", "legalIdentifierScheme"} (strings or null)')
    errors = [{"path": f"/{key}", "message": "not a member of the legal identity"} for key in body
              if key not in MEMBERS]
    errors += [{"path": f"/{key}", "message": "a string or null"} for key in MEMBERS
               if key in body and body[key] is not None and not isinstance(body[key], str)]
    if errors:
        raise ValidationFailed('send {"country", "legalIdentifier", "legalIdentifierScheme"} (strings or null)',
                               errors=errors)
    return body


@bp.get("/<slug>/legal-identity")
@requires("catalogue:read")
def get_legal_identity(slug: str):
    """The issuer's legal identity and whether its credentials have a Europass (ELM) export."""
    return jsonify(legal_identity_body(tenants.get_issuer(db(), slug, current_provider())))


@bp.put("/<slug>/legal-identity")
@requires("catalogue:write")
def put_legal_identity(slug: str):
    """Replace the issuer's legal identity; answers it as ``GET`` does. Exports made from now on
    (PDF and ELM are made on request) show it; signed credentials are not changed."""
    body = _read_body()
    session = db_write()
    issuer = tenants.get_issuer(session, slug, current_provider(session))
    with committing(session):
        country, ident, scheme = tenants.legal_identity(body.get("country"), body.get("legalIdentifier"),
                                                        body.get("legalIdentifierScheme"))
        issuer.country_code, issuer.legal_identifier, issuer.legal_identifier_scheme = country, ident, scheme
    log.info("issuer legal identity set", extra={"event": "issuer.legal_identity", "issuer": slug,
                                                 "actor": principal().actor})
    return jsonify(legal_identity_body(issuer))
