"""Migration 0007 (compact credential storage) converts rows made under the old schema (text
columns), and every form is then served byte for byte; downgrade gives the text back. On SQLite and
PostgreSQL (ISSUER_TEST_DATABASE_URL)."""
from __future__ import annotations

import json

from alembic import command
from sqlalchemy import create_engine, inspect, text

from issuer import issuance
from issuer.store import compact
from issuer.store.migrations import alembic_config

BEFORE = "0009_hub"  # this migration's down_revision


def _old_rows(url: str) -> dict:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {r[0]: (r[1], r[2]) for r in conn.execute(text("SELECT id, document, jwt FROM credential"))}
    finally:
        engine.dispose()


def test_rows_of_the_old_schema_are_served_identically_after_upgrade(api, client, service, database_url,
                                                                      monkeypatch):
    signed: dict[str, tuple[str, str]] = {}
    pairs: list[tuple[str, str]] = []
    original = issuance.sign_credential
    monkeypatch.setattr(issuance, "sign_credential", lambda *a, **k: pairs.append(original(*a, **k)) or pairs[-1])
    for i, course in enumerate(("HV-2S", "HV-2S", "BAT-SERVICE")):
        body = api.issue(course, learner={"name": f"Migra Ölmez {i}", "email": f"m{i}@example.org"})
        signed[body["id"]] = pairs[-1]
        assert json.loads(pairs[-1][0]) == body["credential"] and pairs[-1][1] == body["jwt"]
    service.close()
    cfg = alembic_config(database_url)

    command.downgrade(cfg, BEFORE)  # the old schema, text columns
    old = _old_rows(database_url)
    assert old == signed
    # rows the old code could have written: a JWT that is not derivable from the document, a
    # placeholder row, a document without a proof
    any_id = next(iter(signed))
    engine = create_engine(database_url)
    with engine.begin() as conn:
        for new_id, document, jwt in (("old-p", signed[any_id][0], list(signed.values())[2][1]),
                                      ("old-empty", "", ""),
                                      ("old-plain", '{\n  "id": "x",\n  "name": "\u00e4"\n}', "a.b")):
            conn.execute(text(
                "INSERT INTO credential (id, provider_id, issuer_id, course_id, learner_name, document, jwt, "
                "valid_from, status) SELECT :id, provider_id, issuer_id, course_id, 'L', :d, :j, valid_from, status "
                "FROM credential WHERE id = :any"), {"id": new_id, "d": document, "j": jwt, "any": any_id})
    expected = _old_rows(database_url)
    engine.dispose()

    command.upgrade(cfg, "head")
    columns = {c["name"] for c in inspect(service.engine).get_columns("credential")}
    assert "packed" in columns and "document" not in columns and "jwt" not in columns
    compact.forget_course_dictionaries()  # the dictionaries made before the downgrade are gone
    service.close()
    for credential_id, (document, token) in expected.items():
        assert client.get(f"/credentials/{credential_id}.json").data == document.encode(), credential_id
        assert client.get(f"/credentials/{credential_id}.jwt").data == token.encode(), credential_id
    with service.engine.connect() as conn:
        assert conn.execute(text("SELECT count(DISTINCT course_id) FROM credential_dictionary")).scalar() == 2
    api.issue("BAT-SERVICE")  # issuing goes on with the migrated dictionaries

    service.close()
    command.downgrade(cfg, BEFORE)
    back = _old_rows(database_url)
    assert {k: back[k] for k in expected} == expected
    command.upgrade(cfg, "head")
    compact.forget_course_dictionaries()
