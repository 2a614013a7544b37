"""The public verifier under hostile input (issue #9 §2): latency of normal verifications, time to
answer each hostile input, and server memory while distinct document shapes arrive.

Usage:  python bench/bench_hostile.py [--seconds 30] [--shapes 200]

Starts ``issuer serve`` (gunicorn gthread, 2 workers x 8 threads) on loopback with
``ISSUER_ALLOW_PRIVATE_FETCH=true`` (so verify-by-URL can reach a local host that accepts the
connection and never answers). Prints figures only; the pass/fail target is
``tests/api/test_availability.py``.
"""
from __future__ import annotations

import argparse
import copy
import json
import os
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.api.test_availability import _judge, _medium, _request, _SilentHost  # noqa: E402

from _server import running_server  # noqa: E402


def _rss_kib(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


def _server_pids(port: int) -> list[int]:
    """gunicorn master and workers listening on ``port`` (Linux /proc)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if "issuer.cli serve" in cmd and f"--port {port}" in cmd:
                pids.append(int(entry.name))
                pids.extend(int(c) for c in (entry / "task" / entry.name / "children").read_text().split())
    return sorted(set(pids))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--shapes", type=int, default=200)
    args = parser.parse_args()
    with running_server(extra_env={"ISSUER_ALLOW_PRIVATE_FETCH": "true"}) as (base, port, keys):
        status, issued, _ = _request(port, "POST", "/api/v1/credentials", json.dumps(
            {"course": "HV-2S", "learner": {"name": "Alex Muster", "email": "alex@example.org"}}).encode(),
            headers={"Authorization": f"Bearer {keys['emob-academy']}"})
        valid = json.dumps(issued["credential"]).encode()
        unsigned = copy.deepcopy(issued["credential"])
        unsigned.pop("proof")
        unsigned["evidence"] = [{"type": ["Evidence"], "name": f"e{i}"} for i in range(18_000)]
        huge = json.dumps(unsigned).encode()
        silent = _SilentHost()
        by_url = json.dumps({"url": f"http://127.0.0.1:{silent.port}/credential.json"}).encode()

        for name, body in (("huge (745 KB, 18,000 evidence)", huge), ("deep (5,000 levels)", b'{"a":' * 5000 + b"1" + b"}" * 5000)):
            times = [_request(port, "POST", "/api/v1/verify", body)[2] for _ in range(5)]
            print(f"alone: {name}: median {statistics.median(times) * 1000:.0f} ms")
        items = [_medium(issued["credential"], 999, i) for i in range(20)]
        start = time.monotonic()
        _request(port, "POST", "/api/v1/coverage", json.dumps({"credentials": items}).encode())
        print(f"alone: coverage, 20 credentials of new shapes: {time.monotonic() - start:.2f} s")

        pids = _server_pids(port)
        before = _rss_kib(pids)
        for i in range(args.shapes):
            shaped = copy.deepcopy(issued["credential"])
            shaped["evidence"] = [{"type": ["Evidence"], "name": f"e{k}"} for k in range(1 + i % 250)]
            shaped["credentialSubject"]["achievement"]["alignment"] = shaped["credentialSubject"]["achievement"][
                "alignment"][: 1 + i % 5]
            for _ in range(2):  # seen twice: a template is built
                _request(port, "POST", "/api/v1/verify", json.dumps(shaped).encode())
        after = _rss_kib(_server_pids(port))
        print(f"memory: {args.shapes} distinct shapes (each sent twice): server RSS {before / 1024:.0f} -> "
              f"{after / 1024:.0f} MiB (gunicorn processes and JSON-LD workers)")

        stop = threading.Event()
        hostile: dict[str, list[float]] = {"huge": [], "deep": [], "coverage": [], "silent-url": []}
        wrong: list[str] = []

        def loop(name, send):
            round_ = 0
            while not stop.is_set():
                status, body, elapsed = send(round_)
                hostile[name].append(elapsed)
                problem = _judge(name, status, body)
                if problem:
                    wrong.append(problem)
                round_ += 1

        senders = {
            "huge": lambda r: _request(port, "POST", "/api/v1/verify", huge),
            "deep": lambda r: _request(port, "POST", "/api/v1/verify", b'{"a":' * 5000 + b"1" + b"}" * 5000),
            "coverage": lambda r: _request(port, "POST", "/api/v1/coverage", json.dumps(
                {"credentials": [_medium(issued["credential"], r, i) for i in range(20)]}).encode()),
            "silent-url": lambda r: _request(port, "POST", "/api/v1/verify", by_url),
        }
        threads = [threading.Thread(target=loop, args=item, daemon=True) for item in senders.items()]
        for t in threads:
            t.start()
        normal = []
        end = time.monotonic() + args.seconds
        while time.monotonic() < end:
            normal.append(_request(port, "POST", "/api/v1/verify", valid)[2])
            time.sleep(0.05)
        stop.set()
        for t in threads:
            t.join(30)
        silent.close()
        q = statistics.quantiles(normal, n=100)
        print(f"under load ({args.seconds:.0f} s, 4 hostile clients): normal verify n={len(normal)} "
              f"p50 {q[49] * 1000:.0f} ms, p95 {q[94] * 1000:.0f} ms, max {max(normal) * 1000:.0f} ms")
        for name, times in hostile.items():
            print(f"  hostile {name}: n={len(times)}, median {statistics.median(times):.2f} s, max {max(times):.2f} s")
        print(f"  wrong answers: {len(wrong)} {wrong[:3]}")


if __name__ == "__main__":
    os.environ.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    main()
