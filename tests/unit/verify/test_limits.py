"""Issue #9 §2: structural limits before any JSON-LD work, each named in a ``verified: false`` report."""
from __future__ import annotations

import copy
import json

import pytest

from issuer.signing.jsonld import workers
from issuer.verify import Policy
from issuer.verify.limits import LimitExceeded, StructureLimits, check_structure

from .support import NOW, Resolver, checks, did_web_issuer, raw_jws, signed, verifier


@pytest.fixture(scope="module")
def issuer():
    return did_web_issuer("limits")


@pytest.fixture(scope="module")
def good(issuer):
    return signed(issuer)


def _named(report, limit: str) -> dict:
    assert report.verified is False
    parsing = report.check("parsing")
    assert parsing.status == "failed" and parsing.detail["limit"] == limit, parsing
    assert limit in parsing.reason
    assert all(c.status == "skipped" for c in report.checks[1:])  # no JSON-LD work was done
    return parsing.detail


def _no_jsonld(monkeypatch):
    calls = []
    monkeypatch.setattr(workers, "run", lambda *a, **k: calls.append(a) or pytest.fail("JSON-LD work ran"))
    return calls


def test_the_huge_evidence_credential_of_the_issue_is_refused_before_any_jsonld(issuer, good, monkeypatch):
    _no_jsonld(monkeypatch)
    document = copy.deepcopy(good)
    document.pop("proof")
    document["evidence"] = [{"type": ["Evidence"], "name": f"e{i}"} for i in range(18_000)]
    text = json.dumps(document)
    assert 700_000 < len(text) < 1_000_000
    for subject in (document, text, text.encode()):
        detail = _named(verifier(Resolver().add(issuer)).verify(subject, now=NOW), "VERIFY_MAX_ARRAY_ITEMS")
        assert detail == {"limit": "VERIFY_MAX_ARRAY_ITEMS", "max": 256, "found": 18_000, "at": "/evidence"}


def test_limits_apply_inside_a_jwt_too(issuer, good, monkeypatch):
    _no_jsonld(monkeypatch)
    payload = {**good, "evidence": [{"type": ["Evidence"], "name": "e"}] * 300}
    token = raw_jws({"alg": "EdDSA", "typ": "vc+jwt", "kid": issuer.vm}, payload, issuer.key, "EdDSA")
    _named(verifier(Resolver().add(issuer)).verify(token, now=NOW), "VERIFY_MAX_ARRAY_ITEMS")


@pytest.mark.parametrize("mutate,limit", [
    (lambda d: d.update(deep=json.loads('{"a":' * 40 + "1" + "}" * 40)), "VERIFY_MAX_DEPTH"),
    (lambda d: d["credentialSubject"].update({f"k{i}": i for i in range(200)}), "VERIFY_MAX_OBJECT_MEMBERS"),
    (lambda d: d.update(name="x" * 300_000), "VERIFY_MAX_STRING_CHARS"),
    (lambda d: d.update(evidence=[{"type": ["Evidence"], "name": str(i), "a": [1] * 30} for i in range(200)]),
     "VERIFY_MAX_VALUES"),
])
def test_each_limit_is_named(issuer, good, mutate, limit, monkeypatch):
    _no_jsonld(monkeypatch)
    document = copy.deepcopy(good)
    mutate(document)
    _named(verifier(Resolver().add(issuer)).verify(document, now=NOW), limit)


def test_deep_json_text_names_the_depth_limit(issuer):
    text = '{"a":' * 5000 + "1" + "}" * 5000
    detail = _named(verifier(Resolver().add(issuer)).verify(text, now=NOW), "VERIFY_MAX_DEPTH")
    assert detail["max"] == 32


def test_too_large_input_names_the_byte_limit(issuer):
    report = verifier(Resolver().add(issuer), policy=Policy(max_bytes=1000)).verify("{" + " " * 2000 + "}", now=NOW)
    assert report.check("parsing").detail["limit"] == "VERIFY_MAX_BYTES"


def test_too_many_proofs_are_refused_before_canonicalizing_any(issuer, good):
    report = verifier(Resolver().add(issuer)).verify({**good, "proof": good["proof"] * 5}, now=NOW)
    proof = report.check("proof")
    assert proof.status == "failed" and proof.detail["limit"] == "VERIFY_MAX_PROOFS"


def test_limits_are_policy_settings(issuer, good):
    lenient = Policy(max_array_items=20_000, max_values=100_000)
    document = {**good, "evidence": [{"type": ["Evidence"], "name": f"e{i}"} for i in range(300)]}
    report = verifier(Resolver().add(issuer), policy=lenient).verify(document, now=NOW)
    assert report.check("parsing").status == "passed"
    assert checks(report)["proof"] == "failed"  # the evidence is not signed


def test_a_credential_within_the_limits_verifies(issuer, good):
    assert verifier(Resolver().add(issuer)).verify(good, now=NOW).verified


def test_check_structure_is_iterative_and_points_at_the_value():
    deep: object = "leaf"
    for _ in range(10_000):
        deep = [deep]
    with pytest.raises(LimitExceeded) as caught:
        check_structure({"x": deep}, StructureLimits())
    assert caught.value.setting == "VERIFY_MAX_DEPTH"
    with pytest.raises(LimitExceeded) as caught:
        check_structure({"a": {"b": [0, 1, "y" * 10]}}, StructureLimits(max_string_chars=5))
    assert caught.value.where == "/a/b/2"
    check_structure({"a": [1, 2, {"b": None}]}, StructureLimits())


def test_stop_early_skips_jsonld_for_credentials_without_a_proof(issuer, good, monkeypatch):
    calls = _no_jsonld(monkeypatch)
    unsigned = {k: v for k, v in good.items() if k != "proof"}
    report = verifier(Resolver().add(issuer)).verify(unsigned, now=NOW, stop_early=True)
    assert report.verified is False and report.check("proof").status == "failed"
    assert report.check("safe_mode").status == "skipped" and calls == []


def test_the_status_list_report_cache_is_bounded_by_bytes(monkeypatch):
    from issuer.verify import verifier as verifier_module
    monkeypatch.setattr(verifier_module, "_LIST_REPORT_BYTES", 40_000)
    v = verifier(Resolver())
    for i in range(20):
        v._verify_status_list({"id": f"https://lists.example/{i}", "padding": "x" * 5_000}, NOW)
    assert v._lists_bytes <= 40_000 and 0 < len(v._verified_lists) < 20
    assert sum(entry[2] for entry in v._verified_lists.values()) == v._lists_bytes
