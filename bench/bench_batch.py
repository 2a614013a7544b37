"""Batch issuance on PostgreSQL with ``issuer worker`` processes on this machine (issue #12 §5).

Usage:  python bench/bench_batch.py [--items 100000] [--per-batch 10000] [--processes 2] [--threads 2]
                                     [--pg URL] [--broker URL] [--every 10000]

Starts ``issuer serve`` (1 gunicorn worker, enqueues only) and ``issuer worker --processes P
--threads T`` against a fresh PostgreSQL schema and a private RabbitMQ queue, submits ``--items``
course completions as batches of ``--per-batch`` (``POST /api/v1/batches``), then prints, every
``--every`` issued items, the rate of the last stretch and overall, and the workers' resident
memory (RSS, all worker processes) at the first mark and at the end. The figure to compare is the
total time for 100,000 credentials (target: 5 minutes) and the RSS growth from 10,000 to 100,000
(target: under 100 MB).
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench._server import free_port, pg_schema  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` and its children (MB), from /proc."""
    pids = [pid]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) == pid:
                    pids.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    total = 0
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def call(port: int, method: str, path: str, key: str, body=None) -> tuple[int, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    try:
        conn.request(method, path, body=json.dumps(body) if body is not None else None,
                     headers={"Content-Type": "application/json", "Authorization": f"Bearer {key}"})
        response = conn.getresponse()
        data = response.read()
        return response.status, json.loads(data) if data else {}
    finally:
        conn.close()


def issued_count(database_url: str) -> int:
    from sqlalchemy import create_engine, text
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM batch_item WHERE state IN ('issued', 'failed')")).scalar()
    finally:
        engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--per-batch", type=int, default=10_000)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--every", type=int, default=10_000)
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--broker", default="amqp://guest:guest@127.0.0.1:5672/%2F")
    args = parser.parse_args()
    queue = "bench-" + secrets.token_hex(4)
    port = free_port()
    with pg_schema(args.pg) as database_url, tempfile.TemporaryDirectory() as instance:
        env = {**os.environ, "ISSUER_INSTANCE_PATH": instance, "ISSUER_BASE_URL": f"http://localhost:{port}",
               "ISSUER_DATABASE_URL": database_url, "ISSUER_VERIFY_REMOTE_DID_WEB": "false",
               "ISSUER_BROKER_URL": args.broker, "ISSUER_JOB_QUEUE": queue, "ISSUER_RATE_LIMITS_ENABLED": "false",
               "ISSUER_BATCH_MAX_ITEMS": str(args.per_batch), "ISSUER_BATCH_MAX_BYTES": str(64 * 1024 * 1024),
               "ISSUER_JSONLD_WORKERS": "0"}
        procs = []
        try:
            serve = subprocess.Popen([sys.executable, "-m", "issuer.cli", "serve", "--port", str(port), "--workers",
                                      "1"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     start_new_session=True)
            procs.append(serve)
            deadline = time.time() + 90
            while time.time() < deadline:
                try:
                    if call(port, "GET", "/readyz", "")[0] == 200:
                        break
                except OSError:
                    time.sleep(0.3)
            keys = dict(line.split(" ", 1) for line in (Path(instance) / "demo-api-key.txt").read_text().splitlines())
            key = keys["emob-academy"]
            submitted = time.perf_counter()
            batches = []
            for start in range(0, args.items, args.per_batch):
                n = min(args.per_batch, args.items - start)
                items = [{"course": "HV-2S", "learner": {"name": f"Learner {start + i}",
                                                          "email": f"l{start + i}@example.org"}} for i in range(n)]
                status, body = call(port, "POST", "/api/v1/batches", key, {"items": items})
                if status != 202:
                    print(f"submission failed: {status} {body}", file=sys.stderr)
                    return 1
                batches.append(body["id"])
            print(f"submitted {args.items} items in {len(batches)} batch(es) in "
                  f"{time.perf_counter() - submitted:.1f} s (validation included)")
            worker = subprocess.Popen([sys.executable, "-m", "issuer.cli", "worker", "--processes",
                                       str(args.processes), "--threads", str(args.threads)], cwd=ROOT, env=env,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
            procs.append(worker)
            started = last_time = time.perf_counter()
            mark, last_done, first_rss = args.every, 0, None
            print(f"{'issued':>8} {'elapsed s':>10} {'rate (stretch)/s':>17} {'rate (all)/s':>13} {'worker RSS MB':>14}")
            while True:
                done = issued_count(database_url)
                now = time.perf_counter()
                while done >= mark:
                    rss = rss_mb(worker.pid)
                    first_rss = rss if first_rss is None else first_rss
                    print(f"{mark:>8} {now - started:>10.1f} {(mark - last_done) / (now - last_time):>17.1f} "
                          f"{mark / (now - started):>13.1f} {rss:>14.0f}", flush=True)
                    last_done, last_time, mark = mark, now, mark + args.every
                if done >= args.items:
                    break
                if worker.poll() is not None:
                    print("the worker exited", file=sys.stderr)
                    return 1
                time.sleep(0.5)
            total = time.perf_counter() - started
            rss = rss_mb(worker.pid)
            print(f"total: {args.items} credentials in {total:.1f} s ({args.items / total:.1f}/s) with "
                  f"{args.processes} worker process(es) x {args.threads} thread(s)")
            print(f"worker RSS: {first_rss:.0f} MB at {args.every}, {rss:.0f} MB at {args.items} "
                  f"(growth {rss - first_rss:+.0f} MB)")
        finally:
            for proc in procs:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                    proc.wait(30)
                except (ProcessLookupError, subprocess.TimeoutExpired):
                    os.killpg(proc.pid, signal.SIGKILL)
            import pika  # reason: only the clean-up talks to RabbitMQ directly
            connection = pika.BlockingConnection(pika.URLParameters(args.broker))
            channel = connection.channel()
            for name in (queue, f"{queue}.DQ", f"{queue}.XQ"):
                channel.queue_delete(name)
            connection.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
