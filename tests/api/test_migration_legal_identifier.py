"""Migration 0003_exports_legal_identifier on SQLite and PostgreSQL: existing issuer profiles keep
their data and get empty legal identifiers; the downgrade removes the columns again."""
from __future__ import annotations

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text

from issuer.store.migrations import alembic_config, upgrade


def _columns(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return {c["name"] for c in inspect(engine).get_columns("issuer_profile")}
    finally:
        engine.dispose()


REVISION = "0003_exports_legal_identifier"


def test_upgrade_keeps_existing_profiles_and_downgrade_drops_the_columns(database_url):
    before = ScriptDirectory.from_config(alembic_config(database_url)).get_revision(REVISION).down_revision
    upgrade(database_url, before)
    engine = create_engine(database_url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO provider (slug, name, suspension_enabled) VALUES ('p', 'P', false)"))
        conn.execute(text("INSERT INTO issuer_profile (provider_id, slug, name, country_code, did_method) "
                          "SELECT id, 'p', 'P Academy', 'AT', 'web' FROM provider"))
    assert "legal_identifier" not in _columns(database_url)

    upgrade(database_url, REVISION)
    assert {"legal_identifier", "legal_identifier_scheme"} <= _columns(database_url)
    with engine.begin() as conn:
        row = conn.execute(text("SELECT name, country_code, legal_identifier, legal_identifier_scheme "
                                "FROM issuer_profile")).one()
        assert tuple(row) == ("P Academy", "AT", None, None)
        conn.execute(text("UPDATE issuer_profile SET legal_identifier = 'ATU73918264', "
                          "legal_identifier_scheme = 'vat'"))

    command.downgrade(alembic_config(database_url), before)
    assert not {"legal_identifier", "legal_identifier_scheme"} & _columns(database_url)
    with engine.begin() as conn:
        assert conn.execute(text("SELECT name FROM issuer_profile")).scalar_one() == "P Academy"
    upgrade(database_url, "head")
    engine.dispose()
