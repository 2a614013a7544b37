"""SQLite settings of the embedded default (security catalog R-03): WAL, synchronous=FULL, a busy
timeout and foreign keys, on every connection of the engine."""
from __future__ import annotations

from sqlalchemy import text

from issuer.store.db import make_engine


def test_every_sqlite_connection_is_durable(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'issuer.db'}")
    try:
        with engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 60000
    finally:
        engine.dispose()
