"""JSON-LD work under a deadline, in a small pool of worker processes (issue #9 §2, catalog DI-21, P-02).

pyld cannot be interrupted: its node map is quadratic in array length and RDFC-1.0 is exponential
on poison graphs (rdf-canon §7.1). Threads cannot be killed, so every expansion and full
canonicalization that is not on the template fast path (:mod:`.canonize`) runs in a worker
process, and a worker that misses its deadline is killed and replaced.

* The pool is per server process: ``issuer serve`` starts it when a gunicorn worker loads the
  app (:func:`prestart`), anything else at its first job. Workers are fresh interpreters
  (``python -c`` running :func:`_worker_main`, about 0.15 s CPU to start, then a warm-up that loads
  the credential contexts), never forks of a threaded server, so they are safe under gunicorn
  ``gthread`` and ``sync`` workers alike. Workers are reused: the happy path starts no process per
  request; a killed worker is replaced in the background at once. Each worker's address space is
  capped (``WORKER_MEMORY_BYTES``), so a memory bomb fails the job, not the host.
* ``size`` workers at most. A job waits for a free worker until the request's budget ends (outside
  a request: until a starting worker is ready); its own deadline counts from when it starts.
* :func:`budget` sets one total deadline for all JSON-LD work of a request (a context variable):
  each job runs under ``min(job deadline, what is left of the budget)``.
* With ``size == 0`` (:func:`configure`), jobs run in the calling process without a deadline
  (command-line use, where the operator can interrupt).

Settings: ``JSONLD_WORKERS`` (default 2), ``JSONLD_DEADLINE_SECONDS`` (2.0),
``JSONLD_BUDGET_SECONDS`` (3.0) - see docs/limits.md.
"""
from __future__ import annotations

import atexit
import contextlib
import contextvars
import importlib
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection
from pathlib import Path

__all__ = ["DeadlineExceeded", "WorkerFailed", "configure", "run", "budget", "budget_left", "settings", "shutdown",
           "prestart",
           "DEFAULT_DEADLINE_S", "DEFAULT_WORKERS"]

DEFAULT_DEADLINE_S = 2.0
DEFAULT_WORKERS = 2
WORKER_MEMORY_BYTES = 1024 * 1024 * 1024  # address-space cap of a worker (RLIMIT_AS)
STARTUP_TIMEOUT_S = 60.0  # a worker that is not ready by then is given up (and started again on demand)
WARM_UP = "issuer.signing.jsonld.canonize.warm_up"  # run once in each new worker, before it reports ready
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[len(__name__.split(".")) - 1])  # the folder holding issuer/
_BUDGET: contextvars.ContextVar[float | None] = contextvars.ContextVar("jsonld_budget", default=None)


class DeadlineExceeded(Exception):
    """The job did not finish within its deadline (or the request's JSON-LD budget was spent);
    ``limit`` names the setting that stopped it."""

    def __init__(self, message: str, limit: str = "JSONLD_DEADLINE_SECONDS") -> None:
        super().__init__(message)
        self.limit = limit


class WorkerFailed(Exception):
    """The job raised in the worker: ``kind`` is the exception class name, ``payload`` its data."""

    def __init__(self, kind: str, message: str, payload=None) -> None:
        super().__init__(message)
        self.kind, self.payload = kind, payload


# --- the worker side --------------------------------------------------------------------------


def _describe(exc: BaseException) -> tuple[str, str, object]:
    payload = getattr(exc, "problems", None)
    if payload is None and isinstance(getattr(exc, "url", None), str):
        payload = exc.url
    return type(exc).__name__, str(exc)[:2000], payload


def _worker_main() -> None:  # pragma: no cover - runs in the worker process
    receive = Connection(os.dup(0), writable=False)
    reply_to = Connection(os.dup(1), readable=False)
    os.dup2(2, 1)  # stray prints go to stderr, never into the reply channel
    try:
        import resource  # reason: POSIX only, and only in the worker
        resource.setrlimit(resource.RLIMIT_AS, (WORKER_MEMORY_BYTES, WORKER_MEMORY_BYTES))
    except (ImportError, ValueError, OSError):
        pass
    with contextlib.suppress(Exception):
        _resolve(WARM_UP)()
    reply_to.send(("ready",))
    while True:
        try:
            name, args = receive.recv()
        except (EOFError, OSError):
            return
        try:
            reply = ("ok", _resolve(name)(*args))
        except BaseException as exc:  # noqa: BLE001 - every failure goes back to the caller
            reply = ("error", *_describe(exc))
        try:
            reply_to.send(reply)
        except (OSError, ValueError):
            return
        except Exception as exc:  # noqa: BLE001 - e.g. a result that cannot be pickled
            reply_to.send(("error", *_describe(exc)))


def _resolve(name: str) -> Callable:
    """The function at dotted path ``name`` (jobs are named, so the pool stays generic)."""
    module, _, attr = name.rpartition(".")
    return getattr(importlib.import_module(module), attr)


# --- the pool ---------------------------------------------------------------------------------


class _Worker:
    """One worker interpreter, spoken to over its stdin/stdout pipes (pickled messages)."""

    def __init__(self) -> None:
        path = os.pathsep.join(filter(None, [_PACKAGE_ROOT, os.environ.get("PYTHONPATH")]))
        self.process = subprocess.Popen([sys.executable, "-c", f"from {__name__} import _worker_main; _worker_main()"],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        env={**os.environ, "PYTHONPATH": path}, close_fds=True)
        self.send_conn = Connection(os.dup(self.process.stdin.fileno()), readable=False)
        self.recv_conn = Connection(os.dup(self.process.stdout.fileno()), writable=False)
        self.process.stdin.close()
        self.process.stdout.close()

    def wait_ready(self, timeout: float) -> bool:
        try:
            return self.recv_conn.poll(timeout) and self.recv_conn.recv() == ("ready",)
        except (EOFError, OSError):
            return False

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        with contextlib.suppress(Exception):
            self.process.kill()
        with contextlib.suppress(Exception):
            self.process.wait(2.0)
        for conn in (self.send_conn, self.recv_conn):
            with contextlib.suppress(Exception):
                conn.close()


class _Pool:
    """``size`` warm workers. Starting one (a fresh interpreter, contexts loaded) happens in the
    background and never counts against a job's deadline; a killed worker is replaced at once."""

    def __init__(self, size: int, deadline: float, budget_s: float) -> None:
        self.size, self.deadline, self.budget = size, deadline, budget_s
        self._idle: list[_Worker] = []
        self._live = 0  # idle + busy + starting
        self._cond = threading.Condition()
        self._pid = os.getpid()
        self._closed = False
        self.started = 0
        self.killed = 0

    def _replenish(self) -> None:
        """Start workers in the background up to ``size`` (call with ``_cond`` held)."""
        while self._live < self.size and not self._closed:
            self._live += 1
            self.started += 1
            threading.Thread(target=self._start_one, name="jsonld-worker-start", daemon=True).start()

    def _start_one(self) -> None:
        worker = None
        try:
            worker = _Worker()
            ready = worker.wait_ready(STARTUP_TIMEOUT_S)
        except OSError:
            ready = False
        with self._cond:
            if ready and not self._closed:
                self._idle.append(worker)
            else:
                self._live -= 1
                if worker is not None:
                    worker.kill()
            self._cond.notify_all()

    def prestart(self, wait: float) -> bool:
        end = time.monotonic() + wait
        with self._cond:
            self._replenish()
            while len(self._idle) < min(self.size, self._live) or not self._idle:
                remaining = end - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(remaining)
            return True

    def _retire(self, worker: _Worker) -> None:
        worker.kill()
        with self._cond:
            self._live -= 1
            self._replenish()

    def run(self, name: str, args: tuple, timeout: float, wait_until: float) -> object:
        """Run a job for at most ``timeout`` seconds once a worker is free; wait for one until
        ``wait_until`` (monotonic time)."""
        with self._cond:
            self._replenish()
            while not self._idle:
                if self._live == 0:  # every start failed (broken installation): say so, do not wait
                    raise WorkerFailed("WorkerStartFailed", "the JSON-LD worker processes cannot start")
                remaining = wait_until - time.monotonic()
                if remaining <= 0:
                    raise DeadlineExceeded("no JSON-LD worker became free in time")
                self._cond.wait(remaining)
            worker = self._idle.pop()
        end = min(time.monotonic() + timeout, wait_until)
        try:
            worker.send_conn.send((name, args))
            remaining = end - time.monotonic()
            if remaining <= 0 or not worker.recv_conn.poll(remaining):
                raise DeadlineExceeded(f"JSON-LD processing exceeded {timeout:.1f} s")
            reply = worker.recv_conn.recv()
        except DeadlineExceeded:
            self.killed += 1
            self._retire(worker)
            raise
        except (EOFError, OSError, ValueError) as exc:
            self._retire(worker)
            raise WorkerFailed("WorkerDied", f"the JSON-LD worker stopped ({type(exc).__name__})") from None
        with self._cond:
            retired = self._closed
            if not retired:
                self._idle.append(worker)
                self._cond.notify()
        if retired:  # the pool was reconfigured or shut down while this job ran
            worker.kill()
        if reply[0] == "ok":
            return reply[1]
        _, kind, message, payload = reply
        raise WorkerFailed(kind, message, payload)

    def close(self) -> None:
        with self._cond:
            self._closed = True
            idle, self._idle = self._idle, []
            self._live -= len(idle)
        for worker in idle:
            worker.kill()


_POOL = _Pool(DEFAULT_WORKERS, DEFAULT_DEADLINE_S, 3.0)
_POOL_LOCK = threading.Lock()


def configure(*, workers: int | None = None, deadline: float | None = None, budget_s: float | None = None) -> None:
    """Set the pool size (0 = run in-process), the per-job deadline and the per-request budget (seconds)."""
    global _POOL
    with _POOL_LOCK:
        size = _POOL.size if workers is None else workers
        new = _Pool(size, _POOL.deadline if deadline is None else deadline,
                    _POOL.budget if budget_s is None else budget_s)
        if (new.size, new.deadline, new.budget) == (_POOL.size, _POOL.deadline, _POOL.budget):
            return
        old, _POOL = _POOL, new
    old.close()


def settings() -> dict:
    """The pool's settings and counters (``started``/``killed`` workers), for tests and benchmarks."""
    pool = _current()
    return {"workers": pool.size, "deadline": pool.deadline, "budget": pool.budget,
            "started": pool.started, "killed": pool.killed}


@atexit.register
def _stop_at_exit() -> None:
    _POOL.close()


def _current() -> _Pool:
    global _POOL
    if _POOL._pid != os.getpid():  # forked (gunicorn worker): the parent's workers are not ours
        with _POOL_LOCK:
            if _POOL._pid != os.getpid():
                _POOL = _Pool(_POOL.size, _POOL.deadline, _POOL.budget)
    return _POOL


@contextlib.contextmanager
def budget(seconds: float | None = None) -> Iterator[None]:
    """All JSON-LD jobs inside share one deadline of ``seconds`` (default: the configured budget).

    Nested budgets never extend an outer one.
    """
    seconds = _current().budget if seconds is None else seconds
    end = time.monotonic() + seconds
    outer = _BUDGET.get()
    token = _BUDGET.set(end if outer is None else min(outer, end))
    try:
        yield
    finally:
        _BUDGET.reset(token)


def budget_left() -> float | None:
    """Seconds left of the current request's JSON-LD budget (``None`` outside a budget)."""
    end = _BUDGET.get()
    return None if end is None else end - time.monotonic()


def run(name: str, *args, deadline: float | None = None):
    """Run the function at dotted path ``name`` with ``args`` in a worker, under a deadline (seconds).

    Raises :class:`DeadlineExceeded` (the worker was killed) or :class:`WorkerFailed` (the job
    raised; see ``kind``). Arguments and result must be picklable.
    """
    pool = _current()
    if pool.size == 0:
        try:
            return _resolve(name)(*args)
        except Exception as exc:  # noqa: BLE001 - the same contract as in a worker
            raise WorkerFailed(*_describe(exc)) from None
    timeout = pool.deadline if deadline is None else min(deadline, pool.deadline)
    end = _BUDGET.get()
    if end is not None and end - time.monotonic() <= 0.05:
        raise DeadlineExceeded("the request's JSON-LD time budget is spent", "JSONLD_BUDGET_SECONDS")
    # Outside a request budget (issuing, the CLI) a job may wait for a worker that is still starting.
    wait_until = end if end is not None else time.monotonic() + STARTUP_TIMEOUT_S
    started = time.monotonic()
    try:
        return pool.run(name, args, timeout, wait_until)
    except DeadlineExceeded as exc:
        cut = end is not None and time.monotonic() >= end - 0.01 and time.monotonic() - started < timeout
        raise DeadlineExceeded(str(exc), "JSONLD_BUDGET_SECONDS" if cut else "JSONLD_DEADLINE_SECONDS") from None


def prestart(wait: float = 0.0) -> bool:
    """Start the workers now (in the background), so the first request does not wait for them;
    with ``wait`` (seconds), wait until they are all ready. True when they are."""
    pool = _current()
    return pool.size == 0 or pool.prestart(wait)


def shutdown() -> None:
    """Stop the idle workers (tests; a new pool starts on the next job)."""
    global _POOL
    with _POOL_LOCK:
        old, _POOL = _POOL, _Pool(_POOL.size, _POOL.deadline, _POOL.budget)
    old.close()
