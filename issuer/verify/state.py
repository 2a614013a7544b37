"""What one verification run knows: the parsed input, the policy, earlier results and caches.

Also the small helpers shared by the check modules: date parsing, type lists, issuer ids, and a
per-run DID resolution cache that turns every resolver failure into :class:`ResolutionFailed`.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from ..resolve import DidError, resolve_did_key, validate_did_document
from .inputs import ParsedInput
from .policy import Policy
from .report import FAILED, PASSED, SKIPPED, WARNING, CheckResult

__all__ = ["VerifyState", "ResolutionFailed", "KeyUse", "parse_datetime", "type_list", "issuer_id",
           "OB_TYPES", "passed", "failed", "skipped", "warning"]

OB_TYPES = frozenset({"AchievementCredential", "OpenBadgeCredential", "EndorsementCredential"})
_DATETIME = re.compile(
    r"-?\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(?P<tz>Z|z|[+-]\d{2}:\d{2})?")


def passed(check_id: str, reason: str, detail: dict | None = None) -> CheckResult:
    """A passed :class:`CheckResult`."""
    return CheckResult(check_id, PASSED, reason, None, detail)


def failed(check_id: str, reason: str, code: str | None = None, detail: dict | None = None) -> CheckResult:
    """A failed :class:`CheckResult`; ``code`` is a VC Data Model 2.0 §7.1 problem type name."""
    return CheckResult(check_id, FAILED, reason, code, detail)


def skipped(check_id: str, reason: str, detail: dict | None = None) -> CheckResult:
    """A skipped :class:`CheckResult`."""
    return CheckResult(check_id, SKIPPED, reason, None, detail)


def warning(check_id: str, reason: str, detail: dict | None = None) -> CheckResult:
    return CheckResult(check_id, WARNING, reason, None, detail)


class ResolutionFailed(Exception):
    """A DID could not be resolved to an acceptable DID document."""


def parse_datetime(value: object, *, require_tz: bool = True) -> datetime | None:
    """An XML Schema ``dateTime`` (``dateTimeStamp`` when ``require_tz``) as an aware datetime, else None.

    Without ``require_tz``, a value with no offset is read as UTC.
    """
    if not isinstance(value, str) or len(value) > 40:
        return None
    match = _DATETIME.fullmatch(value)
    if match is None or (require_tz and not match.group("tz")):
        return None
    text = value[:-1] + "+00:00" if value[-1] in "Zz" else value
    if not match.group("tz"):
        text += "+00:00"
    fraction = match.group(1)
    if fraction and len(fraction) > 7:  # datetime keeps microseconds only
        text = text.replace(fraction, fraction[:7], 1)
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def type_list(value: object) -> list:
    """A JSON-LD ``type`` value as a list (a single string becomes a one-item list)."""
    if isinstance(value, list):
        return value
    return [] if value is None else [value]


def issuer_id(credential: dict) -> object:
    """The credential's issuer id (``issuer`` or ``issuer.id``), untrusted and unchecked."""
    issuer = credential.get("issuer")
    return issuer.get("id") if isinstance(issuer, dict) else issuer


@dataclass(frozen=True)
class KeyUse:
    """A key a proof was checked with: ``method`` is the verification method URL / JWS ``kid`` and
    ``source`` says where the key came from (``did``, ``url-fragment``, ``jwk-header``)."""

    proof: str  # "data-integrity" or "jwt"
    method: str | None
    key: object  # issuer.signing.keys.PublicKeyInfo
    source: str


@dataclass
class VerifyState:
    """Inputs and intermediate results of one verification run."""

    parsed: ParsedInput
    policy: Policy
    now: datetime
    loader: object
    resolve_did: Callable[[str], dict]
    kind: str = "ob"  # "ob" for badges, "status_list" for a BitstringStatusListCredential
    results: dict[str, CheckResult] = field(default_factory=dict)
    transformed: str | None = None
    key_uses: list[KeyUse] = field(default_factory=list)
    summary_status: dict | None = None
    _dids: dict = field(default_factory=dict)

    @property
    def credential(self) -> dict:
        """The credential being verified (the JWT payload's, for a VC-JWT)."""
        return self.parsed.credential

    @property
    def is_jwt(self) -> bool:
        """True for a VC-JWT."""
        return self.parsed.jws is not None

    @property
    def vc_v1(self) -> bool:
        """True for a VC Data Model 1.1 credential (first context ``credentials/v1``)."""
        contexts = self.credential.get("@context")
        first = contexts[0] if isinstance(contexts, list) and contexts else contexts
        return first == "https://www.w3.org/2018/credentials/v1"

    def status_of(self, check_id: str) -> str | None:
        """``passed``/``failed``/``skipped`` of a check run so far, or ``None``."""
        result = self.results.get(check_id)
        return None if result is None else result.status

    def ok(self, *check_ids: str) -> bool:
        """True when every one of ``check_ids`` passed."""
        return all(self.status_of(c) == PASSED for c in check_ids)

    def resolve(self, did: str) -> dict:
        """The DID document of ``did`` (``did:key`` locally, others via the injected resolver), cached
        for this run; every failure becomes :class:`ResolutionFailed`."""
        if did not in self._dids:
            try:
                self._dids[did] = self._resolve_uncached(did)
            except Exception as exc:  # noqa: BLE001 - the resolver is injected: any failure is a result
                self._dids[did] = ResolutionFailed(f"cannot resolve {did[:120]}: {_describe(exc)}")
        value = self._dids[did]
        if isinstance(value, ResolutionFailed):
            raise value
        return value

    def _resolve_uncached(self, did: str) -> dict:
        if did.startswith("did:key:"):
            return resolve_did_key(did)
        return validate_did_document(did, self.resolve_did(did))


def _describe(exc: Exception) -> str:
    code = getattr(exc, "code", None)
    text = str(exc)[:300] or type(exc).__name__
    return f"{text} ({code})" if isinstance(code, str) and isinstance(exc, DidError) else text

