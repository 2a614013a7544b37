"""Readiness checks for ``/readyz``: the database answers, migrations are current, a signing key
opens with the master key. Answers are short words, never error details or secrets."""
from __future__ import annotations

from sqlalchemy import select, text

from .migrations.current import migrations_current
from .models import SigningKey

__all__ = ["readiness"]


def readiness(service) -> dict[str, str]:
    """``{"database", "migrations", "keys"}`` → ``ok`` or ``unreachable`` / ``pending`` / ``failed``."""
    checks = {"database": "unreachable", "migrations": "unknown", "keys": "unknown"}
    try:
        with service.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception:  # noqa: BLE001 - any failure means not ready
        return checks
    try:
        checks["migrations"] = "ok" if migrations_current(service.engine) else "pending"
    except Exception:  # noqa: BLE001
        checks["migrations"] = "failed"
    try:
        with service.session() as session:
            key = session.scalar(select(SigningKey).where(SigningKey.active.is_(True)).order_by(SigningKey.id))
            if key is not None:  # no issuer yet: nothing to load
                service.vault.open(key.private_encrypted, f"{key.issuer.slug}#{key.fragment}")
            checks["keys"] = "ok"
    except Exception:  # noqa: BLE001 - e.g. a wrong master key
        checks["keys"] = "failed"
    return checks
