"""The ``did:key`` method for Ed25519 and P-256 Multikeys.

* did:key v0.7 (https://w3c-ccg.github.io/did-method-key/): ``did:key:<multibase>`` where the value
  is ``z`` + base58-btc(multicodec varint || public key); the document has one verification method
  ``<did>#<multibase>`` referenced from authentication, assertionMethod, capabilityInvocation and
  capabilityDelegation.
* Multikey (W3C Controlled Identifiers 1.0 §2.2.2, https://www.w3.org/TR/cid-1.0/#Multikey):
  ``0xed01`` + 32-byte Ed25519 key, ``0x8024`` + 33-byte compressed P-256 point.
* Security catalog NET-07: missing ``z``, non-base58 characters, other multicodecs, wrong lengths
  and ``did:key:<version>:...`` forms are refused.
"""
from __future__ import annotations


from issuer.signing.keys import (KeyError_, PublicKeyInfo, public_key_from_multikey, public_multikey)
from issuer.signing.multibase import ED25519_PUB, P256_PUB, MultibaseError, decode_base58btc, encode_base58btc

from .did_document import DidError

__all__ = [
    "DidError", "did_key_from_public_key", "resolve_did_key", "public_key_from_did_key",
    "DID_KEY_CONTEXT",
]

DID_KEY_CONTEXT = ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"]
_PREFIX = "did:key:"
_KEY_LENGTHS = {ED25519_PUB: 34, P256_PUB: 35}  # multicodec prefix -> total decoded length
_MAX_LENGTH = 128


def did_key_from_public_key(key) -> str:
    """``did:key`` of an Ed25519 or P-256 key (public or private object)."""
    try:
        return _PREFIX + public_multikey(key)
    except KeyError_ as exc:
        raise DidError(str(exc), code="unsupportedPublicKeyType") from None


def _multibase_of(did: str) -> str:
    if not isinstance(did, str) or not did.startswith(_PREFIX) or len(did) > _MAX_LENGTH:
        raise DidError("not a did:key")
    value = did[len(_PREFIX):]
    if not value.startswith("z") or any(c in value for c in ":/?#"):
        raise DidError("did:key must be did:key:z<base58btc> without version, path, query or fragment")
    return value


def _decode_multikey(value: str) -> bytes:
    try:
        raw = decode_base58btc(value)
    except MultibaseError as exc:
        raise DidError(f"did:key is not base58-btc: {exc}") from exc
    if encode_base58btc(raw) != value:
        raise DidError("did:key multibase value is not canonical")
    expected = _KEY_LENGTHS.get(raw[:2])
    if expected is None:
        raise DidError("did:key multicodec is not Ed25519 (0xed01) or P-256 (0x8024)",
                       code="unsupportedPublicKeyType")
    if len(raw) != expected:
        raise DidError(f"did:key public key has length {len(raw) - 2}", code="invalidPublicKeyLength")
    return raw


def public_key_from_did_key(did: str) -> PublicKeyInfo:
    """Decode the public key a ``did:key`` carries (raise :class:`DidError`)."""
    value = _multibase_of(did)
    _decode_multikey(value)
    try:
        return public_key_from_multikey(value)
    except KeyError_ as exc:
        raise DidError(f"did:key public key is invalid: {exc}", code="invalidPublicKey") from exc


def resolve_did_key(did: str) -> dict:
    """Expand a ``did:key`` into its DID document (Multikey form, VC 2.0 compatible).

    Raises :class:`DidError` with code ``invalidDid``, ``unsupportedPublicKeyType``,
    ``invalidPublicKeyLength`` or ``invalidPublicKey``.
    """
    public_key_from_did_key(did)
    value = did[len(_PREFIX):]
    vm_id = f"{did}#{value}"
    return {
        "@context": list(DID_KEY_CONTEXT),
        "id": did,
        "verificationMethod": [
            {"id": vm_id, "type": "Multikey", "controller": did, "publicKeyMultibase": value},
        ],
        "authentication": [vm_id],
        "assertionMethod": [vm_id],
        "capabilityInvocation": [vm_id],
        "capabilityDelegation": [vm_id],
    }
