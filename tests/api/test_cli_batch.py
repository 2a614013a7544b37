"""``issuer batch submit`` against a live ``issuer serve`` (progress bar, results CSV), ``issuer batch
status``, and ``issuer worker`` refusing to start without a broker."""
from __future__ import annotations

import csv
import os
import subprocess
import sys

from tests.conftest import PG_URL
from tests.jobs.live import Live, free_port


def _cli(args, env, cwd):
    return subprocess.run([sys.executable, "-m", "issuer.cli", *args], env=env, cwd=cwd, capture_output=True,
                          text=True, timeout=300)


def test_batch_submit_shows_progress_and_writes_results(tmp_path, database_url):
    port = free_port()
    env = {**os.environ, "ISSUER_INSTANCE_PATH": str(tmp_path / "instance"), "ISSUER_DATABASE_URL": database_url,
           "ISSUER_BASE_URL": f"http://localhost:{port}", "ISSUER_VERIFY_REMOTE_DID_WEB": "false",
           "ISSUER_JSONLD_WORKERS": "0"}
    env.pop("ISSUER_BROKER_URL", None)
    live = Live(tmp_path, env)
    try:
        live.serve(port, workers=1)
        cohort = tmp_path / "cohort.csv"
        cohort.write_text("course,name,email,grade,idempotencyKey\n"
                          "HV-2S,Ada,ada@example.org,A,lms-1\n"
                          "NOPE,Bob,bob@example.org,,\n"
                          "HV-2S,Cem,cem@example.org,B,lms-3\n", encoding="utf-8")
        refused = _cli(["batch", "submit", str(cohort), "--provider", "emob-academy"], env, tmp_path)
        assert refused.returncode == 1 and "line 3" in refused.stderr and "NOPE" in refused.stderr
        done = _cli(["batch", "submit", str(cohort), "--provider", "emob-academy", "--on-invalid", "issueValid"],
                    env, tmp_path)
        assert "issuing" in done.stdout and "2 issued, 1 failed" in done.stdout, done.stdout + done.stderr
        assert done.returncode == 1  # not every row was issued
        with (tmp_path / "cohort.results.csv").open(encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        assert [(r["index"], r["state"]) for r in rows] == [("2", "issued"), ("3", "failed"), ("4", "issued")]
        assert rows[0]["credentialId"] and "NOPE" in rows[1]["problem"]
        batch_id = done.stdout.split("batch ", 1)[1].split(":", 1)[0]
        status = _cli(["batch", "status", batch_id], env, tmp_path)
        assert status.returncode == 0 and "done, 2 issued, 1 failed, 0 pending of 3" in status.stdout
        assert _cli(["batch", "status", "no-such-batch"], env, tmp_path).returncode == 1
    finally:
        live.stop_all()


def test_worker_needs_a_broker(tmp_path):
    env = {**os.environ, "ISSUER_INSTANCE_PATH": str(tmp_path / "instance")}
    env.pop("ISSUER_BROKER_URL", None)
    if PG_URL:
        env.pop("ISSUER_DATABASE_URL", None)
    result = _cli(["worker"], env, tmp_path)
    assert result.returncode == 2 and "ISSUER_BROKER_URL" in result.stderr
