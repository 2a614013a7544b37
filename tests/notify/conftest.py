"""Fixtures of the notification tests: a real local webhook receiver and a service whose outbound
client may reach it (the test-only ``ALLOW_PRIVATE_FETCH``)."""
from __future__ import annotations

import pytest

from tests.notify.receiver import Receiver


@pytest.fixture
def private_fetch(service):
    """Let webhook deliveries reach 127.0.0.1 (``ISSUER_ALLOW_PRIVATE_FETCH=true``)."""
    service.config["ALLOW_PRIVATE_FETCH"] = True
    service.caches.pop("webhook_fetcher", None)
    yield service
    service.caches.pop("webhook_fetcher", None)


@pytest.fixture
def receiver():
    with Receiver() as running:
        yield running
