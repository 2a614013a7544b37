"""OAuth 2.0 client credentials (RFC 6749 §4.4) on Authlib, revocation (RFC 7009), introspection
(RFC 7662), metadata (RFC 8414), and the scope model shared with API keys."""
from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from authlib.oauth2.rfc8414 import AuthorizationServerMetadata
from click.testing import CliRunner
from sqlalchemy import select

from issuer.store import tenants
from issuer.store import clients
from issuer.store.models import OAuthClient, OAuthToken, Provider


def basic(client_id, secret):
    return {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def new_client(client, auth, scope="credentials:read credentials:issue"):
    response = client.post("/api/v1/oauth/clients", json={"name": "LMS back-end", "scope": scope}, headers=auth)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    return body["clientId"], body["clientSecret"]


def token_for(client, client_id, secret, scope=None, *, post=False):
    data = {"grant_type": "client_credentials"}
    if scope:
        data["scope"] = scope
    if post:
        data.update(client_id=client_id, client_secret=secret)
        return client.post("/oauth/token", data=data)
    return client.post("/oauth/token", data=data, headers=basic(client_id, secret))


def test_client_credentials_flow_end_to_end(client, auth, service):
    client_id, secret = new_client(client, auth)
    with service.session() as s:
        row = s.scalar(select(OAuthClient).where(OAuthClient.client_id == client_id))
        assert row.secret_hash == clients.hash_secret(secret) and secret not in row.secret_hash
    response = token_for(client, client_id, secret)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 600
    assert body["scope"] == "credentials:issue credentials:read"
    token = body["access_token"]
    with service.session() as s:
        stored = s.scalars(select(OAuthToken.token_hash)).all()
    assert stored == [clients.hash_secret(token)]  # only the hash is kept

    issued = client.post("/api/v1/credentials", headers=bearer(token),
                         json={"course": "HV-2S", "learner": {"name": "A", "email": "a@example.org"}})
    assert issued.status_code == 201
    listed = client.get("/api/v1/credentials", headers=bearer(token)).get_json()
    assert [i["id"] for i in listed["items"]] == [issued.get_json()["id"]]
    history = client.get(f"/api/v1/credentials/{issued.get_json()['id']}/status", headers=auth).get_json()
    assert history["history"][0]["actor"] == f"oauth-client:{client_id}"

    # client_secret_post works too
    assert token_for(client, client_id, secret, "credentials:read", post=True).status_code == 200


def test_missing_scope_is_403_naming_the_scope(client, auth):
    client_id, secret = new_client(client, auth, "credentials:read")
    token = token_for(client, client_id, secret).get_json()["access_token"]
    response = client.post("/api/v1/credentials/x/revoke", json={"reason": "r"}, headers=bearer(token))
    assert response.status_code == 403 and response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert problem["code"] == "insufficient_scope" and problem["scope"] == "credentials:status"
    assert "credentials:status" in problem["detail"]


def test_token_requests_that_fail(client, auth):
    client_id, secret = new_client(client, auth, "credentials:read")
    assert token_for(client, client_id, "wrong").status_code == 401
    assert token_for(client, "oac_unknown", secret).status_code == 401
    refused = token_for(client, client_id, secret, "credentials:issue")
    assert refused.status_code == 400 and refused.get_json()["error"] == "invalid_scope"
    unknown = token_for(client, client_id, secret, "everything")
    assert unknown.status_code == 400 and unknown.get_json()["error"] == "invalid_scope"
    grant = client.post("/oauth/token", data={"grant_type": "password", "username": "u", "password": "p"},
                        headers=basic(client_id, secret))
    assert grant.status_code == 400 and grant.get_json()["error"] == "unsupported_grant_type"


def test_tokens_expire(client, auth, service):
    client_id, secret = new_client(client, auth)
    token = token_for(client, client_id, secret).get_json()["access_token"]
    assert client.get("/api/v1/credentials", headers=bearer(token)).status_code == 200
    start = service.clock()
    service.clock = lambda: start + timedelta(seconds=601)
    assert client.get("/api/v1/credentials", headers=bearer(token)).status_code == 401
    answer = client.post("/oauth/introspect", data={"token": token}, headers=basic(client_id, secret))
    assert answer.get_json() == {"active": False}


def test_introspection_and_revocation_only_for_own_provider(client, auth, demo, service):
    client_id, secret = new_client(client, auth)
    token = token_for(client, client_id, secret).get_json()["access_token"]
    other_auth = {"Authorization": f"Bearer {demo['bbz-alpenvorland']}"}
    other_id, other_secret = new_client(client, other_auth, "credentials:read")

    seen = client.post("/oauth/introspect", data={"token": token}, headers=basic(client_id, secret)).get_json()
    assert seen["active"] is True and seen["client_id"] == client_id and seen["sub"] == "emob-academy"
    assert seen["scope"] == "credentials:issue credentials:read" and seen["exp"] - seen["iat"] == 600
    # another provider's client learns nothing and cannot revoke it
    assert client.post("/oauth/introspect", data={"token": token},
                       headers=basic(other_id, other_secret)).get_json() == {"active": False}
    assert client.post("/oauth/revoke", data={"token": token}, headers=basic(other_id, other_secret)).status_code == 400
    assert client.get("/api/v1/credentials", headers=bearer(token)).status_code == 200

    assert client.post("/oauth/revoke", data={"token": token}, headers=basic(client_id, secret)).status_code == 200
    assert client.get("/api/v1/credentials", headers=bearer(token)).status_code == 401
    assert client.post("/oauth/introspect", data={"token": token},
                       headers=basic(client_id, secret)).get_json() == {"active": False}
    # unknown tokens: revocation answers 200 (RFC 7009 §2.2)
    assert client.post("/oauth/revoke", data={"token": "oat_nothing"}, headers=basic(client_id, secret)).status_code == 200


def test_revoking_a_client_stops_its_tokens(client, auth):
    client_id, secret = new_client(client, auth)
    token = token_for(client, client_id, secret).get_json()["access_token"]
    listed = client.get("/api/v1/oauth/clients", headers=auth).get_json()["clients"]
    assert [c["clientId"] for c in listed] == [client_id] and "clientSecret" not in listed[0]
    assert client.post(f"/api/v1/oauth/clients/{client_id}/revoke", headers=auth).get_json()["revoked"] is True
    assert client.get("/api/v1/credentials", headers=bearer(token)).status_code == 401
    assert token_for(client, client_id, secret).status_code == 401


def test_clients_never_get_more_than_their_creator(client, auth, service):
    with service.session(write=True) as s:
        provider = s.scalar(select(Provider).where(Provider.slug == "emob-academy"))
        key = tenants.create_api_key(s, provider, scopes=["clients:manage", "credentials:read"])
        s.commit()
    limited = bearer(key)
    response = client.post("/api/v1/oauth/clients", json={"name": "x", "scope": "credentials:issue"}, headers=limited)
    assert response.status_code == 403 and response.get_json()["scope"] == "credentials:issue"
    assert client.post("/api/v1/oauth/clients", json={"name": "x", "scope": "credentials:read"},
                       headers=limited).status_code == 201
    bad = client.post("/api/v1/oauth/clients", json={"name": "x", "scope": "root"}, headers=auth)
    assert bad.status_code == 422


def test_api_keys_can_be_limited_to_scopes(client, auth, service):
    with service.session(write=True) as s:
        provider = s.scalar(select(Provider).where(Provider.slug == "emob-academy"))
        key = tenants.create_api_key(s, provider, scopes=["credentials:read"])
        s.commit()
    assert client.get("/api/v1/credentials", headers=bearer(key)).status_code == 200
    denied = client.post("/api/v1/credentials", headers=bearer(key),
                         json={"course": "HV-2S", "learner": {"name": "A", "email": "a@example.org"}})
    assert denied.status_code == 403 and denied.get_json()["scope"] == "credentials:issue"
    assert client.post("/api/v1/courses", json={}, headers=bearer(key)).get_json()["scope"] == "catalogue:write"
    # a key without a scope list keeps every scope (keys made before scopes existed)
    assert client.get("/api/v1/oauth/clients", headers=auth).status_code == 200


def test_authorization_server_metadata(client):
    response = client.get("/.well-known/oauth-authorization-server")
    assert response.status_code == 200
    meta = AuthorizationServerMetadata(response.get_json())
    meta.validate_issuer()
    meta.validate_token_endpoint()
    meta.validate_scopes_supported()
    meta.validate_grant_types_supported()
    meta.validate_token_endpoint_auth_methods_supported()
    meta.validate_revocation_endpoint()
    meta.validate_introspection_endpoint()
    assert meta["grant_types_supported"] == ["client_credentials", "urn:ietf:params:oauth:grant-type:pre-authorized_code"]
    assert {"credentials:issue", "credentials:read", "credentials:status", "catalogue:write",
            "webhooks:manage"} <= set(meta["scopes_supported"])
    assert meta["token_endpoint"] == "http://localhost:5000/oauth/token"


@pytest.fixture
def cli_env(tmp_path, database_url, monkeypatch):
    monkeypatch.setenv("ISSUER_INSTANCE_PATH", str(tmp_path / "inst"))
    monkeypatch.setenv("ISSUER_DATABASE_URL", database_url)
    monkeypatch.setenv("ISSUER_BASE_URL", "http://localhost:5000")
    return tmp_path


def test_cli_creates_lists_and_revokes_clients(cli_env, tmp_path):
    from issuer import create_app
    from issuer.cli import main
    run = CliRunner()
    assert run.invoke(main, ["init"]).exit_code == 0
    made = run.invoke(main, ["oauth", "create-client", "emob-academy", "--name", "LMS",
                             "--scope", "credentials:issue", "--scope", "credentials:read"])
    assert made.exit_code == 0, made.output
    lines = dict(line.split(":", 1) for line in made.output.splitlines() if ":" in line)
    client_id, secret = lines["client_id"].strip(), lines["client_secret"].split()[0]
    app = create_app({"INSTANCE_PATH": str(tmp_path / "inst")})
    http = app.test_client()
    token = token_for(http, client_id, secret)
    assert token.status_code == 200 and token.get_json()["scope"] == "credentials:issue credentials:read"
    assert client_id in run.invoke(main, ["oauth", "clients", "emob-academy"]).output
    assert run.invoke(main, ["oauth", "revoke-client", client_id]).exit_code == 0
    assert token_for(http, client_id, secret).status_code == 401
    bad = run.invoke(main, ["oauth", "create-client", "emob-academy", "--name", "x", "--scope", "nope"])
    assert bad.exit_code == 1 and "unknown scope" in bad.output
    key = run.invoke(main, ["provider", "key", "emob-academy", "--scope", "credentials:read"])
    assert key.exit_code == 0
    secret_key = key.output.split("(shown once): ")[1].strip()
    assert http.get("/api/v1/credentials", headers=bearer(secret_key)).status_code == 200
    assert http.post("/api/v1/courses", json={}, headers=bearer(secret_key)).status_code == 403
    app.extensions["issuer"].engine.dispose()
