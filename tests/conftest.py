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
from issuer.demo.setup import demo_api_keys, initialize
from tests.factories import LEARNER
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
    svc.close()  # and the in-process job runner of a test that submitted a batch


@pytest.fixture
def demo(service):
    """Demo matrix, providers, issuers and courses; returns ``{provider slug: API key}``."""
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


class ApiActions:
    """Issue, revoke and verify through the HTTP API as a demo provider (flaskr's ``AuthActions``).

    ``issue`` and ``revoke`` assert the expected status (``expect=None`` skips that) and return the
    response's JSON; ``response`` keeps the last response for tests that look at headers.
    """

    def __init__(self, client, api_keys: dict[str, str]):
        self.client = client
        self.api_keys = api_keys
        self.response = None

    def headers(self, provider: str = "emob-academy") -> dict:
        return {"Authorization": f"Bearer {self.api_keys[provider]}"}

    def _check(self, response, expect: int | None):
        self.response = response
        if expect is not None:
            assert response.status_code == expect, response.get_json()
        return response.get_json()

    def issue(self, course: str = "HV-2S", *, provider: str = "emob-academy", key: str | None = None,
              learner: dict | None = None, expect: int | None = 201, **body) -> dict:
        """``POST /api/v1/credentials`` as ``provider`` (or with API key ``key``); the response JSON."""
        payload = {"course": course, "learner": learner or LEARNER, **body}
        headers = {"Authorization": f"Bearer {key}"} if key else self.headers(provider)
        return self._check(self.client.post("/api/v1/credentials", json=payload, headers=headers), expect)

    def revoke(self, credential_id: str, reason: str = "revoked in a test", *, provider: str = "emob-academy",
               expect: int | None = 200) -> dict:
        return self._check(self.client.post(f"/api/v1/credentials/{credential_id}/revoke", json={"reason": reason},
                                            headers=self.headers(provider)), expect)

    def verify(self, subject, content_type: str = "application/vc+jwt") -> dict:
        """The verification report for a credential dict, or a JWT / image bytes of ``content_type``."""
        if isinstance(subject, dict):
            response = self.client.post("/api/v1/verify", json=subject)
        else:
            response = self.client.post("/api/v1/verify", data=subject, content_type=content_type)
        return self._check(response, 200)


@pytest.fixture
def api(client, demo):
    """:class:`ApiActions` for the demo providers."""
    return ApiActions(client, demo)

