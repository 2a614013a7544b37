"""OAuth 2.0 clients and access tokens of providers (RFC 6749 §4.4 client credentials), and the
scope model shared with API keys.

Secrets and tokens are 256-bit random strings; only their SHA-256 is stored. No Flask here: the
authorization server (Authlib) lives in :mod:`issuer.api.oauth`.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..errors import Unauthorized, ValidationFailed
from .models import ApiKey, OAuthClient, OAuthToken, Provider

__all__ = [
    "SCOPES", "parse_scopes", "Principal", "create_client", "client_by_id", "check_client_secret",
    "new_access_token", "token_by_value", "authenticate_token", "hash_secret", "ACCESS_TOKEN_PREFIX",
    "CLIENT_ID_PREFIX", "api_key_principal", "clients_of", "revoke_client", "token_active", "purge_tokens",
    "LONGEST_TOKEN_LIFETIME",
]

#: Every scope, with what it allows. API keys without a scope list have all of them.
SCOPES: dict[str, str] = {
    "credentials:issue": "issue credentials (POST /api/v1/credentials)",
    "credentials:read": "list and read the provider's credentials and their status",
    "credentials:status": "revoke, suspend and unsuspend credentials",
    "catalogue:read": "read the provider's issuers and courses",
    "catalogue:write": "import courses, upload badge images, set issuers' legal identity (country, legal id)",
    "webhooks:manage": "register, list and delete webhook endpoints, read their delivery logs, redeliver",
    "clients:manage": "create OAuth clients for the same provider (never with more scopes than the caller)",
    "keys:manage": "list, rotate and retire (as compromised) the provider's issuer signing keys",
}

ACCESS_TOKEN_PREFIX = "oat_"
CLIENT_ID_PREFIX = "oac_"


def hash_secret(secret: str) -> str:
    """Hex SHA-256 of a high-entropy secret (API key, client secret, access token)."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def parse_scopes(value: str | list[str] | None, *, allow_empty: bool = False) -> list[str]:
    """A scope string (space-separated, RFC 6749 §3.3) or list → known scopes in the order of
    :data:`SCOPES`. Raises ValidationFailed naming unknown scopes."""
    items = value.split() if isinstance(value, str) else list(value or [])
    unknown = sorted({s for s in items if s not in SCOPES})
    if unknown:
        raise ValidationFailed(f"unknown scope(s): {', '.join(map(str, unknown))}",
                               errors=[{"path": "/scope", "message": f"known scopes: {' '.join(SCOPES)}"}])
    if not items and not allow_empty:
        raise ValidationFailed("at least one scope is needed", errors=[{"path": "/scope", "message": "empty"}])
    return [s for s in SCOPES if s in items]


@dataclass(frozen=True)
class Principal:
    """Who calls the provider API: the provider, the granted scopes, and an audit label."""

    provider: Provider
    scopes: frozenset[str]
    actor: str  # "api-key:<prefix>" or "oauth-client:<client_id>"


def api_key_principal(provider: Provider, key: ApiKey) -> Principal:
    """The caller behind an API key: its provider and scopes (a key without scopes has every scope, as keys made before scopes existed)."""
    scopes = frozenset(key.scopes.split()) if key.scopes else frozenset(SCOPES)
    return Principal(provider, scopes, f"api-key:{key.prefix}")


def create_client(session: Session, provider: Provider, name: str, scopes: list[str]) -> tuple[OAuthClient, str]:
    """A new client of ``provider``; returns the row and the secret (shown once, stored hashed)."""
    if not isinstance(name, str) or not name.strip() or len(name) > 200:
        raise ValidationFailed("the client name must be 1-200 characters", errors=[{"path": "/name", "message": "bad"}])
    secret = secrets.token_urlsafe(32)
    client = OAuthClient(provider_id=provider.id, client_id=CLIENT_ID_PREFIX + secrets.token_hex(12),
                         secret_hash=hash_secret(secret), name=name.strip(), scopes=" ".join(parse_scopes(scopes)))
    session.add(client)
    session.flush()
    return client, secret


def client_by_id(session: Session, client_id: str | None) -> OAuthClient | None:
    """The active (unrevoked) OAuth 2.0 client with this ``client_id`` (RFC 6749 §2.2), else ``None``; malformed ids are ``None`` without a query."""
    if not isinstance(client_id, str) or not client_id.startswith(CLIENT_ID_PREFIX) or len(client_id) > 48:
        return None
    client = session.scalar(select(OAuthClient).where(OAuthClient.client_id == client_id))
    return client if client is not None and client.revoked_at is None else None


def check_client_secret(client: OAuthClient, secret: str | None) -> bool:
    """True when ``secret`` matches the client's stored hash (constant-time comparison; RFC 6749 §2.3.1)."""
    return isinstance(secret, str) and hmac.compare_digest(client.secret_hash, hash_secret(secret))


def new_access_token() -> str:
    """A fresh opaque bearer access token (RFC 6750): the prefix plus 256 random bits, URL-safe."""
    return ACCESS_TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_by_value(session: Session, token: str | None) -> OAuthToken | None:
    """The stored token row for a presented bearer token (looked up by its hash), else ``None``."""
    if not isinstance(token, str) or not token.startswith(ACCESS_TOKEN_PREFIX) or len(token) > 200:
        return None
    return session.scalar(select(OAuthToken).where(OAuthToken.token_hash == hash_secret(token)))


def token_active(token: OAuthToken, now: datetime) -> bool:
    """Not revoked, not expired, and its client not revoked."""
    issued = token.issued_at if token.issued_at.tzinfo else token.issued_at.replace(tzinfo=now.tzinfo)
    return (token.revoked_at is None and token.client.revoked_at is None
            and now < issued + timedelta(seconds=token.expires_in))


#: The longest lifetime ``OAUTH_TOKEN_LIFETIME`` may give a token (the configuration refuses more).
LONGEST_TOKEN_LIFETIME = timedelta(seconds=86400)


def purge_tokens(session: Session, now: datetime) -> int:
    """Delete the access tokens issued more than :data:`LONGEST_TOKEN_LIFETIME` before ``now``
    (expired whatever their lifetime, revoked or not); how many. A deleted token answers as an
    unknown one: 401 on the API, ``{"active": false}`` from introspection."""
    return session.execute(delete(OAuthToken).where(OAuthToken.issued_at < now - LONGEST_TOKEN_LIFETIME)).rowcount


def authenticate_token(session: Session, token: str, now: datetime) -> Principal:
    """The principal of an active OAuth access token, or Unauthorized."""
    row = token_by_value(session, token)
    if row is None or not token_active(row, now):
        raise Unauthorized("the access token is not valid (unknown, expired or revoked)")
    provider = session.get(Provider, row.provider_id)
    return Principal(provider, frozenset(row.scope.split()), f"oauth-client:{row.client.client_id}")


def clients_of(session: Session, provider: Provider) -> list[OAuthClient]:
    """The provider's clients, oldest first."""
    return list(session.scalars(select(OAuthClient).where(OAuthClient.provider_id == provider.id)
                                .order_by(OAuthClient.id)))


def revoke_client(session: Session, client_id: str, now: datetime, provider: Provider | None = None
                  ) -> OAuthClient | None:
    """Revoke a client (of ``provider`` when given); its tokens stop working at once. None if unknown."""
    query = select(OAuthClient).where(OAuthClient.client_id == client_id)
    if provider is not None:
        query = query.where(OAuthClient.provider_id == provider.id)
    row = session.scalar(query)
    if row is not None and row.revoked_at is None:
        row.revoked_at = now
    return row
