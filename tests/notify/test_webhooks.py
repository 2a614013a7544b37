"""Webhooks end to end (issue #12 §3): registration, Standard Webhooks signatures checked by the
``standardwebhooks`` library on a real local receiver, the retry schedule, the delivery log,
redelivery, tenant isolation and the SSRF guard at registration and at delivery."""
from __future__ import annotations

import socket
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from issuer.notify import dispatch
from issuer.resolve.fetch import SafeFetcher
from issuer.store.notify_models import WebhookDelivery, WebhookEndpoint
from tests.api.test_oauth import bearer, new_client, token_for


def _register(client, headers, url, events=("credential.issued",), expect=201):
    response = client.post("/api/v1/webhooks", json={"url": url, "events": list(events)}, headers=headers)
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def _now():
    return datetime.now(timezone.utc)


def _log(client, headers, endpoint_id):
    response = client.get(f"/api/v1/webhooks/{endpoint_id}/deliveries", headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["deliveries"]


def test_a_registered_endpoint_receives_signed_events(client, api, service, private_fetch, receiver):
    headers = api.headers()
    endpoint = _register(client, headers, receiver.url, ["credential.issued", "credential.revoked"])
    secret = endpoint.pop("secret")
    assert secret.startswith("whsec_") and len(Webhook(secret)._whsecret) == 32
    assert endpoint["url"] == receiver.url and endpoint["events"] == ["credential.issued", "credential.revoked"]
    assert client.get(f"/api/v1/webhooks/{endpoint['id']}", headers=headers).get_json() == endpoint
    assert client.get("/api/v1/webhooks", headers=headers).get_json() == {"webhooks": [endpoint]}
    with service.session() as session:  # the secret is stored sealed, never in clear
        row = session.get(WebhookEndpoint, endpoint["id"])
        assert secret.encode() not in row.secret_sealed and secret[6:].encode() not in row.secret_sealed

    cid = api.issue()["id"]
    api.revoke(cid)
    assert dispatch.deliver_due(service, _now(), send=dispatch.sender(service)) == 2
    assert len(receiver.requests) == 2
    payloads = []
    for request in receiver.requests:
        payloads.append(Webhook(secret).verify(request["body"], request["headers"]))
        assert request["headers"]["webhook-id"].startswith("msg_")
        assert request["headers"]["Content-Type"] == "application/json"
    payloads.sort(key=lambda p: p["type"])  # sent in parallel: the order of arrival is not guaranteed
    assert [p["type"] for p in payloads] == ["credential.issued", "credential.revoked"]
    assert payloads[0]["data"] == {"credentialId": cid, "course": "HV-2S"}
    assert payloads[1]["data"] == {"credentialId": cid, "status": "revoked"}
    assert all(p["timestamp"].endswith("Z") for p in payloads)
    with pytest.raises(WebhookVerificationError):  # another endpoint's secret does not verify
        Webhook(dispatch.webhooks.new_secret()).verify(receiver.requests[0]["body"], receiver.requests[0]["headers"])
    tampered = receiver.requests[0]["body"].replace(cid.encode(), b"0" * len(cid))
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(tampered, receiver.requests[0]["headers"])

    log = _log(client, headers, endpoint["id"])
    assert {d["state"] for d in log} == {"delivered"} and len(log) == 2
    assert all(d["log"][0]["statusCode"] == 200 and d["log"][0]["response"] == "ok" for d in log)
    assert dispatch.deliver_due(service, _now(), send=dispatch.sender(service)) == 0  # nothing due any more


def test_failures_are_retried_on_the_schedule_for_more_than_a_day_then_fail(client, api, service, private_fetch,
                                                                             receiver):
    headers = api.headers()
    endpoint = _register(client, headers, receiver.url)
    receiver.status, receiver.answer = 503, b"busy " * 1000
    api.issue()
    start = _now()
    moment, moments = start, []
    send = dispatch.sender(service)
    while True:
        assert dispatch.deliver_due(service, moment, send=send) == 1
        moments.append(moment)
        [delivery] = _log(client, headers, endpoint["id"])
        if delivery["state"] != "pending":
            break
        due = datetime.fromisoformat(delivery["nextAttemptAt"].replace("Z", "+00:00"))  # whole seconds
        assert dispatch.deliver_due(service, due - timedelta(seconds=1), send=send) == 0  # not due yet
        moment = due + timedelta(seconds=1)
    assert delivery["state"] == "failed" and delivery["attempts"] == len(dispatch.RETRY_SCHEDULE) == 8
    gaps = [(b - a).total_seconds() for a, b in zip(moments, moments[1:])]
    expected = [5, 300, 1800, 7200, 18000, 36000, 36000]
    assert all(e <= gap <= e + 1 for gap, e in zip(gaps, expected)) and len(gaps) == len(expected), gaps
    assert moments[-1] - moments[0] >= timedelta(hours=24)
    assert len(delivery["log"]) == 8 and {a["statusCode"] for a in delivery["log"]} == {503}
    assert len(delivery["log"][0]["response"]) <= 1025 and delivery["log"][0]["response"].endswith("…")
    assert len(receiver.requests) == 8
    assert len({r["headers"]["webhook-id"] for r in receiver.requests}) == 1  # the same message id every time

    receiver.status, receiver.answer = 204, b""
    response = client.post(f"/api/v1/webhooks/{endpoint['id']}/deliveries/{delivery['id']}/redeliver",
                           headers=headers)
    assert response.status_code == 202 and response.get_json()["state"] == "pending"
    assert dispatch.deliver_due(service, _now(), send=send) == 1
    [delivery] = _log(client, headers, endpoint["id"])
    assert delivery["state"] == "delivered" and len(delivery["log"]) == 9 and delivery["lastStatus"] == 204


def test_redirects_are_not_followed_and_count_as_failures(client, api, service, private_fetch, receiver):
    headers = api.headers()
    endpoint = _register(client, headers, receiver.url)
    receiver.redirect_to = "http://127.0.0.1:9/elsewhere"
    api.issue()
    dispatch.deliver_due(service, _now(), send=dispatch.sender(service))
    [delivery] = _log(client, headers, endpoint["id"])
    assert delivery["state"] == "pending" and delivery["log"][0]["statusCode"] == 302
    assert len(receiver.requests) == 1


def test_other_providers_cannot_see_delete_or_redeliver(client, api, service, private_fetch, receiver):
    mine, theirs = api.headers(), api.headers("bbz-alpenvorland")
    endpoint = _register(client, mine, receiver.url)
    api.issue()
    dispatch.deliver_due(service, _now(), send=dispatch.sender(service))
    [delivery] = _log(client, mine, endpoint["id"])
    base = f"/api/v1/webhooks/{endpoint['id']}"
    assert client.get("/api/v1/webhooks", headers=theirs).get_json() == {"webhooks": []}
    assert client.get(base, headers=theirs).status_code == 404
    assert client.get(f"{base}/deliveries", headers=theirs).status_code == 404
    assert client.post(f"{base}/deliveries/{delivery['id']}/redeliver", headers=theirs).status_code == 404
    assert client.delete(base, headers=theirs).status_code == 404
    # their events never reach my endpoint
    api.issue("ADAS-CAL", provider="bbz-alpenvorland")
    assert dispatch.deliver_due(service, _now(), send=dispatch.sender(service)) == 0
    # deleting cancels what is pending and hides the endpoint
    api.issue()
    assert client.delete(base, headers=mine).status_code == 204
    assert client.get(base, headers=mine).status_code == 404
    assert dispatch.deliver_due(service, _now(), send=dispatch.sender(service)) == 0
    with service.session() as session:
        states = sorted(session.scalars(select(WebhookDelivery.state)))
    assert states == ["cancelled", "delivered"]


def test_the_scope_is_required(client, api, auth):
    client_id, secret = new_client(client, auth, scope="credentials:read")
    token = token_for(client, client_id, secret).get_json()["access_token"]
    response = client.get("/api/v1/webhooks", headers=bearer(token))
    assert response.status_code == 403 and response.get_json()["scope"] == "webhooks:manage"


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:8080/hook", "https://127.0.0.1/hook", "https://10.1.2.3/hook", "https://localhost/hook",
    "https://[::1]/hook", "https://169.254.169.254/latest/meta-data", "https://0x7f.1/hook",
    "http://hooks.example.org/hook", "ftp://hooks.example.org/", "https://user:pw@hooks.example.org/",
    "not a url"])
def test_registration_refuses_non_public_and_malformed_urls(client, api, service, url):
    problem = _register(client, api.headers(), url, expect=422)
    assert problem["errors"][0]["path"] == "/url"
    with service.session() as session:
        assert session.scalar(select(WebhookEndpoint)) is None


@pytest.mark.parametrize("body", [{"url": "https://hooks.example.org/"}, {"events": ["credential.issued"]},
                                  {"url": "https://hooks.example.org/", "events": []},
                                  {"url": "https://hooks.example.org/", "events": ["credential.exploded"]},
                                  {"url": "https://hooks.example.org/", "events": "credential.issued"},
                                  {"url": "https://hooks.example.org/", "events": ["credential.issued"], "x": 1},
                                  ["https://hooks.example.org/"]])
def test_malformed_registrations_are_422(client, api, body):
    response = client.post("/api/v1/webhooks", json=body, headers=api.headers())
    assert response.status_code == 422 and response.mimetype == "application/problem+json"


def _resolver(answers: list[str]):
    """getaddrinfo stand-in answering ``answers`` in turn (the last one repeats): DNS rebinding."""
    def resolve(host, port, type=0):  # noqa: A002 - getaddrinfo's name
        address = answers.pop(0) if len(answers) > 1 else answers[0]
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]
    return resolve


def test_delivery_checks_the_address_again_dns_rebinding(client, api, service):
    service.caches["webhook_fetcher"] = SafeFetcher(resolver=_resolver(["93.184.215.14", "127.0.0.1"]),
                                                    timeout=2, cache_ttl=0, failure_ttl=0)
    headers = api.headers()
    endpoint = _register(client, headers, "https://hooks.example.org/in")  # resolves public at registration
    api.issue()
    assert dispatch.deliver_due(service, _now(), send=dispatch.sender(service)) == 1
    [delivery] = _log(client, headers, endpoint["id"])
    assert delivery["state"] == "pending" and delivery["log"][0]["statusCode"] is None
    assert delivery["log"][0]["error"].startswith("forbidden_address")


def test_the_endpoint_limit(client, api, service, monkeypatch):
    monkeypatch.setattr(dispatch.webhooks, "MAX_ENDPOINTS", 2)
    service.caches["webhook_fetcher"] = SafeFetcher(resolver=_resolver(["93.184.215.14"]))
    for _ in range(2):
        _register(client, api.headers(), "https://hooks.example.org/in")
    assert _register(client, api.headers(), "https://hooks.example.org/in", expect=409)["status"] == 409
