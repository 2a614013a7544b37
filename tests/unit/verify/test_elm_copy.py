"""issuer.verify.elm_copy: recognising an ELM copy, reading its facts defensively, comparing them."""
from __future__ import annotations

import json

import pytest

from issuer.delivery.elm import build_elm
from issuer.verify.elm_copy import (FACT_KEYS, as_elm_document, compare_facts, elm_copy_report, elm_facts,
                                    original_id)
from issuer.verify.report import PASSED, CheckResult, VerificationReport
from tests.unit.delivery.records import record


def test_recognises_elm_documents_in_every_form():
    document = build_elm(record())
    text = json.dumps(document)
    for subject in (document, text, text.encode()):
        assert as_elm_document(subject, max_bytes=10**6) == document


@pytest.mark.parametrize("subject", [
    {"type": ["VerifiableCredential", "AchievementCredential"]},
    '{"type": "AchievementCredential"}', b"eyJhbGciOi.x.y", b"\x89PNG\r\n\x1a\n EuropeanDigitalCredential",
    '{"type": "EuropeanDigitalCredential", "type": "x"}',  # duplicate member: not acceptable JSON
    '[' * 100 + '"EuropeanDigitalCredential"' + ']' * 100, 42, None,
])
def test_everything_else_is_left_to_the_ordinary_verifier(subject):
    assert as_elm_document(subject, max_bytes=10**6) is None


def test_oversized_input_is_not_parsed():
    text = json.dumps(build_elm(record()))
    assert as_elm_document(text, max_bytes=len(text) - 1) is None


def test_facts_and_original():
    document = build_elm(record(grade="1.3"))
    assert original_id(document) == "urn:uuid:6b1f2d7e-0000-4000-8000-000000000001"
    facts = elm_facts(document)
    assert set(facts) == set(FACT_KEYS)
    assert facts["holder"] == "Ana Novak" and facts["grade"] == "1.3" and facts["creditPoints"] == "5"
    assert facts["legalIdentifier"] == "202100-7319" and facts["volumeOfLearning"] == "PT135H"
    assert facts["escoSkills"] == ["http://data.europa.eu/esco/skill/5fd5c985-eaaa-47aa-8314-62359c54505a"]


@pytest.mark.parametrize("hostile", [
    {"type": "EuropeanDigitalCredential"},
    {"type": "EuropeanDigitalCredential", "credentialSubject": [], "issuer": "x", "identifier": 5},
    {"type": "EuropeanDigitalCredential", "credentialSubject": {"fullName": [1, {"a": 2}], "hasClaim": [None]},
     "identifier": [{"schemeName": "Open Badges 3.0 credential id (signed original)", "notation": 7}]},
])
def test_hostile_documents_give_empty_facts_not_errors(hostile):
    facts = elm_facts(hostile)
    assert facts["holder"] is None and facts["learningOutcomes"] == [] and original_id(hostile) is None


def test_compare_and_report():
    document = build_elm(record())
    expected = elm_facts(document)
    changed = dict(expected, holder="Mallory", grade="A+")
    assert compare_facts(changed, expected) == ["holder", "grade"]
    original = VerificationReport(verified=True, checks=[CheckResult("proof", PASSED, "ok")], format="json-ld",
                                  credential={"id": "urn:uuid:x"}, summary={})
    report = elm_copy_report(document, original=original, original_url="https://skills.example/credentials/x",
                             expected_facts=expected)
    assert report.verified and report.format == "elm" and report.checks[0].id == "elm_copy"
    assert report.to_dict()["elm"]["sealed"] is False and report.to_dict()["elm"]["factsMatch"] is True
    unlinked = elm_copy_report(document, original=None, original_url=None, expected_facts=None)
    assert not unlinked.verified and unlinked.elm["linked"] is False and unlinked.summary is None
