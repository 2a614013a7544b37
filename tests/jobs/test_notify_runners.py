"""The job runners send webhooks and learner e-mail (issue #12 §3-4): the periodic functions
registered by :mod:`issuer.jobs.notify`, run by a :class:`issuer.jobs.periodic.Ticker` as
``issuer worker`` and ``issuer serve`` run them."""
from __future__ import annotations

import time
from pathlib import Path

from standardwebhooks.webhooks import Webhook

import issuer.jobs  # noqa: F401 - registers the runners, as every runner's import does
from issuer.jobs import notify as runners
from issuer.jobs.periodic import Ticker, registered
from tests.notify.receiver import Receiver


def test_the_runners_are_registered_with_their_interval(service):
    entries = {e.name: e for e in registered()}
    assert {"webhook-deliveries", "learner-email"} <= set(entries)
    assert entries["webhook-deliveries"].interval(service.config) == 2.0


def test_a_ticker_round_delivers_webhooks_and_sends_email(client, api, service):
    service.config["ALLOW_PRIVATE_FETCH"] = True
    with Receiver() as receiver:
        created = client.post("/api/v1/webhooks", json={"url": receiver.url, "events": ["credential.issued"]},
                              headers=api.headers()).get_json()
        api.issue("HV-2S", sendEmail=True)
        ran = Ticker(service).run_due(time.monotonic())
        assert {"webhook-deliveries", "learner-email"} <= set(ran)
        [request] = receiver.requests
        assert Webhook(created["secret"]).verify(request["body"], request["headers"])["type"] == "credential.issued"
    assert len(list((Path(service.config["INSTANCE_PATH"]) / "outbox").glob("*.eml"))) == 1


def test_a_backlog_drains_in_rounds_within_the_budget(service):
    calls = []

    def step_counts():  # 50, 50, 7: three rounds, then nothing is left
        calls.append(1)
        return [50, 50, 7][len(calls) - 1]

    assert runners._drain(step_counts, 50, 10.0, time.monotonic) == 107 and len(calls) == 3
    ticks = iter([0.0, 5.0, 11.0])
    assert runners._drain(lambda: 50, 50, 10.0, lambda: next(ticks)) == 100  # the budget ends it
