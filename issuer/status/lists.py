"""Bitstring Status Lists: allocating positions, changing status, publishing signed lists.

W3C Bitstring Status List v1.0 — https://www.w3.org/TR/vc-bitstring-status-list/

* Positions are drawn at random among a list's unused positions (herd privacy, section 6.1).
  Uniqueness rests on the database: a unique (list, position) index and a retry in a savepoint,
  so several worker processes can allocate at once without any shared counter row.
* The bits are not stored as a blob: each credential's entry row holds its own status, and a list
  is derived from its rows. Two revocations never rewrite the same value, so none can be lost.
* ``version`` is bumped in the transaction that changes a status; the signed list is cached with
  the version it reflects and re-signed only when the version moved.
* Every credential carries a 1-bit ``revocation`` entry (OB 3.0's schema allows one
  ``credentialStatus`` object). Providers that opt in to suspension get, in addition, a 1-bit
  ``suspension`` entry on a separate list: the VC 2.0 form ``credentialStatus: [revocation,
  suspension]`` that third-party libraries read, at the cost of failing the official OB schema
  (``docs/status.md``).
* Credentials issued before that carry one 2-bit ``message`` entry (``statusMessage`` 0x0 valid,
  0x1 revoked, 0x2 suspended). Their lists are kept and updated: for verifiers that ignore
  ``statusSize`` and read the single bit at ``statusListIndex``, such entries were drawn from the
  upper half of the index range, ``[L/2, L)``, so that bit, set whenever the status is not valid,
  lies where no entry's two bits are (``[L, 2L)``).
"""
from __future__ import annotations

import json
import random
from dataclasses import dataclass
from typing import Callable

from sqlalchemy import func, insert as insert_into, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..store.models import StatusEntry, StatusList
from .bitstring import Bitstring, encode

__all__ = ["PURPOSE_REVOCATION", "PURPOSE_SUSPENSION", "PURPOSE_MESSAGE", "STATUS_MESSAGES", "purposes_for",
           "SUSPENSION_COST", "Allocation", "allocate",
           "entry_json", "list_url", "set_status", "build_list_credential", "current_signed_list",
           "VALID", "REVOKED", "SUSPENDED"]

PURPOSE_REVOCATION = "revocation"
PURPOSE_SUSPENSION = "suspension"
PURPOSE_MESSAGE = "message"  # retired: 2-bit entries of credentials issued before issue #8
VALID, REVOKED, SUSPENDED = 0, 1, 2
STATUS_MESSAGES = [
    {"status": "0x0", "message": "valid"},
    {"status": "0x1", "message": "revoked"},
    {"status": "0x2", "message": "suspended"},
]
_RANDOM_TRIES = 24
_FULLNESS_CHECK_EVERY = 64


SUSPENSION_COST = (
    "Suspension is enabled for this provider: its credentials carry two Bitstring Status List entries "
    "(revocation and suspension), the VC 2.0 form that wallets and verifiers read, so a suspended "
    "credential reads as suspended there. The official Open Badges 3.0 JSON Schema allows only one "
    "credentialStatus object, so these credentials fail that schema (1EdTech validators and conformance "
    "tools report them as invalid); without suspension they pass it. See docs/status.md.")


def purposes_for(suspension_enabled: bool) -> tuple[str, ...]:
    """The status purposes a new credential gets: ``revocation``, plus ``suspension`` on opt-in."""
    return (PURPOSE_REVOCATION, PURPOSE_SUSPENSION) if suspension_enabled else (PURPOSE_REVOCATION,)


@dataclass(frozen=True)
class Allocation:
    list_id: int
    list_public_id: str
    position: int
    purpose: str
    status_size: int
    capacity: int = 0  # the list's soft capacity (set by :func:`choose`)


def _open_list(session: Session, issuer_id: int, purpose: str, length: int, capacity: int, status_size: int,
               new_id: Callable[[], str]):
    current = session.scalar(
        select(StatusList).where(StatusList.issuer_id == issuer_id, StatusList.purpose == purpose,
                                 StatusList.full.is_(False)).order_by(StatusList.seq).limit(1))
    if current is not None:
        return current
    last = session.scalar(select(func.max(StatusList.seq)).where(
        StatusList.issuer_id == issuer_id, StatusList.purpose == purpose)) or 0
    new = StatusList(public_id=new_id(), issuer_id=issuer_id, purpose=purpose, seq=last + 1,
                     length=length, status_size=status_size,
                     capacity=min(capacity, length - (length // 2 if status_size > 1 else 0)), full=False,
                     version=0, signed_version=-1)
    try:
        with session.begin_nested():
            session.add(new)
    except IntegrityError:  # another worker created it first: use theirs
        return None
    return new


def _try_insert(session: Session, list_id: int, position: int, credential_id: str) -> bool:
    try:
        with session.begin_nested():
            session.add(StatusEntry(list_id=list_id, position=position, credential_id=credential_id, value=0))
        return True
    except IntegrityError:
        return False


def _position_range(status_list) -> range:
    """Where entries may go: the whole list, or its upper half for 2-bit entries (see above)."""
    return range(status_list.length // 2 if status_list.status_size > 1 else 0, status_list.length)


def _free_positions(session: Session, status_list) -> list[int]:
    used = set(session.scalars(select(StatusEntry.position).where(StatusEntry.list_id == status_list.id)))
    return [p for p in _position_range(status_list) if p not in used]


def _mark_full(session: Session, list_id: int) -> None:
    session.execute(update(StatusList).where(StatusList.id == list_id).values(full=True))


def _count(session: Session, list_id: int) -> int:
    return session.scalar(select(func.count()).select_from(StatusEntry).where(StatusEntry.list_id == list_id))


def allocate(session: Session, *, issuer_id: int, credential_id: str, purpose: str, length: int,
             capacity: int, rng: random.Random, new_id: Callable[[], str]) -> Allocation:
    """Reserve a random unused position for ``credential_id`` on the issuer's open list.

    ``purpose`` is :data:`PURPOSE_REVOCATION` (1-bit entries) or :data:`PURPOSE_MESSAGE` (2-bit);
    ``length`` (bits, at least 131,072 per §6.1) and ``capacity`` (entries) size a new list, whose
    public id comes from ``new_id()``; positions are drawn with ``rng``. Raises ``RuntimeError`` when
    no position can be reserved. The caller commits.
    """
    status_size = 2 if purpose == PURPOSE_MESSAGE else 1
    for _ in range(1000):
        status_list = _open_list(session, issuer_id, purpose, length, capacity, status_size, new_id)
        if status_list is None:
            continue
        position = None
        for _try in range(_RANDOM_TRIES):
            candidate = rng.choice(_position_range(status_list))
            if _try_insert(session, status_list.id, candidate, credential_id):
                position = candidate
                break
        if position is None:
            free = _free_positions(session, status_list)
            for candidate in rng.sample(free, k=min(8, len(free))):
                if _try_insert(session, status_list.id, candidate, credential_id):
                    position = candidate
                    break
        used = None
        if position is None or rng.randrange(_FULLNESS_CHECK_EVERY) == 0 or status_list.capacity < 4096:
            used = _count(session, status_list.id)
        if position is None or (used is not None and used >= status_list.capacity):
            _mark_full(session, status_list.id)
        if position is not None:
            if used is not None and used > status_list.capacity:
                continue  # over the soft capacity (concurrent allocations): take the next list
            return Allocation(status_list.id, status_list.public_id, position, purpose, status_size)
    raise RuntimeError("could not allocate a status list position")


def choose(session: Session, *, issuer_id: int, purpose: str, rng: random.Random,
           memo: dict | None = None) -> Allocation | None:
    """Pick a random position on the issuer's open list for ``purpose`` WITHOUT writing anything
    (a read transaction may do this before the credential is signed); None when the issuer has no
    open list yet (then :func:`allocate` creates one). The position is reserved only by
    :func:`claim`, in the transaction that stores the credential. ``memo`` (a dict the caller
    clears when a claim fails) keeps the open list between calls of one transaction.
    """
    key = ("open status list", issuer_id, purpose)
    status_list = memo.get(key) if memo is not None else None
    if status_list is None:
        status_list = session.connection().execute(
            select(StatusList.id, StatusList.public_id, StatusList.length, StatusList.status_size,
                   StatusList.capacity)
            .where(StatusList.issuer_id == issuer_id, StatusList.purpose == purpose, StatusList.full.is_(False))
            .order_by(StatusList.seq).limit(1)).first()  # columns, not an entity: on every issuance
        if status_list is None:
            return None
        if memo is not None:
            memo[key] = status_list
    return Allocation(status_list.id, status_list.public_id, rng.choice(_position_range(status_list)), purpose,
                      status_list.status_size, status_list.capacity)


def claim(session: Session, allocation: Allocation, credential_id: str, rng: random.Random, *,
          savepoint: bool = True) -> bool:
    """Reserve ``allocation`` (from :func:`choose`) for ``credential_id`` in the caller's writing
    transaction. False when the position was taken meanwhile or the list went over its capacity:
    choose again. Every so often (and always on small lists) the entries are counted and a list at
    capacity is marked full, as :func:`allocate` does.

    With ``savepoint=True`` nothing is left written on False; with ``savepoint=False`` the caller
    holds a savepoint of its own and must roll it back on False (one savepoint fewer).
    """
    def insert() -> None:
        session.flush()  # the credential row first (the entry's foreign key)
        session.execute(insert_into(StatusEntry.__table__).values(list_id=allocation.list_id, position=allocation.position,
                                                        credential_id=credential_id, value=0))
        if rng.randrange(_FULLNESS_CHECK_EVERY) == 0 or allocation.capacity < 4096:
            used = _count(session, allocation.list_id)
            if used >= allocation.capacity:
                _mark_full(session, allocation.list_id)
            if used > allocation.capacity:
                raise _OverCapacity

    try:
        if savepoint:
            with session.begin_nested():
                insert()
        else:
            insert()
        return True
    except IntegrityError:
        return False
    except _OverCapacity:
        if savepoint:
            _mark_full(session, allocation.list_id)  # the savepoint rolled the entry and the mark back
        return False


class _OverCapacity(Exception):
    pass


def list_url(base_url: str, public_id: str) -> str:
    """The URL of status list ``public_id``: ``{base_url}/status/{public_id}``."""
    return f"{base_url}/status/{public_id}"


def entry_json(base_url: str, allocation: Allocation) -> dict:
    """The credential's ``BitstringStatusListEntry`` (§2.1; ``statusSize`` and ``statusMessage``
    for 2-bit ``message`` entries)."""
    url = list_url(base_url, allocation.list_public_id)
    entry = {"id": f"{url}#{allocation.position}", "type": "BitstringStatusListEntry",
             "statusPurpose": allocation.purpose, "statusListIndex": str(allocation.position),
             "statusListCredential": url}
    if allocation.status_size != 1:
        entry["statusSize"] = allocation.status_size
        entry["statusMessage"] = STATUS_MESSAGES
    return entry


def set_status(session: Session, credential_id: str, value: int) -> list[int]:
    """Set the status value (VALID, REVOKED, SUSPENDED) of a credential's entries; bump the touched lists.

    A ``revocation`` bit is 1 only when revoked, a ``suspension`` bit only when suspended (so a
    revoked credential is not also suspended), a retired 2-bit ``message`` entry holds the value.
    """
    entries = session.scalars(select(StatusEntry).where(StatusEntry.credential_id == credential_id)).all()
    touched = []
    for entry in entries:
        status_list = session.get(StatusList, entry.list_id)
        new_value = {PURPOSE_MESSAGE: value, PURPOSE_SUSPENSION: int(value == SUSPENDED)}.get(
            status_list.purpose, int(value == REVOKED))
        if entry.value == new_value:
            continue
        session.execute(update(StatusEntry).where(StatusEntry.id == entry.id).values(value=new_value))
        session.execute(update(StatusList).where(StatusList.id == entry.list_id)
                        .values(version=StatusList.version + 1))
        touched.append(entry.list_id)
    return touched


def build_list_credential(*, base_url: str, status_list, issuer: dict | str, set_values: dict[int, int],
                          now_iso: str) -> dict:
    """The unsigned ``BitstringStatusListCredential`` for ``status_list`` with the given values."""
    bits = Bitstring(status_list.length * status_list.status_size)
    for position, value in set_values.items():
        bits.set_status(position, value, status_list.status_size)
        if status_list.status_size > 1 and value:
            bits.set(position, 1)  # the bit a reader ignoring statusSize looks at (module docstring)
    url = list_url(base_url, status_list.public_id)
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer,
        "validFrom": now_iso,
        "credentialSubject": {"id": f"{url}#list", "type": "BitstringStatusList",
                              "statusPurpose": status_list.purpose, "encodedList": encode(bits)},
    }


def current_signed_list(session: Session, status_list, *, sign, build) -> str:
    """The signed list as stored text; re-signed only if its version moved since the last signing.

    ``build(set_values) -> dict`` makes the unsigned list credential, ``sign(doc) -> dict`` signs it.
    """
    session.refresh(status_list)
    version = status_list.version
    if status_list.signed_version == version and status_list.signed_document:
        return status_list.signed_document
    rows = session.execute(select(StatusEntry.position, StatusEntry.value).where(
        StatusEntry.list_id == status_list.id, StatusEntry.value != 0)).all()
    text = json.dumps(sign(build({p: v for p, v in rows})), ensure_ascii=False, separators=(",", ":"))
    session.execute(update(StatusList).where(StatusList.id == status_list.id,
                                             StatusList.signed_version < version)
                    .values(signed_document=text, signed_version=version))
    return text
