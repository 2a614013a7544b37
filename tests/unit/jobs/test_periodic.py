"""The periodic registry and its ticker: functions run when due, a failing one does not stop the others."""
from __future__ import annotations

from types import SimpleNamespace

from issuer.jobs import periodic


def test_the_ticker_runs_due_functions_and_survives_failures(monkeypatch):
    monkeypatch.setattr(periodic, "_REGISTRY", {})
    calls = []
    periodic.register("every-10", 10, lambda svc, now: calls.append(("a", now)))
    periodic.register("from-config", lambda config: config["EVERY"], lambda svc, now: calls.append(("b", now)))
    periodic.register("broken", 1, lambda svc, now: 1 / 0)
    service = SimpleNamespace(config={"EVERY": 5}, clock=lambda: "now")
    ticker = periodic.Ticker(service)
    assert ticker.run_due(100.0) == ["every-10", "from-config", "broken"]
    assert ticker.run_due(104.0) == ["broken"]
    assert ticker.run_due(105.0) == ["from-config", "broken"]
    assert ticker.run_due(110.0) == ["every-10", "from-config", "broken"]
    assert calls.count(("a", "now")) == 2 and calls.count(("b", "now")) == 3
    assert [p.name for p in periodic.registered()] == ["every-10", "from-config", "broken"]


def test_the_batch_sweep_is_registered():
    from issuer.jobs import queue  # reason: importing the queue registers the sweep
    assert queue.SWEEP in periodic.registered()
    assert queue.SWEEP.interval({"BATCH_SWEEP_SECONDS": 7}) == 7.0
