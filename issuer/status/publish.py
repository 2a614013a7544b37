"""Publishing a status list: build, sign with eddsa-rdfc-2022 by the list's issuer, cache."""
from __future__ import annotations

import time

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..store import tenants
from ..store.models import StatusList
from ..signing import eddsa_rdfc_2022
from ..badges.timestamps import iso_z
from . import lists

__all__ = ["signed_status_list", "published_list"]


def signed_status_list(session: Session, service, status_list) -> str:
    """The current signed list credential text (the caller commits the cache update)."""
    issuer = status_list.issuer
    base_url = service.base_url

    def build(values: dict[int, int]) -> dict:
        return lists.build_list_credential(base_url=base_url, status_list=status_list,
                                           issuer=tenants.issuer_did(issuer, base_url), set_values=values,
                                           now_iso=iso_z(service.clock()))

    def sign(document: dict) -> dict:
        material = tenants.signing_material(issuer, base_url, service.vault)
        return eddsa_rdfc_2022.add_proof(document, material.di_key,
                                         verification_method=material.di_verification_method,
                                         created=service.clock())

    return lists.current_signed_list(session, status_list, sign=sign, build=build)


def published_list(service, public_id: str, *, on_signed=None) -> str | None:
    """The signed list with this public id: from the cache when current, else re-signed once.
    ``on_signed(seconds)`` is told how long a re-signing took (metrics)."""
    with service.session() as session:
        status = session.scalar(select(StatusList).where(StatusList.public_id == public_id))
        if status is None:
            return None
        if status.signed_version == status.version and status.signed_document:
            return status.signed_document
    with service.session(write=True) as session:
        started = time.perf_counter()
        status = session.scalar(select(StatusList).where(StatusList.public_id == public_id))
        text = signed_status_list(session, service, status)
        session.commit()
        if on_signed is not None:
            on_signed(time.perf_counter() - started)
        return text
