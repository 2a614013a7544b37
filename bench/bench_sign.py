"""eddsa-rdfc-2022 signatures per second per core, on a realistic credential with 5 alignments.

Usage:  python bench/bench_sign.py [--seconds 5]

Prints figures only (performance is measured here, never asserted in tests). Single process,
so the figure is per core. Each signature canonicalizes the document and the proof
configuration (RDFC-1.0) and signs with Ed25519; every credential differs (id, name, salt,
dates), so nothing is reused but the per-shape expansion template.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from issuer.badges.credential import (AchievementInput, AlignmentInput, CredentialExtras, Learner,  # noqa: E402
                                      build_achievement, build_credential)
from issuer.signing.jsonld.canonize import cache_info  # noqa: E402
from issuer.signing import eddsa_rdfc_2022, keys  # noqa: E402

BASE = "https://skills.example.org"
ISSUER = {"id": "did:web:skills.example.org:issuers:emob-academy", "type": ["Profile"],
          "name": "Academy of Electromobility", "url": "https://emob-academy.example.eu",
          "address": {"type": ["Address"], "addressCountryCode": "DE"}}
SKILLS = [("HV-SAFE", "High-voltage safety and de-energisation", 3), ("BAT-DIAG", "Battery module diagnostics", 3),
          ("THERM", "Battery thermal management", 2), ("CAN-DIAG", "CAN and automotive Ethernet diagnostics", 2),
          ("ISO26262", "Functional safety (ISO 26262)", 1)]


def achievement() -> dict:
    return build_achievement(AchievementInput(
        id=f"{BASE}/achievements/emob-academy-hv-tech-3", name="High-Voltage Battery Technician (Level 3)",
        description="Diagnose, repair and safely de-energise high-voltage traction batteries.",
        criteria="Passed a practical assessment on a live HV system and a written exam.", criteria_url=None,
        image_url=f"{BASE}/achievements/emob-academy-hv-tech-3/image", image_caption="HV Technician badge",
        code="HV-TECH-3",
        alignments=tuple(AlignmentInput(name=n, url=f"{BASE}/skills/DRIVES-ACM/{c}",
                                        framework="DRIVES Automotive Competence Matrix", code=c, level=lv)
                         for c, n, lv in SKILLS),
        learning_outcomes=("Apply the five safety rules on HV systems", "Diagnose cell imbalance"),
        workload_hours=80, ects=3, eqf_level=5, assessment_type="Practical and written examination",
        participation_form="blended", quality_assurance="Certified under ISO 21001", language="en"))


def credential(i: int, now: datetime) -> dict:
    status = {"id": f"{BASE}/status/7b0c#{i}", "type": "BitstringStatusListEntry", "statusPurpose": "revocation",
              "statusListIndex": str(i), "statusListCredential": f"{BASE}/status/7b0c"}
    return build_credential(credential_id=f"urn:uuid:{uuid.uuid4()}", issuer=ISSUER, achievement=achievement(),
                            learner=Learner(name=f"Learner {i}", email=f"learner{i}@example.org"), now=now,
                            extras=CredentialExtras(valid_for=timedelta(days=730), credential_status=status,
                                                    result={"type": ["Result"], "value": "B", "status": "Completed"}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--baseline", action="store_true",
                        help="also time plain pyld (jsonld.normalize per document), for comparison")
    args = parser.parse_args()
    key = keys.generate_ed25519()
    vm = ISSUER["id"] + "#key-ed25519-1"
    now = datetime(2026, 11, 21, tzinfo=timezone.utc)
    docs = [credential(i, now) for i in range(2000)]
    print(f"credential: {len(json.dumps(docs[0]))} bytes JSON, 5 alignments")
    eddsa_rdfc_2022.add_proof(docs[0], key, verification_method=vm, created=now)  # first shape: pyld (cold)
    rounds = []
    for _ in range(3):
        n, start = 0, time.perf_counter()
        while time.perf_counter() - start < args.seconds / 3:
            eddsa_rdfc_2022.add_proof(docs[n % len(docs)], key, verification_method=vm, created=now)
            n += 1
        rounds.append(n / (time.perf_counter() - start))
    print(f"eddsa-rdfc-2022 signatures/s (1 core): median {statistics.median(rounds):.0f} "
          f"(rounds: {', '.join(f'{r:.0f}' for r in rounds)})")
    print(f"per signature: {1000 / statistics.median(rounds):.3f} ms; template cache {cache_info()}")
    if args.baseline:
        print(f"plain pyld (jsonld.normalize, no template cache): {baseline(docs, key, vm, now, args.seconds):.0f} "
              "signatures/s")


def baseline(docs, key, vm, now, seconds: float) -> float:
    """The same signature computed with pyld's public API only (URDNA2015 on each document)."""
    import hashlib

    from pyld import jsonld

    from issuer.badges.contexts import document_loader

    def nquads(doc):
        return jsonld.normalize(doc, {"algorithm": "URDNA2015", "format": "application/n-quads",
                                      "documentLoader": document_loader})

    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds / 3:
        doc = docs[n % len(docs)]
        options = {"@context": doc["@context"], "type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022",
                   "created": "2026-11-21T00:00:00Z", "verificationMethod": vm, "proofPurpose": "assertionMethod"}
        data = hashlib.sha256(nquads(options).encode()).digest() + hashlib.sha256(nquads(doc).encode()).digest()
        keys.ed25519_sign(key, data)
        n += 1
    return n / (time.perf_counter() - start)


if __name__ == "__main__":
    main()
