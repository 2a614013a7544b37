"""Issuers, DID documents, JWKS, key rotation, did:key issuers, and keys at rest (issue #2 §3)."""
from __future__ import annotations

import json
import logging

from sqlalchemy import select, text

from issuer.store import tenants
from issuer.skills.catalogue import import_courses
from tests.factories import course_entry, make_provider
from issuer.store.models import IssuerProfile, SigningKey

def test_did_document_jwks_and_profile(client, demo):
    did = "did:web:localhost%3A5000:issuers:bbz-alpenvorland"
    doc = client.get("/issuers/bbz-alpenvorland/did.json")
    assert doc.status_code == 200 and doc.mimetype == "application/did+json"
    doc = doc.get_json()
    assert doc["id"] == did
    types = {vm["type"] for vm in doc["verificationMethod"]}
    assert types == {"Multikey", "JsonWebKey"}
    assert set(doc["assertionMethod"]) == {vm["id"] for vm in doc["verificationMethod"]}
    assert all(vm["controller"] == did and vm["id"].startswith(did + "#") for vm in doc["verificationMethod"])
    multikey = next(vm for vm in doc["verificationMethod"] if vm["type"] == "Multikey")
    assert multikey["publicKeyMultibase"].startswith("z6Mk")
    jwks = client.get("/issuers/bbz-alpenvorland/jwks.json").get_json()
    assert [k["alg"] for k in jwks["keys"]] == ["ES256"] and jwks["keys"][0]["kid"].startswith(did + "#")
    assert "d" not in jwks["keys"][0]
    profile = client.get("/issuers/bbz-alpenvorland.json").get_json()
    assert profile["id"] == did and profile["type"] == ["Profile"]
    assert client.get("/issuers/nope/did.json").status_code == 404


def test_jwt_kid_resolves_through_did_document_and_jwks(client, demo, api):
    body = api.issue("ADAS-CAL", provider="bbz-alpenvorland")
    header = json.loads(__import__("base64").urlsafe_b64decode(body["jwt"].split(".")[0] + "=="))
    assert set(header) == {"alg", "kid", "typ"} and header["alg"] == "ES256"
    doc = client.get("/issuers/bbz-alpenvorland/did.json").get_json()
    assert header["kid"] in {vm["id"] for vm in doc["verificationMethod"]}
    assert header["kid"] in {k["kid"] for k in client.get("/issuers/bbz-alpenvorland/jwks.json").get_json()["keys"]}


def test_key_rotation_keeps_old_credentials_verifiable(client, demo, service, api):
    key = demo["bbz-alpenvorland"]
    old = api.issue("ADAS-CAL", key=key)
    with service.session(write=True) as s:
        issuer = s.scalar(select(IssuerProfile).where(IssuerProfile.slug == "bbz-alpenvorland"))
        new_keys = tenants.rotate_keys(s, issuer, service.vault, service.clock())
        s.commit()
    assert [k.fragment for k in new_keys] == ["key-ed25519-2", "key-p256-2"]
    new = api.issue("ADAS-CAL", key=key)
    assert new["credential"]["proof"][0]["verificationMethod"].endswith("#key-ed25519-2")
    doc = client.get("/issuers/bbz-alpenvorland/did.json").get_json()
    assert len(doc["verificationMethod"]) == 4 and len(doc["assertionMethod"]) == 4
    for body in (old, new):
        for form in (body["credential"], body["jwt"]):
            data = json.dumps(form) if isinstance(form, dict) else form
            report = client.post("/api/v1/verify", data=data,
                                 content_type="application/json" if isinstance(form, dict) else "application/jwt")
            assert report.get_json()["verified"] is True


def test_did_key_issuer(client, demo, service, api):
    with service.session(write=True) as s:
        provider, api_key = make_provider(
            s, service, slug="offline-trainer", name="Offline Trainer", issuers=[
                {"slug": "offline-trainer", "name": "Offline Trainer", "didMethod": "key"}])
        import_courses(s, provider, {"courses": [course_entry()]})
        s.commit()
    body = api.issue("HV-1", key=api_key)
    vc = body["credential"]
    assert vc["issuer"]["id"].startswith("did:key:z6Mk")
    assert vc["proof"][0]["verificationMethod"] == vc["issuer"]["id"] + "#" + vc["issuer"]["id"][8:]
    assert client.post("/api/v1/verify", json=vc).get_json()["verified"] is True
    assert client.post("/api/v1/verify", data=body["jwt"], content_type="application/jwt").get_json()["verified"]


def test_private_keys_never_in_clear(client, demo, service, caplog, api):
    caplog.set_level(logging.DEBUG)
    body = api.issue("ADAS-CAL", provider="bbz-alpenvorland")
    with service.session() as s:
        keys = s.scalars(select(SigningKey)).all()
        privates = [service.vault.open(k.private_encrypted, f"{k.issuer.slug}#{k.fragment}") for k in keys]
        dump = "\n".join(str(row) for table in ("signing_key", "issuer_profile", "api_key", "credential")
                         for row in s.execute(text(f"SELECT * FROM {table}")).all())
    from cryptography.hazmat.primitives import serialization  # test-side inspection only
    for private in privates:
        pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
        raw_secret = pem.decode().splitlines()[1]
        assert raw_secret not in dump and "PRIVATE KEY" not in dump
        for blob in (json.dumps(body), caplog.text):
            assert "PRIVATE KEY" not in blob and raw_secret not in blob
    for key in demo.values():
        assert key not in dump  # API keys are stored hashed
    assert repr(service.vault) == "KeyVault(<sealed>)"


def test_sealed_key_does_not_open_under_another_binding(service, demo):
    import pytest
    with service.session() as s:
        key = s.scalars(select(SigningKey)).first()
        with pytest.raises(Exception):
            service.vault.open(key.private_encrypted, "another-issuer#key-1")
