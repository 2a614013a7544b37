"""Status lists secured any way Bitstring Status List 1.0 §2.2 allows, each verified by its own mechanism.

Forms: a Data Integrity-signed JSON credential; a VC-JWT (compact JWS, ``typ`` ``vc+jwt`` or ``JWT``,
with or without ``cty``; VC-JOSE-COSE §3.1.1); an ``EnvelopedVerifiableCredential`` holding one. A
status list is not an Open Badge: it need not carry ``iss``/``jti`` nor ``validFrom``, but its issuer
must still be the credential's issuer (catalog SL-08). Lists are built with real keys and served
through the injected ``fetch_status_list``.
"""
from __future__ import annotations

import json

import pytest

from issuer.badges.contexts import VC_V2
from issuer.signing.keys import generate_ed25519, generate_p256

from .support import (
    ISSUED, LIST_URL, NOW, Resolver, alg_for, credential, did_key_issuer, did_web_issuer, raw_jws, sign_di, status_entry,
    status_list, vc_jwt, verifier,
)

REVOKED, UNTOUCHED = 7, 8


def _unsigned_list(issuer, **overrides) -> dict:
    return status_list(issuer, set_values={REVOKED: 1}, sign=False, **overrides)


def _jwt(issuer, payload: dict, *, key=None, kid=None, typ="vc+jwt", cty="vc", extra: dict | None = None) -> str:
    key = key or issuer.key
    header = {"alg": alg_for(key), "kid": kid or issuer.vm}
    if typ is not None:
        header["typ"] = typ
    if cty is not None:
        header["cty"] = cty
    header.update(extra or {})
    return raw_jws(header, payload, key, alg_for(key))


def _enveloped(token: str) -> dict:
    return {"@context": [VC_V2], "id": f"data:application/vc+jwt,{token}", "type": "EnvelopedVerifiableCredential"}


def _status(issuer, served, index=REVOKED, *, subject=None):
    document = subject if subject is not None else sign_di(credential(issuer, credentialStatus=status_entry(index)),
                                                             issuer)
    return verifier(Resolver().add(issuer), fetch_status_list=lambda url: served).verify(document, now=NOW)


# --- every accepted form ---------------------------------------------------------------------------


def _forms(issuer, p256_key):
    unsigned = _unsigned_list(issuer)
    signed = sign_di(unsigned, issuer)
    forms = {
        "data-integrity dict": signed,
        "data-integrity JSON text": json.dumps(signed),
    }
    for typ in ("vc+jwt", "JWT", "application/vc+jwt"):
        for cty in ("vc", None):
            token = _jwt(issuer, unsigned, typ=typ, cty=cty)
            forms[f"VC-JWT EdDSA typ={typ} cty={cty}"] = token
    forms["VC-JWT without typ"] = _jwt(issuer, unsigned, typ=None, cty=None)
    forms["VC-JWT ES256"] = _jwt(issuer, unsigned, key=p256_key, kid=f"{issuer.did}#key-2")
    forms["VC-JWT relative kid"] = _jwt(issuer, unsigned, kid="#key-1")
    forms["enveloped dict"] = _enveloped(_jwt(issuer, unsigned))
    forms["enveloped JSON text"] = json.dumps(_enveloped(_jwt(issuer, unsigned, typ="JWT", cty=None)))
    forms["VC-JWT with iss, jti, nbf"] = _jwt(issuer, {**unsigned, "iss": issuer.did, "jti": LIST_URL,
                                                      "nbf": int(ISSUED.timestamp())})
    no_dates = {k: v for k, v in unsigned.items() if k != "validFrom"}
    forms["VC-JWT without validFrom"] = _jwt(issuer, no_dates)
    return forms


FORM_NAMES = [
    "data-integrity dict", "data-integrity JSON text",
    *[f"VC-JWT EdDSA typ={t} cty={c}" for t in ("vc+jwt", "JWT", "application/vc+jwt") for c in ("vc", None)],
    "VC-JWT without typ", "VC-JWT ES256", "VC-JWT relative kid", "enveloped dict", "enveloped JSON text",
    "VC-JWT with iss, jti, nbf", "VC-JWT without validFrom",
]


@pytest.fixture(scope="module")
def forms():
    key, p256_key = generate_ed25519(), generate_p256()
    issuer = did_web_issuer("forms", key=key, extra_keys=(p256_key,))
    return issuer, _forms(issuer, p256_key)


@pytest.mark.parametrize("form", FORM_NAMES)
def test_each_form_is_read_revoked_and_untouched(forms, form):
    issuer, served = forms
    revoked = _status(issuer, served[form], REVOKED)
    assert revoked.check("status").status == "failed", revoked.check("status")
    assert revoked.check("status").reason.startswith("revoked") and revoked.summary["status"]["revoked"]
    fresh = _status(issuer, served[form], UNTOUCHED)
    assert fresh.verified, [c.to_dict() for c in fresh.checks if c.status == "failed"]
    assert fresh.check("status").reason == "neither revoked nor suspended"


def test_jwt_credential_with_jwt_status_list(forms):
    """A VC-JWT Open Badge whose list is a VC-JWT too: both verified, each by its own JWS."""
    issuer, served = forms
    token = vc_jwt(credential(issuer, credentialStatus=status_entry(REVOKED)), issuer)
    report = _status(issuer, served["VC-JWT EdDSA typ=vc+jwt cty=vc"], subject=token)
    assert report.check("proof").status == "passed" and report.check("status").reason.startswith("revoked")


# --- still refused ---------------------------------------------------------------------------------


def _failure(issuer, served) -> str:
    result = _status(issuer, served, UNTOUCHED).check("status")
    assert result.status == "failed" and result.code == "STATUS_VERIFICATION_ERROR", result
    return result.reason


def test_list_of_another_issuer_is_refused(forms):
    issuer, _ = forms
    other = did_key_issuer()
    token = _jwt(other, _unsigned_list(other))
    report = verifier(Resolver().add(issuer, other), fetch_status_list=lambda url: token).verify(
        sign_di(credential(issuer, credentialStatus=status_entry(UNTOUCHED)), issuer), now=NOW)
    assert "someone other than the credential's issuer" in report.check("status").reason


def test_list_claiming_our_issuer_but_signed_by_another_is_refused(forms):
    issuer, _ = forms
    other = did_key_issuer()
    reason = _failure(issuer, _jwt(other, _unsigned_list(issuer)))
    assert "key_binding" in reason


@pytest.mark.parametrize("claims, words", [
    ({"iss": "did:example:mallory"}, ["iss", "issuer"]),
    ({"jti": "https://elsewhere.example/list"}, ["jti", "id"]),
    ({"nbf": 1}, ["nbf", "validFrom"]),
])
def test_list_claims_contradicting_the_list_are_refused(forms, claims, words):
    issuer, _ = forms
    reason = _failure(issuer, _jwt(issuer, {**_unsigned_list(issuer), **claims}))
    assert all(w in reason for w in words), reason


@pytest.mark.parametrize("header, word", [
    ({"jku": "https://attacker.example/jwks"}, "jku"),
    ({"cty": "text/html"}, "cty"),
    ({"typ": "at+jwt"}, "typ"),
    ({"crit": ["exp"]}, "crit"),
])
def test_list_jose_header_rules(forms, header, word):
    issuer, _ = forms
    assert word in _failure(issuer, _jwt(issuer, _unsigned_list(issuer), extra=header))


def test_tampered_jwt_list_is_refused(forms):
    issuer, served = forms
    header, payload, signature = served["VC-JWT EdDSA typ=vc+jwt cty=vc"].split(".")
    cleared = status_list(issuer, sign=False)  # the revoked bit cleared
    other = _jwt(issuer, cleared).split(".")[1]
    assert "signature" in _failure(issuer, ".".join((header, other, signature)))


def test_open_badge_jwt_still_needs_iss_and_jti_and_no_cty():
    """The relaxations are for status lists only (OB 3.0 §8.2: no extra JOSE headers, iss/jti required)."""
    issuer = did_key_issuer()
    document = credential(issuer)
    report = verifier(Resolver()).verify(_jwt(issuer, document, typ="JWT", cty="vc"), now=NOW)
    assert not report.verified and "cty" in report.check("proof").reason
    report = verifier(Resolver()).verify(_jwt(issuer, document, typ="JWT", cty=None), now=NOW)
    assert not report.verified and "no iss claim" in report.check("proof").reason


def test_relative_kid_names_only_the_issuers_own_keys(forms):
    """``#key-1`` is read as ``<issuer DID>#key-1``: another key signing under it does not verify."""
    issuer, _ = forms
    reason = _failure(issuer, _jwt(issuer, _unsigned_list(issuer), key=generate_ed25519(), kid="#key-1"))
    assert "proof" in reason and "signature" in reason
    reason = _failure(issuer, _jwt(issuer, _unsigned_list(issuer), kid="#key-9"))
    assert "key-9" in reason
