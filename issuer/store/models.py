"""Database models.

The signed artefacts (JSON-LD credential, compact JWT, signed status lists) are served byte for
byte; they are never re-serialized from ORM fields. A credential's two forms are stored compressed
in one zstd frame with its course's dictionary (:mod:`issuer.store.compact`) and read back as the
``Credential.document`` / ``Credential.jwt`` attributes; status lists are stored as text.
Private keys are stored only encrypted (AES-256-GCM under the master key, see
:mod:`issuer.signing.keystore`).
"""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Optional

from sqlalchemy import (
    JSON, BigInteger, Boolean, DateTime, Float, ForeignKey, Index, Integer, LargeBinary, String, Text,
    UniqueConstraint, event, func,
)
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, object_session, relationship

from . import compact
from .db import Base

__all__ = [
    "Base", "Provider", "ApiKey", "IssuerProfile", "SigningKey", "Framework", "JobRole", "Skill",
    "RoleSkill", "Course", "CourseSkill", "BadgeImage", "Credential", "StatusList", "StatusEntry",
    "StatusEvent", "OAuthClient", "OAuthToken", "CredentialOffer", "CredentialClaim",
    "ExchangeNonce", "Batch", "BatchItem", "CredentialDictionary", "ConsoleUser", "ConsoleSso",
]

intpk = Annotated[int, mapped_column(primary_key=True)]
created_at = Annotated[datetime, mapped_column(DateTime(timezone=True), server_default=func.now())]
str200 = Annotated[str, mapped_column(String(200))]


class Provider(Base):
    """A training provider: the tenant."""

    __tablename__ = "provider"
    id: Mapped[intpk]
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str200]
    url: Mapped[Optional[str]] = mapped_column(String(500))
    suspension_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    # Learner e-mail by default (issue #12 §4): a request's "sendEmail" overrides it.
    email_learners: Mapped[bool] = mapped_column(Boolean, default=False)
    created: Mapped[created_at]


class ApiKey(Base):
    """API keys are stored as SHA-256 of the full secret; ``prefix`` finds the row."""

    __tablename__ = "api_key"
    id: Mapped[intpk]
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"), index=True)
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    label: Mapped[Optional[str]] = mapped_column(String(200))
    scopes: Mapped[Optional[str]] = mapped_column(Text)  # space-separated; NULL = every scope
    created: Mapped[created_at]
    revoked_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    provider: Mapped[Provider] = relationship()


class IssuerProfile(Base):
    """An OB 3.0 issuer ``Profile`` belonging to a provider, identified by did:web or did:key."""

    __tablename__ = "issuer_profile"
    id: Mapped[intpk]
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"), index=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str200]
    url: Mapped[Optional[str]] = mapped_column(String(500))
    email: Mapped[Optional[str]] = mapped_column(String(200))
    description: Mapped[Optional[str]] = mapped_column(Text)
    country_code: Mapped[Optional[str]] = mapped_column(String(2))
    # The organisation's legal identifier (ELM ``LegalIdentifier``): a VAT number, an eIDAS legal
    # person identifier or a national registry number; ``legal_identifier_scheme`` says which.
    legal_identifier: Mapped[Optional[str]] = mapped_column(String(100))
    legal_identifier_scheme: Mapped[Optional[str]] = mapped_column(String(16))  # vat | eidas | registration
    did_method: Mapped[str] = mapped_column(String(8), default="web")
    did_key: Mapped[Optional[str]] = mapped_column(String(200))
    # The organisation's logo (OB 3.0 Profile ``image``), uploaded in the console: a badge_image id
    # (no database foreign key, see migration 0008_console; badge images are never deleted).
    logo_id: Mapped[Optional[int]] = mapped_column(Integer)
    created: Mapped[created_at]
    provider: Mapped[Provider] = relationship()
    logo: Mapped[Optional["BadgeImage"]] = relationship(
        primaryjoin="foreign(IssuerProfile.logo_id) == BadgeImage.id", viewonly=True)
    keys: Mapped[list["SigningKey"]] = relationship(back_populates="issuer", order_by="SigningKey.id")


class SigningKey(Base):
    __tablename__ = "signing_key"
    __table_args__ = (UniqueConstraint("issuer_id", "fragment"),)
    id: Mapped[intpk]
    issuer_id: Mapped[int] = mapped_column(ForeignKey("issuer_profile.id"), index=True)
    fragment: Mapped[str] = mapped_column(String(100))
    algorithm: Mapped[str] = mapped_column(String(16))  # "Ed25519", "ES256", "RS256"
    public_multibase: Mapped[Optional[str]] = mapped_column(String(200))
    public_jwk: Mapped[dict] = mapped_column(JSON)
    private_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created: Mapped[created_at]
    retired_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    # Reported compromised: left out of the published DID document and JWK Set; our own verifier
    # sees it with CID 1.0 ``revoked`` and names that as the reason (tenants.compromise_key).
    compromised_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    compromise_note: Mapped[Optional[str]] = mapped_column(String(500))
    issuer: Mapped[IssuerProfile] = relationship(back_populates="keys")


class Framework(Base):
    """A reference competence matrix (e.g. the DRIVES automotive matrix)."""

    __tablename__ = "framework"
    id: Mapped[intpk]
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str200]
    version: Mapped[Optional[str]] = mapped_column(String(32))
    description: Mapped[Optional[str]] = mapped_column(Text)
    url: Mapped[Optional[str]] = mapped_column(String(500))


class _FrameworkEntry:
    """The columns a job role and a skill share: an entry of a competence framework, unique by
    ``code`` within it, optionally linked to ESCO (https://esco.ec.europa.eu/)."""

    @declared_attr.directive
    def __table_args__(cls) -> tuple:
        return (UniqueConstraint("framework_id", "code"),)  # a constraint object per table

    id: Mapped[intpk]
    framework_id: Mapped[int] = mapped_column(ForeignKey("framework.id"), index=True)
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str200]
    description: Mapped[Optional[str]] = mapped_column(Text)
    esco_uri: Mapped[Optional[str]] = mapped_column(String(500))

    @declared_attr
    def framework(cls) -> Mapped[Framework]:
        return relationship(Framework)


class JobRole(_FrameworkEntry, Base):
    """A job role of a competence framework; ``skills`` are the skills it requires."""

    __tablename__ = "job_role"
    skills: Mapped[list["RoleSkill"]] = relationship(back_populates="role", order_by="RoleSkill.id")


class Skill(_FrameworkEntry, Base):
    """A skill of a competence framework."""

    __tablename__ = "skill"


class _SkillLevel:
    """The columns a job role's required skill and a course's skill share: the skill and its
    proficiency ``level`` (1 = basic ... 5 = expert)."""

    skill_id: Mapped[int] = mapped_column(ForeignKey("skill.id"), index=True)
    level: Mapped[int] = mapped_column(Integer)

    @declared_attr
    def skill(cls) -> Mapped[Skill]:
        return relationship(Skill)


class RoleSkill(_SkillLevel, Base):
    """A skill required by a job role, at a proficiency level."""

    __tablename__ = "role_skill"
    __table_args__ = (UniqueConstraint("role_id", "skill_id"),)
    id: Mapped[intpk]
    role_id: Mapped[int] = mapped_column(ForeignKey("job_role.id"), index=True)
    role: Mapped[JobRole] = relationship(back_populates="skills")


class BadgeImage(Base):
    __tablename__ = "badge_image"
    id: Mapped[intpk]
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"), index=True)
    media_type: Mapped[str] = mapped_column(String(32))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    created: Mapped[created_at]


class Course(Base):
    """A course in a provider's catalogue; it defines the OB ``Achievement``."""

    __tablename__ = "course"
    __table_args__ = (UniqueConstraint("provider_id", "code"),)
    id: Mapped[intpk]
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"), index=True)
    code: Mapped[str] = mapped_column(String(64))
    # The public path under /achievements/: "<provider slug>/<code in lower case>" (issue #9 §5: the
    # provider and the course are separated unambiguously). ``legacy_slug`` is the path used before,
    # "<provider>-<code>", kept so that the achievement ids of credentials issued then still resolve.
    slug: Mapped[str] = mapped_column(String(140), unique=True)
    legacy_slug: Mapped[Optional[str]] = mapped_column(String(140), unique=True)
    title: Mapped[str200]
    description: Mapped[str] = mapped_column(Text)
    criteria: Mapped[str] = mapped_column(Text)
    learning_outcomes: Mapped[list] = mapped_column(JSON, default=list)
    workload_hours: Mapped[Optional[float]] = mapped_column(Float)
    ects: Mapped[Optional[float]] = mapped_column(Float)
    eqf_level: Mapped[Optional[int]] = mapped_column(Integer)
    assessment_type: Mapped[Optional[str]] = mapped_column(String(200))
    participation_form: Mapped[Optional[str]] = mapped_column(String(200))
    quality_assurance: Mapped[Optional[str]] = mapped_column(Text)
    language: Mapped[Optional[str]] = mapped_column(String(16))
    # Provider-entered text in other languages: {BCP 47 tag: {"title"?, "description"?}}. Pages show
    # the best match for the page language; credentials always use title/description (``language``).
    translations: Mapped[Optional[dict]] = mapped_column(JSON)
    validity_days: Mapped[Optional[int]] = mapped_column(Integer)
    # A retired course stays (its credentials keep resolving) but can no longer be issued.
    retired_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    image_id: Mapped[Optional[int]] = mapped_column(ForeignKey("badge_image.id"))
    created: Mapped[created_at]
    provider: Mapped[Provider] = relationship()
    skills: Mapped[list["CourseSkill"]] = relationship(back_populates="course", order_by="CourseSkill.id",
                                                       cascade="all, delete-orphan")
    image: Mapped[Optional[BadgeImage]] = relationship()


class CourseSkill(_SkillLevel, Base):
    """A skill a course teaches, at a proficiency level."""

    __tablename__ = "course_skill"
    __table_args__ = (UniqueConstraint("course_id", "skill_id"),)
    id: Mapped[intpk]
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)
    course: Mapped[Course] = relationship(back_populates="skills")


class CredentialDictionary(Base):
    """A zstd raw-content dictionary for the credentials of one course: the storage container of
    its first credential (:mod:`issuer.store.compact`). Never changed once written; ``id`` is a
    random 62-bit number, so processes cache dictionaries by id."""

    __tablename__ = "credential_dictionary"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    course_id: Mapped[Optional[int]] = mapped_column(ForeignKey("course.id"), index=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created: Mapped[created_at]


class Credential(Base):
    """An issued credential. ``document`` and ``jwt`` are the signed artefacts, byte for byte.

    They are stored together in ``packed`` (one zstd frame, dictionary ``dictionary_id``, see
    :mod:`issuer.store.compact`) and read and written as the plain attributes ``document`` and
    ``jwt`` (text): assigning them packs on the next flush; reading unpacks once per object.

    ``learner_email_index`` is a keyed HMAC-SHA-256 of the normalized e-mail (key derived from the
    master key), so a provider can find a learner's credentials without the address being stored.
    """

    __tablename__ = "credential"
    __table_args__ = (UniqueConstraint("provider_id", "idempotency_key"),
                      Index("ix_credential_provider_issued", "provider_id", "valid_from", "id"),
                      Index("ix_credential_provider_email", "provider_id", "learner_email_index", "valid_from", "id"),
                      Index("ix_credential_provider_subject", "provider_id", "subject_id", "valid_from", "id"))
    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # random UUID (urn:uuid:<id>)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"), index=True)
    issuer_id: Mapped[int] = mapped_column(ForeignKey("issuer_profile.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)
    learner_name: Mapped[str200]
    subject_id: Mapped[Optional[str]] = mapped_column(String(500))
    packed: Mapped[bytes] = mapped_column(LargeBinary, default=b"")
    dictionary_id: Mapped[Optional[int]] = mapped_column(BigInteger)  # a CredentialDictionary (never deleted)
    valid_from: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    valid_until: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    idempotency_key: Mapped[Optional[str]] = mapped_column(String(200))
    request_hash: Mapped[Optional[str]] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="active")  # active | suspended | revoked
    learner_email_index: Mapped[Optional[str]] = mapped_column(String(64))
    created: Mapped[created_at]
    provider: Mapped[Provider] = relationship()
    issuer: Mapped[IssuerProfile] = relationship()
    course: Mapped[Course] = relationship()

    def _forms(self) -> list:
        forms = self.__dict__.get("_signed_forms")
        if forms is None:
            data = None
            if self.dictionary_id is not None:
                data = compact.cached_dictionary(self.dictionary_id)
                if data is None:
                    session = object_session(self)
                    if session is None:
                        raise RuntimeError("a detached credential cannot load its storage dictionary")
                    data = compact.dictionary_bytes(session.connection(), self.dictionary_id)
            forms = list(compact.unpack(compact.decompress(bytes(self.packed), self.dictionary_id, data))
                         if self.packed else ("", ""))
            self.__dict__["_signed_forms"] = forms
        return forms

    def _set_form(self, index: int, value: str) -> None:
        if "_signed_forms" not in self.__dict__ and self.packed:
            self._forms()
        forms = self.__dict__.setdefault("_signed_forms", ["", ""])
        forms[index] = value
        self.__dict__["_forms_dirty"] = True
        self.packed = b"" if self.packed is None else bytes(self.packed)  # marks the row for the next flush

    @property
    def document(self) -> str:
        """The signed JSON-LD credential (text, as signed)."""
        return self._forms()[0]

    @document.setter
    def document(self, value: str) -> None:
        """Assign the signed JSON-LD text; it is compressed into ``packed`` when the row is flushed."""
        self._set_form(0, value)

    @property
    def jwt(self) -> str:
        """The signed VC-JWT (compact serialization, as signed)."""
        return self._forms()[1]

    @jwt.setter
    def jwt(self, value: str) -> None:
        """Assign the signed VC-JWT; it is compressed into ``packed`` when the row is flushed."""
        self._set_form(1, value)


@event.listens_for(Credential, "before_insert")
@event.listens_for(Credential, "before_update")
def _pack_forms(_mapper, connection, target: Credential) -> None:
    """Compress assigned ``document``/``jwt`` into ``packed`` as the row is written."""
    if target.__dict__.pop("_forms_dirty", False):
        document, jwt = target.__dict__["_signed_forms"]
        target.packed, target.dictionary_id = compact.encode(connection, target.course_id, document, jwt)


class StatusList(Base):
    """A Bitstring Status List of one issuer and purpose. Bits are derived from ``StatusEntry`` rows.

    ``version`` is bumped in the same transaction as any status change; ``signed_document`` is the
    last signed list credential and ``signed_version`` the version it reflects, so a list is
    re-signed only when it changed.
    """

    __tablename__ = "status_list"
    __table_args__ = (UniqueConstraint("issuer_id", "purpose", "seq"),)
    id: Mapped[intpk]
    public_id: Mapped[str] = mapped_column(String(36), unique=True)
    issuer_id: Mapped[int] = mapped_column(ForeignKey("issuer_profile.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(16))  # revocation | suspension | message
    seq: Mapped[int] = mapped_column(Integer)
    length: Mapped[int] = mapped_column(Integer)       # number of entries
    status_size: Mapped[int] = mapped_column(Integer, default=1)
    capacity: Mapped[int] = mapped_column(Integer)
    full: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=0)
    signed_version: Mapped[int] = mapped_column(Integer, default=-1)
    signed_document: Mapped[Optional[str]] = mapped_column(Text)
    created: Mapped[created_at]
    issuer: Mapped[IssuerProfile] = relationship()


class StatusEntry(Base):
    """One allocated position; ``value`` is the entry's status (0 = valid)."""

    __tablename__ = "status_entry"
    __table_args__ = (UniqueConstraint("list_id", "position"),)
    id: Mapped[intpk]
    list_id: Mapped[int] = mapped_column(ForeignKey("status_list.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    credential_id: Mapped[str] = mapped_column(ForeignKey("credential.id"), index=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


class StatusEvent(Base):
    """Audit log of status changes: who, when, why."""

    __tablename__ = "status_event"
    id: Mapped[intpk]
    credential_id: Mapped[str] = mapped_column(ForeignKey("credential.id"), index=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"), index=True)
    action: Mapped[str] = mapped_column(String(16))  # issue | revoke | suspend | unsuspend
    reason: Mapped[Optional[str]] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class OAuthClient(Base):
    """An OAuth 2.0 client (RFC 6749 §2) of a provider, for the client credentials grant (§4.4).

    The secret is shown once; ``secret_hash`` is its SHA-256 (the secret is 256 random bits).
    """

    __tablename__ = "oauth_client"
    id: Mapped[intpk]
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"), index=True)
    client_id: Mapped[str] = mapped_column(String(48), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    name: Mapped[str200]
    scopes: Mapped[str] = mapped_column(Text)  # space-separated
    created: Mapped[created_at]
    revoked_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    provider: Mapped[Provider] = relationship()


class OAuthToken(Base):
    """An access token issued to a client; only the SHA-256 of the token is stored."""

    __tablename__ = "oauth_token"
    id: Mapped[intpk]
    client_id: Mapped[int] = mapped_column(ForeignKey("oauth_client.id"), index=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scope: Mapped[str] = mapped_column(Text)
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_in: Mapped[int] = mapped_column(Integer)
    revoked_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    client: Mapped[OAuthClient] = relationship()


class CredentialOffer(Base):
    """A private claim offer for one credential (wallet pickup, see :mod:`issuer.exchanges`).

    Only SHA-256 hashes of its secrets are stored: the claim page token, the exchange id (which
    also names the OID4VCI credential offer URI) and the OID4VCI pre-authorized code, and an
    HMAC of the PIN (``tx_code``). ``state`` is ``open``, ``locked`` (too many wrong PINs) or
    ``revoked``; an offer whose credential has a :class:`CredentialClaim` is used up.
    """

    __tablename__ = "credential_offer"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    credential_id: Mapped[str] = mapped_column(ForeignKey("credential.id"), index=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"), index=True)
    claim_hash: Mapped[str] = mapped_column(String(64), unique=True)
    exchange_hash: Mapped[str] = mapped_column(String(64), unique=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    tx_code_hash: Mapped[Optional[str]] = mapped_column(String(64))
    tx_code_length: Mapped[Optional[int]] = mapped_column(Integer)
    tx_code_failures: Mapped[int] = mapped_column(Integer, default=0)
    access_token_hash: Mapped[Optional[str]] = mapped_column(String(64), unique=True)
    access_token_expires_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    state: Mapped[str] = mapped_column(String(16), default="open")  # open | locked | revoked
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    credential: Mapped[Credential] = relationship()


class CredentialClaim(Base):
    """The holder a credential was delivered to: one per credential (the unique constraint makes
    a second holder impossible, even under concurrency). The holder-bound copies are stored
    verbatim; they share the issued record's id and status entry."""

    __tablename__ = "credential_claim"
    id: Mapped[intpk]
    credential_id: Mapped[str] = mapped_column(ForeignKey("credential.id"), unique=True)
    offer_id: Mapped[str] = mapped_column(ForeignKey("credential_offer.id"), index=True)
    holder_did: Mapped[str] = mapped_column(String(2000))
    protocol: Mapped[str] = mapped_column(String(16))  # oid4vci | vcapi | lcw
    formats: Mapped[list] = mapped_column(JSON, default=list)  # delivered: ldp_vc, jwt_vc_json
    claimed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    document: Mapped[str] = mapped_column(Text)
    jwt: Mapped[str] = mapped_column(Text)


class ExchangeNonce(Base):
    """An OID4VCI ``c_nonce`` (from the Nonce Endpoint); used at most once in a key proof."""

    __tablename__ = "exchange_nonce"
    value: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    used_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))


class ConsoleUser(Base):
    """A staff account of a provider for the console (``/console``): role ``admin``, ``issuer`` or
    ``viewer``. ``password_hash`` is an Argon2id hash (None for single sign-on only accounts);
    ``failed_logins`` counts consecutive failures and ``locked_until`` ends a lockout."""

    __tablename__ = "console_user"
    id: Mapped[intpk]
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"), index=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # trimmed, lower case
    name: Mapped[Optional[str]] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))  # admin | issuer | viewer
    password_hash: Mapped[Optional[str]] = mapped_column(String(200))
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    last_login_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    disabled_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    created: Mapped[created_at]
    provider: Mapped[Provider] = relationship()


class ConsoleSso(Base):
    """A provider's OpenID Connect single sign-on for the console: the identity provider's
    discovery document URL, this service's client id and the client secret (sealed)."""

    __tablename__ = "console_sso"
    id: Mapped[intpk]
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"), unique=True)
    metadata_url: Mapped[str] = mapped_column(String(500))
    client_id: Mapped[str] = mapped_column(String(200))
    client_secret_sealed: Mapped[Optional[bytes]] = mapped_column(LargeBinary)
    created: Mapped[created_at]
    provider: Mapped[Provider] = relationship()


class Batch(Base):
    """A bulk issuance request (``POST /api/v1/batches``): its items are :class:`BatchItem` rows.

    ``idempotency_key`` / ``request_hash`` make a resubmission with the same ``Idempotency-Key``
    return this batch. ``started_at`` is set by the first worker that claims an item, ``finished_at``
    once no item is left to do (one conditional update: the batch completes exactly once);
    ``swept_at`` is when the sweep last re-enqueued its work.
    """

    __tablename__ = "batch"
    __table_args__ = (UniqueConstraint("provider_id", "idempotency_key"),
                      Index("ix_batch_unfinished", "finished_at", "created_at"))
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"), index=True)
    idempotency_key: Mapped[Optional[str]] = mapped_column(String(200))
    request_hash: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(8))  # json | csv
    on_invalid: Mapped[str] = mapped_column(String(16))  # reject | issueValid
    total: Mapped[int] = mapped_column(Integer)
    chunk_size: Mapped[int] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    enqueued_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    swept_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))


class BatchItem(Base):
    """One row of a batch. ``position`` is its 0-based place (jobs cover ranges of positions),
    ``index`` what the provider sees: the CSV line number or the JSON array index.

    ``state``: ``pending`` -> ``running`` (claimed by a worker until ``lease_until``) -> ``issued``
    or ``failed``; rows refused at submission are stored ``failed`` with their ``problem``.
    ``credential_id`` is the issued credential: the item's deterministic id (uuid5 of batch id and
    position) or, for an ``idempotency_key`` used before, the credential issued then.
    """

    __tablename__ = "batch_item"
    __table_args__ = (UniqueConstraint("batch_id", "position"),
                      Index("ix_batch_item_state", "batch_id", "state"),
                      Index("ix_batch_item_credential", "credential_id"))
    id: Mapped[intpk]
    batch_id: Mapped[str] = mapped_column(ForeignKey("batch.id"))
    position: Mapped[int] = mapped_column(Integer)
    index: Mapped[int] = mapped_column(Integer)
    request: Mapped[Optional[str]] = mapped_column(Text)  # the issue request body (JSON); cleared when done
    idempotency_key: Mapped[Optional[str]] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(8))  # pending | running | issued | failed
    credential_id: Mapped[Optional[str]] = mapped_column(String(36))
    problem: Mapped[Optional[dict]] = mapped_column(JSON)
    lease_until: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
