"""Issue #9 §6 and §7: configuration refused at startup, the CLI without a database, parallel key
rotation, file modes of the instance folder, the demo key printed once."""
from __future__ import annotations

import json
import os
import stat

import pytest
from click.testing import CliRunner

from issuer.cli import main
from issuer.config import load_config, validate_config
from issuer.errors import ConfigError
from issuer.service import build_service
from issuer.demo.setup import initialize
from tests.conftest import make_config


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.mark.parametrize("base", ["http://127.0.0.1:5000", "https://[::1]", "http://10.0.0.7",
                                  "http://2130706433:8080"])
def test_base_url_with_an_ip_address_is_refused_with_a_reason(tmp_path, base):
    config = load_config(tmp_path, environ={}, overrides={"BASE_URL": base, "SECRET_KEY": "k" * 40})
    problems = validate_config(config)
    assert any("IP address" in p and "did:web" in p for p in problems), problems


def test_cli_refuses_an_ip_base_url(tmp_path, monkeypatch):
    monkeypatch.setenv("ISSUER_INSTANCE_PATH", str(tmp_path / "inst"))
    monkeypatch.setenv("ISSUER_BASE_URL", "http://127.0.0.1:5400")
    result = CliRunner().invoke(main, ["init"])
    assert result.exit_code == 2
    assert "not the IP address 127.0.0.1" in result.output


def test_origin_change_after_issuance_is_refused_unless_confirmed(tmp_path, database_url, client, auth):
    issued = client.post("/api/v1/credentials", headers=auth,
                         json={"course": "HV-2S", "learner": {"name": "A", "email": "a@example.org"}})
    assert issued.status_code == 201
    for moved in ("http://localhost:5001", "https://skills.example.org"):
        with pytest.raises(ConfigError) as caught:
            build_service(make_config(tmp_path, database_url, BASE_URL=moved))
        message = str(caught.value)
        assert "http://localhost:5000" in message and "ISSUER_ALLOW_ORIGIN_CHANGE" in message
    confirmed = build_service(make_config(tmp_path, database_url, BASE_URL="http://localhost:5001",
                                          ALLOW_ORIGIN_CHANGE=True))
    confirmed.engine.dispose()
    same = build_service(make_config(tmp_path, database_url))  # unchanged origin starts
    same.engine.dispose()


def test_empty_database_may_change_origin(tmp_path, database_url, service):
    other = build_service(make_config(tmp_path, database_url, BASE_URL="http://localhost:5002"))
    other.engine.dispose()


def test_verify_a_file_from_another_folder_needs_no_database(tmp_path, monkeypatch, client, auth):
    issued = client.post("/api/v1/credentials", headers=auth,
                         json={"course": "HV-2S", "learner": {"name": "A", "email": "a@example.org"}}).get_json()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    credential = elsewhere / "credential.json"
    credential.write_text(json.dumps(issued["credential"]))
    monkeypatch.chdir(elsewhere)
    for name in list(os.environ):
        if name.startswith("ISSUER_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("ISSUER_VERIFY_REMOTE_DID_WEB", "false")
    result = run("verify", str(credential), "--json")
    # Our did:web cannot be resolved without the database or the network: a report, not a SQL error.
    report = json.loads(result.output)
    assert result.exit_code == 1 and report["verified"] is False
    assert report["issuerTrust"]["level"] == "unknown"
    assert sorted(p.name for p in elsewhere.iterdir()) == ["credential.json"]  # nothing created
    missing = run("verify", str(elsewhere / "nope.json"))
    assert missing.exit_code == 1 and "no such file" in missing.output
    assert sorted(p.name for p in elsewhere.iterdir()) == ["credential.json"]


@pytest.mark.parametrize("target, message", [("/proc/self/mem", "cannot read /proc/self/mem"),
                                             (".", "is not a regular file"),
                                             ("/dev/null", "is not a regular file")])
def test_verify_of_an_unreadable_path_is_one_clean_message(tmp_path, monkeypatch, target, message):
    """``issuer verify`` reads the one path it is given; one it cannot read is a sentence, not a traceback."""
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith("ISSUER_"):
            monkeypatch.delenv(name)
    result = run("verify", target)
    assert result.exit_code == 1 and message in result.output, result.output
    assert "Traceback" not in result.output and "Error" not in result.output
    assert list(tmp_path.iterdir()) == []


def test_verify_a_did_key_credential_without_database(tmp_path, monkeypatch):
    from tests.unit.verify.support import did_key_issuer, signed
    issuer = did_key_issuer()
    document = signed(issuer, validFrom="2020-01-01T00:00:00Z")
    document.pop("credentialStatus", None)
    path = tmp_path / "vc.json"
    path.write_text(json.dumps(document))
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ISSUER_INSTANCE_PATH", raising=False)
    monkeypatch.delenv("ISSUER_DATABASE_URL", raising=False)
    result = run("verify", str(path))
    assert result.exit_code == 0, result.output
    assert result.output.startswith("VERIFIED") and "UNKNOWN issuer" in result.output
    assert not (tmp_path / "instance").exists()


def test_parallel_key_rotation_gives_one_clean_message(tmp_path, database_url, monkeypatch, service, demo):
    """The loser of a rotation race hits the (issuer, fragment) unique constraint: one sentence, exit 1."""
    from issuer.store import tenants
    monkeypatch.setenv("ISSUER_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("ISSUER_DATABASE_URL", database_url)
    monkeypatch.setenv("ISSUER_BASE_URL", "http://localhost:5000")
    monkeypatch.setenv("ISSUER_SECRET_KEY", service.config["SECRET_KEY"])
    # As if a parallel rotation had already taken the next fragments:
    monkeypatch.setattr(tenants, "_next_fragment", lambda issuer, kind: f"key-{kind}-1")
    result = CliRunner().invoke(main, ["keys", "rotate", "emob-academy"])
    assert result.exit_code == 1
    assert "another key rotation of 'emob-academy' finished first" in result.output
    assert "IntegrityError" not in result.output and "Traceback" not in result.output
    with service.session() as session:
        issuer = tenants.get_issuer(session, "emob-academy")
        assert [k.fragment for k in issuer.keys if k.active] == ["key-ed25519-1", "key-p256-1"]


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_instance_folder_database_and_secrets_are_private(tmp_path, monkeypatch):
    monkeypatch.setenv("ISSUER_INSTANCE_PATH", str(tmp_path / "inst"))
    monkeypatch.delenv("ISSUER_DATABASE_URL", raising=False)
    monkeypatch.setenv("ISSUER_BASE_URL", "http://localhost:5000")
    monkeypatch.delenv("ISSUER_SECRET_KEY", raising=False)
    old = os.umask(0o022)
    try:
        assert run("init").exit_code == 0
    finally:
        os.umask(old)
    inst = tmp_path / "inst"
    assert _mode(inst) == 0o700
    assert _mode(inst / "issuer.db") == 0o600
    assert _mode(inst / "secret_key") == 0o600
    assert _mode(inst / "demo-api-key.txt") == 0o600
    for extra in ("issuer.db-wal", "issuer.db-shm"):
        if (inst / extra).exists():
            assert _mode(inst / extra) & 0o077 == 0


def test_existing_wide_instance_is_tightened(tmp_path, monkeypatch):
    inst = tmp_path / "inst"
    inst.mkdir(mode=0o755)
    inst.chmod(0o755)
    monkeypatch.setenv("ISSUER_INSTANCE_PATH", str(inst))
    monkeypatch.delenv("ISSUER_DATABASE_URL", raising=False)
    monkeypatch.setenv("ISSUER_BASE_URL", "http://localhost:5000")
    assert run("init").exit_code == 0
    (inst / "issuer.db").chmod(0o644)
    assert run("init").exit_code == 0
    assert _mode(inst) == 0o700 and _mode(inst / "issuer.db") == 0o600


def test_demo_api_key_is_printed_on_the_first_start_only(tmp_path, monkeypatch, database_url):
    monkeypatch.setenv("ISSUER_INSTANCE_PATH", str(tmp_path / "inst"))
    monkeypatch.setenv("ISSUER_DATABASE_URL", database_url)
    monkeypatch.setenv("ISSUER_BASE_URL", "http://localhost:5000")
    first = run("init")
    key = (tmp_path / "inst" / "demo-api-key.txt").read_text().split()[1]
    assert key in first.output
    second = run("init")
    assert second.exit_code == 0
    assert key not in second.output and "obk_" not in second.output
    assert str(tmp_path / "inst" / "demo-api-key.txt") in second.output


@pytest.mark.parametrize("base,refused", [("http://skills.example.org", True), ("http://issuer.test:8080", True),
                                          ("https://skills.example.org", False), ("http://localhost:5000", False),
                                          ("http://wallet.localhost:5000", False)])
def test_plain_http_is_for_localhost_only(tmp_path, base, refused):
    """Issue #11: production metadata is https (did:web resolves over https only; OID4VCI §12.2.1)."""
    config = load_config(tmp_path, environ={}, overrides={"BASE_URL": base, "SECRET_KEY": "k" * 40})
    problems = [p for p in validate_config(config) if "must be https://" in p]
    assert bool(problems) == refused, problems
