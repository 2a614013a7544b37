"""Status lists built and secured by third-party libraries read right in our verifier.

The bits are encoded by @digitalbazaar/vc-bitstring-status-list; the list credential is secured by
panva ``jose`` as a VC-JWT (``typ`` ``vc+jwt`` with ``cty`` ``vc``, or ``typ`` ``JWT`` alone, also
wrapped in an ``EnvelopedVerifiableCredential``) or by @digitalbazaar/vc with ``eddsa-rdfc-2022``.
Each is served to our verifier through the injected ``fetch_status_list``, as a wallet would fetch it.
"""
from __future__ import annotations

import base64
import json
from datetime import datetime, timezone

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from issuer.resolve import did_key_from_public_key
from issuer.badges.contexts import OB_V3P0, VC_V2
from issuer.signing.eddsa_rdfc_2022 import add_proof
from issuer.signing.keys import public_jwk
from issuer.verify import Verifier

NOW = datetime(2025, 7, 1, tzinfo=timezone.utc)
LIST_URL = "https://lists.example/status/3"
LENGTH = 131072
REVOKED, UNTOUCHED = 4242, 4243
SEED = bytes(range(7, 39))


def _b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


@pytest.fixture(scope="module")
def key():
    return Ed25519PrivateKey.from_private_bytes(SEED)


@pytest.fixture(scope="module")
def did(key):
    return did_key_from_public_key(key)


def _private_jwk(key) -> dict:
    raw = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                            serialization.NoEncryption())
    return {**public_jwk(key), "d": _b64u(raw)}


def _list(did: str, encoded: str) -> dict:
    return {"@context": [VC_V2], "id": LIST_URL, "type": ["VerifiableCredential", "BitstringStatusListCredential"],
            "issuer": did, "validFrom": "2025-06-01T00:00:00Z",
            "credentialSubject": {"id": f"{LIST_URL}#list", "type": "BitstringStatusList",
                                  "statusPurpose": "revocation", "encodedList": encoded}}


def _credential(key, did: str, index: int) -> dict:
    document = {
        "@context": [VC_V2, OB_V3P0], "id": f"urn:uuid:5d1c4e2a-7b3f-4c8d-9e1f-{index:012d}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"], "name": "Battery Diagnostics",
        "issuer": {"id": did, "type": ["Profile"], "name": "Invented Training Institute"},
        "validFrom": "2025-06-01T10:00:00Z",
        "credentialStatus": {"id": f"{LIST_URL}#{index}", "type": "BitstringStatusListEntry",
                             "statusPurpose": "revocation", "statusListIndex": str(index),
                             "statusListCredential": LIST_URL},
        "credentialSubject": {"id": "did:example:learner-mira-0001", "type": ["AchievementSubject"],
                              "achievement": {"id": "https://training.example/achievements/battery",
                                              "type": ["Achievement"], "name": "Battery Diagnostics",
                                              "description": "Diagnoses faults in traction batteries.",
                                              "criteria": {"narrative": "Pass the practical assessment."}}},
    }
    return add_proof(document, key, verification_method=f"{did}#{did[8:]}",
                     created=datetime(2025, 6, 1, 10, tzinfo=timezone.utc))


@pytest.fixture(scope="module")
def served(node_harness, key, did):
    encoded = node_harness.encode_list(LENGTH, [REVOKED])["encodedList"]
    unsigned = _list(did, encoded)
    jwk, kid = _private_jwk(key), f"{did}#{did[8:]}"
    vc_jwt = node_harness.sign_jws(unsigned, {"alg": "EdDSA", "kid": kid, "typ": "vc+jwt", "cty": "vc"}, jwk)
    plain_jwt = node_harness.sign_jws(unsigned, {"alg": "EdDSA", "kid": kid, "typ": "JWT"}, jwk)
    data_integrity = node_harness.sign(unsigned, "eddsa-rdfc-2022", SEED, created="2025-06-01T00:00:00Z")["signed"]
    assert data_integrity["issuer"] == did
    return {
        "jose vc+jwt cty=vc": vc_jwt,
        "jose JWT": plain_jwt,
        "enveloped jose vc+jwt": json.dumps({"@context": [VC_V2], "type": "EnvelopedVerifiableCredential",
                                             "id": f"data:application/vc+jwt,{vc_jwt}"}),
        "Digital Bazaar eddsa-rdfc-2022": data_integrity,
    }


@pytest.mark.parametrize("form", ["jose vc+jwt cty=vc", "jose JWT", "enveloped jose vc+jwt",
                                  "Digital Bazaar eddsa-rdfc-2022"])
def test_third_party_list_reads_revoked_and_valid(served, key, did, form):
    fetched = []

    def fetch(url):
        fetched.append(url)
        return served[form]

    verifier = Verifier(resolve_did=lambda d: pytest.fail(f"unexpected resolution of {d}"), fetch_status_list=fetch)
    revoked = verifier.verify(_credential(key, did, REVOKED), now=NOW)
    assert revoked.check("status").status == "failed" and revoked.check("status").reason.startswith("revoked")
    fresh = verifier.verify(_credential(key, did, UNTOUCHED), now=NOW)
    assert fresh.check("status").status == "passed", fresh.check("status")
    assert fresh.verified, [c.to_dict() for c in fresh.checks if c.status == "failed"]
    assert fetched == [LIST_URL, LIST_URL]
