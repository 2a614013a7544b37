"""The verification report: one :class:`CheckResult` per named check, in a declared order.

A report never draws conclusions beyond its checks: ``verified`` is true only when no check
failed and the ``proof`` check passed. A ``warning`` reports a deviation that does not make the
credential unverifiable (today only: ``official_schema`` on a credential whose sole deviation from
the OB schema is a ``credentialStatus`` array, see ``docs/status.md``). Failure codes use the W3C names where one exists
(VC Data Model 2.0 §7.1, VC Data Integrity 1.0 "Processing Errors", Bitstring Status List 1.0
"Processing Errors"); every id, status and code is explained in ``docs/verification-report.md``.
"""
from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "CheckResult", "VerificationReport", "CHECK_ORDER", "PASSED", "FAILED", "SKIPPED", "WARNING",
    "PARSING", "CONTEXTS", "DATA_MODEL", "OFFICIAL_SCHEMA", "SAFE_MODE", "PROOF", "KEY_BINDING",
    "VALIDITY_PERIOD", "STATUS", "PROBLEM_TYPE_BASE",
]

PASSED, FAILED, SKIPPED, WARNING = "passed", "failed", "skipped", "warning"

PARSING = "parsing"
CONTEXTS = "contexts"
DATA_MODEL = "data_model"
OFFICIAL_SCHEMA = "official_schema"
SAFE_MODE = "safe_mode"
PROOF = "proof"
KEY_BINDING = "key_binding"
VALIDITY_PERIOD = "validity_period"
STATUS = "status"

CHECK_ORDER = (PARSING, CONTEXTS, DATA_MODEL, OFFICIAL_SCHEMA, SAFE_MODE, PROOF, KEY_BINDING,
               VALIDITY_PERIOD, STATUS)

PROBLEM_TYPE_BASE = "https://w3id.org/security#"
LOCAL_PROBLEM_BASE = "https://github.com/ob3-skills-hub/issuer/blob/main/docs/verification-report.md#"


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check: ``status`` is ``passed``, ``failed``, ``skipped`` or ``warning``."""

    id: str
    status: str
    reason: str
    code: str | None = None
    detail: dict | None = None

    def __bool__(self) -> bool:
        return self.status == PASSED

    def to_dict(self) -> dict:
        """``{"id", "status", "reason"}`` plus ``code`` and ``detail`` when set (the JSON report)."""
        out = {"id": self.id, "status": self.status, "reason": self.reason}
        if self.code:
            out["code"] = self.code
        if self.detail:
            out["detail"] = self.detail
        return out


@dataclass
class VerificationReport:
    """All checks of one verification, the input format, the parsed credential, a summary and the
    issuer's standing (``issuer_trust``, see :mod:`issuer.verify.trust`; None when not assessed)."""

    verified: bool
    checks: list[CheckResult] = field(default_factory=list)
    format: str | None = None
    credential: dict | None = None
    summary: dict | None = None
    issuer_trust: dict | None = None

    def check(self, check_id: str) -> CheckResult | None:
        """The result of check ``check_id`` (None if it is not in the report)."""
        return next((c for c in self.checks if c.id == check_id), None)

    def problems(self) -> list[dict]:
        """RFC 9457-style problem details, one per failed check: ``type`` is
        ``https://w3id.org/security#<CODE>`` for a W3C code, else the check's section of
        ``docs/verification-report.md`` with a local code (``REVOKED``, ``SUSPENDED``, ``EXPIRED``,
        ``NOT_YET_VALID``, or the check id in upper case)."""
        out = []
        for c in self.checks:
            if c.status != FAILED:
                continue
            if c.code:
                out.append({"type": PROBLEM_TYPE_BASE + c.code, "code": c.code, "title": c.id, "detail": c.reason})
                continue
            detail = c.detail or {}
            code = ("REVOKED" if detail.get("revoked") else "SUSPENDED" if detail.get("suspended")
                    else detail.get("problem") if isinstance(detail.get("problem"), str) else c.id.upper())
            anchor = f"{CHECK_ORDER.index(c.id) + 1}-{c.id}" if c.id in CHECK_ORDER else c.id
            out.append({"type": LOCAL_PROBLEM_BASE + anchor, "code": code, "title": c.id,
                        "detail": c.reason})
        return out

    def to_dict(self) -> dict:
        """The JSON verification report (docs/verification-report.md)."""
        return {
            "verified": self.verified,
            "format": self.format,
            "checks": [c.to_dict() for c in self.checks],
            "problems": self.problems(),
            "issuerTrust": self.issuer_trust,
            "summary": self.summary,
            "credential": self.credential,
        }
