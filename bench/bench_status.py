"""Bitstring Status List figures: regenerate and sign a list of 131,072 and of 1,048,576 entries,
and revocation requests per second over HTTP on PostgreSQL.

Usage:  python bench/bench_status.py [--pg URL] [--revocations 400] [--clients 8]

"Regenerate and sign" is what happens when a changed list is next requested: build the
bitstring from the set positions, GZIP + base64url it, build the BitstringStatusListCredential
and sign it with eddsa-rdfc-2022. Lists with 1 % of their positions set are used.
"""
from __future__ import annotations

import argparse
import http.client
import random
import statistics
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench._server import pg_schema, post_json, running_server  # noqa: E402
from issuer.signing import eddsa_rdfc_2022, keys  # noqa: E402
from issuer.status.lists import build_list_credential  # noqa: E402


def regenerate(length: int, rounds: int = 15) -> tuple[float, int]:
    key = keys.generate_ed25519()
    rng = random.Random(7)
    status_list = SimpleNamespace(length=length, status_size=1, public_id="3f1c0a7e-0000-4000-8000-000000000001",
                                  purpose="revocation")
    values = {p: 1 for p in rng.sample(range(length), length // 100)}
    now = datetime(2026, 11, 21, tzinfo=timezone.utc)
    times, size = [], 0
    for i in range(rounds + 1):
        values[rng.randrange(length)] = 1  # the list changed
        t0 = time.perf_counter()
        doc = build_list_credential(base_url="https://skills.example.org", status_list=status_list,
                                    issuer="did:web:skills.example.org:issuers:bbz", set_values=values,
                                    now_iso="2026-11-21T00:00:00Z")
        signed = eddsa_rdfc_2022.add_proof(doc, key, verification_method="did:web:skills.example.org:issuers:bbz#k",
                                           created=now)
        if i:  # the first round also builds the shape template
            times.append(time.perf_counter() - t0)
        size = len(signed["credentialSubject"]["encodedList"])
    return statistics.median(times) * 1000, size


def revocations(pg: str, total: int, clients: int) -> None:
    with pg_schema(pg) as url, running_server(url, workers=2) as (_, port, keys_by_slug):
        key = keys_by_slug["bbz-alpenvorland"]
        headers = {"Authorization": f"Bearer {key}"}
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        ids = []
        for i in range(total):
            status, body = post_json(conn, "/api/v1/credentials", {"course": "ADAS-CAL", "learner": {
                "name": f"R {i}", "email": f"r{i}@example.org"}}, headers)
            assert status == 201, body
            ids.append(body["id"])
        chunks = [ids[i::clients] for i in range(clients)]
        latencies: list[float] = []
        lock = threading.Lock()

        def client(chunk):
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            local = []
            for cid in chunk:
                t0 = time.perf_counter()
                status, _ = post_json(c, f"/api/v1/credentials/{cid}/revoke", {"reason": "bench"}, headers)
                assert status == 200
                local.append(time.perf_counter() - t0)
            with lock:
                latencies.extend(local)

        threads = [threading.Thread(target=client, args=(c,)) for c in chunks]
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - t0
        latencies.sort()
        print(f"revocations over HTTP on PostgreSQL: {total / elapsed:.0f}/s with {clients} clients "
              f"(median {statistics.median(latencies) * 1000:.1f} ms, p95 "
              f"{latencies[int(len(latencies) * .95) - 1] * 1000:.1f} ms)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--revocations", type=int, default=400)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--skip-http", action="store_true")
    args = parser.parse_args()
    for length in (131072, 1048576):
        ms, size = regenerate(length)
        print(f"regenerate + sign a {length:,}-entry list (1% set): median {ms:.1f} ms "
              f"(encodedList {size:,} characters)")
    if not args.skip_http:
        revocations(args.pg, args.revocations, args.clients)


if __name__ == "__main__":
    main()
