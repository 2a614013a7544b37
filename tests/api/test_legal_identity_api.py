"""Issue #15: a provider sets its issuer's legal identifier and country through the API (ELM
needs both); without them the Europass export is a 409 problem saying what to set and where."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from issuer.store import tenants
from issuer.store.models import Provider
from tests.elm_shapes import validate

PATH = "/api/v1/issuers/emob-academy/legal-identity"


def test_demo_issuers_have_a_legal_identity(client, auth):
    body = client.get(PATH, headers=auth).get_json()
    assert body == {"issuer": "emob-academy", "country": "AT", "legalIdentifier": "ATU73918264",
                    "legalIdentifierScheme": "vat", "elmExport": {"available": True, "missing": []}}
    issuers = client.get("/api/v1/issuers", headers=auth).get_json()["issuers"]
    assert [i["legalIdentity"] for i in issuers] == [
        {"country": "AT", "legalIdentifier": "ATU73918264", "legalIdentifierScheme": "vat"}]


def test_clear_then_set_the_legal_identifier(client, auth, api):
    cid = api.issue()["id"]
    cleared = client.put(PATH, json={"country": "AT"}, headers=auth)
    assert cleared.status_code == 200 and cleared.headers["Cache-Control"] == "no-store"
    assert cleared.get_json()["elmExport"] == {"available": False, "missing": ["legal identifier"]}

    refused = client.get(f"/credentials/{cid}.elm.json")
    assert refused.status_code == 409 and refused.mimetype == "application/problem+json"
    problem = refused.get_json()
    assert problem["code"] == "elm_export_unavailable" and problem["missing"] == ["legal identifier"]
    assert problem["issuer"] == "emob-academy"
    for where in ("provider console", f"PUT {PATH}", "issuer provider legal-id emob-academy"):
        assert where in problem["detail"], where

    made = client.put(PATH, json={"country": "de", "legalIdentifier": "HRB 12345 (Amtsgericht Leipzig)"},
                      headers=auth)
    assert made.status_code == 200
    assert made.get_json() == {"issuer": "emob-academy", "country": "DE",
                               "legalIdentifier": "HRB 12345 (Amtsgericht Leipzig)",
                               "legalIdentifierScheme": "registration",
                               "elmExport": {"available": True, "missing": []}}
    document = client.get(f"/credentials/{cid}.elm.json").get_json()
    issuer = document["issuer"]
    assert issuer["registration"]["notation"] == "HRB 12345 (Amtsgericht Leipzig)"
    assert issuer["eIDASIdentifier"]["spatial"]["id"].endswith("/country/DEU")
    conforms, report = validate(document)
    assert conforms, report


def test_a_country_outside_europe_is_named(client, auth, api):
    body = client.put(PATH, json={"country": "US", "legalIdentifier": "12-3456789"}, headers=auth).get_json()
    assert body["elmExport"] == {"available": False, "missing": ["a European country (ISO 3166-1 alpha-2)"]}
    cid = api.issue()["id"]
    assert client.get(f"/credentials/{cid}.elm.json").get_json()["missing"] == [
        "a European country (ISO 3166-1 alpha-2)"]


@pytest.mark.parametrize("body,path", [
    ({"country": "Germany", "legalIdentifier": "DE1"}, None),
    ({"country": "DE", "legalIdentifier": "<b>1</b>"}, None),
    ({"country": "DE", "legalIdentifier": "DE1", "legalIdentifierScheme": "tax"}, None),
    ({"country": "DE", "legalIdentifierScheme": "vat"}, None),
    ({"country": "DE", "legalIdentifier": 298173645}, "/legalIdentifier"),
    ({"country": "DE", "vat": "DE298173645"}, "/vat"),
    (["DE", "DE298173645"], None),
])
def test_bad_legal_identities_are_422_and_change_nothing(client, auth, body, path):
    response = client.put(PATH, json=body, headers=auth)
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    if path:
        assert [e["path"] for e in response.get_json()["errors"]] == [path]
    assert client.get(PATH, headers=auth).get_json()["legalIdentifier"] == "ATU73918264"


def test_scopes_and_other_providers(client, demo, service, auth):
    with service.session(write=True) as session:
        provider = session.scalar(select(Provider).where(Provider.slug == "emob-academy"))
        reader = tenants.create_api_key(session, provider, label="t", scopes=["catalogue:read"])
        session.commit()
    headers = {"Authorization": f"Bearer {reader}"}
    assert client.get(PATH, headers=headers).status_code == 200
    refused = client.put(PATH, json={"country": "AT"}, headers=headers)
    assert refused.status_code == 403 and refused.get_json()["scope"] == "catalogue:write"
    other = {"Authorization": f"Bearer {demo['nordhaven-tu']}"}
    assert client.get(PATH, headers=other).status_code == 404
    assert client.put(PATH, json={"country": "SE"}, headers=other).status_code == 404
    assert client.put(PATH, json={"country": "AT"}).status_code == 401
