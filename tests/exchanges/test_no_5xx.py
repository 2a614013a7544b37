"""Hostile wallets never get a 5xx: seeded random mutations of presentations, credential requests
and token forms against the pickup endpoints (nothing is claimed by them). The wallet rate limit is
raised so that every mutation reaches the protocol code instead of a 429."""
from __future__ import annotations

import copy
import json
import random

import pytest

from tests.api.test_no_5xx import _random_value
from tests.conftest import BASE_URL
from tests.exchanges.conftest import path_of
from tests.exchanges.holder import Holder

PRE_AUTH = "urn:ietf:params:oauth:grant-type:pre-authorized_code"


@pytest.fixture(autouse=True)
def _no_wallet_limit(service):
    service.config["RATE_LIMIT_WALLET"] = "10000 per minute"


def _mutate(rng: random.Random, document: dict) -> object:
    body = copy.deepcopy(document)
    for _ in range(rng.randint(1, 3)):
        target = body if rng.random() < 0.5 or not isinstance(body.get("proof"), dict) else body["proof"]
        key = rng.choice(list(target) + ["@context", "type", "verifiableCredential", "holder", "proofValue",
                                         "challenge", "domain", "verificationMethod", "cryptosuite"])
        target[key] = _random_value(rng)
    return body if rng.random() < 0.9 else _random_value(rng)


def test_random_presentations_never_cause_a_server_error(client, auth, issue_with_offer):
    issued = issue_with_offer()
    path = path_of(issued["offer"]["vcapi"])
    request = client.post(path, json={}).get_json()["verifiablePresentationRequest"]
    valid = Holder().did_auth(challenge=request["challenge"], domain=request["domain"])
    rng = random.Random(11)
    for i in range(150):
        vp = _mutate(rng, valid)
        body = {"verifiablePresentation": vp} if i % 2 else vp
        response = client.post(path, data=json.dumps(body), content_type="application/json")
        assert response.status_code < 500 and response.status_code != 429, (body, response.get_data(as_text=True)[:300])
    claim = client.get(f"/api/v1/credentials/{issued['id']}", headers=auth).get_json()["claim"]
    assert claim["claimed"] is False


def test_random_credential_requests_and_token_forms_never_cause_a_server_error(client, wallet, issue_with_offer):
    offer = issue_with_offer({"txCode": True})["offer"]
    code = wallet.offer(offer)["grants"][PRE_AUTH]["pre-authorized_code"]
    rng = random.Random(12)
    for _ in range(60):
        form = {"grant_type": rng.choice([PRE_AUTH, "", "x"]), "pre-authorized_code": rng.choice([code, "", "y" * 300]),
                rng.choice(["tx_code", "user_pin", "z"]): rng.choice(["", "1", "x" * 70, "\u0000"])}
        status = client.post("/oid4vci/token", data=form).status_code
        assert status < 500 and status != 429
    offer = issue_with_offer({"txCode": True})["offer"]  # the random forms may have locked the first one
    code = wallet.offer(offer)["grants"][PRE_AUTH]["pre-authorized_code"]
    token = wallet.token(code, tx_code=offer["txCode"]).get_json()["access_token"]
    valid = {"credential_configuration_id": "AchievementCredential_ldp_vc",
             "proofs": {"jwt": [Holder().proof_jwt(aud=BASE_URL, nonce=wallet.nonce())]}}
    for _ in range(120):
        body = _mutate(rng, valid)
        response = wallet.credential(token, body)
        assert response.status_code < 500 and response.status_code != 429, (body, response.get_data(as_text=True)[:300])
        assert response.is_json
