"""Security catalog §2 (Data Integrity / JSON-LD attacks) through ``Verifier.verify``."""
from __future__ import annotations

import copy
import json
from datetime import timedelta

import pytest

from issuer.badges.contexts import OB_V3P0, VC_V1, VC_V2
from issuer.verify import Policy

from .support import (
    NOW, NeverFetch, Resolver, checks, credential, di_proof, did_web_issuer, iso, sign_di, signed, verifier,
)


@pytest.fixture(scope="module")
def issuer():
    return did_web_issuer("di")


@pytest.fixture(scope="module")
def good(issuer):
    return signed(issuer)


@pytest.fixture()
def doc(good):
    return copy.deepcopy(good)


def _verify(issuer, subject, **kwargs):
    report = verifier(Resolver().add(issuer), **kwargs).verify(subject, now=NOW)
    assert not report.verified
    return report


def test_good_credential_verifies(issuer, good):
    assert verifier(Resolver().add(issuer)).verify(good, now=NOW).verified


def test_di01_undefined_term(issuer, doc):
    doc["credentialSubject"]["undefinedTerm"] = "IfDroppedWillVerify"
    result = _verify(issuer, doc).check("safe_mode")
    assert result.status == "failed" and result.code == "DATA_LOSS_DETECTION_ERROR"
    assert any("undefinedTerm" in p for p in result.detail["dropped"])


def test_di01_undefined_term_signed_by_the_issuer(issuer):
    """Even a validly signed document with an undefined term fails: the term is not covered."""
    document = credential(issuer)
    document["credentialSubject"]["undefinedTerm"] = "x"
    with pytest.raises(Exception):  # the signer refuses it too (safe mode on both sides)
        sign_di(document, issuer)


def test_di02_undefined_type(issuer, doc):
    doc["type"].append("UndefinedType")
    report = _verify(issuer, doc)
    result = report.check("safe_mode")
    assert result.code == "DATA_LOSS_DETECTION_ERROR" and "UndefinedType" in result.reason
    assert checks(report)["proof"] == "skipped"


@pytest.mark.parametrize("where", ["id", "achievement", "type-relative"])
def test_di03_relative_ids(issuer, doc, where):
    if where == "id":
        doc["id"] = "foo"
    elif where == "achievement":
        doc["credentialSubject"]["achievement"]["id"] = "achievements/brakes"
    else:
        doc["credentialSubject"]["type"] = ["AchievementSubject", "./Local"]
    report = _verify(issuer, doc)
    assert checks(report)["safe_mode"] == "failed"


@pytest.mark.parametrize("url", ["https://attacker.example/ctx", "http://169.254.169.254/", "file:///etc/passwd",
                                 "data:application/json,{}", "http://www.w3.org/ns/credentials/v2",
                                 "https://purl.imsglobal.org/spec/ob/v3p0/context-9.9.9.json"])
def test_di05_unknown_context_is_never_fetched(issuer, doc, url):
    doc["@context"].append(url)
    fetched = []

    def loader(requested, options=None):  # a loader that would fetch: must never be asked
        fetched.append(requested)
        raise AssertionError("fetched")

    loader.known = frozenset({VC_V2, OB_V3P0})
    report = _verify(issuer, doc, loader=loader)
    assert checks(report)["contexts"] == "failed" and "never fetched" in report.check("contexts").reason
    assert checks(report)["safe_mode"] == "skipped"
    assert fetched == []


@pytest.mark.parametrize("inline", [
    {"name": "https://schema.org/description", "description": "https://schema.org/name"},  # DI-06 swap
    {"issuer": {"@id": "https://attacker.example/issuer", "@type": "@id"}},  # DI-07 protected terms
    {"id": "@type"},
    {"@vocab": "https://attacker.example/vocab#"},
])
def test_di06_di07_inline_contexts_refused(issuer, doc, inline):
    doc["@context"].append(inline)
    report = _verify(issuer, doc)
    result = report.check("contexts")
    assert result.status == "failed" and "INVALID_CONTEXT" in result.reason


def test_di07_nested_inline_context_refused(issuer, doc):
    doc["credentialSubject"]["@context"] = {"name": "https://attacker.example/name"}
    assert "INVALID_CONTEXT" in _verify(issuer, doc).check("contexts").reason


@pytest.mark.parametrize("contexts", [None, [], [OB_V3P0, VC_V2], [VC_V2], [VC_V1, VC_V2, OB_V3P0],
                                      [VC_V2, "https://w3id.org/security/data-integrity/v2", OB_V3P0], "x"])
def test_di08_missing_or_misordered_context(issuer, doc, contexts):
    if contexts is None:
        del doc["@context"]
    else:
        doc["@context"] = contexts
    assert checks(_verify(issuer, doc))["contexts"] == "failed"


@pytest.mark.parametrize("proof", ["missing", None, "z3abc", 5, [], ["x"]])
def test_di09_proof_missing_or_not_a_map(issuer, doc, proof):
    if proof == "missing":
        del doc["proof"]
    else:
        doc["proof"] = proof
    report = _verify(issuer, doc)
    assert report.check("proof").status == "failed" and report.check("proof").code == "PARSING_ERROR"


def test_di09_credential_as_json_string(issuer, good):
    report = _verify(issuer, json.dumps(json.dumps(good)))
    assert report.check("parsing").status == "failed"


@pytest.mark.parametrize("change", [
    {"type": None}, {"verificationMethod": None}, {"proofPurpose": None}, {"proofValue": None},
    {"type": "Ed25519Signature2018"}, {"cryptosuite": None}, {"cryptosuite": 5}, {"cryptosuite": "eddsa-jcs-2022"},
    {"cryptosuite": "ecdsa-rdfc-2019"}, {"type": "DataIntegrityProof ", "cryptosuite": "eddsa-rdfc-2022"},
    {"previousProof": "urn:uuid:missing"},
])
def test_di10_bad_proof_members(issuer, doc, change):
    proof = doc["proof"][0]
    for key, value in change.items():
        if value is None:
            proof.pop(key, None)
        else:
            proof[key] = value
    result = _verify(issuer, doc).check("proof")
    assert result.status == "failed" and result.code == "PROOF_VERIFICATION_ERROR"


def test_di10_cryptosuite_outside_policy(issuer, good):
    report = _verify(issuer, good, policy=Policy(cryptosuites=("Ed25519Signature2020",)))
    assert "not accepted" in report.check("proof").reason


@pytest.mark.parametrize("purpose", ["authentication", "capabilityInvocation"])
def test_di11_wrong_proof_purpose(issuer, purpose):
    document = sign_di(credential(issuer), issuer, proof_purpose=purpose)  # validly signed with that purpose
    assert "proofPurpose" in _verify(issuer, document).check("proof").reason


def test_di11_proof_purpose_case_matters(issuer, doc):
    doc["proof"][0]["proofPurpose"] = "AssertionMethod"
    assert "proofPurpose" in _verify(issuer, doc).check("proof").reason


@pytest.mark.parametrize("value", ["3abc", "u" + "A" * 86, "z" + "0OIl" * 10, "z3", "z" + "1" * 90, "", "z" * 500])
def test_di15_bad_proof_value(issuer, doc, value):
    doc["proof"][0]["proofValue"] = value
    result = _verify(issuer, doc).check("proof")
    assert result.status == "failed" and "proofValue" in result.reason


def test_di15_signature_of_wrong_length(issuer, doc):
    from issuer.signing.multibase import decode_base58btc, encode_base58btc

    raw = decode_base58btc(doc["proof"][0]["proofValue"])
    for tweak in (raw[:63], raw + b"\0"):
        doc["proof"][0]["proofValue"] = encode_base58btc(tweak)
        assert "64 bytes" in _verify(issuer, doc).check("proof").reason


@pytest.mark.parametrize("field, value, check_id, expected", [
    ("created", "yesterday", "proof", "not a valid date-time"),
    ("created", iso(NOW + timedelta(hours=1)), "proof", "future"),
    ("expires", "2024-13-01T00:00:00Z", "proof", "not a valid date-time"),
    ("expires", iso(NOW - timedelta(hours=1)), "proof", "expired"),
])
def test_di16_proof_dates(issuer, field, value, check_id, expected):
    proof = {"created": value} if field == "created" else {"expires": value}
    document = credential(issuer)
    signed_doc = sign_di(document, issuer)
    signed_doc["proof"][0].update(proof)  # the signature no longer matters: the dates are checked first
    result = _verify(issuer, signed_doc).check(check_id)
    assert result.status == "failed" and expected in result.reason


def test_di16_created_without_offset_is_read_as_utc(issuer):
    """W3C DI test suite 'noOffsetCreated': a created value without offset is accepted."""
    document = credential(issuer)
    proof = di_proof(document, issuer)
    proof["created"] = proof["created"].rstrip("Z")
    from issuer.signing.eddsa_rdfc_2022 import configure_proof, hash_data, serialize_proof, transform

    options = {k: v for k, v in proof.items() if k != "proofValue"}
    digest = hash_data(transform(document), configure_proof(options, document["@context"]))
    proof["proofValue"] = serialize_proof(digest, issuer.key)
    report = verifier(Resolver().add(issuer)).verify({**document, "proof": [proof]}, now=NOW)
    assert report.verified, report.check("proof").reason


@pytest.mark.parametrize("overrides, problem", [
    ({"validFrom": iso(NOW + timedelta(days=1))}, "NOT_YET_VALID"),
    ({"validUntil": iso(NOW - timedelta(days=1))}, "EXPIRED"),
    ({"validFrom": "2024-01-01"}, "MALFORMED"),
    ({"validFrom": "2024-01-01T00:00:00"}, "MALFORMED"),
    ({"validUntil": "soon"}, "MALFORMED"),
])
def test_di16_validity_period(issuer, overrides, problem):
    report = _verify(issuer, signed(issuer, **overrides))
    result = report.check("validity_period")
    assert result.status == "failed" and result.detail["problem"] == problem
    assert checks(report)["proof"] == "passed"
    if problem == "MALFORMED":
        assert result.code == "MALFORMED_VALUE_ERROR" and checks(report)["data_model"] == "failed"


def test_di16_clock_skew_is_tolerated(issuer):
    report = verifier(Resolver().add(issuer)).verify(signed(issuer, validFrom=iso(NOW + timedelta(minutes=4))), now=NOW)
    assert report.verified


def test_di17_one_valid_and_one_invalid_proof(issuer, good):
    other = did_web_issuer("other-key")
    bad = di_proof({k: v for k, v in good.items() if k != "proof"}, other)
    bad["verificationMethod"] = issuer.vm  # claims the issuer's key, signed with another
    document = {**good, "proof": good["proof"] + [bad]}
    result = _verify(issuer, document).check("proof")
    assert result.status == "failed" and result.reason.startswith("proof 2 of 2")
    assert [p["verified"] for p in result.detail["proofs"]] == [True, False]


def test_di17_two_valid_proofs_verify(issuer, good):
    second = di_proof({k: v for k, v in good.items() if k != "proof"}, issuer)
    report = verifier(Resolver().add(issuer)).verify({**good, "proof": good["proof"] + [second]}, now=NOW)
    assert report.verified and "all 2 proofs" in report.check("proof").reason


def test_di17_too_many_proofs(issuer, good):
    document = {**good, "proof": good["proof"] * 50}
    assert "more than the 4" in _verify(issuer, document).check("proof").reason


@pytest.mark.parametrize("path, value", [
    (("name",), "Brake Systems Master"),
    (("issuer", "id"), "did:web:issuer.example:mallory"),
    (("credentialSubject", "id"), "did:example:mallory"),
    (("credentialSubject", "achievement", "id"), "https://skills.example/achievements/engines"),
    (("validUntil",), "2099-01-01T00:00:00Z"),
    (("credentialSubject", "achievement", "alignment", 0, "targetCode"), "S9"),
])
def test_di19_tampering(issuer, doc, path, value):
    target = doc
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    report = _verify(issuer, doc)
    assert checks(report)["proof"] == "failed" or checks(report)["key_binding"] == "failed"


def test_di19_tampered_proof_value_character(issuer, doc):
    value = doc["proof"][0]["proofValue"]
    doc["proof"][0]["proofValue"] = value[:10] + ("2" if value[10] != "2" else "3") + value[11:]
    assert checks(_verify(issuer, doc))["proof"] == "failed"


def test_di20_benign_changes_still_verify(issuer, good):
    reordered = json.loads(json.dumps(good, sort_keys=True))
    reordered["credentialSubject"] = dict(reversed(list(reordered["credentialSubject"].items())))
    text = json.dumps(reordered, indent=4, ensure_ascii=True).replace('"Ada Lovelace"', '"\\u0041da Lovelace"')
    for subject in (reordered, text, text.encode("utf-8")):
        assert verifier(Resolver().add(issuer)).verify(subject, now=NOW).verified


@pytest.mark.parametrize("subject", [
    "[" * 10_000 + "]" * 10_000,
    '{"a":' * 10_000 + "1" + "}" * 10_000,
    '{"a": "' + "x" * 2_000_000 + '"}',
    b" " * 5_000_000,
])
def test_di22_huge_or_deep_input_fails_parsing(issuer, subject):
    report = _verify(issuer, subject)
    assert report.check("parsing").status == "failed" and report.check("parsing").code == "PARSING_ERROR"


def test_di22_deep_or_huge_dict_input(issuer, good):
    deep: dict = {}
    node = deep
    for _ in range(10_000):
        node["a"] = {}
        node = node["a"]
    huge = {**good, "description": "x" * 2_000_000}
    wide = {**good, "evidence": [{"type": ["Evidence"], "name": "e"}] * 100_000}
    for subject in (deep, huge, wide):
        assert _verify(issuer, subject).check("parsing").status == "failed"


@pytest.mark.parametrize("value", [float("nan"), float("inf"), object(), b"bytes", {1: "x"}])
def test_non_json_values_in_dict_input(issuer, good, value):
    assert _verify(issuer, {**good, "name": value}).check("parsing").status == "failed"


@pytest.mark.parametrize("text", ['{"a": NaN}', '{"a": 1, "a": 2}', "not json", "\xff", "[]", "null", '"string"'])
def test_bad_json_text(issuer, text):
    assert _verify(issuer, text).check("parsing").status == "failed"


def test_no_fetch_for_bad_credentials(issuer, doc):
    doc["credentialStatus"] = {"id": "https://attacker.example/list#1", "type": "BitstringStatusListEntry",
                               "statusPurpose": "revocation", "statusListIndex": "1",
                               "statusListCredential": "https://attacker.example/list"}
    fetch = NeverFetch()
    report = verifier(Resolver().add(issuer), fetch_status_list=fetch).verify(doc, now=NOW)
    assert checks(report)["proof"] == "failed" and checks(report)["status"] == "skipped" and fetch.calls == []
