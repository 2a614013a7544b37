"""Sending e-mail: SMTP (RFC 5321, https://www.rfc-editor.org/rfc/rfc5321) through :mod:`smtplib`,
or, in the embedded default without a mail server, ``.eml`` files in the instance's ``outbox/``
folder (RFC 5322 messages, readable by any mail client).

``ISSUER_SMTP_URL``: ``smtp://[user:password@]host[:port][?starttls=true]`` (port 25 by default;
``starttls=true`` demands STARTTLS before authenticating, RFC 3207) or
``smtps://[user:password@]host[:port]`` (implicit TLS, RFC 8314, port 465). User and password are
percent-decoded. TLS verifies the server's certificate against the host name.

:class:`MailError` says whether a failure is temporary (retry later: connection problems, 4xx
replies, authentication or sender problems an operator can fix) or permanent for this message
(5xx reply to the recipient or to the message itself).
"""
from __future__ import annotations

import os
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

__all__ = ["MailError", "SmtpTransport", "FolderTransport", "transport_from_url", "smtp_url_problem"]


class MailError(Exception):
    """Sending failed; ``temporary`` says whether trying again later may succeed."""

    def __init__(self, message: str, *, temporary: bool):
        super().__init__(message)
        self.message = message
        self.temporary = temporary


@dataclass(frozen=True)
class SmtpTransport:
    """An SMTP submission target parsed from ``ISSUER_SMTP_URL``."""

    host: str
    port: int
    username: str | None = None
    password: str | None = None
    implicit_tls: bool = False
    starttls: bool = False
    timeout: float = 20.0

    def send(self, message: EmailMessage) -> None:
        """Submit ``message`` (its From / To headers name the envelope); returns when the server
        accepted it (250 after DATA). Raises :class:`MailError`."""
        context = ssl.create_default_context()
        try:
            if self.implicit_tls:
                client = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
            else:
                client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            with client:
                client.ehlo()
                if self.starttls:
                    if not client.has_extn("starttls"):
                        raise MailError("the SMTP server does not offer STARTTLS", temporary=True)
                    client.starttls(context=context)
                    client.ehlo()
                if self.username:
                    client.login(self.username, self.password or "")
                refused = client.send_message(message)
            if refused:  # some recipients refused (we send to one, so this is rare)
                code = min(c for c, _ in refused.values())
                raise MailError(f"recipient refused ({code})", temporary=400 <= code < 500)
        except MailError:
            raise
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [c for c, _ in exc.recipients.values()]
            raise MailError(f"recipient refused ({', '.join(map(str, codes))})",
                            temporary=all(400 <= c < 500 for c in codes)) from None
        except smtplib.SMTPDataError as exc:
            raise MailError(f"message refused ({exc.smtp_code})", temporary=exc.smtp_code < 500) from None
        except smtplib.SMTPResponseException as exc:  # sender refused, authentication, ...: the operator's to fix
            raise MailError(f"SMTP error {exc.smtp_code}", temporary=True) from None
        except (smtplib.SMTPException, OSError) as exc:  # connection, TLS, timeout
            raise MailError(f"cannot talk to the SMTP server: {type(exc).__name__}", temporary=True) from None


@dataclass(frozen=True)
class FolderTransport:
    """The embedded default: each message becomes ``<folder>/<Message-ID digest>.eml`` (mode 0600;
    written to a temporary name, then renamed, so a reader never sees half a message)."""

    folder: Path

    def send(self, message: EmailMessage) -> None:
        """Write ``message`` as an ``.eml`` file; raises :class:`MailError` (temporary) on an I/O error."""
        name = "".join(c for c in str(message.get("Message-ID", "")) if c.isalnum())[:80] or "message"
        try:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            final = self.folder / f"{name}.eml"
            temporary = self.folder / f".{name}.tmp"
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(message.as_bytes())
            os.replace(temporary, final)
        except OSError as exc:
            raise MailError(f"cannot write to the outbox folder: {exc.strerror}", temporary=True) from None


def smtp_url_problem(url: str) -> str | None:
    """Why ``url`` is not a usable ``ISSUER_SMTP_URL`` (a sentence), or None."""
    try:
        transport_from_url(url, Path("."))
    except ValueError as exc:
        return str(exc)
    return None


def transport_from_url(url: str | None, outbox: Path, *, timeout: float = 20.0):
    """The transport for ``ISSUER_SMTP_URL`` (None or empty: :class:`FolderTransport` on ``outbox``).
    Raises ``ValueError`` for a malformed URL."""
    if not url:
        return FolderTransport(outbox)
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"ISSUER_SMTP_URL is malformed: {exc}") from None
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ValueError("ISSUER_SMTP_URL must be smtp://[user:password@]host[:port][?starttls=true] or smtps://...")
    options = parse_qs(parts.query)
    unknown = sorted(set(options) - {"starttls"})
    if unknown:
        raise ValueError(f"ISSUER_SMTP_URL has unknown options: {', '.join(unknown)} (known: starttls)")
    starttls = options.get("starttls", ["false"])[-1].lower() in ("1", "true", "yes", "on")
    implicit = parts.scheme == "smtps"
    return SmtpTransport(host=parts.hostname, port=port or (465 if implicit else 25),
                         username=unquote(parts.username) if parts.username else None,
                         password=unquote(parts.password) if parts.password else None,
                         implicit_tls=implicit, starttls=starttls and not implicit, timeout=timeout)
