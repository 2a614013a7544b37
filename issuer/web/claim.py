"""The learner's private claim page (``/claim/<token>``) and the VCALM interaction URL
(``/interactions/<exchange id>?iuv=1``): JSON ``{"protocols"}`` for wallets, a page for people.

The claim page shows QR codes and buttons for both wallet protocols (OID4VCI, the Learner
Credential Wallet) and the plain downloads; it is never cached, never indexed and sends no
referrer, since its URL is the learner's secret. The public credential page offers no pickup.
"""
from __future__ import annotations

import base64

from flask import Blueprint, Response, json, request

from ..store import tenants
from ..delivery.qr import qr_svg
from ..errors import IssuerError, NotFound
from ..exchanges import codes
from ..exchanges.offers import find_offer, links, offer_problem
from ..api.context import db, service
from ..api.exchanges import exchange_protocols
from .pages import credential_view
from .render import not_found_page, page

__all__ = ["bp"]

bp = Blueprint("claim", __name__)


def _qr(data: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(qr_svg(data)).decode("ascii")


def _claim_page(offer, secrets):
    svc = service()
    session = db()
    urls = links(svc.base_url, secrets, tenants.issuer_did(offer.credential.issuer, svc.base_url))
    problem = offer_problem(session, offer, svc.clock())
    wallets = {
        "oid4vci": {"href": urls.openid4vci, "qr": _qr(urls.openid4vci)},
        "lcw": {"href": urls.lcw, "qr": _qr(urls.lcw), "interaction": urls.interaction_url},
    }
    response = page("claim.html", c=credential_view(offer.credential), wallets=wallets,
                    problem=problem[0] if problem else None, expires=offer.expires_at,
                    tx_code=offer.tx_code_hash is not None, cache="no-store")
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


@bp.get("/claim/<token>")
def claim_page(token: str):
    """The learner's claim page; an unknown token answers the friendly 404."""
    try:
        offer = find_offer(db(), claim_token=token)
    except NotFound:
        return not_found_page()
    return _claim_page(offer, codes.derive(service().config["SECRET_KEY"], claim_token=token))


@bp.get("/interactions/<exchange_id>")
def interaction(exchange_id: str):
    """VCALM interaction URL: JSON protocols to wallets (``Accept: application/json``), else the page."""
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    if best == "application/json" or request.args.get("format") == "json":
        try:
            body, status = exchange_protocols(exchange_id), 200
        except IssuerError as exc:
            body, status = exc.to_problem(), exc.http_status
        response = Response(json.dumps(body), status=status,
                            mimetype="application/json" if status == 200 else "application/problem+json")
        response.headers["Cache-Control"] = "no-store"
        response.vary.add("Accept")
        return response
    try:
        offer = find_offer(db(), exchange_id=exchange_id)
    except NotFound:
        return not_found_page()
    response = _claim_page(offer, codes.derive(service().config["SECRET_KEY"], exchange_id=exchange_id))
    response.vary.add("Accept")
    return response
