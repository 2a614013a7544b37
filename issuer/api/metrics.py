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
| ``issuer_job_queue_depth`` | gauge (read at scrape time) | ``kind``: ``pending_items`` (batch items not issued yet, from the database), ``queued_messages`` (job messages waiting on this process's broker queue; absent when unknown) |
"""
from __future__ import annotations

import os

from typing import Callable

from prometheus_client import (CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest,
                               multiprocess)
from prometheus_client.core import GaugeMetricFamily

__all__ = ["HTTP_LATENCY", "ISSUANCE", "ISSUANCE_LATENCY", "VERIFICATION", "VERIFICATION_LATENCY", "STATUS_CHANGES",
           "STATUS_LIST_SIGNING", "JobQueueDepth",
           "exposition"]

HTTP_LATENCY = Histogram("issuer_http_request_duration_seconds", "HTTP request latency",
                         ["method", "endpoint", "status"])
ISSUANCE = Counter("issuer_issuance_total", "Credential issuance requests by outcome", ["outcome"])
ISSUANCE_LATENCY = Histogram("issuer_issuance_duration_seconds", "Time to issue one credential (build, sign, store)")
VERIFICATION = Counter("issuer_verification_total", "Verifications by outcome", ["outcome"])
VERIFICATION_LATENCY = Histogram("issuer_verification_duration_seconds", "Time to verify one credential")
STATUS_CHANGES = Counter("issuer_status_changes_total", "Credential status changes by action and outcome",
                         ["action", "outcome"])
STATUS_LIST_SIGNING = Histogram("issuer_status_list_signing_seconds", "Time to rebuild and re-sign a status list")


class JobQueueDepth:
    """A collector read at scrape time: ``issuer_job_queue_depth{kind}`` from two callables
    returning a count (or None when unknown)."""

    def __init__(self, pending_items: Callable[[], int | None], queued_messages: Callable[[], int | None]):
        self.sources = {"pending_items": pending_items, "queued_messages": queued_messages}

    def collect(self):
        """The gauge family (prometheus-client collector protocol)."""
        family = GaugeMetricFamily("issuer_job_queue_depth", "Job queue depth: batch items not issued yet "
                                   "(pending_items) and job messages waiting (queued_messages)", labels=["kind"])
        for kind, source in self.sources.items():
            value = source()
            if value is not None:
                family.add_metric([kind], value)
        yield family


def exposition(extra: tuple = ()) -> tuple[bytes, str]:
    """The text exposition of every metric (of every worker when multiprocess mode is on), then the
    ``extra`` collectors (values read now, in this process)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        body = generate_latest(registry)
    else:
        body = generate_latest(REGISTRY)
    if extra:
        registry = CollectorRegistry()
        for collector in extra:
            registry.register(collector)
        body += generate_latest(registry)
    return body, CONTENT_TYPE_LATEST
