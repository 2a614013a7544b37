"""The ``key_binding`` check: the key that signed must be one the issuer authorised for assertions.

* VC Data Integrity 1.0 §4.4 "Verify Proof" (verification method retrieval and verification
  relationship validation) and Controlled Identifiers 1.0 §3.3 "Retrieve Verification Method": the
  method must be controlled by the issuer and listed under ``assertionMethod`` (catalog DI-12, DI-13).
* Open Badges 3.0 implementation guide "Key provenance": the key must belong to ``issuer.id``. For a
  JWS ``kid`` the same rule applies; a header ``jwk`` is accepted only if it equals a key under the
  issuer's ``assertionMethod`` (catalog JWT-05).

Failure codes are those of Controlled Identifiers 1.0 §3.3 (INVALID_VERIFICATION_METHOD,
INVALID_RELATIONSHIP_FOR_VERIFICATION_METHOD, INVALID_CONTROLLED_IDENTIFIER_DOCUMENT).

Keys are bound through DIDs only: an issuer identified by an https URL has no defined key binding
(1EdTech/openbadges-specification#605), so such a credential fails this check even when its signature
is intact.
"""
from __future__ import annotations

from ..resolve import DidError, find_verification_method
from .keys import KeyLookupError, key_from_vm, same_key, split_method
from .report import KEY_BINDING, PROOF, CheckResult
from .state import KeyUse, ResolutionFailed, VerifyState, failed, issuer_id, passed, skipped

__all__ = ["check_key_binding"]

_RELATIONSHIP = "assertionMethod"


INVALID_VM = "INVALID_VERIFICATION_METHOD"
INVALID_RELATIONSHIP = "INVALID_RELATIONSHIP_FOR_VERIFICATION_METHOD"
INVALID_DOCUMENT = "INVALID_CONTROLLED_IDENTIFIER_DOCUMENT"


class _Unbound(Exception):
    def __init__(self, reason: str, code: str = INVALID_VM) -> None:
        super().__init__(reason)
        self.code = code


def check_key_binding(state: VerifyState) -> CheckResult:
    """Every key used by the proof check belongs to the issuer's DID, under ``assertionMethod``."""
    if not state.ok(PROOF):
        return skipped(KEY_BINDING, "the proof did not verify, so there is no key to bind to the issuer")
    result = _evaluate(state)
    if result.status == "failed" and not state.policy.require_key_binding:
        return skipped(KEY_BINDING, f"not enforced by policy: {result.reason}", result.detail)
    return result


def _evaluate(state: VerifyState) -> CheckResult:
    issuer = issuer_id(state.credential)
    if not isinstance(issuer, str) or not issuer.startswith("did:"):
        return failed(KEY_BINDING, "issuer is not a DID: the signing key cannot be bound to the issuer",
                      INVALID_VM, {"issuer": str(issuer)[:300]})
    try:
        document = state.resolve(issuer)
        methods = [_bind(state, document, issuer, use) for use in state.key_uses]
    except ResolutionFailed as exc:
        return failed(KEY_BINDING, str(exc), INVALID_DOCUMENT, {"issuer": issuer})
    except _Unbound as exc:
        return failed(KEY_BINDING, str(exc), exc.code, {"issuer": issuer})
    return passed(KEY_BINDING, f"the signing key is an assertion key of the issuer {issuer[:200]}",
                  {"issuer": issuer, "verificationMethods": sorted(set(methods))})


def _bind(state: VerifyState, document: dict, issuer: str, use: KeyUse) -> str:
    if use.source == "jwk-header":
        return _bind_header_jwk(document, issuer, use)
    method = use.method or ""
    try:
        did, fragment = split_method(method)
    except DidError:
        raise _Unbound(f"verification method {method[:200]!r} is not a DID URL of the issuer") from None
    if did != issuer:
        raise _Unbound(f"verification method {method[:200]} belongs to {did[:200]}, not to the issuer {issuer[:200]}")
    vm_id = f"{did}#{fragment}"
    try:
        vm = find_verification_method(document, vm_id, _RELATIONSHIP)
        listed = key_from_vm(vm)
    except DidError as exc:
        raise _Unbound(f"{vm_id[:200]} is not an assertion key of the issuer: {exc}", INVALID_RELATIONSHIP) from None
    except KeyLookupError as exc:
        raise _Unbound(f"{vm_id[:200]} has no usable key: {exc}") from None
    if not same_key(listed, use.key):
        raise _Unbound(f"the key used for the proof is not the key the issuer lists as {vm_id[:200]}")
    return vm_id


def _bind_header_jwk(document: dict, issuer: str, use: KeyUse) -> str:
    entries = document.get(_RELATIONSHIP)
    for entry in entries if isinstance(entries, list) else []:
        vm_id = entry if isinstance(entry, str) else entry.get("id") if isinstance(entry, dict) else None
        if not isinstance(vm_id, str):
            continue
        try:
            vm = find_verification_method(document, vm_id, _RELATIONSHIP)
            if same_key(key_from_vm(vm), use.key):
                return vm_id if vm_id.startswith("did:") else issuer + vm_id
        except (DidError, KeyLookupError):
            continue
    raise _Unbound(f"the JWS header jwk is not an assertion key of the issuer {issuer[:200]}", INVALID_RELATIONSHIP)
