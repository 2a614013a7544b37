"""Shared fixtures: a service on a fresh database (SQLite by default, PostgreSQL when
``ISSUER_TEST_DATABASE_URL`` is set), the Flask app and client, demo data and API keys.

Each test gets its own database: a SQLite file in ``tmp_path``, or a PostgreSQL schema of its
own (``search_path``) that is dropped afterwards.
"""
from __future__ import annotations

import os
import secrets
from datetime import datetime, timezone

import pytest
from sqlalchemy import create_engine, text

from issuer import create_app
from issuer.config import load_config
from issuer.service import build_service
from issuer.demo.setup import initialize
from tests.spec import SPEC_DIR

PG_URL = os.environ.get("ISSUER_TEST_DATABASE_URL", "")
BASE_URL = "http://localhost:5000"
ADMIN_TOKEN = "admin-token-for-tests-0123456789"


def pytest_report_header(config):
    return [f"database: {'PostgreSQL ' + PG_URL if PG_URL else 'SQLite (per-test file)'}",
            f"reference data: {SPEC_DIR}"]


def pytest_collection_modifyitems(config, items):
    if PG_URL:
        for item in items:
            item.add_marker(pytest.mark.postgres)


@pytest.fixture
def database_url(tmp_path):
    if not PG_URL:
        yield f"sqlite:///{tmp_path / 'issuer.db'}"
        return
    schema = "t_" + secrets.token_hex(6)
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def make_config(tmp_path, database_url, **overrides):
    values = {
        "BASE_URL": BASE_URL,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-master-key-" + "k" * 32,
        "LOAD_DEMO": False,
        "ADMIN_TOKEN": ADMIN_TOKEN,
        "VERIFY_REMOTE_DID_WEB": False,
    }
    values.update(overrides)
    return load_config(tmp_path / "instance", environ={}, overrides=values)


@pytest.fixture
def service(tmp_path, database_url):
    svc = build_service(make_config(tmp_path, database_url))
    initialize(svc, load_demo=False)
    yield svc
    svc.engine.dispose()


@pytest.fixture
def demo(service):
    """Demo matrix, providers, issuers and courses; returns ``{provider slug: API key}``."""
    from issuer.demo.setup import demo_api_keys
    initialize(service, load_demo=True)
    return demo_api_keys(service)


@pytest.fixture
def app(service):
    app = create_app(service=service)
    app.config["TESTING"] = True
    return app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def auth(demo):
    """Headers for the first demo provider (``emob-academy``)."""
    return {"Authorization": f"Bearer {demo['emob-academy']}"}


@pytest.fixture
def now():
    return datetime.now(timezone.utc)
