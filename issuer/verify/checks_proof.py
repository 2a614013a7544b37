"""The ``proof`` check: every embedded Data Integrity proof, or the VC-JWT signature and claims.

* VC Data Integrity 1.0 §4.4 "Verify Proof" and §4.6 "Verify Proof Sets and Chains": required members
  (``type``, ``verificationMethod``, ``proofPurpose``), the expected purpose ``assertionMethod``,
  ``created``/``expires``; in a proof set EVERY proof must verify (catalog DI-09..DI-17).
* Data Integrity EdDSA Cryptosuites v1.0: ``eddsa-rdfc-2022`` (§3.3) and the legacy
  ``Ed25519Signature2020`` (appendix); ``proofValue`` is multibase base58-btc of 64 bytes.
* Open Badges 3.0 §8.2.6 for VC-JWT (see :mod:`issuer.signing.jwt_verify`; catalog JWT-01..JWT-15).

Only the cryptographic validity against the key named by the proof is decided here; whether that
key belongs to the issuer is the ``key_binding`` check.
"""
from __future__ import annotations

from pyld import jsonld

from ..signing.jsonld.canonize import CanonizationError
from ..badges.contexts import ContextNotAllowed
from ..signing.jsonld.safemode import DataLossError
from ..signing import ed25519_signature_2020, eddsa_rdfc_2022
from ..signing.eddsa_rdfc_2022 import ProofError
from ..signing.jwt_verify import (
    ALLOWED_HEADER_MEMBERS, OB_REQUIRED_CLAIMS, STATUS_LIST_HEADER_MEMBERS, JwsError, check_claims, check_header,
    verify_signature,
)
from ..signing.keys import KeyError_, PublicKeyInfo, public_key_from_jwk
from .keys import KeyLookupError, key_for_method, same_key
from .report import PROOF, SAFE_MODE, CheckResult
from .state import KeyUse, VerifyState, failed, issuer_id, parse_datetime, passed, skipped

__all__ = ["check_proof"]

_MISSING = object()
PURPOSE = "assertionMethod"


class _ProofFailure(Exception):
    def __init__(self, reason: str, code: str = "PROOF_VERIFICATION_ERROR") -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code


def check_proof(state: VerifyState) -> CheckResult:
    """Verify the credential's proof(s): the JWS for a VC-JWT, else every embedded proof."""
    if state.is_jwt:
        return _check_jwt(state)
    return _check_embedded(state)


# --- Data Integrity ------------------------------------------------------------------------------


def _proof_list(credential: dict) -> list[dict]:
    proof = credential.get("proof", _MISSING)
    if proof is _MISSING:
        raise _ProofFailure("the credential has no proof", "PARSING_ERROR")
    proofs = proof if isinstance(proof, list) else [proof]
    if not proofs or not all(isinstance(p, dict) for p in proofs):
        raise _ProofFailure("proof must be an object or a non-empty array of objects", "PARSING_ERROR")
    return proofs


def _secured_document(state: VerifyState) -> tuple[dict, str | None]:
    """The document the embedded proofs signed, and its canonical form if already computed: inside a
    VC-JWT, the credential as the JWT carries it, before fields were taken from the JWT claims."""
    secured = state.parsed.as_secured
    if secured is not None and state.parsed.from_claims:
        return secured, None
    return state.credential, state.transformed


def _check_embedded(state: VerifyState) -> CheckResult:
    try:
        proofs = _proof_list(state.credential)
    except _ProofFailure as exc:
        return failed(PROOF, exc.reason, exc.code)
    if len(proofs) > state.policy.max_proofs:
        return failed(PROOF, f"{len(proofs)} proofs: more than the {state.policy.max_proofs} accepted "
                             f"(the verifier's limit VERIFY_MAX_PROOFS)", "PROOF_VERIFICATION_ERROR",
                      {"limit": "VERIFY_MAX_PROOFS", "max": state.policy.max_proofs, "found": len(proofs)})
    if not state.ok(SAFE_MODE):
        return skipped(PROOF, "the credential could not be canonicalized safely, so its proof cannot be checked")
    outcomes = [_verify_one(state, proof, i) for i, proof in enumerate(proofs)]
    bad = [o for o in outcomes if not o["verified"]]
    detail = {"proofs": outcomes}
    if bad:
        prefix = f"proof {bad[0]['index'] + 1} of {len(proofs)}: " if len(proofs) > 1 else ""
        return failed(PROOF, prefix + bad[0]["reason"], bad[0]["code"], detail)
    noun = "the proof verifies" if len(proofs) == 1 else f"all {len(proofs)} proofs verify"
    return passed(PROOF, f"{noun} ({_describe_keys(state)})", detail)


def _describe_keys(state: VerifyState) -> str:
    methods = sorted({u.method or "header jwk" for u in state.key_uses})
    return "signed with " + ", ".join(m[:120] for m in methods)


def _verify_one(state: VerifyState, proof: dict, index: int) -> dict:
    outcome = {"index": index, "type": proof.get("type"), "cryptosuite": proof.get("cryptosuite"),
               "verificationMethod": proof.get("verificationMethod")}
    try:
        suite = _suite_for(state, proof)
        _check_members(state, proof)
        key, source = key_for_method(state, proof["verificationMethod"])
        if key.alg != "EdDSA":
            raise _ProofFailure(f"the verification method holds a {key.alg} key, not an Ed25519 key")
        _verify_signature(state, suite, proof, key)
    except _ProofFailure as exc:
        return {**outcome, "verified": False, "reason": exc.reason, "code": exc.code}
    except KeyLookupError as exc:
        return {**outcome, "verified": False, "reason": str(exc), "code": "PROOF_VERIFICATION_ERROR"}
    state.key_uses.append(KeyUse("data-integrity", proof["verificationMethod"], key, source))
    return {**outcome, "verified": True, "reason": "signature verified", "code": None, "keySource": source}


def _suite_for(state: VerifyState, proof: dict):
    proof_type = proof.get("type")
    allowed = state.policy.cryptosuites
    if proof_type == eddsa_rdfc_2022.PROOF_TYPE:
        suite = proof.get("cryptosuite")
        if not isinstance(suite, str):
            raise _ProofFailure("a DataIntegrityProof must name its cryptosuite")
        if suite not in allowed or suite != eddsa_rdfc_2022.CRYPTOSUITE:
            raise _ProofFailure(f"cryptosuite {suite[:60]!r} is not accepted (accepted: {', '.join(allowed)})")
        return eddsa_rdfc_2022
    if proof_type == ed25519_signature_2020.PROOF_TYPE and proof_type in allowed:
        return ed25519_signature_2020
    raise _ProofFailure(f"proof type {str(proof_type)[:60]!r} is not supported")


def _check_members(state: VerifyState, proof: dict) -> None:
    for name in ("verificationMethod", "proofPurpose", "proofValue"):
        if not isinstance(proof.get(name), str):
            raise _ProofFailure(f"the proof has no {name}")
    if proof["proofPurpose"] != PURPOSE:
        raise _ProofFailure(f"proofPurpose is {proof['proofPurpose'][:60]!r}; a credential needs {PURPOSE!r}")
    if "previousProof" in proof:
        raise _ProofFailure("proof chains (previousProof) are not supported")
    skew = state.policy.clock_skew
    if "created" in proof:
        created = parse_datetime(proof["created"], require_tz=False)
        if created is None:
            raise _ProofFailure("proof created is not a valid date-time", "MALFORMED_VALUE_ERROR")
        if created > state.now + skew:
            raise _ProofFailure("proof created is in the future")
    if "expires" in proof:
        expires = parse_datetime(proof["expires"], require_tz=False)
        if expires is None:
            raise _ProofFailure("proof expires is not a valid date-time", "MALFORMED_VALUE_ERROR")
        if expires < state.now - skew:
            raise _ProofFailure("the proof has expired")


def _verify_signature(state: VerifyState, suite, proof: dict, key: PublicKeyInfo) -> None:
    try:
        document, transformed = _secured_document(state)
        check = suite.verify_proof(document, proof, key.key, state.loader, transformed=transformed)
    except DataLossError as exc:
        raise _ProofFailure(f"the proof options would lose data: {exc.problems[0]}", "DATA_LOSS_DETECTION_ERROR")
    except (ContextNotAllowed, ProofError, CanonizationError, jsonld.JsonLdError) as exc:
        raise _ProofFailure(f"the proof cannot be processed: {str(exc).splitlines()[0][:200]}")
    if not check.verified:
        raise _ProofFailure(check.reason or "the signature does not verify")


# --- VC-JWT --------------------------------------------------------------------------------------


def _jwt_kid(state: VerifyState, kid: object) -> object:
    """``kid`` as a DID URL: a bare fragment (``#key-1``) is relative to the issuer's DID (VC-JOSE-COSE
    §3.3 key discovery); the key must still be an assertion key of that issuer (``key_binding``)."""
    if isinstance(kid, str) and kid.startswith("#"):
        issuer = issuer_id(state.credential)
        if isinstance(issuer, str) and issuer.startswith("did:") and "#" not in issuer:
            return issuer + kid
    return kid


def _jwt_key(state: VerifyState, header: dict) -> tuple[PublicKeyInfo, str, object]:
    kid, jwk = _jwt_kid(state, header.get("kid")), header.get("jwk")
    jwk_key = None
    if jwk is not None:
        try:
            jwk_key = public_key_from_jwk(jwk)
        except KeyError_ as exc:
            raise KeyLookupError(f"the jwk header is not an acceptable public key: {exc}") from None
    if isinstance(kid, str) and kid.startswith("did:"):
        key, _ = key_for_method(state, kid)
        if jwk_key is not None and not same_key(key, jwk_key):
            raise KeyLookupError("the jwk header and the key named by kid differ")
        return key, "did", kid
    if jwk_key is not None:
        return jwk_key, "jwk-header", kid
    raise KeyLookupError(f"kid {str(kid)[:100]!r} is not a DID URL and there is no jwk: "
                         "keys are never fetched from URLs")


def _check_jwt(state: VerifyState) -> CheckResult:
    """The JWS (OB 3.0 §8.2.6), or for a status list credential the VC-JWT of VC-JOSE-COSE §3.1.1:
    a ``cty`` header is then allowed and ``iss``/``jti``, which only an Open Badge must carry, are not
    required (its issuer must still match the credential's: see the ``status`` check)."""
    jws = state.parsed.jws
    algorithms = state.policy.jwt_algorithms
    ob = state.kind == "ob"
    members = ALLOWED_HEADER_MEMBERS if ob else STATUS_LIST_HEADER_MEMBERS
    try:
        alg = check_header(jws.header, algorithms, members=members)
        key, source, kid = _jwt_key(state, jws.header)
        verify_signature(jws, key, algorithms, members=members)
    except (JwsError, KeyLookupError) as exc:
        return failed(PROOF, str(exc), getattr(exc, "code", "PROOF_VERIFICATION_ERROR"))
    problems = check_claims(jws.payload, state.credential, vc_claim=state.parsed.vc_claim,
                            required=OB_REQUIRED_CLAIMS if ob else ())
    if problems:
        return failed(PROOF, f"the JWT claims contradict the credential: {problems[0]}",
                      "PROOF_VERIFICATION_ERROR", {"problems": problems})
    state.key_uses.append(KeyUse("jwt", kid, key, source))
    detail = {"alg": alg, "keySource": source}
    if "proof" in state.credential:
        embedded = _check_embedded(state)
        detail["embeddedProof"] = embedded.to_dict()
        if not embedded:
            return failed(PROOF, f"the JWS verifies but an embedded proof does not: {embedded.reason}",
                          embedded.code or "PROOF_VERIFICATION_ERROR", detail)
    return passed(PROOF, f"the {alg} JWS signature verifies and its claims match the credential", detail)
