"""Compact credential storage (issuer.store.compact): the container gives back both signed forms
byte for byte, in every storage mode, and compresses a course's credentials to a few hundred bytes."""
from __future__ import annotations

import base64
import json

import jwt as pyjwt
import pytest

from issuer.signing import keys, vc_jose
from issuer.store import compact

CREDENTIAL = {
    "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
    "id": "urn:uuid:6f0a3c1e-0000-4000-8000-000000000001",
    "type": ["VerifiableCredential", "AchievementCredential"],
    "issuer": {"id": "did:web:skills.example.org:issuers:emob-academy", "type": ["Profile"], "name": "Akademie Ü"},
    "validFrom": "2026-11-30T10:00:00Z", "validUntil": "2028-11-30T10:00:00Z",
    "credentialSubject": {"type": ["AchievementSubject"], "name": "Zoë Ünal 山田",
                          "achievement": {"id": "https://skills.example.org/achievements/x", "name": "Hochvolt",
                                          "description": "A" * 2000, "ects": 3.0, "level": 5}},
    "proof": [{"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022", "proofValue": "z3abc"}],
}


def _signed_pair(credential: dict) -> tuple[str, str]:
    document = json.dumps(credential, ensure_ascii=False, indent=2)
    token = vc_jose.sign_vc_jwt(credential, keys.generate_p256(), alg="ES256", kid="did:web:x#key-1")
    return document, token


def _mode(container: bytes) -> bytes:
    return container[1:].split(b"\x00", 3)[3][:1]


def test_round_trip_stores_the_jwt_payload_as_its_tail():
    document, token = _signed_pair(CREDENTIAL)
    container = compact.pack(document, token)
    assert _mode(container) == b"T"
    assert len(container) < len(document.encode()) + 400  # the payload is not stored again
    assert compact.unpack(container) == (document, token)


def test_a_payload_that_is_not_the_document_is_stored_whole():
    document, _ = _signed_pair(CREDENTIAL)
    other = {**CREDENTIAL, "credentialSubject": {**CREDENTIAL["credentialSubject"], "name": "Someone Else"}}
    _, token = _signed_pair(other)
    container = compact.pack(document, token)
    assert _mode(container) == b"P"
    assert compact.unpack(container) == (document, token)


def test_a_payload_with_other_spacing_is_stored_whole():
    document, _ = _signed_pair(CREDENTIAL)
    payload = json.dumps({k: v for k, v in CREDENTIAL.items() if k != "proof"}, ensure_ascii=True)
    token = pyjwt.encode(json.loads(payload), keys.generate_p256(), algorithm="ES256")
    container = compact.pack(document, token)
    assert compact.unpack(container) == (document, token)


@pytest.mark.parametrize("document, token", [("", ""), ("{}", ""), ('{"a": 1}', "not-a-jwt"),
                                             ("[1, 2]", "a.b.c"), ('{"a": 1}', "eyJ9.%%%.c")])
def test_odd_forms_round_trip(document, token):
    assert compact.unpack(compact.pack(document, token)) == (document, token)


def test_compression_with_the_course_dictionary():
    first = compact.pack(*_signed_pair(CREDENTIAL))
    other = {**CREDENTIAL, "id": "urn:uuid:6f0a3c1e-0000-4000-8000-000000000002",
             "credentialSubject": {**CREDENTIAL["credentialSubject"], "name": "Anna Beispiel"}}
    document, token = _signed_pair(other)
    container = compact.pack(document, token)
    frame = compact.compress(container, 7, first)
    assert len(frame) < 400 < len(container)
    assert compact.unpack(compact.decompress(frame, 7, first)) == (document, token)
    plain = compact.compress(container, None, None)
    assert compact.unpack(compact.decompress(plain, None, None)) == (document, token)


def test_a_nul_in_the_document_is_refused():
    with pytest.raises(ValueError):
        compact.pack('{"a": "\x00"}', "")


def test_the_tail_really_is_the_registered_claims():
    document, token = _signed_pair(CREDENTIAL)
    tail = compact.pack(document, token)[1:].split(b"\x00", 3)[3][1:]
    payload = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "==="))
    assert json.loads(b"{" + tail[1:]) == {k: payload[k] for k in ("iss", "jti", "nbf", "exp")}
