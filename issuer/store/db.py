"""Engine and session factory.

SQLite (the embedded default) runs in WAL mode with a busy timeout so that several worker
processes can issue at once; PostgreSQL is the production database.
"""
from __future__ import annotations

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, sessionmaker

__all__ = ["Base", "make_engine", "make_sessionmaker"]


class Base(DeclarativeBase):
    pass


def make_engine(url: str, **kwargs) -> Engine:
    """A SQLAlchemy engine for ``url`` (SQLite: WAL, synchronous=FULL, 60 s busy timeout, foreign keys
    on; PostgreSQL via psycopg)."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 60, "check_same_thread": False}, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # pragma: no cover - trivial
            dbapi_conn.isolation_level = None  # let SQLAlchemy emit BEGIN
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            # FULL (security catalog R-03): with NORMAL a power loss may undo the last commits, i.e.
            # credentials whose 201 the client already has, and their status positions with them.
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=60000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):  # pragma: no cover - trivial
            # Writers take the write lock at BEGIN, so a read-then-write transaction never fails
            # on lock upgrade; readers stay deferred and never block anyone (WAL).
            writer = conn.get_execution_options().get("issuer_write", False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if writer else "BEGIN")

        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def make_sessionmaker(engine: Engine, *, write: bool = False) -> sessionmaker:
    """Sessions for reading, or (``write=True``) for transactions that will write."""
    bind = engine.execution_options(issuer_write=True) if write else engine
    return sessionmaker(bind=bind, expire_on_commit=False)
