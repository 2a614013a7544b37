"""Finding the public key behind a verification method or a JWS header, and comparing keys.

* DID URLs (``did:key``, ``did:web``, ...): the DID is resolved (``did:key`` locally) and the
  verification method looked up in the DID document (DID Core 1.0 §5.2, CID 1.0 §3.3); its key is a
  ``publicKeyMultibase`` (Multikey / Ed25519VerificationKey2020) or a ``publicKeyJwk``.
* An http(s) verification method whose fragment is itself a multibase Ed25519 key
  (``https://example.edu/issuers/565049#z6Mk...``), the form used by every Open Badges 3.0 spec example
  and read the same way by the 1EdTech validator. Such a key proves only that the signature is
  intact: nothing binds it to the issuer (that is the ``key_binding`` check's job).
* Nothing is ever fetched over HTTP here; DID resolution is the injected resolver's business.
"""
from __future__ import annotations

from ..resolve import DidError, find_verification_method, split_did_url
from ..resolve.did_document import VERIFICATION_RELATIONSHIPS
from ..signing.keys import KeyError_, PublicKeyInfo, public_jwk, public_key_from_jwk, public_key_from_multikey
from .state import ResolutionFailed, VerifyState, parse_datetime

__all__ = ["KeyLookupError", "key_for_method", "key_from_vm", "lookup_vm", "same_key", "split_method"]


class KeyLookupError(ValueError):
    """No usable public key could be found for a verification method."""


def key_from_vm(vm: dict) -> PublicKeyInfo:
    """The public key of a verification method object (``publicKeyMultibase`` or ``publicKeyJwk``)."""
    try:
        if isinstance(vm.get("publicKeyMultibase"), str):
            return public_key_from_multikey(vm["publicKeyMultibase"])
        if isinstance(vm.get("publicKeyJwk"), dict):
            return public_key_from_jwk(vm["publicKeyJwk"])
    except KeyError_ as exc:
        raise KeyLookupError(f"verification method {str(vm.get('id'))[:200]} has an unusable key: {exc}") from None
    raise KeyLookupError(f"verification method {str(vm.get('id'))[:200]} has no publicKeyMultibase or publicKeyJwk")


def lookup_vm(document: dict, vm_id: str) -> dict:
    """The verification method ``vm_id`` in ``document``, under any relationship or listed."""
    for relationship in VERIFICATION_RELATIONSHIPS:
        try:
            return find_verification_method(document, vm_id, relationship)
        except DidError:
            continue
    for vm in document.get("verificationMethod", []) if isinstance(document.get("verificationMethod"), list) else []:
        if isinstance(vm, dict) and vm.get("id") in (vm_id, "#" + vm_id.partition("#")[2]):
            return vm
    raise KeyLookupError(f"{vm_id[:200]} is not a verification method of {document.get('id')!s:.200}")


def split_method(method: str) -> tuple[str, str | None]:
    """``(did, fragment)`` of a DID URL; a bare ``did:key`` stands for its one key."""
    did, fragment = split_did_url(method)
    if fragment is None and did.startswith("did:key:"):
        fragment = did[len("did:key:"):]
    return did, fragment


def _from_did_url(state: VerifyState, method: str) -> PublicKeyInfo:
    try:
        did, fragment = split_method(method)
    except DidError as exc:
        raise KeyLookupError(f"verification method {method[:200]!r} is not a usable DID URL: {exc}") from None
    if fragment is None:
        raise KeyLookupError(f"verification method {method[:200]} has no #fragment naming a key")
    try:
        document = state.resolve(did)
    except ResolutionFailed as exc:
        raise KeyLookupError(str(exc)) from None
    vm = lookup_vm(document, f"{did}#{fragment}")
    _refuse_revoked(state, vm)
    return key_from_vm(vm)


def _refuse_revoked(state: VerifyState, vm: dict) -> None:
    """Controlled Identifiers 1.0 §2.2: no proof is verified with a verification method at or after
    its ``revoked`` time. A key reported compromised may have signed anything, whatever a proof's
    ``created`` claims, so the time that counts is now; a ``revoked`` that is not a date-time
    refuses the key too."""
    if "revoked" not in vm:
        return
    revoked = vm["revoked"]
    moment = parse_datetime(revoked) if isinstance(revoked, str) else None
    if moment is None or moment <= state.now:
        raise KeyLookupError(
            f"the issuer revoked the key {str(vm.get('id'))[:200]} on {str(revoked)[:40]} (reported compromised): "
            "signatures made with it are no longer accepted")


def _from_url_fragment(method: str) -> PublicKeyInfo:
    _, _, fragment = method.partition("#")
    try:
        return public_key_from_multikey(fragment)
    except KeyError_:
        raise KeyLookupError(
            f"cannot obtain the key of {method[:200]}: only DID URLs and URLs whose fragment is a multibase "
            "public key are supported (keys are never fetched over HTTP)") from None


def key_for_method(state: VerifyState, method: object) -> tuple[PublicKeyInfo, str]:
    """``(key, source)`` for a proof's ``verificationMethod`` (``source``: ``did`` or ``url-fragment``)."""
    if not isinstance(method, str) or not method or len(method) > 2048:
        raise KeyLookupError("verificationMethod must be a URL")
    if method.startswith("did:"):
        return _from_did_url(state, method), "did"
    if method.lower().startswith(("https://", "http://")) and "#" in method:
        return _from_url_fragment(method), "url-fragment"
    raise KeyLookupError(f"cannot obtain the key of {method[:200]!r}: not a DID URL")


def same_key(a: PublicKeyInfo, b: PublicKeyInfo) -> bool:
    """Whether two public keys are the same key material (compared as public JWKs)."""
    try:
        return a.alg == b.alg and public_jwk(a.key) == public_jwk(b.key)
    except KeyError_:
        return False
