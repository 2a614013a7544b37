"""Configuration layering and fail-fast validation (issue #2 §1)."""
import pytest

from issuer.config import load_config, validate_config
from issuer.errors import ConfigError
from issuer.service import build_service


def test_layers_defaults_instance_file_then_environment(tmp_path):
    (tmp_path / "config.py").write_text("BASE_URL = 'https://from-file.example'\nSTATUS_LIST_MAX_AGE = 60\n")
    cfg = load_config(tmp_path, environ={"ISSUER_BASE_URL": "https://from-env.example", "OTHER": "x"})
    assert cfg["BASE_URL"] == "https://from-env.example"
    assert cfg["STATUS_LIST_MAX_AGE"] == 60
    assert cfg["DATABASE_URL"] == f"sqlite:///{tmp_path / 'issuer.db'}"
    assert cfg["STATUS_LIST_CAPACITY"] == 131072


@pytest.mark.parametrize("env,fragment", [
    ({"ISSUER_BASE_URL": "ftp://x"}, "ISSUER_BASE_URL"),
    ({"ISSUER_BASE_URL": "https://x.example/sub/path"}, "origin only"),
    ({"ISSUER_DATABASE_URL": "mysql://x"}, "ISSUER_DATABASE_URL"),
    ({"ISSUER_SECRET_KEY": "short"}, "at least 32"),
    ({"ISSUER_JWT_ALGORITHM": "HS256"}, "ES256 or RS256"),
    ({"ISSUER_STATUS_LIST_LENGTH": "1024"}, "131072"),
    ({"ISSUER_STATUS_LIST_MAX_AGE": "soon"}, "non-negative integer"),
    ({"ISSUER_VERIFY_MAX_ARRAY_ITEMS": "0"}, "ISSUER_VERIFY_MAX_ARRAY_ITEMS must be a positive integer"),
    ({"ISSUER_COVERAGE_MAX_CREDENTIALS": "many"}, "ISSUER_COVERAGE_MAX_CREDENTIALS"),
    ({"ISSUER_FETCH_BUDGET_SECONDS": "0"}, "ISSUER_FETCH_BUDGET_SECONDS must be a positive number"),
    ({"ISSUER_JSONLD_DEADLINE_SECONDS": "soon"}, "ISSUER_JSONLD_DEADLINE_SECONDS"),
    ({"ISSUER_JSONLD_WORKERS": "-1"}, "ISSUER_JSONLD_WORKERS"),
])
def test_broken_configuration_is_refused_with_a_reason(tmp_path, env, fragment):
    env = {"ISSUER_SECRET_KEY": "s" * 40, **env}
    cfg = load_config(tmp_path, environ=env)
    problems = validate_config(cfg)
    assert any(fragment in p for p in problems), problems
    with pytest.raises(ConfigError) as exc:
        build_service(cfg)
    assert fragment in str(exc.value)


def test_secret_key_generated_on_first_start(tmp_path):
    cfg = load_config(tmp_path, environ={})
    service = build_service(cfg)
    secret = (tmp_path / "secret_key").read_text().strip()
    assert len(secret) >= 32 and service.config["SECRET_KEY"] == secret
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    service.engine.dispose()


def test_verifier_limits_have_documented_defaults_and_read_from_the_environment(tmp_path):
    cfg = load_config(tmp_path, environ={"ISSUER_VERIFY_MAX_ARRAY_ITEMS": "512", "ISSUER_FETCH_BUDGET_SECONDS": "2.5"})
    assert cfg["VERIFY_MAX_ARRAY_ITEMS"] == 512 and cfg["FETCH_BUDGET_SECONDS"] == 2.5
    assert cfg["FETCH_BUDGET_SECONDS"] <= 3.0 and load_config(tmp_path, environ={})["FETCH_BUDGET_SECONDS"] <= 3.0
    from pathlib import Path
    documented = (Path(__file__).resolve().parents[2] / "docs" / "limits.md").read_text(encoding="utf-8")
    from issuer.config import DEFAULTS
    for key in ("VERIFY_MAX_BYTES", "VERIFY_MAX_DEPTH", "VERIFY_MAX_ARRAY_ITEMS", "VERIFY_MAX_OBJECT_MEMBERS",
                "VERIFY_MAX_STRING_CHARS", "VERIFY_MAX_VALUES", "VERIFY_MAX_PROOFS", "COVERAGE_MAX_CREDENTIALS",
                "JSONLD_DEADLINE_SECONDS", "JSONLD_BUDGET_SECONDS", "JSONLD_WORKERS", "TEMPLATE_CACHE_BYTES",
                "FETCH_BUDGET_SECONDS", "FETCH_FAILURE_TTL_SECONDS", "FETCH_MAX_CONCURRENT", "FETCH_MAX_PER_HOST"):
        assert f"ISSUER_{key}" in documented and key in DEFAULTS, key
