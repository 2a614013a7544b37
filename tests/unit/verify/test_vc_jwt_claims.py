"""VC-JWT registered claims stand for credential fields (VC DM 1.1 §6.3.1; OB 3.0 §8.2.4, §8.2.6).

Whether the credential sits in a ``vc`` claim (VC 1.1) or is the payload itself (VC 2.0 / OB 3.0), a
field it leaves out is taken from its claim (``iss`` → issuer, ``jti`` → id, ``sub`` →
credentialSubject.id, ``nbf`` → issuanceDate/validFrom, ``exp`` → expirationDate/validUntil), and a
claim that contradicts a field it carries is an error naming both.
"""
from __future__ import annotations

import copy
from datetime import timedelta

import pytest

from issuer.badges.contexts import VC_V1

from .support import ISSUED, NOW, Resolver, checks, credential, did_key_issuer, iso, raw_jws, sign_di, verifier

OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
NBF = int(ISSUED.timestamp())


@pytest.fixture(scope="module")
def issuer():
    return did_key_issuer()


def _v11(issuer) -> dict:
    """A VC 1.1 OB credential (issuanceDate), as the ``vc`` claim would carry it in full."""
    document = credential(issuer)
    document["@context"] = [VC_V1, OB_CONTEXT]
    document["issuanceDate"] = document.pop("validFrom")
    return document


def _sign(issuer, payload: dict, header: dict | None = None) -> str:
    return raw_jws(header or {"alg": "EdDSA", "kid": issuer.vm, "typ": "JWT"}, payload, issuer.key, "EdDSA")


def _verify(issuer, token, now=NOW):
    return verifier(Resolver().add(issuer)).verify(token, now=now)


def _claims(issuer, document: dict, **extra) -> dict:
    claims = {"iss": issuer.did, "jti": document["id"], "sub": document["credentialSubject"]["id"], "nbf": NBF}
    claims.update(extra)
    return {k: v for k, v in claims.items() if v is not None}


def _strip(document: dict, *fields: str) -> dict:
    document = copy.deepcopy(document)
    for name in fields:
        if name == "credentialSubject.id":
            del document["credentialSubject"]["id"]
        else:
            document.pop(name)
    return document


# --- VC 1.1: the vc claim ------------------------------------------------------------------------


@pytest.mark.parametrize("left_out", [
    ("issuanceDate",), ("issuer",), ("id",), ("credentialSubject.id",),
    ("issuanceDate", "issuer", "id", "credentialSubject.id"),
])
def test_vc_claim_fields_come_from_registered_claims(issuer, left_out):
    full = _v11(issuer)
    token = _sign(issuer, {**_claims(issuer, full), "vc": _strip(full, *left_out)})
    report = _verify(issuer, token)
    assert report.verified, [c.to_dict() for c in report.checks if c.status == "failed"]
    parsing = report.check("parsing")
    for name in left_out:
        assert name in parsing.detail["fromClaims"] and name in parsing.reason
    assert report.credential["issuer"] in (issuer.did, full["issuer"])
    assert report.credential["id"] == full["id"]
    assert report.credential["credentialSubject"]["id"] == full["credentialSubject"]["id"]
    assert report.credential["issuanceDate"] == full["issuanceDate"]


def test_vc_claim_exp_stands_for_expiration_date(issuer):
    full = _v11(issuer)
    exp = int((NOW + timedelta(days=10)).timestamp())
    token = _sign(issuer, {**_claims(issuer, full, exp=exp), "vc": full})
    assert _verify(issuer, token).verified
    report = _verify(issuer, token, now=NOW + timedelta(days=11))
    validity = report.check("validity_period")
    assert not report.verified and validity.detail["problem"] == "EXPIRED"
    assert report.credential["expirationDate"] == iso(NOW + timedelta(days=10))
    assert report.check("parsing").detail["fromClaims"] == {"expirationDate": "exp"}


@pytest.mark.parametrize("claim, value, field", [
    ("iss", "did:example:mallory", "vc.issuer.id"),
    ("jti", "urn:uuid:another-credential", "vc.id"),
    ("sub", "did:example:someone-else", "vc.credentialSubject.id"),
    ("nbf", NBF + 3600, "vc.issuanceDate"),
    ("exp", NBF - 3600, "vc.expirationDate"),
])
def test_vc_claim_contradiction_names_claim_and_field(issuer, claim, value, field):
    full = _v11(issuer)
    full["expirationDate"] = iso(NOW + timedelta(days=300))
    token = _sign(issuer, {**_claims(issuer, full, **{claim: value}), "vc": full})
    report = _verify(issuer, token)
    proof = report.check("proof")
    assert not report.verified and proof.status == "failed"
    assert f"the JWT claim {claim} " in proof.reason and f"the credential's {field} " in proof.reason, proof.reason


def test_vc_claim_missing_iss_and_issuer_is_not_an_open_badge(issuer):
    full = _v11(issuer)
    token = _sign(issuer, {**_claims(issuer, full, iss=None), "vc": _strip(full, "issuer")})
    report = _verify(issuer, token)
    assert not report.verified and checks(report)["data_model"] == "failed"
    assert "iss" in report.check("proof").reason


# --- VC 2.0 / OB 3.0: the payload is the credential ----------------------------------------------


@pytest.mark.parametrize("left_out", [("validFrom",), ("issuer",), ("id",), ("credentialSubject.id",),
                                      ("validFrom", "issuer", "id", "credentialSubject.id")])
def test_top_level_payload_fields_come_from_registered_claims(issuer, left_out):
    full = credential(issuer)
    token = _sign(issuer, {**_strip(full, *left_out), **_claims(issuer, full)})
    report = _verify(issuer, token)
    assert report.verified, [c.to_dict() for c in report.checks if c.status == "failed"]
    assert set(left_out) <= set(report.check("parsing").detail["fromClaims"])
    assert report.credential["validFrom"] == full["validFrom"]


def test_top_level_exp_stands_for_valid_until(issuer):
    full = credential(issuer)
    exp = int((NOW - timedelta(days=1)).timestamp())
    report = _verify(issuer, _sign(issuer, {**full, **_claims(issuer, full, exp=exp)}))
    assert report.credential["validUntil"] == iso(NOW - timedelta(days=1))
    assert report.check("validity_period").detail["problem"] == "EXPIRED" and not report.verified


@pytest.mark.parametrize("claim, value, field", [
    ("iss", "did:example:mallory", "issuer.id"),
    ("jti", "urn:uuid:another-credential", "id"),
    ("sub", "did:example:someone-else", "credentialSubject.id"),
    ("nbf", NBF + 3600, "validFrom"),
])
def test_top_level_contradiction_names_claim_and_field(issuer, claim, value, field):
    full = credential(issuer)
    report = _verify(issuer, _sign(issuer, {**full, **_claims(issuer, full, **{claim: value})}))
    reason = report.check("proof").reason
    assert not report.verified and f"the JWT claim {claim} " in reason and f"the credential's {field} " in reason


def test_claims_fill_no_field_the_credential_carries(issuer):
    """``sub`` absent, subject with identifier only: nothing is invented; payload bytes stay as signed."""
    full = credential(issuer)
    del full["credentialSubject"]["id"]
    full["credentialSubject"]["identifier"] = [{"type": "IdentityObject", "identityType": "emailAddress",
                                                "hashed": True, "salt": "abc",
                                                "identityHash": "sha256$" + "0" * 64}]
    claims = _claims(issuer, {**full, "credentialSubject": {"id": None}}, sub=None)
    report = _verify(issuer, _sign(issuer, {**full, **claims}))
    assert report.verified
    assert "id" not in report.credential["credentialSubject"]
    assert report.check("parsing").detail.get("fromClaims") is None


def test_embedded_proof_inside_the_jwt_is_checked_over_what_it_signed(issuer):
    """OB 3.0 §8.2.4: a Data Integrity proof made first sits in the payload; it signed the payload as
    carried, not the credential completed from the claims, and a change to that payload still fails."""
    full = credential(issuer)
    without_valid_from = _strip(full, "validFrom")
    secured = sign_di(without_valid_from, issuer)
    report = _verify(issuer, _sign(issuer, {**secured, **_claims(issuer, full)}))
    assert report.verified, [c.to_dict() for c in report.checks if c.status == "failed"]
    assert report.check("parsing").detail["fromClaims"] == {"validFrom": "nbf"}
    assert report.check("proof").detail["embeddedProof"]["status"] == "passed"
    tampered = {**secured, "name": "Another Name"}
    report = _verify(issuer, _sign(issuer, {**tampered, **_claims(issuer, full)}))
    assert not report.verified and "embedded proof does not" in report.check("proof").reason


def test_issuer_profile_without_id_takes_iss(issuer):
    """A ``vc`` claim whose issuer is a Profile object without ``id``: ``iss`` becomes that ``id``."""
    full = _v11(issuer)
    vc = copy.deepcopy(full)
    del vc["issuer"]["id"]
    report = _verify(issuer, _sign(issuer, {**_claims(issuer, full), "vc": vc}))
    assert report.verified, [c.to_dict() for c in report.checks if c.status == "failed"]
    assert report.credential["issuer"] == {**vc["issuer"], "id": issuer.did}
    assert report.check("parsing").detail["fromClaims"] == {"issuer": "iss"}
