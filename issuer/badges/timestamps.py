"""UTC date-times as credentials write them: ``xsd:dateTimeStamp`` with a ``Z`` suffix, whole seconds.

W3C VC Data Model 2.0 §4.9 (``validFrom``/``validUntil`` are ``xsd:dateTimeStamp``) and
https://www.w3.org/TR/xmlschema11-2/#dateTimeStamp; Open Badges 3.0 uses the same form for
``awardedDate`` and ``activityEndDate``. The one formatter of the package: no clock here, time is
always passed in.
"""
from __future__ import annotations

from datetime import datetime, timezone

__all__ = ["as_utc", "iso_z", "xsd_datetime"]

_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def as_utc(moment: datetime | None) -> datetime | None:
    """``moment`` as an aware UTC datetime; a naive one is read as UTC (SQLite drops the offset of
    stored times, which are UTC). ``None`` stays ``None``."""
    if moment is None:
        return None
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def iso_z(moment: datetime | None) -> str | None:
    """``"2026-01-31T12:00:00Z"`` for ``moment`` (naive read as UTC, see :func:`as_utc`); ``None`` for ``None``."""
    moment = as_utc(moment)
    return None if moment is None else moment.strftime(_FORMAT)


def xsd_datetime(moment: datetime) -> str:
    """The ``xsd:dateTimeStamp`` of an aware ``moment`` in UTC, e.g. ``"2026-01-31T12:00:00Z"``.

    Raises ``ValueError`` for a naive datetime: what is signed must not depend on the host's zone.
    """
    if moment.tzinfo is None:
        raise ValueError("naive datetime: pass an aware UTC time")
    return moment.astimezone(timezone.utc).strftime(_FORMAT)
