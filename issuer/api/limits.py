"""Rate limits (Flask-Limiter): configurable, shared through Redis when configured, in memory on
the embedded default. A refused request answers 429 problem+json with ``Retry-After`` (the OID4VCI
endpoints: an OAuth-style JSON error, see :mod:`issuer.api.exchanges`).

| limit | key | default | setting |
|---|---|---|---|
| failed authentication (401) on ``/api/`` and ``/oauth/`` | client address | 20 per minute | ``RATE_LIMIT_FAILED_AUTH`` |
| public verifier ``POST /api/v1/verify``, ``POST /verify``, gap reports | client address | 60 per minute | ``RATE_LIMIT_VERIFY`` |
| verifier fetching a ``{"url"}`` | client address | 10 per minute | ``RATE_LIMIT_VERIFY_URL`` |
| token endpoint ``POST /oauth/token`` | client address | 30 per minute | ``RATE_LIMIT_TOKEN`` |
| issuance ``POST /api/v1/credentials`` | provider | 600 per minute | ``RATE_LIMIT_ISSUE`` |
| console log-in ``POST /console/login`` | client address | 10 per minute | ``RATE_LIMIT_CONSOLE_LOGIN`` |
| wallet pickup: ``GET /oid4vci/credential-offer/…``, ``POST /oid4vci/token``, ``/oid4vci/nonce``, ``/oid4vci/credential``, ``POST /workflows/claim/exchanges/…``, the claim page's PIN form | client address | 120 per minute | ``RATE_LIMIT_WALLET`` |

The wallet endpoints share one count per address (a claim takes two to six calls; 120 leaves room
for a class claiming at once behind one NAT address). Failed authentication is counted after the
response (only 401 answers count) and checked before every API request: an address over the limit
gets 429 even with a good key until the window ends.
The in-memory storage is per process: with several workers or instances, set
``RATE_LIMIT_STORAGE_URI=redis://host:6379/0`` so that the counts are shared.
"""
from __future__ import annotations

import math
import time

import threading

from flask import current_app, g, request
from flask_limiter import Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address
from limits import parse
from limits.storage import MemoryStorage

from ..errors import IssuerError
from .errors import problem_response

__all__ = ["init_limits", "check", "check_wallet", "LIMITS", "TooManyRequests"]

#: name → (config key, what it limits, key)
LIMITS = {
    "failed_auth": ("RATE_LIMIT_FAILED_AUTH", "failed authentication on /api/ and /oauth/", "client address"),
    "verify": ("RATE_LIMIT_VERIFY", "POST /api/v1/verify and POST /verify", "client address"),
    "verify_url": ("RATE_LIMIT_VERIFY_URL", "verification of a credential fetched from a URL", "client address"),
    "token": ("RATE_LIMIT_TOKEN", "POST /oauth/token", "client address"),
    "issue": ("RATE_LIMIT_ISSUE", "POST /api/v1/credentials", "provider"),
    "console_login": ("RATE_LIMIT_CONSOLE_LOGIN", "POST /console/login", "client address"),
    "wallet": ("RATE_LIMIT_WALLET", "wallet pickup: the OID4VCI offer, token, nonce and credential endpoints, "
               "POST /workflows/claim/exchanges/{id} and the claim page's PIN form", "client address"),
}


class TooManyRequests(IssuerError):
    code, title, http_status = "rate_limited", "Too many requests", 429

    def __init__(self, detail: str, retry_after: int, **extra):
        super().__init__(detail, **extra)
        self.retry_after = max(1, retry_after)


class SweptMemoryStorage(MemoryStorage):
    """limits' in-memory storage without a timer thread per counted request.

    ``MemoryStorage`` starts a ``threading.Timer`` (10 ms) whenever none is alive, i.e. on nearly
    every hit under load, only to drop expired counters (``get`` already ignores expired ones).
    Here the sweep runs inline at most once a second. Selected by ``memory://`` (the default)."""

    STORAGE_SCHEME = ["issuer-memory"]

    def __init__(self, *args, **kwargs):
        self._next_sweep = 0.0
        self._sweep_lock = threading.Lock()
        super().__init__(*args, **kwargs)

    def _MemoryStorage__schedule_expiry(self) -> None:  # overrides the name-mangled private method
        now = time.monotonic()
        if now >= self._next_sweep and self._sweep_lock.acquire(blocking=False):
            try:
                self._next_sweep = now + 1.0
                self._MemoryStorage__expire_events()
            finally:
                self._sweep_lock.release()


def _limiter() -> Limiter:
    return current_app.extensions["issuer_limiter"]


def _setting(name: str) -> str:
    return current_app.extensions["issuer"].config[LIMITS[name][0]]


def check(name: str, key: str) -> None:
    """Count one request against limit ``name`` for ``key``; raise TooManyRequests when over it."""
    limiter = _limiter()
    if not limiter.enabled:
        return
    item = parse(_setting(name))
    strategy = limiter.limiter
    if not strategy.hit(item, name, key):
        reset = strategy.get_window_stats(item, name, key).reset_time
        raise TooManyRequests(f"rate limit {name} ({item}) exceeded; retry later",
                              retry_after=math.ceil(reset - time.time()), limit=name)


def check_wallet() -> None:
    """Count one wallet pickup request against ``wallet`` for the client address (TooManyRequests)."""
    check("wallet", get_remote_address() or "")


def _api_path() -> bool:
    return request.path.startswith(("/api/", "/oauth/"))


def init_limits(app) -> None:
    """Attach the limiter to ``app`` (after every blueprint is registered)."""
    config = app.extensions["issuer"].config
    storage = config["RATE_LIMIT_STORAGE_URI"]
    app.config.update(RATELIMIT_ENABLED=config["RATE_LIMITS_ENABLED"],
                      RATELIMIT_STORAGE_URI="issuer-memory://" if storage == "memory://" else storage,
                      RATELIMIT_KEY_PREFIX="issuer", RATELIMIT_HEADERS_ENABLED=False)
    limiter = Limiter(
        get_remote_address, app=app, strategy="fixed-window",
        application_limits=[lambda: _setting("failed_auth")],
        application_limits_deduct_when=lambda response: response.status_code == 401,
        application_limits_exempt_when=lambda: not _api_path(),
    )
    app.extensions["issuer_limiter"] = limiter
    for endpoint, name in (("verification.verify", "verify"), ("verify_form.verify_submit", "verify"),
                           ("hub.gap_report_json", "verify"), ("hub_pages.gap_report_submit", "verify"),
                           ("oauth.issue_token", "token")):
        view = app.view_functions.get(endpoint)
        if view is not None:
            app.view_functions[endpoint] = limiter.limit(lambda name=name: _setting(name), scope=name)(view)

    @app.errorhandler(RateLimitExceeded)
    def _exceeded(exc: RateLimitExceeded):
        current = limiter.current_limit
        retry = max(1, math.ceil(current.reset_at - time.time())) if current else 60
        error = TooManyRequests(f"rate limit exceeded ({exc.description}); retry in {retry} s", retry)
        response = problem_response(error.to_problem(), 429)
        response.headers["Retry-After"] = str(retry)
        return response

    @app.errorhandler(TooManyRequests)
    def _too_many(exc: TooManyRequests):
        response = problem_response(exc.to_problem(), 429)
        response.headers["Retry-After"] = str(exc.retry_after)
        return response


def provider_key() -> str:
    return f"provider:{g.provider.id}"
