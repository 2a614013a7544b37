"""POST /api/v1/verify (issue #3 §2) and attacks from the security catalog at the HTTP edge."""
from __future__ import annotations

import base64
import copy
import io
import json
import socket
import zlib

import pytest

from tests.factories import LEARNER


@pytest.fixture
def issued(api):
    return api.issue("ADAS-CAL", provider="bbz-alpenvorland")


def _checks(report):
    return {c["id"]: c for c in report["checks"]}


def test_every_input_form_verifies(client, issued):
    cid = issued["id"]
    forms = [
        (json.dumps(issued["credential"]).encode(), "application/json"),
        (issued["jwt"].encode(), "application/jwt"),
        (issued["jwt"].encode(), "text/plain"),
        (client.get(f"/credentials/{cid}.png").data, "image/png"),
        (client.get(f"/credentials/{cid}.svg").data, "image/svg+xml"),
        (client.get(f"/credentials/{cid}.png?form=jwt").data, "image/png"),
        (json.dumps({"url": f"http://localhost:5000/credentials/{cid}"}).encode(), "application/json"),
        (json.dumps({"@context": ["https://www.w3.org/ns/credentials/v2"], "type": "EnvelopedVerifiableCredential",
                     "id": "data:application/vc+jwt," + issued["jwt"]}).encode(), "application/json"),
    ]
    for data, media_type in forms:
        response = client.post("/api/v1/verify", data=data, content_type=media_type)
        assert response.status_code == 200, media_type
        report = response.get_json()
        assert report["verified"] is True, (media_type, [c for c in report["checks"] if c["status"] == "failed"])
        assert report["summary"]["holder"]["name"] == LEARNER["name"]
        assert LEARNER["email"].lower() not in response.get_data(as_text=True).lower()


def test_multipart_upload_and_form_fields(client, issued):
    png = client.get(f"/credentials/{issued['id']}.png").data
    upload = client.post("/api/v1/verify", data={"file": (io.BytesIO(png), "badge.png")},
                         content_type="multipart/form-data")
    assert upload.status_code == 200 and upload.get_json()["verified"] is True
    pasted = client.post("/api/v1/verify", data={"credential": issued["jwt"]}, content_type="multipart/form-data")
    assert pasted.get_json()["verified"] is True


def test_bad_credentials_get_a_report_not_an_error(client, issued):
    tampered = copy.deepcopy(issued["credential"])
    tampered["credentialSubject"]["name"] = "Mallory"
    report = client.post("/api/v1/verify", json=tampered).get_json()
    assert report["verified"] is False and _checks(report)["proof"]["code"] == "PROOF_VERIFICATION_ERROR"
    for data, media_type in [(b"{not json", "application/json"), (b"a.b.c", "application/jwt"),
                             (b"\x89PNG\r\n\x1a\nnot really", "image/png"), (b"<svg", "image/svg+xml")]:
        response = client.post("/api/v1/verify", data=data, content_type=media_type)
        assert response.status_code == 200
        report = response.get_json()
        assert report["verified"] is False and _checks(report)["parsing"]["status"] == "failed"


def test_unusable_requests_are_4xx(client):
    assert client.post("/api/v1/verify", data=b"x", content_type="application/xml").status_code == 415
    assert client.post("/api/v1/verify", data=b"", content_type="application/json").status_code == 400
    big = b'{"a":"' + b"x" * (3 * 1024 * 1024) + b'"}'
    response = client.post("/api/v1/verify", data=big, content_type="application/json")
    assert response.status_code == 413 and response.mimetype == "application/problem+json"


def test_png_decompression_bomb_is_refused_quickly(client):
    """A compressed iTXt that inflates to 100 MB: a failed parsing check, bounded memory."""
    bomb = zlib.compress(b"\0" * (100 * 1024 * 1024), 9)
    png = base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")
    chunk_data = b"openbadgecredential\x00\x01\x00\x00\x00" + bomb
    chunk = len(chunk_data).to_bytes(4, "big") + b"iTXt" + chunk_data + \
        zlib.crc32(b"iTXt" + chunk_data).to_bytes(4, "big")
    evil = png[:33] + chunk + png[33:]
    response = client.post("/api/v1/verify", data=evil, content_type="image/png")
    assert response.status_code in (200, 413)
    if response.status_code == 200:
        assert response.get_json()["verified"] is False


def test_svg_xxe_is_refused(client):
    svg = (b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
           b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0">'
           b'<openbadges:credential>&xxe;</openbadges:credential></svg>')
    report = client.post("/api/v1/verify", data=svg, content_type="image/svg+xml").get_json()
    assert report["verified"] is False and "root:" not in json.dumps(report)


@pytest.fixture
def no_network(monkeypatch):
    """Any outbound connection attempt fails the test (security catalog invariant (c))."""
    attempts = []
    real = socket.socket.connect

    def guard(self, address):
        attempts.append(address)
        raise AssertionError(f"outbound connection to {address}")

    monkeypatch.setattr(socket.socket, "connect", guard)
    yield attempts
    monkeypatch.setattr(socket.socket, "connect", real)


@pytest.mark.parametrize("host", ["127.0.0.1", "169.254.169.254", "localhost%3A5001", "10.0.0.1", "[::1]"])
def test_did_web_ssrf_targets_never_connect(tmp_path, database_url, issued, client, host, no_network):
    """A credential whose issuer is did:web on a forbidden address: verified false, 0 connections."""
    from issuer import create_app
    from issuer.service import build_service
    from tests.conftest import make_config
    svc = build_service(make_config(tmp_path / "remote", database_url, VERIFY_REMOTE_DID_WEB=True))
    remote_client = create_app(service=svc).test_client()
    forged = copy.deepcopy(issued["credential"])
    did = f"did:web:{host}:issuers:victim"
    forged["issuer"]["id"] = did
    forged["proof"][0]["verificationMethod"] = did + "#key-ed25519-1"
    report = remote_client.post("/api/v1/verify", json=forged).get_json()
    assert report["verified"] is False
    assert no_network == []
    svc.close()


@pytest.mark.parametrize("url", ["http://127.0.0.1:22/", "http://169.254.169.254/latest/meta-data/",
                                 "https://10.1.2.3/x", "file:///etc/passwd", "gopher://x/"])
def test_verify_by_url_refuses_forbidden_targets(client, url, no_network):
    response = client.post("/api/v1/verify", json={"url": url})
    assert 400 <= response.status_code < 500 and response.mimetype == "application/problem+json"
    assert no_network == []


def test_jwt_alg_none_and_header_jwk_attack(client, issued):
    header, payload, _ = issued["jwt"].split(".")
    none_header = base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT"}').rstrip(b"=").decode()
    report = client.post("/api/v1/verify", data=f"{none_header}.{payload}.", content_type="application/jwt").get_json()
    assert report["verified"] is False
    from cryptography.hazmat.primitives.asymmetric import ec
    import jwt as pyjwt
    from issuer.signing.keys import public_jwk
    attacker = ec.generate_private_key(ec.SECP256R1())
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    token = pyjwt.encode(claims, attacker, algorithm="ES256", headers={"jwk": public_jwk(attacker), "typ": "JWT"})
    report = client.post("/api/v1/verify", data=token, content_type="application/jwt").get_json()
    assert report["verified"] is False and _checks(report)["key_binding"]["status"] == "failed"


def test_a_form_url_is_never_read_as_a_local_file(client, tmp_path):
    """The ``url`` form field takes http(s) URLs only: a server path is refused, not read (SSRF/LFI)."""
    secret = tmp_path / "secret.json"
    secret.write_text('{"not": "for the public"}', encoding="utf-8")
    for target in (str(secret), f"file://{secret}"):
        response = client.post("/api/v1/verify", data={"url": target}, content_type="multipart/form-data")
        assert response.status_code == 422, response.get_data(as_text=True)
        assert "for the public" not in response.get_data(as_text=True)
