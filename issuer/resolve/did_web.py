"""The ``did:web`` method: strict DID <-> URL mapping and document resolution.

* did:web method specification (W3C CCG, https://w3c-ccg.github.io/did-method-web/), §3.2 Create and
  §3.3 Read: ``did:web:<host>[%3A<port>][:<segment>...]`` maps to
  ``https://<host>[:<port>]/<segment>/.../did.json``, or ``https://<host>[:<port>]/.well-known/did.json``
  without segments. IP addresses are not allowed; international domain names must be punycode.
* DID Core 1.0 §3.1 DID syntax (https://www.w3.org/TR/did-core/#did-syntax): ``idchar`` is
  ``ALPHA / DIGIT / "." / "-" / "_" / pct-encoded``.
* Security catalog NET-04: ``..`` segments, ``user@host``, empty host or segments, percent-encoded
  slashes or dots, non-ASCII hosts and malformed ports are refused here, before any network use.
  This module only accepts ``%3A`` (the port colon) as a percent-encoding; path segments must be
  plain ``[A-Za-z0-9._-]+``.
* The fetched document must have ``id`` equal to the DID and every verification method must be
  ``<did>#...`` with ``controller`` equal to the DID (DI-14; see :func:`validate_did_document`).
"""
from __future__ import annotations

import codecs
import re
from collections.abc import Callable, Sequence
from urllib.parse import urlsplit

from issuer.resolve.fetch import FetchError, parse_ip_host

from ..intake.strict_json import JsonError, strict_loads
from .did_document import DidError, validate_did_document

__all__ = ["DidError", "did_web_to_url", "url_to_did_web", "resolve_did_web", "parse_did_web"]

_PREFIX = "did:web:"
_MAX_LENGTH = 2048
_SEGMENT = re.compile(r"[A-Za-z0-9._-]+")
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_PORT = re.compile(r"[1-9][0-9]{0,4}")
_PORT_SEPARATOR = re.compile(r"%3a", re.IGNORECASE)


def _check_label(label: str) -> None:
    if not _LABEL.fullmatch(label):
        raise DidError(f"did:web host label {label!r} is not a valid DNS label")
    if label.startswith("xn--"):
        try:
            codecs.decode(label[4:], "punycode")
        except (UnicodeError, ValueError) as exc:
            raise DidError(f"did:web host label {label!r} is not valid punycode") from exc
    elif label[2:4] == "--":
        raise DidError(f"did:web host label {label!r} uses a reserved '--' form")


def _check_host(host: str) -> str:
    """Validate a did:web host (case-insensitive LDH name, punycode for IDN, no IP)."""
    if not host or not host.isascii() or len(host) > 253:
        raise DidError("did:web host is empty, too long or not ASCII (use punycode)")
    lowered = host.lower()
    if parse_ip_host(lowered) is not None:
        raise DidError("did:web must not name an IP address")
    labels = lowered.split(".")
    for label in labels:
        _check_label(label)
    if labels[-1].isdigit():
        raise DidError("did:web host has an all-numeric top-level label")
    return lowered


def _check_port(port: str) -> int:
    if not _PORT.fullmatch(port) or int(port) > 65535:
        raise DidError(f"did:web port {port!r} is invalid")
    return int(port)


def _check_segment(segment: str) -> str:
    if not isinstance(segment, str) or not _SEGMENT.fullmatch(segment) or segment in (".", ".."):
        raise DidError(f"did:web path segment {segment!r} is empty or not [A-Za-z0-9._-]")
    return segment


def parse_did_web(did: str) -> tuple[str, int | None, list[str]]:
    """Split a did:web into ``(host, port or None, path segments)``, validating every part.

    The host is returned lower-cased (DNS names are case-insensitive). Raise :class:`DidError`.
    """
    if not isinstance(did, str) or not did.startswith(_PREFIX) or len(did) > _MAX_LENGTH:
        raise DidError("not a did:web")
    authority, *segments = did[len(_PREFIX):].split(":")
    host, *ports = _PORT_SEPARATOR.split(authority)
    if len(ports) > 1:
        raise DidError("did:web authority has more than one port separator")
    host = _check_host(host)
    port = _check_port(ports[0]) if ports else None
    return host, port, [_check_segment(s) for s in segments]


def did_web_to_url(did: str) -> str:
    """The HTTPS URL of a did:web document (did:web §3.3 Read). Raise :class:`DidError`.

    ``did:web:example.com`` -> ``https://example.com/.well-known/did.json``;
    ``did:web:example.com%3A3000:issuers:acme`` -> ``https://example.com:3000/issuers/acme/did.json``.
    """
    host, port, segments = parse_did_web(did)
    authority = host if port is None else f"{host}:{port}"
    path = "/".join(segments) if segments else ".well-known"
    return f"https://{authority}/{path}/did.json"


def url_to_did_web(origin_url: str, path_segments: Sequence[str] = ()) -> str:
    """The did:web of a document we serve at ``<origin_url>/<segments>/did.json``.

    ``origin_url`` is ``scheme://host[:port][/base/path]`` (no user-info, query or fragment); a base
    path becomes leading segments. ``("http://localhost:5000", ["issuers", "acme"])`` ->
    ``did:web:localhost%3A5000:issuers:acme``. The port is kept unless it is 443 on https. Note that
    did:web always resolves over https; plain-http origins only make sense with a local hook.
    """
    if isinstance(path_segments, str):
        raise TypeError("path_segments must be a sequence of strings, not a string")
    if not isinstance(origin_url, str):
        raise DidError("origin must be a string URL")
    try:
        parts = urlsplit(origin_url)
        hostname, port = parts.hostname, parts.port
    except ValueError as exc:
        raise DidError(f"origin is not a valid URL: {exc}") from exc
    if parts.scheme not in ("http", "https") or "@" in parts.netloc or parts.query or parts.fragment:
        raise DidError("origin must be an http(s) URL without user-info, query or fragment")
    host = _check_host(hostname or "")
    base = [s for s in parts.path.split("/") if s]
    segments = [_check_segment(s) for s in [*base, *path_segments]]
    authority = host
    if port is not None and not (parts.scheme == "https" and port == 443):
        authority = f"{host}%3A{_check_port(str(port))}"
    return ":".join([_PREFIX + authority, *segments])


def _parse_document(body: bytes) -> object:
    try:
        return strict_loads(body)
    except JsonError as exc:
        raise DidError(f"did:web document is not valid JSON: {exc}", code="invalidDidDocument") from exc


def resolve_did_web(did: str, *, fetch: Callable) -> dict:
    """Fetch and validate the document of a did:web (DID must not carry a fragment).

    ``fetch(url)`` must return an object with ``status`` and ``body`` (e.g.
    :meth:`issuer.resolve.fetch.SafeFetcher.fetch`). Fetch failures become :class:`DidError` with code
    ``notFound`` (HTTP 404/410) or ``resolutionFailed`` (the :class:`FetchError` is the ``__cause__``);
    unacceptable documents raise ``invalidDidDocument``.
    """
    url = did_web_to_url(did)
    try:
        result = fetch(url)
    except FetchError as exc:
        code = "notFound" if exc.code == "http_error" and exc.status in (404, 410) else "resolutionFailed"
        raise DidError(f"cannot resolve {did}: {exc}", code=code) from exc
    except OSError as exc:
        raise DidError(f"cannot resolve {did}: {exc}", code="resolutionFailed") from exc
    if not 200 <= getattr(result, "status", 0) < 300:
        raise DidError(f"cannot resolve {did}: HTTP {getattr(result, 'status', '?')}", code="notFound")
    return validate_did_document(did, _parse_document(result.body))
