"""End-to-end HTTP issuance per second with persistence, on SQLite and on PostgreSQL.

Usage:  python bench/bench_issue_http.py [--seconds 15] [--clients 8] [--workers 2] [--pg URL]

Starts ``issuer serve`` (gunicorn) on loopback with the demo data and drives
``POST /api/v1/credentials`` from client threads with keep-alive connections. Each request
builds, signs (eddsa-rdfc-2022 + VC-JWT), self-verifies and stores a credential with a status
list position. The client shares the 2 cores with the server, so figures are a lower bound.
"""
from __future__ import annotations

import argparse
import http.client
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench._server import pg_schema, post_json, running_server  # noqa: E402


def drive(port: int, key: str, seconds: float, clients: int) -> tuple[int, list[float], int]:
    stop = time.perf_counter() + seconds
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def client(i: int):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        local, n = [], 0
        while time.perf_counter() < stop:
            t0 = time.perf_counter()
            status, _ = post_json(conn, "/api/v1/credentials",
                                  {"course": "ADAS-CAL", "learner": {"name": f"Bench {i}-{n}",
                                                                     "email": f"b{i}.{n}@example.org"}},
                                  {"Authorization": f"Bearer {key}"})
            local.append(time.perf_counter() - t0)
            n += 1
            if status != 201:
                with lock:
                    errors[0] += 1
        with lock:
            latencies.extend(local)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    return len(latencies) / elapsed, latencies, errors[0]


def report(name: str, rate: float, latencies: list[float], errors: int) -> None:
    latencies.sort()
    p95 = latencies[int(len(latencies) * 0.95) - 1] * 1000
    print(f"{name}: {rate:.0f} credentials/s over HTTP with persistence "
          f"(n={len(latencies)}, median {statistics.median(latencies) * 1000:.1f} ms, p95 {p95:.1f} ms, "
          f"errors {errors})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    if args.only != "postgresql":
        with running_server(workers=args.workers) as (_, port, keys):
            drive(port, keys["bbz-alpenvorland"], 2, args.clients)  # warm-up (template caches)
            report(f"SQLite, {args.workers} workers", *drive(port, keys["bbz-alpenvorland"], args.seconds,
                                                               args.clients))
    if args.only != "sqlite":
        with pg_schema(args.pg) as url, running_server(url, workers=args.workers) as (_, port, keys):
            drive(port, keys["bbz-alpenvorland"], 2, args.clients)
            report(f"PostgreSQL, {args.workers} workers", *drive(port, keys["bbz-alpenvorland"], args.seconds,
                                                                   args.clients))


if __name__ == "__main__":
    main()
