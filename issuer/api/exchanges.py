"""Wallet-facing endpoints: OID4VCI 1.0 (metadata, offer, token, nonce, credential) and VC API /
VCALM exchanges (with the LCW legacy direct link). Thin: the protocol lives in :mod:`issuer.exchanges`.

OID4VCI answers are OAuth-style JSON errors (``{"error", "error_description"}``); VC API answers
are RFC 9457 problem details. The VC API exchange id of an offer with a PIN carries the PIN tag
(:func:`issuer.exchanges.offers.find_exchange`; 403 ``tx_code_required`` without it). Bodies are capped at ``WALLET_BODY_LIMIT`` bytes.

The credential offer, token, nonce, credential and exchange-step endpoints share the rate limit
``wallet`` per client address (:mod:`issuer.api.limits`). Over it, OID4VCI answers 429
``{"error": "temporarily_unavailable", "error_description"}`` (RFC 6749 §4.1.2.1, the registered
code nearest to "slow down"), the exchange 429 problem+json ``rate_limited``; both with ``Retry-After``.
"""
from __future__ import annotations

from datetime import timedelta
from functools import wraps

from flask import Blueprint, Response, json, request

from ..errors import BadRequest, Conflict, IssuerError, NotFound, PayloadTooLarge
from ..exchanges import oid4vci, vcapi
from ..exchanges.binding import LDP_VC, ClaimRefused, claim_credential
from ..exchanges.offers import WORKFLOW, find_exchange, offer_links, offer_problem
from ..intake.strict_json import JsonError, strict_loads
from ..store import tenants
from . import limits
from .context import committing, db, db_write, service
from .provider import issuance_context

__all__ = ["bp", "settings", "exchange_protocols"]

bp = Blueprint("exchanges", __name__)
WALLET_BODY_LIMIT = 64 * 1024
RATE_LIMITED = "temporarily_unavailable"  # the OAuth error code of a 429


class Gone(IssuerError):
    """410: the offer expired, was withdrawn or locked, or its credential is no longer active."""

    code, title, http_status = "gone", "This offer can no longer be used", 410


def settings() -> oid4vci.Settings:
    """The OID4VCI settings from the service configuration."""
    svc = service()
    cfg = svc.config
    return oid4vci.Settings(base_url=svc.base_url, master=cfg["SECRET_KEY"],
                            token_ttl=timedelta(seconds=cfg["OID4VCI_TOKEN_TTL"]),
                            nonce_ttl=timedelta(seconds=cfg["OID4VCI_NONCE_TTL"]), skew=svc.clock_skew,
                            tx_code_tries=cfg["OFFER_TX_CODE_TRIES"])


def _json(body: dict, status: int = 200, *, no_store: bool = True) -> Response:
    response = Response(json.dumps(body, ensure_ascii=False), status=status, mimetype="application/json")
    if no_store:
        response.headers["Cache-Control"] = "no-store"
    return response


def _oauth_error(exc: oid4vci.OAuthError) -> Response:
    response = _json(exc.body(), exc.status)
    if exc.status == 401:
        response.headers["WWW-Authenticate"] = f'Bearer error="{exc.error}"'
    return response


def _oid4vci_limited(view):
    """Count an OID4VCI request against the ``wallet`` limit; over it, the OAuth-style 429."""
    @wraps(view)
    def limited(*args, **kwargs):
        try:
            limits.check_wallet()
        except limits.TooManyRequests as exc:
            response = _json(oid4vci.OAuthError(RATE_LIMITED, exc.detail, 429).body(), 429)
            response.headers["Retry-After"] = str(exc.retry_after)
            return response
        return view(*args, **kwargs)
    return limited


def _raw_body() -> bytes:
    if request.content_length is not None and request.content_length > WALLET_BODY_LIMIT:
        raise PayloadTooLarge(f"the body is larger than {WALLET_BODY_LIMIT} bytes")
    data = request.get_data(cache=True)
    if len(data) > WALLET_BODY_LIMIT:
        raise PayloadTooLarge(f"the body is larger than {WALLET_BODY_LIMIT} bytes")
    return data


# --- OID4VCI -----------------------------------------------------------------------------------

@bp.get("/.well-known/openid-credential-issuer")
def credential_issuer_metadata():
    """OID4VCI §12.2 Credential Issuer Metadata."""
    return _json(oid4vci.issuer_metadata(service().base_url), no_store=False)


@bp.get("/oid4vci/credential-offer/<exchange_id>")
@_oid4vci_limited
def credential_offer(exchange_id: str):
    """The Credential Offer behind ``credential_offer_uri`` (OID4VCI §4.1.3)."""
    try:
        return _json(oid4vci.credential_offer(db(), exchange_id, settings(), service().clock()))
    except NotFound:
        return _oauth_error(oid4vci.OAuthError("invalid_request", "no such credential offer", 404))
    except oid4vci.OAuthError as exc:
        return _oauth_error(exc)


@bp.post("/oid4vci/token")
@_oid4vci_limited
def token():
    """Token Endpoint, pre-authorized code grant (OID4VCI §6)."""
    try:
        if len(_raw_body()) and request.mimetype != "application/x-www-form-urlencoded":
            raise oid4vci.OAuthError("invalid_request", "send the token request as application/x-www-form-urlencoded")
        form = {k: v for k, v in request.form.items() if isinstance(v, str)}
    except PayloadTooLarge as exc:
        return _oauth_error(oid4vci.OAuthError("invalid_request", exc.detail, 413))
    except oid4vci.OAuthError as exc:
        return _oauth_error(exc)
    session = db_write()
    try:
        answer = oid4vci.token(session, form, settings(), service().clock())
        session.commit()
    except oid4vci.OAuthError as exc:
        session.commit()  # wrong-PIN counts and locks persist
        return _oauth_error(exc)
    except Exception:
        session.rollback()
        raise
    return _json(answer)


@bp.post("/oid4vci/nonce")
@_oid4vci_limited
def nonce():
    """Nonce Endpoint (OID4VCI §7)."""
    session = db_write()
    with committing(session):
        value = oid4vci.new_nonce(session, settings(), service().clock())
    return _json({"c_nonce": value})


@bp.post("/oid4vci/credential")
@_oid4vci_limited
def credential():
    """Credential Endpoint (OID4VCI §8)."""
    try:
        data = _raw_body()
        if request.mimetype != "application/json":
            raise oid4vci.OAuthError("invalid_credential_request", "send the credential request as application/json")
        try:
            body = strict_loads(data)
        except JsonError as exc:
            raise oid4vci.OAuthError("invalid_credential_request", f"the body is not acceptable JSON: {exc}") from None
    except PayloadTooLarge as exc:
        return _oauth_error(oid4vci.OAuthError("invalid_credential_request", exc.detail, 413))
    except oid4vci.OAuthError as exc:
        return _oauth_error(exc)
    session = db_write()
    try:
        answer = oid4vci.credential(session, request.headers.get("Authorization"), body, settings(),
                                    issuance_context())
        session.commit()
    except oid4vci.OAuthError as exc:
        session.rollback()
        return _oauth_error(exc)
    except Exception:
        session.rollback()
        raise
    return _json(answer)


# --- VC API / VCALM exchanges and the LCW legacy direct link ------------------------------------

def _refuse(problem: tuple[str, str] | None) -> None:
    """409 for a claimed credential ("already claimed"), 410 for a dead offer."""
    if problem is not None:
        raise (Conflict if problem[0] == "already_claimed" else Gone)(problem[1], code_hint=problem[0])


def _urls(offer, secrets):
    svc = service()
    return offer_links(offer, secrets, svc.base_url, svc.config["SECRET_KEY"],
                       tenants.issuer_did(offer.credential.issuer, svc.base_url))


def exchange_protocols(exchange_id: str) -> dict:
    """``{"protocols": {"vcapi", "OID4VCI"}}`` of a usable exchange; NotFound, PinRequired or Gone."""
    svc = service()
    session = db()
    offer, secrets = find_exchange(session, exchange_id, svc.config["SECRET_KEY"])
    _refuse(offer_problem(session, offer, svc.clock()))
    urls = _urls(offer, secrets)
    return vcapi.protocols(urls.exchange_url, urls.openid4vci)


@bp.get(f"/workflows/{WORKFLOW}/exchanges/<exchange_id>/protocols")
def protocols(exchange_id: str):
    """The exchange's protocols (VCALM): ``{"protocols": {"vcapi", "OID4VCI"}}``."""
    return _json(exchange_protocols(exchange_id))


@bp.get(f"/workflows/{WORKFLOW}/exchanges/<exchange_id>")
def exchange_state(exchange_id: str):
    """VCALM exchange state: ``{"exchange": {"id", "state"}}`` (pending / complete / invalid)."""
    svc = service()
    offer, _ = find_exchange(db(), exchange_id, svc.config["SECRET_KEY"])
    problem = offer_problem(db(), offer, svc.clock())
    state = "pending" if problem is None else "complete" if problem[0] == "already_claimed" else "invalid"
    return _json({"exchange": {"id": exchange_id, "state": state}})


@bp.post(f"/workflows/{WORKFLOW}/exchanges/<exchange_id>")
def exchange(exchange_id: str):
    """Step the exchange: ``{}`` → presentation request; ``{"verifiablePresentation"}`` (VCALM) or a
    bare presentation (LCW legacy link) → the holder-bound credential."""
    limits.check_wallet()
    data = _raw_body()
    if data.strip():
        if not (request.mimetype == "application/json" or request.mimetype.endswith("+json")):
            raise BadRequest("send the exchange body as application/json")
        try:
            body = strict_loads(data)
        except JsonError as exc:
            raise BadRequest(f"the body is not acceptable JSON: {exc}") from None
    else:
        body = {}
    if not isinstance(body, dict):
        raise BadRequest("the body must be a JSON object")
    svc = service()
    session = db_write()
    with committing(session):
        offer, secrets = find_exchange(session, exchange_id, svc.config["SECRET_KEY"], for_update=True)
        _refuse(offer_problem(session, offer, svc.clock()))
        urls = _urls(offer, secrets)
        if "verifiablePresentation" in body:
            presentation, protocol = body["verifiablePresentation"], "vcapi"
        elif body.get("type") is not None or body.get("proof") is not None:
            presentation, protocol = body, "lcw"
        elif not body:
            session.rollback()
            return _json(vcapi.presentation_request(urls.exchange_url, secrets.challenge, svc.base_url))
        else:
            raise BadRequest("send {} to start, then {\"verifiablePresentation\": ...}")
        try:
            holder = vcapi.verify_did_authentication(presentation, challenge=secrets.challenge, domain=svc.base_url,
                                                     domain_required=protocol == "vcapi")
        except vcapi.PresentationRejected as exc:
            raise BadRequest(exc.message, code_hint=exc.code) from None
        try:
            delivery = claim_credential(session, offer, holder, protocol=protocol, fmt=LDP_VC,
                                        ctx=issuance_context())
        except ClaimRefused as exc:
            raise Conflict(exc.message, code_hint=exc.code) from None
    if protocol == "lcw":
        return _json(delivery.document)
    return _json(vcapi.delivery_presentation(delivery.document))
