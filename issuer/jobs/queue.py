"""The job queue: Dramatiq actors on RabbitMQ, or on an in-process StubBroker without a broker.

* ``ISSUER_BROKER_URL`` set (``amqp://user:pass@host:5672/vhost``): a ``RabbitmqBroker`` with
  publisher confirms; the API enqueues, ``issuer worker`` processes consume. A message is acked
  after its actor returns, so a worker killed with ``kill -9`` leaves its messages to RabbitMQ,
  which redelivers them (https://dramatiq.io/guide.html, "Message Acknowledgement").
* Not set (the embedded default): a ``StubBroker`` and a ``dramatiq.Worker`` in this process run
  the same actors; the in-memory queue dies with the process, so on start every unfinished batch
  is enqueued again (cheap: finished items are skipped, claimed ones left to their claimer).

:func:`queue_for` makes the service's queue on first use (after a fork: per process).
"""
from __future__ import annotations

import logging
import threading

import dramatiq
from dramatiq.brokers.rabbitmq import RabbitmqBroker
from dramatiq.brokers.stub import StubBroker

from . import batches, periodic

__all__ = ["JobQueue", "queue_for", "SWEEP"]

log = logging.getLogger(__name__)
_LOCK = threading.Lock()


class JobQueue:
    """The actors of one process bound to one broker. ``in_process`` runs a worker here too."""

    def __init__(self, service, *, in_process: bool | None = None):
        self.service = service
        config = service.config
        url = config.get("BROKER_URL")
        self.queue_name = config["JOB_QUEUE"]
        self.in_process = not url if in_process is None else in_process
        self.broker = StubBroker() if not url else RabbitmqBroker(url=url, confirm_delivery=True)
        if isinstance(self.broker, StubBroker):
            self.broker.emit_after("process_boot")
        self.issue_chunk = dramatiq.actor(
            self._issue_chunk, broker=self.broker, actor_name="issue_batch_chunk", queue_name=self.queue_name,
            max_retries=config["JOB_MAX_RETRIES"], min_backoff=1000, max_backoff=60_000,
            time_limit=config["JOB_TIME_LIMIT_SECONDS"] * 1000)
        self.worker: dramatiq.Worker | None = None
        self.ticker: periodic.Ticker | None = None

    def _issue_chunk(self, batch_id: str, lo: int, hi: int) -> None:
        done = batches.run_chunk(self.service, batch_id, lo, hi)
        log.debug("batch %s [%d, %d): %s", batch_id, lo, hi, done)

    def enqueue_chunks(self, batch_id: str, starts: list[int], chunk_size: int) -> int:
        """Send one ``issue_batch_chunk`` message per chunk start; the number sent. Raises the
        broker's error when it is unreachable (the sweep enqueues again later)."""
        for start in starts:
            self.issue_chunk.send(batch_id, start, start + chunk_size)
        return len(starts)

    def enqueue_batch(self, batch_id: str, total: int, chunk_size: int) -> int:
        """Every chunk of a new batch of ``total`` items."""
        return self.enqueue_chunks(batch_id, list(range(0, total, chunk_size)), chunk_size)

    def queued(self) -> int | None:
        """Messages waiting on the queue (not the ones being worked on); None when unknown."""
        try:
            if isinstance(self.broker, StubBroker):
                return sum(self.broker.queues[name].qsize() for name in self.broker.queues)
            return sum(self.broker.get_queue_message_counts(self.queue_name)[:2])
        except Exception:  # noqa: BLE001 - a metric must not fail the scrape
            return None

    def start_worker(self, threads: int) -> None:
        """Consume here with ``threads`` worker threads and run the periodic functions."""
        self.worker = dramatiq.Worker(self.broker, worker_threads=threads, queues={self.queue_name})
        self.worker.start()
        self.ticker = periodic.Ticker(self.service)
        self.ticker.start()

    def recover(self) -> int:
        """Enqueue every chunk of every unfinished batch (an in-memory queue starts empty)."""
        with self.service.session() as session:
            rows = [(b.id, b.total, b.chunk_size) for b in batches.store.unfinished(session, limit=100_000)]
        return sum(self.enqueue_batch(*row) for row in rows)

    def join(self, timeout_ms: int = 120_000) -> None:
        """Tests and tools: wait until the in-process queue is empty and the worker idle."""
        self.broker.join(self.queue_name, timeout=timeout_ms)
        if self.worker is not None:
            self.worker.join()

    def close(self) -> None:
        """Stop the worker and ticker of this process and close the broker's connections."""
        if self.ticker is not None:
            self.ticker.stop()
        if self.worker is not None:
            self.worker.stop(timeout=10_000)
        self.broker.close()


def queue_for(service) -> JobQueue:
    """The service's job queue, made on first use; without a broker it also starts the in-process
    worker (``JOB_THREADS`` threads) and re-enqueues unfinished batches."""
    with _LOCK:
        if service.jobs is None:
            queue = JobQueue(service)
            if queue.in_process:
                queue.start_worker(service.config["JOB_THREADS"])
                queue.recover()
            service.jobs = queue
        return service.jobs


SWEEP = periodic.register("batch-sweep", lambda config: config["BATCH_SWEEP_SECONDS"], batches.sweep)
