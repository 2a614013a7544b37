"""Text direction (``@direction``) canonicalizes as in the reference ``eddsa-rdfc-2022`` suite.

Our signatures over credentials with a directed string verify in @digitalbazaar/vc, Digital Bazaar's
signatures verify in ours, and a flipped direction fails in both (w3c/vc-data-integrity#366,
digitalbazaar/jsonld-signatures#187). The third-party verifier gets only the contexts its packages ship.
"""
from __future__ import annotations

import copy
import json
from datetime import datetime, timezone

import pytest

from issuer.resolve import did_key_from_public_key
from issuer.badges.contexts import OB_V3P0, VC_V2
from issuer.signing.eddsa_rdfc_2022 import add_proof
from issuer.signing.keys import generate_ed25519
from issuer.verify import Verifier
from tests.spec import case_path

NOW = datetime(2025, 7, 1, tzinfo=timezone.utc)
SEED = bytes(range(1, 33))


def _credential(issuer: str, direction: str = "rtl") -> dict:
    return {
        "@context": [VC_V2, OB_V3P0],
        "id": "urn:uuid:7a9d2c1e-3b4f-4e5a-8c6d-000000000011",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": {"@value": "شهادة في تشخيص البطاريات", "@language": "ar", "@direction": direction},
        "issuer": {"id": issuer, "type": ["Profile"], "name": "Invented Training Institute"},
        "validFrom": "2025-06-01T10:00:00Z",
        "credentialSubject": {
            "id": "did:example:learner-mira-0001", "type": ["AchievementSubject"],
            "achievement": {"id": "https://training.example/achievements/battery-diagnostics",
                            "type": ["Achievement"], "name": "Battery Diagnostics",
                            "description": {"@value": "تشخيص بطاريات الجر 48V-800V", "@language": "ar",
                                            "@direction": direction},
                            "criteria": {"narrative": "Pass the practical assessment."}},
        },
    }


def _flip(document: dict) -> dict:
    flipped = copy.deepcopy(document)
    value = flipped["credentialSubject"]["achievement"]["description"]
    value["@direction"] = "ltr" if value["@direction"] == "rtl" else "rtl"
    return flipped


def _ours(document) -> bool:
    """Our proof check (a VC 2.0 Open Badge's schema wants plain strings, so ``verified`` is not the point)."""
    report = Verifier(resolve_did=lambda did: pytest.fail(f"unexpected resolution of {did}")).verify(
        document, now=NOW, check_status=False)
    return report.check("proof").status == "passed" and report.check("key_binding").status == "passed"


def test_our_signature_over_directed_text_verifies_in_digital_bazaar(node_harness):
    key = generate_ed25519()
    did = did_key_from_public_key(key)
    signed = add_proof(_credential(did), key, verification_method=f"{did}#{did.split(':')[-1]}",
                       created=datetime(2025, 6, 1, 10, tzinfo=timezone.utc))
    result = node_harness.verify(signed)
    assert result["verified"] is True, result
    assert _ours(signed)
    flipped = _flip(signed)
    assert node_harness.verify(flipped)["verified"] is False
    assert not _ours(flipped)


def test_digital_bazaar_signature_over_directed_text_verifies_in_ours(node_harness):
    signed = node_harness.sign(_credential("did:key:placeholder"), "eddsa-rdfc-2022", SEED,
                               created="2025-06-01T10:00:00Z")["signed"]
    assert _ours(signed)
    assert not _ours(_flip(signed))


@pytest.mark.parametrize("name, verified", [
    ("11b-vc11-direction-reference-signed.json", True),
    ("11b-vc11-direction-reference-flipped.json", False),
    ("11b-vc11-direction-dropped-signed.json", False),
    ("11b-vc11-direction-dropped-flipped.json", False),
])
def test_direction_cases_agree_with_digital_bazaar(node_harness, name, verified):
    """The reference library and ours give each text-direction case the README's verdict."""
    document = json.loads(case_path("interop", name).read_text(encoding="utf-8"))
    assert node_harness.verify(document)["verified"] is verified
    assert _ours(document) is verified
    report = Verifier(resolve_did=lambda did: pytest.fail(did)).verify(document, now=NOW, check_status=False)
    assert report.verified is verified
