"""Credentials from did:key and did:web issuers: full verification and key binding (DI-12, DI-13,
JWT-05, catalog §3 resolver failures)."""
from __future__ import annotations

import pytest

from issuer.resolve import DidError
from issuer.resolve.fetch import FetchError
from issuer.signing.keys import generate_ed25519, generate_p256, generate_rsa, public_jwk
from issuer.verify import Policy

from .support import (
    NOW, Resolver, checks, credential, did_key_issuer, did_web_issuer, failed_ids, raw_jws, jwt_payload, sign_di,
    signed, verifier, vc_jwt,
)


@pytest.fixture(scope="module")
def web():
    return did_web_issuer()


@pytest.fixture(scope="module")
def p256_web():
    return did_web_issuer("p256", key=generate_p256())


@pytest.fixture(scope="module")
def rsa_web():
    return did_web_issuer("rsa", key=generate_rsa(2048))


def test_did_key_issuer_verifies():
    issuer = did_key_issuer()
    resolver = Resolver()
    report = verifier(resolver).verify(signed(issuer), now=NOW)
    assert report.verified, [c for c in report.checks if c.status == "failed"]
    assert resolver.calls == []  # did:key is resolved locally
    assert checks(report) == {"parsing": "passed", "contexts": "passed", "data_model": "passed",
                              "official_schema": "passed", "safe_mode": "passed", "proof": "passed",
                              "key_binding": "passed", "validity_period": "passed", "status": "skipped"}
    assert report.check("key_binding").detail["verificationMethods"] == [issuer.vm]


def test_did_web_issuer_verifies(web):
    resolver = Resolver().add(web)
    report = verifier(resolver).verify(signed(web), now=NOW)
    assert report.verified
    assert resolver.calls == [web.did]  # resolved once per verification, shared by proof and key_binding
    assert report.summary["issuer"] == {"id": web.did, "name": "Skills Hub Test Academy"}
    assert len(report.summary["alignments"]) == 5
    assert report.to_dict()["verified"] is True


def test_issuer_as_plain_did_string(web):
    report = verifier(Resolver().add(web)).verify(sign_di(credential(web.did), web), now=NOW)
    assert report.verified


@pytest.mark.parametrize("issuer_name", ["web", "p256_web", "rsa_web", "did_key"])
def test_vc_jwt_with_did_kid_verifies(request, issuer_name):
    issuer = did_key_issuer() if issuer_name == "did_key" else request.getfixturevalue(issuer_name)
    resolver = Resolver().add(issuer)
    report = verifier(resolver).verify(vc_jwt(credential(issuer), issuer), now=NOW)
    assert report.verified, [c for c in report.checks if c.status == "failed"]
    assert report.format == "jwt"
    assert report.check("proof").detail["keySource"] == "did"


def test_vc_jwt_with_issuer_jwk_in_header_is_bound(web):
    header = {"alg": "EdDSA", "typ": "vc+jwt", "jwk": public_jwk(web.key)}
    report = verifier(Resolver().add(web)).verify(vc_jwt(credential(web), web, header=header), now=NOW)
    assert report.verified
    assert report.check("key_binding").detail["verificationMethods"] == [web.vm]


def test_vc_jwt_with_both_credential_and_data_integrity_proof(web):
    document = signed(web)
    report = verifier(Resolver().add(web)).verify(vc_jwt(document, web), now=NOW)
    assert report.verified
    assert report.check("proof").detail["embeddedProof"]["status"] == "passed"


# --- key binding failures --------------------------------------------------------------------------


def test_di12_key_only_under_authentication():
    issuer = did_web_issuer("authonly", relationship="authentication")
    report = verifier(Resolver().add(issuer)).verify(signed(issuer), now=NOW)
    assert checks(report)["proof"] == "passed"
    assert checks(report)["key_binding"] == "failed"
    assert "not an assertion key" in report.check("key_binding").reason
    assert report.check("key_binding").code == "INVALID_RELATIONSHIP_FOR_VERIFICATION_METHOD"
    assert not report.verified


def test_di13_verification_method_of_another_did(web):
    attacker = did_key_issuer()
    document = sign_di(credential(web), attacker)  # issuer = victim, signed with attacker's did:key
    report = verifier(Resolver().add(web)).verify(document, now=NOW)
    assert checks(report)["proof"] == "passed"
    result = report.check("key_binding")
    assert result.status == "failed" and attacker.did in result.reason and "not to the issuer" in result.reason
    assert result.code == "INVALID_VERIFICATION_METHOD"


def test_di13_attacker_fragment_on_the_issuers_did(web):
    attacker = generate_ed25519()
    document = sign_di(credential(web), web, key=attacker, vm=f"{web.did}#key-9")
    report = verifier(Resolver().add(web)).verify(document, now=NOW)
    assert checks(report)["proof"] == "failed"  # key-9 is not in the issuer's DID document


def test_di13_https_verification_method_for_did_issuer(web):
    from issuer.signing.keys import ed25519_public_multibase

    attacker = generate_ed25519()
    vm = f"https://attacker.example/keys#{ed25519_public_multibase(attacker)}"
    report = verifier(Resolver().add(web)).verify(sign_di(credential(web), web, key=attacker, vm=vm), now=NOW)
    assert checks(report)["proof"] == "passed"
    assert checks(report)["key_binding"] == "failed"


def test_jwt05_attacker_jwk_claiming_victim_issuer(web):
    attacker = generate_ed25519()
    header = {"alg": "EdDSA", "typ": "JWT", "jwk": public_jwk(attacker)}
    token = vc_jwt(credential(web), web, header=header, key=attacker)
    report = verifier(Resolver().add(web)).verify(token, now=NOW)
    assert checks(report)["proof"] == "passed"  # validly self-signed ...
    assert checks(report)["key_binding"] == "failed"  # ... by a key the issuer never authorised
    assert "jwk is not an assertion key" in report.check("key_binding").reason
    assert not report.verified


def test_jwt_kid_of_another_did(web):
    attacker = did_key_issuer()
    header = {"alg": "EdDSA", "kid": attacker.vm}
    report = verifier(Resolver().add(web)).verify(vc_jwt(credential(web), web, header=header, key=attacker.key),
                                                  now=NOW)
    assert checks(report)["proof"] == "passed" and checks(report)["key_binding"] == "failed"


def test_jwt_kid_and_jwk_disagree(web):
    attacker = generate_ed25519()
    header = {"alg": "EdDSA", "kid": web.vm, "jwk": public_jwk(attacker)}
    report = verifier(Resolver().add(web)).verify(vc_jwt(credential(web), web, header=header, key=attacker), now=NOW)
    assert "differ" in report.check("proof").reason


def test_key_binding_can_be_relaxed_by_policy():
    report = verifier(policy=Policy(require_key_binding=False)).verify(
        sign_di(credential("https://issuer.example/profile"), did_key_issuer()), now=NOW)
    assert checks(report)["key_binding"] == "skipped"
    assert report.check("key_binding").reason.startswith("not enforced by policy")
    assert report.verified


# --- catalog §3: resolver failures become failed checks ---------------------------------------------


@pytest.mark.parametrize("error", [DidError("gone", code="notFound"), FetchError("timeout", "deadline exceeded"),
                                   RuntimeError("resolver bug"), ValueError("bad")])
def test_resolver_raising_is_a_failed_check(web, error):
    resolver = Resolver(error=error).add(web)
    report = verifier(resolver).verify(signed(web), now=NOW)
    assert checks(report)["proof"] == "failed"
    assert web.did in report.check("proof").reason
    assert not report.verified


def test_resolver_returning_a_document_for_another_did(web):
    other = did_web_issuer("other")
    resolver = Resolver()
    resolver.documents[web.did] = other.document  # NET-06 / DI-14: wrong document id
    report = verifier(resolver).verify(signed(web), now=NOW)
    assert checks(report)["proof"] == "failed" and "does not match" in report.check("proof").reason


@pytest.mark.parametrize("document", [None, [], "x", {"id": 5}])
def test_resolver_returning_garbage(web, document):
    resolver = Resolver()
    resolver.documents[web.did] = document
    report = verifier(resolver).verify(signed(web), now=NOW)
    assert checks(report)["proof"] == "failed"


def test_resolver_failing_only_for_key_binding():
    """proof key via a did:key VM, issuer a did:web that cannot be resolved."""
    signer = did_key_issuer()
    report = verifier(Resolver()).verify(sign_di(credential("did:web:gone.example"), signer), now=NOW)
    assert checks(report)["proof"] == "passed"
    assert checks(report)["key_binding"] == "failed"
    assert report.check("key_binding").code == "INVALID_CONTROLLED_IDENTIFIER_DOCUMENT"
    assert failed_ids(report) == {"key_binding"}


def test_raw_jwt_helper_matches_payload(web):
    token = raw_jws({"alg": "EdDSA", "kid": web.vm}, jwt_payload(credential(web)), web.key, "EdDSA")
    assert verifier(Resolver().add(web)).verify(token, now=NOW).verified
