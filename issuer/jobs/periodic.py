"""Periodic functions run by every job runner (``issuer worker`` and the in-process runner).

``register(name, every_seconds, fn)`` adds ``fn(service, now)``; the runner's :class:`Ticker`
calls each one every ``every_seconds`` (a number, or a callable of the configuration giving it).
Several workers on several machines each run them: a periodic function must be safe to run at
the same time in several places (the batch sweep claims its work with a compare-and-set).
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Callable

__all__ = ["Periodic", "register", "registered", "Ticker"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Periodic:
    name: str
    every: float | Callable[[dict], float]
    fn: Callable  # fn(service, now: datetime) -> None

    def interval(self, config: dict) -> float:
        """Seconds between runs under ``config``."""
        return float(self.every(config) if callable(self.every) else self.every)


_REGISTRY: dict[str, Periodic] = {}


def register(name: str, every_seconds: float | Callable[[dict], float], fn: Callable) -> Periodic:
    """Register ``fn(service, now)`` to run every ``every_seconds`` (seconds, or a function of the
    configuration dict returning seconds) under ``name``; registering a name again replaces it."""
    entry = Periodic(name, every_seconds, fn)
    _REGISTRY[name] = entry
    return entry


def registered() -> list[Periodic]:
    """The registered periodic functions, in registration order."""
    return list(_REGISTRY.values())


class Ticker(threading.Thread):
    """A daemon thread calling every registered function when due; an exception is logged and the
    function runs again at its next time. ``stop()`` ends it."""

    def __init__(self, service, *, resolution: float = 0.5):
        super().__init__(name="issuer-periodic", daemon=True)
        self.service = service
        self.resolution = resolution
        self._stop_event = threading.Event()
        self._next: dict[str, float] = {}

    def run_due(self, monotonic: float) -> list[str]:
        """Run the functions due at ``monotonic`` (seconds); the names that ran."""
        ran = []
        for entry in registered():
            due = self._next.get(entry.name, 0.0)
            if monotonic < due:
                continue
            self._next[entry.name] = monotonic + entry.interval(self.service.config)
            try:
                entry.fn(self.service, self.service.clock())
            except Exception:  # noqa: BLE001 - one failing function must not stop the others
                log.exception("periodic function %s failed", entry.name)
            ran.append(entry.name)
        return ran

    def run(self) -> None:
        """Run the due functions every :attr:`resolution` seconds until :meth:`stop` (a thread's target)."""
        while not self._stop_event.is_set():
            self.run_due(time.monotonic())
            self._stop_event.wait(self.resolution)

    def stop(self) -> None:
        """Stop after the current round."""
        self._stop_event.set()
