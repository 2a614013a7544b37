"""Small time helpers (no clock here: time is always passed in)."""
from __future__ import annotations

from datetime import datetime, timezone

__all__ = ["as_utc", "iso_z"]


def as_utc(moment: datetime | None) -> datetime | None:
    """Databases such as SQLite drop the offset: stored times are UTC."""
    if moment is None:
        return None
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def iso_z(moment: datetime | None) -> str | None:
    moment = as_utc(moment)
    return None if moment is None else moment.strftime("%Y-%m-%dT%H:%M:%SZ")
