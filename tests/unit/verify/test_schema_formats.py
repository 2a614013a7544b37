"""The official_schema check gives the same verdict whether or not optional format packages
(rfc3339-validator, pulled in by openapi-spec-validator) are installed."""
from __future__ import annotations

from jsonschema import FormatChecker

from issuer.verify.checks_document import _FORMATS


def test_date_time_is_left_to_the_validity_and_proof_checks():
    checker = FormatChecker(formats=_FORMATS)
    assert checker.conforms("2025-05-02T12:00:00", "date-time")  # no offset: read as UTC elsewhere
    assert "date-time" not in _FORMATS and "time" not in _FORMATS
    assert not checker.conforms("2025-13-45", "date")  # dates need no optional package: still checked
