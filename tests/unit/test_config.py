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
    service.close()


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


def _documented_settings() -> dict:
    """``{setting: default}`` from the tables of docs/limits.md (rows ``| `ISSUER_X` | `value` | ...``)."""
    import re
    from pathlib import Path
    text = (Path(__file__).resolve().parents[2] / "docs" / "limits.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `ISSUER_([A-Z_]+)` \| `([^`]+)`", text, flags=re.MULTILINE)
    return {name: value for name, value in rows}


def test_documented_limit_defaults_equal_the_codes_defaults():
    """Every setting in docs/limits.md has the default the code has (issue #9: the closing note lists
    the limits and their defaults from that page)."""
    from issuer.config import DEFAULTS
    documented = _documented_settings()
    assert len(documented) >= 18, documented  # 9 structural, 4 time, 5 network settings
    for name, text in documented.items():
        code = DEFAULTS[name]
        value = {"true": True, "false": False}.get(text, None)
        if value is None:
            value = float(text) if "." in text else int(text)
        assert value == code and isinstance(value, bool) == isinstance(code, bool), (name, text, code)


def test_the_limits_docs_prose_figures_are_the_codes():
    """The fixed figures docs/limits.md states in prose: body cap, response size, cache bounds, workers."""
    import inspect
    from issuer.api.verification import MAX_VERIFY_BYTES
    from issuer.cli import serve
    from issuer.config import DEFAULTS
    from issuer.resolve.did_resolver import DidResolver
    from issuer.resolve.fetch import SafeFetcher
    from issuer.signing.jsonld import template, workers
    from issuer.verify import verifier
    from issuer.verify.runtime import _new_fetcher
    assert MAX_VERIFY_BYTES == 2 * 1024 * 1024                               # "a body over 2 MiB is a 413"
    assert _new_fetcher(dict(DEFAULTS))._max_bytes == 512 * 1024              # "512 KB per response"
    fetch = inspect.signature(SafeFetcher).parameters                        # "8 MiB (and 128 entries, 5 minutes)"
    assert (fetch["max_cache_bytes"].default, fetch["max_cache_entries"].default, fetch["cache_ttl"].default) \
        == (8 * 1024 * 1024, 128, 300.0)
    did = inspect.signature(DidResolver).parameters                          # "8 MiB (and 1,024 entries, 5 minutes; failures 30 s)"
    assert (did["max_bytes"].default, did["max_entries"].default, did["ttl"].default,
            did["negative_ttl"].default) == (8 * 1024 * 1024, 1024, 300.0, 30.0)
    assert (verifier._LIST_REPORT_BYTES, verifier._LIST_REPORT_ENTRIES,     # "8 MiB (and 256 entries, 60 s)"
            verifier._LIST_REPORT_TTL.total_seconds()) == (8 * 1024 * 1024, 256, 60)
    assert max(fetch["max_cache_entries"].default, 64) == 128                # "the failure cache 128 entries"
    assert template._MAX_SEEN == 4096                                        # "shape fingerprints ... 4,096 entries"
    assert (workers.DEFAULT_WORKERS, workers.DEFAULT_DEADLINE_S) == (DEFAULTS["JSONLD_WORKERS"],
                                                                     DEFAULTS["JSONLD_DEADLINE_SECONDS"])
    options = {p.name: p.default for p in serve.params}                      # "--workers 2 --threads 8 by default"
    assert (options["workers"], options["threads"]) == (2, 8)
