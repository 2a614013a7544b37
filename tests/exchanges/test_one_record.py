"""Issue #11 §1 and §4: the offer object, and one record for status: the issued record, its
downloads and every claimed copy change status together; nothing is delivered after revocation."""
from __future__ import annotations

import pytest

from tests.conftest import BASE_URL
from tests.exchanges.holder import Holder

PRE_AUTH = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
LDP, JWT = "AchievementCredential_ldp_vc", "AchievementCredential_jwt_vc_json"
OFFER_KEYS = {"id", "credentialId", "claimUrl", "openid4vci", "lcw", "lcwRequest", "interactionUrl", "vcapi",
              "expiresAt"}


def _token(wallet, offer: dict, **extra) -> str:
    code = wallet.offer(offer)["grants"][PRE_AUTH]["pre-authorized_code"]
    response = wallet.token(code, **extra)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["access_token"]


def _fetch(wallet, token: str, holder: Holder, config: str):
    return wallet.credential(token, {"credential_configuration_id": config,
                                     "proofs": {"jwt": [holder.proof_jwt(aud=BASE_URL, nonce=wallet.nonce())]}})


@pytest.mark.parametrize("pin", [False, True])
def test_the_offer_object_is_the_same_both_ways(client, auth, issue_with_offer, pin):
    at_issuance = issue_with_offer({"txCode": True} if pin else True)
    made = client.post(f"/api/v1/credentials/{at_issuance['id']}/offer", headers=auth,
                       **({"json": {"txCode": True}} if pin else {}))
    assert made.status_code == 201
    for offer in (at_issuance["offer"], made.get_json()):
        assert set(offer) == OFFER_KEYS | ({"txCode"} if pin else set()), offer
        assert offer["credentialId"] == at_issuance["id"]
        assert offer["openid4vci"].startswith("openid-credential-offer://?credential_offer_uri=")
        assert offer["lcw"].startswith("https://lcw.app/request.html?issuer=did%3Aweb%3A")
        assert "&auth_type=bearer&" in offer["lcw"] and "&vc_request_url=" in offer["lcw"]
        assert offer["interactionUrl"].startswith(f"{BASE_URL}/interactions/") and offer["interactionUrl"].endswith("?iuv=1")
        assert offer["expiresAt"].endswith("Z")
    # the second one superseded the first
    assert client.get(f"/api/v1/credentials/{at_issuance['id']}", headers=auth).get_json()["claim"]["offer"]["id"] \
        == made.get_json()["id"]


def test_suspension_and_revocation_reach_every_claimed_copy(client, auth, wallet, issue_with_offer):
    issued = issue_with_offer()
    holder = Holder()
    token = _token(wallet, issued["offer"])
    document = _fetch(wallet, token, holder, LDP).get_json()["credentials"][0]["credential"]
    jwt = _fetch(wallet, token, holder, JWT).get_json()["credentials"][0]["credential"]
    record = client.get(f"/credentials/{issued['id']}.json").get_json()  # the download

    def statuses():
        reports = [client.post("/api/v1/verify", json=document).get_json(),
                   client.post("/api/v1/verify", data=jwt, content_type="application/jwt").get_json(),
                   client.post("/api/v1/verify", json=record).get_json()]
        return [(r["verified"], r["summary"]["status"]) for r in reports]

    fine = (True, {"revoked": False, "suspended": False})
    assert statuses() == [fine] * 3
    assert client.post(f"/api/v1/credentials/{issued['id']}/suspend", json={"reason": "check"},
                       headers=auth).status_code == 200
    assert statuses() == [(False, {"revoked": False, "suspended": True})] * 3
    assert client.post(f"/api/v1/credentials/{issued['id']}/unsuspend", json={"reason": "ok"},
                       headers=auth).status_code == 200
    assert statuses() == [fine] * 3
    assert client.post(f"/api/v1/credentials/{issued['id']}/revoke", json={"reason": "error"},
                       headers=auth).status_code == 200
    assert statuses() == [(False, {"revoked": True, "suspended": False})] * 3


@pytest.mark.parametrize("change", ["revoke", "suspend"])
def test_nothing_is_delivered_after_the_credential_changed_status(client, auth, wallet, issue_with_offer, change):
    """A token taken before the change, and the second format of a started claim: both refused."""
    before, started = issue_with_offer(), issue_with_offer()
    holder = Holder()
    token_before = _token(wallet, before["offer"])
    token_started = _token(wallet, started["offer"])
    assert _fetch(wallet, token_started, holder, LDP).status_code == 200
    for issued in (before, started):
        assert client.post(f"/api/v1/credentials/{issued['id']}/{change}", json={"reason": "x"},
                           headers=auth).status_code == 200
    for token, config in ((token_before, LDP), (token_started, JWT)):
        refused = _fetch(wallet, token, Holder() if token == token_before else holder, config)
        assert refused.status_code == 400 and refused.get_json()["error"] == "credential_request_denied", \
            refused.get_json()
    claims = [client.get(f"/api/v1/credentials/{i['id']}", headers=auth).get_json()["claim"] for i in (before, started)]
    assert claims[0]["claimed"] is False and claims[1]["formats"] == ["ldp_vc"]


def test_making_or_withdrawing_an_offer_needs_the_issue_scope(client, auth, issue_with_offer):
    """An offer's secrets claim the credential: a read-only OAuth client may not make or withdraw one."""
    from tests.api.test_oauth import bearer, new_client, token_for

    issued = issue_with_offer()
    reader = token_for(client, *new_client(client, auth, scope="credentials:read")).get_json()["access_token"]
    issuer = token_for(client, *new_client(client, auth, scope="credentials:issue")).get_json()["access_token"]
    for method in (client.post, client.delete):
        refused = method(f"/api/v1/credentials/{issued['id']}/offer", headers=bearer(reader))
        assert refused.status_code == 403 and refused.get_json()["code"] == "insufficient_scope", refused.get_json()
    assert client.post(f"/api/v1/credentials/{issued['id']}/offer", headers=bearer(issuer)).status_code == 201
    assert client.delete(f"/api/v1/credentials/{issued['id']}/offer", headers=bearer(issuer)).get_json()["revoked"] == 1
