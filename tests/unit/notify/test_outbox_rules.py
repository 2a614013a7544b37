"""The notification outboxes' pure rules (issuer.notify): retry schedules, leases and the signed
webhook message (Standard Webhooks, https://www.standardwebhooks.com/), and the learner e-mail's
composition; no database, no network."""
from __future__ import annotations

import email
import email.policy
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

from standardwebhooks.webhooks import Webhook

from issuer.notify import dispatch, mail, webhooks

NOW = datetime(2026, 5, 4, 10, 0, tzinfo=timezone.utc)


def test_webhook_and_mail_retries_follow_their_own_schedules_then_stop():
    assert dispatch.next_attempt(1, NOW) == NOW + timedelta(seconds=5)
    assert dispatch.next_attempt(len(dispatch.RETRY_SCHEDULE), NOW) is None
    assert dispatch.next_attempt(1, NOW, mail.RETRY_SCHEDULE) == NOW + timedelta(minutes=1)
    assert dispatch.next_attempt(len(mail.RETRY_SCHEDULE) - 1, NOW, mail.RETRY_SCHEDULE) == NOW + timedelta(hours=24)
    assert dispatch.next_attempt(len(mail.RETRY_SCHEDULE), NOW, mail.RETRY_SCHEDULE) is None
    total = sum(dispatch.RETRY_SCHEDULE, timedelta())
    assert timedelta(hours=27) < total < timedelta(hours=28)  # docs/webhooks.md: 27.5 h


def test_a_lease_covers_one_full_timeout_per_claimed_item():
    assert dispatch.lease_for(0) == dispatch.LEASE
    assert dispatch.lease_for(50) == dispatch.LEASE + timedelta(seconds=50 * dispatch.TIMEOUT_SECONDS)
    assert dispatch.lease_for(20, 20.0) == dispatch.LEASE + timedelta(seconds=400)


def test_the_webhook_message_verifies_with_the_standard_library():
    event = SimpleNamespace(type="credential.issued", created_at=datetime(2026, 5, 4, 9, 59, 58),
                            data={"credentialId": "c-1"})
    secret = webhooks.new_secret()
    sent_at = datetime.now(timezone.utc)  # the receiver's library refuses messages older than 5 minutes
    body, headers = webhooks.message("d-1", event, secret, sent_at)
    assert body == b'{"type":"credential.issued","timestamp":"2026-05-04T09:59:58Z","data":{"credentialId":"c-1"}}'
    assert headers["webhook-id"] == "d-1" and headers["webhook-timestamp"] == str(int(sent_at.timestamp()))
    verified = Webhook(secret).verify(body, headers)
    assert verified == {"type": "credential.issued", "timestamp": "2026-05-04T09:59:58Z",
                        "data": {"credentialId": "c-1"}}


def test_the_learner_email_is_one_line_headers_and_escaped_html():
    message = mail.compose(language="de", recipient="ana@example.org", sender="no-reply@skills.example",
                           issuer_name="Akademie\r\nBcc: x@evil.example", learner_name="Ana <b>Ruiz</b>",
                           course_title="HV 2S", credential_url="https://skills.example/credentials/1",
                           claim_url=None, claim_expires=None, now=NOW)
    parsed = email.message_from_bytes(message.as_bytes(), policy=email.policy.default)
    assert "Bcc" not in parsed and parsed["Content-Language"] == "de"
    assert "\n" not in str(parsed["From"]) and "Akademie Bcc: x@evil.example" in str(parsed["From"])
    html = parsed.get_body(("html",)).get_content()
    assert "&lt;b&gt;Ruiz&lt;/b&gt;" in html and "<b>" not in html
    assert "wallet" not in parsed.get_body(("plain",)).get_content().lower()  # no claim link: no wallet part
    assert mail.language_for("de-AT") == "de" and mail.language_for("fr") == "en"
