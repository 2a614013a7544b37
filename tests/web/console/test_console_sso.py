"""OpenID Connect single sign-on to the console (issue #14 §1) against a fake identity provider
on a local port: discovery document, authorization endpoint (state, nonce), token endpoint and a
JWKS, the ID token signed RS256 with a key of the test. Authlib's Flask client talks to it over
real HTTP; the test plays the browser between the two."""
from __future__ import annotations

import secrets
import threading
import time
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask, jsonify, redirect, request
from werkzeug.serving import make_server

from issuer.signing.keystore import SecretBox
from issuer.store import staff
from issuer.store.models import Provider

CLIENT_ID, CLIENT_SECRET = "skills-hub-console", "s3cret-" + "x" * 20


class FakeIdP:
    """A minimal OpenID Provider: one user, whose claims the test sets."""

    def __init__(self):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.codes: dict[str, dict] = {}
        self.claims = {"sub": "u-1", "email": "admin@emob-academy.example", "email_verified": True}
        self.token_requests = 0
        self.nonce_override = None
        app = Flask("fake-idp")
        app.add_url_rule("/.well-known/openid-configuration", view_func=self.metadata)
        app.add_url_rule("/authorize", view_func=self.authorize)
        app.add_url_rule("/token", view_func=self.token, methods=["POST"])
        app.add_url_rule("/jwks", view_func=self.jwks)
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.issuer = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def metadata(self):
        return jsonify({"issuer": self.issuer, "authorization_endpoint": f"{self.issuer}/authorize",
                        "token_endpoint": f"{self.issuer}/token", "jwks_uri": f"{self.issuer}/jwks",
                        "response_types_supported": ["code"], "subject_types_supported": ["public"],
                        "id_token_signing_alg_values_supported": ["RS256"]})

    def authorize(self):
        args = request.args
        assert args["client_id"] == CLIENT_ID and args["response_type"] == "code" and "openid" in args["scope"]
        code = secrets.token_urlsafe(16)
        self.codes[code] = {"nonce": args.get("nonce"), "redirect_uri": args["redirect_uri"]}
        return redirect(f"{args['redirect_uri']}?{urlencode({'code': code, 'state': args['state']})}")

    def token(self):
        self.token_requests += 1
        form = request.form
        auth = request.authorization
        if auth is None or (auth.username, auth.password) != (CLIENT_ID, CLIENT_SECRET):
            return jsonify({"error": "invalid_client"}), 401
        grant = self.codes.pop(form.get("code"), None)
        if grant is None or form.get("redirect_uri") != grant["redirect_uri"]:
            return jsonify({"error": "invalid_grant"}), 400
        now = int(time.time())
        id_token = jwt.encode({"iss": self.issuer, "aud": CLIENT_ID, "iat": now, "exp": now + 300,
                               "nonce": self.nonce_override or grant["nonce"], **self.claims}, self.key, algorithm="RS256",
                              headers={"kid": "k1"})
        return jsonify({"access_token": "at-" + secrets.token_hex(8), "token_type": "Bearer", "expires_in": 300,
                        "id_token": id_token})

    def jwks(self):
        public = jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        return jsonify({"keys": [{**public, "kid": "k1", "alg": "RS256", "use": "sig"}]})


@pytest.fixture
def idp(service, demo):
    fake = FakeIdP()
    fake.thread.start()
    with service.session(write=True) as session:
        provider = session.query(Provider).filter_by(slug="emob-academy").one()
        staff.set_sso(session, provider, metadata_url=f"{fake.issuer}/.well-known/openid-configuration",
                      client_id=CLIENT_ID, client_secret=CLIENT_SECRET, box=SecretBox(service.config["SECRET_KEY"]))
        session.commit()
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


def _sign_in(client, idp):
    """The browser's round trip: console → identity provider → console callback."""
    start = client.get("/console/sso/emob-academy")
    assert start.status_code == 302
    to_idp = start.headers["Location"]
    assert to_idp.startswith(f"{idp.issuer}/authorize?")
    query = parse_qs(urlsplit(to_idp).query)
    assert query["state"][0] and query["nonce"][0]
    back = requests.get(to_idp, allow_redirects=False, timeout=10)
    assert back.status_code == 302
    callback = urlsplit(back.headers["Location"])
    assert callback.path == "/console/sso/emob-academy/callback"
    return client.get(f"{callback.path}?{callback.query}")


def test_login_page_offers_single_sign_on(client, idp):
    html = client.get("/console/login").get_data(as_text=True)
    assert 'href="/console/sso/emob-academy"' in html


def test_single_sign_on_logs_in_the_account_with_the_verified_email(client, idp):
    response = _sign_in(client, idp)
    assert response.status_code == 303 and response.headers["Location"] == "/console/"
    assert idp.token_requests == 1
    assert client.get("/console/").status_code == 200


def test_unverified_or_unknown_email_is_refused(client, idp):
    idp.claims["email_verified"] = False
    response = _sign_in(client, idp)
    assert response.status_code == 400 and "did not confirm" in response.get_data(as_text=True)
    idp.claims.update(email_verified=True, email="stranger@example.org")
    response = _sign_in(client, idp)
    assert response.status_code == 400 and "no console account" in response.get_data(as_text=True)
    assert client.get("/console/").status_code == 303


def test_a_forged_state_or_a_wrong_nonce_is_refused(client, idp):
    start = client.get("/console/sso/emob-academy")
    back = requests.get(start.headers["Location"], allow_redirects=False, timeout=10)
    callback = urlsplit(back.headers["Location"])
    code = parse_qs(callback.query)["code"][0]
    forged = client.get(f"{callback.path}?{urlencode({'code': code, 'state': 'forged'})}")
    assert forged.status_code == 400 and idp.token_requests == 0  # refused before the code is redeemed
    assert client.get("/console/").status_code == 303
    idp.nonce_override = "a-nonce-of-another-login"  # an ID token replayed from elsewhere
    replayed = _sign_in(client, idp)
    assert replayed.status_code == 400 and idp.token_requests == 1
    assert client.get("/console/").status_code == 303


def test_another_providers_account_cannot_sign_in_through_this_idp(client, idp, service):
    with service.session(write=True) as session:
        other = session.query(Provider).filter_by(slug="nordhaven-tu").one()
        staff.create_user(session, other, "staff@nordhaven.example", "admin", password="long enough password")
        session.commit()
    idp.claims["email"] = "staff@nordhaven.example"
    response = _sign_in(client, idp)
    assert response.status_code == 400
    assert client.get("/console/").status_code == 303


def test_sso_of_an_unconfigured_provider_is_not_found(client, demo):
    assert client.get("/console/sso/nordhaven-tu").status_code == 404


def test_discovery_url_must_be_https(service, demo):
    from issuer.errors import ValidationFailed
    with pytest.raises(ValidationFailed):
        staff.check_metadata_url("http://idp.example/.well-known/openid-configuration")
    assert staff.check_metadata_url("https://idp.example/x") == "https://idp.example/x"
