"""Issue #15 §3: the verifier reads an ELM (Europass) copy exported here, links it to its signed
Open Badges original, shows the same facts and says plainly that the copy is unsealed."""
from __future__ import annotations

import io
import json

import pytest

from issuer.verify.elm_copy import UNSEALED_NOTE
from tests.web.helpers import GERMAN, HTML, Page, issue

BASE = "http://localhost:5000"


@pytest.fixture
def exported(client, auth):
    cid = issue(client, auth, result={"grade": "A"})
    response = client.get(f"/credentials/{cid}.elm.json")
    assert response.status_code == 200
    return cid, response.get_json()


def _verify(client, document):
    response = client.post("/api/v1/verify", data=json.dumps(document), content_type="application/json")
    assert response.status_code == 200
    return response.get_json()


def test_copy_is_linked_to_its_signed_original(client, exported):
    cid, document = exported
    report = _verify(client, document)
    assert report["verified"] is True and report["format"] == "elm"
    elm = report["elm"]
    assert elm["sealed"] is False and elm["note"] == UNSEALED_NOTE
    assert "unsealed copy" in elm["note"] and "signed Open Badges 3.0 credential" in elm["note"]
    assert elm["original"] == f"urn:uuid:{cid}" and elm["originalUrl"] == f"{BASE}/credentials/{cid}"
    assert elm["linked"] is True and elm["factsMatch"] is True and elm["differences"] == []
    assert elm["facts"]["holder"] == "Alex Muster" and elm["facts"]["grade"] == "A"
    assert elm["facts"]["title"] == "High-Voltage Qualification for EV Service Work (Level 2S)"
    assert elm["facts"]["eqfLevel"] == "http://data.europa.eu/snb/eqf/4"
    assert report["checks"][0]["id"] == "elm_copy" and report["checks"][0]["status"] == "passed"
    assert {c["id"]: c["status"] for c in report["checks"]}["proof"] == "passed"  # the original's signature
    assert report["credential"]["id"] == f"urn:uuid:{cid}"                     # the signed original
    assert report["summary"]["holder"]["name"] == "Alex Muster"                 # the same facts
    assert report["issuerTrust"]["level"] == "hosted"                           # the same issuer standing
    assert report["issuerTrust"] == _verify(client, client.get(f"/credentials/{cid}.json").get_json())["issuerTrust"]


def test_a_changed_copy_does_not_verify(client, exported):
    _, document = exported
    document["credentialSubject"]["fullName"] = {"de": "Mallory Muster"}
    document["credentialSubject"]["hasClaim"]["provenBy"]["grade"]["noteLiteral"] = {"de": "A+"}
    report = _verify(client, document)
    assert report["verified"] is False
    assert report["elm"]["differences"] == ["holder", "grade"]
    assert report["checks"][0]["status"] == "failed"


def test_a_copy_of_an_unknown_credential(client, exported):
    _, document = exported
    document["identifier"]["notation"] = "urn:uuid:00000000-0000-4000-8000-000000000000"
    report = _verify(client, document)
    assert report["verified"] is False and report["elm"]["linked"] is False
    assert "not a credential hosted by this service" in report["checks"][0]["reason"]


def test_a_copy_of_a_revoked_credential(client, exported, auth):
    cid, document = exported
    assert client.post(f"/api/v1/credentials/{cid}/revoke", json={"reason": "test"}, headers=auth).status_code == 200
    report = _verify(client, document)
    assert report["verified"] is False and report["elm"]["factsMatch"] is True
    assert report["summary"]["status"]["revoked"] is True


@pytest.mark.parametrize("headers,unsealed,match", [
    (HTML, "This is an unsealed Europass (ELM) copy", "Every fact of the copy equals the signed original."),
    (GERMAN, "Dies ist eine ungesiegelte Europass-Kopie (ELM)", "Alle Angaben der Kopie stimmen"),
])
def test_verify_page_shows_the_copy_and_its_original(client, exported, headers, unsealed, match):
    cid, document = exported
    response = client.post("/verify", data={"file": (io.BytesIO(json.dumps(document).encode()), "copy.elm.json")},
                           content_type="multipart/form-data", headers=headers)
    assert response.status_code == 200
    page = Page(response.get_data(as_text=True))
    assert next(a["data-verdict"] for _, a in page.tags if "data-verdict" in a) == "verified"
    assert page.first("section", **{"data-elm": "linked"})
    assert unsealed in page.text and match in page.text
    # our own issuer, hosted here: the same standing as when the signed original itself is verified
    assert {a["data-issuer-trust"] for _, a in page.tags if "data-issuer-trust" in a} == {"hosted"}
    assert page.links()[f"{BASE}/credentials/{cid}"] == f"urn:uuid:{cid}"
    assert "Alex Muster" in page.text


def test_verify_page_says_when_a_copy_was_changed(client, exported):
    _, document = exported
    document["credentialSubject"]["fullName"] = {"de": "Mallory Muster"}
    response = client.post("/verify", data={"credential": json.dumps(document)}, content_type="multipart/form-data",
                           headers=HTML)
    page = Page(response.get_data(as_text=True))
    assert next(a["data-verdict"] for _, a in page.tags if "data-verdict" in a) == "elm_mismatch"
    assert "The copy differs from the signed original in: holder" in page.text
