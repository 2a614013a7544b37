"""Operations: request ids, structured logs, ``/healthz``, ``/readyz`` and ``/metrics``.

* Every request gets an id (a sane incoming ``X-Request-Id``, else a new one); it is sent back in
  ``X-Request-Id``, added to every problem+json (``requestId``) and to every log line.
* ``LOG_FORMAT=json`` writes one JSON object per line. Log lines name the method, the path (never
  the query string, which may hold an e-mail address), the status and the duration: never bodies,
  headers, tokens, keys or learners' data. Authlib's debug log (which prints tokens) is kept off.
* ``/metrics`` is open to ``METRICS_ALLOW`` (CIDRs, default loopback only) or, when
  ``METRICS_TOKEN`` is set, to ``Authorization: Bearer <METRICS_TOKEN>`` from anywhere.
"""
from __future__ import annotations

import hmac
import ipaddress
import json
import logging
import re
import sys
import time
import uuid

from flask import Blueprint, Response, g, jsonify, request
from ..errors import IssuerError, NotFound, Unauthorized
from ..store import health
from ..store import batches as batch_store
from . import metrics
from .context import service

__all__ = ["bp", "init_ops", "JsonFormatter", "RequestIdFilter"]

bp = Blueprint("ops", __name__)
log = logging.getLogger("issuer.access")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class Forbidden(IssuerError):
    code, title, http_status = "forbidden", "Forbidden", 403


def request_id() -> str | None:
    try:
        return g.get("request_id")
    except RuntimeError:  # outside a request
        return None


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record (``-`` outside requests)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id() or "-"
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ``time``, ``level``, ``logger``, ``message``, ``requestId`` and the
    access fields (``method``, ``path``, ``status``, ``durationMs``) when present."""

    FIELDS = ("method", "path", "endpoint", "status", "durationMs")

    def format(self, record: logging.LogRecord) -> str:
        out = {"time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"), "level": record.levelname,
               "logger": record.name, "message": record.getMessage(),
               "requestId": getattr(record, "request_id", None) or request_id() or "-"}
        for name in self.FIELDS:
            if hasattr(record, name):
                out[name] = getattr(record, name)
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False)


def configure_logging(config: dict, stream=None) -> logging.Handler:
    """Handler on the ``issuer`` logger (text or JSON), replacing an earlier one of ours."""
    logger = logging.getLogger("issuer")
    for handler in [h for h in logger.handlers if getattr(h, "_issuer_handler", False)]:
        logger.removeHandler(handler)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler._issuer_handler = True
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter() if config.get("LOG_FORMAT") == "json" else logging.Formatter(
        "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(str(config.get("LOG_LEVEL", "INFO")).upper())
    logging.getLogger("authlib").setLevel(logging.WARNING)  # its debug lines print tokens
    return handler


def _begin() -> None:
    incoming = request.headers.get("X-Request-Id", "")
    g.request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
    g.started = time.perf_counter()


def _record_domain_metrics(endpoint: str, response: Response, seconds: float) -> None:
    status = response.status_code
    if endpoint == "api.issue":
        outcome = {201: "issued", 200: "replayed"}.get(status, "error" if status >= 500 else "rejected")
        metrics.ISSUANCE.labels(outcome).inc()
        if status == 201:
            metrics.ISSUANCE_LATENCY.observe(seconds)
    elif endpoint == "api.change_status":
        action = (request.view_args or {}).get("action", "unknown")
        body = response.get_json(silent=True) if status < 400 else None
        outcome = "rejected" if status >= 400 else ("changed" if (body or {}).get("changed") else "unchanged")
        metrics.STATUS_CHANGES.labels(action, outcome).inc()
    elif endpoint == "api.bulk_revoke" and status < 400:
        for item in (response.get_json(silent=True) or {}).get("results", []):
            outcome = "rejected" if "error" in item else ("changed" if item.get("changed") else "unchanged")
            metrics.STATUS_CHANGES.labels("revoke", outcome).inc()


def _finish(response: Response) -> Response:
    rid = g.get("request_id")
    if rid:
        response.headers["X-Request-Id"] = rid
    started = g.get("started")
    if started is None:
        return response
    seconds = time.perf_counter() - started
    endpoint = request.endpoint or "unmatched"
    metrics.HTTP_LATENCY.labels(request.method, endpoint, f"{response.status_code // 100}xx").observe(seconds)
    _record_domain_metrics(endpoint, response, seconds)
    log.info("%s %s %s", request.method, request.path, response.status_code,
             extra={"method": request.method, "path": request.path[:500], "endpoint": endpoint,
                    "status": response.status_code, "durationMs": round(seconds * 1000, 1)})
    return response


@bp.get("/healthz")
def healthz():
    """The process is up (no dependency checked)."""
    response = jsonify({"status": "ok"})
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/readyz")
def readyz():
    """Ready to serve: the database answers, migrations are current, a signing key opens."""
    checks = health.readiness(service())
    ready = all(v == "ok" for v in checks.values())
    response = jsonify({"status": "ready" if ready else "not_ready", "checks": checks})
    response.status_code = 200 if ready else 503
    response.headers["Cache-Control"] = "no-store"
    return response


def _metrics_allowed() -> None:
    config = service().config
    token = config.get("METRICS_TOKEN")
    if token:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer ") or not hmac.compare_digest(header[7:].strip(), str(token)):
            raise Unauthorized("/metrics needs 'Authorization: Bearer <METRICS_TOKEN>'")
        return
    allowed = [ipaddress.ip_network(n.strip(), strict=False)
               for n in str(config.get("METRICS_ALLOW") or "").split(",") if n.strip()]
    if not allowed:
        raise NotFound("metrics are disabled")
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        raise Forbidden("/metrics is not open to this address") from None
    if not any(address in network for network in allowed):
        raise Forbidden("/metrics is not open to this address")


@bp.get("/metrics")
def metrics_endpoint():
    """Prometheus text exposition, restricted by ``METRICS_ALLOW`` / ``METRICS_TOKEN``."""
    _metrics_allowed()
    svc = service()

    def pending_items() -> int:
        with svc.session() as session:
            return batch_store.pending_items(session)

    depth = metrics.JobQueueDepth(pending_items,
                                  lambda: svc.jobs.queued() if svc.jobs is not None else None)
    body, content_type = metrics.exposition((depth,))
    response = Response(body, content_type=content_type)
    response.headers["Cache-Control"] = "no-store"
    return response


def init_ops(app) -> None:
    config = app.extensions["issuer"].config
    if not logging.getLogger().handlers:  # nobody configured logging (gunicorn, issuer serve)
        configure_logging(config)
    app.before_request(_begin)
    app.after_request(_finish)
    app.register_blueprint(bp)
