"""Alembic migrations on SQLite and PostgreSQL (the ``database_url`` fixture picks the database)."""
from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text

from issuer.store import notify_models  # noqa: F401 - its tables join Base.metadata
from issuer.store.migrations import alembic_config
from issuer.store.models import Base


def _rows(url: str, sql: str):
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql))]
    finally:
        engine.dispose()


def _exec(url: str, *statements: str) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            for sql in statements:
                conn.execute(text(sql))
    finally:
        engine.dispose()


def test_0002_course_paths_up_down_up(database_url):
    cfg = alembic_config(database_url)
    command.upgrade(cfg, "0001")
    _exec(database_url,
          "INSERT INTO provider (id, slug, name, suspension_enabled) VALUES (1, 'emob', 'E', false)",
          "INSERT INTO provider (id, slug, name, suspension_enabled) VALUES (2, 'emob-academy', 'EA', false)",
          "INSERT INTO course (id, provider_id, code, slug, title, description, criteria, learning_outcomes) "
          "VALUES (1, 1, 'academy-HV-9', 'emob-academy-hv-9', 't', 'd', 'c', '[]')",
          "INSERT INTO course (id, provider_id, code, slug, title, description, criteria, learning_outcomes) "
          "VALUES (2, 2, 'HV-2S', 'emob-academy-hv-2s', 't', 'd', 'c', '[]')")
    command.upgrade(cfg, "head")
    assert _rows(database_url, "SELECT id, slug, legacy_slug FROM course ORDER BY id") == [
        (1, "emob/academy-hv-9", "emob-academy-hv-9"), (2, "emob-academy/hv-2s", "emob-academy-hv-2s")]
    # The squatting case now works: emob-academy's own HV-9 gets its own path.
    _exec(database_url,
          "INSERT INTO course (id, provider_id, code, slug, title, description, criteria, learning_outcomes) "
          "VALUES (3, 2, 'HV-9', 'emob-academy/hv-9', 't', 'd', 'c', '[]')",
          # (the old schema cannot hold both: remove it before going back)
          "DELETE FROM course WHERE id = 3")
    command.downgrade(cfg, "0001")
    assert _rows(database_url, "SELECT id, slug FROM course ORDER BY id") == [
        (1, "emob-academy-hv-9"), (2, "emob-academy-hv-2s")]
    command.upgrade(cfg, "head")
    assert _rows(database_url, "SELECT slug FROM course ORDER BY id") == [("emob/academy-hv-9",),
                                                                           ("emob-academy/hv-2s",)]


def test_0008_console_up_down_up_with_data(service, api):
    """Staff accounts, single sign-on, retired courses and issuer logos come and go with data in
    every table that references ``course`` and ``issuer_profile``."""
    url = service.config["DATABASE_URL"]
    cfg = alembic_config(url)
    api.issue("HV-2S")  # a credential row references a course and an issuer profile
    _exec(url, "UPDATE course SET retired_at = CURRENT_TIMESTAMP WHERE code = 'HV-3S'")
    command.downgrade(cfg, "0005_batches")
    assert _rows(url, "SELECT count(*) FROM course") == [(15,)]
    command.upgrade(cfg, "head")
    assert _rows(url, "SELECT count(*) FROM course WHERE retired_at IS NULL") == [(15,)]
    assert _rows(url, "SELECT count(*) FROM console_user") == [(0,)]
    assert _rows(url, "SELECT count(*) FROM credential") == [(1,)]


def test_the_migrated_schema_is_the_models_schema(database_url):
    """The Alembic head builds exactly the tables, columns, keys and indexes of issuer.store.models
    (models and migrations cannot drift apart unnoticed, e.g. when models share mixins)."""
    command.upgrade(alembic_config(database_url), "head")
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    finally:
        engine.dispose()
    assert diff == []
