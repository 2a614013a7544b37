"""Local HTTP(S) test servers on 127.0.0.1 that count connections, and a fake DNS resolver."""
from __future__ import annotations

import datetime
import gzip
import json
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

TLS_HOST = "issuer.test"


def _send(handler: BaseHTTPRequestHandler, data: bytes) -> bool:
    try:
        handler.wfile.write(data)
        handler.wfile.flush()
    except OSError:  # the client gave up (expected in the abort tests)
        return False
    return True


def _response(status: int, body: bytes, headers: dict[str, str] | None = None) -> bytes:
    head = [f"HTTP/1.1 {status} X", f"Content-Length: {len(body)}", "Connection: close"]
    head += [f"{k}: {v}" for k, v in (headers or {}).items()]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


def _slow(handler, head: bytes, drip: bytes, delay: float = 0.05, limit: float = 3.0) -> None:
    if not _send(handler, head):
        return
    deadline = time.monotonic() + limit
    for byte in drip:
        if time.monotonic() > deadline or not _send(handler, bytes([byte])):
            return
        time.sleep(delay)


def _chunked(handler, total: int) -> None:
    if not _send(handler, b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"):
        return
    chunk = b"x" * 4096
    sent = 0
    while sent < total:
        if not _send(handler, b"%x\r\n%s\r\n" % (len(chunk), chunk)):
            return
        sent += len(chunk)
    _send(handler, b"0\r\n\r\n")


def _routes(server: RecordingServer) -> dict:
    ok = json.dumps({"ok": True}).encode()
    return {
        "/ok": lambda h: _send(h, _response(200, ok, {"Content-Type": "application/json"})),
        "/echo": lambda h: _send(h, _response(200, json.dumps(dict(h.headers.items())).encode())),
        "/exact": lambda h: _send(h, _response(200, b"x" * 100)),
        "/big": lambda h: _send(h, _response(200, b"x" * (300 * 1024))),
        "/huge-length": lambda h: _send(h, b"HTTP/1.1 200 OK\r\nContent-Length: 1000000000\r\n\r\nxx"),
        "/chunked-small": lambda h: _send(h, b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                                          b"3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"),
        "/big-chunked": lambda h: _chunked(h, 400 * 1024),
        "/slow-body": lambda h: _slow(h, b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n", b"x" * 100),
        "/slow-headers": lambda h: _slow(h, b"HTTP/1.1 200 OK\r\n", b"X-Drip: " + b"y" * 100),
        "/redirect": lambda h: _send(h, _response(302, b"", {"Location": "/ok"})),
        "/redirect-loop": lambda h: _send(h, _response(302, b"", {"Location": "/redirect-loop"})),
        "/redirect-away": lambda h: _send(h, _response(302, b"", {"Location": server.other_origin + "/ok"})),
        "/redirect-http": lambda h: _send(h, _response(302, b"", {"Location": f"http://{TLS_HOST}:{server.port}/ok"})),
        "/gzip": lambda h: _send(h, _response(200, gzip.compress(b"{}"), {"Content-Encoding": "gzip"})),
        "/missing": lambda h: _send(h, _response(404, b"nope")),
    }


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server naming)
        server: RecordingServer = self.server  # type: ignore[assignment]
        server.requests.append((self.path, dict(self.headers.items())))
        path = self.path.split("?", 1)[0]
        route = server.routes.get(path) or server.extra_routes.get(path)
        if route is None:
            _send(self, _response(404, b""))
        elif isinstance(route, bytes):
            _send(self, _response(200, route, {"Content-Type": "application/did+json"}))
        else:
            route(self)
        self.close_connection = True

    def log_message(self, *args):
        pass


class RecordingServer(ThreadingHTTPServer):
    """Threaded server on 127.0.0.1 that counts accepted TCP connections (and TLS SNI names)."""

    daemon_threads = True

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.port = self.server_address[1]
        self.connections = 0
        self.requests: list[tuple[str, dict]] = []
        self.sni: list[str | None] = []
        self.tls = tls
        self.other_origin = ""
        self.routes = _routes(self)
        self.extra_routes: dict = {}
        if tls is not None:
            tls.sni_callback = lambda sock, name, ctx: self.sni.append(name)

    def get_request(self):
        sock, addr = super().get_request()
        self.connections += 1
        if self.tls is not None:
            sock = self.tls.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        return sock, addr

    def finish_request(self, request, client_address):
        try:
            if isinstance(request, ssl.SSLSocket):
                request.settimeout(5)
                request.do_handshake()
            super().finish_request(request, client_address)
        except OSError:
            pass  # handshake refused by the client, or client aborted

    def handle_error(self, request, client_address):
        pass


def _serve(server: RecordingServer):
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    return thread


def _stop(server: RecordingServer, thread: threading.Thread) -> None:
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture
def http_server():
    server = RecordingServer()
    server.other_origin = f"http://other.test:{server.port}"
    thread = _serve(server)
    yield server
    _stop(server, thread)


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


@pytest.fixture(scope="session")
def tls_material(tmp_path_factory):
    """A throw-away CA and a server certificate for ``issuer.test`` (SAN), as PEM paths/data."""
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key, leaf_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_ski = x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key())
    ca = (
        x509.CertificateBuilder().subject_name(_name("test CA")).issuer_name(_name("test CA"))
        .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
        .add_extension(ca_ski, critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    leaf = (
        x509.CertificateBuilder().subject_name(_name(TLS_HOST)).issuer_name(ca.subject)
        .public_key(leaf_key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(TLS_HOST)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(leaf_key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    directory = tmp_path_factory.mktemp("tls")
    cert_file, key_file = directory / "leaf.pem", directory / "leaf.key"
    cert_file.write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(leaf_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return {"cert": str(cert_file), "key": str(key_file), "ca_pem": ca.public_bytes(serialization.Encoding.PEM).decode()}


@pytest.fixture
def https_server(tls_material):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tls_material["cert"], tls_material["key"])
    server = RecordingServer(tls=context)
    server.other_origin = f"https://other.test:{server.port}"
    thread = _serve(server)
    yield server
    _stop(server, thread)


@pytest.fixture
def client_tls(tls_material) -> ssl.SSLContext:
    return ssl.create_default_context(cadata=tls_material["ca_pem"])
