"""``issuer serve`` for real: gunicorn workers, first-start initialisation, an issue over HTTP.

Runs on SQLite by default and on PostgreSQL in the PostgreSQL pass (production set-up).
"""
from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time

from tests.conftest import PG_URL


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_initialises_and_issues_with_gunicorn_workers(tmp_path, database_url):
    port = _port()
    env = {**os.environ, "ISSUER_INSTANCE_PATH": str(tmp_path / "instance"),
           "ISSUER_BASE_URL": f"http://localhost:{port}", "ISSUER_VERIFY_REMOTE_DID_WEB": "false"}
    if PG_URL:
        env["ISSUER_DATABASE_URL"] = database_url
    proc = subprocess.Popen([sys.executable, "-m", "issuer.cli", "serve", "--port", str(port), "--workers", "3"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        lines = []
        deadline = time.time() + 60
        while time.time() < deadline:
            line = proc.stdout.readline()
            lines.append(line)
            if "Serving on" in line:
                break
        output = "".join(lines)
        assert "Demo provider 'emob-academy' API key: obk_" in output, output
        assert f"http://localhost:{port}/verify" in output
        key = output.split("API key: ")[1].split()[0]
        if not PG_URL:
            assert (tmp_path / "instance" / "issuer.db").exists()
        for _ in range(100):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                conn.request("GET", "/issuers/emob-academy/did.json")
                ready = conn.getresponse().status == 200
                conn.close()  # gthread workers keep connections alive
                if ready:
                    break
            except OSError:
                time.sleep(0.2)
        statuses = []
        for i in range(6):  # spread over the workers
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("POST", "/api/v1/credentials", body=json.dumps(
                {"course": "HV-2S", "learner": {"name": f"L{i}", "email": f"l{i}@example.org"}}),
                headers={"Content-Type": "application/json", "Authorization": f"Bearer {key}"})
            response = conn.getresponse()
            body = json.loads(response.read())
            conn.close()
            statuses.append(response.status)
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("POST", "/api/v1/verify", body=json.dumps(body["credential"]),
                         headers={"Content-Type": "application/json"})
            assert json.loads(conn.getresponse().read())["verified"] is True
            conn.close()
        assert statuses == [201] * 6
        # metrics of every worker are summed (prometheus-client multiprocess mode)
        for _ in range(4):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("GET", "/metrics")
            text = conn.getresponse().read().decode()
            conn.close()
            assert 'issuer_issuance_total{outcome="issued"} 6.0' in text, text[:2000]
            assert 'issuer_verification_total{outcome="verified"} 6.0' in text
        for probe in ("/healthz", "/readyz"):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("GET", probe)
            response = conn.getresponse()
            response.read()
            conn.close()
            assert response.status == 200
    finally:
        proc.terminate()
        proc.wait(20)
        proc.stdout.close()
