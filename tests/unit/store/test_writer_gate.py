"""SQLite write transactions queue at a cross-process gate (``flock`` on ``<db>-writer.lock``) instead
of polling SQLite's busy handler: held from BEGIN IMMEDIATE until COMMIT or ROLLBACK returns."""
from __future__ import annotations

import fcntl
import os
import threading
import time

import pytest
from sqlalchemy import text

from issuer.store.db import WriterGatedConnection, make_engine, make_sessionmaker


@pytest.fixture
def database(tmp_path):
    path = tmp_path / "issuer.db"
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
    yield engine, f"{path}-writer.lock"
    engine.dispose()


def _gate_taken(lock_path: str) -> bool:
    """Whether another open file description (as another process would have) finds the gate taken."""
    fd = os.open(lock_path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


@pytest.mark.parametrize("end", ["commit", "rollback", "close"])
def test_a_write_transaction_holds_the_gate_until_it_ends(database, end):
    engine, lock_path = database
    session = make_sessionmaker(engine, write=True)()
    session.execute(text("INSERT INTO t VALUES (1)"))
    assert isinstance(session.connection().connection.dbapi_connection, WriterGatedConnection)
    assert _gate_taken(lock_path)
    getattr(session, end)()
    assert not _gate_taken(lock_path)


def test_readers_never_take_the_gate(database):
    engine, lock_path = database
    with make_sessionmaker(engine)() as session:
        session.execute(text("SELECT count(*) FROM t")).scalar()
        assert not os.path.exists(lock_path) or not _gate_taken(lock_path)


def test_a_second_writer_waits_at_the_gate_and_goes_on_when_the_first_commits(database):
    engine, lock_path = database
    writers = make_sessionmaker(engine, write=True)
    first = writers()
    first.execute(text("INSERT INTO t VALUES (1)"))
    order = []

    def second_writer():
        with writers() as second:
            second.execute(text("INSERT INTO t VALUES (2)"))
            order.append("second wrote")
            second.commit()

    thread = threading.Thread(target=second_writer)
    thread.start()
    time.sleep(0.3)
    assert order == []  # waiting at the gate, not failing with "database is locked"
    order.append("first commits")
    first.commit()
    first.close()
    thread.join(10)
    assert order == ["first commits", "second wrote"]
    with engine.connect() as conn:
        assert conn.execute(text("SELECT x FROM t ORDER BY x")).scalars().all() == [1, 2]


def test_the_gate_file_is_private(database):
    engine, lock_path = database
    with make_sessionmaker(engine, write=True)() as session:
        session.execute(text("INSERT INTO t VALUES (1)"))
        session.commit()
    assert os.stat(lock_path).st_mode & 0o777 == 0o600
