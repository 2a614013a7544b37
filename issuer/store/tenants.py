"""Providers (tenants), their API keys, issuer profiles and signing keys.

An issuer's identifier is ``did:web:<host>:issuers:<slug>``; its DID document lists an Ed25519
``Multikey`` (Data Integrity) and a P-256 or RSA ``JsonWebKey`` (VC-JWT) under
``assertionMethod``. ``did:key`` is available for issuers without a web origin; such an issuer
signs both proof formats with its single Ed25519 key (VC-JWT with ``EdDSA``).
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from slugify import slugify
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from ..badges.timestamps import iso_z
from ..resolve.did_key import did_key_from_public_key
from ..resolve.did_web import url_to_did_web
from ..errors import Conflict, NotFound, Unauthorized, ValidationFailed
from ..intake.text import is_blank
from ..signing.keystore import KeyVault
from ..signing import keys as K
from .clients import parse_scopes
from .models import ApiKey, IssuerProfile, Provider, SigningKey

__all__ = [
    "create_provider", "create_api_key", "authenticate", "create_issuer", "rotate_keys",
    "issuer_did", "did_document", "jwks", "profile_json", "SigningMaterial", "signing_material",
    "get_issuer", "slug_for", "check_slug", "check_name", "legal_identity", "set_legal_identity",
    "LEGAL_IDENTIFIER_SCHEMES", "legal_identity_json", "compromise_key", "key_state", "key_view",
]

_API_KEY_PREFIX = "obk_"
SLUG_MAX = 64
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def slug_for(name: str) -> str:
    """A URL slug for a provider or issuer name in any script: transliterated to ASCII
    (python-slugify with Unidecode: "Ελληνική Ακαδημία" -> "ellenike-akademia", "Škoda Auto
    Vzdělávání" -> "skoda-auto-vzdelavani"), lower case, words joined by "-", at most 64 characters.
    Never empty: a name with nothing to transliterate gets "provider-<8 hex digits of its SHA-256>"."""
    text = re.sub("[\ud800-\udfff]", "", name or "")  # not characters: nothing to transliterate
    slug = slugify(text, max_length=SLUG_MAX, word_boundary=True, lowercase=True)
    if not slug:
        slug = "provider-" + hashlib.sha256((name or "").encode("utf-8", "replace")).hexdigest()[:8]
    return slug


def check_slug(slug: str, what: str = "slug") -> str:
    """``slug`` if it is 1-64 lower-case ASCII letters and digits in words joined by "-", else
    ValidationFailed (it becomes part of did:web identifiers and URLs)."""
    if not isinstance(slug, str) or len(slug) > SLUG_MAX or not _SLUG.match(slug):
        raise ValidationFailed(f"{what} {slug!r} must be 1 to {SLUG_MAX} lower-case letters a-z and digits, "
                               "in words joined by '-'", errors=[{"path": f"/{what}", "message": "not a slug"}])
    return slug


def check_name(name: str, what: str = "name") -> str:
    """``name`` trimmed; ValidationFailed if nothing but white space and invisible characters is
    left (:func:`issuer.intake.text.is_blank`), or if it holds lone surrogates (e.g. undecodable
    bytes of a command-line argument) or control characters."""
    if not isinstance(name, str) or is_blank(name):
        raise ValidationFailed(f"the {what} is empty", errors=[{"path": f"/{what}", "message": "empty"}])
    if re.search("[\ud800-\udfff\x00-\x1f\x7f\u202a-\u202e\u2066-\u2069]", name):
        raise ValidationFailed(f"the {what} holds characters that are not text (control characters, "
                               "direction overrides or lone surrogates)",
                               errors=[{"path": f"/{what}", "message": "not text"}])
    return name.strip()


def create_provider(session: Session, slug: str, name: str, *, url: str | None = None,
                    suspension_enabled: bool = False) -> Provider:
    """A new training provider (not committed); raises ``Conflict`` (409) if ``slug`` exists, and
    ``ValidationFailed`` for an unacceptable slug or name."""
    check_slug(slug, "slug")
    name = check_name(name)
    if session.scalar(select(Provider).where(Provider.slug == slug)):
        raise Conflict(f"provider {slug!r} already exists")
    provider = Provider(slug=slug, name=name, url=url, suspension_enabled=suspension_enabled)
    session.add(provider)
    session.flush()
    return provider


def _hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_api_key(session: Session, provider: Provider, label: str | None = None,
                   scopes: list[str] | None = None) -> str:
    """A new API key; the secret is returned once and only its SHA-256 is stored. ``scopes``
    (see :data:`issuer.store.clients.SCOPES`) limits the key; ``None`` allows every scope."""
    prefix = secrets.token_hex(6)
    secret = f"{_API_KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    session.add(ApiKey(provider_id=provider.id, prefix=prefix, secret_hash=_hash_secret(secret), label=label,
                       scopes=" ".join(parse_scopes(scopes)) if scopes is not None else None))
    session.flush()
    return secret


def authenticate(session: Session, authorization: str | None) -> tuple[Provider, ApiKey]:
    """Provider for an ``Authorization: Bearer obk_<prefix>_<secret>`` header, or Unauthorized."""
    if not authorization or not authorization.startswith("Bearer "):
        raise Unauthorized("send the provider API key as 'Authorization: Bearer <key>'")
    token = authorization[len("Bearer "):].strip()
    parts = token.split("_")
    if len(parts) < 3 or not token.startswith(_API_KEY_PREFIX) or len(token) > 200:
        raise Unauthorized("the API key is malformed")
    row = session.scalar(select(ApiKey).where(ApiKey.prefix == parts[1])
                         .options(joinedload(ApiKey.provider)))  # one query on every API call
    if row is None or row.revoked_at is not None or not hmac.compare_digest(row.secret_hash, _hash_secret(token)):
        raise Unauthorized("the API key is not valid")
    return row.provider, row


def issuer_did(issuer: IssuerProfile, base_url: str) -> str:
    """The issuer's DID: its ``did:key``, or ``did:web`` for ``{base_url}/issuers/{slug}``."""
    if issuer.did_method == "key":
        return issuer.did_key
    return url_to_did_web(base_url, ["issuers", issuer.slug])


def _next_fragment(issuer: IssuerProfile, kind: str) -> str:
    n = 1 + sum(1 for k in issuer.keys if k.fragment.startswith(f"key-{kind}-"))
    return f"key-{kind}-{n}"


def _add_key(session: Session, issuer: IssuerProfile, vault: KeyVault, algorithm: str) -> SigningKey:
    if algorithm == "Ed25519":
        private = K.generate_ed25519()
        multibase = K.ed25519_public_multibase(private)
        fragment = multibase if issuer.did_method == "key" else _next_fragment(issuer, "ed25519")
    elif algorithm == "ES256":
        private, multibase, fragment = K.generate_p256(), None, _next_fragment(issuer, "p256")
    elif algorithm == "RS256":
        private, multibase, fragment = K.generate_rsa(2048), None, _next_fragment(issuer, "rsa")
    else:
        raise ValidationFailed(f"unsupported key algorithm {algorithm!r}")
    key = SigningKey(issuer=issuer, fragment=fragment, algorithm=algorithm, public_multibase=multibase,
                     public_jwk=K.public_jwk(private),
                     private_encrypted=vault.seal(private, f"{issuer.slug}#{fragment}"), active=True)
    session.add(key)
    session.flush()
    if algorithm == "Ed25519" and issuer.did_method == "key":
        issuer.did_key = did_key_from_public_key(private.public_key())
    return key


LEGAL_IDENTIFIER_SCHEMES = ("vat", "eidas", "registration")
_LEGAL_IDENTIFIER = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ./:_(),-]{0,99}")


def legal_identity(country_code: str | None, legal_identifier: str | None,
                   scheme: str | None) -> tuple[str | None, str | None, str | None]:
    """Normalised ``(country_code, legal_identifier, scheme)`` of an issuer profile.

    ``country_code`` is ISO 3166-1 alpha-2 (upper-cased); ``legal_identifier`` is a VAT number, an
    eIDAS legal person identifier or a national registry number (1-100 letters, digits, space and
    ``./:_(),-``), ``scheme`` one of :data:`LEGAL_IDENTIFIER_SCHEMES` (default ``registration``).
    Raises :class:`ValidationFailed` naming the bad field.
    """
    country = country_code.strip().upper() if isinstance(country_code, str) and country_code.strip() else None
    if country is not None and not re.fullmatch(r"[A-Z]{2}", country):
        raise ValidationFailed("country must be an ISO 3166-1 alpha-2 code such as 'DE'")
    ident = legal_identifier.strip() if isinstance(legal_identifier, str) and legal_identifier.strip() else None
    if ident is None:
        if scheme:
            raise ValidationFailed("a legal identifier scheme was given without a legal identifier")
        return country, None, None
    if not _LEGAL_IDENTIFIER.fullmatch(ident):
        raise ValidationFailed("legal identifier: 1-100 letters, digits, spaces or ./:_(),- characters")
    scheme = scheme or "registration"
    if scheme not in LEGAL_IDENTIFIER_SCHEMES:
        raise ValidationFailed(f"legal identifier scheme must be one of {', '.join(LEGAL_IDENTIFIER_SCHEMES)}")
    return country, ident, scheme


def create_issuer(session: Session, provider: Provider, vault: KeyVault, *, slug: str, name: str,
                  url: str | None = None, email: str | None = None, description: str | None = None,
                  country_code: str | None = None, did_method: str = "web", jwt_algorithm: str = "ES256",
                  legal_identifier: str | None = None, legal_identifier_scheme: str | None = None
                  ) -> IssuerProfile:
    """A new issuer profile of ``provider`` with an Ed25519 key and a ``jwt_algorithm`` (ES256/RS256)
    key, both sealed in ``vault``. Raises ``Conflict`` for a taken slug, ``ValidationFailed`` for
    an unknown ``did_method`` (``web`` or ``key``)."""
    if did_method not in ("web", "key"):
        raise ValidationFailed("did_method must be 'web' or 'key'")
    check_slug(slug, "issuer slug")
    name = check_name(name, "issuer name")
    country_code, legal_identifier, legal_identifier_scheme = legal_identity(
        country_code, legal_identifier, legal_identifier_scheme)
    if session.scalar(select(IssuerProfile).where(IssuerProfile.slug == slug)):
        raise Conflict(f"issuer {slug!r} already exists")
    issuer = IssuerProfile(provider_id=provider.id, slug=slug, name=name, url=url, email=email,
                           description=description, country_code=country_code, did_method=did_method,
                           legal_identifier=legal_identifier, legal_identifier_scheme=legal_identifier_scheme)
    session.add(issuer)
    session.flush()
    _add_key(session, issuer, vault, "Ed25519")
    if did_method == "web":
        _add_key(session, issuer, vault, jwt_algorithm)
    return issuer


def set_legal_identity(issuer: IssuerProfile, *, country_code: str | None, legal_identifier: str | None,
                       scheme: str | None) -> IssuerProfile:
    """Set (or, with ``legal_identifier=None``, clear) an issuer's legal identifier; the country is
    kept when ``country_code`` is None. Validation as :func:`legal_identity`."""
    country, ident, scheme = legal_identity(country_code or issuer.country_code, legal_identifier, scheme)
    issuer.country_code, issuer.legal_identifier, issuer.legal_identifier_scheme = country, ident, scheme
    return issuer


def legal_identity_json(issuer: IssuerProfile) -> dict:
    """``{"country", "legalIdentifier", "legalIdentifierScheme"}`` of an issuer profile (each a
    string or null), the shape ``PUT /api/v1/issuers/<slug>/legal-identity`` takes."""
    return {"country": issuer.country_code, "legalIdentifier": issuer.legal_identifier,
            "legalIdentifierScheme": issuer.legal_identifier_scheme}


def rotate_keys(session: Session, issuer: IssuerProfile, vault: KeyVault, now: datetime,
                jwt_algorithm: str = "ES256") -> list[SigningKey]:
    """Add fresh active keys (Ed25519 for Data Integrity, ``jwt_algorithm`` for VC-JWT); old keys stay
    published (and usable for verification), inactive. Conflict for a did:key issuer."""
    if issuer.did_method == "key":
        raise Conflict("a did:key issuer cannot rotate keys: its identifier is its key")
    for key in issuer.keys:
        if key.active:
            key.active = False
            key.retired_at = now
    return [_add_key(session, issuer, vault, "Ed25519"), _add_key(session, issuer, vault, jwt_algorithm)]


def get_issuer(session: Session, slug: str, provider: Provider | None = None, *,
               lock: bool = False) -> IssuerProfile:
    """The issuer profile ``slug`` (of ``provider`` when given), or NotFound. ``lock=True`` holds
    its row (``SELECT ... FOR UPDATE``) so that concurrent key rotations run one after the other."""
    query = select(IssuerProfile).where(IssuerProfile.slug == slug)
    if provider is not None:
        query = query.where(IssuerProfile.provider_id == provider.id)
    if lock:
        query = query.with_for_update()
    issuer = session.scalar(query)
    if issuer is None:
        raise NotFound(f"issuer {slug!r} not found")
    return issuer


def _vm_id(did: str, key: SigningKey) -> str:
    return f"{did}#{key.fragment}"


def did_document(issuer: IssuerProfile, base_url: str, *, include_revoked: bool = False) -> dict:
    """DID document (did:web) listing the issuer's keys, current and retired, under assertionMethod.

    Keys reported compromised (:func:`compromise_key`) are left out of the published document, so
    every verifier stops accepting them (security catalog T-14). With ``include_revoked=True`` (this
    service's own verifier) they are listed with the Controlled Identifiers 1.0 §2.2 ``revoked``
    time, so the report can say why a proof made with one is refused."""
    did = issuer_did(issuer, base_url)
    methods = []
    for key in issuer.keys:
        if key.compromised_at is not None and not include_revoked:
            continue
        vm = {"id": _vm_id(did, key), "controller": did}
        if key.public_multibase:
            vm.update(type="Multikey", publicKeyMultibase=key.public_multibase)
        else:
            vm.update(type="JsonWebKey", publicKeyJwk=key.public_jwk)
        if key.compromised_at is not None:
            vm["revoked"] = iso_z(key.compromised_at)
        methods.append(vm)
    ids = [vm["id"] for vm in methods]
    return {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1",
                     "https://w3id.org/security/jwk/v1"],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": ids,
    }


def jwks(issuer: IssuerProfile, base_url: str) -> dict:
    """The issuer's public keys as a JWK Set (RFC 7517 §5), ``kid`` = the verification method id;
    compromised keys are left out."""
    did = issuer_did(issuer, base_url)
    keys = []
    for key in issuer.keys:
        if key.compromised_at is not None or (key.algorithm == "Ed25519" and issuer.did_method == "web"):
            continue
        alg = {"ES256": "ES256", "RS256": "RS256", "Ed25519": "EdDSA"}[key.algorithm]
        keys.append({**key.public_jwk, "kid": _vm_id(did, key), "alg": alg, "use": "sig"})
    return {"keys": keys}


def key_state(key: SigningKey) -> str:
    """``compromised``, ``active`` or ``retired``."""
    return "compromised" if key.compromised_at is not None else "active" if key.active else "retired"


def key_view(key: SigningKey, issuer: IssuerProfile, base_url: str) -> dict:
    """One signing key as the API and console show it: ``{"fragment", "verificationMethod",
    "algorithm", "state", "createdAt", "retiredAt", "compromisedAt", "note"}`` (times RFC 3339 UTC)."""
    def when(moment):
        return iso_z(moment) if moment else None
    return {"fragment": key.fragment, "verificationMethod": _vm_id(issuer_did(issuer, base_url), key),
            "algorithm": key.algorithm, "state": key_state(key), "createdAt": when(key.created),
            "retiredAt": when(key.retired_at), "compromisedAt": when(key.compromised_at),
            "note": key.compromise_note}


def compromise_key(session: Session, issuer: IssuerProfile, fragment: str, vault: KeyVault, now: datetime, *,
                   note: str | None = None, jwt_algorithm: str = "ES256") -> list[SigningKey]:
    """Retire the key ``fragment`` of ``issuer`` as compromised (security catalog T-14) and return
    the fresh keys that replace it (none when it was already retired).

    From then on the key is missing from the published DID document and JWK Set, so credentials
    signed with it fail verification everywhere; this service's verifier names the reason. The
    caller commits. Raises NotFound for an unknown fragment, Conflict for a did:key issuer (its
    identifier is its key: make a new issuer profile and revoke the credentials) and for a key
    already reported. Call :func:`get_issuer` with ``lock=True`` first."""
    if issuer.did_method == "key":
        raise Conflict("a did:key issuer's identifier is its key, so the key cannot be replaced: create a new "
                       "issuer profile and revoke the credentials issued under this one",
                       code_hint="did_key_issuer")
    key = next((k for k in issuer.keys if k.fragment == fragment), None)
    if key is None:
        raise NotFound(f"issuer {issuer.slug!r} has no key {fragment!r}")
    if key.compromised_at is not None:
        raise Conflict(f"key {fragment!r} was already reported compromised", code_hint="already_compromised")
    was_active = key.active
    key.compromised_at, key.compromise_note = now, (note or "").strip()[:500] or None
    key.active = False
    key.retired_at = key.retired_at or now
    if not was_active:
        return []
    return rotate_keys(session, issuer, vault, now, jwt_algorithm=jwt_algorithm)


def profile_json(issuer: IssuerProfile, base_url: str) -> dict:
    """The OB 3.0 ``Profile`` embedded as ``issuer`` in credentials."""
    profile: dict = {"id": issuer_did(issuer, base_url), "type": ["Profile"], "name": issuer.name}
    profile["url"] = issuer.url or f"{base_url}/issuers/{issuer.slug}"
    if issuer.email:
        profile["email"] = issuer.email
    if issuer.description:
        profile["description"] = issuer.description
    if issuer.country_code:
        profile["address"] = {"type": ["Address"], "addressCountryCode": issuer.country_code}
    if issuer.logo_id is not None:
        profile["image"] = {"id": f"{base_url}/issuers/{issuer.slug}/logo", "type": "Image"}
    return profile


@dataclass(frozen=True)
class SigningMaterial:
    did: str
    di_key: object
    di_verification_method: str
    jwt_key: object
    jwt_alg: str
    jwt_kid: str


def signing_material(issuer: IssuerProfile, base_url: str, vault: KeyVault) -> SigningMaterial:
    """The issuer's active private keys (opened from ``vault``) and their verification method ids."""
    did = issuer_did(issuer, base_url)
    active = [k for k in issuer.keys if k.active]
    di = next(k for k in active if k.algorithm == "Ed25519")
    jwt_key = next((k for k in active if k.algorithm in ("ES256", "RS256")), di)
    di_private = vault.open(di.private_encrypted, f"{issuer.slug}#{di.fragment}")
    jwt_private = di_private if jwt_key is di else vault.open(jwt_key.private_encrypted,
                                                              f"{issuer.slug}#{jwt_key.fragment}")
    alg = {"Ed25519": "EdDSA", "ES256": "ES256", "RS256": "RS256"}[jwt_key.algorithm]
    return SigningMaterial(did, di_private, _vm_id(did, di), jwt_private, alg, _vm_id(did, jwt_key))
