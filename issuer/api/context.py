"""Per-request access to the service container, a database session and the calling provider."""
from __future__ import annotations

from contextlib import contextmanager
from functools import wraps

from flask import current_app, g, request

from ..errors import InsufficientScope
from ..service import Service
from ..store import clients, tenants
from ..store.models import Provider

__all__ = ["service", "db", "db_write", "committing", "current_provider", "principal", "requires"]


def service() -> Service:
    return current_app.extensions["issuer"]


def db():
    """The request's reading session."""
    if "db_session" not in g:
        g.db_session = service().session()
    return g.db_session


def db_write():
    """The request's writing session (SQLite: holds the write lock from its first statement)."""
    if "db_write_session" not in g:
        g.db_write_session = service().session(write=True)
    return g.db_write_session


@contextmanager
def committing(session):
    """Run the block as one transaction of ``session``: commit when it ends, roll back and re-raise
    when it (or the commit) raises, so that the error handler's problem or page starts clean."""
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise


def principal():
    """The authenticated caller (:class:`issuer.store.clients.Principal`): an API key
    (``Bearer obk_...``) or an OAuth access token (``Bearer oat_...``); cached on ``g``."""
    if "principal" not in g:
        header = request.headers.get("Authorization")
        token = header[len("Bearer "):].strip() if header and header.startswith("Bearer ") else ""
        if token.startswith(clients.ACCESS_TOKEN_PREFIX):
            g.principal = clients.authenticate_token(db(), token, service().clock())
        else:
            provider, key = tenants.authenticate(db(), header)
            g.principal = clients.api_key_principal(provider, key)
        g.provider = g.principal.provider
        db().commit()  # end the read transaction (keeps the loaded objects)
    return g.principal


def current_provider(session=None):
    """Authenticate the caller; with ``session``, the provider as an object of that session (for
    write transactions)."""
    provider = principal().provider
    if session is not None:
        return session.get(Provider, provider.id)
    return provider


def requires(scope: str):
    """View decorator: authenticate, then demand ``scope``; 403 ``insufficient_scope`` names it."""
    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if scope not in principal().scopes:
                raise InsufficientScope(f"this call needs the scope {scope!r}", scope=scope)
            return view(*args, **kwargs)
        wrapper.required_scope = scope
        return wrapper
    return decorate
