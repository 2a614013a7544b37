"""Start a real server (gunicorn through ``issuer serve``) on loopback for the benchmarks."""
from __future__ import annotations

import http.client
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def pg_schema(url: str):
    """A fresh PostgreSQL schema; yields a URL whose search_path points at it."""
    from sqlalchemy import create_engine, text
    schema = "bench_" + secrets.token_hex(4)
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"
    finally:
        with engine.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


@contextmanager
def running_server(database_url: str | None = None, workers: int = 2, extra_env: dict | None = None,
                   threads: int = 8):
    """Yields (base_url, demo API keys by provider slug)."""
    port = free_port()
    with tempfile.TemporaryDirectory() as instance:
        env = {**os.environ, "ISSUER_INSTANCE_PATH": instance, "ISSUER_BASE_URL": f"http://localhost:{port}",
               "ISSUER_VERIFY_REMOTE_DID_WEB": "false", **(extra_env or {})}
        if database_url:
            env["ISSUER_DATABASE_URL"] = database_url
        proc = subprocess.Popen([sys.executable, "-m", "issuer.cli", "serve", "--port", str(port),
                                 "--workers", str(workers), "--threads", str(threads)], cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.time() + 60
            while time.time() < deadline:
                try:
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                    conn.request("GET", "/issuers/emob-academy/did.json")
                    if conn.getresponse().status == 200:
                        break
                except OSError:
                    time.sleep(0.3)
            else:
                raise RuntimeError("server did not start")
            keys = dict(line.split(" ", 1) for line in
                        (Path(instance) / "demo-api-key.txt").read_text().splitlines() if " " in line)
            yield f"http://localhost:{port}", port, keys
        finally:
            proc.terminate()
            proc.wait(10)


def post_json(conn: http.client.HTTPConnection, path: str, body: dict, headers: dict) -> tuple[int, dict]:
    conn.request("POST", path, body=json.dumps(body), headers={"Content-Type": "application/json", **headers})
    response = conn.getresponse()
    data = response.read()
    return response.status, json.loads(data) if data else {}
