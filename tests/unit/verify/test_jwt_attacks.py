"""Security catalog §1 (VC-JWT / JWS attacks) through ``Verifier.verify``: none is verified, none
raises, and header URLs are never fetched or resolved."""
from __future__ import annotations

import hashlib
import hmac
import json
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives import serialization

from issuer.signing.keys import generate_ed25519, generate_p256, public_jwk

from .support import (
    NOW, NeverFetch, Resolver, b64u, checks, credential, did_web_issuer, iso, jwt_payload, raw_jws, verifier,
    vc_jwt,
)


@pytest.fixture(scope="module")
def issuer():
    return did_web_issuer("jwt", key=generate_p256())


@pytest.fixture()
def resolver(issuer):
    return Resolver().add(issuer)


@pytest.fixture()
def good(issuer):
    return vc_jwt(credential(issuer), issuer)


def _verify(resolver, subject, **kwargs):
    fetch = NeverFetch()
    report = verifier(resolver, fetch_status_list=fetch).verify(subject, now=NOW, **kwargs)
    assert fetch.calls == []
    assert not report.verified
    return report


def _swap_header(token: str, header) -> str:
    _, payload, signature = token.split(".")
    text = header if isinstance(header, str) else json.dumps(header)
    return b64u(text.encode()) + "." + payload + "." + signature


def test_good_token_verifies(resolver, good):
    assert verifier(resolver).verify(good, now=NOW).verified


@pytest.mark.parametrize("alg", ["none", "None", "NONE", "nOnE", "", None])
@pytest.mark.parametrize("signature", ["keep", "empty"])
def test_jwt01_alg_none(resolver, issuer, good, alg, signature):
    header = {"kid": issuer.vm, "typ": "JWT"} if alg is None else {"alg": alg, "kid": issuer.vm}
    token = _swap_header(good, header)
    if signature == "empty":
        token = token.rsplit(".", 1)[0] + "."
    report = _verify(resolver, token)
    assert checks(report)["proof"] == "failed"
    assert "alg" in report.check("proof").reason


@pytest.mark.parametrize("signature", [b"", b"\0" * 64])
def test_jwt02_empty_or_zero_signature(resolver, good, signature):
    token = good.rsplit(".", 1)[0] + "." + b64u(signature)
    report = _verify(resolver, token)
    assert checks(report)["proof"] == "failed" and report.check("proof").code == "PROOF_VERIFICATION_ERROR"


def _pem(key) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


@pytest.mark.parametrize("secret_form", ["pem", "jwk", "raw", "ssh"])
def test_jwt03_hs256_with_public_key_as_secret(resolver, issuer, secret_form):
    if secret_form == "ssh":
        ed = generate_ed25519()
        secret = ed.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    else:
        raw = issuer.key.public_key().public_bytes(serialization.Encoding.X962,
                                                   serialization.PublicFormat.UncompressedPoint)
        secret = {"pem": _pem(issuer.key), "jwk": json.dumps(public_jwk(issuer.key)).encode(), "raw": raw}[secret_form]
    header = {"alg": "HS256", "kid": issuer.vm, "typ": "JWT"}
    signing_input = b64u(json.dumps(header).encode()) + "." + b64u(json.dumps(jwt_payload(credential(issuer))).encode())
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    report = _verify(resolver, signing_input + "." + b64u(mac))
    assert "not allowed" in report.check("proof").reason


def test_jwt04_alg_does_not_match_key_type(resolver, issuer):
    other = generate_ed25519()
    token = raw_jws({"alg": "EdDSA", "kid": issuer.vm}, jwt_payload(credential(issuer)), other, "EdDSA")
    report = _verify(resolver, token)
    assert "does not match the key type" in report.check("proof").reason


@pytest.mark.parametrize("member, value", [
    ("jku", "https://attacker.example/jwks.json"), ("jku", "http://169.254.169.254/latest"),
    ("x5u", "file:///etc/passwd"), ("x5c", ["MIIB"]), ("crit", ["exp"]), ("crit", []), ("crit", "b64"),
    ("cty", "vc"), ("b64", True),
])
def test_jwt06_jwt09_forbidden_header_members(resolver, issuer, member, value):
    header = {"alg": "ES256", "kid": issuer.vm, member: value}
    entry = {"id": "https://attacker.example/list#1", "type": "BitstringStatusListEntry",
             "statusPurpose": "revocation", "statusListIndex": "1",
             "statusListCredential": "https://attacker.example/list"}
    token = raw_jws(header, jwt_payload(credential(issuer, credentialStatus=entry)), issuer.key, "ES256")
    report = _verify(resolver, token)
    failed = [c for c in report.checks if c.status == "failed"]
    assert failed and member in failed[0].reason
    assert resolver.calls == []  # nothing resolved either


@pytest.mark.parametrize("kid", ["../../dev/null", "' UNION SELECT 'key'--", "x" * 10_000, "a\u0000b",
                                 "https://127.0.0.1/key", "did:web:127.0.0.1#key-1", "did:web:localhost%3A8080#k",
                                 "file:///etc/passwd"])
def test_jwt07_hostile_kid(issuer, kid):
    resolver = Resolver().add(issuer)
    token = raw_jws({"alg": "ES256", "kid": kid}, jwt_payload(credential(issuer)), issuer.key, "ES256")
    report = _verify(resolver, token)
    assert checks(report)["proof"] == "failed"
    assert all(call.startswith("did:") for call in resolver.calls)


def test_jwt10_oversized_token_is_refused_before_decoding(resolver, issuer):
    token = b64u(b'{"alg":"ES256"}') + "." + "A" * 2_000_000 + ".sig"
    report = _verify(resolver, token)
    assert report.check("parsing").status == "failed" and "larger than" in report.check("parsing").reason
    assert resolver.calls == []


@pytest.mark.parametrize("header", ['{"alg":"ES256","alg":"none","kid":"K"}', '{"alg":"ES256","kid":"K","kid":"K2"}'])
def test_jwt11_duplicate_header_members(resolver, issuer, header):
    token = raw_jws(header.replace("K2", issuer.vm + "x").replace('"K"', json.dumps(issuer.vm)),
                    jwt_payload(credential(issuer)), issuer.key, "ES256")
    report = _verify(resolver, token)
    assert report.check("parsing").status == "failed" and "duplicate" in report.check("parsing").reason


def test_jwt11_duplicate_payload_members(resolver, issuer):
    payload = json.dumps(jwt_payload(credential(issuer)))[:-1] + ', "iss": "did:example:mallory"}'
    report = _verify(resolver, raw_jws({"alg": "ES256", "kid": issuer.vm}, payload, issuer.key, "ES256"))
    assert report.check("parsing").code == "PARSING_ERROR"


@pytest.mark.parametrize("claims, check_id", [
    ({"iss": "did:web:issuer.example:mallory"}, "proof"),
    ({"jti": "urn:uuid:something-else"}, "proof"),
    ({"sub": "did:example:someone-else"}, "proof"),
    ({"nbf": 1}, "proof"),
    ({"exp": int((NOW - timedelta(days=1)).timestamp())}, "validity_period"),
    ({"nbf": int((NOW + timedelta(days=2)).timestamp())}, "validity_period"),
])
def test_jwt12_claims(resolver, issuer, claims, check_id):
    document = credential(issuer)
    if "exp" in claims:
        document["validUntil"] = iso(NOW - timedelta(days=1))
    if "nbf" in claims and claims["nbf"] > 1:
        document["validFrom"] = iso(NOW + timedelta(days=2))
    report = _verify(resolver, vc_jwt(document, issuer, **claims))
    assert checks(report)[check_id] == "failed"


def test_jwt12_exp_without_valid_until_still_expires(resolver, issuer):
    report = _verify(resolver, vc_jwt(credential(issuer), issuer, exp=int((NOW - timedelta(hours=1)).timestamp())))
    assert checks(report)["proof"] == "passed"
    assert report.check("validity_period").detail["problem"] == "EXPIRED"


@pytest.mark.parametrize("typ", ["at+jwt", "application/at+jwt", "JOSE+JSON"])
def test_jwt13_wrong_typ(resolver, issuer, typ):
    token = vc_jwt(credential(issuer), issuer, header={"alg": "ES256", "kid": issuer.vm, "typ": typ})
    assert "typ" in _verify(resolver, token).check("proof").reason


def test_jwt14_attacker_jwt_wrapping_genuine_credential():
    from .support import did_key_issuer, sign_di

    victim, attacker = did_web_issuer("victim"), did_key_issuer()
    genuine = sign_di(credential(victim), victim)
    report = _verify(Resolver().add(victim), vc_jwt(genuine, attacker, iss=attacker.did))
    assert checks(report)["proof"] == "failed" and "iss" in report.check("proof").reason
    # claiming the victim as iss instead: the JWS key is not the victim's
    report = _verify(Resolver().add(victim), vc_jwt(genuine, attacker))
    assert checks(report)["proof"] == "passed" and checks(report)["key_binding"] == "failed"


@pytest.mark.parametrize("token", [
    "a.b.c.d.e", "abc", "a.b", "e30.e30.e30=", "e30.e30.!!!", "W10.e30.", "IjEi.e30.", "e30.W10.",
])
def test_jwt15_malformed_tokens(resolver, token):
    report = _verify(resolver, token)
    assert report.check("parsing").status == "failed" and report.check("parsing").code == "PARSING_ERROR"
    assert all(c.status == "skipped" for c in report.checks[1:])


def test_vc_claim_and_top_level_credential_together(resolver, issuer):
    payload = {**jwt_payload(credential(issuer)), "vc": credential(issuer)}
    report = _verify(resolver, raw_jws({"alg": "ES256", "kid": issuer.vm}, payload, issuer.key, "ES256"))
    assert report.check("parsing").status == "failed"


def test_vc20_credential_in_vc_claim_is_refused(resolver, issuer):
    document = credential(issuer)
    payload = {"vc": document, "iss": issuer.did, "jti": document["id"]}
    report = _verify(resolver, raw_jws({"alg": "ES256", "kid": issuer.vm}, payload, issuer.key, "ES256"))
    assert checks(report)["contexts"] == "failed"


def test_vc11_jwt_is_read(resolver, issuer):
    document = credential(issuer)
    document["@context"] = ["https://www.w3.org/2018/credentials/v1",
                            "https://purl.imsglobal.org/spec/ob/v3p0/context.json"]
    document["issuanceDate"] = document.pop("validFrom")
    payload = {"vc": document, "iss": issuer.did, "jti": document["id"], "sub": document["credentialSubject"]["id"]}
    report = verifier(resolver).verify(raw_jws({"alg": "ES256", "kid": issuer.vm}, payload, issuer.key, "ES256"),
                                       now=NOW)
    assert checks(report)["proof"] == "passed" and checks(report)["key_binding"] == "passed"
    assert checks(report)["contexts"] == "passed" and checks(report)["validity_period"] == "passed"
    assert report.summary["validFrom"] == document["issuanceDate"]


def test_algorithm_outside_policy(resolver, issuer, good):
    from issuer.verify import Policy

    report = verifier(resolver, policy=Policy(jwt_algorithms=("EdDSA",))).verify(good, now=NOW)
    assert "not allowed" in report.check("proof").reason
