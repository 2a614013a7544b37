"""VC-JWT parsing, header policy, signature and claim checks (security catalog §1)."""
from __future__ import annotations

import pytest

from issuer.signing.jwt_verify import (
    JwsError, check_claims, check_header, numeric_date, parse_unverified, verify_signature,
)
from issuer.signing.keys import (
    PublicKeyInfo, generate_ed25519, generate_p256, generate_rsa, public_jwk, public_key_from_jwk,
)
from tests.unit.verify.support import b64u, raw_jws

ALGS = ("ES256", "RS256", "EdDSA")
PAYLOAD = {"iss": "did:example:issuer", "jti": "urn:uuid:1", "sub": "did:example:holder"}


@pytest.fixture(scope="module")
def ed_key():
    return generate_ed25519()


@pytest.fixture(scope="module")
def p256_key():
    return generate_p256()


@pytest.fixture(scope="module")
def rsa_key():
    return generate_rsa(2048)


def _info(key) -> PublicKeyInfo:
    return public_key_from_jwk(public_jwk(key))


# --- parse_unverified ------------------------------------------------------------------------------


def test_parse_round_trip(ed_key):
    token = raw_jws({"alg": "EdDSA", "kid": "did:example:issuer#k"}, PAYLOAD, ed_key, "EdDSA")
    jws = parse_unverified(token)
    assert jws.header["kid"] == "did:example:issuer#k" and jws.payload == PAYLOAD and len(jws.signature) == 64


@pytest.mark.parametrize("token, message", [
    ("a.b", "3 segments"),
    ("a.b.c.d.e", "3 segments"),
    (b64u(b"{}") + "=." + b64u(b"{}") + ".", "base64url"),  # JWT-15 padding
    (b64u(b"{}") + ".ab+c." , "base64url"),
    (b64u(b"[1]") + "." + b64u(b"{}") + ".", "not a JSON object"),  # JWT-15 header as a JSON array
    (b64u(b'{"alg":"EdDSA","alg":"none"}') + "." + b64u(b"{}") + ".", "duplicate"),  # JWT-11
    (b64u(b'{"alg":"EdDSA"}') + "." + b64u(b'{"iss":"a","iss":"b"}') + ".", "duplicate"),
    (b64u(b'{"alg":"EdDSA","b64":false}') + ".payload.", "b64"),  # JWT-10
    (b64u(b'{"alg":"EdDSA"}') + "." + b64u(b'{"x":NaN}') + ".", "NaN"),
    (b64u(b'{"alg":"EdDSA"}') + "." + b64u(b"[" * 100 + b"]" * 100) + ".", "nesting"),
])
def test_parse_refuses_malformed(token, message):
    with pytest.raises(JwsError, match=message) as info:
        parse_unverified(token)
    assert info.value.code == "PARSING_ERROR"


def test_parse_refuses_non_canonical_base64(ed_key):
    token = raw_jws({"alg": "EdDSA", "kid": "did:example:a#k"}, PAYLOAD, ed_key, "EdDSA")
    last = token[-1]
    index = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".index(last)
    twin = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"[index ^ 1]  # same decoded bytes
    with pytest.raises(JwsError, match="canonical"):
        parse_unverified(token[:-1] + twin)


def test_parse_caps_size_before_decoding():
    huge = b64u(b'{"alg":"EdDSA"}') + "." + "A" * 2_000_000 + "."
    with pytest.raises(JwsError, match="larger than"):
        parse_unverified(huge, max_bytes=1_000_000)
    with pytest.raises(JwsError, match="larger than"):
        parse_unverified(huge.encode(), max_bytes=1_000_000)


# --- check_header ----------------------------------------------------------------------------------


@pytest.mark.parametrize("alg", ["none", "None", "NONE", "nOnE", "", "HS256", "HS512", "PS256", "ES512"])
def test_header_alg_not_allowed(alg):  # JWT-01, JWT-03
    with pytest.raises(JwsError):
        check_header({"alg": alg, "kid": "did:example:a#k"}, ALGS)


def test_header_without_alg():
    with pytest.raises(JwsError, match="no alg"):
        check_header({"kid": "did:example:a#k"}, ALGS)


@pytest.mark.parametrize("member", ["jku", "x5u", "x5c", "crit", "cty", "b64", "zip", "x5t"])
def test_header_extra_members_refused(member):  # JWT-06, JWT-09
    with pytest.raises(JwsError, match=member):
        check_header({"alg": "EdDSA", "kid": "did:example:a#k", member: "x"}, ALGS)


@pytest.mark.parametrize("typ, ok", [("JWT", True), ("jwt", True), ("vc+jwt", True), ("application/vc+jwt", True),
                                     ("at+jwt", False), ("JOSE", False), (7, False)])
def test_header_typ(typ, ok):  # JWT-13
    header = {"alg": "EdDSA", "kid": "did:example:a#k", "typ": typ}
    if ok:
        assert check_header(header, ALGS) == "EdDSA"
    else:
        with pytest.raises(JwsError, match="typ"):
            check_header(header, ALGS)


@pytest.mark.parametrize("kid", ["", "x" * 3000, "a\u0000b", 12])
def test_header_bad_kid(kid):  # JWT-07
    with pytest.raises(JwsError, match="kid"):
        check_header({"alg": "EdDSA", "kid": kid}, ALGS)


def test_header_needs_a_key_reference():
    with pytest.raises(JwsError, match="neither kid nor jwk"):
        check_header({"alg": "EdDSA"}, ALGS)


# --- verify_signature ------------------------------------------------------------------------------


@pytest.mark.parametrize("name, alg", [("ed_key", "EdDSA"), ("p256_key", "ES256"), ("rsa_key", "RS256")])
def test_signature_verifies(request, name, alg):
    key = request.getfixturevalue(name)
    jws = parse_unverified(raw_jws({"alg": alg, "kid": "did:example:a#k"}, PAYLOAD, key, alg))
    verify_signature(jws, _info(key), ALGS)


def test_signature_alg_must_match_key(ed_key, p256_key):  # JWT-04
    token = raw_jws({"alg": "ES256", "kid": "did:example:a#k"}, PAYLOAD, p256_key, "ES256")
    with pytest.raises(JwsError, match="does not match the key type"):
        verify_signature(parse_unverified(token), _info(ed_key), ALGS)


@pytest.mark.parametrize("signature", [b"", b"\0" * 64, b"\0" * 63])
def test_empty_or_zero_signature(p256_key, ed_key, signature):  # JWT-02
    for key, alg in ((p256_key, "ES256"), (ed_key, "EdDSA")):
        token = raw_jws({"alg": alg, "kid": "did:example:a#k"}, PAYLOAD, signature=signature)
        with pytest.raises(JwsError):
            verify_signature(parse_unverified(token), _info(key), ALGS)


def test_tampered_payload(ed_key):
    token = raw_jws({"alg": "EdDSA", "kid": "did:example:a#k"}, PAYLOAD, ed_key, "EdDSA")
    head, _, sig = token.split(".")
    forged = head + "." + b64u(b'{"iss":"did:example:mallory","jti":"urn:uuid:1"}') + "." + sig
    with pytest.raises(JwsError, match="does not verify"):
        verify_signature(parse_unverified(forged), _info(ed_key), ALGS)


def test_algorithm_outside_policy(ed_key):
    token = raw_jws({"alg": "EdDSA", "kid": "did:example:a#k"}, PAYLOAD, ed_key, "EdDSA")
    with pytest.raises(JwsError, match="not allowed"):
        verify_signature(parse_unverified(token), _info(ed_key), ("ES256",))


# --- claims ----------------------------------------------------------------------------------------

CREDENTIAL = {"id": "urn:uuid:1", "issuer": {"id": "did:example:issuer"}, "validFrom": "2024-01-01T00:00:00Z",
              "validUntil": "2030-01-01T00:00:00Z", "credentialSubject": {"id": "did:example:holder"}}


def test_claims_match():
    assert check_claims({**PAYLOAD, "nbf": 1704067200, "exp": 1893456000}, CREDENTIAL) == []
    assert check_claims({"iss": "did:example:issuer", "jti": "urn:uuid:1"}, CREDENTIAL) == []


@pytest.mark.parametrize("claims, problem", [
    ({"iss": "did:example:mallory"}, "iss"),
    ({"iss": None}, "iss"),
    ({"jti": "urn:uuid:2"}, "jti"),
    ({"sub": "did:example:someone-else"}, "sub"),
    ({"nbf": 1704067201}, "nbf"),
    ({"exp": 1893456001}, "exp"),
    ({"nbf": "2024-01-01"}, "NumericDate"),
])
def test_claims_mismatch(claims, problem):  # JWT-12, JWT-14
    payload = {k: v for k, v in {**PAYLOAD, **claims}.items() if v is not None}
    problems = check_claims(payload, CREDENTIAL)
    assert problems and problem in problems[0]


def test_claims_vc11_dates():
    credential = {"id": "urn:uuid:1", "issuer": "did:example:issuer", "issuanceDate": "2024-01-01T00:00:00Z"}
    assert check_claims({"iss": "did:example:issuer", "jti": "urn:uuid:1", "nbf": 1704067200}, credential,
                        vc_claim=True) == []


@pytest.mark.parametrize("value, expected", [
    ("2024-01-01T00:00:00Z", 1704067200), ("2024-01-01T01:00:00+01:00", 1704067200),
    ("2024-01-01T00:00:00", None), ("yesterday", None), (5, None),
])
def test_numeric_date(value, expected):
    assert numeric_date(value) == expected
