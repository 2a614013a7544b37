"""Learner e-mail (issue #12 §4): per request, per provider default; English or German by the
course; plain text and HTML without remote content; the outbox folder by default and SMTP (a local
aiosmtpd server) when configured; the address kept only until the server accepted the message."""
from __future__ import annotations

import email
import email.policy
import json
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select

from issuer.notify import mail
from issuer.resolve.mail import FolderTransport, SmtpTransport, transport_from_url
from issuer.store.models import Credential
from issuer.store.notify_models import EmailMessage
from tests.notify.smtp_server import SmtpServer, write_certificate

ADDRESS = "Alex.Muster@example.org"


def _now():
    return datetime.now(timezone.utc)


def _rows(service) -> list[EmailMessage]:
    with service.session() as session:
        return list(session.scalars(select(EmailMessage).order_by(EmailMessage.created_at)))


def _row_bytes(row) -> bytes:
    return repr({c.name: getattr(row, c.name) for c in row.__table__.columns}).encode() + bytes(row.sealed or b"")


def _parts(raw: bytes):
    message = email.message_from_bytes(raw, policy=email.policy.default)
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    return message, text, html


def _outbox(service) -> list[Path]:
    return sorted((Path(service.config["INSTANCE_PATH"]) / "outbox").glob("*.eml"))


def test_send_email_writes_to_the_outbox_folder_and_erases_the_address(client, api, service):
    body = api.issue("HV-2S", sendEmail=True)
    assert body["email"] == "queued" and "offer" not in body
    [row] = _rows(service)
    assert row.state == "pending" and row.sealed is not None and row.language == "de"
    assert ADDRESS.encode() not in _row_bytes(row) and ADDRESS.lower().encode() not in _row_bytes(row)
    with service.session() as session:  # the credential row never holds the address
        credential = session.get(Credential, body["id"])
        text = repr({c.name: getattr(credential, c.name) for c in credential.__table__.columns}).lower()
        assert ADDRESS.lower() not in text

    assert mail.send_due(service, _now()) == 1
    [row] = _rows(service)
    assert row.state == "sent" and row.sealed is None and row.sent_at is not None and row.attempts == 1
    [path] = _outbox(service)
    assert path.stat().st_mode & 0o777 == 0o600
    message, text, html = _parts(path.read_bytes())
    assert message["To"].addresses[0].addr_spec == ADDRESS
    assert message["Subject"].strip().startswith("Ihr Nachweis:") and message["Content-Language"] == "de"
    assert message["Auto-Submitted"] == "auto-generated"
    page = f"http://localhost:5000/credentials/{body['id']}"
    claim = re.search(r"http://localhost:5000/claim/\S+", text).group(0)
    assert page in text and page in html and claim in html and "Guten Tag Alex Muster" in text
    # no images, no tracking pixels, no remote content: the only URLs are the two links
    assert "<img" not in html.lower() and "src=" not in html.lower() and "url(" not in html.lower()
    assert set(re.findall(r'https?://[^\s"<]+', html)) == {page, claim}
    # the claim link is the credential's live offer
    assert client.get(claim.replace("http://localhost:5000", "")).status_code == 200
    assert mail.send_due(service, _now()) == 0  # sent once


def test_english_course_english_mail_and_the_emailed_offer_is_the_answered_offer(client, api, service):
    body = api.issue("BAT-SERVICE", sendEmail=True, offer={"txCode": True})
    assert body["email"] == "queued" and body["offer"]["txCode"]
    mail.send_due(service, _now())
    [path] = _outbox(service)
    message, text, html = _parts(path.read_bytes())
    assert message["Subject"].strip().startswith("Your credential:") and "Hello Alex Muster" in text
    assert body["offer"]["claimUrl"] in text
    assert body["offer"]["txCode"] not in text and body["offer"]["txCode"] not in html  # the PIN goes another way


def test_html_escapes_names(api, service):
    api.issue("BAT-SERVICE", learner={"name": "<b>Eve</b> & \"Co\"", "email": "eve@example.org"}, sendEmail=True)
    mail.send_due(service, _now())
    _message, _text, html = _parts(_outbox(service)[0].read_bytes())
    assert "<b>Eve</b>" not in html and "&lt;b&gt;Eve&lt;/b&gt; &amp;" in html


def test_no_mail_unless_asked_and_the_provider_default(client, api, service):
    headers = api.headers()
    api.issue("HV-2S")
    assert _rows(service) == []
    assert client.get("/api/v1/settings", headers=headers).get_json() == {"emailLearners": False}
    response = client.put("/api/v1/settings", json={"emailLearners": True}, headers=headers)
    assert response.status_code == 200 and response.get_json() == {"emailLearners": True}
    assert client.get("/api/v1/settings", headers=headers).get_json() == {"emailLearners": True}
    assert api.issue("HV-2S")["email"] == "queued"
    assert "email" not in api.issue("HV-2S", sendEmail=False)
    assert "email" not in api.issue("HV-2S", learner={"name": "Dee", "id": "did:web:example.org"})  # no address
    assert len(_rows(service)) == 1
    for bad in ({"emailLearners": "yes"}, {}, {"emailLearners": True, "x": 1}, [True]):
        assert client.put("/api/v1/settings", json=bad, headers=headers).status_code == 422
    assert client.get("/api/v1/settings", headers=api.headers("bbz-alpenvorland")).get_json() == \
        {"emailLearners": False}  # one provider's default is not another's


def test_send_email_without_an_address_is_422_and_stores_nothing(api, service):
    problem = api.issue("HV-2S", learner={"name": "Dee", "id": "did:web:example.org"}, sendEmail=True, expect=422)
    assert problem["errors"][0]["path"] == "/sendEmail"
    api.issue("HV-2S", sendEmail="yes", expect=422)
    with service.session() as session:
        assert session.scalar(select(Credential)) is None
    assert _rows(service) == []


@pytest.fixture
def smtp():
    with SmtpServer() as server:
        yield server


def test_smtp_delivery_to_a_local_server(api, service, smtp):
    service.config["SMTP_URL"] = smtp.url
    service.config["MAIL_FROM"] = "badges@skills.example.org"
    service.caches.pop("mail_transport", None)
    api.issue("HV-2S", sendEmail=True)
    assert mail.send_due(service, _now()) == 1
    [received] = smtp.handler.messages
    assert received["to"] == [ADDRESS] and received["from"] == "badges@skills.example.org"
    message, text, html = _parts(received["data"])
    assert message.get_content_type() == "multipart/alternative" and "/claim/" in text
    [row] = _rows(service)
    assert row.state == "sent" and row.sealed is None
    assert _outbox(service) == []


def test_temporary_failures_are_retried_and_the_address_kept_until_accepted(api, service, smtp):
    transport = transport_from_url(smtp.url, Path("unused"))
    smtp.handler.rcpt_reply = "451 4.7.1 greylisted, try again later"
    api.issue("HV-2S", sendEmail=True)
    start = _now()
    assert mail.send_due(service, start, transport=transport) == 1
    [row] = _rows(service)
    assert row.state == "pending" and row.sealed is not None and row.attempts == 1 and "451" in row.last_error
    due = row.next_attempt_at.replace(tzinfo=timezone.utc)
    assert timedelta(seconds=59) <= due - start <= timedelta(seconds=61)
    assert mail.send_due(service, start + timedelta(seconds=30), transport=transport) == 0  # not yet
    smtp.handler.rcpt_reply = "250 OK"
    assert mail.send_due(service, due + timedelta(seconds=1), transport=transport) == 1
    [row] = _rows(service)
    assert row.state == "sent" and row.sealed is None and len(smtp.handler.messages) == 1


def test_a_permanent_refusal_fails_at_once_and_erases_the_address(api, service, smtp):
    transport = transport_from_url(smtp.url, Path("unused"))
    smtp.handler.rcpt_reply = "550 5.1.1 no such user"
    api.issue("HV-2S", sendEmail=True)
    assert mail.send_due(service, _now(), transport=transport) == 1
    [row] = _rows(service)
    assert row.state == "failed" and row.sealed is None and "550" in row.last_error


def test_an_unreachable_server_is_temporary(api, service):
    from tests.notify.smtp_server import free_port  # reason: a port nobody listens on, for this test only
    transport = SmtpTransport("127.0.0.1", free_port(), timeout=2)
    api.issue("HV-2S", sendEmail=True)
    mail.send_due(service, _now(), transport=transport)
    [row] = _rows(service)
    assert row.state == "pending" and row.sealed is not None and row.next_attempt_at is not None


def test_smtp_urls():
    assert transport_from_url(None, Path("/x/outbox")) == FolderTransport(Path("/x/outbox"))
    plain = transport_from_url("smtp://mailer%40org:p%3Ass@mail.example.org:587?starttls=true", Path("o"))
    assert plain == SmtpTransport("mail.example.org", 587, "mailer@org", "p:ss", implicit_tls=False, starttls=True)
    assert transport_from_url("smtps://mail.example.org", Path("o")).port == 465
    assert transport_from_url("smtp://mail.example.org", Path("o")).port == 25
    for bad in ("http://mail.example.org", "smtp://", "smtp://mail.example.org?tls=1", "smtp://h:99999"):
        with pytest.raises(ValueError):
            transport_from_url(bad, Path("o"))


def test_languages():
    assert [mail.language_for(x) for x in ("de", "de-AT", "DE", "en", "fr", None)] == ["de", "de", "de", "en",
                                                                                      "en", "en"]
    assert json.dumps(mail.RETRY_SCHEDULE[1].total_seconds()) == "60.0"


def test_starttls_demanded_but_not_offered_is_a_temporary_failure(api, service, smtp):
    transport = transport_from_url(smtp.url + "?starttls=true", Path("unused"))
    api.issue("HV-2S", sendEmail=True)
    mail.send_due(service, _now(), transport=transport)
    [row] = _rows(service)
    assert row.state == "pending" and "STARTTLS" in row.last_error and smtp.handler.messages == []


@pytest.fixture
def certificate(tmp_path, monkeypatch):
    """A server certificate for localhost from a test CA that TLS clients trust through
    ``SSL_CERT_FILE`` (OpenSSL's standard variable, read by ``ssl.create_default_context``)."""
    ca, cert, key = write_certificate(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(ca))
    return cert, key


def _localhost(server: SmtpServer, query: str = "", credentials: str = "") -> str:
    """The server's URL by host name (the certificate's name is checked)."""
    return f"{server.scheme}://{credentials}localhost:{server.port}{query}"


def test_starttls_then_login_then_delivery(api, service, certificate):
    with SmtpServer(tls="starttls", certificate=certificate, login=("mailer", "s3cret:pass")) as server:
        transport = transport_from_url(_localhost(server, "?starttls=true", "mailer:s3cret%3Apass@"), Path("unused"))
        api.issue("HV-2S", sendEmail=True)
        assert mail.send_due(service, _now(), transport=transport) == 1
        [received] = server.handler.messages
    assert received["tls"] is True and received["login"] == b"mailer" and received["to"] == [ADDRESS]
    [row] = _rows(service)
    assert row.state == "sent" and row.sealed is None  # the address is erased once the server took it


def test_a_refused_login_is_a_temporary_failure_and_sends_nothing(api, service, certificate):
    with SmtpServer(tls="starttls", certificate=certificate, login=("mailer", "right")) as server:
        transport = transport_from_url(_localhost(server, "?starttls=true", "mailer:wrong@"), Path("unused"))
        api.issue("HV-2S", sendEmail=True)
        mail.send_due(service, _now(), transport=transport)
        assert server.handler.messages == []
    [row] = _rows(service)
    assert row.state == "pending" and row.sealed is not None and "535" in row.last_error


def test_implicit_tls_smtps_delivery(api, service, certificate):
    with SmtpServer(tls="implicit", certificate=certificate) as server:
        transport = transport_from_url(_localhost(server), Path("unused"))
        assert transport.implicit_tls
        api.issue("HV-2S", sendEmail=True)
        assert mail.send_due(service, _now(), transport=transport) == 1
        [received] = server.handler.messages
    assert received["tls"] is True and received["to"] == [ADDRESS]


@pytest.mark.parametrize("tls", ["starttls", "implicit"])
def test_an_untrusted_server_certificate_sends_nothing(api, service, tmp_path, monkeypatch, tls):
    _ca, cert, key = write_certificate(tmp_path)  # its CA is not trusted
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    with SmtpServer(tls=tls, certificate=(cert, key)) as server:
        transport = transport_from_url(_localhost(server, "?starttls=true" if tls == "starttls" else ""),
                                       Path("unused"))
        api.issue("HV-2S", sendEmail=True)
        assert mail.send_due(service, _now(), transport=transport) == 1  # attempted
        assert server.handler.messages == []
    [row] = _rows(service)
    assert row.state == "pending" and row.sealed is not None and "SSL" in row.last_error  # kept for a retry


def test_mail_settings_are_validated_at_startup(tmp_path):
    from issuer.config import load_config, validate_config  # reason: only this test reads the raw config

    def problems(**values):
        config = load_config(tmp_path, environ={}, overrides={"SECRET_KEY": "k" * 40, **values})
        return [p for p in validate_config(config) if "SMTP" in p or "MAIL_FROM" in p]

    assert problems() == [] and problems(SMTP_URL="smtps://u:p@mail.example.org:465") == []
    assert len(problems(SMTP_URL="http://mail.example.org")) == 1
    assert len(problems(SMTP_URL="smtp://mail.example.org:99999")) == 1
    assert len(problems(MAIL_FROM="Badges <badges@example.org>")) == 1
    assert len(problems(SMTP_TIMEOUT_SECONDS=0)) == 1


def test_an_idempotent_replay_sends_no_second_mail(client, api, service):
    headers = {**api.headers(), "Idempotency-Key": "order-4711"}
    body = {"course": "HV-2S", "learner": {"name": "Alex Muster", "email": ADDRESS}, "sendEmail": True}
    assert client.post("/api/v1/credentials", json=body, headers=headers).status_code == 201
    replay = client.post("/api/v1/credentials", json=body, headers=headers)
    assert replay.status_code == 200 and "email" not in replay.get_json()
    assert len(_rows(service)) == 1


def test_line_breaks_in_catalogue_text_cannot_reach_the_headers():
    message = mail.compose(language="en", recipient=ADDRESS, sender="badges@example.org",
                           issuer_name="Academy\r\nBcc: victim@example.org", learner_name="Alex\nMuster",
                           course_title="HV\r\n2S", credential_url="https://x.example/credentials/1",
                           claim_url=None, claim_expires=None, now=_now())
    raw = message.as_bytes()
    assert b"\nBcc:" not in raw and message["Subject"] == "Your credential: HV 2S"
    assert "/claim/" not in message.get_body(("plain",)).get_content()  # no claim link, no wallet paragraph


def test_an_envelope_sealed_under_another_master_key_fails_and_is_erased(api, service):
    from issuer.signing.keystore import SecretBox  # reason: only this test re-seals a row

    api.issue("HV-2S", sendEmail=True)
    with service.session(write=True) as session:
        row = session.scalar(select(EmailMessage))
        row.sealed = SecretBox("another-master-key-" + "m" * 32).seal(b"{}", row.id)
        session.commit()
    assert mail.send_due(service, _now()) == 0
    [row] = _rows(service)
    assert row.state == "failed" and row.sealed is None and _outbox(service) == []
