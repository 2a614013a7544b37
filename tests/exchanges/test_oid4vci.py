"""OID4VCI 1.0 pre-authorized code flow through the HTTP API: the happy paths and every bad input."""
from __future__ import annotations

import time

import jwt as pyjwt
import pytest

from issuer.exchanges.key_proof import did_jwk
from issuer.signing import keys as K
from tests.conftest import BASE_URL
from tests.exchanges.conftest import offer_uri_path
from tests.exchanges.holder import Holder

PRE_AUTH = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
LDP, JWT = "AchievementCredential_ldp_vc", "AchievementCredential_jwt_vc_json"


def _code(credential_offer: dict) -> str:
    return credential_offer["grants"][PRE_AUTH]["pre-authorized_code"]


def _access(wallet, offer: dict, **extra) -> str:
    response = wallet.token(_code(wallet.offer(offer)), **extra)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["access_token"]


def _request(wallet, holder, config=LDP, **kw) -> dict:
    return {"credential_configuration_id": config,
            "proofs": {"jwt": [holder.proof_jwt(aud=BASE_URL, nonce=wallet.nonce(), **kw)]}}


def test_metadata_is_1_0_with_both_configurations(client):
    meta = client.get("/.well-known/openid-credential-issuer").get_json()
    assert meta["credential_issuer"] == BASE_URL and meta["nonce_endpoint"].endswith("/oid4vci/nonce")
    assert {d["locale"] for d in meta["display"]} == {"en", "de"} and all(d["logo"]["uri"] for d in meta["display"])
    configs = meta["credential_configurations_supported"]
    assert configs[LDP]["format"] == "ldp_vc" and configs[JWT]["format"] == "jwt_vc_json"
    assert all("credential_metadata" in c for c in configs.values())
    assert configs[LDP]["credential_definition"]["type"] == ["VerifiableCredential", "AchievementCredential"]
    assert "https://www.w3.org/ns/credentials/v2" in configs[LDP]["credential_definition"]["@context"]
    logo = client.get("/static/logo.png")
    assert logo.status_code == 200 and logo.mimetype == "image/png"
    logo.close()
    auth = client.get("/.well-known/oauth-authorization-server").get_json()
    assert auth["pre-authorized_grant_anonymous_access_supported"] is True
    assert auth["token_endpoint"] == f"{BASE_URL}/oauth/token"  # one authorization server, both grants


def test_both_formats_bound_to_one_holder_then_used_up(client, auth, wallet, issue_with_offer):
    issued = issue_with_offer()
    offer = issued["offer"]
    assert offer["openid4vci"].startswith("openid-credential-offer://?credential_offer_uri=")
    assert offer["claimUrl"].startswith(f"{BASE_URL}/claim/") and "txCode" not in offer
    credential_offer = wallet.offer(offer)
    assert credential_offer["credential_configuration_ids"] == [LDP, JWT]
    token = _access(wallet, offer)
    holder = Holder()
    first = wallet.credential(token, _request(wallet, holder, LDP))
    assert first.status_code == 200, first.get_json()
    document = first.get_json()["credentials"][0]["credential"]
    assert document["credentialSubject"]["id"] == holder.did
    assert document["id"] == issued["credential"]["id"]
    assert document["credentialStatus"] == issued["credential"]["credentialStatus"]
    assert document["credentialSubject"]["identifier"] == issued["credential"]["credentialSubject"]["identifier"]
    second = wallet.credential(token, _request(wallet, holder, JWT))
    assert second.status_code == 200, second.get_json()
    token_jwt = second.get_json()["credentials"][0]["credential"]
    assert pyjwt.decode(token_jwt, options={"verify_signature": False})["sub"] == holder.did
    verified = client.post("/api/v1/verify", json=document).get_json()
    assert verified["verified"] is True, verified
    assert client.post("/api/v1/verify", data=token_jwt, content_type="application/jwt").get_json()["verified"]
    # used up: the token is spent, the offer answers "already claimed"
    again = wallet.credential(token, _request(wallet, holder, LDP))
    assert again.status_code == 401
    gone = client.get(offer_uri_path(offer))
    assert gone.status_code == 410 and "already claimed" in gone.get_json()["error_description"]
    view = client.get(f"/api/v1/credentials/{issued['id']}", headers=auth).get_json()["claim"]
    assert view["claimed"] and view["protocol"] == "oid4vci" and view["holder"] == holder.did
    assert sorted(view["formats"]) == ["jwt_vc_json", "ldp_vc"] and view["claimedAt"]


def test_bare_jwk_holder_is_named_by_did_jwk(wallet, issue_with_offer):
    offer = issue_with_offer()["offer"]
    token = _access(wallet, offer)
    holder = Holder("P-256")
    response = wallet.credential(token, _request(wallet, holder, JWT, use_jwk=True))
    assert response.status_code == 200, response.get_json()
    claims = pyjwt.decode(response.get_json()["credentials"][0]["credential"], options={"verify_signature": False})
    assert claims["sub"] == did_jwk(K.public_jwk(holder.key)) and claims["sub"].startswith("did:jwk:")


def test_draft_era_proof_object_and_user_pin(wallet, issue_with_offer):
    offer = issue_with_offer({"txCode": True})["offer"]
    pin = offer["txCode"]
    assert len(pin) == 6 and pin.isdigit()
    assert wallet.offer(offer)["grants"][PRE_AUTH]["tx_code"]["length"] == 6
    token = _access(wallet, offer, user_pin=pin)
    holder = Holder()
    body = {"format": "ldp_vc", "credential_definition": {"type": ["VerifiableCredential", "AchievementCredential"]},
            "proof": {"proof_type": "jwt", "jwt": holder.proof_jwt(aud=BASE_URL, nonce=wallet.nonce())}}
    response = wallet.credential(token, body)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["credential"]["credentialSubject"]["id"] == holder.did


def test_wrong_pin_counts_down_to_the_lock(wallet, issue_with_offer):
    offer = issue_with_offer({"txCode": True})["offer"]
    code = _code(wallet.offer(offer))
    wrong = "000000" if offer["txCode"] != "000000" else "111111"
    assert wallet.token(code).get_json()["error"] == "invalid_request"  # PIN missing
    for left in (4, 3, 2, 1):
        response = wallet.token(code, tx_code=wrong)
        assert response.status_code == 400 and response.get_json()["error"] == "invalid_grant"
        assert f"{left} tries left" in response.get_json()["error_description"]
    locked = wallet.token(code, tx_code=wrong)
    assert "locked" in locked.get_json()["error_description"]
    right = wallet.token(code, tx_code=offer["txCode"])  # even the right PIN is refused now
    assert right.status_code == 400 and "locked" in right.get_json()["error_description"]


@pytest.mark.parametrize("case", ["wrong_code", "reused_code", "expired", "revoked_offer", "revoked_credential",
                                  "grant_type"])
def test_bad_codes_and_offers(client, auth, wallet, issue_with_offer, service, case):
    issued = issue_with_offer()
    offer = issued["offer"]
    code = _code(wallet.offer(offer))
    if case == "wrong_code":
        code = code[:-2] + "xx"
    elif case == "reused_code":
        assert wallet.token(code).status_code == 200
    elif case == "expired":
        from datetime import timedelta
        later = service.clock() + timedelta(days=31)
        service.clock = lambda: later
    elif case == "revoked_offer":
        assert client.delete(f"/api/v1/credentials/{issued['id']}/offer", headers=auth).get_json()["revoked"] == 1
    elif case == "revoked_credential":
        assert client.post(f"/api/v1/credentials/{issued['id']}/revoke", json={"reason": "test"},
                           headers=auth).status_code == 200
    response = (client.post("/oid4vci/token", data={"grant_type": "password", "pre-authorized_code": code})
                if case == "grant_type" else wallet.token(code))
    assert response.status_code == 400 and response.is_json
    assert response.get_json()["error"] == ("unsupported_grant_type" if case == "grant_type" else "invalid_grant")


@pytest.mark.parametrize("case", ["nonce", "reused_nonce", "audience", "signature", "typ", "iat", "key_type",
                                  "no_proof", "did_web", "alg_mismatch"])
def test_bad_key_proofs(wallet, issue_with_offer, case):
    offer = issue_with_offer()["offer"]
    token = _access(wallet, offer)
    holder = Holder()
    nonce = wallet.nonce()
    kw: dict = {}
    if case == "nonce":
        nonce = "not-a-nonce"
    elif case == "audience":
        kw["aud"] = "https://evil.example"
    elif case == "signature":
        kw["key"] = K.generate_ed25519()
    elif case == "typ":
        kw["typ"] = "JWT"
    elif case == "iat":
        kw["iat"] = int(time.time()) - 86400
    if case == "reused_nonce":
        used = holder.proof_jwt(aud=BASE_URL, nonce=nonce)
        ok = wallet.credential(token, {"credential_configuration_id": LDP, "proofs": {"jwt": [used]}})
        assert ok.status_code == 200
        proof = used
        config = JWT
    else:
        config = LDP
        if case == "key_type":
            rsa = K.generate_rsa(2048)
            proof = pyjwt.encode({"aud": BASE_URL, "iat": int(time.time()), "nonce": nonce}, rsa, algorithm="RS256",
                                 headers={"typ": "openid4vci-proof+jwt", "jwk": K.public_jwk(rsa)})
        elif case == "did_web":
            proof = holder.proof_jwt(aud=BASE_URL, nonce=nonce, header_extra={})
            header = {"typ": "openid4vci-proof+jwt", "kid": "did:web:evil.example#key-1"}
            proof = pyjwt.encode({"aud": BASE_URL, "iat": int(time.time()), "nonce": nonce}, holder.key,
                                 algorithm="EdDSA", headers=header)
        elif case == "alg_mismatch":
            p256 = Holder("P-256")
            proof = pyjwt.encode({"aud": BASE_URL, "iat": int(time.time()), "nonce": nonce}, p256.key,
                                 algorithm="ES256", headers={"typ": "openid4vci-proof+jwt", "kid": holder.kid})
        else:
            proof = holder.proof_jwt(aud=kw.pop("aud", BASE_URL), nonce=nonce, **kw)
    body = {"credential_configuration_id": config, "proofs": {"jwt": [proof]}}
    if case == "no_proof":
        body = {"credential_configuration_id": LDP}
    response = wallet.credential(token, body)
    assert response.status_code == 400, response.get_json()
    expected = "invalid_nonce" if case in ("nonce", "reused_nonce") else "invalid_proof"
    assert response.get_json()["error"] == expected, response.get_json()


def test_second_holder_is_refused_and_nothing_half_claimed(client, auth, wallet, issue_with_offer):
    issued = issue_with_offer()
    token = _access(wallet, issued["offer"])
    first, second = Holder(), Holder()
    assert wallet.credential(token, _request(wallet, first, LDP)).status_code == 200
    refused = wallet.credential(token, _request(wallet, second, JWT))
    assert refused.status_code == 400 and refused.get_json()["error"] == "credential_request_denied"
    view = client.get(f"/api/v1/credentials/{issued['id']}", headers=auth).get_json()["claim"]
    assert view["holder"] == first.did and view["formats"] == ["ldp_vc"]
    made = client.post(f"/api/v1/credentials/{issued['id']}/offer", headers=auth)
    assert made.status_code == 409 and made.get_json()["code_hint"] == "already_claimed"


def test_credential_endpoint_errors_are_oauth_json(client, wallet, issue_with_offer):
    offer = issue_with_offer()["offer"]
    token = _access(wallet, offer)
    assert client.post("/oid4vci/credential", json={}).status_code == 401
    bad = client.post("/oid4vci/credential", data="{", content_type="application/json",
                      headers={"Authorization": f"Bearer {token}"})
    assert bad.status_code == 400 and bad.get_json()["error"] == "invalid_credential_request"
    unknown = wallet.credential(token, {"credential_configuration_id": "nope"})
    assert unknown.get_json()["error"] == "unknown_credential_configuration"
    big = client.post("/oid4vci/credential", data="x" * (70 * 1024), content_type="application/json",
                      headers={"Authorization": f"Bearer {token}"})
    assert big.status_code == 413 and big.get_json()["error"] == "invalid_credential_request"
    big_token = client.post("/oid4vci/token", data={"grant_type": PRE_AUTH, "pre-authorized_code": "x" * 70000})
    assert big_token.status_code == 413


def test_production_metadata_is_https_only():
    from issuer.exchanges import oid4vci
    urls = []

    def walk(value):
        if isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)
        elif isinstance(value, str) and "://" in value and not value.startswith("https://www.w3.org/") \
                and not value.startswith("https://purl.") and not value.startswith("https://w3id.org/"):
            urls.append(value)

    walk(oid4vci.issuer_metadata("https://skills.example.org"))
    walk(oid4vci.authorization_server_metadata("https://skills.example.org"))
    assert urls and all(u.startswith("https://skills.example.org") for u in urls), urls


def test_listing_filters_by_claim_state(client, auth, wallet, issue_with_offer):
    """Issue #13: ``GET /api/v1/credentials?claimed=true|false`` follows the wallet claims."""
    claimed, unclaimed = issue_with_offer(), issue_with_offer()
    holder = Holder()
    token = _access(wallet, claimed["offer"])
    assert wallet.credential(token, _request(wallet, holder, LDP)).status_code == 200

    def listed(query: str) -> dict:
        response = client.get(f"/api/v1/credentials{query}", headers=auth)
        assert response.status_code == 200, response.get_json()
        return {item["id"]: item for item in response.get_json()["items"]}

    yes, no = listed("?claimed=true"), listed("?claimed=false")
    assert claimed["id"] in yes and claimed["id"] not in no
    assert unclaimed["id"] in no and unclaimed["id"] not in yes
    assert yes[claimed["id"]]["claimedAt"] and no[unclaimed["id"]]["claimedAt"] is None
    assert client.get("/api/v1/credentials?claimed=maybe", headers=auth).status_code == 400
