"""Outbound network access for the issuer/verifier.

Every server-side fetch (did:web documents, ``statusListCredential``, "verify by URL", key documents)
goes through :class:`issuer.net.fetch.SafeFetcher`, which applies the SSRF rules of the project's
security catalog (section 3, NET-01 .. NET-08): https only, public addresses only, DNS pinned at connect
time, size and time caps, no redirects by default, no transparent decompression.

OWASP SSRF prevention cheat sheet:
https://cheatsheetseries.owasp.org/cheatsheets/Server_Side_Request_Forgery_Prevention_Cheat_Sheet.html
"""
from __future__ import annotations

from .fetch import FetchError, FetchResult, SafeFetcher, is_forbidden_address, parse_ip_host

__all__ = ["FetchError", "FetchResult", "SafeFetcher", "is_forbidden_address", "parse_ip_host"]
