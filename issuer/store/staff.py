"""Staff accounts of the provider console: roles, Argon2id password hashes, lockout.

Passwords are hashed with Argon2id (RFC 9106) through ``argon2-cffi``'s ``PasswordHasher`` (its
default parameters, re-hashed on log-in when they change). An account locks for
:data:`LOCK_MINUTES` after :data:`MAX_FAILURES` consecutive failed log-ins; the answer to a failed
log-in never says whether the address exists (OWASP ASVS 4.0 V2.2.1, V2.4.1).
"""
from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta, timezone

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import Conflict, IssuerError, NotFound, ValidationFailed
from .models import ConsoleUser, Provider

__all__ = ["ROLES", "MAX_FAILURES", "LOCK_MINUTES", "MIN_PASSWORD", "LoginFailed", "AccountLocked",
           "normalize_email", "new_password", "create_user", "authenticate", "users_of", "get_user",
           "set_role", "set_disabled", "set_password", "can", "login_by_sso", "PERMISSIONS"]

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


def _utc(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=timezone.utc) if moment is not None and moment.tzinfo is None else moment


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
    locked = _utc(user.locked_until)
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
