"""End-to-end HTTP issuance per second with persistence, on SQLite and on PostgreSQL.

Usage:  python bench/bench_issue_http.py [--seconds 15] [--clients 8] [--workers 2] [--pg URL]
                                          [--js-seconds 6] [--only sqlite|postgresql]

Starts ``issuer serve`` (gunicorn) on loopback with the demo data and drives
``POST /api/v1/credentials`` from client threads with keep-alive connections. Each request
builds, signs (eddsa-rdfc-2022 + VC-JWT), self-verifies and stores a credential with a status
list position. The client shares the 2 cores with the server, so figures are a lower bound.

The client is lean on purpose: one ``http.client`` keep-alive connection per thread, a request
body pre-serialized per thread with a counter spliced in, and the response read but not parsed
(only its status is checked). Its CPU share is printed (process CPU time / wall time).

Beside our figure, the same run measures the JavaScript stack: ``node interop/bench-sign.mjs``
(single-threaded, ``@digitalbazaar/vc`` ``issue`` with the ``eddsa-rdfc-2022`` cryptosuite) signing
the same credential shape: the first credential the server issued, without its proof, with a fresh
id and learner name per copy. It runs while the server is idle, before our load.
"""
from __future__ import annotations

import argparse
import copy
import http.client
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench._server import pg_schema, post_json, running_server  # noqa: E402


JS_HARNESS = Path(__file__).resolve().parent.parent / "interop" / "bench-sign.mjs"


def js_sign_rate(sample: dict, seconds: float) -> dict | None:
    """The Digital Bazaar stack's single-threaded eddsa-rdfc-2022 signing rate on ``sample``'s shape
    (``node interop/bench-sign.mjs``); None when node or interop/node_modules is missing."""
    if not (JS_HARNESS.parent / "node_modules").is_dir():
        print("JS: interop/node_modules is missing (cd interop && npm ci); no JS figure")
        return None
    unsigned = {k: v for k, v in sample.items() if k != "proof"}
    copies = []
    for n in range(200):
        doc = copy.deepcopy(unsigned)
        doc["id"] = f"urn:uuid:00000000-0000-4000-8000-{n:012d}"
        doc["credentialSubject"]["name"] = f"Bench JS {n}"
        copies.append(doc)
    out = subprocess.run(["node", str(JS_HARNESS)], input=json.dumps({"credentials": copies, "seconds": seconds}),
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def drive(port: int, key: str, seconds: float, clients: int) -> tuple[int, list[float], int]:
    stop = time.perf_counter() + seconds
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {key}"}

    def client(i: int):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        local, n = [], 0
        template = json.dumps({"course": "ADAS-CAL", "learner": {"name": f"Bench {i}-NNN",
                                                                 "email": f"b{i}.NNN@example.org"}})
        while time.perf_counter() < stop:
            t0 = time.perf_counter()
            conn.request("POST", "/api/v1/credentials", body=template.replace("NNN", str(n)).encode(),
                         headers=headers)
            response = conn.getresponse()
            response.read()
            local.append(time.perf_counter() - t0)
            n += 1
            if response.status != 201:
                with lock:
                    errors[0] += 1
        with lock:
            latencies.extend(local)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    start = time.perf_counter()
    cpu0 = time.process_time()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    drive.client_cpu = (time.process_time() - cpu0) / elapsed
    return len(latencies) / elapsed, latencies, errors[0]


def report(name: str, rate: float, latencies: list[float], errors: int, js: dict | None = None) -> None:
    latencies.sort()
    p95 = latencies[int(len(latencies) * 0.95) - 1] * 1000
    print(f"{name}: {rate:.0f} credentials/s over HTTP with persistence "
          f"(n={len(latencies)}, median {statistics.median(latencies) * 1000:.1f} ms, p95 {p95:.1f} ms, "
          f"errors {errors}; client CPU {drive.client_cpu * 100:.0f}% of one core)")
    if js:
        print(f"  JS (node {js['node']}, @digitalbazaar/vc eddsa-rdfc-2022, 1 thread, same shape): "
              f"{js['perSecond']:.0f} signatures/s -> ours / JS = {rate / js['perSecond']:.2f}x "
              f"(target >= 2x)")


def _first_credential(port: int, key: str) -> dict:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    status, body = post_json(conn, "/api/v1/credentials", {"course": "ADAS-CAL", "learner": {
        "name": "Bench First", "email": "first@example.org"}}, {"Authorization": f"Bearer {key}"})
    assert status == 201, body
    return body["credential"]


def run(name: str, port: int, keys: dict, args) -> None:
    key = keys["bbz-alpenvorland"]
    sample = _first_credential(port, key)
    js = js_sign_rate(sample, args.js_seconds) if args.js_seconds > 0 else None
    drive(port, key, 2, args.clients)  # warm-up (template caches)
    report(f"{name}, {args.workers} workers x {args.threads} threads", *drive(port, key, args.seconds, args.clients),
           js=js)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--threads", type=int, default=8, help="gthread threads per worker")
    parser.add_argument("--js-seconds", type=float, default=6, help="0: no JS comparison")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} CPUs; client: {args.clients} threads of http.client in this process")
    env = {"ISSUER_RATE_LIMIT_ISSUE": "1000000 per minute"}  # the default 600/min would answer 429
    if args.only != "postgresql":
        with running_server(workers=args.workers, extra_env=env, threads=args.threads) as (_, port, keys):
            run("SQLite", port, keys, args)
    if args.only != "sqlite":
        with pg_schema(args.pg) as url, running_server(url, workers=args.workers, extra_env=env,
                                                    threads=args.threads) as (_, port, keys):
            run("PostgreSQL", port, keys, args)


if __name__ == "__main__":
    main()
