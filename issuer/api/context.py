"""Per-request access to the service container and a database session."""
from __future__ import annotations

from flask import current_app, g, request

from ..service import Service
from ..store import tenants
from ..store.models import Provider

__all__ = ["service", "db", "db_write", "current_provider"]


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


def current_provider(session=None):
    """Authenticate the API key; cache the provider on ``g``. With ``session``, the provider as an
    object of that session (for write transactions)."""
    if "provider" not in g:
        g.provider, g.api_key = tenants.authenticate(db(), request.headers.get("Authorization"))
        db().commit()  # end the read transaction (keeps the loaded objects)
    if session is not None:
        return session.get(Provider, g.provider.id)
    return g.provider
