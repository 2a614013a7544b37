"""The verifier as the service uses it: own did:web and status lists answered from the database,
everything else over the SSRF-guarded fetcher (or not at all, by configuration)."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import select

from ..resolve.did_document import DidError
from ..resolve.did_resolver import DidResolver
from ..resolve.did_web import parse_did_web
from ..errors import BadRequest, NotFound, PayloadTooLarge
from ..intake.strict_json import strict_loads
from ..resolve.fetch import FetchError, SafeFetcher
from ..status.publish import published_list
from ..store import tenants
from ..store.models import Credential, IssuerProfile
from .verifier import Policy, Verifier

__all__ = ["verifier_for", "load_target"]

_STATUS_LIST_ACCEPT = "application/vc+jwt, application/vc, application/vc+ld+json, application/json, application/jwt"


def _fetcher(service) -> SafeFetcher:
    fetcher = service.caches.get("fetcher")
    if fetcher is None:
        private = bool(service.config.get("ALLOW_PRIVATE_FETCH"))
        fetcher = SafeFetcher(allow_http=private, allow_private=private, max_bytes=512 * 1024, timeout=5.0)
        service.caches["fetcher"] = fetcher
    return fetcher


def _own_host(service) -> tuple[str, int | None]:
    parts = urlsplit(service.base_url)
    default = 443 if parts.scheme == "https" else 80
    return (parts.hostname or "").lower(), (parts.port if parts.port and parts.port != default else None)


def _local_did(service):
    host, port = _own_host(service)

    def local(did: str) -> dict | None:
        did_host, did_port, segments = parse_did_web(did)
        if (did_host, did_port) != (host, port):
            return None
        if len(segments) != 2 or segments[0] != "issuers":
            raise DidError(f"{did} is not an issuer of this service", code="notFound")
        with service.session() as session:
            issuer = session.scalar(select(IssuerProfile).where(IssuerProfile.slug == segments[1]))
            if issuer is None or issuer.did_method != "web":
                raise DidError(f"{did} is not an issuer of this service", code="notFound")
            return tenants.did_document(issuer, service.base_url)

    return local


def _status_fetcher(service, remote: bool):
    prefix = f"{service.base_url}/status/"

    def fetch(url: str) -> dict:
        if url.startswith(prefix):
            text = published_list(service, url[len(prefix):])
            if text is None:
                raise LookupError(f"no status list at {url}")
            return strict_loads(text)
        if not remote:
            raise LookupError("fetching status lists of other services is disabled")
        # Bitstring Status List §2.2: the list is a credential secured any way VC allows, so JSON
        # (Data Integrity, EnvelopedVerifiableCredential) or a compact JWS; text, never an image
        body = _fetcher(service).fetch(url, accept=_STATUS_LIST_ACCEPT).body
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError:
            raise LookupError(f"the status list at {url[:200]} is not UTF-8 text") from None

    return fetch


def verifier_for(service) -> Verifier:
    cached = service.caches.get("verifier")
    if cached is not None:
        return cached
    remote = bool(service.config.get("VERIFY_REMOTE_DID_WEB", True))
    resolver = DidResolver(fetch=_fetcher(service).fetch if remote else None, local=_local_did(service))
    schema_dir = service.config.get("OFFICIAL_SCHEMA_DIR")
    verifier = Verifier(
        resolve_did=resolver.resolve, fetch_status_list=_status_fetcher(service, remote),
        policy=Policy(clock_skew=service.clock_skew),
        official_schema_dir=Path(schema_dir) if schema_dir else None)
    service.caches["verifier"] = verifier
    return verifier


def _own_credential(service, url: str) -> str | None:
    prefix = f"{service.base_url}/credentials/"
    if not url.startswith(prefix):
        return None
    tail = url[len(prefix):].split("?")[0].split("#")[0]
    for suffix in (".json", "/verify", ""):
        if suffix and tail.endswith(suffix):
            tail = tail[: -len(suffix)]
            break
    with service.session() as session:
        row = session.get(Credential, tail) if len(tail) <= 64 else None
        if row is None:
            raise NotFound(f"no credential at {url}")
        return row.jwt if url.endswith(".jwt") else row.document


def load_target(service, target: str, *, max_bytes: int = 8 * 1024 * 1024) -> bytes | str:
    """The bytes to verify for a file path or URL (our own credentials are read from the database)."""
    if target.startswith(("http://", "https://")):
        own = _own_credential(service, target)
        if own is not None:
            return own
        try:
            return _fetcher(service).fetch(target, accept="application/json, application/vc+jwt").body
        except FetchError as exc:
            raise BadRequest(f"could not fetch {target}: {exc}") from None
    path = Path(target)
    if not path.is_file():
        raise NotFound(f"no such file: {target}")
    if path.stat().st_size > max_bytes:
        raise PayloadTooLarge(f"{target} is larger than {max_bytes} bytes")
    return path.read_bytes()


