"""A claim offer delivered by e-mail (issue #12 §4): make the credential's private offer
(:mod:`.offers`) and queue the learner e-mail carrying its claim link (:mod:`issuer.notify.mail`),
both in the caller's transaction.

Who gets an e-mail (:func:`wants_email`): the request's ``sendEmail`` when given, else the
provider's default (``emailLearners``); only a learner identified by an e-mail address can get one.
"""
from __future__ import annotations

from datetime import timedelta

from ..errors import ValidationFailed
from ..notify import mail
from ..signing.keystore import SecretBox
from ..store import tenants
from . import offers

__all__ = ["wants_email", "offer_by_email"]


def wants_email(send_email: bool | None, provider_default: bool, learner_email: str | None) -> bool:
    """Whether to e-mail the learner. ``send_email`` True without a learner address raises
    ``ValidationFailed`` (422); the provider default skips learners without one."""
    wanted = provider_default if send_email is None else send_email
    if send_email and not learner_email:
        raise ValidationFailed("sendEmail needs the learner's e-mail address",
                               errors=[{"path": "/sendEmail", "message": "the learner has no e-mail address"}])
    return bool(wanted and learner_email)


def offer_by_email(session, service, credential, *, recipient: str, tx_code: bool = False) -> dict:
    """Make a claim offer for ``credential`` (superseding open ones) and queue the learner e-mail
    with its claim link, in the course's language; returns the offer object (as
    ``POST /api/v1/credentials/<id>/offer`` shows it). ``service`` gives the clock, ids, base URL,
    master key and ``OFFER_TTL_DAYS``. The caller commits."""
    now, master = service.clock(), service.config["SECRET_KEY"]
    offer, token, pin = offers.create_offer(session, credential, now=now,
                                            ttl=timedelta(days=service.config["OFFER_TTL_DAYS"]), master=master,
                                            new_id=service.new_id, tx_code=tx_code)
    body = offers.offer_object(offer, token, service.base_url, master,
                               tenants.issuer_did(credential.issuer, service.base_url), pin)
    mail.queue(session, provider_id=credential.provider_id, credential_id=credential.id, recipient=recipient,
               language=mail.language_for(credential.course.language), claim_url=body["claimUrl"],
               claim_expires=body["expiresAt"], box=SecretBox(master), now=now)
    return body
