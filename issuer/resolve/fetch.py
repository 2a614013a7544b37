"""SSRF-safe HTTP(S) GET for every server-side fetch (did:web, status lists, key documents).

Rules (security catalog section 3, NET-01 .. NET-05; OWASP SSRF prevention cheat sheet
https://cheatsheetseries.owasp.org/cheatsheets/Server_Side_Request_Forgery_Prevention_Cheat_Sheet.html):

* Only ``https`` URLs (``http`` only with ``allow_http=True``, meant for tests). No user-info, no
  control characters, ASCII host names only (IDNs must already be punycode).
* The host is resolved exactly once. If ANY resolved address is loopback, private, link-local,
  multicast, reserved, unspecified, shared (100.64/10) or an IPv6 form embedding such an IPv4 address
  (IPv4-mapped, 6to4, NAT64, Teredo, IPv4-compatible), the fetch is refused before any connection is
  made. Legacy numeric host forms accepted by ``inet_aton`` (``2852039166``, ``0xA9FEA9FE``,
  ``0177.0.0.1``, ``127.1``) are normalised with :mod:`ipaddress` first.
* The TCP connection goes to the pinned, already-checked IP address (no second DNS lookup, so DNS
  rebinding cannot swap the target, NET-02). TLS uses SNI and certificate verification against the
  host name from the URL; the ``Host`` header carries the host name.
* Proxy environment variables are never consulted (no :mod:`urllib.request`).
* One overall deadline bounds connect, TLS handshake, request and every read (slowloris-proof), and
  the body is capped while it is read (NET-05).
* Redirects are refused by default; when enabled they must stay on the same origin and are checked
  again like a new URL (NET-03).
* ``Accept-Encoding: identity`` is sent and any ``Content-Encoding`` other than identity is refused,
  so a gzip bomb is never inflated here.
* Successful responses are cached by URL for ``cache_ttl`` seconds (VC Data Integrity §Network
  Requests asks verifiers to cache aggressively), in an LRU bounded by entries and by body bytes
  (``max_cache_bytes``).
* Failures are cached briefly (``failure_ttl``, catalog P-04, NET-08): a host that timed out,
  refused the connection or failed DNS/TLS is not tried again for that long (by host and port);
  an HTTP error or a refused response is remembered by URL.
* At most ``max_concurrent`` fetches are in flight per process, and ``max_per_host`` to any one
  host; a fetch waits for a slot only as long as its deadline allows.
* :meth:`SafeFetcher.post` sends a body (webhook deliveries) under the same address rules, pinning,
  deadline and concurrency caps; it never follows a redirect, returns any HTTP status to the caller
  and keeps only the first ``max_answer_bytes`` of the answer (the rest is not read).
* :func:`fetch_budget` gives all fetches of one request a single total deadline (a context
  variable): each fetch ends at ``min(own timeout, end of the budget)``.
"""
from __future__ import annotations

import contextlib
import contextvars
import http.client
import io
import ipaddress
import socket
import ssl
import threading
import time
import types
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

__all__ = [
    "FetchError", "FetchResult", "PostResult", "SafeFetcher", "parse_ip_host", "is_forbidden_address",
    "DEFAULT_MAX_BYTES", "FETCH_ERROR_CODES", "fetch_budget",
]

DEFAULT_MAX_BYTES = 256 * 1024
MAX_URL_LENGTH = 2048
FETCH_ERROR_CODES = frozenset({
    "bad_url", "bad_scheme", "forbidden_address", "dns_error", "connect_error", "tls_error",
    "timeout", "too_large", "redirect_refused", "http_error", "bad_response",
})

_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_DEFAULT_PORTS = {"http": 80, "https": 443}
_HOST_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-_")
_NAT64_PREFIXES = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
_READ_CHUNK = 64 * 1024

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_HOST_FAILURES = frozenset({"timeout", "connect_error", "dns_error", "tls_error"})
_URL_FAILURES = frozenset({"http_error", "too_large", "redirect_refused", "bad_response", "forbidden_address"})
_HOST_FAILURE_MESSAGES = {"timeout": "{host} did not answer in time", "connect_error": "connection to {host} failed",
                          "dns_error": "the name {host} could not be resolved", "tls_error": "TLS error with {host}"}
_BUDGET_END: contextvars.ContextVar[float | None] = contextvars.ContextVar("fetch_budget_end", default=None)


@contextlib.contextmanager
def fetch_budget(seconds: float, clock: Callable[[], float] = time.monotonic) -> Iterator[None]:
    """Every fetch inside shares one total deadline of ``seconds`` (nested budgets never extend an outer one)."""
    end = clock() + seconds
    outer = _BUDGET_END.get()
    token = _BUDGET_END.set(end if outer is None else min(outer, end))
    try:
        yield
    finally:
        _BUDGET_END.reset(token)


class FetchError(Exception):
    """A fetch was refused or failed.

    ``code`` is one of :data:`FETCH_ERROR_CODES`: ``bad_url``, ``bad_scheme``, ``forbidden_address``,
    ``dns_error``, ``connect_error``, ``tls_error``, ``timeout``, ``too_large``, ``redirect_refused``,
    ``http_error`` (``status`` holds the HTTP status) or ``bad_response``.
    """

    def __init__(self, code: str, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


@dataclass(frozen=True)
class FetchResult:
    """A successful (2xx) response. ``headers`` has lower-cased names (repeated headers joined
    with ``", "``) and is read-only; ``url`` is the final URL (after same-origin redirects)."""

    url: str
    status: int
    headers: Mapping[str, str]
    body: bytes

    @property
    def content_type(self) -> str:
        """Media type without parameters, lower-cased (``""`` if absent)."""
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()


# --------------------------------------------------------------------------- address policy


@dataclass(frozen=True)
class PostResult:
    """The answer to :meth:`SafeFetcher.post`: any HTTP status, the headers (lower-case names) and
    at most ``max_answer_bytes`` of the body (``truncated`` says whether more was sent)."""

    url: str
    status: int
    headers: Mapping[str, str]
    body: bytes
    truncated: bool


def _parse_aton_part(part: str) -> int | None:
    """One component of an ``inet_aton`` address: decimal, octal (leading 0) or hex (0x)."""
    text = part.lower()
    if text.startswith("0x"):
        digits, base, allowed = text[2:], 16, "0123456789abcdef"
        if not digits:
            return 0
    elif len(text) > 1 and text.startswith("0"):
        digits, base, allowed = text[1:], 8, "01234567"
    else:
        digits, base, allowed = text, 10, "0123456789"
    if not digits or any(c not in allowed for c in digits):
        return None
    return int(digits, base)


def _parse_legacy_ipv4(host: str) -> ipaddress.IPv4Address | None:
    """Interpret ``host`` the way BSD/glibc ``inet_aton`` would (``a``, ``a.b``, ``a.b.c``, ``a.b.c.d``
    with decimal, octal or hex parts), or return ``None`` if it is not such a form."""
    parts = host.split(".")
    if not 1 <= len(parts) <= 4:
        return None
    values = [_parse_aton_part(p) for p in parts]
    if any(v is None for v in values):
        return None
    *head, last = values
    last_bits = 8 * (5 - len(values))
    if any(v > 255 for v in head) or last >= 1 << last_bits:
        return None
    number = 0
    for value in head:
        number = number << 8 | value
    return ipaddress.IPv4Address(number << last_bits | last)


def parse_ip_host(host: str) -> IPAddress | None:
    """Return the IP address a URL host denotes, or ``None`` if it is a host name.

    Accepts ``[v6]`` brackets, canonical IPv4/IPv6 and the legacy numeric forms (``2852039166``,
    ``0xA9FEA9FE``, ``0177.0.0.1``, ``127.1``) that resolvers silently turn into addresses.
    """
    text = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        pass
    return _parse_legacy_ipv4(text)


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """IPv4 addresses carried inside an IPv6 address (mapped, 6to4, Teredo, NAT64, compatible)."""
    found = [a for a in (ip.ipv4_mapped, ip.sixtofour) if a is not None]
    if ip.teredo is not None:
        found.extend(ip.teredo)
    if any(ip in net for net in _NAT64_PREFIXES) or (ip in _IPV4_COMPATIBLE and int(ip) > 1):
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return found


def is_forbidden_address(ip: IPAddress) -> bool:
    """True unless ``ip`` is a globally routable unicast address (and embeds no forbidden IPv4)."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.scope_id or any(is_forbidden_address(v4) for v4 in _embedded_ipv4(ip)):
            return True
        if ip.is_site_local:
            return True
    return (
        not ip.is_global or ip.is_private or ip.is_loopback or ip.is_link_local
        or ip.is_multicast or ip.is_reserved or ip.is_unspecified
    )


def _is_local_name(host: str) -> bool:
    return host == "localhost" or host.endswith(".localhost")


# --------------------------------------------------------------------------- URL parsing


@dataclass(frozen=True)
class _Target:
    url: str
    scheme: str
    host: str  # lower-case, no brackets
    port: int
    path: str  # path + query, never empty
    ip: IPAddress | None  # set when the host is an IP literal

    @property
    def origin(self) -> tuple[str, str, int]:
        return (self.scheme, self.host, self.port)

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == _DEFAULT_PORTS[self.scheme] else f"{host}:{self.port}"


def _check_host_name(host: str) -> None:
    labels = host.split(".")
    if len(host) > 253 or any(not 0 < len(label) <= 63 for label in labels):
        raise FetchError("bad_url", "invalid host name")
    for label in labels:
        if not set(label) <= _HOST_CHARS or label.startswith("-") or label.endswith("-"):
            raise FetchError("bad_url", "invalid host name")


def _parse_url(url: str) -> _Target:
    if not isinstance(url, str) or not url or len(url) > MAX_URL_LENGTH:
        raise FetchError("bad_url", "URL missing or too long")
    if not url.isascii() or any(ord(c) <= 0x20 or ord(c) == 0x7F or c == "\\" for c in url):
        raise FetchError("bad_url", "URL contains non-ASCII, whitespace or control characters")
    try:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        hostname, port = parts.hostname, parts.port
    except ValueError as exc:  # bad brackets, bad port
        raise FetchError("bad_url", f"malformed URL: {exc}") from exc
    if scheme not in _DEFAULT_PORTS:
        raise FetchError("bad_scheme", f"scheme {scheme!r} is not allowed")
    if "@" in parts.netloc:
        raise FetchError("bad_url", "URLs with user information are refused")
    host = (hostname or "").lower()
    if not host or host.endswith(".") or "%" in host or ("[" in parts.netloc and ":" not in host):
        raise FetchError("bad_url", "URL host is missing or malformed")
    if port == 0:
        raise FetchError("bad_url", "invalid port")
    ip = parse_ip_host(host)
    if ip is None:
        _check_host_name(host)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    clean = parts._replace(fragment="").geturl()
    return _Target(clean, scheme, host, port or _DEFAULT_PORTS[scheme], path, ip)


# --------------------------------------------------------------------------- deadline-bound socket


class _DeadlineReader(io.RawIOBase):
    """Raw reader whose every ``recv`` is bounded by the owner's overall deadline."""

    def __init__(self, owner: _DeadlineSocket) -> None:
        super().__init__()
        self._owner = owner

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        return self._owner.recv_into(buffer)

    def close(self) -> None:
        if not self.closed:
            self._owner.release_io()
        super().close()


class _DeadlineSocket:
    """The subset of the socket API :mod:`http.client` uses, with one deadline for all I/O.

    A per-operation socket timeout alone lets a server drip one byte per timeout forever; here the
    timeout of each blocking call is the time left until the deadline.
    """

    def __init__(self, sock: socket.socket, deadline: float, clock: Callable[[], float]) -> None:
        self._sock = sock
        self._deadline = deadline
        self._clock = clock
        self._io_refs = 0
        self._closed = False

    def _arm(self) -> None:
        remaining = self._deadline - self._clock()
        if remaining <= 0:
            raise TimeoutError("fetch deadline exceeded")
        self._sock.settimeout(remaining)

    def sendall(self, data: bytes) -> None:
        self._arm()
        self._sock.sendall(data)

    def recv_into(self, buffer) -> int:
        self._arm()
        return self._sock.recv_into(buffer)

    def makefile(self, mode: str = "rb", *args, **kwargs) -> io.BufferedReader:
        if mode != "rb":
            raise ValueError("only binary read mode is supported")
        self._io_refs += 1
        return io.BufferedReader(_DeadlineReader(self))

    def release_io(self) -> None:
        self._io_refs -= 1
        if self._closed and self._io_refs <= 0:
            self._sock.close()

    def close(self) -> None:
        self._closed = True
        if self._io_refs <= 0:
            self._sock.close()


class _PinnedConnection(http.client.HTTPConnection):
    """:class:`http.client.HTTPConnection` whose socket is supplied already connected (to the
    pinned IP, TLS already negotiated) instead of being opened from the host name."""

    def __init__(self, target: _Target, sock: _DeadlineSocket) -> None:
        super().__init__(target.host, target.port)
        self._pinned_sock = sock

    def connect(self) -> None:
        self.sock = self._pinned_sock


# --------------------------------------------------------------------------- the fetcher


@contextlib.contextmanager
def _transport_errors(target: _Target, malformed: tuple = (http.client.HTTPException,)) -> Iterator[None]:
    """One request/response with ``target``: its transport failures become :class:`FetchError`
    (``timeout``, ``bad_response`` for the ``malformed`` exceptions, ``tls_error``,
    ``connect_error``); a FetchError passes through."""
    try:
        yield
    except FetchError:
        raise
    except TimeoutError as exc:
        raise FetchError("timeout", f"{target.url} did not answer in time") from exc
    except malformed as exc:
        raise FetchError("bad_response", f"malformed HTTP response from {target.host}") from exc
    except ssl.SSLError as exc:
        raise FetchError("tls_error", f"TLS error with {target.host}") from exc
    except OSError as exc:
        raise FetchError("connect_error", f"connection to {target.host} failed: {exc}") from exc


class SafeFetcher:
    """SSRF-safe GET with address pinning, caps, deadline and a small response cache.

    ``resolver`` is called as ``resolver(host, port, type=socket.SOCK_STREAM)`` and must return
    :func:`socket.getaddrinfo`-style tuples. ``clock`` (monotonic seconds) drives both the cache and
    the per-fetch deadline. ``ssl_context`` defaults to :func:`ssl.create_default_context`.
    """

    def __init__(
        self,
        *,
        allow_http: bool = False,
        allow_private: bool = False,
        max_bytes: int = DEFAULT_MAX_BYTES,
        timeout: float = 5.0,
        max_redirects: int = 0,
        resolver: Callable = socket.getaddrinfo,
        cache_ttl: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
        max_cache_entries: int = 128,
        max_cache_bytes: int = 8 * 1024 * 1024,
        ssl_context: ssl.SSLContext | None = None,
        user_agent: str = "ob3-issuer (+https://www.imsglobal.org/spec/ob/v3p0/)",
        failure_ttl: float = 30.0,
        max_concurrent: int = 8,
        max_per_host: int = 2,
    ) -> None:
        if max_bytes <= 0 or timeout <= 0 or max_redirects < 0 or max_cache_entries < 0:
            raise ValueError("max_bytes and timeout must be positive, limits non-negative")
        if failure_ttl < 0 or max_concurrent < 1 or max_per_host < 1:
            raise ValueError("failure_ttl must be non-negative, the concurrency caps positive")
        self._failure_ttl = failure_ttl
        self._max_cache_bytes = max_cache_bytes
        self._cache_bytes = 0
        self._max_concurrent = max_concurrent
        self._max_per_host = max_per_host
        self._failures: OrderedDict[tuple, tuple[float, FetchError]] = OrderedDict()
        self._in_flight: dict[str, int] = {}
        self._total_in_flight = 0
        self._slots = threading.Condition()
        self._allow_http = allow_http
        self._allow_private = allow_private
        self._max_bytes = max_bytes
        self._timeout = timeout
        self._max_redirects = max_redirects
        self._resolver = resolver
        self._cache_ttl = cache_ttl
        self._clock = clock
        self._max_cache_entries = max_cache_entries
        self._ssl_context = ssl_context or ssl.create_default_context()
        self._user_agent = user_agent
        self._cache: OrderedDict[tuple[str, str], tuple[float, FetchResult]] = OrderedDict()
        self._lock = threading.Lock()

    # ----------------------------------------------------------------- public API

    def fetch(self, url: str, accept: str = "application/json", *, use_cache: bool = True) -> FetchResult:
        """GET ``url`` under the rules in the module docstring; raise :class:`FetchError`.

        ``accept`` is sent as the ``Accept`` header (a bad value is a programming error:
        :class:`ValueError`). ``use_cache=False`` bypasses the response cache for this call.
        """
        if not isinstance(accept, str) or not accept.isascii() or not accept.isprintable():
            raise ValueError("accept must be a printable ASCII media range")
        target = self._check_target(url)
        key = (target.url, accept)
        if use_cache:
            cached = self._cache_get(key)
            if cached is not None:
                return cached
        self._raise_cached_failure(target)
        own_end = self._clock() + self._timeout
        budget_end = _BUDGET_END.get()
        deadline = own_end if budget_end is None else min(own_end, budget_end)
        if deadline - self._clock() <= 0:
            raise FetchError("timeout", "the request's outbound fetch budget is spent")
        granted = deadline - self._clock()
        with self._slot(target, deadline):
            try:
                result = self._fetch_following(target, accept, deadline)
            except FetchError as exc:
                self._remember_failure(target, exc, cut_short=deadline < own_end and granted < 1.0)
                raise
        if use_cache:
            self._cache_put(key, result)
        return result

    def post(self, url: str, body: bytes, *, headers: Mapping[str, str], content_type: str = "application/json",
             max_answer_bytes: int = 4096) -> PostResult:
        """POST ``body`` to ``url`` under the rules of the module docstring (address checks before
        connecting, pinned address, one deadline of ``timeout`` seconds, no proxy, no redirect).

        ``headers`` are extra request headers (ASCII; ``Host``, ``Content-Type`` and
        ``Content-Length`` are set here). Any HTTP status is returned (a 3xx is not followed);
        raises :class:`FetchError` for a refused URL or a transport failure (``bad_url``,
        ``bad_scheme``, ``forbidden_address``, ``dns_error``, ``connect_error``, ``tls_error``,
        ``timeout``, ``bad_response``). Nothing is cached."""
        target = self._check_target(url)
        deadline = self._clock() + self._timeout
        with self._slot(target, deadline):
            addresses = self._resolve(target)
            raw = self._connect(target, addresses, deadline)
            conn = _PinnedConnection(target, _DeadlineSocket(raw, deadline, self._clock))
            response = None
            try:
                request_headers = {"Host": target.host_header, "User-Agent": self._user_agent,
                                   "Accept-Encoding": "identity", "Connection": "close",
                                   "Content-Type": content_type, "Content-Length": str(len(body))}
                for name, value in headers.items():
                    if not (name.isascii() and str(value).isascii()) or "\r" in value or "\n" in value:
                        raise ValueError("request headers must be single-line ASCII")
                    request_headers[name] = value
                with _transport_errors(target):
                    conn.putrequest("POST", target.path, skip_host=True, skip_accept_encoding=True)
                    for name, value in request_headers.items():
                        conn.putheader(name, value)
                    conn.endheaders(body)
                    response = conn.getresponse()
                    answer = response.read(max_answer_bytes + 1)
                return PostResult(target.url, response.status, types.MappingProxyType(_collect_headers(response)),
                                  answer[:max_answer_bytes], len(answer) > max_answer_bytes)
            finally:
                if response is not None:
                    response.close()
                conn.close()
                raw.close()

    def check_url(self, url: str, *, resolve: bool = True) -> str:
        """``url`` checked as :meth:`post` and :meth:`fetch` would before connecting (syntax, scheme,
        and, with ``resolve``, every address its host resolves to); the normalized URL (fragment
        dropped). Raises :class:`FetchError` (``bad_url``, ``bad_scheme``, ``forbidden_address``,
        ``dns_error``)."""
        target = self._check_target(url)
        if resolve:
            self._resolve(target)
        return target.url

    @contextlib.contextmanager
    def _slot(self, target: _Target, deadline: float) -> Iterator[None]:
        """Wait (until ``deadline``) for a free slot under the global and per-host caps."""
        host = f"{target.host}:{target.port}"
        with self._slots:
            while self._total_in_flight >= self._max_concurrent or self._in_flight.get(host, 0) >= self._max_per_host:
                remaining = deadline - self._clock()
                if remaining <= 0 or not self._slots.wait(remaining):
                    raise FetchError("timeout", f"too many outbound fetches in flight (to {target.host} or in all)")
            self._total_in_flight += 1
            self._in_flight[host] = self._in_flight.get(host, 0) + 1
        try:
            yield
        finally:
            with self._slots:
                self._total_in_flight -= 1
                left = self._in_flight[host] - 1
                if left:
                    self._in_flight[host] = left
                else:
                    del self._in_flight[host]
                self._slots.notify_all()

    def _failure_keys(self, target: _Target) -> tuple[tuple, tuple]:
        return ("host", target.host, target.port), ("url", target.url)

    def _raise_cached_failure(self, target: _Target) -> None:
        now = self._clock()
        with self._lock:
            for key in self._failure_keys(target):
                entry = self._failures.get(key)
                if entry is None:
                    continue
                if entry[0] <= now:
                    del self._failures[key]
                    continue
                cached = entry[1]
                raise FetchError(cached.code, f"{cached.message} (failed recently; not retried for "
                                              f"{self._failure_ttl:.0f} s)", status=cached.status)

    def _remember_failure(self, target: _Target, exc: FetchError, *, cut_short: bool) -> None:
        """Cache a failure briefly: host-level failures by host and port, others by URL. A timeout
        cut short by the request's budget to less than a second says little about the host and is
        not cached."""
        if self._failure_ttl <= 0 or (exc.code == "timeout" and cut_short):
            return
        host_key, url_key = self._failure_keys(target)
        key = host_key if exc.code in _HOST_FAILURES else url_key if exc.code in _URL_FAILURES else None
        if key is None:
            return
        if key is host_key:
            # later fetches of other URLs on this host get this answer: name the host, never the
            # URL another request asked for (it may hold a private token of that requester)
            exc = FetchError(exc.code, _HOST_FAILURE_MESSAGES[exc.code].format(host=target.host_header),
                             status=exc.status)
        with self._lock:
            self._failures[key] = (self._clock() + self._failure_ttl, exc)
            self._failures.move_to_end(key)
            while len(self._failures) > max(self._max_cache_entries, 64):
                self._failures.popitem(last=False)

    def clear_cache(self) -> None:
        """Forget every cached response and failure."""
        with self._lock:
            self._cache.clear()
            self._cache_bytes = 0
            self._failures.clear()

    # ----------------------------------------------------------------- policy

    def _check_target(self, url: str) -> _Target:
        target = _parse_url(url)
        if not self._allow_private:
            if _is_local_name(target.host) or (target.ip is not None and is_forbidden_address(target.ip)):
                raise FetchError("forbidden_address", f"{target.host} is not a public address")
        if target.scheme == "http" and not self._allow_http:
            raise FetchError("bad_scheme", "only https URLs are fetched")
        return target

    def _resolve(self, target: _Target) -> list[IPAddress]:
        if target.ip is not None:
            addresses = [target.ip]
        else:
            addresses = self._lookup(target)
        if not self._allow_private:
            bad = [str(a) for a in addresses if is_forbidden_address(a)]
            if bad:
                raise FetchError("forbidden_address", f"{target.host} resolves to non-public {', '.join(bad)}")
        return addresses

    def _lookup(self, target: _Target) -> list[IPAddress]:
        try:
            infos = self._resolver(target.host, target.port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as exc:
            raise FetchError("dns_error", f"cannot resolve {target.host}") from exc
        addresses: list[IPAddress] = []
        for family, _type, _proto, _canon, sockaddr in infos:
            if family not in (socket.AF_INET, socket.AF_INET6):
                raise FetchError("forbidden_address", f"unexpected address family for {target.host}")
            text = str(sockaddr[0])
            if family == socket.AF_INET6 and len(sockaddr) >= 4 and sockaddr[3] and "%" not in text:
                text = f"{text}%{sockaddr[3]}"
            try:
                ip = ipaddress.ip_address(text)
            except ValueError as exc:
                raise FetchError("dns_error", f"resolver returned a malformed address for {target.host}") from exc
            if ip not in addresses:
                addresses.append(ip)
        if not addresses:
            raise FetchError("dns_error", f"no address for {target.host}")
        return addresses

    # ----------------------------------------------------------------- transport

    def _fetch_following(self, target: _Target, accept: str, deadline: float) -> FetchResult:
        hops = 0
        while True:
            status, headers, body = self._exchange(target, accept, deadline)
            if status in _REDIRECT_STATUSES:
                target = self._redirect_target(target, headers.get("location", ""), hops)
                hops += 1
                continue
            if not 200 <= status < 300:
                raise FetchError("http_error", f"HTTP {status} from {target.url}", status=status)
            return FetchResult(target.url, status, types.MappingProxyType(headers), body)

    def _redirect_target(self, current: _Target, location: str, hops: int) -> _Target:
        if self._max_redirects == 0:
            raise FetchError("redirect_refused", "redirects are not followed")
        if hops >= self._max_redirects:
            raise FetchError("redirect_refused", "too many redirects")
        if not location:
            raise FetchError("bad_response", "redirect without Location")
        new = self._check_target(urljoin(current.url, location))
        if new.origin != current.origin:
            raise FetchError("redirect_refused", "redirect to another origin")
        return new

    def _remaining(self, deadline: float) -> float:
        remaining = deadline - self._clock()
        if remaining <= 0:
            raise FetchError("timeout", "fetch deadline exceeded")
        return remaining

    def _connect(self, target: _Target, addresses: list[IPAddress], deadline: float) -> socket.socket:
        last: OSError | None = None
        for ip in addresses:
            try:
                sock = socket.create_connection((str(ip), target.port), timeout=self._remaining(deadline))
            except TimeoutError as exc:
                raise FetchError("timeout", f"connect to {target.host} timed out") from exc
            except OSError as exc:
                last = exc
                continue
            return self._start_tls(sock, target, deadline) if target.scheme == "https" else sock
        raise FetchError("connect_error", f"cannot connect to {target.host}: {last}")

    def _start_tls(self, sock: socket.socket, target: _Target, deadline: float) -> socket.socket:
        try:
            sock.settimeout(self._remaining(deadline))
            return self._ssl_context.wrap_socket(sock, server_hostname=target.host)
        except FetchError:
            sock.close()
            raise
        except TimeoutError as exc:
            sock.close()
            raise FetchError("timeout", "TLS handshake timed out") from exc
        except ssl.SSLError as exc:
            sock.close()
            raise FetchError("tls_error", f"TLS with {target.host} failed: {exc.reason or exc}") from exc
        except OSError as exc:
            sock.close()
            raise FetchError("connect_error", f"TLS with {target.host} failed: {exc}") from exc

    def _exchange(self, target: _Target, accept: str, deadline: float) -> tuple[int, dict[str, str], bytes]:
        """One request/response on a fresh connection to the pinned address."""
        addresses = self._resolve(target)
        raw = self._connect(target, addresses, deadline)
        conn = _PinnedConnection(target, _DeadlineSocket(raw, deadline, self._clock))
        response = None
        try:
            with _transport_errors(target, malformed=(http.client.HTTPException, ValueError)):
                conn.request("GET", target.path, headers=self._request_headers(target, accept))
                response = conn.getresponse()
                headers = _collect_headers(response)
                if not 200 <= response.status < 300:
                    return response.status, headers, b""
                _check_encoding(headers)
                return response.status, headers, self._read_body(response)
        finally:
            if response is not None:
                response.close()
            conn.close()
            raw.close()

    def _request_headers(self, target: _Target, accept: str) -> dict[str, str]:
        return {
            "Host": target.host_header,
            "Accept": accept,
            "Accept-Encoding": "identity",
            "User-Agent": self._user_agent,
            "Connection": "close",
        }

    def _read_body(self, response: http.client.HTTPResponse) -> bytes:
        if response.length is not None and response.length > self._max_bytes:
            raise FetchError("too_large", f"Content-Length {response.length} exceeds {self._max_bytes} bytes")
        chunks: list[bytes] = []
        total = 0
        while True:
            chunk = response.read(min(_READ_CHUNK, self._max_bytes + 1 - total))
            if not chunk:
                return b"".join(chunks)
            total += len(chunk)
            if total > self._max_bytes:
                raise FetchError("too_large", f"body exceeds {self._max_bytes} bytes")
            chunks.append(chunk)

    # ----------------------------------------------------------------- cache

    def _cache_get(self, key: tuple[str, str]) -> FetchResult | None:
        now = self._clock()
        with self._lock:
            entry = self._cache.get(key)
            if entry is None:
                return None
            if entry[0] <= now:
                del self._cache[key]
                self._cache_bytes -= len(entry[1].body)
                return None
            self._cache.move_to_end(key)
            return entry[1]

    def _cache_put(self, key: tuple[str, str], result: FetchResult) -> None:
        if self._cache_ttl <= 0 or self._max_cache_entries == 0:
            return
        if len(result.body) > self._max_cache_bytes // 4:  # one response never takes over a quarter
            return
        expires = self._clock() + self._cache_ttl
        with self._lock:
            old = self._cache.pop(key, None)
            self._cache_bytes -= len(old[1].body) if old else 0
            self._cache[key] = (expires, result)
            self._cache_bytes += len(result.body)
            while self._cache and (len(self._cache) > self._max_cache_entries
                                   or self._cache_bytes > self._max_cache_bytes):
                _, (_, evicted) = self._cache.popitem(last=False)
                self._cache_bytes -= len(evicted.body)


def _collect_headers(response: http.client.HTTPResponse) -> dict[str, str]:
    headers: dict[str, str] = {}
    for name, value in response.getheaders():
        key = name.lower()
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
    return headers


def _check_encoding(headers: Mapping[str, str]) -> None:
    encoding = headers.get("content-encoding", "").strip().lower()
    if encoding not in ("", "identity"):
        raise FetchError("bad_response", f"Content-Encoding {encoding!r} is refused (identity requested)")
    transfer = headers.get("transfer-encoding", "").strip().lower()
    if transfer not in ("", "chunked"):
        raise FetchError("bad_response", f"Transfer-Encoding {transfer!r} is refused")
