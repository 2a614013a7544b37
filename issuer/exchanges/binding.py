"""Holder binding: the credential a wallet receives names the wallet's DID as its subject.

The holder-bound copy is the issued record with ``credentialSubject.id`` set to the holder's DID
(``did:key``, or ``did:jwk`` for a holder that proved a bare JWK). It keeps the record's ``id``, the
achievement, the hashed e-mail ``identifier`` and the ``credentialStatus`` entry, so the record, its
downloads and every claimed copy are one credential for status: revoking the record revokes them
all. It is signed like the record (eddsa-rdfc-2022 and VC-JWT) and self-verified before it is
stored.

At most one holder per credential: ``credential_claim.credential_id`` is unique, so two wallets
racing for one credential cannot both win, and nothing is stored unless signing succeeded.
"""
from __future__ import annotations

import copy
import json
from dataclasses import dataclass

from ..store import tenants
from ..issuance import IssuanceContext, sign_credential
from ..notify.events import record_event
from ..store import offers as store
from ..store.models import Credential, CredentialClaim, CredentialOffer

__all__ = ["FORMATS", "ClaimRefused", "bound_document", "claim_credential", "Delivery"]

LDP_VC, JWT_VC_JSON = "ldp_vc", "jwt_vc_json"
FORMATS = (LDP_VC, JWT_VC_JSON)


class ClaimRefused(Exception):
    """The credential cannot go to this holder: ``code`` is ``already_claimed``,
    ``holder_mismatch`` or ``credential_<status>``."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Delivery:
    """What a wallet receives: the JSON-LD credential (object) and the VC-JWT (compact string)."""

    claim: CredentialClaim
    document: dict
    jwt: str

    def as_format(self, fmt: str):
        """The credential as the format profile delivers it: an object (ldp_vc) or a compact JWT."""
        return self.document if fmt == LDP_VC else self.jwt


def bound_document(document: dict, holder_did: str) -> dict:
    """The unsigned holder-bound copy of a signed credential (OB 3.0 §B.1.2 AchievementSubject ``id``)."""
    unsigned = {k: copy.deepcopy(v) for k, v in document.items() if k != "proof"}
    subject = unsigned.get("credentialSubject")
    if not isinstance(subject, dict):
        raise ValueError("the stored credential has no single credentialSubject object")
    unsigned["credentialSubject"] = {"id": holder_did, **{k: v for k, v in subject.items() if k != "id"}}
    return unsigned


def claim_credential(session, offer: CredentialOffer, holder_did: str, *, protocol: str, fmt: str,
                     ctx: IssuanceContext) -> Delivery:
    """Bind the offer's credential to ``holder_did`` (or return the copy already bound to it).

    A second format for the same holder over the same offer (OID4VCI: one access token, both
    configurations) returns the stored copy, while the credential is still active. Raises
    :class:`ClaimRefused`. The caller commits.
    """
    credential: Credential = offer.credential
    claim = store.claim_of(session, credential.id)
    if claim is not None and (claim.holder_did != holder_did or claim.offer_id != offer.id
                              or claim.protocol != protocol):
        raise ClaimRefused("already_claimed", "this credential was already claimed into a wallet")
    if credential.status != "active":  # also for the second format of a started claim: nothing after a change
        raise ClaimRefused(f"credential_{credential.status}",
                           f"the credential is {credential.status}, so it cannot be claimed")
    if claim is not None:
        if fmt not in claim.formats:
            claim.formats = [*claim.formats, fmt]
        return Delivery(claim, json.loads(claim.document), claim.jwt)
    if credential.subject_id and credential.subject_id != holder_did:
        raise ClaimRefused("holder_mismatch", "the credential was issued to another DID than the one proven")
    issuer = credential.issuer
    material = tenants.signing_material(issuer, ctx.base_url, ctx.vault)
    unsigned = bound_document(json.loads(credential.document), holder_did)
    document, token = sign_credential(unsigned, issuer, material, ctx)
    claim = CredentialClaim(credential_id=credential.id, offer_id=offer.id, holder_did=holder_did,
                            protocol=protocol, formats=[fmt], claimed_at=ctx.now, document=document, jwt=token)
    if not store.add_claim(session, claim):
        raise ClaimRefused("already_claimed", "this credential was already claimed into a wallet")
    record_event(session, provider_id=credential.provider_id, type="credential.claimed", now=ctx.now,
                 data={"credentialId": credential.id, "protocol": protocol})
    return Delivery(claim, json.loads(document), token)
