"""Staff accounts of the provider console: roles, Argon2id password hashes, lockout.

Passwords are hashed with Argon2id (RFC 9106) through ``argon2-cffi``'s ``PasswordHasher`` (its
default parameters, re-hashed on log-in when they change). An account locks for
:data:`LOCK_MINUTES` after :data:`MAX_FAILURES` consecutive failed log-ins; the answer to a failed
log-in never says whether the address exists (OWASP ASVS 4.0 V2.2.1, V2.4.1).
"""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from urllib.parse import urlsplit

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..badges.timestamps import as_utc
from ..errors import Conflict, IssuerError, NotFound, ValidationFailed
from .models import ConsoleSso, ConsoleUser, Provider

__all__ = ["ROLES", "MAX_FAILURES", "LOCK_MINUTES", "MIN_PASSWORD", "LoginFailed", "AccountLocked",
           "normalize_email", "new_password", "create_user", "authenticate", "users_of", "get_user",
           "set_role", "set_disabled", "set_password", "can", "login_by_sso", "PERMISSIONS",
           "SsoConfig", "set_sso", "remove_sso", "sso_config", "sso_providers", "check_metadata_url"]

ROLES = ("admin", "issuer", "viewer")
#: what each role may do: viewers read, issuers also issue and change status, admins also manage
#: the catalogue, settings and accounts
PERMISSIONS = {"viewer": {"read"}, "issuer": {"read", "issue"}, "admin": {"read", "issue", "manage"}}
MAX_FAILURES = 5
LOCK_MINUTES = 15
MIN_PASSWORD = 12
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,189}\.[^@\s]{1,63}$")
_hasher = PasswordHasher()
# verified against when the address is unknown, so that both answers take as long
_DUMMY = _hasher.hash(secrets.token_urlsafe(16))


class LoginFailed(IssuerError):
    code, title, http_status = "login_failed", "Log-in failed", 401


class AccountLocked(IssuerError):
    code, title, http_status = "account_locked", "Account locked", 423




def normalize_email(email: str) -> str:
    """``email`` trimmed and lower-cased; ``ValidationFailed`` unless it looks like ``local@domain.tld``."""
    value = email.strip().lower() if isinstance(email, str) else ""
    if not _EMAIL.match(value):
        raise ValidationFailed("enter an e-mail address such as name@example.org",
                               errors=[{"path": "/email", "message": "not an e-mail address"}])
    return value


def new_password() -> str:
    """A random password of 20 URL-safe characters (120 bits)."""
    return secrets.token_urlsafe(15)


def _check_password(password: str) -> str:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD or len(password) > 1000:
        raise ValidationFailed(f"a password has {MIN_PASSWORD} to 1000 characters",
                               errors=[{"path": "/password", "message": "too short or too long"}])
    return password


def can(user: ConsoleUser, permission: str) -> bool:
    """Whether ``user``'s role grants ``permission`` (``read``, ``issue`` or ``manage``)."""
    return permission in PERMISSIONS.get(user.role, set())


def create_user(session: Session, provider: Provider, email: str, role: str, *, password: str | None = None,
                name: str | None = None) -> ConsoleUser:
    """A new staff account of ``provider`` (flushed, not committed). ``password`` None makes an
    account that can only sign in through single sign-on. Raises ``ValidationFailed`` for a bad
    address, role or password and ``Conflict`` when the address has an account already."""
    email = normalize_email(email)
    if role not in ROLES:
        raise ValidationFailed(f"role must be one of {', '.join(ROLES)}",
                               errors=[{"path": "/role", "message": "unknown role"}])
    if session.scalar(select(ConsoleUser.id).where(ConsoleUser.email == email)) is not None:
        raise Conflict(f"{email} already has an account")
    user = ConsoleUser(provider_id=provider.id, email=email, role=role, failed_logins=0,
                       name=(name or "").strip()[:200] or None,
                       password_hash=_hasher.hash(_check_password(password)) if password is not None else None)
    session.add(user)
    session.flush()
    return user


def set_password(user: ConsoleUser, password: str) -> None:
    """Replace ``user``'s password (validated as at creation) and clear any lockout."""
    user.password_hash = _hasher.hash(_check_password(password))
    user.failed_logins, user.locked_until = 0, None


def authenticate(session: Session, email: str, password: str, now: datetime) -> ConsoleUser:
    """The account for ``email`` and ``password`` (the caller commits: counters and rehashes are
    written). Raises :class:`LoginFailed` for a wrong address or password or a disabled account,
    and :class:`AccountLocked` while a lockout lasts; the :data:`MAX_FAILURES`-th failure in a
    row starts a lockout of :data:`LOCK_MINUTES` minutes."""
    address = email.strip().lower() if isinstance(email, str) else ""
    user = session.scalar(select(ConsoleUser).where(ConsoleUser.email == address).with_for_update()) \
        if 0 < len(address) <= 254 else None
    password = password if isinstance(password, str) and len(password) <= 1000 else ""
    if user is None or user.password_hash is None or user.disabled_at is not None:
        try:
            _hasher.verify(_DUMMY, password or "-")
        except VerificationError:
            pass
        raise LoginFailed("the e-mail address or the password is wrong")
    locked = as_utc(user.locked_until)
    if locked is not None and locked > now:
        raise AccountLocked("this account is locked after repeated failed log-ins; try again later",
                            until=locked.isoformat())
    try:
        _hasher.verify(user.password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        user.failed_logins = (user.failed_logins or 0) + 1
        if user.failed_logins >= MAX_FAILURES:
            user.locked_until = now + timedelta(minutes=LOCK_MINUTES)
            user.failed_logins = 0
        session.flush()
        raise LoginFailed("the e-mail address or the password is wrong") from None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.failed_logins, user.locked_until, user.last_login_at = 0, None, now
    session.flush()
    return user


def login_by_sso(session: Session, provider: Provider, email: str, now: datetime) -> ConsoleUser:
    """The active account of ``provider`` for an e-mail address that ``provider``'s identity
    provider vouched for (OpenID Connect ``email`` with ``email_verified``); ``LoginFailed`` when
    there is none (accounts are never created by single sign-on)."""
    address = email.strip().lower() if isinstance(email, str) else ""
    user = session.scalar(select(ConsoleUser).where(ConsoleUser.email == address,
                                                    ConsoleUser.provider_id == provider.id))
    if user is None or user.disabled_at is not None:
        raise LoginFailed("no console account of this provider has that e-mail address")
    user.last_login_at = now
    session.flush()
    return user


def users_of(session: Session, provider: Provider) -> list[ConsoleUser]:
    """``provider``'s staff accounts, by e-mail address."""
    return list(session.scalars(select(ConsoleUser).where(ConsoleUser.provider_id == provider.id)
                                .order_by(ConsoleUser.email)))


def get_user(session: Session, user_id: int, provider: Provider | None = None) -> ConsoleUser:
    """The account ``user_id`` (of ``provider`` when given), or ``NotFound``."""
    query = select(ConsoleUser).where(ConsoleUser.id == user_id)
    if provider is not None:
        query = query.where(ConsoleUser.provider_id == provider.id)
    user = session.scalar(query)
    if user is None:
        raise NotFound("no such account")
    return user


def set_role(user: ConsoleUser, role: str) -> None:
    """Give ``user`` the role ``role`` (one of :data:`ROLES`)."""
    if role not in ROLES:
        raise ValidationFailed(f"role must be one of {', '.join(ROLES)}")
    user.role = role


def set_disabled(user: ConsoleUser, disabled: bool, now: datetime) -> None:
    """Disable (no log-in, sessions end) or re-enable ``user``."""
    user.disabled_at = now if disabled else None


@dataclass(frozen=True)
class SsoConfig:
    """A provider's OpenID Connect client settings (the secret opened from its sealed form)."""

    provider: Provider
    metadata_url: str
    client_id: str
    client_secret: str | None


def check_metadata_url(url: str) -> str:
    """The identity provider's discovery URL (OpenID Connect Discovery 1.0 §4): ``https://``, or
    ``http://`` on localhost / 127.0.0.1 only (development); ``ValidationFailed`` otherwise."""
    parts = urlsplit(url.strip() if isinstance(url, str) else "")
    local = parts.scheme == "http" and parts.hostname in ("localhost", "127.0.0.1")
    if not (parts.scheme == "https" or local) or not parts.hostname or len(url) > 500:
        raise ValidationFailed("the OpenID Connect discovery URL must be an https:// URL")
    return url.strip()


def _binding(provider: Provider) -> str:
    return f"console-sso:{provider.id}"


def set_sso(session: Session, provider: Provider, *, metadata_url: str, client_id: str, client_secret: str | None,
            box) -> ConsoleSso:
    """Configure (or replace) ``provider``'s console single sign-on; the client secret is sealed
    with ``box`` (:class:`issuer.signing.keystore.SecretBox`). Set by the operator (CLI), not in the
    console: the service fetches the discovery URL, so it must be trusted."""
    metadata_url = check_metadata_url(metadata_url)
    if not isinstance(client_id, str) or not client_id.strip() or len(client_id) > 200:
        raise ValidationFailed("the client id must be 1-200 characters")
    row = session.scalar(select(ConsoleSso).where(ConsoleSso.provider_id == provider.id))
    if row is None:
        row = ConsoleSso(provider_id=provider.id, metadata_url=metadata_url, client_id=client_id.strip())
        session.add(row)
    row.metadata_url, row.client_id = metadata_url, client_id.strip()
    row.client_secret_sealed = box.seal(client_secret.encode(), _binding(provider)) if client_secret else None
    session.flush()
    return row


def remove_sso(session: Session, provider: Provider) -> bool:
    """Switch ``provider``'s single sign-on off; False when it was not configured."""
    row = session.scalar(select(ConsoleSso).where(ConsoleSso.provider_id == provider.id))
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True


def sso_config(session: Session, provider_slug: str, box) -> SsoConfig | None:
    """The single sign-on settings of the provider ``provider_slug``, or None."""
    found = session.execute(select(ConsoleSso, Provider).join(Provider, Provider.id == ConsoleSso.provider_id)
                            .where(Provider.slug == provider_slug)).first()
    if found is None:
        return None
    row, provider = found
    secret = box.open(row.client_secret_sealed, _binding(provider)).decode() if row.client_secret_sealed else None
    return SsoConfig(provider=provider, metadata_url=row.metadata_url, client_id=row.client_id, client_secret=secret)


def sso_providers(session: Session) -> list[tuple[str, str]]:
    """``(slug, name)`` of the providers whose staff can sign in by single sign-on, by name."""
    return [(slug, name) for slug, name in session.execute(
        select(Provider.slug, Provider.name).join(ConsoleSso, ConsoleSso.provider_id == Provider.id)
        .order_by(Provider.name))]
