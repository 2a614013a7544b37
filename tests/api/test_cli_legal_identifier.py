"""Issue #15: an issuer's legal identifier and country from the command line (needed by ELM)."""
from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from issuer.cli import main
from issuer.store.models import IssuerProfile


@pytest.fixture
def cli_env(tmp_path, database_url, monkeypatch):
    monkeypatch.setenv("ISSUER_INSTANCE_PATH", str(tmp_path / "inst"))
    monkeypatch.setenv("ISSUER_DATABASE_URL", database_url)
    monkeypatch.setenv("ISSUER_BASE_URL", "http://localhost:5000")
    monkeypatch.setenv("ISSUER_LOAD_DEMO", "false")
    return database_url


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def _issuer(url, slug):
    engine = create_engine(url)
    try:
        with Session(engine) as session:
            row = session.scalar(select(IssuerProfile).where(IssuerProfile.slug == slug))
            return row.country_code, row.legal_identifier, row.legal_identifier_scheme
    finally:
        engine.dispose()


def test_provider_create_with_a_legal_identifier(cli_env):
    assert run("init").exit_code == 0
    result = run("provider", "create", "Werkstatt Akademie Nord", "--country", "de", "--legal-id", "DE298173645",
                 "--legal-id-scheme", "vat")
    assert result.exit_code == 0, result.output
    assert _issuer(cli_env, "werkstatt-akademie-nord") == ("DE", "DE298173645", "vat")


def test_set_change_and_clear_the_legal_identifier(cli_env):
    assert run("init").exit_code == 0
    assert run("provider", "create", "Kfz Schule Ost", "--slug", "kfz-ost").exit_code == 0
    assert _issuer(cli_env, "kfz-ost") == (None, None, None)
    result = run("provider", "legal-id", "kfz-ost", "HRB 12345 (Amtsgericht Leipzig)", "--country", "DE")
    assert result.exit_code == 0, result.output
    assert "legal identifier registration HRB 12345 (Amtsgericht Leipzig), country DE" in result.output
    assert _issuer(cli_env, "kfz-ost") == ("DE", "HRB 12345 (Amtsgericht Leipzig)", "registration")
    assert run("provider", "legal-id", "kfz-ost", "--clear").exit_code == 0
    assert _issuer(cli_env, "kfz-ost") == ("DE", None, None)


@pytest.mark.parametrize("args,message", [
    (["provider", "legal-id", "kfz-ost", "DE1", "--country", "Germany"], "ISO 3166-1 alpha-2"),
    (["provider", "legal-id", "kfz-ost", "<script>"], "legal identifier: 1-100"),
    (["provider", "legal-id", "kfz-ost"], "give LEGAL_ID or --clear"),
    (["provider", "legal-id", "nobody", "DE1"], "nobody"),
])
def test_bad_legal_identifiers_are_refused(cli_env, args, message):
    assert run("init").exit_code == 0
    assert run("provider", "create", "Kfz Schule Ost", "--slug", "kfz-ost").exit_code == 0
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code != 0
    assert message in result.output
    assert _issuer(cli_env, "kfz-ost") == (None, None, None)
