"""Verifying Open Badges 3.0 credentials: a plain-Python library (no Flask).

Open Badges 3.0 §9 Verification (https://www.imsglobal.org/spec/ob/v3p0/#verification); problem
types of VC Data Model 2.0 §7.1 (https://www.w3.org/TR/vc-data-model-2.0/#problem-details).
The checks are pure; :mod:`.runtime` is the one module doing I/O (database, fetcher, schema folder).

``Verifier(resolve_did=..., fetch_status_list=...).verify(subject, now=...)`` returns a
:class:`VerificationReport` of named checks (``parsing``, ``contexts``, ``data_model``,
``official_schema``, ``safe_mode``, ``proof``, ``key_binding``, ``validity_period``, ``status``);
see ``docs/verification-report.md``.
"""
from .policy import Policy
from .report import CHECK_ORDER, FAILED, PASSED, SKIPPED, WARNING, CheckResult, VerificationReport
from .verifier import Verifier

__all__ = ["Verifier", "Policy", "VerificationReport", "CheckResult", "CHECK_ORDER", "PASSED", "FAILED", "SKIPPED", "WARNING"]
