"""The interop cases rebuilt from public bug reports (``$ISSUER_CASES_DIR/interop``) get their right verdicts.

Each file is read in place; its right verdict is read from the table in the folder's README, and every
file in the folder must have a row there, so a new case cannot go untested. The cases are signed by
``did:key`` issuers, so no resolver or network is needed; ``NOW`` is after the expired case's ``exp``.
"""
from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest

from tests.spec import case_path

from .support import NeverFetch, Resolver, verifier

NOW = datetime(2026, 6, 1, tzinfo=timezone.utc)
_ROW = re.compile(r"^\|\s*`(?P<file>[^`]+)`\s*\|\s*(?P<verdict>[^|]+?)\s*\|", re.M)

# the check that decides each case, and words its reason must contain (what the fault is)
DECIDING = {
    "06-jwt-nbf-no-issuancedate.jwt": ("parsing", ["issuanceDate from nbf"]),
    "06b-jwt-vc11-claims-only.jwt": ("parsing", ["issuer from iss", "id from jti", "credentialSubject.id from sub",
                                                 "issuanceDate from nbf"]),
    "06c-jwt-vc11-exp-only-expired.jwt": ("validity_period", ["expired", "expirationDate"]),
    "11b-vc11-direction-reference-signed.json": ("proof", ["verifies"]),
    "11b-vc11-direction-reference-flipped.json": ("proof", ["signature does not match"]),
    "11b-vc11-direction-dropped-signed.json": ("proof", ["without its text direction", "drops @direction"]),
    "11b-vc11-direction-dropped-flipped.json": ("proof", ["without its text direction", "drops @direction"]),
}


def _verdicts() -> dict[str, bool]:
    readme = case_path("interop", "README.md").read_text(encoding="utf-8")
    return {m["file"]: m["verdict"].lower().startswith("verified") for m in _ROW.finditer(readme)}


def test_every_case_file_has_a_verdict_and_a_test():
    folder = case_path("interop")
    files = {p.name for p in folder.iterdir() if p.is_file() and p.name != "README.md"}
    assert files and files == set(_verdicts()), "README table and folder disagree"
    assert files == set(DECIDING), "a case file has no expectation in this test"


@pytest.mark.parametrize("name", sorted(DECIDING))
def test_case_verdict(name):
    path = case_path("interop", name)
    expected = _verdicts()[name]
    resolver = Resolver()
    report = verifier(resolver, fetch_status_list=NeverFetch()).verify(path.read_bytes(), now=NOW)
    failed = {c.id: c.reason for c in report.checks if c.status == "failed"}
    assert report.verified is expected, failed
    assert resolver.calls == []  # did:key issuers: resolved locally, nothing fetched
    check_id, words = DECIDING[name]
    result = report.check(check_id)
    assert result.status == ("passed" if expected else "failed"), result
    for word in words:
        assert word in result.reason, result.reason
    if not expected:
        assert set(failed) == {check_id}, failed


@pytest.mark.parametrize("name", ["06c-jwt-vc11-exp-only-expired.jwt"])
def test_expired_case_is_decided_by_exp(name):
    """The same token before its ``exp`` verifies: ``exp`` alone stands for the expirationDate."""
    report = verifier(Resolver()).verify(case_path("interop", name).read_bytes(),
                                         now=datetime(2025, 7, 1, tzinfo=timezone.utc))
    assert report.verified and report.credential["expirationDate"] == "2026-01-01T00:00:00Z"

