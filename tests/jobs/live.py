"""Real processes for the job tests: ``issuer serve`` and ``issuer worker`` in process groups of
their own (so ``kill -9`` reaches the gunicorn master and its workers at once), a private RabbitMQ
queue per test, and direct database reads of a batch's state."""
from __future__ import annotations

import http.client
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time

import pika
import pytest
from sqlalchemy import create_engine, text

BROKER_URL = os.environ.get("ISSUER_TEST_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672/%2F")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def broker_available() -> bool:
    try:
        pika.BlockingConnection(pika.URLParameters(BROKER_URL)).close()
        return True
    except Exception:  # noqa: BLE001 - any failure means "not there"
        return False


class PrivateQueue:
    """A Dramatiq queue name of one test; its RabbitMQ queues are deleted afterwards."""

    def __init__(self):
        self.name = "test-" + secrets.token_hex(6)

    def delete(self) -> None:
        connection = pika.BlockingConnection(pika.URLParameters(BROKER_URL))
        try:
            channel = connection.channel()
            for name in (self.name, f"{self.name}.DQ", f"{self.name}.XQ"):
                channel.queue_delete(name)
        finally:
            connection.close()


@pytest.fixture
def private_queue():
    if not broker_available():
        pytest.fail(f"RabbitMQ is not reachable at {BROKER_URL} (.ci/run starts it)")
    queue = PrivateQueue()
    yield queue
    queue.delete()


class Live:
    """Processes of one test; :meth:`stop_all` kills what is left."""

    def __init__(self, tmp_path, env: dict):
        self.tmp_path = tmp_path
        self.env = env
        self.procs: list[subprocess.Popen] = []

    def _spawn(self, args: list[str], log_name: str, env: dict | None = None) -> subprocess.Popen:
        log = open(self.tmp_path / log_name, "ab")  # noqa: SIM115 - closed with the process
        proc = subprocess.Popen([sys.executable, "-m", "issuer.cli", *args], env={**self.env, **(env or {})},
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                                cwd=self.tmp_path)
        proc.log = log
        self.procs.append(proc)
        return proc

    def serve(self, port: int, *, workers: int = 2, name: str = "serve") -> subprocess.Popen:
        proc = self._spawn(["serve", "--port", str(port), "--workers", str(workers), "--threads", "4"],
                           f"{name}.log", {"ISSUER_BASE_URL": self.env.get("ISSUER_BASE_URL",
                                                                            f"http://localhost:{port}")})
        deadline = time.time() + 90
        while time.time() < deadline:
            try:
                status, _ = call(port, "GET", "/readyz")
                if status == 200:
                    return proc
            except OSError:
                pass
            assert proc.poll() is None, self.log(f"{name}.log")
            time.sleep(0.3)
        raise AssertionError(self.log(f"{name}.log"))

    def worker(self, *, processes: int = 1, threads: int = 2, name: str = "worker") -> subprocess.Popen:
        proc = self._spawn(["worker", "--processes", str(processes), "--threads", str(threads)], f"{name}.log")
        deadline = time.time() + 60
        while time.time() < deadline:
            if "ready" in self.log(f"{name}.log"):
                return proc
            assert proc.poll() is None, self.log(f"{name}.log")
            time.sleep(0.2)
        raise AssertionError(self.log(f"{name}.log"))

    def log(self, name: str) -> str:
        path = self.tmp_path / name
        return path.read_text(errors="replace") if path.exists() else ""

    @staticmethod
    def kill9(proc: subprocess.Popen) -> None:
        """``kill -9`` the process and its whole group (gunicorn master and workers, forked workers)."""
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(10)
        proc.log.close()

    def stop_all(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                    proc.wait(20)
                except (ProcessLookupError, subprocess.TimeoutExpired):
                    self.kill9(proc)
            if not proc.log.closed:
                proc.log.close()


def call(port: int, method: str, path: str, body=None, headers: dict | None = None,
         content_type: str = "application/json") -> tuple[int, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        data = json.dumps(body) if body is not None and content_type == "application/json" else body
        conn.request(method, path, body=data, headers={"Content-Type": content_type, **(headers or {})})
        response = conn.getresponse()
        raw = response.read()
        return response.status, (json.loads(raw) if raw and response.getheader("Content-Type", "").endswith(
            "json") else {})
    finally:
        conn.close()


def item_states(database_url: str, batch_id: str) -> dict[str, int]:
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return dict(conn.execute(text("SELECT state, count(*) FROM batch_item WHERE batch_id = :b GROUP BY state"),
                                     {"b": batch_id}).all())
    finally:
        engine.dispose()


def wait_for(predicate, timeout: float, what: str, interval: float = 0.3):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what}")
