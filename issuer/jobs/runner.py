"""``issuer worker``: Dramatiq worker processes consuming the RabbitMQ queue, each with threads and
the periodic functions, on this machine or any other that reaches the same database and broker.

``processes`` > 1 forks that many children (each builds its own service after the fork: database
connections and broker channels are never shared across processes) and restarts a child that
dies; SIGTERM or SIGINT stops them gracefully (messages in progress finish and are acked, the
prefetched ones go back to RabbitMQ). A ``kill -9`` loses nothing either: RabbitMQ redelivers the
unacked messages and the item leases run out (docs/jobs.md).
"""
from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading
import time
from typing import Callable

from .queue import JobQueue

__all__ = ["run_worker", "run_workers"]

log = logging.getLogger(__name__)


def run_worker(make_service: Callable[[], object], *, threads: int, stop: threading.Event | None = None,
               ready: Callable[[], None] | None = None) -> None:
    """Consume jobs in this process with ``threads`` threads until SIGTERM/SIGINT (or ``stop``)."""
    service = make_service()
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
    queue = JobQueue(service, in_process=False)
    service.jobs = queue
    queue.start_worker(threads)
    log.info("worker %d: consuming %r with %d thread(s)", os.getpid(), queue.queue_name, threads)
    if ready is not None:
        ready()
    try:
        while not stop.wait(0.5):
            pass
    finally:
        queue.close()
        service.engine.dispose()


def _child(make_service, threads: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops its children with SIGTERM
    run_worker(make_service, threads=threads)


def run_workers(make_service: Callable[[], object], *, processes: int, threads: int,
                announce: Callable[[str], None] = print) -> None:
    """Run ``processes`` worker processes (1: this one) of ``threads`` threads until SIGTERM/SIGINT."""
    if processes <= 1:
        run_worker(make_service, threads=threads,
                   ready=lambda: announce(f"worker {os.getpid()} ready ({threads} thread(s))"))
        return
    context = multiprocessing.get_context("fork")
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    children: list = []

    def spawn():
        child = context.Process(target=_child, args=(make_service, threads), daemon=False)
        child.start()
        return child

    children = [spawn() for _ in range(processes)]
    announce(f"workers ready: {', '.join(str(c.pid) for c in children)} ({threads} thread(s) each)")
    while not stop.wait(1.0):
        for i, child in enumerate(children):
            if not child.is_alive():
                log.warning("worker %d exited with %s; starting another", child.pid, child.exitcode)
                children[i] = spawn()
    for child in children:
        child.terminate()
    deadline = time.monotonic() + 30
    for child in children:
        child.join(max(0.0, deadline - time.monotonic()))
        if child.is_alive():
            child.kill()
