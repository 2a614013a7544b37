"""The outside world: decentralized identifiers, the SSRF-safe fetcher and the mail transport.

* ``did:key`` (local) and ``did:web`` (fetched through the SSRF-safe fetcher or answered locally for
  the service's own issuers): DID Core 1.0 https://www.w3.org/TR/did-core/, did:key
  https://w3c-ccg.github.io/did-method-key/, did:web https://w3c-ccg.github.io/did-method-web/;
* :mod:`.fetch`: HTTP GET and POST (RFC 9110, https://www.rfc-editor.org/rfc/rfc9110) for did:web,
  status lists, credentials by URL and webhooks;
* :mod:`.mail`: SMTP (RFC 5321, https://www.rfc-editor.org/rfc/rfc5321) or ``.eml`` files.

The package that opens network connections: every server-side fetch goes through
:class:`issuer.resolve.fetch.SafeFetcher` (security catalog section 3, NET-01 .. NET-08). The
exceptions (the job broker, the console's OpenID Connect client) are listed with their reasons in
tests/unit/test_layering.py.
"""
from __future__ import annotations

from .did_key import did_key_from_public_key, public_key_from_did_key, resolve_did_key
from .did_web import did_web_to_url, parse_did_web, resolve_did_web, url_to_did_web
from .did_document import DidError, find_verification_method, split_did_url, validate_did_document
from .did_resolver import DidResolver
from .fetch import FetchError, FetchResult, SafeFetcher, is_forbidden_address, parse_ip_host

__all__ = [
    "DidError", "DidResolver", "find_verification_method", "validate_did_document", "split_did_url",
    "did_key_from_public_key", "resolve_did_key", "public_key_from_did_key",
    "did_web_to_url", "url_to_did_web", "resolve_did_web", "parse_did_web",
    "FetchError", "FetchResult", "SafeFetcher", "is_forbidden_address", "parse_ip_host",
]
