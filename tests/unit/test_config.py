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
