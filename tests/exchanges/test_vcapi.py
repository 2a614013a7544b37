"""VC API / VCALM exchanges and the LCW legacy direct link through the HTTP API."""
from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest

from issuer.signing import keys as K
from tests.conftest import BASE_URL
from tests.exchanges.conftest import offer_uri_path, path_of, unquote
from tests.exchanges.holder import Holder


def _start(client, offer: dict) -> tuple[str, dict]:
    path = path_of(offer["vcapi"])
    response = client.post(path, json={})
    assert response.status_code == 200, response.get_json()
    return path, response.get_json()["verifiablePresentationRequest"]


@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "Ed25519Signature2020"])
def test_vcalm_exchange_delivers_a_holder_bound_credential(client, auth, issue_with_offer, suite):
    issued = issue_with_offer()
    path, request = _start(client, issued["offer"])
    assert request["query"][0]["type"] == "DIDAuthentication"
    assert request["domain"] == BASE_URL and request["challenge"]
    holder = Holder()
    vp = holder.did_auth(challenge=request["challenge"], domain=request["domain"], suite=suite)
    response = client.post(path, json={"verifiablePresentation": vp})
    assert response.status_code == 200, response.get_json()
    credential = response.get_json()["verifiablePresentation"]["verifiableCredential"][0]
    assert credential["credentialSubject"]["id"] == holder.did
    assert client.post("/api/v1/verify", json=credential).get_json()["verified"] is True
    claim = client.get(f"/api/v1/credentials/{issued['id']}", headers=auth).get_json()["claim"]
    assert claim["protocol"] == "vcapi" and claim["holder"] == holder.did
    again = client.post(path, json={})
    assert again.status_code == 409 and again.get_json()["code_hint"] == "already_claimed"
    assert client.get(offer_uri_path(issued["offer"])).status_code == 410  # one claim for both protocols
    assert client.get(path).get_json()["exchange"]["state"] == "complete"


def test_lcw_legacy_link_posts_a_bare_presentation_without_domain(client, issue_with_offer):
    offer = issue_with_offer()["offer"]
    url = urlsplit(offer["lcw"])
    assert url.netloc == "lcw.app" and url.path == "/request.html"
    params = parse_qs(url.query)
    assert params["auth_type"] == ["bearer"] and params["issuer"][0].startswith("did:")
    holder = Holder()
    vp = holder.did_auth(challenge=params["challenge"][0], domain=None, suite="Ed25519Signature2020")
    response = client.post(path_of(params["vc_request_url"][0]), json=vp)
    assert response.status_code == 200, response.get_json()
    credential = response.get_json()
    assert "VerifiableCredential" in credential["type"] and credential["credentialSubject"]["id"] == holder.did


def test_request_form_and_interaction_url(client, issue_with_offer):
    offer = issue_with_offer()["offer"]
    request = json.loads(parse_qs(urlsplit(offer["lcwRequest"]).query)["request"][0])
    assert request == {"credentialRequestOrigin": BASE_URL, "protocols": {"vcapi": offer["vcapi"]}}
    assert "iuv=1" in offer["interactionUrl"]
    protocols = client.get(path_of(offer["interactionUrl"]), headers={"Accept": "application/json"}).get_json()
    assert protocols["protocols"]["vcapi"] == offer["vcapi"]
    assert protocols["protocols"]["OID4VCI"] == offer["openid4vci"]
    assert client.get(path_of(offer["vcapi"]) + "/protocols").get_json() == protocols
    page = client.get(path_of(offer["interactionUrl"]), headers={"Accept": "text/html"})
    assert page.status_code == 200 and page.mimetype == "text/html"


@pytest.mark.parametrize("case", ["challenge", "domain", "no_domain", "purpose", "foreign_key", "holder",
                                  "credential_inside", "unsigned", "garbage", "did_web"])
def test_bad_presentations_are_refused_and_claim_nothing(client, auth, issue_with_offer, case):
    issued = issue_with_offer()
    path, request = _start(client, issued["offer"])
    holder = Holder()
    kw = {"challenge": request["challenge"], "domain": request["domain"]}
    if case == "challenge":
        kw["challenge"] = "another-challenge"
    elif case == "domain":
        kw["domain"] = "https://evil.example"
    elif case == "no_domain":
        kw["domain"] = None
    elif case == "purpose":
        kw["purpose"] = "assertionMethod"
    elif case == "foreign_key":
        kw["key"] = K.generate_ed25519()
    elif case == "holder":
        kw["holder"] = Holder().did
    vp = holder.did_auth(**kw)
    if case == "credential_inside":
        vp["verifiableCredential"] = [issued["credential"]]
    elif case == "unsigned":
        vp.pop("proof")
    elif case == "garbage":
        vp = {"type": "VerifiablePresentation", "proof": {"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022",
                                                          "proofPurpose": "authentication", "challenge": kw["challenge"],
                                                          "domain": BASE_URL, "verificationMethod": 7}}
    elif case == "did_web":
        vp["proof"]["verificationMethod"] = "did:web:evil.example#key-1"
    response = client.post(path, json={"verifiablePresentation": vp})
    assert response.status_code == 400, response.get_json()
    assert response.mimetype == "application/problem+json"
    claim = client.get(f"/api/v1/credentials/{issued['id']}", headers=auth).get_json()["claim"]
    assert claim["claimed"] is False
    assert client.post(path, json={}).status_code == 200  # still claimable


def test_revoked_expired_and_oversized(client, auth, issue_with_offer, service):
    issued = issue_with_offer()
    path = path_of(issued["offer"]["vcapi"])
    assert client.post(path, data="x" * (70 * 1024), content_type="application/json").status_code == 413
    assert client.post(path, data="[1]", content_type="application/json").status_code == 400
    client.post(f"/api/v1/credentials/{issued['id']}/revoke", json={"reason": "test"}, headers=auth)
    revoked = client.post(path, json={})
    assert revoked.status_code == 410 and revoked.get_json()["code_hint"] == "credential_revoked"
    assert client.post("/workflows/claim/exchanges/unknown", json={}).status_code == 404


def test_new_offer_supersedes_the_old_one(client, auth, issue_with_offer):
    issued = issue_with_offer()
    fresh = client.post(f"/api/v1/credentials/{issued['id']}/offer", json={"txCode": True}, headers=auth)
    assert fresh.status_code == 201 and fresh.get_json()["txCode"]
    old = client.post(path_of(issued["offer"]["vcapi"]), json={})
    assert old.status_code == 410 and old.get_json()["code_hint"] == "revoked"
    assert client.post(path_of(fresh.get_json()["vcapi"]), json={}).status_code == 200
    assert client.post(f"/api/v1/credentials/{issued['id']}/offer", json={"txCode": "yes"},
                       headers=auth).status_code == 422
    assert client.post("/api/v1/credentials/nope/offer", headers=auth).status_code == 404
    assert client.post(f"/api/v1/credentials/{issued['id']}/offer").status_code == 401


def test_expired_offer_answers_gone(client, issue_with_offer, service):
    from datetime import timedelta
    issued = issue_with_offer()
    later = service.clock() + timedelta(days=30, seconds=1)
    service.clock = lambda: later
    response = client.post(path_of(issued["offer"]["vcapi"]), json={})
    assert response.status_code == 410 and response.get_json()["code_hint"] == "expired"
    page = client.get(path_of(issued["offer"]["claimUrl"]))
    assert page.status_code == 200 and b'data-claim-problem="expired"' in page.data


def test_a_credential_issued_to_a_did_goes_only_to_that_did(client, auth, issue_with_offer):
    owner = Holder()
    response = client.post("/api/v1/credentials", json={"course": "HV-2S", "offer": True,
                                                        "learner": {"name": "Alex", "id": owner.did}}, headers=auth)
    offer = response.get_json()["offer"]
    path, request = _start(client, offer)
    other = Holder().did_auth(challenge=request["challenge"], domain=request["domain"])
    refused = client.post(path, json={"verifiablePresentation": other})
    assert refused.status_code == 409 and refused.get_json()["code_hint"] == "holder_mismatch"
    mine = owner.did_auth(challenge=request["challenge"], domain=request["domain"])
    assert client.post(path, json={"verifiablePresentation": mine}).status_code == 200


@pytest.mark.parametrize("domain,status", [(BASE_URL, 200), ("https://evil.example", 400)])
def test_lcw_legacy_link_tolerates_our_domain_only(client, issue_with_offer, domain, status):
    params = parse_qs(urlsplit(issue_with_offer()["offer"]["lcw"]).query)
    vp = Holder().did_auth(challenge=params["challenge"][0], domain=domain, suite="Ed25519Signature2020")
    assert client.post(path_of(params["vc_request_url"][0]), json=vp).status_code == status


def _bare(offer: dict) -> str:
    """The exchange id the OpenID credential offer shows (no PIN tag)."""
    return offer_uri_path(offer).rsplit("/", 1)[-1]


def test_an_offer_with_a_pin_opens_its_vc_api_exchange_only_with_the_pin_tag(client, auth, issue_with_offer):
    """VC API wallets cannot send a PIN: the bare exchange id, which anyone who sees the OpenID QR
    code learns, must not claim a PIN offer; only the tagged links (shown after the PIN) do."""
    issued = issue_with_offer({"txCode": True})
    offer, bare = issued["offer"], _bare(issued["offer"])
    tagged = path_of(offer["vcapi"]).rsplit("/", 1)[-1]
    assert tagged.startswith(bare + ".") and len(tagged) > len(bare) + 20
    assert tagged in offer["lcw"] and tagged in offer["interactionUrl"] and tagged in unquote(offer["lcwRequest"])
    for response in (client.post(f"/workflows/claim/exchanges/{bare}", json={}),
                     client.get(f"/workflows/claim/exchanges/{bare}/protocols"),
                     client.get(f"/workflows/claim/exchanges/{bare}"),
                     client.get(f"/interactions/{bare}?iuv=1", headers={"Accept": "application/json"})):
        assert response.status_code == 403, response.get_data(as_text=True)
        assert response.mimetype == "application/problem+json" and response.get_json()["code"] == "tx_code_required"
    holder = Holder()
    params = parse_qs(urlsplit(offer["lcw"]).query)
    vp = holder.did_auth(challenge=params["challenge"][0], domain=None, suite="Ed25519Signature2020")
    assert client.post(f"/workflows/claim/exchanges/{bare}", json=vp).status_code == 403  # the LCW legacy post
    wrong = f"/workflows/claim/exchanges/{bare}.{'A' * 43}"
    assert client.post(wrong, json={}).status_code == 404
    assert client.get(f"/interactions/{bare}.{'A' * 43}?iuv=1", headers={"Accept": "application/json"}
                      ).status_code == 404
    assert client.get(f"/workflows/claim/exchanges/{tagged}").get_json()["exchange"]["state"] == "pending"
    assert client.get(path_of(offer["interactionUrl"]), headers={"Accept": "application/json"}
                      ).get_json()["protocols"]["vcapi"] == offer["vcapi"]
    answer = client.post(path_of(params["vc_request_url"][0]), json=vp)
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["credentialSubject"]["id"] == holder.did
    claim = client.get(f"/api/v1/credentials/{issued['id']}", headers=auth).get_json()["claim"]
    assert claim["claimed"] and claim["protocol"] == "lcw"


def test_a_tag_on_an_offer_without_a_pin_is_not_found(client, issue_with_offer):
    offer = issue_with_offer()["offer"]
    assert "." not in path_of(offer["vcapi"]).rsplit("/", 1)[-1]
    assert client.post(path_of(offer["vcapi"]) + ".x", json={}).status_code == 404
