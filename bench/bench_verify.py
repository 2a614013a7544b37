"""Verifications per second per core: eddsa-rdfc-2022 credentials and ES256 VC-JWTs.

Usage:  python bench/bench_verify.py [--seconds 5]

Prints figures only (performance is measured here, never asserted in tests). Single process, so the
figures are per core. The credentials are realistic (5 alignments, hashed e-mail identifier, result,
status entry) and all different; the DID document comes from memory and, for the "with status" line,
the signed 131,072-entry status list too, so the cost is the verifier's own work with warm caches
(every check of the report runs, including the status list's own proof verification).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_sign import BASE, ISSUER, credential  # noqa: E402

from issuer.signing import eddsa_rdfc_2022, keys, vc_jose  # noqa: E402
from issuer.status.bitstring import Bitstring, encode  # noqa: E402
from issuer.verify import Verifier  # noqa: E402

DID = ISSUER["id"]


def did_document(ed_key, p256_key) -> dict:
    methods = [
        {"id": f"{DID}#key-ed25519-1", "type": "Multikey", "controller": DID,
         "publicKeyMultibase": keys.ed25519_public_multibase(ed_key)},
        {"id": f"{DID}#key-p256-1", "type": "JsonWebKey", "controller": DID, "publicKeyJwk": keys.public_jwk(p256_key)},
    ]
    return {"id": DID, "verificationMethod": methods, "assertionMethod": [m["id"] for m in methods]}


def status_list(ed_key, now: datetime) -> dict:
    url = f"{BASE}/status/7b0c"
    document = {
        "@context": ["https://www.w3.org/ns/credentials/v2"], "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"], "issuer": DID,
        "validFrom": "2026-11-01T00:00:00Z",
        "credentialSubject": {"id": f"{url}#list", "type": "BitstringStatusList", "statusPurpose": "revocation",
                              "encodedList": encode(Bitstring.from_indices(131072, [3, 99, 4000]))},
    }
    return eddsa_rdfc_2022.add_proof(document, ed_key, verification_method=f"{DID}#key-ed25519-1", created=now)


def rate(verifier: Verifier, subjects: list, now: datetime, seconds: float, check_status: bool) -> list[float]:
    report = verifier.verify(subjects[0], now=now, check_status=check_status)  # cold: first shape
    if not report.verified:
        raise SystemExit(f"benchmark credential does not verify: {report.to_dict()['checks']}")
    rounds = []
    for _ in range(3):
        n, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds / 3:
            verifier.verify(subjects[n % len(subjects)], now=now, check_status=check_status)
            n += 1
        rounds.append(n / (time.perf_counter() - start))
    return rounds


def show(label: str, rounds: list[float]) -> None:
    median = statistics.median(rounds)
    print(f"{label}: median {median:.0f}/s, {1000 / median:.2f} ms each "
          f"(rounds: {', '.join(f'{r:.0f}' for r in rounds)})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    ed_key, p256_key = keys.generate_ed25519(), keys.generate_p256()
    now = datetime(2026, 11, 21, tzinfo=timezone.utc)
    document = did_document(ed_key, p256_key)
    listed = status_list(ed_key, now)
    verifier = Verifier(resolve_did=lambda did: document, fetch_status_list=lambda url: listed)
    docs = [credential(i, now) for i in range(200)]
    signed = [eddsa_rdfc_2022.add_proof(d, ed_key, verification_method=f"{DID}#key-ed25519-1", created=now)
              for d in docs]
    tokens = [vc_jose.sign_vc_jwt(d, p256_key, alg="ES256", kid=f"{DID}#key-p256-1") for d in docs]
    print(f"{len(docs)} distinct credentials, 5 alignments each; 1 core; warm caches")
    show("eddsa-rdfc-2022 verifications (no status)", rate(verifier, signed, now, args.seconds, False))
    show("eddsa-rdfc-2022 verifications (with status)", rate(verifier, signed, now, args.seconds, True))
    show("ES256 VC-JWT verifications (no status)", rate(verifier, tokens, now, args.seconds, False))
    show("ES256 VC-JWT verifications (with status)", rate(verifier, tokens, now, args.seconds, True))


if __name__ == "__main__":
    main()
