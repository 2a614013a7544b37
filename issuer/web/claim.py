"""The learner's private claim page (``/claim/<token>``) and the VCALM interaction URL
(``/interactions/<exchange id>?iuv=1``): JSON ``{"protocols"}`` for wallets, a page for people.

The claim page shows QR codes and buttons for both wallet protocols (OID4VCI, the Learner
Credential Wallet) and the plain downloads; it is never cached, never indexed and sends no
referrer, since its URL is the learner's secret. The public credential page offers no pickup.

An offer with a PIN: the OpenID wallet asks for the PIN itself, but the Learner Credential Wallet
cannot, so its part of the page is a PIN form (``POST`` to the same URL, field ``pin``). The right
PIN shows the LCW code and button (VC API links carrying the PIN tag, see
:mod:`issuer.exchanges.offers`); a wrong one counts against the same tries as the OID4VCI token
endpoint, and the last one locks the offer. The form needs no CSRF token: only a holder of the
private URL can post it, and it changes nothing but that offer's count of wrong PINs. It counts
against the wallet rate limit of the client address (:mod:`issuer.api.limits`).
"""
from __future__ import annotations

import base64

from flask import Blueprint, Response, json, request

from ..store import tenants
from ..delivery.qr import qr_svg
from ..errors import IssuerError, NotFound
from ..exchanges import codes
from ..exchanges.offers import PinRequired, check_tx_code, find_exchange, find_offer, offer_links, offer_problem
from ..api import limits
from ..api.context import db, db_write, service
from ..api.exchanges import exchange_protocols
from .pages import credential_view
from .render import not_found_page, page

__all__ = ["bp"]

bp = Blueprint("claim", __name__)
PIN_FIELD_LIMIT = 64


def _qr(data: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(qr_svg(data)).decode("ascii")


def _claim_page(session, offer, secrets, *, unlocked: bool = False, pin_error: int | None = None,
                status: int = 200):
    """The page; ``unlocked``: the right PIN was given in this request; ``pin_error``: tries left
    after a wrong one."""
    svc = service()
    urls = offer_links(offer, secrets, svc.base_url, svc.config["SECRET_KEY"],
                       tenants.issuer_did(offer.credential.issuer, svc.base_url))
    problem = offer_problem(session, offer, svc.clock())
    pin_gate = offer.tx_code_hash is not None and not unlocked
    wallets = {
        "oid4vci": {"href": urls.openid4vci, "qr": _qr(urls.openid4vci)},
        "lcw": None if pin_gate else {"href": urls.lcw, "qr": _qr(urls.lcw), "interaction": urls.interaction_url},
    }
    response = page("claim.html", status=status, c=credential_view(offer.credential), wallets=wallets,
                    problem=problem[0] if problem else None, expires=offer.expires_at,
                    tx_code=offer.tx_code_hash is not None, pin_gate=pin_gate, pin_error=pin_error,
                    pin_length=offer.tx_code_length or 6, cache="no-store")
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _enter_pin(lookup):
    """Check the posted PIN of the offer ``lookup(session, for_update)`` finds (NotFound: the 404
    page) and answer its page: unlocked, or with the tries left (400). The count is committed
    before the page is drawn from the reading session. Counted against the ``wallet`` rate limit
    (429 problem+json over it)."""
    limits.check_wallet()
    svc = service()
    session = db_write()
    try:
        offer, _ = lookup(session, True)
        left = None
        if offer.tx_code_hash is not None and offer_problem(session, offer, svc.clock()) is None:
            left = check_tx_code(offer, request.form.get("pin", "")[:PIN_FIELD_LIMIT].strip(),
                                 svc.config["SECRET_KEY"], svc.config["OFFER_TX_CODE_TRIES"])
            unlocked = left is None
        else:
            unlocked = False
        session.commit()
    except NotFound:
        session.rollback()
        return not_found_page()
    except Exception:
        session.rollback()
        raise
    offer, secrets = lookup(db(), False)
    if left is not None:
        return _claim_page(db(), offer, secrets, pin_error=left, status=400)
    return _claim_page(db(), offer, secrets, unlocked=unlocked)


@bp.get("/claim/<token>")
def claim_page(token: str):
    """The learner's claim page; an unknown token answers the friendly 404."""
    try:
        offer = find_offer(db(), claim_token=token)
    except NotFound:
        return not_found_page()
    return _claim_page(db(), offer, codes.derive(service().config["SECRET_KEY"], claim_token=token))


@bp.post("/claim/<token>")
def claim_page_pin(token: str):
    """The claim page's PIN form (offers with a PIN): the right PIN shows the LCW link."""
    master = service().config["SECRET_KEY"]
    return _enter_pin(lambda session, lock: (find_offer(session, claim_token=token, for_update=lock),
                                             codes.derive(master, claim_token=token)))


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" or request.args.get("format") == "json"


@bp.get("/interactions/<exchange_id>")
def interaction(exchange_id: str):
    """VCALM interaction URL: JSON protocols to wallets (``Accept: application/json``), else the page
    (for the bare id of an offer with a PIN: the page with the PIN form)."""
    if _wants_json():
        try:
            body, status = exchange_protocols(exchange_id), 200
        except IssuerError as exc:
            body, status = exc.to_problem(), exc.http_status
        response = Response(json.dumps(body), status=status,
                            mimetype="application/json" if status == 200 else "application/problem+json")
        response.headers["Cache-Control"] = "no-store"
        response.vary.add("Accept")
        return response
    master = service().config["SECRET_KEY"]
    try:
        offer, secrets = find_exchange(db(), exchange_id, master)
        unlocked = offer.tx_code_hash is not None
    except PinRequired:
        offer, secrets = find_offer(db(), exchange_id=exchange_id), codes.derive(master, exchange_id=exchange_id)
        unlocked = False
    except NotFound:
        return not_found_page()
    response = _claim_page(db(), offer, secrets, unlocked=unlocked)
    response.vary.add("Accept")
    return response


@bp.post("/interactions/<exchange_id>")
def interaction_pin(exchange_id: str):
    """The PIN form of the interaction page (the bare exchange id of an offer with a PIN)."""
    master = service().config["SECRET_KEY"]
    return _enter_pin(lambda session, lock: (find_offer(session, exchange_id=exchange_id, for_update=lock),
                                             codes.derive(master, exchange_id=exchange_id)))
