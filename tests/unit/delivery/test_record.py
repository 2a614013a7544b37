"""The stored record read for every export (issuer.delivery.record): through the one credential
reader and the one UTC normaliser of issuer.badges."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from types import SimpleNamespace

from issuer.delivery.record import credential_record

BASE = "https://skills.example"


def _row(document: dict, **changes):
    course = SimpleNamespace(title="Functional safety", description="ISO 26262 in practice.", criteria="Pass.",
                             code="FUSA", language="en-GB", skills=[], learning_outcomes=["Performs a HARA."],
                             workload_hours=None, ects=None, eqf_level=None, assessment_type=None,
                             participation_form=None, quality_assurance=None)
    issuer = SimpleNamespace(slug="nordhaven", name="Nordhaven TU", url=None, email=None, country_code=None,
                             legal_identifier=None, legal_identifier_scheme=None)
    values = {"id": "row-1", "document": json.dumps(document), "course": course, "issuer": issuer,
              "learner_name": "Ana Novak", "valid_from": datetime(2026, 5, 4, 12, 0), "valid_until": None,
              "status": "active", "subject_id": None}
    return SimpleNamespace(**{**values, **changes})


def test_a_list_valued_subject_is_read_as_its_first_subject():
    document = {"id": "urn:uuid:1", "issuer": {"id": "did:web:skills.example:issuers:nordhaven"},
                "credentialSubject": [
                    {"activityEndDate": "2026-05-01T09:30:00+02:00", "result": [{"value": " A "}],
                     "achievement": {"id": f"{BASE}/achievements/fusa"}},
                    {"activityEndDate": "2020-01-01T00:00:00Z", "result": [{"value": "F"}],
                     "achievement": {"id": f"{BASE}/achievements/other"}}]}
    record = credential_record(_row(document), BASE)
    assert record.achievement_id == f"{BASE}/achievements/fusa"
    assert record.grade == "A"
    assert record.completed == datetime(2026, 5, 1, 7, 30, tzinfo=timezone.utc)
    assert record.issuer.id == "did:web:skills.example:issuers:nordhaven"


def test_stored_naive_times_are_read_as_utc():
    record = credential_record(_row({"credentialSubject": {}}, valid_until=datetime(2027, 5, 4, 12, 0)), BASE)
    assert record.issued == datetime(2026, 5, 4, 12, 0, tzinfo=timezone.utc)
    assert record.valid_until == datetime(2027, 5, 4, 12, 0, tzinfo=timezone.utc)
    assert record.completed is None and record.grade is None
    assert record.achievement_id == f"{BASE}/credentials/row-1#achievement"
    assert record.language == "en"
