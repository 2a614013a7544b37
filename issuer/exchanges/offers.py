"""Claim offers: one private offer per credential, carrying both wallet protocols.

An offer is made by the provider (``POST /api/v1/credentials/<id>/offer``, or ``"offer": true`` at
issuance). Its object holds the learner's private ``claimUrl``, the OID4VCI credential offer
(``openid-credential-offer://?credential_offer_uri=…``, OID4VCI 1.0 §4.1), the Learner Credential
Wallet's legacy direct deep link and its ``request=`` form, the VCALM interaction URL (``iuv=1``),
``expiresAt`` and, when asked for, the ``txCode`` (PIN; OID4VCI §4.1.1 ``tx_code``), shown once.

A PIN guards both protocols. OID4VCI wallets send it to the token endpoint. VC API wallets (LCW)
cannot send one, so the VC API links of an offer with a PIN carry a tag derived from the PIN
(:func:`issuer.exchanges.codes.pin_tag`): the claim page shows them only after the learner typed the
PIN there (:func:`check_tx_code`, the same count of wrong tries as the token endpoint), and the bare
exchange id, which the OpenID credential offer shows, opens nothing (:class:`PinRequired`).

A newer offer supersedes (revokes) the open ones of the same credential; a claimed credential gets
no new offer (it has a holder). Times are aware UTC datetimes; ``ttl`` is a timedelta.
"""
from __future__ import annotations

import hmac
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import quote, urlencode

from ..errors import Conflict, IssuerError, NotFound
from ..store import offers as store
from ..store.models import Credential, CredentialOffer
from ..badges.timestamps import as_utc, iso_z
from . import codes

__all__ = ["WORKFLOW", "TX_CODE_LENGTH", "OfferLinks", "links", "create_offer", "revoke_offers", "find_offer",
           "offer_problem", "claim_summary", "LCW_REQUEST_PAGE", "PinRequired", "find_exchange", "offer_links",
           "check_tx_code"]

WORKFLOW = "claim"
TX_CODE_LENGTH = 6
LCW_REQUEST_PAGE = "https://lcw.app/request.html"


class PinRequired(IssuerError):
    """403: a VC API link of an offer with a PIN, without the tag that entering the PIN reveals."""

    code, title, http_status = "tx_code_required", "This offer needs its PIN", 403


@dataclass(frozen=True)
class OfferLinks:
    """Every URL of one offer (all derived from its exchange id)."""

    exchange_url: str
    credential_offer_uri: str
    openid4vci: str
    interaction_url: str
    lcw: str
    lcw_request: str


def links(base_url: str, secrets: codes.OfferSecrets, issuer_id: str, pin_tag: str | None = None) -> OfferLinks:
    """The offer's URLs. ``issuer_id`` (the issuer's DID) is the LCW link's ``issuer`` parameter;
    ``pin_tag`` (offers with a PIN) is appended to the exchange id in the VC API links."""
    vcapi_id = secrets.exchange_id + (f".{pin_tag}" if pin_tag else "")
    exchange_url = f"{base_url}/workflows/{WORKFLOW}/exchanges/{vcapi_id}"
    offer_uri = f"{base_url}/oid4vci/credential-offer/{secrets.exchange_id}"
    lcw = LCW_REQUEST_PAGE + "?" + urlencode({"issuer": issuer_id, "auth_type": "bearer",
                                              "challenge": secrets.challenge, "vc_request_url": exchange_url})
    request = json.dumps({"credentialRequestOrigin": base_url, "protocols": {"vcapi": exchange_url}},
                         separators=(",", ":"))
    return OfferLinks(
        exchange_url=exchange_url, credential_offer_uri=offer_uri,
        openid4vci="openid-credential-offer://?credential_offer_uri=" + quote(offer_uri, safe=""),
        interaction_url=f"{base_url}/interactions/{vcapi_id}?iuv=1",
        lcw=lcw, lcw_request=LCW_REQUEST_PAGE + "?request=" + quote(request, safe=""))


def offer_links(offer: CredentialOffer, secrets: codes.OfferSecrets, base_url: str, master: str,
                issuer_id: str) -> OfferLinks:
    """Every URL of ``offer``, with the PIN tag in its VC API links when it has a PIN."""
    tag = codes.pin_tag(master, secrets.exchange_id, offer.tx_code_hash) if offer.tx_code_hash else None
    return links(base_url, secrets, issuer_id, tag)


def offer_object(offer: CredentialOffer, claim_token: str, base_url: str, master: str, issuer_id: str,
                 tx_code: str | None) -> dict:
    """The provider's view of a fresh offer (the only time its secrets are shown). With a PIN, the
    VC API links (``lcw``, ``lcwRequest``, ``interactionUrl``, ``vcapi``) work without it: learners
    should get the ``claimUrl`` and the PIN, not these links."""
    secrets = codes.derive(master, claim_token=claim_token)
    urls = offer_links(offer, secrets, base_url, master, issuer_id)
    body = {"id": offer.id, "credentialId": offer.credential_id, "claimUrl": f"{base_url}/claim/{claim_token}",
            "openid4vci": urls.openid4vci, "lcw": urls.lcw, "lcwRequest": urls.lcw_request,
            "interactionUrl": urls.interaction_url, "vcapi": urls.exchange_url, "expiresAt": iso_z(offer.expires_at)}
    if tx_code:
        body["txCode"] = tx_code
    return body


def create_offer(session, credential: Credential, *, now: datetime, ttl: timedelta, master: str,
                 new_id, tx_code: bool = False) -> tuple[CredentialOffer, str, str | None]:
    """A new offer for ``credential``: returns (row, claim token, PIN or None). The caller commits.

    Raises Conflict (``already_claimed``) when the credential has a holder and Conflict
    (``credential_not_active``) when it is revoked or suspended. Open offers are revoked.
    """
    if store.claim_of(session, credential.id) is not None:
        raise Conflict("this credential was already claimed into a wallet; it cannot be offered again",
                       code_hint="already_claimed")
    if credential.status != "active":
        raise Conflict(f"the credential is {credential.status}; only an active credential can be offered",
                       code_hint="credential_not_active")
    revoke_offers(session, credential.id, now=now)
    token = codes.new_claim_token()
    secrets = codes.derive(master, claim_token=token)
    offer = CredentialOffer(id=new_id(), credential_id=credential.id, provider_id=credential.provider_id,
                            claim_hash=codes.digest(token), exchange_hash=codes.digest(secrets.exchange_id),
                            code_hash=codes.digest(secrets.pre_authorized_code), tx_code_failures=0,
                            state="open", created_at=now, expires_at=now + ttl)
    pin = None
    if tx_code:
        pin = codes.new_tx_code(TX_CODE_LENGTH)
        offer.tx_code_hash = codes.hash_tx_code(master, offer.id, pin)
        offer.tx_code_length = TX_CODE_LENGTH
    store.add_offer(session, offer)
    return offer, token, pin


def revoke_offers(session, credential_id: str, *, now: datetime) -> int:
    """Revoke the credential's open (or locked) offers; the number revoked."""
    return store.revoke_open_offers(session, credential_id, now)


def find_offer(session, *, claim_token: str | None = None, exchange_id: str | None = None,
               code: str | None = None, access_token: str | None = None, for_update: bool = False
               ) -> CredentialOffer:
    """The offer named by one of its secrets, or NotFound. ``for_update`` locks the row."""
    secret, value = next(((k, v) for k, v in (("claim_token", claim_token), ("exchange_id", exchange_id),
                                               ("code", code), ("access_token", access_token)) if v is not None),
                         ("claim_token", None))
    if not isinstance(value, str) or not 0 < len(value) <= 200:
        raise NotFound("no such offer")
    offer = store.find_offer(session, secret, codes.digest(value), for_update=for_update)
    if offer is None:
        raise NotFound("no such offer")
    return offer


def find_exchange(session, vcapi_id: str, master: str, *, for_update: bool = False
                  ) -> tuple[CredentialOffer, codes.OfferSecrets]:
    """The offer behind a VC API exchange id (``<exchange id>`` or ``<exchange id>.<PIN tag>``) and
    its secrets. NotFound for an unknown id or a wrong tag; :class:`PinRequired` for the bare id of
    an offer with a PIN."""
    exchange_id, dot, tag = (vcapi_id or "").partition(".")
    offer = find_offer(session, exchange_id=exchange_id, for_update=for_update)
    if offer.tx_code_hash:
        if not dot:
            raise PinRequired("this offer is protected by a PIN: open the claim link, enter the PIN there and use "
                              "the wallet link it shows then, or use an OpenID wallet, which asks for the PIN")
        if not hmac.compare_digest(tag.encode(), codes.pin_tag(master, exchange_id, offer.tx_code_hash).encode()):
            raise NotFound("no such offer")
    elif dot:
        raise NotFound("no such offer")
    return offer, codes.derive(master, exchange_id=exchange_id)


def check_tx_code(offer: CredentialOffer, pin, master: str, tries: int) -> int | None:
    """Check the PIN of ``offer``: None when it is right, else the number of tries left after
    counting this wrong one (0: the offer is now ``locked``). The caller commits either way."""
    given = pin[:64] if isinstance(pin, str) else ""
    if offer.tx_code_hash and hmac.compare_digest(codes.hash_tx_code(master, offer.id, given), offer.tx_code_hash):
        return None
    offer.tx_code_failures += 1
    left = max(0, tries - offer.tx_code_failures)
    if left == 0:
        offer.state = "locked"
    return left


def offer_problem(session, offer: CredentialOffer, now: datetime) -> tuple[str, str] | None:
    """Why the offer cannot be used now, as (code, sentence), or None when it can.

    Codes: ``revoked``, ``locked``, ``expired``, ``already_claimed``, ``credential_revoked``,
    ``credential_suspended``.
    """
    if store.claim_of(session, offer.credential_id) is not None:
        return "already_claimed", "this credential was already claimed into a wallet"
    if offer.state == "revoked":
        return "revoked", "this offer was withdrawn by the issuer; ask them for a new one"
    if offer.state == "locked":
        return "locked", "too many wrong PINs: this offer is locked; ask the issuer for a new one"
    if as_utc(offer.expires_at) <= now:
        return "expired", "this offer has expired; ask the issuer for a new one"
    status = offer.credential.status
    if status != "active":
        return f"credential_{status}", f"the credential is {status}, so it cannot be claimed"
    return None


def claim_summary(session, credential_id: str) -> dict:
    """The provider's view of a credential's pickup: ``{"claimed", "claimedAt", "protocol", "holder",
    "formats", "offer": {"state", "expiresAt"} | None}``."""
    claim = store.claim_of(session, credential_id)
    offer = store.latest_offer(session, credential_id)
    out: dict = {"claimed": claim is not None, "claimedAt": iso_z(claim.claimed_at) if claim else None,
                 "protocol": claim.protocol if claim else None, "holder": claim.holder_did if claim else None,
                 "formats": list(claim.formats) if claim else []}
    out["offer"] = None if offer is None else {
        "id": offer.id, "state": "claimed" if claim is not None and claim.offer_id == offer.id else offer.state,
        "expiresAt": iso_z(offer.expires_at), "txCode": offer.tx_code_hash is not None}
    return out
