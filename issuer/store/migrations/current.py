"""Is the database at the newest migration? (for ``/readyz``)"""
from __future__ import annotations

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from . import alembic_config

__all__ = ["migrations_current"]


def migrations_current(engine) -> bool:
    """True when the database's Alembic heads equal the packaged scripts' heads."""
    script = ScriptDirectory.from_config(alembic_config(str(engine.url)))
    with engine.connect() as conn:
        current = set(MigrationContext.configure(conn).get_current_heads())
    return current == set(script.get_heads())
