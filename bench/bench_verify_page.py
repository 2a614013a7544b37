"""The public verification page under load: latency percentiles at a fixed arrival rate.

Usage:  python bench/bench_verify_page.py [--rate 50] [--seconds 20] [--workers 2] [--path verify]

Starts ``issuer serve`` (gunicorn, SQLite, demo data), issues a few credentials, then requests
``GET /credentials/<id>/verify`` (or ``--path coverage`` / ``api``) at a fixed rate (open loop:
arrivals do not wait for responses) and prints p50/p95/p99 latency. Each page verifies the
credential on the spot (proof, key binding through the DID document, status list).
"""
from __future__ import annotations

import argparse
import http.client
import json
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench._server import post_json, running_server  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=50)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--path", choices=["verify", "api"], default="verify")
    args = parser.parse_args()
    with running_server(workers=args.workers) as (_, port, keys):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        ids, docs = [], []
        for i in range(10):
            status, body = post_json(conn, "/api/v1/credentials", {"course": "ADAS-CAL", "learner": {
                "name": f"Page {i}", "email": f"p{i}@example.org"}}, {"Authorization": f"Bearer {keys['bbz-alpenvorland']}"})
            assert status == 201, body
            ids.append(body["id"])
            docs.append(json.dumps(body["credential"]))
        local = threading.local()

        def one(i: int) -> float:
            c = getattr(local, "conn", None)
            if c is None:
                c = local.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            t0 = time.perf_counter()
            if args.path == "api":
                c.request("POST", "/api/v1/verify", body=docs[i % len(docs)],
                          headers={"Content-Type": "application/json"})
            else:
                c.request("GET", f"/credentials/{ids[i % len(ids)]}/verify", headers={"Accept": "text/html"})
            response = c.getresponse()
            data = response.read()
            assert response.status == 200 and (b"erif" in data), response.status
            return time.perf_counter() - t0

        for i in range(20):  # warm-up
            one(i)
        total = int(args.rate * args.seconds)
        futures = []
        with ThreadPoolExecutor(max_workers=32) as pool:
            start = time.perf_counter()
            for i in range(total):
                delay = start + i / args.rate - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                futures.append(pool.submit(one, i))
            latencies = sorted(f.result() for f in futures)
        elapsed = time.perf_counter() - start
        pct = lambda q: latencies[min(len(latencies) - 1, int(len(latencies) * q))] * 1000  # noqa: E731
        print(f"{'GET /credentials/<id>/verify' if args.path == 'verify' else 'POST /api/v1/verify'} at "
              f"{args.rate:.0f} req/s for {elapsed:.0f} s ({len(latencies)} requests, {args.workers} workers): "
              f"p50 {pct(.5):.1f} ms, p95 {pct(.95):.1f} ms, p99 {pct(.99):.1f} ms, "
              f"mean {statistics.mean(latencies) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
