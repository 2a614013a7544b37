"""schemathesis against a live HTTP server, with a fixed seed: no 5xx, and every response conforms
to /openapi.json (status code, content type, headers, body schema). Runs on the test database
(SQLite, or PostgreSQL under ISSUER_TEST_DATABASE_URL), so both CI passes run it.

Bounded: ISSUER_SCHEMATHESIS_EXAMPLES examples per operation (default 10; about a minute).
"""
from __future__ import annotations

import base64
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from issuer import create_app
from issuer.service import build_service
from issuer.demo.setup import demo_api_keys, initialize
from tests.conftest import ADMIN_TOKEN, make_config

CHECKS = ("not_a_server_error,status_code_conformance,content_type_conformance,"
          "response_headers_conformance,response_schema_conformance")
SEED = 20261130


@pytest.fixture
def live_server(tmp_path, database_url):
    # Rate limits are tested on their own (test_limits.py); here they would only hide operations.
    svc = build_service(make_config(tmp_path, database_url, RATE_LIMITS_ENABLED=False))
    initialize(svc, load_demo=True)
    app = create_app(service=svc)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", app, demo_api_keys(svc)
    server.shutdown()
    thread.join(5)
    server.server_close()
    svc.close()


def test_schemathesis_finds_no_server_error_and_no_nonconforming_response(live_server, tmp_path):
    base, app, keys = live_server
    key = keys["emob-academy"]
    client = app.test_client()
    auth = {"Authorization": f"Bearer {key}"}
    issued = client.post("/api/v1/credentials", headers=auth,
                         json={"course": "HV-2S", "learner": {"name": "A", "email": "a@example.org"}}).get_json()
    entry = issued["credential"]["credentialStatus"]
    status_list = (entry[0] if isinstance(entry, list) else entry)["statusListCredential"].rsplit("/", 1)[1]
    made = client.post("/api/v1/oauth/clients", json={"name": "st", "scope": "credentials:read credentials:issue"},
                       headers=auth).get_json()
    basic = base64.b64encode(f"{made['clientId']}:{made['clientSecret']}".encode()).decode()
    config = tmp_path / "schemathesis.toml"
    config.write_text(f'''headers = {{ Authorization = "Bearer {key}" }}

[parameters]
"path.credential_id" = "{issued['id']}"
"path.public_id" = "{status_list}"

[[operations]]
include-path-regex = "^/oauth/"
headers = {{ Authorization = "Basic {basic}" }}

[[operations]]
include-path = "/api/v1/matrix"
headers = {{ Authorization = "Bearer {ADMIN_TOKEN}" }}
''')
    examples = os.environ.get("ISSUER_SCHEMATHESIS_EXAMPLES", "10")
    # One worker: on CPython 3.11 two threads calling ast.parse at once (hypothesis describes its
    # strategies that way) can fail with "AST constructor recursion depth mismatch" (fixed in 3.12).
    command = [str(Path(sys.executable).parent / "schemathesis"), "--config-file", str(config), "run",
               f"{base}/openapi.json", "--url", base, "--seed", str(SEED), "--max-examples", examples,
               "--phases", "examples,coverage,fuzzing", "--checks", CHECKS, "--workers", "1", "--no-color",
               "--request-timeout", "30", "--generation-database", "none", "--suppress-health-check", "all"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=tmp_path,
                            env={**os.environ, "SCHEMATHESIS_TELEMETRY": "false"})
    report = result.stdout + result.stderr
    artifacts = os.environ.get("ISSUER_TEST_ARTIFACTS")
    if artifacts:
        Path(artifacts).mkdir(parents=True, exist_ok=True)
        (Path(artifacts) / f"schemathesis-{'pg' if 'postgresql' in str(app.extensions['issuer'].engine.url) else 'sqlite'}.txt").write_text(report)
    assert result.returncode == 0, report[-6000:]
    selected = re.search(r"Selected: (\d+)/(\d+)\s+Tested: (\d+)", report)
    assert selected and selected.group(1) == selected.group(2) == selected.group(3), report[-3000:]
    assert int(selected.group(3)) >= 50  # every operation schemathesis found was exercised
    summary = report[report.find("Test cases:"):]
    print(summary.strip().splitlines()[1] if "Test cases:" in report else report[-500:])
