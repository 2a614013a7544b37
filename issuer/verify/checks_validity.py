"""The ``validity_period`` check: is the credential valid now (with the policy's clock skew)?

VC Data Model 2.0 §4.9 "Validity Period" (``validFrom``, ``validUntil``); Open Badges 3.0 §9.1 step 4
(not yet valid / expired; VC 1.1 credentials use ``issuanceDate`` / ``expirationDate``) and §8.2.6
(a JWT ``exp`` sets ``validUntil``; ``nbf`` must not be in the future). Catalog DI-16, JWT-12.
"""
from __future__ import annotations

from datetime import datetime, timezone

from ..badges.timestamps import iso_z as _iso
from .report import VALIDITY_PERIOD, CheckResult
from .state import VerifyState, failed, parse_datetime, passed

__all__ = ["check_validity_period"]


def _numeric(payload: dict, claim: str) -> datetime | None | bool:
    """A JWT NumericDate claim as a datetime; False if present but malformed; None if absent."""
    if claim not in payload:
        return None
    value = payload[claim]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return datetime.fromtimestamp(value, timezone.utc)
    except (OverflowError, OSError, ValueError):
        return False


def _bounds(state: VerifyState) -> tuple[dict, list[str]]:
    """The latest start and earliest end among the credential dates (and JWT ``nbf``/``exp``)."""
    start_name, end_name = ("issuanceDate", "expirationDate") if state.vc_v1 else ("validFrom", "validUntil")
    found: dict[str, list] = {"start": [], "end": []}
    # validFrom is optional in VC 2.0 (§4.9); Open Badges and VC 1.1 (issuanceDate) require it
    optional = state.kind != "ob" and not state.vc_v1
    malformed = [] if start_name in state.credential or optional else [f"{start_name} is missing"]
    for role, name in (("start", start_name), ("end", end_name)):
        if name in state.credential:
            moment = parse_datetime(state.credential[name])
            if moment is None:
                malformed.append(f"{name} is not a date-time with a time zone")
            else:
                found[role].append((name, moment))
    for role, claim in (("start", "nbf"), ("end", "exp")):
        moment = _numeric(state.parsed.jws.payload, claim) if state.is_jwt else None
        if moment is False:
            malformed.append(f"JWT {claim} is not a NumericDate")
        elif moment is not None:
            found[role].append((claim, moment))
    bounds = {}
    if found["start"]:
        bounds["start"] = max(found["start"], key=lambda item: item[1])
    if found["end"]:
        bounds["end"] = min(found["end"], key=lambda item: item[1])
    return bounds, malformed


def check_validity_period(state: VerifyState) -> CheckResult:
    """Not yet valid, expired and malformed dates fail with distinct reasons."""
    bounds, malformed = _bounds(state)
    if malformed:
        return failed(VALIDITY_PERIOD, malformed[0], "MALFORMED_VALUE_ERROR",
                      {"problem": "MALFORMED", "problems": malformed})
    skew = state.policy.clock_skew
    detail = {name: _iso(moment) for name, moment in bounds.values()}
    if "start" in bounds and bounds["start"][1] > state.now + skew:
        name, moment = bounds["start"]
        return failed(VALIDITY_PERIOD, f"not yet valid: {name} is {_iso(moment)}", None,
                      {"problem": "NOT_YET_VALID", **detail})
    if "end" in bounds and bounds["end"][1] < state.now - skew:
        name, moment = bounds["end"]
        return failed(VALIDITY_PERIOD, f"expired: {name} was {_iso(moment)}", None, {"problem": "EXPIRED", **detail})
    until = f"until {_iso(bounds['end'][1])}" if "end" in bounds else "with no end date"
    return passed(VALIDITY_PERIOD, f"valid now ({until})", detail)
