"""Retiring a signing key reported compromised (security catalog T-14; issue #14 §1 Settings):
the key leaves the published DID document and JWK Set, credentials signed with it stop verifying
and the report names the reason; fresh keys take over issuing."""
from __future__ import annotations

import json

from issuer.skills.catalogue import import_courses
from tests.factories import course_entry, make_provider

PROVIDER, ISSUER = "bbz-alpenvorland", "bbz-alpenvorland"


def _keys(client, api, path="", method="get", provider=PROVIDER, **kwargs):
    call = getattr(client, method)
    return call(f"/api/v1/issuers/{ISSUER}/keys{path}", headers=api.headers(provider), **kwargs)


def _report(client, form) -> dict:
    if isinstance(form, dict):
        return client.post("/api/v1/verify", json=form).get_json()
    return client.post("/api/v1/verify", data=form, content_type="application/jwt").get_json()


def test_compromised_key_stops_verifying_with_a_named_reason(client, demo, api):
    old = api.issue("ADAS-CAL", provider=PROVIDER)
    listed = _keys(client, api).get_json()
    assert {k["state"] for k in listed["keys"]} == {"active"}
    di_key = old["credential"]["proof"][0]["verificationMethod"].split("#")[1]

    answer = _keys(client, api, f"/{di_key}/compromise", "post", json={"note": "laptop stolen"})
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    states = {k["fragment"]: k for k in body["keys"]}
    assert states[di_key]["state"] == "compromised" and states[di_key]["note"] == "laptop stolen"
    assert states[di_key]["compromisedAt"] and len(body["new"]) == 2
    assert all(states[f]["state"] == "active" for f in body["new"])

    # published: the key is gone from the DID document and the JWK Set; the note is never published
    doc = client.get(f"/issuers/{ISSUER}/did.json").get_json()
    assert not any(vm["id"].endswith("#" + di_key) for vm in doc["verificationMethod"])
    assert not any(m.endswith("#" + di_key) for m in doc["assertionMethod"])
    assert "laptop" not in json.dumps(doc)

    # the old credential's Data Integrity proof no longer verifies, and the report says why
    report = _report(client, old["credential"])
    assert report["verified"] is False
    proof = next(c for c in report["checks"] if c["id"] == "proof")
    assert proof["status"] == "failed" and "revoked the key" in proof["reason"] and "compromised" in proof["reason"]

    # issuing goes on with the fresh keys, and what it issues verifies in both forms
    new = api.issue("ADAS-CAL", provider=PROVIDER)
    assert new["credential"]["proof"][0]["verificationMethod"].split("#")[1] in body["new"]
    assert _report(client, new["credential"])["verified"] is True
    assert _report(client, new["jwt"])["verified"] is True

    again = _keys(client, api, f"/{di_key}/compromise", "post")
    assert again.status_code == 409 and again.mimetype == "application/problem+json"


def test_a_retired_key_reported_later_needs_no_new_keys(client, demo, api):
    rotated = _keys(client, api, "/rotate", "post")
    assert rotated.status_code == 201 and len(rotated.get_json()["new"]) == 2
    retired = next(k["fragment"] for k in rotated.get_json()["keys"] if k["state"] == "retired")
    answer = _keys(client, api, f"/{retired}/compromise", "post").get_json()
    assert "new" not in answer
    assert [k["state"] for k in answer["keys"]].count("active") == 2


def test_keys_are_the_providers_own_and_bad_input_is_a_problem(client, demo, api):
    assert _keys(client, api, provider="emob-academy").status_code == 404
    assert _keys(client, api, "/key-ed25519-1/compromise", "post", provider="emob-academy").status_code == 404
    assert _keys(client, api, "/nope/compromise", "post").status_code == 404
    for bad in ({"note": 5}, {"note": "x" * 501}, {"other": 1}, [1]):
        response = _keys(client, api, "/key-ed25519-1/compromise", "post", json=bad)
        assert response.status_code == 422 and response.mimetype == "application/problem+json"
    assert _keys(client, api).get_json()["keys"][0]["state"] == "active"  # nothing changed
    limited = client.post("/api/v1/oauth/clients", headers=api.headers(PROVIDER),
                          json={"name": "reader", "scope": "credentials:read"})
    assert limited.status_code == 201


def test_a_did_key_issuer_cannot_replace_its_key(client, demo, service, api):
    with service.session(write=True) as s:
        provider, api_key = make_provider(s, service, slug="offline-trainer", name="Offline Trainer", issuers=[
            {"slug": "offline-trainer", "name": "Offline Trainer", "didMethod": "key"}])
        import_courses(s, provider, {"courses": [course_entry()]})
        s.commit()
    headers = {"Authorization": f"Bearer {api_key}"}
    fragment = client.get("/api/v1/issuers/offline-trainer/keys", headers=headers).get_json()["keys"][0]["fragment"]
    answer = client.post(f"/api/v1/issuers/offline-trainer/keys/{fragment}/compromise", headers=headers)
    assert answer.status_code == 409 and answer.get_json()["code_hint"] == "did_key_issuer"


def test_cli_lists_and_retires_a_compromised_key(service, demo, tmp_path):
    from click.testing import CliRunner

    from issuer.cli import main
    env = {"ISSUER_INSTANCE_PATH": service.config["INSTANCE_PATH"], "ISSUER_DATABASE_URL": service.config["DATABASE_URL"],
           "ISSUER_SECRET_KEY": service.config["SECRET_KEY"], "ISSUER_BASE_URL": service.base_url}
    runner = CliRunner()
    listed = runner.invoke(main, ["keys", "list", ISSUER], env=env)
    assert listed.exit_code == 0, listed.output
    fragment = json.loads(listed.output)[0]["fragment"]
    done = runner.invoke(main, ["keys", "compromise", ISSUER, fragment, "--note", "leaked"], env=env)
    assert done.exit_code == 0, done.output
    assert "retired as compromised" in done.output and "New active keys" in done.output
    again = runner.invoke(main, ["keys", "compromise", ISSUER, fragment], env=env)
    assert again.exit_code != 0 and "already reported" in again.output
