"""Changing a credential's status: revoke (final), suspend, unsuspend; with an audit log.

Plain Python; the caller commits. Status values live in the credential's status-list entry
rows (see :mod:`issuer.status.lists`), so concurrent changes never overwrite each other.
"""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..errors import Conflict, NotFound, ValidationFailed
from . import lists as status_lists
from ..store.models import Credential, Provider, StatusEvent
from ..badges.timestamps import iso_z
from ..notify.events import record_event

__all__ = ["get_owned", "change_status", "history", "status_since", "ACTIONS"]

EVENTS = {"revoke": "credential.revoked", "suspend": "credential.suspended", "unsuspend": "credential.unsuspended"}
ACTIONS = {"revoke": ("revoked", status_lists.REVOKED), "suspend": ("suspended", status_lists.SUSPENDED),
           "unsuspend": ("active", status_lists.VALID)}


def get_owned(session: Session, provider: Provider, credential_id: str, *, for_update: bool = False) -> Credential:
    """``provider``'s credential ``credential_id`` (row-locked with ``for_update``); raises
    ``NotFound`` (404) for an unknown id or another provider's credential."""
    query = select(Credential).where(Credential.id == credential_id, Credential.provider_id == provider.id)
    if for_update:
        query = query.with_for_update()
    credential = session.scalar(query)
    if credential is None:
        raise NotFound(f"credential {credential_id!r} not found")
    return credential


def change_status(session: Session, provider: Provider, credential_id: str, action: str, *, reason: str | None,
                  actor: str, now: datetime) -> tuple[Credential, bool]:
    """Apply ``action``; return the credential and whether anything changed (False = idempotent repeat).
    A change records its event (``credential.revoked`` / ``.suspended`` / ``.unsuspended``) in the
    same transaction; a repeat records none."""
    if action not in ACTIONS:
        raise ValidationFailed(f"unknown action {action!r}")
    if reason is not None and (not isinstance(reason, str) or len(reason) > 1000):
        raise ValidationFailed("reason must be a string of at most 1000 characters")
    if action == "revoke" and not reason:
        raise ValidationFailed("a revocation needs a reason", errors=[{"path": "/reason", "message": "required"}])
    credential = get_owned(session, provider, credential_id, for_update=True)
    new_status, value = ACTIONS[action]
    if credential.status == new_status:
        return credential, False
    if credential.status == "revoked":
        raise Conflict(f"credential {credential_id} is revoked; revocation is final and cannot be {action}ed")
    if action in ("suspend", "unsuspend") and not provider.suspension_enabled:
        raise Conflict("suspension is not enabled for this provider; credentials can only be revoked")
    if action == "unsuspend" and credential.status != "suspended":
        raise Conflict(f"credential {credential_id} is not suspended")
    status_lists.set_status(session, credential.id, value)
    session.execute(update(Credential).where(Credential.id == credential.id).values(status=new_status))
    credential.status = new_status
    session.add(StatusEvent(credential_id=credential.id, provider_id=provider.id, action=action, reason=reason,
                            actor=actor, at=now))
    record_event(session, provider_id=provider.id, type=EVENTS[action], now=now,
                 data={"credentialId": credential.id, "status": new_status})
    session.flush()
    return credential, True


def status_since(session: Session, credential: Credential) -> datetime | None:
    """When a revoked or suspended credential got its status (the latest such audit event, aware
    UTC); None for an active credential."""
    action = {"revoked": "revoke", "suspended": "suspend"}.get(credential.status)
    if action is None:
        return None
    moment = session.scalar(select(StatusEvent.at).where(StatusEvent.credential_id == credential.id,
                                                         StatusEvent.action == action)
                            .order_by(StatusEvent.at.desc(), StatusEvent.id.desc()).limit(1))
    if moment is not None and moment.tzinfo is None:  # SQLite returns naive UTC
        moment = moment.replace(tzinfo=timezone.utc)
    return moment


def history(session: Session, credential: Credential) -> list[dict]:
    """The credential's status events, oldest first: ``[{"action", "reason", "actor", "at"}]``."""
    events = session.scalars(select(StatusEvent).where(StatusEvent.credential_id == credential.id)
                             .order_by(StatusEvent.at, StatusEvent.id)).all()
    return [{"action": e.action, "reason": e.reason, "actor": e.actor,
             "at": iso_z(e.at)} for e in events]
