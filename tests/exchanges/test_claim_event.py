"""A wallet claim records one ``credential.claimed`` event (issue #12 §3), also when the wallet
fetches the second format; an event is written with the claim, in its transaction."""
from __future__ import annotations

from sqlalchemy import select

from issuer.store.notify_models import Event
from tests.conftest import BASE_URL
from tests.exchanges.holder import Holder
from tests.notify.conftest import private_fetch, receiver  # noqa: F401 (fixtures)

PRE_AUTH = "urn:ietf:params:oauth:grant-type:pre-authorized_code"


def test_an_oid4vci_claim_records_one_claimed_event(client, wallet, issue_with_offer, service):
    issued = issue_with_offer()
    credential_offer = wallet.offer(issued["offer"])
    token = wallet.token(credential_offer["grants"][PRE_AUTH]["pre-authorized_code"]).get_json()["access_token"]
    holder = Holder()
    for config in ("AchievementCredential_ldp_vc", "AchievementCredential_jwt_vc_json"):
        body = {"credential_configuration_id": config,
                "proofs": {"jwt": [holder.proof_jwt(aud=BASE_URL, nonce=wallet.nonce())]}}
        assert wallet.credential(token, body).status_code == 200
    with service.session() as session:
        events = list(session.scalars(select(Event).where(Event.type == "credential.claimed")))
    assert [e.data for e in events] == [{"credentialId": issued["id"], "protocol": "oid4vci"}]


def test_a_subscribed_webhook_endpoint_receives_the_signed_claimed_event(client, auth, issue_with_offer, service,
                                                                          private_fetch, receiver):
    from datetime import datetime, timezone

    from standardwebhooks.webhooks import Webhook

    from issuer.notify import dispatch
    from tests.exchanges.conftest import path_of

    endpoint = client.post("/api/v1/webhooks", json={"url": receiver.url, "events": ["credential.claimed"]},
                           headers=auth).get_json()
    issued = issue_with_offer()
    path = path_of(issued["offer"]["vcapi"])
    request = client.post(path, json={}).get_json()["verifiablePresentationRequest"]
    holder = Holder()
    vp = holder.did_auth(challenge=request["challenge"], domain=request["domain"])
    assert client.post(path, json={"verifiablePresentation": vp}).status_code == 200
    assert dispatch.deliver_due(service, datetime.now(timezone.utc), send=dispatch.sender(service)) == 1
    [delivered] = receiver.requests
    payload = Webhook(endpoint["secret"]).verify(delivered["body"], delivered["headers"])
    assert payload["type"] == "credential.claimed"
    assert payload["data"] == {"credentialId": issued["id"], "protocol": "vcapi"}
