"""Builders for verifier tests: issuers (did:key, did:web), credentials, proofs, raw JWS tokens, lists.

Factories are plain functions with overridable defaults. Raw JWS tokens are assembled by hand (not with
PyJWT) so that tests can produce headers PyJWT would refuse to write: ``alg: none``, duplicate members,
``crit``, ``jku`` ...
"""
from __future__ import annotations

import base64
import copy
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from issuer.resolve import DidError, did_key_from_public_key, resolve_did_key
from issuer.badges.contexts import OB_V3P0, VC_V2
from issuer.signing.eddsa_rdfc_2022 import add_proof, create_proof
from issuer.verify.runtime import schema_folder
from issuer.signing.keys import ed25519_public_multibase, generate_ed25519, public_jwk
from issuer.signing.vc_jose import registered_claims
from issuer.status.bitstring import Bitstring, encode
from issuer.verify import Verifier

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=timezone.utc)
ISSUED = NOW - timedelta(days=30)
MIN_LIST = 131072


def iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- issuers ---------------------------------------------------------------------------------------


@dataclass
class Issuer:
    """A DID issuer: its id, signing key, assertion VM id and DID document."""

    did: str
    key: object
    vm: str
    document: dict

    def profile(self) -> dict:
        return {"id": self.did, "type": ["Profile"], "name": "Skills Hub Test Academy"}


def did_key_issuer(key=None) -> Issuer:
    key = key or generate_ed25519()
    did = did_key_from_public_key(key)
    document = resolve_did_key(did)
    return Issuer(did, key, document["assertionMethod"][0], document)


def did_web_issuer(name: str = "acme", key=None, *, relationship: str = "assertionMethod",
                   extra_keys: tuple = ()) -> Issuer:
    """A did:web issuer whose key ``#key-1`` is listed under ``relationship`` only."""
    key = key or generate_ed25519()
    did = f"did:web:issuer.example:{name}"
    vm = f"{did}#key-1"
    methods = [_vm(did, "key-1", key)] + [_vm(did, f"key-{i + 2}", k) for i, k in enumerate(extra_keys)]
    document = {"@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
                "id": did, "verificationMethod": methods, relationship: [vm]}
    document["assertionMethod"] = document.get("assertionMethod", []) + [m["id"] for m in methods[1:]]
    return Issuer(did, key, vm, document)


def _vm(did: str, fragment: str, key) -> dict:
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return {"id": f"{did}#{fragment}", "type": "Multikey", "controller": did,
                "publicKeyMultibase": ed25519_public_multibase(key)}
    return {"id": f"{did}#{fragment}", "type": "JsonWebKey", "controller": did, "publicKeyJwk": public_jwk(key)}


@dataclass
class Resolver:
    """A fake ``resolve_did``: did:key locally, listed documents, else DidError; records every call."""

    documents: dict = field(default_factory=dict)
    calls: list = field(default_factory=list)
    error: Exception | None = None

    def add(self, *issuers: Issuer) -> "Resolver":
        for issuer in issuers:
            self.documents[issuer.did] = issuer.document
        return self

    def __call__(self, did: str) -> dict:
        self.calls.append(did)
        if self.error is not None:
            raise self.error
        if did.startswith("did:key:"):
            return resolve_did_key(did)
        if did in self.documents:
            return copy.deepcopy(self.documents[did])
        raise DidError(f"{did} not found", code="notFound")


class NeverFetch:
    """A ``fetch_status_list`` that must not be called."""

    def __init__(self):
        self.calls = []

    def __call__(self, url):
        self.calls.append(url)
        raise AssertionError(f"unexpected fetch of {url}")


def verifier(resolver: Resolver | None = None, official_schema_dir=None, **kwargs) -> Verifier:
    if official_schema_dir is not None:
        kwargs["official_schemas"] = schema_folder(official_schema_dir)
    return Verifier(resolve_did=resolver or Resolver(), **kwargs)


# --- credentials -----------------------------------------------------------------------------------


def alignments(n: int = 5) -> list[dict]:
    return [{"type": ["Alignment"], "targetName": f"Skill {i}", "targetUrl": f"https://skills.example/s/{i}",
             "targetCode": f"S{i}", "targetFramework": "Automotive Skills Matrix 2024",
             "targetType": "ext:CompetenceMatrixSkill"} for i in range(1, n + 1)]


def credential(issuer: Issuer | str, **overrides) -> dict:
    """An unsigned OB 3.0 AchievementCredential (VC 2.0) for ``issuer`` with 5 alignments."""
    issuer_value = issuer.profile() if isinstance(issuer, Issuer) else issuer
    doc = {
        "@context": [VC_V2, OB_V3P0],
        "id": "urn:uuid:2b1f0e84-4a3c-4f7e-9b5e-0c5b8a1d2e3f",
        "type": ["VerifiableCredential", "AchievementCredential"],
        "name": "Brake Systems Technician",
        "description": "Awarded for completing the brake systems course.",
        "issuer": issuer_value,
        "validFrom": iso(ISSUED),
        "credentialSubject": {
            "id": "did:example:learner-42",
            "type": ["AchievementSubject"],
            "name": "Ada Lovelace",
            "achievement": {
                "id": "https://skills.example/achievements/brakes",
                "type": ["Achievement"],
                "name": "Brake Systems",
                "description": "Diagnose and repair hydraulic brake systems.",
                "criteria": {"narrative": "Pass the practical assessment."},
                "alignment": alignments(),
            },
        },
    }
    doc.update(overrides)
    return doc


def sign_di(document: dict, issuer: Issuer, *, vm: str | None = None, key=None, created: datetime = ISSUED,
            loader=None, **kwargs) -> dict:
    extra = {"loader": loader} if loader is not None else {}
    return add_proof(document, key or issuer.key, verification_method=vm or issuer.vm, created=created,
                     **extra, **kwargs)


def di_proof(document: dict, issuer: Issuer, **kwargs) -> dict:
    return create_proof(document, issuer.key, verification_method=issuer.vm, created=ISSUED, **kwargs)


def signed(issuer: Issuer, **overrides) -> dict:
    return sign_di(credential(issuer, **overrides), issuer)


# --- raw JWS ---------------------------------------------------------------------------------------


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _to_bytes(value) -> bytes:
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    if isinstance(value, str):
        return value.encode("utf-8")
    return json.dumps(value, separators=(",", ":")).encode("utf-8")


def sign_bytes(key, alg: str, data: bytes) -> bytes:
    if alg == "EdDSA":
        return key.sign(data)
    if alg == "ES256":
        r, s = decode_dss_signature(key.sign(data, ec.ECDSA(hashes.SHA256())))
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")
    if alg == "RS256":
        return key.sign(data, padding.PKCS1v15(), hashes.SHA256())
    raise ValueError(alg)


def raw_jws(header, payload, key=None, alg: str | None = None, signature: bytes | None = None) -> str:
    """``header.payload.signature``; header/payload may be dicts or exact JSON text."""
    signing_input = b64u(_to_bytes(header)) + "." + b64u(_to_bytes(payload))
    if signature is None:
        signature = sign_bytes(key, alg, signing_input.encode("ascii")) if key is not None else b""
    return signing_input + "." + b64u(signature)


def jwt_payload(document: dict, **claims) -> dict:
    payload = dict(document)  # an embedded proof, if any, stays in the payload (OB 3.0 §8.2.4)
    payload.update(registered_claims(document))
    payload.update(claims)
    return {k: v for k, v in payload.items() if v is not None}


def alg_for(key) -> str:
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return "EdDSA"
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return "ES256"
    if isinstance(key, rsa.RSAPrivateKey):
        return "RS256"
    raise TypeError(key)


def vc_jwt(document: dict, issuer: Issuer, *, header: dict | None = None, key=None, **claims) -> str:
    """A VC-JWT of ``document`` signed by ``issuer`` with ``kid`` = its VM (header overridable)."""
    key = key or issuer.key
    alg = alg_for(key)
    head = {"alg": alg, "typ": "JWT", "kid": issuer.vm} if header is None else header
    return raw_jws(head, jwt_payload(document, **claims), key, alg)


# --- status lists ----------------------------------------------------------------------------------

LIST_URL = "https://issuer.example/status/1"


def status_entry(index: int = 7, purpose: str = "revocation", **extra) -> dict:
    entry = {"id": f"{LIST_URL}#{index}", "type": "BitstringStatusListEntry", "statusPurpose": purpose,
             "statusListIndex": str(index), "statusListCredential": LIST_URL}
    entry.update(extra)
    return entry


def status_list(issuer: Issuer, *, set_values: dict[int, int] | None = None, purpose: str = "revocation",
                length: int = MIN_LIST, size: int = 1, sign: bool = True, **overrides) -> dict:
    bits = Bitstring(length * size)
    for index, value in (set_values or {}).items():
        bits.set_status(index, value, size)
    doc = {
        "@context": [VC_V2],
        "id": LIST_URL,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer.did,
        "validFrom": iso(ISSUED),
        "credentialSubject": {"id": f"{LIST_URL}#list", "type": "BitstringStatusList",
                              "statusPurpose": purpose, "encodedList": encode(bits)},
    }
    doc.update(overrides)
    return sign_di(doc, issuer) if sign else doc


def checks(report) -> dict[str, str]:
    """``{check id: status}`` of a report."""
    return {c.id: c.status for c in report.checks}


def failed_ids(report) -> set[str]:
    return {c.id for c in report.checks if c.status == "failed"}


