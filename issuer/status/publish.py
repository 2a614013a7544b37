"""Publishing a status list: build, sign with eddsa-rdfc-2022 by the list's issuer, cache.

W3C Bitstring Status List v1.0 §3.2 BitstringStatusListCredential
(https://www.w3.org/TR/vc-bitstring-status-list/#bitstringstatuslistcredential), secured with
VC Data Integrity EdDSA ``eddsa-rdfc-2022`` (https://www.w3.org/TR/vc-di-eddsa/). Everything the
publisher needs (sessions, base URL, key vault, time) is passed in.
"""
from __future__ import annotations

import time
from datetime import datetime
from typing import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..badges.timestamps import iso_z
from ..signing import eddsa_rdfc_2022
from ..signing.keystore import KeyVault
from ..store import tenants
from ..store.models import StatusList
from . import lists

__all__ = ["signed_status_list", "published_list"]


def signed_status_list(session: Session, status_list: StatusList, *, base_url: str, vault: KeyVault,
                       now: datetime) -> str:
    """The current signed list credential text (the caller commits the cache update).

    Re-signs (proof ``created`` = ``now``) only when the list's version moved since the cached copy.
    """
    issuer = status_list.issuer

    def build(values: dict[int, int]) -> dict:
        return lists.build_list_credential(base_url=base_url, status_list=status_list,
                                           issuer=tenants.issuer_did(issuer, base_url), set_values=values,
                                           now_iso=iso_z(now))

    def sign(document: dict) -> dict:
        material = tenants.signing_material(issuer, base_url, vault)
        return eddsa_rdfc_2022.add_proof(document, material.di_key,
                                         verification_method=material.di_verification_method, created=now)

    return lists.current_signed_list(session, status_list, sign=sign, build=build)


def published_list(open_session: Callable[..., Session], public_id: str, *, base_url: str, vault: KeyVault,
                   now: datetime, on_signed: Callable[[float], object] | None = None) -> str | None:
    """The signed list with this public id: from the cache when current, else re-signed once.

    ``open_session(write=False)`` opens a session (``Service.session``); ``None`` for an unknown id.
    ``on_signed(seconds)`` is told how long a re-signing took (metrics).
    """
    with open_session() as session:
        status = session.scalar(select(StatusList).where(StatusList.public_id == public_id))
        if status is None:
            return None
        if status.signed_version == status.version and status.signed_document:
            return status.signed_document
    with open_session(write=True) as session:
        started = time.perf_counter()
        status = session.scalar(select(StatusList).where(StatusList.public_id == public_id))
        text = signed_status_list(session, status, base_url=base_url, vault=vault, now=now)
        session.commit()
        if on_signed is not None:
            on_signed(time.perf_counter() - started)
        return text
