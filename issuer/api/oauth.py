"""OAuth 2.0 for providers' back-ends, on Authlib's authorization server:

* ``POST /oauth/token``: client credentials grant (RFC 6749 §4.4), short-lived bearer tokens;
* ``POST /oauth/revoke``: token revocation (RFC 7009), for tokens of the caller's provider;
* ``POST /oauth/introspect``: token introspection (RFC 7662), for tokens of the caller's provider;
* ``GET /.well-known/oauth-authorization-server``: authorization server metadata (RFC 8414);
* ``/api/v1/oauth/clients``: create, list and revoke clients (scope ``clients:manage``).

Clients authenticate with ``client_secret_basic`` or ``client_secret_post``. Token endpoint
errors are OAuth 2.0 error objects (RFC 6749 §5.2), not problem details, as clients expect.
"""
from __future__ import annotations

from datetime import timedelta

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import ClientMixin, InvalidScopeError, TokenMixin
from authlib.oauth2.rfc6749.grants import ClientCredentialsGrant
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7662 import IntrospectionEndpoint
from flask import Blueprint, current_app, jsonify, request
from ..errors import InsufficientScope, NotFound, ValidationFailed
from ..exchanges import oid4vci
from ..store import clients
from ..store.models import OAuthClient, OAuthToken, Provider
from ..badges.timestamps import as_utc, iso_z
from .context import committing, current_provider, db, db_write, principal, requires, service
from .requests import json_body

__all__ = ["bp", "init_oauth", "AUTH_METHODS"]

bp = Blueprint("oauth", __name__)
AUTH_METHODS = ["client_secret_basic", "client_secret_post"]


class Client(ClientMixin):
    """Authlib's view of an :class:`OAuthClient` row."""

    def __init__(self, row: OAuthClient):
        self.row = row

    def get_client_id(self):
        return self.row.client_id

    def get_default_redirect_uri(self):
        return None

    def get_allowed_scope(self, scope):
        allowed = self.row.scopes.split()
        if not scope:
            return " ".join(allowed)
        refused = [s for s in scope.split() if s not in allowed]
        if refused:
            raise InvalidScopeError(f"this client may not ask for: {' '.join(refused)}")
        return " ".join(s for s in allowed if s in scope.split())

    def check_redirect_uri(self, redirect_uri):
        return False

    def check_client_secret(self, client_secret):
        return clients.check_client_secret(self.row, client_secret)

    def check_endpoint_auth_method(self, method, endpoint):
        return method in AUTH_METHODS

    def check_response_type(self, response_type):
        return False

    def check_grant_type(self, grant_type):
        return grant_type == "client_credentials"


class Token(TokenMixin):
    """Authlib's view of an :class:`OAuthToken` row."""

    def __init__(self, row: OAuthToken):
        self.row = row

    def check_client(self, client):
        return client.row.provider_id == self.row.provider_id

    def get_scope(self):
        return self.row.scope

    def get_expires_in(self):
        return self.row.expires_in

    def is_expired(self):
        return service().clock() >= as_utc(self.row.issued_at) + timedelta(seconds=self.row.expires_in)

    def is_revoked(self):
        return self.row.revoked_at is not None or self.row.client.revoked_at is not None


def _query_token(token_string, _hint):
    row = clients.token_by_value(db_write(), token_string)
    return Token(row) if row is not None else None


class Revocation(RevocationEndpoint):
    CLIENT_AUTH_METHODS = AUTH_METHODS

    def query_token(self, token_string, token_type_hint):
        return _query_token(token_string, token_type_hint)

    def revoke_token(self, token, request):
        session = db_write()
        token.row.revoked_at = service().clock()
        session.commit()


class Introspection(IntrospectionEndpoint):
    CLIENT_AUTH_METHODS = AUTH_METHODS

    def query_token(self, token_string, token_type_hint):
        return _query_token(token_string, token_type_hint)

    def check_permission(self, token, client, request):
        return token.row.provider_id == client.row.provider_id

    def introspect_token(self, token):
        row = token.row
        issued = as_utc(row.issued_at)
        provider = db_write().get(Provider, row.provider_id)
        return {"active": True, "client_id": row.client.client_id, "scope": row.scope, "token_type": "Bearer",
                "iat": int(issued.timestamp()), "exp": int(issued.timestamp()) + row.expires_in,
                "sub": provider.slug, "iss": service().base_url}


class CredentialsGrant(ClientCredentialsGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = AUTH_METHODS


def _query_client(client_id):
    row = clients.client_by_id(db_write(), client_id)
    return Client(row) if row is not None else None


def _save_token(token, request):
    session = db_write()
    client = request.client.row
    session.add(OAuthToken(client_id=client.id, provider_id=client.provider_id,
                           token_hash=clients.hash_secret(token["access_token"]), scope=token.get("scope", ""),
                           issued_at=service().clock(), expires_in=int(token["expires_in"])))
    session.commit()


def _server() -> AuthorizationServer:
    return current_app.extensions["oauth2_server"]


def init_oauth(app) -> None:
    lifetime = app.extensions["issuer"].config["OAUTH_TOKEN_LIFETIME"]
    app.config["OAUTH2_ACCESS_TOKEN_GENERATOR"] = lambda *args, **kwargs: clients.new_access_token()
    app.config["OAUTH2_TOKEN_EXPIRES_IN"] = {"client_credentials": lifetime}
    app.config["OAUTH2_SCOPES_SUPPORTED"] = list(clients.SCOPES)
    server = AuthorizationServer()
    server.init_app(app, query_client=_query_client, save_token=_save_token)
    app.extensions["oauth2_server"] = server
    server.register_grant(CredentialsGrant)
    server.register_endpoint(Revocation)
    server.register_endpoint(Introspection)
    app.register_blueprint(bp)


def metadata(base: str) -> dict:
    """RFC 8414 authorization server metadata of the one authorization server at ``base``.

    It serves two grants at one token endpoint: client credentials (RFC 6749 §4.4) for providers'
    back-ends, and the pre-authorized code grant (OID4VCI 1.0 §6, §12.3) for wallets, whose
    metadata fields come from :func:`issuer.exchanges.oid4vci.authorization_server_metadata`.
    """
    wallets = oid4vci.authorization_server_metadata(base)
    return {
        **wallets,
        "issuer": base,
        "token_endpoint": f"{base}/oauth/token",
        "token_endpoint_auth_methods_supported": AUTH_METHODS + ["none"],
        "grant_types_supported": ["client_credentials", *wallets["grant_types_supported"]],
        "response_types_supported": [],  # no authorization endpoint: no user-facing OAuth flow
        "scopes_supported": list(clients.SCOPES),
        "revocation_endpoint": f"{base}/oauth/revoke",
        "revocation_endpoint_auth_methods_supported": AUTH_METHODS,
        "introspection_endpoint": f"{base}/oauth/introspect",
        "introspection_endpoint_auth_methods_supported": AUTH_METHODS,
        "service_documentation": f"{base}/docs",
    }


def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response


@bp.post("/oauth/token")
def issue_token():
    """The token endpoint: client credentials here; the pre-authorized code grant goes to the wallet
    pickup's handler (also at ``/oid4vci/token``), so one metadata document names one endpoint."""
    if request.form.get("grant_type") == oid4vci.PRE_AUTHORIZED_GRANT:
        return current_app.view_functions["exchanges.token"]()
    return _no_store(_server().create_token_response())


@bp.post("/oauth/revoke")
def revoke_token():
    return _no_store(_server().create_endpoint_response(Revocation.ENDPOINT_NAME))


@bp.post("/oauth/introspect")
def introspect_token():
    return _no_store(_server().create_endpoint_response(Introspection.ENDPOINT_NAME))


@bp.get("/.well-known/oauth-authorization-server")
def server_metadata():
    response = jsonify(metadata(service().base_url))
    response.headers["Cache-Control"] = "public, max-age=3600"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def client_json(row: OAuthClient) -> dict:
    return {"clientId": row.client_id, "name": row.name, "scope": row.scopes, "created": iso_z(row.created),
            "revoked": row.revoked_at is not None}


@bp.post("/api/v1/oauth/clients")
@requires("clients:manage")
def create_client():
    """``{"name", "scope": "credentials:issue ..."}`` → 201 ``{"clientId", "clientSecret", ...}``;
    the secret is shown only here. A client never gets a scope its creator lacks."""
    body = json_body(service().config["MAX_CONTENT_LENGTH"])
    if not isinstance(body, dict) or not isinstance(body.get("name"), str) or not isinstance(body.get("scope"), str) \
            or set(body) - {"name", "scope"}:
        raise ValidationFailed('send {"name": "...", "scope": "scope1 scope2"}')
    scopes = clients.parse_scopes(body["scope"])
    missing = [s for s in scopes if s not in principal().scopes]
    if missing:
        raise InsufficientScope(f"you cannot grant scopes you do not hold: {' '.join(missing)}", scope=missing[0])
    session = db_write()
    with committing(session):
        row, secret = clients.create_client(session, current_provider(session), body["name"], scopes)
    out = client_json(row)
    out["clientSecret"] = secret
    response = jsonify(out)
    response.status_code = 201
    response.headers["Location"] = f"/api/v1/oauth/clients/{row.client_id}"
    return _no_store(response)


@bp.get("/api/v1/oauth/clients")
@requires("clients:manage")
def list_clients():
    rows = clients.clients_of(db(), current_provider())
    return _no_store(jsonify({"clients": [client_json(r) for r in rows]}))


@bp.post("/api/v1/oauth/clients/<client_id>/revoke")
@requires("clients:manage")
def revoke_client(client_id: str):
    """Revoke a client; its access tokens stop working at once."""
    session = db_write()
    provider = current_provider(session)
    row = clients.revoke_client(session, client_id, service().clock(), provider)
    if row is None:
        raise NotFound(f"client {client_id!r} not found")
    session.commit()
    return _no_store(jsonify(client_json(row)))
