"""Self-verification at issuance: the service verifies its own output before storing it.

Two ways:

* :func:`check_own_output` (the default, cheap): checks both signed forms with the issuer's public
  keys taken from its DID document, without canonicalizing again. The eddsa-rdfc-2022 signature is
  verified over the hash data the signer just produced (W3C vc-di-eddsa §3.3.4: SHA-256 of the
  canonical proof configuration || SHA-256 of the canonical document), after checking that the
  stored JSON text parses back to exactly the document that was hashed; the VC-JWT is verified as a
  JWS with the key its ``kid`` names, and its payload must equal the credential plus its registered
  claims (OB 3.0 §8.2). A wrong key, a broken signature or a serialization slip is caught.
* :func:`self_verifier`: the full verifier on both forms (re-canonicalizes; several times slower).
"""
from __future__ import annotations

import json

from ..resolve.did_document import DidError
from ..signing import jwt_verify, vc_jose
from ..signing.keys import ed25519_verify
from ..signing.multibase import MultibaseError, decode_base58btc
from .keys import KeyLookupError, key_from_vm, lookup_vm
from .runtime import verifier_for

__all__ = ["self_verifier", "check_own_output"]


def _assertion_key(did_document: dict, vm_id: str):
    """The public key of ``vm_id`` if the DID document lists it under ``assertionMethod``."""
    if not isinstance(vm_id, str) or not vm_id.startswith(f"{did_document.get('id')}#"):
        raise KeyLookupError(f"{str(vm_id)[:200]} is not a method of the issuer's DID")
    if vm_id not in did_document.get("assertionMethod", ()):
        raise KeyLookupError(f"{vm_id[:200]} is not listed under assertionMethod")
    return key_from_vm(lookup_vm(did_document, vm_id))


def check_own_output(document_text: str, signed: dict, hash_data: bytes, token: str,
                     did_document: dict) -> list[str]:
    """Problems (empty: both forms verify) with freshly signed output, checked cheaply.

    ``document_text`` is the JSON-LD form about to be stored, ``signed`` the secured document it
    was serialized from (one eddsa-rdfc-2022 proof), ``hash_data`` the 64 bytes that proof's
    signature was computed over (vc-di-eddsa §3.3.4), ``token`` the compact VC-JWT and
    ``did_document`` the issuer's DID document (the keys verifiers will resolve).
    """
    problems: list[str] = []
    try:
        parsed = json.loads(document_text)
    except ValueError as exc:
        return [f"json-ld: the stored text is not JSON: {exc}"]
    if parsed != signed:
        problems.append("json-ld: the stored text does not parse back to the signed document")
    proofs = parsed.get("proof") if isinstance(parsed, dict) else None
    if not (isinstance(proofs, list) and len(proofs) == 1 and isinstance(proofs[0], dict)):
        problems.append("json-ld: expected exactly one proof")
    else:
        proof = proofs[0]
        issuer = parsed.get("issuer")
        issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
        if issuer_id != did_document.get("id"):
            problems.append("json-ld: the issuer is not the DID document's subject")
        try:
            public = _assertion_key(did_document, proof.get("verificationMethod"))
            signature = decode_base58btc(proof.get("proofValue"), max_len=200)
        except (KeyLookupError, DidError, MultibaseError, TypeError) as exc:
            problems.append(f"json-ld: {exc}")
        else:
            if public.alg != "EdDSA" or len(hash_data) != 64 or not ed25519_verify(public.key, signature, hash_data):
                problems.append("json-ld: the Ed25519 signature does not verify with the issuer's key")
    try:
        jws = jwt_verify.parse_unverified(token)
        key = key_from_vm(lookup_vm(did_document, jws.header.get("kid"))) if jws.header.get("kid") in \
            did_document.get("assertionMethod", ()) else None
        if key is None:
            raise KeyLookupError("the JWT kid is not an assertion method of the issuer")
        jwt_verify.verify_signature(jws, key, vc_jose.ALLOWED_ALGORITHMS)
    except (jwt_verify.JwsError, KeyLookupError, DidError) as exc:
        problems.append(f"jwt: {exc}")
    else:
        expected = {k: v for k, v in signed.items() if k != "proof"}
        expected.update(vc_jose.registered_claims(signed))
        if jws.payload != expected:
            problems.append("jwt: the payload is not the credential with its registered claims")
    return problems


def self_verifier(service):
    """A callable ``(document, jwt, did_document) -> list of problems`` using the full verifier.

    The issuer's DID document is passed in (the issuing transaction already holds the issuer and
    its keys), so the check needs no database round trip of its own.
    """
    base = verifier_for(service)

    def check(document: dict, token: str, did_document: dict | None = None) -> list[str]:
        verifier = base
        if did_document is not None:
            fallback = base._resolve_did
            verifier = base.with_resolver(
                lambda did: did_document if did == did_document["id"] else fallback(did))
        problems = []
        for form, subject in (("json-ld", document), ("jwt", token)):
            report = verifier.verify(subject, now=service.clock(), check_status=False)
            if not report.verified:
                problems.extend(f"{form}: {c.id}: {c.reason}" for c in report.checks if c.status == "failed")
        return problems

    return check
