"""The verifier: runs the named checks in order and returns a :class:`VerificationReport`.

Open Badges 3.0 §9 "Verification" (https://www.imsglobal.org/spec/ob/v3p0/#verification), with the
W3C VC Data Model 2.0, VC Data Integrity 1.0 and Bitstring Status List 1.0 rules it points to. The
order and the dependencies between checks are declared in :data:`PLAN`; a check whose prerequisite
did not pass is ``skipped`` with a reason. :meth:`Verifier.verify` never raises for bad input.
"""
from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

from ..badges.contexts import document_loader
from .checks_binding import check_key_binding
from .checks_document import (SchemaValidators, check_contexts, check_data_model, check_official_schema,
                              check_safe_mode)
from .checks_proof import check_proof
from .checks_status import check_status
from .checks_validity import check_validity_period
from .inputs import InputError, parse_input
from .policy import Policy
from .report import (
    CHECK_ORDER, CONTEXTS, DATA_MODEL, FAILED, KEY_BINDING, OFFICIAL_SCHEMA, PARSING, PASSED, PROOF,
    SAFE_MODE, STATUS, VALIDITY_PERIOD, CheckResult, VerificationReport,
)
from .state import VerifyState, failed, passed, skipped
from .summary import build_summary

__all__ = ["Verifier", "Policy", "PLAN"]

log = logging.getLogger(__name__)

_LIST_REPORT_TTL = timedelta(seconds=60)
_LIST_REPORT_ENTRIES = 256
_LIST_REPORT_BYTES = 8 * 1024 * 1024

# check id -> the checks that must have passed before it can run
PLAN: dict[str, tuple[str, ...]] = {
    CONTEXTS: (PARSING,),
    DATA_MODEL: (PARSING,),
    OFFICIAL_SCHEMA: (PARSING,),
    SAFE_MODE: (CONTEXTS,),
    PROOF: (PARSING,),
    KEY_BINDING: (PROOF,),
    VALIDITY_PERIOD: (PARSING,),
    STATUS: (PARSING,),
}


class Verifier:
    """Verify Open Badges 3.0 credentials (JSON-LD with Data Integrity proofs, VC-JWT, baked images).

    * ``resolve_did(did) -> dict`` returns a DID document or raises (``DidError``, ``FetchError``...);
      ``did:key`` is always resolved locally.
    * ``fetch_status_list(url) -> dict`` returns a status list credential (a dict, JSON text or a
      JWT) or raises; ``None`` means status lists cannot be retrieved.
    * ``loader`` is the JSON-LD document loader; its ``known`` URLs are the accepted contexts.
    * ``official_schemas(file_name)`` optionally gives the official 1EdTech JSON Schemas, compiled,
      overriding the copies bundled with the package (:mod:`.official_schemas`); see
      :func:`issuer.verify.runtime.schema_folder`.
    * ``issuer_trust(credential) -> dict`` optionally rates the issuer (``hosted``, ``known``,
      ``unknown``; see :mod:`issuer.verify.trust`); it becomes the report's ``issuerTrust``.
    """

    def __init__(self, *, resolve_did: Callable[[str], dict],
                 fetch_status_list: Callable[[str], dict] | None = None, loader=document_loader,
                 policy: Policy = Policy(),
                 official_schemas: Callable[[str], SchemaValidators | None] | None = None,
                 issuer_trust: Callable[[dict], dict] | None = None) -> None:
        self._resolve_did = resolve_did
        self._issuer_trust = issuer_trust
        self._fetch_status_list = fetch_status_list
        self._loader = loader
        self._policy = policy
        self._official_schemas = official_schemas
        self._verified_lists: OrderedDict = OrderedDict()  # sha256 -> (time, report, bytes)
        self._lists_bytes = 0
        self._lists_lock = threading.Lock()

    @property
    def policy(self) -> Policy:
        """The verification policy (clock skew, accepted algorithms and suites)."""
        return self._policy

    def with_resolver(self, resolve_did: Callable[[str], dict]) -> "Verifier":
        """The same verifier with another DID resolver (e.g. one that knows a document already)."""
        return Verifier(resolve_did=resolve_did, fetch_status_list=self._fetch_status_list, loader=self._loader,
                        policy=self._policy, official_schemas=self._official_schemas,
                        issuer_trust=self._issuer_trust)

    def verify(self, subject: bytes | str | dict, *, now: datetime, check_status: bool = True,
               stop_early: bool = False) -> VerificationReport:
        """Verify ``subject`` at time ``now`` (timezone-aware); every problem is a failed check.

        With ``stop_early`` (callers that need only the verdict, e.g. combined coverage), the
        checks after the first failure are skipped, and a credential without any proof fails
        before any JSON-LD work.
        """
        if now.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        return self._run(subject, now.astimezone(timezone.utc), kind="ob", want_status=check_status,
                         stop_early=stop_early)

    # -- internals --------------------------------------------------------------------------------

    def _run(self, subject, now: datetime, *, kind: str, want_status: bool,
             stop_early: bool = False) -> VerificationReport:
        try:
            parsed = parse_input(subject, max_bytes=self._policy.max_bytes, max_depth=self._policy.max_depth,
                                 max_image_bytes=self._policy.max_image_bytes, structure=self._policy.structure)
        except InputError as exc:
            return self._unparsed(str(exc), exc.format, exc.detail)
        except Exception as exc:  # noqa: BLE001 - a reader bug must not turn bad input into a crash
            log.exception("reading the verification input crashed")
            return self._unparsed(f"internal error while reading the input: {type(exc).__name__}", None)
        state = VerifyState(parsed=parsed, policy=self._policy, now=now, loader=self._loader,
                            resolve_did=self._resolve_did, kind=kind)
        state.results[PARSING] = passed(PARSING, f"read as {_describe_format(parsed)}", _parsing_detail(parsed))
        if stop_early and not state.is_jwt and "proof" not in state.credential:
            state.results[PROOF] = failed(PROOF, "the credential has no proof", "PARSING_ERROR")
        for check_id, needs in PLAN.items():
            if check_id in state.results:
                continue
            if stop_early and any(r.status == FAILED for r in state.results.values()):
                state.results[check_id] = skipped(check_id, "not checked: an earlier check failed")
                continue
            state.results[check_id] = self._run_check(state, check_id, needs, want_status)
        checks = [state.results[c] for c in CHECK_ORDER]
        verified = state.ok(PROOF) and not any(c.status == FAILED for c in checks)
        trust = None
        if self._issuer_trust is not None and kind == "ob" and isinstance(parsed.credential, dict):
            try:
                trust = self._issuer_trust(parsed.credential)
            except Exception:  # noqa: BLE001 - an unrated issuer is unknown, never a crash
                log.exception("rating the issuer crashed")
                trust = {"level": "unknown", "issuer": None, "claimedName": None, "warnings": []}
        return VerificationReport(verified, checks, parsed.format, parsed.credential,
                                  build_summary(parsed.credential, state.summary_status), trust)

    def _run_check(self, state: VerifyState, check_id: str, needs: tuple[str, ...],
                   want_status: bool) -> CheckResult:
        blocking = [n for n in needs if state.status_of(n) != PASSED]
        if blocking:
            return skipped(check_id, f"not checked because {blocking[0]} did not pass")
        try:
            return self._dispatch(state, check_id, want_status)
        except Exception as exc:  # noqa: BLE001 - a verifier bug must not turn bad input into a crash
            log.exception("verification check %s crashed", check_id)
            return failed(check_id, f"internal error while checking: {type(exc).__name__}", None)

    def _dispatch(self, state: VerifyState, check_id: str, want_status: bool) -> CheckResult:
        if check_id == CONTEXTS:
            return check_contexts(state)
        if check_id == DATA_MODEL:
            return check_data_model(state)
        if check_id == OFFICIAL_SCHEMA:
            if state.kind != "ob":
                return skipped(OFFICIAL_SCHEMA, "not an Open Badges credential")
            return check_official_schema(state, self._official_schemas)
        if check_id == SAFE_MODE:
            return check_safe_mode(state)
        if check_id == PROOF:
            return check_proof(state)
        if check_id == KEY_BINDING:
            return check_key_binding(state)
        if check_id == VALIDITY_PERIOD:
            return check_validity_period(state)
        return check_status(state, enabled=want_status and state.kind == "ob", fetch=self._fetch_status_list,
                            verify_list=lambda document: self._verify_status_list(document, state.now))

    def _verify_status_list(self, document, now: datetime) -> VerificationReport:
        """Verify a status list credential; a report for the same bytes is reused for a minute.

        Verifiers check many credentials against the same few lists: the list's signature, key
        binding and validity need not be recomputed while the document is byte-identical. The key is
        a SHA-256 of the document, so any change (a revocation re-signs the list) is a new entry.
        """
        text = document if isinstance(document, (str, bytes)) else json.dumps(document, sort_keys=True)
        key = hashlib.sha256(text.encode() if isinstance(text, str) else text).hexdigest()
        with self._lists_lock:
            hit = self._verified_lists.get(key)
            if hit is not None and now - hit[0] < _LIST_REPORT_TTL and hit[0] <= now:
                self._verified_lists.move_to_end(key)
                return hit[1]
        report = self._run(document, now, kind="status_list", want_status=False)
        size = len(text)  # the report holds the parsed list: about the size of its text
        if size > _LIST_REPORT_BYTES // 4:
            return report
        with self._lists_lock:
            old = self._verified_lists.pop(key, None)
            self._lists_bytes -= old[2] if old else 0
            self._verified_lists[key] = (now, report, size)
            self._lists_bytes += size
            while self._verified_lists and (len(self._verified_lists) > _LIST_REPORT_ENTRIES
                                            or self._lists_bytes > _LIST_REPORT_BYTES):
                _, (_, _, evicted) = self._verified_lists.popitem(last=False)
                self._lists_bytes -= evicted
        return report

    def _unparsed(self, reason: str, fmt: str | None, detail: dict | None = None) -> VerificationReport:
        checks = [failed(PARSING, reason, "PARSING_ERROR", detail)]
        checks += [skipped(c, "not checked because the input could not be parsed") for c in CHECK_ORDER[1:]]
        return VerificationReport(False, checks, fmt, None, None)


def _describe_format(parsed) -> str:
    inner = "a VC-JWT" if parsed.jws is not None else "a JSON-LD credential"
    if parsed.format in ("png", "svg"):
        text = f"{inner} baked into a {parsed.format.upper()} image"
    elif parsed.jws is not None and parsed.vc_claim:
        text = "a VC 1.1 VC-JWT (vc claim)"
    else:
        text = inner
    if parsed.from_claims:
        taken = ", ".join(f"{field} from {claim}" for field, claim in parsed.from_claims.items())
        noun = "a field" if len(parsed.from_claims) == 1 else "fields"
        text += f"; {taken} ({noun} the credential leaves to its JWT claims)"
    return text


def _parsing_detail(parsed) -> dict:
    detail = {"format": parsed.format}
    if parsed.from_claims:
        detail["fromClaims"] = dict(parsed.from_claims)
    return detail
