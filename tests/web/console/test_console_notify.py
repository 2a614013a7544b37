"""Console notification settings (issue #14 §1 Settings: webhooks, e-mail defaults), on top of
issuer.notify: the same checks as the API (outbound URL guard, secret shown once), per provider."""
from __future__ import annotations

import re

import pytest

from issuer import create_app
from issuer.demo.setup import demo_console_login, initialize
from issuer.service import build_service
from issuer.store.models import Provider
from issuer.store.notify_models import WebhookEndpoint
from tests.conftest import ApiActions, make_config

from .conftest import Console


def test_email_default_is_the_apis_setting(console, api, service):
    assert api.client.get("/api/v1/settings", headers=api.headers()).get_json() == {"emailLearners": False}
    assert console.post("/console/notifications/email", {"emailLearners": "1"}).status_code == 303
    assert api.client.get("/api/v1/settings", headers=api.headers()).get_json() == {"emailLearners": True}
    page = console.get("/console/notifications").get_data(as_text=True)
    assert "by e-mail by default" in page and re.search(r'value="1" checked', page)
    assert console.post("/console/notifications/email", {"emailLearners": "0"}).status_code == 303
    with service.session() as session:
        assert session.query(Provider).filter_by(slug="emob-academy").one().email_learners is False


def test_webhook_urls_pass_the_outbound_guard(console):
    refused = console.post("/console/notifications/webhooks", {"url": "http://127.0.0.1:9/hook",
                                                               "event": ["credential.issued"]})
    assert refused.status_code == 422 and "refused" in refused.get_data(as_text=True)
    no_events = console.post("/console/notifications/webhooks", {"url": "https://hooks.example/x"})
    assert no_events.status_code == 422


@pytest.fixture
def private_app(tmp_path, database_url):
    """An app whose webhook guard lets local addresses through (the test-only ALLOW_PRIVATE_FETCH)."""
    svc = build_service(make_config(tmp_path, database_url, ALLOW_PRIVATE_FETCH=True))
    initialize(svc, load_demo=True)
    yield create_app(service=svc), svc
    svc.close()


def test_register_see_deliveries_redeliver_and_delete(private_app):
    app, svc = private_app
    console = Console(app.test_client())
    assert console.login(*demo_console_login(svc)).status_code == 303
    made = console.post("/console/notifications/webhooks", {"url": "http://127.0.0.1:9/hook",
                                                            "event": ["credential.issued", "credential.revoked"]})
    assert made.status_code == 201
    html = made.get_data(as_text=True)
    secret = re.search(r"data-secret>([^<]+)<", html).group(1)
    assert secret.startswith("whsec_")
    listing = console.get("/console/notifications").get_data(as_text=True)
    assert "http://127.0.0.1:9/hook" in listing and secret not in listing
    endpoint_id = re.search(r'/console/notifications/webhooks/(ep_[0-9a-f]+)"', listing).group(1)
    from issuer.demo.setup import demo_api_keys
    ApiActions(app.test_client(), demo_api_keys(svc)).issue("HV-2S")
    log = console.get(f"/console/notifications/webhooks/{endpoint_id}").get_data(as_text=True)
    assert "credential.issued" in log
    delivery = re.search(r"/deliveries/([^/]+)/redeliver", log).group(1)
    assert console.post(f"/console/notifications/webhooks/{endpoint_id}/deliveries/{delivery}/redeliver"
                        ).status_code == 303
    # another provider's administrator sees and deletes nothing of it
    from .conftest import make_user
    other = Console(app.test_client())
    assert other.login(*make_user(svc, "nordhaven-tu", "ops@nordhaven.example", "admin")).status_code == 303
    assert other.get(f"/console/notifications/webhooks/{endpoint_id}").status_code == 404
    assert other.post(f"/console/notifications/webhooks/{endpoint_id}/delete").status_code == 404
    assert "127.0.0.1:9" not in other.get("/console/notifications").get_data(as_text=True)
    assert console.post(f"/console/notifications/webhooks/{endpoint_id}/delete").status_code == 303
    with svc.session() as session:
        assert session.get(WebhookEndpoint, endpoint_id).deleted_at is not None
    assert "http://127.0.0.1:9/hook" not in console.get("/console/notifications").get_data(as_text=True)
