"""Provider API for claim offers (wallet pickup): make, withdraw, and the offer in issuance answers.

``POST /api/v1/credentials/<id>/offer`` (``{"txCode": true}`` optional) answers 201 with the offer
object; ``DELETE`` withdraws the open offer. Both need the scope ``credentials:issue`` (an offer's
secrets claim the credential). See :mod:`issuer.exchanges.offers`.
"""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, jsonify, request

from ..status import revocation
from ..store import tenants
from ..errors import ValidationFailed
from ..exchanges import offers
from .context import committing, current_provider, db_write, requires, service
from .requests import json_body

__all__ = ["bp", "offer_for", "parse_offer_option"]

bp = Blueprint("offers", __name__, url_prefix="/api/v1")


def parse_offer_option(value) -> dict | None:
    """``true`` / ``{"txCode": bool}`` → ``{"tx_code": bool}``; ``false``/absent → None."""
    if value is None or value is False:
        return None
    if value is True:
        return {"tx_code": False}
    if isinstance(value, dict) and set(value) <= {"txCode"} and isinstance(value.get("txCode", False), bool):
        return {"tx_code": value.get("txCode", False)}
    raise ValidationFailed('offer must be true or {"txCode": true|false}',
                           errors=[{"path": "/offer", "message": "expected a boolean or {\"txCode\": boolean}"}])


def offer_for(session, credential, *, tx_code: bool) -> dict:
    """Make an offer for ``credential`` in ``session`` (the caller commits); its object."""
    svc = service()
    offer, token, pin = offers.create_offer(session, credential, now=svc.clock(),
                                            ttl=timedelta(days=svc.config["OFFER_TTL_DAYS"]),
                                            master=svc.config["SECRET_KEY"], new_id=svc.new_id, tx_code=tx_code)
    issuer_id = tenants.issuer_did(credential.issuer, svc.base_url)
    return offers.offer_object(offer, token, svc.base_url, svc.config["SECRET_KEY"], issuer_id, pin)


@bp.post("/credentials/<credential_id>/offer")
@requires("credentials:issue")
def create_offer(credential_id: str):
    """A new private claim offer (the earlier open one is withdrawn): 201 + the offer object."""
    current_provider()
    body = json_body(service().config["MAX_CONTENT_LENGTH"]) if request.get_data(cache=True) else {}
    if not isinstance(body, dict):
        raise ValidationFailed("the body must be a JSON object")
    option = parse_offer_option(body or True) or {"tx_code": False}
    session = db_write()
    provider = current_provider(session)
    with committing(session):
        credential = revocation.get_owned(session, provider, credential_id, for_update=True)
        body = offer_for(session, credential, tx_code=option["tx_code"])
    return jsonify(body), 201


@bp.delete("/credentials/<credential_id>/offer")
@requires("credentials:issue")
def withdraw_offer(credential_id: str):
    """Withdraw the credential's open offers: ``{"revoked": n}``."""
    session = db_write()
    provider = current_provider(session)
    with committing(session):
        revocation.get_owned(session, provider, credential_id, for_update=True)
        count = offers.revoke_offers(session, credential_id, now=service().clock())
    return jsonify({"id": credential_id, "revoked": count})
