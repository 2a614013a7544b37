"""Finding a provider's credentials: filters, a stable order and opaque cursors.

Order: newest first by issuance time (``valid_from``), ties broken by id (descending), so paging
is stable while new credentials are issued. The cursor is the last item's ``(issuedAt, id)``,
base64url-encoded; an index on ``(provider_id, valid_from, id)`` serves it.

Learner e-mail look-up: each credential carries a per-credential salted hash in its document
(OB 3.0 ``IdentityObject``), which cannot be searched without hashing every row. At issuance we
also store ``learner_email_index`` = hex HMAC-SHA-256(key, normalized e-mail), the key derived
from the master key, indexed with ``provider_id``: one index probe at any volume, and the
address is never stored. Credentials issued before this column existed were marked
:data:`LEGACY` by the migration; they are matched by their salted hash, per row, in Python.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, selectinload

from ..badges.identity import identity_matches, normalize_email
from ..badges.read import subjects
from ..badges.timestamps import as_utc, iso_z
from ..errors import BadRequest
from .models import BatchItem, Course, Credential, CredentialClaim, IssuerProfile, Provider

__all__ = ["email_index_key", "email_index", "CredentialQuery", "find_credentials", "claims_of", "summary",
           "STATUSES", "effective_status", "LEGACY"]

STATUSES = ("active", "revoked", "suspended", "expired")
#: ``learner_email_index`` of credentials with an e-mail recipient issued before the index existed
LEGACY = "legacy"


def email_index_key(master_key: str) -> bytes:
    """The HMAC key for ``learner_email_index``, derived from the master key (32 bytes)."""
    return hmac.new(master_key.encode("utf-8"), b"skills-hub/learner-email-index/v1", hashlib.sha256).digest()


def email_index(key: bytes, email: str) -> str:
    """Hex HMAC-SHA-256 of the e-mail address normalised as the identity hash does (trim, lower-case)."""
    return hmac.new(key, normalize_email(email).encode("utf-8"), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class CredentialQuery:
    """Filters of ``GET /api/v1/credentials``; every field is optional."""

    course: str | None = None
    status: str | None = None
    issued_after: datetime | None = None
    issued_before: datetime | None = None
    learner_did: str | None = None
    learner_email: str | None = None
    batch: str | None = None
    claimed: bool | None = None  # True: delivered to a wallet (a credential_claim row); False: not yet
    cursor: str | None = None
    limit: int = 50


def encode_cursor(issued: datetime, credential_id: str) -> str:
    """An opaque paging cursor (unpadded base64url JSON) for the position after (``issued``, ``credential_id``)."""
    raw = json.dumps([as_utc(issued).isoformat(), credential_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    """The (issued-at, credential id) position of a cursor from :func:`encode_cursor`; raises ``ValueError`` for anything else."""
    try:
        if len(cursor) > 200:
            raise ValueError
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        issued, credential_id = json.loads(raw)
        moment = datetime.fromisoformat(issued)
        if not isinstance(credential_id, str) or moment.tzinfo is None:
            raise ValueError
        return moment, credential_id
    except (ValueError, TypeError, json.JSONDecodeError):
        raise BadRequest("the cursor is not one this service gave out") from None




def effective_status(row: Credential, now: datetime) -> str:
    """``revoked`` or ``suspended`` as recorded; ``expired`` once ``validUntil`` has passed; else ``active``."""
    if row.status != "active":
        return row.status
    if row.valid_until is not None and as_utc(row.valid_until) <= now:
        return "expired"
    return "active"


def _legacy_email_matches(session: Session, provider: Provider, email: str) -> list[str]:
    """Ids of the provider's pre-index credentials whose salted recipient hash matches ``email``."""
    rows = session.scalars(select(Credential).where(
        Credential.provider_id == provider.id, Credential.learner_email_index == LEGACY))
    found = []
    for row in rows:
        try:
            document = json.loads(row.document)
        except ValueError:
            continue
        identities = [i for subject in subjects(document) for i in _list(subject.get("identifier"))]
        if any(identity_matches(identity, email) for identity in identities):
            found.append(row.id)
    return found


def _list(value) -> list:
    return value if isinstance(value, list) else []


def find_credentials(session: Session, provider: Provider, query: CredentialQuery, *, now: datetime,
                     email_key: bytes) -> tuple[list[Credential], str | None]:
    """One page of ``provider``'s credentials matching ``query`` and the cursor of the next page
    (None on the last page). Only ``provider``'s rows are ever read."""
    stmt = select(Credential).where(Credential.provider_id == provider.id)
    if query.course is not None:
        stmt = stmt.join(Course, Course.id == Credential.course_id).where(Course.code == query.course)
    if query.status == "expired":
        stmt = stmt.where(Credential.status == "active", Credential.valid_until.is_not(None),
                          Credential.valid_until <= now)
    elif query.status == "active":
        stmt = stmt.where(Credential.status == "active",
                          or_(Credential.valid_until.is_(None), Credential.valid_until > now))
    elif query.status is not None:
        stmt = stmt.where(Credential.status == query.status)
    if query.issued_after is not None:
        stmt = stmt.where(Credential.valid_from >= query.issued_after)
    if query.issued_before is not None:
        stmt = stmt.where(Credential.valid_from < query.issued_before)
    if query.learner_did is not None:
        stmt = stmt.where(Credential.subject_id == query.learner_did)
    if query.learner_email is not None:
        indexed = Credential.learner_email_index == email_index(email_key, query.learner_email)
        legacy = _legacy_email_matches(session, provider, query.learner_email)
        stmt = stmt.where(or_(indexed, Credential.id.in_(legacy)) if legacy else indexed)
    if query.batch is not None:
        # the batch's items name their credentials (the provider filter above keeps others' out)
        stmt = stmt.where(Credential.id.in_(select(BatchItem.credential_id).where(
            BatchItem.batch_id == query.batch, BatchItem.credential_id.is_not(None))))
    if query.claimed is not None:
        delivered = select(CredentialClaim.id).where(CredentialClaim.credential_id == Credential.id).exists()
        stmt = stmt.where(delivered if query.claimed else ~delivered)
    if query.cursor is not None:
        issued, last_id = decode_cursor(query.cursor)
        stmt = stmt.where(or_(Credential.valid_from < issued,
                              and_(Credential.valid_from == issued, Credential.id < last_id)))
    stmt = (stmt.options(selectinload(Credential.course), selectinload(Credential.issuer))
            .order_by(Credential.valid_from.desc(), Credential.id.desc()).limit(query.limit + 1))
    rows = list(session.scalars(stmt))
    more = len(rows) > query.limit
    rows = rows[:query.limit]
    return rows, (encode_cursor(rows[-1].valid_from, rows[-1].id) if more and rows else None)


def claims_of(session: Session, credential_ids: list[str]) -> dict[str, datetime]:
    """Credential id -> when it was claimed into a wallet (OID4VCI, VC-API or LCW), for the ids
    that were; one query for a page of credentials."""
    if not credential_ids:
        return {}
    rows = session.execute(select(CredentialClaim.credential_id, CredentialClaim.claimed_at)
                           .where(CredentialClaim.credential_id.in_(credential_ids)))
    return {credential_id: as_utc(claimed_at) for credential_id, claimed_at in rows}


def summary(row: Credential, base_url: str, now: datetime, claimed_at: datetime | None = None) -> dict:
    """The listing's item: ``{"id", "url", "course", "issuer", "status", "issuedAt", "validUntil",
    "learnerName", "learnerDid", "claimedAt"}`` (no e-mail: only its salted hash exists;
    ``claimedAt`` is null until a wallet claimed the credential)."""
    return {
        "id": row.id,
        "url": f"{base_url}/api/v1/credentials/{row.id}",
        "course": row.course.code,
        "issuer": row.issuer.slug,
        "status": effective_status(row, now),
        "issuedAt": iso_z(row.valid_from),
        "validUntil": iso_z(row.valid_until) if row.valid_until else None,
        "learnerName": row.learner_name,
        "learnerDid": row.subject_id,
        "claimedAt": iso_z(claimed_at) if claimed_at else None,
    }


def issuers_of(session: Session, provider: Provider) -> list[IssuerProfile]:
    """The provider's own issuer profiles, ordered by slug."""
    return list(session.scalars(select(IssuerProfile).where(IssuerProfile.provider_id == provider.id)
                                .order_by(IssuerProfile.slug)))
