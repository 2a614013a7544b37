"""The ``status`` check: Bitstring Status List entries (revocation, suspension, status messages).

W3C Bitstring Status List v1.0 (https://www.w3.org/TR/vc-bitstring-status-list/):

* §2.1 ``BitstringStatusListEntry`` (``statusPurpose``, ``statusListIndex``, ``statusListCredential``,
  ``statusSize`` default 1, ``statusMessage`` when ``statusSize`` > 1);
* §3.2 "Validate Algorithm": retrieve the list (STATUS_RETRIEVAL_ERROR), verify it as a credential
  (STATUS_VERIFICATION_ERROR), check the purposes match, expand it, refuse lists shorter than the
  herd-privacy minimum (STATUS_LIST_LENGTH_ERROR) and indexes beyond its end (RANGE_ERROR).

The list credential is verified by the same verifier (proof, key binding, validity period) by its own
securing mechanism: a Data Integrity proof, a VC-JWT (``typ`` ``vc+jwt`` or ``JWT``, ``cty`` allowed;
VC-JOSE-COSE §3.1.1), or an ``EnvelopedVerifiableCredential`` holding one; the claims only an Open Badge
must carry (``iss``, ``jti``) are not required of it. Its issuer must be the credential's issuer
(catalog SL-08). ``1EdTechRevocationList`` is not supported.
Lists are fetched only for credentials whose proof verified and whose key is bound to the issuer.
"""
from __future__ import annotations

from collections.abc import Callable

from ..status.bitstring import BitstringError, decode
from .report import FAILED, KEY_BINDING, PROOF, STATUS, CheckResult
from .state import VerifyState, failed, issuer_id, passed, skipped, type_list

__all__ = ["check_status", "ENTRY_TYPE", "MAX_STATUS_SIZE"]

ENTRY_TYPE = "BitstringStatusListEntry"
MAX_STATUS_SIZE = 16
MAX_ENTRIES = 8


class _StatusFailure(Exception):
    def __init__(self, reason: str, code: str, detail: dict | None = None) -> None:
        super().__init__(reason)
        self.reason, self.code, self.detail = reason, code, detail


def check_status(state: VerifyState, *, enabled: bool, fetch: Callable | None,
                 verify_list: Callable) -> CheckResult:
    """Read the credential's status bits; revoked or suspended credentials fail."""
    if not enabled:
        return skipped(STATUS, "status checking was not requested")
    status = state.credential.get("credentialStatus")
    if status is None:
        return skipped(STATUS, "the credential has no credentialStatus")
    if not state.ok(PROOF) or state.status_of(KEY_BINDING) == FAILED:
        return skipped(STATUS, "the credential is not authentic, so its status list is not fetched")
    entries = status if isinstance(status, list) else [status]
    ours = [e for e in entries if isinstance(e, dict) and e.get("type") == ENTRY_TYPE]
    others = sorted({str(e.get("type"))[:60] for e in entries if isinstance(e, dict) and e not in ours})
    if not ours:
        return skipped(STATUS, f"status type {', '.join(others) or 'unknown'} is not supported "
                               f"(only {ENTRY_TYPE} is checked)")
    if fetch is None:
        return failed(STATUS, "status list retrieval is not configured", "STATUS_RETRIEVAL_ERROR")
    if len(ours) > MAX_ENTRIES:
        return failed(STATUS, f"more than {MAX_ENTRIES} status entries", "STATUS_VERIFICATION_ERROR")
    lists = _ListCache(state, fetch, verify_list)
    try:
        outcomes = [_evaluate(state, entry, lists) for entry in ours]
    except _StatusFailure as exc:
        return failed(STATUS, exc.reason, exc.code, exc.detail)
    return _conclude(state, outcomes, others)


def _conclude(state: VerifyState, outcomes: list[dict], others: list[str]) -> CheckResult:
    revoked = any(o["revoked"] for o in outcomes)
    suspended = any(o["suspended"] for o in outcomes)
    state.summary_status = {"revoked": revoked, "suspended": suspended}
    detail = {"entries": outcomes, **state.summary_status}
    if others:
        detail["unsupported"] = others
    if revoked:
        return failed(STATUS, "revoked: the issuer has revoked this credential", None, detail)
    if suspended:
        return failed(STATUS, "suspended: the issuer has suspended this credential", None, detail)
    return passed(STATUS, "neither revoked nor suspended", detail)


class _ListCache:
    """Fetch and verify each status list credential once per verification."""

    def __init__(self, state: VerifyState, fetch: Callable, verify_list: Callable) -> None:
        self._state, self._fetch, self._verify = state, fetch, verify_list
        self._lists: dict[str, dict] = {}

    def get(self, url: str) -> dict:
        if url not in self._lists:
            self._lists[url] = self._load(url)
        return self._lists[url]

    def _load(self, url: str) -> dict:
        try:
            document = self._fetch(url)
        except Exception as exc:  # noqa: BLE001 - the fetcher is injected: any failure is a result
            raise _StatusFailure(f"cannot retrieve the status list {url[:200]}: {str(exc)[:200] or type(exc).__name__}",
                                 "STATUS_RETRIEVAL_ERROR") from None
        report = self._verify(document)
        if not report.verified:
            bad = [c.to_dict() for c in report.checks if c.status == FAILED]
            reason = f"{bad[0]['id']}: {bad[0]['reason']}" if bad else "its proof did not verify"
            raise _StatusFailure(f"the status list credential does not verify ({reason})",
                                 "STATUS_VERIFICATION_ERROR", {"statusList": url, "failedChecks": bad})
        if issuer_id(report.credential) != issuer_id(self._state.credential):
            raise _StatusFailure("the status list was issued by someone other than the credential's issuer",
                                 "STATUS_VERIFICATION_ERROR", {"statusList": url})
        return report.credential


def _index(value: object) -> int:
    if isinstance(value, bool):
        raise _StatusFailure("statusListIndex is not a non-negative integer", "RANGE_ERROR")
    if isinstance(value, int):
        index = value
    elif isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 12:
        index = int(value)
    else:
        raise _StatusFailure(f"statusListIndex {str(value)[:40]!r} is not a non-negative integer", "RANGE_ERROR")
    if index < 0:
        raise _StatusFailure("statusListIndex is negative", "RANGE_ERROR")
    return index


def _size(entry: dict) -> int:
    size = entry.get("statusSize", 1)
    if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= MAX_STATUS_SIZE:
        raise _StatusFailure(f"statusSize must be an integer from 1 to {MAX_STATUS_SIZE}", "STATUS_VERIFICATION_ERROR")
    if size > 1 and not isinstance(entry.get("statusMessage"), list):
        raise _StatusFailure("statusSize > 1 requires statusMessage", "STATUS_VERIFICATION_ERROR")
    return size


def _read_value(state: VerifyState, subject: dict, index: int, size: int) -> int:
    try:
        bits = decode(subject.get("encodedList"))
    except BitstringError as exc:
        raise _StatusFailure(f"the status list cannot be decoded: {exc}", "STATUS_VERIFICATION_ERROR") from None
    entries = len(bits) // size
    if entries < state.policy.status_list_min_entries:
        raise _StatusFailure(f"the status list has {entries} entries, fewer than the "
                             f"{state.policy.status_list_min_entries} required", "STATUS_LIST_LENGTH_ERROR")
    if index >= entries:
        raise _StatusFailure(f"statusListIndex {index} is beyond the list's {entries} entries", "RANGE_ERROR")
    return bits.get_status(index, size)


def _message(entry: dict, subject: dict, value: int) -> str | None:
    table = entry.get("statusMessage") or subject.get("statusMessage") or []
    for item in table if isinstance(table, list) else []:
        status = item.get("status") if isinstance(item, dict) else None
        try:
            if isinstance(status, str) and int(status, 16) == value:
                return str(item.get("message"))[:200]
        except ValueError:
            continue
    return None


def _evaluate(state: VerifyState, entry: dict, lists: _ListCache) -> dict:
    purpose, url = entry.get("statusPurpose"), entry.get("statusListCredential")
    if not isinstance(purpose, str) or not isinstance(url, str):
        raise _StatusFailure("the status entry lacks statusPurpose or statusListCredential",
                             "STATUS_VERIFICATION_ERROR")
    index, size = _index(entry.get("statusListIndex")), _size(entry)
    subject = lists.get(url).get("credentialSubject")
    if not isinstance(subject, dict) or purpose not in type_list(subject.get("statusPurpose")):
        raise _StatusFailure(f"the status list's statusPurpose does not match the entry's {purpose[:40]!r}",
                             "STATUS_VERIFICATION_ERROR")
    value = _read_value(state, subject, index, size)
    message = _message(entry, subject, value) if size > 1 else None
    lowered = (message or "").lower()
    return {
        "statusPurpose": purpose, "statusListIndex": index, "statusListCredential": url, "value": value,
        "message": message,
        "revoked": (purpose == "revocation" and value != 0) or lowered == "revoked",
        "suspended": (purpose == "suspension" and value != 0) or lowered == "suspended",
    }
