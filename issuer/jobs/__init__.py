"""Background jobs: batches of credentials issued by workers on a task queue, and the periodic
functions every worker runs (the batch sweep, webhook deliveries and learner e-mail: :mod:`.notify`).

The queue is Dramatiq (https://dramatiq.io/) on RabbitMQ (``ISSUER_BROKER_URL``); without a broker
the same actors run in-process on Dramatiq's StubBroker. Exactly-once issuance comes from the data
model (``issuer.store.batches``), not from the queue: see docs/jobs.md.
"""
from . import notify, purge  # noqa: E402,F401 - register the webhook, e-mail and purge runners with .periodic
