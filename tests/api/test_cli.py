"""The ``issuer`` command line (issue #2 §1-§2, issue #3 §2)."""
from __future__ import annotations

import json
import os

import pytest
from click.testing import CliRunner

from issuer.cli import main
from issuer.demo import demo_matrix


@pytest.fixture
def cli_env(tmp_path, database_url, monkeypatch):
    monkeypatch.setenv("ISSUER_INSTANCE_PATH", str(tmp_path / "inst"))
    monkeypatch.setenv("ISSUER_DATABASE_URL", database_url)
    monkeypatch.setenv("ISSUER_BASE_URL", "http://localhost:5000")
    monkeypatch.setenv("ISSUER_VERIFY_REMOTE_DID_WEB", "false")
    return tmp_path


def run(*args):
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result


def test_init_loads_demo_and_prints_key(cli_env):
    result = run("init")
    assert result.exit_code == 0, result.output
    assert "Demo provider 'emob-academy' API key: obk_" in result.output
    assert (cli_env / "inst" / "secret_key").exists() and (cli_env / "inst" / "demo-api-key.txt").exists()
    again = run("init")
    assert again.exit_code == 0 and "Loaded the demo" not in again.output


def test_provider_matrix_courses_and_verify(cli_env):
    assert run("init").exit_code == 0
    created = run("provider", "create", "Werkstatt Akademie Nord", "--country", "DE")
    assert created.exit_code == 0 and "API key (shown once" in created.output
    assert "schema" not in created.output  # no suspension: nothing to warn about
    key = created.output.split("store it safely): ")[1].split()[0]
    matrix_file = cli_env / "matrix.json"
    matrix_file.write_text(json.dumps(demo_matrix()))
    assert run("matrix", "import", str(matrix_file)).exit_code == 0
    catalogue = cli_env / "courses.json"
    catalogue.write_text(json.dumps({"courses": [{
        "code": "ADAS-1", "title": "ADAS basics", "description": "Sensors and calibration basics.",
        "criteria": "Practical check.", "learningOutcomes": ["Name ADAS sensors"], "workload": {"hours": 8},
        "eqfLevel": 4, "assessmentType": "Practical", "participationForm": "onsite",
        "qualityAssurance": "ISO 29990", "skills": [{"skill": "HVS-AWARE", "level": 1}]}]}))
    imported = run("courses", "import", str(catalogue), "--provider", "werkstatt-akademie-nord")
    assert imported.exit_code == 0 and "ADAS-1" in imported.output
    bad = cli_env / "bad.json"
    bad.write_text(json.dumps({"courses": [{"code": "X"}]}))
    failed = run("courses", "import", str(bad), "--provider", "werkstatt-akademie-nord")
    assert failed.exit_code == 1

    from issuer import create_app
    app = create_app()
    client = app.test_client()
    issued = client.post("/api/v1/credentials", json={"course": "ADAS-1", "learner": {"name": "N", "email": "n@x.org"}},
                         headers={"Authorization": f"Bearer {key}"}).get_json()
    cred_file = cli_env / "cred.json"
    cred_file.write_text(json.dumps(issued["credential"]))
    ok = run("verify", str(cred_file))
    assert ok.exit_code == 0 and ok.output.startswith("VERIFIED")
    tampered = issued["credential"] | {"name": "Forged"}
    cred_file.write_text(json.dumps(tampered))
    nok = run("verify", str(cred_file), "--json")
    assert nok.exit_code == 1 and json.loads(nok.output)["verified"] is False
    by_url = run("verify", f"http://localhost:5000/credentials/{issued['id']}")
    assert by_url.exit_code == 0
    rotated = run("keys", "rotate", "werkstatt-akademie-nord")
    assert rotated.exit_code == 0 and "key-ed25519-2" in rotated.output
    app.extensions["issuer"].engine.dispose()


def test_broken_configuration_stops_the_cli(cli_env, monkeypatch):
    monkeypatch.setenv("ISSUER_BASE_URL", "not a url")
    result = CliRunner().invoke(main, ["init"])
    assert result.exit_code == 2 and "ISSUER_BASE_URL" in result.output


def test_env_is_not_leaking(cli_env):
    assert os.environ["ISSUER_INSTANCE_PATH"].startswith(str(cli_env))


def test_serve_uses_its_port_for_the_default_public_origin(tmp_path, monkeypatch):
    from issuer.cli import _default_base_url
    monkeypatch.setenv("ISSUER_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("ISSUER_BASE_URL", raising=False)
    _default_base_url(8123)
    assert os.environ["ISSUER_BASE_URL"] == "http://localhost:8123"
    monkeypatch.setenv("ISSUER_BASE_URL", "https://skills.example.org")
    _default_base_url(8124)
    assert os.environ["ISSUER_BASE_URL"] == "https://skills.example.org"


def test_provider_with_suspension_is_told_the_cost(cli_env):
    assert run("init").exit_code == 0
    created = run("provider", "create", "Suspending Academy", "--suspension")
    assert created.exit_code == 0, created.output
    assert "fail that schema" in created.output and "docs/status.md" in created.output


def test_courses_import_takes_titles_per_language(cli_env):
    """Issue #14 §3: the CLI import accepts a course's per-language title and description."""
    assert run("init").exit_code == 0
    catalogue = cli_env / "courses.json"
    catalogue.write_text(json.dumps({"courses": [{
        "code": "ADAS-1", "title": "ADAS basics", "description": "Sensors and calibration basics.",
        "criteria": "Practical check.", "learningOutcomes": ["Name ADAS sensors"], "workload": {"hours": 8},
        "eqfLevel": 4, "assessmentType": "Practical", "participationForm": "onsite", "language": "en",
        "qualityAssurance": "ISO 29990", "skills": [{"skill": "HVS-AWARE", "level": 1}],
        "translations": {"it": {"title": "Fondamenti ADAS", "description": "Sensori e calibrazione."}}}]}))
    assert run("courses", "import", str(catalogue), "--provider", "emob-academy").exit_code == 0

    from issuer import create_app
    app = create_app()
    page = app.test_client().get("/achievements/emob-academy/adas-1?lang=it", headers={"Accept": "text/html"})
    assert "Fondamenti ADAS" in page.get_data(as_text=True) and "Sensori e calibrazione." in page.get_data(as_text=True)
    app.extensions["issuer"].engine.dispose()
