"""Prometheus metrics (prometheus-client). Under gunicorn with several workers, set
``PROMETHEUS_MULTIPROC_DIR`` (``issuer serve`` does) so that ``/metrics`` sums every worker.

| metric | type | labels |
|---|---|---|
| ``issuer_http_request_duration_seconds`` | histogram | ``method``, ``endpoint``, ``status`` (class: 2xx…) |
| ``issuer_issuance_total`` | counter | ``outcome``: issued, replayed, rejected, error |
| ``issuer_issuance_duration_seconds`` | histogram | |
| ``issuer_verification_total`` | counter | ``outcome``: verified, not_verified |
| ``issuer_verification_duration_seconds`` | histogram | |
| ``issuer_status_changes_total`` | counter | ``action`` (revoke, suspend, unsuspend), ``outcome``: changed, unchanged, rejected |
| ``issuer_status_list_signing_seconds`` | histogram | (time to rebuild and re-sign a changed status list) |
"""
from __future__ import annotations

import os

from prometheus_client import (CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest,
                               multiprocess)

__all__ = ["HTTP_LATENCY", "ISSUANCE", "ISSUANCE_LATENCY", "VERIFICATION", "VERIFICATION_LATENCY", "STATUS_CHANGES",
           "STATUS_LIST_SIGNING", "exposition"]

HTTP_LATENCY = Histogram("issuer_http_request_duration_seconds", "HTTP request latency",
                         ["method", "endpoint", "status"])
ISSUANCE = Counter("issuer_issuance_total", "Credential issuance requests by outcome", ["outcome"])
ISSUANCE_LATENCY = Histogram("issuer_issuance_duration_seconds", "Time to issue one credential (build, sign, store)")
VERIFICATION = Counter("issuer_verification_total", "Verifications by outcome", ["outcome"])
VERIFICATION_LATENCY = Histogram("issuer_verification_duration_seconds", "Time to verify one credential")
STATUS_CHANGES = Counter("issuer_status_changes_total", "Credential status changes by action and outcome",
                         ["action", "outcome"])
STATUS_LIST_SIGNING = Histogram("issuer_status_list_signing_seconds", "Time to rebuild and re-sign a status list")


def exposition() -> tuple[bytes, str]:
    """The text exposition of every metric (of every worker when multiprocess mode is on)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
