"""A local SMTP server for the tests (aiosmtpd): keeps every accepted message and can answer RCPT
with a chosen reply (``451`` temporary, ``550`` permanent). With a certificate it speaks STARTTLS
(RFC 3207) or implicit TLS (RFC 8314), and can demand AUTH over TLS."""
from __future__ import annotations

import datetime
import ipaddress
import socket
import ssl
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


class Handler:
    def __init__(self):
        self.messages: list[dict] = []
        self.rcpt_reply = "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd's name
        if not self.rcpt_reply.startswith("250"):
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.messages.append({"from": envelope.mail_from, "to": list(envelope.rcpt_tos), "data": envelope.content,
                              "tls": session.ssl is not None or server.transport.get_extra_info("ssl_object") is not None,
                              "login": getattr(session.auth_data, "login", None) if session.authenticated else None})
        return "250 Message accepted for delivery"


def write_certificate(folder: Path) -> tuple[Path, Path, Path]:
    """A test CA and a server certificate it signed for ``localhost`` and 127.0.0.1 (P-256, one day).
    Returns (CA certificate, server certificate, server key) PEM paths."""
    now = datetime.datetime.now(datetime.timezone.utc)

    def certificate(subject: str, key, issuer_name, issuer_key, *, ca: bool, san=None):
        builder = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
                   .issuer_name(issuer_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
                   .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
        if san:
            builder = builder.add_extension(x509.SubjectAlternativeName(san), critical=False)
        return builder.sign(issuer_key, hashes.SHA256())

    ca_key, server_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test mail CA")])
    ca = certificate("Test mail CA", ca_key, ca_name, ca_key, ca=True)
    server = certificate("localhost", server_key, ca_name, ca_key, ca=False,
                         san=[x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))])
    paths = folder / "ca.pem", folder / "server.pem", folder / "server.key"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(server.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(server_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                  serialization.NoEncryption()))
    return paths


def _accept_one_login(user: str, password: str):
    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.login == user.encode() \
            and auth_data.password == password.encode()
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)
    return authenticate


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SmtpServer:
    """``tls="starttls"`` (offers and demands STARTTLS) or ``tls="implicit"`` (TLS from the first
    byte) with ``certificate`` (server certificate and key paths); ``login=(user, password)``
    demands AUTH (over TLS only)."""

    def __init__(self, *, tls: str | None = None, certificate: tuple[Path, Path] | None = None,
                 login: tuple[str, str] | None = None):
        self.handler = Handler()
        self.port = free_port()
        self.scheme = "smtps" if tls == "implicit" else "smtp"
        options = {}
        if tls is not None:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(*map(str, certificate))
            options = {"ssl_context": context} if tls == "implicit" else {"tls_context": context,
                                                                          "require_starttls": True}
        if login is not None:
            options.update(authenticator=_accept_one_login(*login), auth_required=True)
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port,
                                     server_hostname="localhost", **options)

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()
