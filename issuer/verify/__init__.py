"""Verifying Open Badges 3.0 credentials: a plain-Python library (no Flask).

``Verifier(resolve_did=..., fetch_status_list=...).verify(subject, now=...)`` returns a
:class:`VerificationReport` of named checks (``parsing``, ``contexts``, ``data_model``,
``official_schema``, ``safe_mode``, ``proof``, ``key_binding``, ``validity_period``, ``status``);
see ``docs/verification-report.md``.
"""
from .policy import Policy
from .report import CHECK_ORDER, FAILED, PASSED, SKIPPED, WARNING, CheckResult, VerificationReport
from .verifier import Verifier

__all__ = ["Verifier", "Policy", "VerificationReport", "CheckResult", "CHECK_ORDER", "PASSED", "FAILED", "SKIPPED", "WARNING"]
