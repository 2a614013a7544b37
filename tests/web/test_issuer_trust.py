"""Issue #9 §3: verification tells the truth about who issued a credential (``issuerTrust``)."""
from __future__ import annotations

import copy
import json
from datetime import datetime, timezone

import pytest

from issuer import create_app
from issuer.resolve import did_key_from_public_key, resolve_did_key
from issuer.errors import ConfigError
from issuer.signing.eddsa_rdfc_2022 import add_proof
from issuer.signing.keys import generate_ed25519
from issuer.service import build_service
from issuer.demo.setup import demo_api_keys, initialize
from issuer.verify.trust import TrustList, TrustListError, display_name, name_skeleton
from tests.conftest import make_config
from tests.web.helpers import HTML

VERIFIED_TEXT = "issued by the organisation named below"


def _document(client, credential_id: str) -> dict:
    return json.loads(client.get(f"/credentials/{credential_id}.json").data)


def verify_page(client, document: dict) -> str:
    response = client.post("/verify", data={"credential": json.dumps(document)}, headers=HTML,
                           content_type="multipart/form-data")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def forge(document: dict, *, name: str | None = None, key=None) -> tuple[dict, str]:
    """The same credential re-signed by a fresh did:key that keeps the hosted issuer's name and logo."""
    key = key or generate_ed25519()
    did = did_key_from_public_key(key)
    forged = copy.deepcopy(document)
    forged.pop("proof")
    forged.pop("credentialStatus", None)
    forged["issuer"] = {**forged["issuer"], "id": did,
                        "image": {"id": forged["credentialSubject"]["achievement"]["image"]["id"], "type": "Image"}}
    if name is not None:
        forged["issuer"]["name"] = name
    vm = resolve_did_key(did)["assertionMethod"][0]
    return add_proof(forged, key, verification_method=vm, created=datetime.now(timezone.utc)), did


def test_self_signed_did_key_naming_a_hosted_provider_is_unknown(client, auth, api):
    genuine = _document(client, api.issue()["id"])
    forged, did = forge(genuine)
    assert forged["issuer"]["name"] == genuine["issuer"]["name"] == "Academy of Electromobility"

    report = client.post("/api/v1/verify", json=forged).get_json()
    assert report["verified"] is True  # the signature and the rest hold
    trust = report["issuerTrust"]
    assert trust["level"] == "unknown"
    assert trust["issuer"] == did
    assert trust["claimedName"] == "Academy of Electromobility"
    assert "impersonation" in trust["warnings"]
    assert trust["resembles"] == "Academy of Electromobility"

    html = verify_page(client, forged)
    assert VERIFIED_TEXT not in html
    assert "only the credential&#39;s own claim" in html or "only the credential's own claim" in html
    assert 'data-issuer-trust="unknown"' in html
    assert did in html
    assert 'data-trust-warning="trust.warning.impersonation"' in html
    assert 'data-coverage="unknown-issuer"' in html  # no job roles counted
    assert 'class="role-card' not in html


def test_hosted_credential_is_hosted_and_counted(client, auth, api):
    credential_id = api.issue()["id"]
    report = client.post("/api/v1/verify", json=_document(client, credential_id)).get_json()
    assert report["verified"] is True
    assert report["issuerTrust"]["level"] == "hosted"
    assert report["issuerTrust"]["name"] == "Academy of Electromobility"
    assert report["issuerTrust"]["warnings"] == []
    html = client.get(f"/credentials/{credential_id}/verify", headers=HTML).get_data(as_text=True)
    assert 'data-issuer-trust="hosted"' in html
    assert VERIFIED_TEXT in html
    assert "an issuer hosted on this service" in html


def test_combined_coverage_counts_only_hosted_or_known_issuers(client, auth, api):
    genuine = _document(client, api.issue()["id"])
    forged, _ = forge(genuine)
    body = client.post("/api/v1/coverage", json={"credentials": [forged]}).get_json()
    assert body["credentials"][0] == {**body["credentials"][0], "verified": True, "counted": False,
                                      "issuerTrust": "unknown"}
    assert "not counted" in body["credentials"][0]["reason"]
    assert body["counted"] == 0 and body["roles"] == []
    opt_in = client.post("/api/v1/coverage", json={"credentials": [forged], "includeUnknownIssuers": True})
    assert opt_in.get_json()["counted"] == 1


def test_look_alike_and_bidi_names_are_neutralised(client, auth, api):
    genuine = _document(client, api.issue()["id"])
    cyrillic = "Асаdemy of Electromobility"  # А, с, а are Cyrillic
    forged, _ = forge(genuine, name=cyrillic)
    trust = client.post("/api/v1/verify", json=forged).get_json()["issuerTrust"]
    assert trust["level"] == "unknown"
    assert {"impersonation", "mixed-script"} <= set(trust["warnings"])

    tricky = "Academy \u202eytilibomortcelE\u202c of \u2066Cars\u2069"
    forged, _ = forge(genuine, name=tricky)
    trust = client.post("/api/v1/verify", json=forged).get_json()["issuerTrust"]
    assert "bidi-controls" in trust["warnings"]
    assert trust["claimedName"] == "Academy ytilibomortcelE of Cars"
    html = verify_page(client, forged)
    for control in ("\u202e", "\u202c", "\u2066", "\u2069"):
        assert control not in html.split("<pre", 1)[0]


@pytest.fixture
def trusted(tmp_path, database_url):
    """A service whose trust list names one fresh did:key (in the DCC registry format)."""
    key = generate_ed25519()
    did = did_key_from_public_key(key)
    registry = {"meta": {"created": "2026-01-01T00:00:00Z", "updated": "2026-01-01T00:00:00Z"},
                "entries": {did: {"name": "Partner College", "location": "Graz, AT",
                                  "url": "https://partner.example"}}}
    path = tmp_path / "registry.json"
    path.write_text(json.dumps(registry))
    service = build_service(make_config(tmp_path, database_url, TRUST_LIST=str(path)))
    initialize(service, load_demo=True)
    app = create_app(service=service)
    yield app.test_client(), {"Authorization": f"Bearer {demo_api_keys(service)['emob-academy']}"}, key, did
    service.close()


def test_trust_list_issuer_is_known_and_counted(trusted, api):
    client, auth, key, did = trusted
    genuine = _document(client, api.issue()["id"])
    forged, signer = forge(genuine, name="Partner College", key=key)
    assert signer == did
    report = client.post("/api/v1/verify", json=forged).get_json()
    assert report["issuerTrust"]["level"] == "known"
    assert report["issuerTrust"]["name"] == "Partner College"
    assert report["issuerTrust"]["source"] == "registry.json"
    coverage = client.post("/api/v1/coverage", json={"credentials": [forged]}).get_json()
    assert coverage["counted"] == 1 and coverage["roles"]
    html = verify_page(client, forged)
    assert 'data-issuer-trust="known"' in html and "trust list" in html


def test_trust_list_formats_and_errors(tmp_path):
    ours = TrustList.from_document({"issuers": [{"id": "did:web:a.example", "name": "A"}]}, "ours.json")
    assert ours.get("did:web:a.example").name == "A"
    dcc = TrustList.from_document({"meta": {}, "registry": {"did:key:z6Mk1": {"name": "B", "url": "https://b"}}},
                                  "dcc.json")
    assert dcc.get("did:key:z6Mk1").url == "https://b"
    for bad in ({"issuers": [{"id": "https://x", "name": "X"}]}, {"entries": {"did:x:1": {}}}, [], {"x": 1}):
        with pytest.raises(TrustListError):
            TrustList.from_document(bad, "bad.json")
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    with pytest.raises(ConfigError, match="ISSUER_TRUST_LIST"):
        build_service(make_config(tmp_path, f"sqlite:///{tmp_path / 'x.db'}", TRUST_LIST=str(broken)))


def test_display_name_and_skeleton():
    assert display_name("A\u202eB\u200bC\u0000D") == "ABC D"
    assert display_name("   ") is None
    assert name_skeleton("Асаdemy") == name_skeleton("academy")
    assert name_skeleton("Ελληνική Ακαδημία") != name_skeleton("Academy")
