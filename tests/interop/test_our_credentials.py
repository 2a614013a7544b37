"""Our credentials in third-party verifiers (Digital Bazaar's npm stack, panva/jose), offline.

Issue #2 §6: issued credentials, JSON-LD and JWT forms alike, verify with
@digitalbazaar/vc + @digitalbazaar/eddsa-rdfc-2022-cryptosuite, with our DID document supplied.
Issue #4 §4: a revoked credential is reported as revoked by @digitalbazaar/vc-bitstring-status-list
with our status list supplied offline; a fresh one is not. Issue #3 §3: credentials signed by
the npm stack verify in our verifier, and fail when tampered by one character.
"""
from __future__ import annotations

import copy
import json

import pytest

from issuer.badges.contexts import BUNDLED_CONTEXTS, EU_MICROCREDENTIAL_V1
from issuer.verify.verifier import Verifier
from issuer.resolve.did_key import resolve_did_key
from tests.spec import spec_contexts

LEARNER = {"name": "Jana Novak", "email": "jana.novak@example.org"}


def _issue(client, key, course, learner=LEARNER):
    response = client.post("/api/v1/credentials", json={"course": course, "learner": learner},
                           headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _documents(client, credential: dict, *, with_status: bool = False) -> dict:
    issuer_id = credential["issuer"]["id"]
    slug = issuer_id.rsplit(":", 1)[-1]
    did_doc = client.get(f"/issuers/{slug}/did.json").get_json()
    docs = {issuer_id: did_doc, EU_MICROCREDENTIAL_V1: BUNDLED_CONTEXTS[EU_MICROCREDENTIAL_V1],
            "https://w3id.org/security/jwk/v1": spec_contexts()["https://w3id.org/security/jwk/v1"]}
    if with_status:
        url = credential["credentialStatus"]["statusListCredential"]
        docs[url] = client.get(url.replace("http://localhost:5000", "")).get_json()
    return docs


@pytest.mark.parametrize("provider,course", [("bbz-alpenvorland", "ADAS-CAL"), ("emob-academy", "HV-3S"),
                                             ("nordhaven-tu", "FUSA-26262")])
def test_issued_json_ld_verifies_in_digital_bazaar_vc(node_harness, client, demo, provider, course):
    body = _issue(client, demo[provider], course)
    credential = body["credential"]
    result = node_harness.verify(credential, _documents(client, credential))
    assert result["verified"] is True, result
    assert result["results"][0]["verificationMethod"] == credential["proof"][0]["verificationMethod"]

    tampered = copy.deepcopy(credential)
    tampered["credentialSubject"]["name"] = tampered["credentialSubject"]["name"][:-1] + "X"
    assert node_harness.verify(tampered, _documents(client, credential))["verified"] is False


def test_issued_vc_jwt_verifies_with_jose_against_our_jwks(node_harness, client, demo):
    body = _issue(client, demo["bbz-alpenvorland"], "ADAS-CAL")
    issuer_id = body["credential"]["issuer"]["id"]
    jwks = client.get("/issuers/bbz-alpenvorland/jwks.json").get_json()
    result = node_harness.verify_jwt(body["jwt"], jwks, issuer_id)
    assert result["verified"] is True, result
    assert result["header"]["alg"] in ("ES256", "RS256") and result["header"]["kid"].startswith(issuer_id + "#")
    assert result["payload"]["jti"] == body["credential"]["id"]
    head, payload, sig = body["jwt"].split(".")
    forged = ".".join([head, payload, ("A" if sig[0] != "A" else "B") + sig[1:]])
    assert node_harness.verify_jwt(forged, jwks, issuer_id)["verified"] is False


def test_revoked_credential_is_revoked_for_the_bitstring_status_list_library(node_harness, client, demo):
    key = demo["bbz-alpenvorland"]
    fresh = _issue(client, key, "ADAS-CAL")["credential"]
    revoked_body = _issue(client, key, "ADAS-CAL", {"name": "Rev Oked", "email": "r@example.org"})
    revoked = revoked_body["credential"]
    response = client.post(f"/api/v1/credentials/{revoked_body['id']}/revoke", json={"reason": "issued by mistake"},
                           headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200
    assert revoked["credentialStatus"]["statusPurpose"] == "revocation"

    result = node_harness.verify(revoked, _documents(client, revoked, with_status=True), check_status=True)
    assert result["statusResult"]["verified"] is True and result["statusResult"]["revoked"] is True, result
    result = node_harness.verify(fresh, _documents(client, fresh, with_status=True), check_status=True)
    assert result["verified"] is True and result["statusResult"]["revoked"] is False, result

    # Bit order against the third-party decoder: our index is the bit they read.
    status_list = _documents(client, revoked, with_status=True)[revoked["credentialStatus"]["statusListCredential"]]
    index = int(revoked["credentialStatus"]["statusListIndex"])
    docs = _documents(client, revoked)
    assert node_harness.status_bit(status_list, index, docs)["bit"] is True
    assert node_harness.status_bit(status_list, int(fresh["credentialStatus"]["statusListIndex"]), docs)["bit"] is False


def _unsigned_ob3() -> dict:
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2",
                     "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": "urn:uuid:2f5c6c8e-6e0c-4b8e-9a43-1c3e9f0b7d21",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": "did:key:placeholder", "type": ["Profile"], "name": "Third-party issuer"},
        "validFrom": "2026-01-01T00:00:00Z",
        "name": "Battery safety",
        "credentialSubject": {
            "id": "did:example:learner", "type": ["AchievementSubject"],
            "achievement": {"id": "https://third.example/achievements/1", "type": ["Achievement"],
                            "name": "Battery safety", "description": "Knows HV safety.",
                            "criteria": {"narrative": "Passed."}},
        },
    }


@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "Ed25519Signature2020"])
def test_npm_signed_credentials_verify_in_our_verifier(node_harness, suite, now):
    signed = node_harness.sign(_unsigned_ob3(), suite)["signed"]
    verifier = Verifier(resolve_did=resolve_did_key)
    report = verifier.verify(signed, now=now)
    assert report.verified, [c.to_dict() for c in report.checks if c.status == "failed"]
    text = json.dumps(signed)
    tampered = json.loads(text.replace("Knows HV safety.", "Knows HV safetY."))
    bad = verifier.verify(tampered, now=now)
    assert not bad.verified and bad.check("proof").status == "failed"


def test_suspension_entries_read_safely_by_a_verifier_ignoring_status_size(node_harness, client, demo):
    """@digitalbazaar/vc-bitstring-status-list 2.0 reads one bit at statusListIndex even for 2-bit
    entries: it must see our suspended and revoked credentials as set, and fresh ones as not set."""
    key = demo["emob-academy"]
    headers = {"Authorization": f"Bearer {key}"}
    bodies = [_issue(client, key, "HV-2S", {"name": f"S{i}", "email": f"s{i}@example.org"}) for i in range(3)]
    fresh, suspended, revoked = bodies
    assert client.post(f"/api/v1/credentials/{suspended['id']}/suspend", json={"reason": "investigation"},
                       headers=headers).status_code == 200
    assert client.post(f"/api/v1/credentials/{revoked['id']}/revoke", json={"reason": "fraud"},
                       headers=headers).status_code == 200
    expected = {fresh["id"]: False, suspended["id"]: True, revoked["id"]: True}
    for body in bodies:
        vc = body["credential"]
        assert vc["credentialStatus"]["statusSize"] == 2
        result = node_harness.verify(vc, _documents(client, vc, with_status=True), check_status=True)
        assert result["statusResult"]["entries"][0]["set"] is expected[body["id"]], result
    # and our verifier, which implements statusSize, tells the two apart
    states = [client.post("/api/v1/verify", json=b["credential"]).get_json()["summary"]["status"] for b in bodies]
    assert states == [{"revoked": False, "suspended": False}, {"revoked": False, "suspended": True},
                      {"revoked": True, "suspended": False}]
