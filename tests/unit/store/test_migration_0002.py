"""Migration 0002 (OAuth clients and tokens, API key scopes, listing indexes) upgrades a database
holding data, downgrades, and upgrades again; on SQLite and PostgreSQL (ISSUER_TEST_DATABASE_URL)."""
from __future__ import annotations

from alembic import command
from sqlalchemy import create_engine, inspect, text

from issuer.store.migrations import alembic_config
from issuer.store.migrations.current import migrations_current


BEFORE = "0003_exports_legal_identifier"  # this migration's down_revision


def test_upgrade_downgrade_upgrade_keeps_data(database_url):
    cfg = alembic_config(database_url)
    command.upgrade(cfg, BEFORE)
    engine = create_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO provider (slug, name, suspension_enabled) VALUES ('p', 'P', false)"))
            conn.execute(text("INSERT INTO api_key (provider_id, prefix, secret_hash) "
                              "VALUES ((SELECT id FROM provider), 'abc', 'h')"))
            conn.execute(text("INSERT INTO issuer_profile (provider_id, slug, name, did_method) "
                              "VALUES ((SELECT id FROM provider), 'i', 'I', 'web')"))
            conn.execute(text("INSERT INTO course (provider_id, code, slug, title, description, criteria, "
                              "learning_outcomes) VALUES ((SELECT id FROM provider), 'C', 'p-c', 'T', 'D', 'C', '[]')"))
            for cid, subject in (("c-email", None), ("c-did", "did:key:z6Mk")):
                conn.execute(text(
                    "INSERT INTO credential (id, provider_id, issuer_id, course_id, learner_name, subject_id, "
                    "document, jwt, valid_from, status) VALUES (:id, (SELECT id FROM provider), "
                    "(SELECT id FROM issuer_profile), (SELECT id FROM course), 'L', :s, '{}', '', "
                    "CURRENT_TIMESTAMP, 'active')"), {"id": cid, "s": subject})
        assert not migrations_current(engine)
        command.upgrade(cfg, "head")
        assert migrations_current(engine)
        info = inspect(engine)
        assert {"oauth_client", "oauth_token"} <= set(info.get_table_names())
        assert "scopes" in {c["name"] for c in info.get_columns("api_key")}
        assert "learner_email_index" in {c["name"] for c in info.get_columns("credential")}
        assert {"ix_credential_provider_issued", "ix_credential_provider_email", "ix_credential_provider_subject"} <= {
            i["name"] for i in info.get_indexes("credential")}
        with engine.connect() as conn:
            assert conn.execute(text("SELECT prefix, scopes FROM api_key")).one() == ("abc", None)
            marks = dict(conn.execute(text("SELECT id, learner_email_index FROM credential")).all())
            assert marks == {"c-email": "legacy", "c-did": None}  # e-mail recipients: matched by salted hash
        command.downgrade(cfg, BEFORE)
        info = inspect(engine)
        assert "oauth_client" not in info.get_table_names()
        assert "scopes" not in {c["name"] for c in info.get_columns("api_key")}
        command.upgrade(cfg, "head")
        with engine.connect() as conn:
            assert conn.execute(text("SELECT prefix FROM api_key")).scalar() == "abc"
    finally:
        engine.dispose()
