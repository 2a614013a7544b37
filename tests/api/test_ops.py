"""/healthz, /readyz, /metrics, request ids and structured logs without personal data or secrets."""
from __future__ import annotations

import base64
import io
import json
import logging

from alembic import command
from sqlalchemy import create_engine

from issuer import create_app
from issuer.api.ops import configure_logging
from issuer.store.migrations import alembic_config
from issuer.service import build_service
from tests.conftest import make_config

LEARNER = {"name": "Erika Mustermann", "email": "erika.mustermann@example.org"}


def test_healthz_and_readyz(client, demo):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.get_json() == {"status": "ready", "checks": {"database": "ok", "migrations": "ok", "keys": "ok"}}


def test_readyz_reports_pending_migrations_and_unloadable_keys(tmp_path, database_url, service, demo):
    wrong_key = build_service(make_config(tmp_path, database_url, SECRET_KEY="another-master-key-" + "x" * 32))
    app = create_app(service=wrong_key)
    answer = app.test_client().get("/readyz")
    assert answer.status_code == 503
    body = answer.get_json()
    assert body["checks"]["keys"] == "failed" and body["status"] == "not_ready"
    assert "master" not in answer.get_data(as_text=True) and "key-" not in answer.get_data(as_text=True)
    command.downgrade(alembic_config(database_url), "0003_exports_legal_identifier")  # one migration back
    assert app.test_client().get("/readyz").get_json()["checks"]["migrations"] == "pending"
    wrong_key.close()


def test_readyz_without_database(app, service):
    working = service.engine
    service.engine = create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")  # the database went away
    try:
        answer = app.test_client().get("/readyz")
    finally:
        service.close()
        service.engine = working
    assert answer.status_code == 503 and answer.get_json()["checks"]["database"] == "unreachable"
    assert "nobody" not in answer.get_data(as_text=True)


def _metric(client, name: str) -> float:
    text = client.get("/metrics").get_data(as_text=True)
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
               if line.startswith(name) and not line.startswith("#"))


def test_metrics_count_issuance_verification_status_changes_and_list_signing(client, auth):
    before = {n: _metric(client, n) for n in (
        'issuer_issuance_total{outcome="issued"}', 'issuer_issuance_total{outcome="rejected"}',
        'issuer_verification_total{outcome="verified"}', 'issuer_status_changes_total{action="revoke",outcome="changed"}',
        "issuer_status_list_signing_seconds_count", "issuer_issuance_duration_seconds_count",
        'issuer_http_request_duration_seconds_count{endpoint="api.issue"')}
    issued = client.post("/api/v1/credentials", json={"course": "HV-2S", "learner": LEARNER}, headers=auth).get_json()
    assert client.post("/api/v1/credentials", json={"course": "NOPE", "learner": LEARNER}, headers=auth).status_code == 404
    assert client.post("/api/v1/verify", json=issued["credential"]).get_json()["verified"] is True
    assert client.post(f"/api/v1/credentials/{issued['id']}/revoke", json={"reason": "x"}, headers=auth).status_code == 200
    entry = issued["credential"]["credentialStatus"]
    status_url = (entry[0] if isinstance(entry, list) else entry)["statusListCredential"]
    assert client.get(status_url.replace("http://localhost:5000", "")).status_code == 200
    after = {n: _metric(client, n) for n in before}
    assert {n: after[n] - before[n] for n in before} == {
        'issuer_issuance_total{outcome="issued"}': 1, 'issuer_issuance_total{outcome="rejected"}': 1,
        'issuer_verification_total{outcome="verified"}': 1,
        'issuer_status_changes_total{action="revoke",outcome="changed"}': 1,
        "issuer_status_list_signing_seconds_count": 1, "issuer_issuance_duration_seconds_count": 1,
        'issuer_http_request_duration_seconds_count{endpoint="api.issue"': 2}
    response = client.get("/metrics")
    assert response.mimetype == "text/plain" and "issuer_http_request_duration_seconds_bucket" in response.get_data(as_text=True)


def test_metrics_access_is_restricted(tmp_path, database_url, client):
    remote = client.application.test_client()
    remote.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    assert remote.get("/metrics").status_code == 403
    svc = build_service(make_config(tmp_path, database_url, METRICS_TOKEN="metrics-token-0123456789abcdef"))
    app = create_app(service=svc).test_client()
    assert app.get("/metrics").status_code == 401
    assert app.get("/metrics", headers={"Authorization": "Bearer metrics-token-0123456789abcdef"}).status_code == 200
    closed_service = build_service(make_config(tmp_path, database_url, METRICS_ALLOW=""))
    closed = create_app(service=closed_service).test_client()
    assert closed.get("/metrics").status_code == 404
    svc.close()
    closed_service.close()


def test_request_id_is_echoed_or_made_and_in_every_problem(client):
    response = client.get("/api/v1/credentials", headers={"X-Request-Id": "trace-1234abcd"})
    assert response.headers["X-Request-Id"] == "trace-1234abcd" == response.get_json()["requestId"]
    made = client.get("/nope.json", headers={"X-Request-Id": "bad id with spaces"})
    assert made.headers["X-Request-Id"] != "bad id with spaces" and len(made.headers["X-Request-Id"]) == 32
    assert made.get_json()["requestId"] == made.headers["X-Request-Id"]


def test_json_logs_carry_request_ids_and_no_personal_data_or_secrets(client, auth, demo, service):
    stream = io.StringIO()
    handler = configure_logging({"LOG_FORMAT": "json", "LOG_LEVEL": "DEBUG"}, stream)
    root = logging.getLogger()
    old_level = root.level
    root.setLevel(logging.DEBUG)
    root.addHandler(handler)  # every library's lines too (sqlalchemy, authlib, werkzeug…)
    try:
        made = client.post("/api/v1/oauth/clients", json={"name": "lms", "scope": "credentials:read credentials:issue"},
                           headers=auth).get_json()
        basic = base64.b64encode(f"{made['clientId']}:{made['clientSecret']}".encode()).decode()
        token = client.post("/oauth/token", data={"grant_type": "client_credentials"},
                            headers={"Authorization": f"Basic {basic}"}).get_json()["access_token"]
        bearer = {"Authorization": f"Bearer {token}"}
        issued = client.post("/api/v1/credentials", json={"course": "HV-2S", "learner": LEARNER}, headers=bearer)
        assert issued.status_code == 201
        client.get(f"/api/v1/credentials?learnerEmail={LEARNER['email']}", headers=bearer)
        client.post("/oauth/introspect", data={"token": token}, headers={"Authorization": f"Basic {basic}"})
        client.get("/api/v1/credentials", headers={"Authorization": "Bearer obk_abc_wrongsecret"})
        client.post("/api/v1/verify", json=issued.get_json()["credential"])
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
        logging.getLogger("issuer").removeHandler(handler)
    text = stream.getvalue()
    lines = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    access = [line for line in lines if line["logger"] == "issuer.access"]
    assert len(access) >= 7 and all(len(line["requestId"]) == 32 for line in access)
    assert {"method", "path", "status", "durationMs"} <= set(access[0])
    for secret in (LEARNER["email"], LEARNER["name"], "Erika", "mustermann", token, made["clientSecret"], basic,
                   demo["emob-academy"], "wrongsecret", service.config["SECRET_KEY"]):
        assert secret.lower() not in text.lower(), f"{secret[:12]}… was logged"
