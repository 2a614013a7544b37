"""Rate limits answer 429 problem+json with Retry-After, then recover. Windows of three seconds keep
the waits short."""
from __future__ import annotations

import secrets
import socket
import time

import pytest

from issuer import create_app
from issuer.service import build_service
from issuer.demo.setup import demo_api_keys, initialize
from tests.conftest import BASE_URL, ApiActions, make_config
from tests.exchanges.conftest import Wallet, offer_uri_path, path_of
from tests.exchanges.holder import Holder

PRE_AUTH = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
WINDOW = 3.1  # seconds: one window of "N per 3 seconds" and a margin (1 s windows flaked under load)


@pytest.fixture
def make_app(tmp_path, database_url):
    made = []

    def make(**overrides):
        svc = build_service(make_config(tmp_path, database_url, **overrides))
        if not made:
            initialize(svc, load_demo=True)
        made.append(svc)
        app = create_app(service=svc)
        app.config["TESTING"] = True
        apps.append(app)
        return app, demo_api_keys(svc)

    apps: list = []
    yield make
    for app in apps:
        limiter = app.extensions["issuer_limiter"]
        client = getattr(limiter.limiter.storage, "storage", None) if limiter.enabled else None
        if client is not None and hasattr(client, "close"):  # Redis: close its connections
            client.close()
            client.connection_pool.disconnect()
    for svc in made:
        svc.close()


def assert_429(response):
    assert response.status_code == 429, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["code"] == "rate_limited"
    assert 1 <= int(response.headers["Retry-After"]) <= 60


def test_failed_authentication_is_limited_per_address(make_app):
    app, keys = make_app(RATE_LIMIT_FAILED_AUTH="3 per 3 seconds")
    client = app.test_client()
    good = {"Authorization": f"Bearer {keys['emob-academy']}"}
    bad = {"Authorization": "Bearer obk_0000_guess"}
    for _ in range(3):
        assert client.get("/api/v1/courses", headers=bad).status_code == 401
    assert_429(client.get("/api/v1/courses", headers=good))  # the address is locked out for the window
    assert_429(client.post("/oauth/token", data={"grant_type": "client_credentials"}))
    assert client.get("/healthz").status_code == 200  # pages and probes are not affected
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "10.1.2.3"
    assert other.get("/api/v1/courses", headers=good).status_code == 200  # per address
    time.sleep(WINDOW)
    assert client.get("/api/v1/courses", headers=good).status_code == 200
    for _ in range(5):  # successes are not counted
        assert client.get("/api/v1/courses", headers=good).status_code == 200


def test_public_verifier_is_limited(make_app):
    app, _ = make_app(RATE_LIMIT_VERIFY="2 per 3 seconds")
    client = app.test_client()
    body = {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiableCredential"]}
    for _ in range(2):
        assert client.post("/api/v1/verify", json=body).status_code == 200
    assert_429(client.post("/api/v1/verify", json=body))
    form = client.post("/verify", data={"credential": "{}"})
    assert form.status_code != 429  # the form has its own counter
    client.post("/verify", data={"credential": "{}"})
    assert client.post("/verify", data={"credential": "{}"}).status_code == 429
    time.sleep(WINDOW)
    assert client.post("/api/v1/verify", json=body).status_code == 200


def test_url_fetches_have_a_stricter_limit(make_app):
    app, _ = make_app(RATE_LIMIT_VERIFY="50 per 3 seconds", RATE_LIMIT_VERIFY_URL="1 per 3 seconds")
    client = app.test_client()
    first = client.post("/api/v1/verify", json={"url": "https://127.0.0.1/credential.json"})
    assert first.status_code != 429  # refused by the fetcher's SSRF guard, but counted
    assert_429(client.post("/api/v1/verify", json={"url": "https://127.0.0.1/credential.json"}))
    assert client.post("/api/v1/verify", json={"type": ["VerifiableCredential"]}).status_code == 200  # no fetch
    time.sleep(WINDOW)
    assert client.post("/api/v1/verify", json={"url": "https://127.0.0.1/credential.json"}).status_code != 429


def test_token_endpoint_is_limited(make_app):
    app, keys = make_app(RATE_LIMIT_TOKEN="2 per 3 seconds")
    client = app.test_client()
    auth = {"Authorization": f"Bearer {keys['emob-academy']}"}
    made = client.post("/api/v1/oauth/clients", json={"name": "c", "scope": "credentials:read"}, headers=auth)
    data = {"grant_type": "client_credentials", "client_id": made.get_json()["clientId"],
            "client_secret": made.get_json()["clientSecret"]}
    for _ in range(2):
        assert client.post("/oauth/token", data=data).status_code == 200
    assert_429(client.post("/oauth/token", data=data))
    time.sleep(WINDOW)
    assert client.post("/oauth/token", data=data).status_code == 200


def test_issuance_is_limited_per_provider(make_app):
    app, keys = make_app(RATE_LIMIT_ISSUE="2 per 3 seconds")
    api = ApiActions(app.test_client(), keys)

    def issue(provider="emob-academy", course="HV-2S"):
        api.issue(course, provider=provider, expect=None)
        return api.response

    assert [issue().status_code for _ in range(2)] == [201, 201]
    assert_429(issue())
    assert issue("bbz-alpenvorland", "ADAS-CAL").status_code == 201  # another provider has its own budget
    time.sleep(WINDOW)
    assert issue().status_code == 201


def test_limits_can_be_switched_off(make_app):
    app, _ = make_app(RATE_LIMITS_ENABLED=False, RATE_LIMIT_FAILED_AUTH="1 per 3 seconds")
    client = app.test_client()
    assert [client.get("/api/v1/courses").status_code for _ in range(3)] == [401, 401, 401]


def _redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
        return True
    except OSError:
        return False


@pytest.mark.skipif(not _redis_up(), reason="no Redis at 127.0.0.1:6379")
def test_redis_storage_shares_counts_between_instances(make_app):
    settings = dict(RATE_LIMIT_STORAGE_URI="redis://127.0.0.1:6379/0", RATE_LIMIT_FAILED_AUTH="3 per 3 seconds")
    first, _ = make_app(**settings)
    second, _ = make_app(**settings)
    address = f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250) + 1}"
    a, b = first.test_client(), second.test_client()
    a.environ_base["REMOTE_ADDR"] = b.environ_base["REMOTE_ADDR"] = address
    assert a.get("/api/v1/courses").status_code == 401
    assert b.get("/api/v1/courses").status_code == 401
    assert a.get("/api/v1/courses").status_code == 401
    assert_429(b.get("/api/v1/courses"))  # the second instance sees the first one's failures
    time.sleep(WINDOW)
    assert b.get("/api/v1/courses").status_code == 401


def _issue_with_offer(client, keys) -> dict:
    return ApiActions(client, keys).issue(offer=True)["offer"]


def assert_oauth_429(response):
    assert response.status_code == 429, response.get_data(as_text=True)
    assert response.mimetype == "application/json" and response.headers["Cache-Control"] == "no-store"
    body = response.get_json()
    assert body["error"] == "temporarily_unavailable" and "wallet" in body["error_description"]
    assert 1 <= int(response.headers["Retry-After"]) <= 60


def test_wallet_endpoints_share_a_limit_per_address(make_app):
    app, keys = make_app(RATE_LIMIT_WALLET="3 per 3 seconds")
    client = app.test_client()
    offer = _issue_with_offer(client, keys)  # issuance has its own limit
    exchange = path_of(offer["vcapi"])
    for _ in range(3):
        assert client.post("/oid4vci/nonce").status_code == 200
    assert_oauth_429(client.post("/oid4vci/nonce"))
    assert_oauth_429(client.get(offer_uri_path(offer)))
    assert_oauth_429(client.post("/oid4vci/token", data={"grant_type": PRE_AUTH, "pre-authorized_code": "x"}))
    assert_oauth_429(client.post("/oid4vci/credential", json={}, headers={"Authorization": "Bearer x"}))
    assert_429(client.post(exchange, json={}))  # VC API: problem details
    assert_429(client.post(path_of(offer["claimUrl"]), data={"pin": "123456"}))  # the claim page's PIN form
    assert client.get(path_of(offer["claimUrl"])).status_code == 200  # reading the page is not counted
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "10.1.2.3"
    assert other.post("/oid4vci/nonce").status_code == 200  # per address
    time.sleep(WINDOW)
    assert client.post(exchange, json={}).status_code == 200


def test_a_wallet_claims_under_the_default_limit(make_app):
    """The default leaves room for whole claims: OID4VCI with both formats, then a VC API exchange."""
    app, keys = make_app()
    assert app.extensions["issuer"].config["RATE_LIMIT_WALLET"] == "120 per minute"
    client = app.test_client()
    wallet, holder = Wallet(client), Holder()
    offer = wallet.offer(_issue_with_offer(client, keys))
    token = wallet.token(offer["grants"][PRE_AUTH]["pre-authorized_code"])
    assert token.status_code == 200, token.get_json()
    for config in ("AchievementCredential_ldp_vc", "AchievementCredential_jwt_vc_json"):
        proof = holder.proof_jwt(aud=BASE_URL, nonce=wallet.nonce())
        response = wallet.credential(token.get_json()["access_token"],
                                     {"credential_configuration_id": config, "proofs": {"jwt": [proof]}})
        assert response.status_code == 200, response.get_json()
    exchange = path_of(_issue_with_offer(client, keys)["vcapi"])
    request = client.post(exchange, json={}).get_json()["verifiablePresentationRequest"]
    presentation = holder.did_auth(challenge=request["challenge"], domain=request["domain"])
    assert client.post(exchange, json={"verifiablePresentation": presentation}).status_code == 200
