"""DID documents: errors, validation and verification-method lookup (the resolver: ``did_resolver``).

* DID Core 1.0 (https://www.w3.org/TR/did-core/): §5.2 verification methods, §5.3 verification
  relationships (a relationship lists a VM by reference - a DID URL string - or embeds it).
* VC Data Integrity 1.0 (https://www.w3.org/TR/vc-data-integrity/) §4.1/§4.4: the proof's
  ``verificationMethod`` must be authorised under the ``proofPurpose`` relationship
  (``assertionMethod`` for credentials), and verifiers should cache remote resolutions.
* Security catalog NET-06 (wrong ``id``, oversize documents) and NET-08 (negative cache, caps).

Error ``code`` values follow the W3C DID Resolution error names where one exists
(https://w3c.github.io/did-resolution/#errors): ``invalidDid``, ``methodNotSupported``,
``notFound``, ``invalidDidDocument``, ``invalidPublicKey``, ``invalidPublicKeyLength``,
``unsupportedPublicKeyType``; plus ``resolutionFailed`` (network failure) and
``verificationMethodNotFound``.
"""
from __future__ import annotations

import copy

__all__ = [
    "DidError", "find_verification_method", "validate_did_document",
    "split_did_url", "VERIFICATION_RELATIONSHIPS", "MAX_VERIFICATION_METHODS",
]

VERIFICATION_RELATIONSHIPS = (
    "authentication", "assertionMethod", "keyAgreement", "capabilityInvocation", "capabilityDelegation",
)
MAX_VERIFICATION_METHODS = 64
MAX_DID_LENGTH = 2048


class DidError(ValueError):
    """A DID is malformed, cannot be resolved, or its document is unacceptable.

    ``code`` is a DID Resolution style error name (see the module docstring).
    """

    def __init__(self, message: str, *, code: str = "invalidDid") -> None:
        super().__init__(message)
        self.code = code

    def copy(self) -> DidError:
        """A fresh instance (re-raising one cached instance would pile up tracebacks)."""
        return DidError(str(self), code=self.code)


def split_did_url(did_url: str) -> tuple[str, str | None]:
    """Split ``did:m:id#fragment`` into ``("did:m:id", "fragment")``; paths and queries are refused."""
    if not isinstance(did_url, str) or not did_url.startswith("did:") or len(did_url) > MAX_DID_LENGTH:
        raise DidError("not a DID URL")
    did, sep, fragment = did_url.partition("#")
    if "/" in did or "?" in did:
        raise DidError("DID URLs with a path or query are not supported")
    if sep and not fragment:
        raise DidError("empty DID URL fragment")
    return did, (fragment if sep else None)


# --------------------------------------------------------------------------- validation


def _absolute(ref: str, base: str) -> str:
    return base + ref if ref.startswith("#") else ref


def _check_vm(vm: object, did: str) -> None:
    if not isinstance(vm, dict):
        raise DidError("verification method is not an object", code="invalidDidDocument")
    vm_id, controller, vm_type = vm.get("id"), vm.get("controller"), vm.get("type")
    if not isinstance(vm_id, str) or not vm_id.startswith(did + "#") or len(vm_id) == len(did) + 1:
        raise DidError(f"verification method id {vm_id!r} is not a fragment of {did}", code="invalidDidDocument")
    if controller != did:
        raise DidError(f"verification method {vm_id} has controller {controller!r}, not {did}",
                       code="invalidDidDocument")
    if not isinstance(vm_type, str) or not vm_type:
        raise DidError(f"verification method {vm_id} has no type", code="invalidDidDocument")


def _listed(document: dict, name: str) -> list:
    value = document.get(name, [])
    if not isinstance(value, list):
        raise DidError(f"{name} must be an array", code="invalidDidDocument")
    return value


def validate_did_document(did: str, document: object) -> dict:
    """Check a resolved document belongs to ``did`` and return it.

    ``id`` must equal the DID; every verification method (listed or embedded in a relationship) must
    have an absolute id ``<did>#<fragment>``, a ``type`` and ``controller`` equal to the DID (DI-14);
    relationships must be arrays of DID URL strings or VM objects; at most
    :data:`MAX_VERIFICATION_METHODS` methods. Raises :class:`DidError` (``invalidDidDocument``).
    """
    if not isinstance(document, dict):
        raise DidError("DID document is not a JSON object", code="invalidDidDocument")
    if document.get("id") != did:
        raise DidError(f"DID document id {document.get('id')!r} does not match {did}", code="invalidDidDocument")
    methods = _listed(document, "verificationMethod")
    embedded = 0
    for name in VERIFICATION_RELATIONSHIPS:
        for entry in _listed(document, name):
            if isinstance(entry, dict):
                _check_vm(entry, did)
                embedded += 1
            elif not isinstance(entry, str) or not entry:
                raise DidError(f"{name} entry is neither a DID URL nor an object", code="invalidDidDocument")
    if len(methods) + embedded > MAX_VERIFICATION_METHODS:
        raise DidError("DID document has too many verification methods", code="invalidDidDocument")
    for vm in methods:
        _check_vm(vm, did)
    return document


# --------------------------------------------------------------------------- lookup


def _listed_vm(document: dict, vm_id: str, base: str) -> dict:
    matches = [vm for vm in _listed(document, "verificationMethod")
               if isinstance(vm, dict) and isinstance(vm.get("id"), str) and _absolute(vm["id"], base) == vm_id]
    if not matches:
        raise DidError(f"{vm_id} is referenced but not defined", code="verificationMethodNotFound")
    if any(m != matches[0] for m in matches[1:]):
        raise DidError(f"{vm_id} is defined more than once", code="invalidDidDocument")
    return matches[0]


def find_verification_method(did_document: dict, vm_id: str, relationship: str = "assertionMethod") -> dict:
    """Return (a copy of) the verification method ``vm_id`` authorised for ``relationship``.

    The VM must appear under ``relationship`` either by reference (resolved against the document's
    ``verificationMethod``; ``#frag`` references are made absolute with the document ``id``) or
    embedded. Raise :class:`DidError` (``verificationMethodNotFound``) otherwise.
    """
    if relationship not in VERIFICATION_RELATIONSHIPS:
        raise ValueError(f"unknown verification relationship {relationship!r}")
    if not isinstance(did_document, dict) or not isinstance(did_document.get("id"), str):
        raise DidError("DID document is not an object with an id", code="invalidDidDocument")
    if not isinstance(vm_id, str) or not vm_id:
        raise DidError("verification method id missing", code="verificationMethodNotFound")
    base = did_document["id"]
    vm_id = _absolute(vm_id, base)
    for entry in _listed(did_document, relationship):
        if isinstance(entry, str) and _absolute(entry, base) == vm_id:
            return copy.deepcopy(_listed_vm(did_document, vm_id, base))
        if isinstance(entry, dict) and isinstance(entry.get("id"), str) and _absolute(entry["id"], base) == vm_id:
            return copy.deepcopy(entry)
    raise DidError(f"{vm_id} is not authorised for {relationship}", code="verificationMethodNotFound")
