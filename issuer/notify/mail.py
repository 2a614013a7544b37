"""Learner e-mail (issue #12 §4): the credential page and the private claim link, in the course's
language (English or German), as plain text and HTML (RFC 2046 multipart/alternative), without
images, tracking pixels or any remote content.

Data protection: the address and the claim link are queued sealed (:class:`SecretBox`) in an
``email_outbox`` row and erased (``sealed = NULL``) as soon as the mail server accepted the message,
or when it failed for good. The credential row never holds the address (only a keyed hash, see
:mod:`issuer.store.listing`). See docs/data-protection.md.

:func:`send_due` is a plain function for the job runner, like :func:`issuer.notify.dispatch.deliver_due`:
temporary failures are retried after :data:`RETRY_SCHEDULE` (1 min ... 24 h, 8 attempts over
about 2 days), permanent ones (5xx for the recipient or the message) fail at once.
"""
from __future__ import annotations

import html
import json
import uuid
from datetime import datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

from ..resolve.mail import MailError, transport_from_url
from ..signing.keystore import SecretBox
from ..store import notify as store
from ..store.notify_models import EmailMessage as OutboxRow
from .dispatch import lease_for, next_attempt

__all__ = ["RETRY_SCHEDULE", "LANGUAGES", "language_for", "compose", "queue", "send_due", "transport_for",
           "sender_address"]

RETRY_SCHEDULE = (timedelta(0), timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30),
                  timedelta(hours=2), timedelta(hours=6), timedelta(hours=12), timedelta(hours=24))
LANGUAGES = ("en", "de")

_TEXTS = {
    "en": {
        "subject": "Your credential: {course}",
        "greeting": "Hello {name},",
        "issued": "{issuer} has issued you a digital credential for “{course}”.",
        "page": "View, verify and download it (PDF, image, JSON):",
        "claim": "Add it to your digital wallet with this private link, valid until {expires}. "
                 "Please do not share it: whoever opens it first can claim the credential.",
        "privacy": "You receive this message once because {issuer} asked us to send it. "
                   "Your e-mail address is deleted from our systems as soon as the message has been sent.",
        "open": "Open your credential", "wallet": "Add to your wallet",
    },
    "de": {
        "subject": "Ihr Nachweis: {course}",
        "greeting": "Guten Tag {name},",
        "issued": "{issuer} hat Ihnen einen digitalen Nachweis für „{course}“ ausgestellt.",
        "page": "Ansehen, prüfen und herunterladen (PDF, Bild, JSON):",
        "claim": "Mit diesem persönlichen Link übernehmen Sie ihn in Ihre digitale Brieftasche (Wallet); "
                 "er gilt bis {expires}. Bitte geben Sie ihn nicht weiter: Wer ihn zuerst öffnet, kann den "
                 "Nachweis übernehmen.",
        "privacy": "Sie erhalten diese Nachricht einmalig, weil {issuer} uns darum gebeten hat. Ihre "
                   "E-Mail-Adresse wird gelöscht, sobald die Nachricht versandt ist.",
        "open": "Nachweis öffnen", "wallet": "In die Wallet übernehmen",
    },
}


def language_for(course_language: str | None) -> str:
    """``"de"`` for a German course (``de``, ``de-DE``, ``de-AT``, ...), else ``"en"``."""
    return "de" if (course_language or "").lower().split("-")[0] == "de" else "en"


def sender_address(config: dict) -> str:
    """``MAIL_FROM``, or ``no-reply@<host of BASE_URL>``."""
    return config.get("MAIL_FROM") or f"no-reply@{urlsplit(config['BASE_URL']).hostname}"


def compose(*, language: str, recipient: str, sender: str, issuer_name: str, learner_name: str,
            course_title: str, credential_url: str, claim_url: str | None, claim_expires: str | None,
            now: datetime) -> EmailMessage:
    """The message (text/plain and text/html alternatives, UTF-8) in ``language`` (``en``/``de``).
    ``claim_expires`` is an RFC 3339 time shown as a date; without ``claim_url`` the wallet part
    is left out. Values are escaped in the HTML part; the HTML has no image and no remote URL other
    than the two links."""
    texts = _TEXTS[language if language in _TEXTS else "en"]
    # one line each: header values (Subject, display names) must not carry line breaks
    learner_name, issuer_name, course_title = (" ".join(v.split()) for v in (learner_name, issuer_name, course_title))
    values = {"name": learner_name, "issuer": issuer_name, "course": course_title,
              "expires": (claim_expires or "")[:10]}
    t = {key: value.format(**values) for key, value in texts.items()}
    plain = [t["greeting"], "", t["issued"], "", t["page"], credential_url, ""]
    if claim_url:
        plain += [t["claim"], claim_url, ""]
    plain += ["--", t["privacy"], ""]
    e = html.escape
    link = 'style="display:inline-block;padding:10px 16px;background:#1a4f8b;color:#ffffff;text-decoration:none"'
    parts = [f"<p>{e(t['greeting'])}</p>", f"<p>{e(t['issued'])}</p>",
             f"<p>{e(t['page'])}<br><a {link} href=\"{e(credential_url)}\">{e(t['open'])}</a></p>",
             f"<p><small>{e(credential_url)}</small></p>"]
    if claim_url:
        parts += [f"<p>{e(t['claim'])}<br><a {link} href=\"{e(claim_url)}\">{e(t['wallet'])}</a></p>",
                  f"<p><small>{e(claim_url)}</small></p>"]
    parts.append(f"<hr><p><small>{e(t['privacy'])}</small></p>")
    body = (f'<!DOCTYPE html><html lang="{language}"><head><meta charset="utf-8"><title>{e(t["subject"])}</title>'
            f'</head><body style="font-family:sans-serif;line-height:1.5">{"".join(parts)}</body></html>')
    message = EmailMessage()
    message["Subject"] = t["subject"]
    message["From"] = Address(display_name=issuer_name, addr_spec=sender)
    message["To"] = Address(display_name=learner_name, addr_spec=recipient)
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1])
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies
    message.set_content("\n".join(plain))
    message.add_alternative(body, subtype="html")
    message["Content-Language"] = language  # RFC 3282; after the parts (set_content moves Content-* headers)
    return message


def queue(session, *, provider_id: int, credential_id: str, recipient: str, language: str, claim_url: str | None,
          claim_expires: str | None, box: SecretBox, now: datetime,
          new_id: Callable[[], str] = lambda: "mail_" + uuid.uuid4().hex) -> OutboxRow:
    """Queue the learner e-mail of ``credential_id`` in the caller's transaction (due at ``now``).
    The address and the claim link are sealed, bound to the row id."""
    row_id = new_id()
    secret = json.dumps({"to": recipient, "claimUrl": claim_url, "claimExpires": claim_expires}).encode("utf-8")
    row = OutboxRow(id=row_id, provider_id=provider_id, credential_id=credential_id,
                    language=language if language in LANGUAGES else "en", sealed=box.seal(secret, row_id),
                    state="pending", attempts=0, next_attempt_at=now, created_at=now)
    store.add(session, row)
    return row


def transport_for(service):
    """The service's mail transport: SMTP from ``SMTP_URL``, else the ``outbox/`` folder of the
    instance."""
    transport = service.caches.get("mail_transport")
    if transport is None:
        transport = transport_from_url(service.config.get("SMTP_URL"),
                                       Path(service.config["INSTANCE_PATH"]) / "outbox",
                                       timeout=float(service.config.get("SMTP_TIMEOUT_SECONDS", 20)))
        service.caches["mail_transport"] = transport
    return transport


def send_due(service, now: datetime, *, transport=None, limit: int = 20) -> int:
    """Send up to ``limit`` queued e-mails due at ``now`` through ``transport`` (an object with
    ``send(EmailMessage)`` raising :class:`MailError`; default :func:`transport_for`). Returns how
    many were attempted. Accepted: ``sent`` and the sealed address and link erased; permanent
    failure or the schedule used up: ``failed``, erased too; temporary failure: retried."""
    transport = transport or transport_for(service)
    box = SecretBox(service.config["SECRET_KEY"])
    sender = sender_address(service.config)
    jobs = []
    with service.session(write=True) as session:
        lease = lease_for(limit, float(service.config.get("SMTP_TIMEOUT_SECONDS", 20)))
        for row in store.claim_due_emails(session, now, limit=limit, lease_until=now + lease):
            credential = store.credential_for_mail(session, row.credential_id)
            if row.sealed is None or credential is None:
                row.state, row.next_attempt_at = "failed", None
                continue
            try:
                secret = json.loads(box.open(row.sealed, row.id))
                message = compose(language=row.language, recipient=secret["to"], sender=sender,
                                  issuer_name=credential.issuer.name, learner_name=credential.learner_name,
                                  course_title=credential.course.title,
                                  credential_url=f"{service.base_url}/credentials/{credential.id}",
                                  claim_url=secret.get("claimUrl"), claim_expires=secret.get("claimExpires"),
                                  now=now)
            except (ValueError, KeyError) as exc:  # another master key, or an unusable address
                row.state, row.sealed, row.next_attempt_at = "failed", None, None
                row.last_error = f"cannot build the message: {type(exc).__name__}"
                continue
            jobs.append((row.id, message))
        session.commit()
    for row_id, message in jobs:
        error = None
        try:
            transport.send(message)
        except MailError as exc:
            error = exc
        _record(service, row_id, now, error)
    return len(jobs)


def _record(service, row_id: str, now: datetime, error: MailError | None) -> None:
    with service.session(write=True) as session:
        row = store.email_by_id(session, row_id, for_update=True)
        row.attempts += 1
        if error is None:
            row.state, row.sent_at, row.sealed, row.next_attempt_at, row.last_error = "sent", now, None, None, None
        else:
            row.last_error = error.message[:500]
            due = next_attempt(row.attempts, now, RETRY_SCHEDULE) if error.temporary else None
            row.next_attempt_at = due
            if due is None:
                row.state, row.sealed = "failed", None
        session.commit()
