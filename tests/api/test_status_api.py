"""Revocation and suspension API (issue #4 §2) and the published lists (§3)."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from issuer.status.bitstring import decode
from issuer.store.models import StatusEvent, StatusList

def _bit(client, credential):
    entry = credential["credentialStatus"]
    published = client.get(entry["statusListCredential"].replace("http://localhost:5000", ""))
    bits = decode(published.get_json()["credentialSubject"]["encodedList"])
    return bits.get_status(int(entry["statusListIndex"]), entry.get("statusSize", 1))


def _verify(client, credential):
    return client.post("/api/v1/verify", json=credential).get_json()


def test_revocation_entry_shape_and_published_list(client, demo, api):
    vc = api.issue("ADAS-CAL", provider="bbz-alpenvorland")["credential"]
    entry = vc["credentialStatus"]
    assert isinstance(entry, dict)  # OB 3.0 schema: one CredentialStatus object
    assert entry["type"] == "BitstringStatusListEntry" and entry["statusPurpose"] == "revocation"
    assert entry["id"] == f"{entry['statusListCredential']}#{entry['statusListIndex']}"
    assert entry["statusListIndex"].isdigit() and 0 <= int(entry["statusListIndex"]) < 131072
    response = client.get(entry["statusListCredential"].replace("http://localhost:5000", ""))
    assert response.status_code == 200 and response.headers["ETag"]
    assert "max-age=" in response.headers["Cache-Control"]
    status_list = response.get_json()
    assert status_list["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert status_list["issuer"] == vc["issuer"]["id"]
    assert status_list["credentialSubject"]["statusPurpose"] == "revocation"
    assert len(bytes(decode(status_list["credentialSubject"]["encodedList"]))) * 8 >= 131072
    assert status_list["proof"][0]["cryptosuite"] == "eddsa-rdfc-2022"
    again = client.get(entry["statusListCredential"].replace("http://localhost:5000", ""),
                       headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_revoke_is_final_idempotent_audited_and_published(client, demo, service, api):
    key = demo["bbz-alpenvorland"]
    headers = {"Authorization": f"Bearer {key}"}
    body = api.issue("ADAS-CAL", key=key)
    cid, vc = body["id"], body["credential"]
    assert _verify(client, vc)["verified"] is True and _bit(client, vc) == 0
    assert client.post(f"/api/v1/credentials/{cid}/revoke", json={}, headers=headers).status_code == 422
    first = client.post(f"/api/v1/credentials/{cid}/revoke", json={"reason": "obtained by fraud"}, headers=headers)
    assert first.status_code == 200 and first.get_json()["changed"] is True
    second = client.post(f"/api/v1/credentials/{cid}/revoke", json={"reason": "again"}, headers=headers)
    assert second.status_code == 200 and second.get_json()["changed"] is False
    assert _bit(client, vc) == 1
    report = _verify(client, vc)
    status = next(c for c in report["checks"] if c["id"] == "status")
    assert report["verified"] is False and status["status"] == "failed" and "revoked" in status["reason"]
    history = client.get(f"/api/v1/credentials/{cid}/status", headers=headers).get_json()
    assert history["status"] == "revoked"
    assert [h["action"] for h in history["history"]] == ["issue", "revoke"]
    assert history["history"][1]["reason"] == "obtained by fraud" and history["history"][1]["actor"].startswith("api-key:")
    unsuspend = client.post(f"/api/v1/credentials/{cid}/unsuspend", headers=headers)
    assert unsuspend.status_code == 409 and unsuspend.mimetype == "application/problem+json"


def _bits(client, credential) -> dict[str, int]:
    """The published bit of each of the credential's 1-bit entries, by statusPurpose."""
    out = {}
    for entry in credential["credentialStatus"]:
        published = client.get(entry["statusListCredential"].replace("http://localhost:5000", "")).get_json()
        assert published["credentialSubject"]["statusPurpose"] == entry["statusPurpose"]
        bits = decode(published["credentialSubject"]["encodedList"])
        out[entry["statusPurpose"]] = bits.get_status(int(entry["statusListIndex"]), 1)
    return out


def test_suspend_and_unsuspend(client, demo, api):
    key = demo["emob-academy"]  # suspension enabled: two 1-bit entries (docs/status.md)
    headers = {"Authorization": f"Bearer {key}"}
    body = api.issue("HV-2S", key=key)
    cid, vc = body["id"], body["credential"]
    entries = vc["credentialStatus"]
    assert [e["statusPurpose"] for e in entries] == ["revocation", "suspension"]
    assert all("statusSize" not in e and e["type"] == "BitstringStatusListEntry" for e in entries)
    assert entries[0]["statusListCredential"] != entries[1]["statusListCredential"]
    assert body["warnings"][0]["code"] == "credential_status_array" and "schema" in body["warnings"][0]["detail"]
    assert _bits(client, vc) == {"revocation": 0, "suspension": 0}
    assert client.post(f"/api/v1/credentials/{cid}/suspend", json={"reason": "investigation"},
                       headers=headers).status_code == 200
    assert _bits(client, vc) == {"revocation": 0, "suspension": 1}
    report = _verify(client, vc)
    assert report["verified"] is False and report["summary"]["status"] == {"revoked": False, "suspended": True}
    assert client.post(f"/api/v1/credentials/{cid}/unsuspend", json={"reason": "cleared"},
                       headers=headers).status_code == 200
    assert _bits(client, vc) == {"revocation": 0, "suspension": 0}
    report = _verify(client, vc)
    assert report["verified"] is True
    assert {c["id"]: c["status"] for c in report["checks"]}["official_schema"] == "warning"
    assert client.post(f"/api/v1/credentials/{cid}/suspend", json={"reason": "x"}, headers=headers).status_code == 200
    assert client.post(f"/api/v1/credentials/{cid}/revoke", json={"reason": "fraud"}, headers=headers).status_code == 200
    assert _bits(client, vc) == {"revocation": 1, "suspension": 0}
    assert _verify(client, vc)["summary"]["status"] == {"revoked": True, "suspended": False}
    assert client.post(f"/api/v1/credentials/{cid}/suspend", json={"reason": "x"}, headers=headers).status_code == 409


def test_default_credentials_have_one_revocation_entry_and_no_warning(client, demo, api):
    body = api.issue("ADAS-CAL", provider="bbz-alpenvorland")
    assert isinstance(body["credential"]["credentialStatus"], dict) and "warnings" not in body


def test_suspension_needs_the_provider_to_enable_it(client, demo, api):
    key = demo["bbz-alpenvorland"]
    cid = api.issue("ADAS-CAL", key=key)["id"]
    response = client.post(f"/api/v1/credentials/{cid}/suspend", json={"reason": "x"},
                           headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 409


def test_bulk_revocation(client, demo, api):
    key = demo["bbz-alpenvorland"]
    headers = {"Authorization": f"Bearer {key}"}
    ids = [api.issue("ADAS-CAL", key=key)["id"] for _ in range(3)]
    other = api.issue("AUTOSAR", provider="nordhaven-tu")["id"]
    response = client.post("/api/v1/credentials/revoke", json={"ids": ids + [other, "nope"], "reason": "batch error"},
                           headers=headers)
    assert response.status_code == 200
    results = {r["id"]: r for r in response.get_json()["results"]}
    assert all(results[i]["status"] == "revoked" for i in ids)
    assert results[other]["error"]["status"] == 404 and results["nope"]["error"]["status"] == 404
    assert response.get_json()["revoked"] == 3


@pytest.mark.parametrize("body", [{"ids": []}, {"ids": "x"}, {"ids": [1, 2]}, {}])
def test_bulk_revocation_bad_input(client, demo, body):
    response = client.post("/api/v1/credentials/revoke", json=body,
                           headers={"Authorization": f"Bearer {demo['bbz-alpenvorland']}"})
    assert response.status_code == 422 and response.mimetype == "application/problem+json"


def test_list_is_resigned_only_when_it_changes(client, demo, service, api):
    key = demo["bbz-alpenvorland"]
    vc = api.issue("ADAS-CAL", key=key)["credential"]
    path = vc["credentialStatus"]["statusListCredential"].replace("http://localhost:5000", "")
    first = client.get(path).data
    assert client.get(path).data == first  # served from the stored signed list, byte for byte
    with service.session() as s:
        signed_version = s.scalar(select(StatusList.signed_version))
    assert client.get(path).data == first
    with service.session() as s:
        assert s.scalar(select(StatusList.signed_version)) == signed_version
    cid = vc["id"].removeprefix("urn:uuid:")
    client.post(f"/api/v1/credentials/{cid}/revoke", json={"reason": "r"}, headers={"Authorization": f"Bearer {key}"})
    changed = client.get(path).data
    assert changed != first and json.loads(changed)["proof"] != json.loads(first)["proof"]
    with service.session() as s:
        assert s.scalar(select(StatusList.signed_version)) == signed_version + 1
        assert s.scalar(select(StatusEvent.action).where(StatusEvent.action == "revoke")) == "revoke"


def test_unknown_list_is_404(client):
    response = client.get("/status/00000000-0000-4000-8000-000000000000", headers={"Accept": "application/json"})
    assert response.status_code == 404 and response.mimetype == "application/problem+json"


def test_credentials_with_the_retired_two_bit_entry_keep_working(client, demo, monkeypatch, api):
    """Credentials issued before issue #8 carry one 2-bit ``message`` entry: they still change
    status and verify in our verifier (the lists of that purpose stay published)."""
    from issuer.status import lists
    monkeypatch.setattr(lists, "purposes_for", lambda suspension_enabled: (lists.PURPOSE_MESSAGE,))
    key = demo["emob-academy"]
    headers = {"Authorization": f"Bearer {key}"}
    body = api.issue("HV-2S", key=key)
    monkeypatch.undo()
    cid, vc = body["id"], body["credential"]
    entry = vc["credentialStatus"]
    assert entry["statusPurpose"] == "message" and entry["statusSize"] == 2
    assert _verify(client, vc)["verified"] is True
    expected = [("suspend", 2, {"revoked": False, "suspended": True}),
                ("unsuspend", 0, {"revoked": False, "suspended": False}),
                ("revoke", 1, {"revoked": True, "suspended": False})]
    for action, value, status in expected:
        assert client.post(f"/api/v1/credentials/{cid}/{action}", json={"reason": "x"},
                           headers=headers).status_code == 200
        assert _bit(client, vc) == value
        assert _verify(client, vc)["summary"]["status"] == status
    # a credential issued now by the same provider gets the two 1-bit entries
    assert [e["statusPurpose"] for e in api.issue("HV-2S", key=key)["credential"]["credentialStatus"]] == [
        "revocation", "suspension"]
