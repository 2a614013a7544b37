"""The verifier as the service uses it: the one module of ``verify/`` that does I/O.

Own did:web documents, status lists and credentials are answered from the database, everything
else over the SSRF-guarded fetcher (or not at all, by configuration); the official 1EdTech
schemas are read from the configured ``OFFICIAL_SCHEMA_DIR``. The checks themselves
(:mod:`issuer.verify.verifier`) get all of this passed in.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import select

from ..resolve.did_document import DidError
from ..resolve.did_resolver import DidResolver
from ..resolve.did_web import parse_did_web
from ..delivery import artifacts
from ..errors import BadRequest, ConfigError, NotFound, ValidationFailed
from ..intake.strict_json import strict_loads
from ..resolve.fetch import FetchError, SafeFetcher, fetch_budget
from ..signing.jsonld import workers as jsonld_workers
from ..status.publish import published_list
from ..store import tenants
from ..store.models import Credential, IssuerProfile
from ..store.trust_lists import TrustListFileError, read_trust_list_files
from .checks_document import SchemaValidators, compile_schema
from .trust import TrustedIssuer, TrustList, TrustListError, issuer_trust, trust_list_paths
from .verifier import Policy, Verifier

__all__ = ["verifier_for", "load_url", "own_credential", "allowed_url_schemes", "request_budget",
           "policy_from_config", "trust_list", "counts_for_coverage", "standalone_verifier", "schema_folder"]


def schema_folder(path: Path | str) -> Callable[[str], SchemaValidators | None]:
    """``official_schemas`` for :class:`~issuer.verify.verifier.Verifier`: the JSON Schema files of
    folder ``path`` by file name, compiled once; ``None`` for a file that is not there."""
    folder = Path(path)

    @lru_cache(maxsize=8)
    def get(name: str) -> SchemaValidators | None:
        file = folder / name
        if "/" in name or not file.is_file():
            return None
        return compile_schema(json.loads(file.read_text(encoding="utf-8")))

    return get


def _new_fetcher(config: dict) -> SafeFetcher:
    """The SSRF-guarded fetcher with the configured budget, failure cache and caps (docs/limits.md)."""
    private = bool(config.get("ALLOW_PRIVATE_FETCH"))
    return SafeFetcher(allow_http=private, allow_private=private, max_bytes=512 * 1024,
                       timeout=config["FETCH_BUDGET_SECONDS"], failure_ttl=config["FETCH_FAILURE_TTL_SECONDS"],
                       max_concurrent=config["FETCH_MAX_CONCURRENT"], max_per_host=config["FETCH_MAX_PER_HOST"])

_STATUS_LIST_ACCEPT = "application/vc+jwt, application/vc, application/vc+ld+json, application/json, application/jwt"


def _fetcher(service) -> SafeFetcher:
    fetcher = service.caches.get("fetcher")
    if fetcher is None:
        fetcher = _new_fetcher(service.config)
        service.caches["fetcher"] = fetcher
    return fetcher


@contextmanager
def request_budget(service) -> Iterator[None]:
    """The time budgets of one verification request: ``FETCH_BUDGET_SECONDS`` for all outbound
    fetches and ``JSONLD_BUDGET_SECONDS`` for all JSON-LD work outside the template fast path."""
    with fetch_budget(service.config["FETCH_BUDGET_SECONDS"]), jsonld_workers.budget(
            service.config["JSONLD_BUDGET_SECONDS"]):
        yield


def standalone_verifier(config: dict) -> tuple[Verifier, Callable]:
    """A verifier that needs no database (the CLI on a third party's credential): DIDs and status
    lists over the SSRF-guarded fetcher (when ``VERIFY_REMOTE_DID_WEB``), no hosted issuers, the
    configured trust list. Returns the verifier and the fetcher's ``fetch``."""
    fetcher = _new_fetcher(config)
    remote = bool(config.get("VERIFY_REMOTE_DID_WEB", True))
    resolver = DidResolver(fetch=fetcher.fetch if remote else None)

    def fetch_status(url: str) -> dict:
        if not remote:
            raise LookupError("fetching status lists is disabled (ISSUER_VERIFY_REMOTE_DID_WEB=false)")
        return strict_loads(fetcher.fetch(url, accept="application/json").body)

    try:
        known = TrustList.from_documents(read_trust_list_files(trust_list_paths(config)))
    except (TrustListFileError, TrustListError) as exc:
        raise ConfigError([f"ISSUER_TRUST_LIST: {exc}"]) from None
    schema_dir = config.get("OFFICIAL_SCHEMA_DIR")
    verifier = Verifier(
        resolve_did=resolver.resolve, fetch_status_list=fetch_status,
        policy=policy_from_config(config, clock_skew=timedelta(seconds=int(config.get("CLOCK_SKEW_SECONDS") or 300))),
        official_schemas=schema_folder(schema_dir) if schema_dir else None,
        issuer_trust=lambda credential: issuer_trust(credential, hosted=lambda did: None, known=known,
                                                     reference_names=known.entries))
    return verifier, fetcher.fetch


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
            return tenants.did_document(issuer, service.base_url, include_revoked=True)

    return local


def _status_fetcher(service, remote: bool):
    prefix = f"{service.base_url}/status/"

    def fetch(url: str) -> dict:
        if url.startswith(prefix):
            text = published_list(service.session, url[len(prefix):], base_url=service.base_url,
                                  vault=service.vault, now=service.clock())
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


def policy_from_config(config, *, clock_skew) -> Policy:
    """The verifier :class:`Policy` with the configured limits (docs/limits.md)."""
    return Policy(clock_skew=clock_skew, max_bytes=config["VERIFY_MAX_BYTES"],
                  max_image_bytes=config["VERIFY_MAX_IMAGE_BYTES"], max_depth=config["VERIFY_MAX_DEPTH"],
                  max_array_items=config["VERIFY_MAX_ARRAY_ITEMS"],
                  max_object_members=config["VERIFY_MAX_OBJECT_MEMBERS"],
                  max_string_chars=config["VERIFY_MAX_STRING_CHARS"], max_values=config["VERIFY_MAX_VALUES"],
                  max_proofs=config["VERIFY_MAX_PROOFS"])


def trust_list(service) -> TrustList:
    """The operator's trust list (``TRUST_LIST``: files separated by ``os.pathsep``), read once."""
    cached = service.caches.get("trust_list")
    if cached is None:
        cached = TrustList.from_documents(read_trust_list_files(trust_list_paths(service.config)))
        service.caches["trust_list"] = cached
    return cached


def _hosted_issuers(service):
    """``(hosted(did) -> TrustedIssuer | None, all_hosted() -> [TrustedIssuer])`` from the database."""
    host, port = _own_host(service)

    def _entry(issuer: IssuerProfile) -> TrustedIssuer:
        return TrustedIssuer(tenants.issuer_did(issuer, service.base_url), issuer.name, "hosted",
                             f"{service.base_url}/issuers/{issuer.slug}")

    def hosted(did: str) -> TrustedIssuer | None:
        with service.session() as session:
            if did.startswith("did:web:"):
                try:
                    did_host, did_port, segments = parse_did_web(did)
                except DidError:
                    return None
                if (did_host, did_port) != (host, port) or len(segments) != 2 or segments[0] != "issuers":
                    return None
                issuer = session.scalar(select(IssuerProfile).where(IssuerProfile.slug == segments[1],
                                                                    IssuerProfile.did_method == "web"))
            elif did.startswith("did:key:"):
                issuer = session.scalar(select(IssuerProfile).where(IssuerProfile.did_key == did))
            else:
                return None
            return _entry(issuer) if issuer is not None else None

    def all_hosted() -> list[TrustedIssuer]:
        with service.session() as session:
            return [_entry(i) for i in session.scalars(select(IssuerProfile).order_by(IssuerProfile.id))]

    return hosted, all_hosted


def _issuer_rating(service):
    hosted, all_hosted = _hosted_issuers(service)

    def rate(credential: dict) -> dict:
        known = trust_list(service)
        return issuer_trust(credential, hosted=hosted, known=known,
                            reference_names=lambda: [*all_hosted(), *known.entries()])

    return rate


def verifier_for(service) -> Verifier:
    """The service's :class:`Verifier` (cached): own DIDs and status lists from the database, remote
    ones through the SSRF-safe fetcher when ``VERIFY_REMOTE_DID_WEB`` allows, official schemas
    from ``OFFICIAL_SCHEMA_DIR``."""
    cached = service.caches.get("verifier")
    if cached is not None:
        return cached
    remote = bool(service.config.get("VERIFY_REMOTE_DID_WEB", True))
    resolver = DidResolver(fetch=_fetcher(service).fetch if remote else None, local=_local_did(service))
    schema_dir = service.config.get("OFFICIAL_SCHEMA_DIR")
    verifier = Verifier(
        resolve_did=resolver.resolve, fetch_status_list=_status_fetcher(service, remote),
        policy=policy_from_config(service.config, clock_skew=service.clock_skew),
        official_schemas=schema_folder(schema_dir) if schema_dir else None, issuer_trust=_issuer_rating(service))
    service.caches["verifier"] = verifier
    return verifier


_OWN_LINK = re.compile(r"/credentials/(?P<id>[A-Za-z0-9_~-]{1,64})(?P<kind>\.json|\.jwt|\.png|\.svg|/verify)?/?")


def own_credential(service, url: str) -> bytes | str | None:
    """What one of this service's credential links serves, read from the database (no network).

    Accepts ``<base>/credentials/<id>`` and its download links ``.json``, ``.jwt``, ``.png``,
    ``.svg`` (``?form=jwt`` for the JWT-baked images) and ``/verify``. Returns ``None`` for any
    other URL; raises :class:`NotFound` for an own link to a credential that does not exist.
    """
    prefix = f"{service.base_url}/credentials/"
    if not url.startswith(prefix):
        return None
    parts = urlsplit(url)
    match = _OWN_LINK.fullmatch(parts.path)
    if match is None:
        raise NotFound(f"no credential at {url[:300]}")
    kind = match.group("kind") or ""
    as_jwt = "form=jwt" in parts.query.split("&")
    with service.session() as session:
        row = session.get(Credential, match.group("id"))
        if row is None:
            raise NotFound(f"no credential at {url[:300]}")
        if kind == ".png":
            return artifacts.baked_png(row, jwt=as_jwt)
        if kind == ".svg":
            return artifacts.baked_svg(row, jwt=as_jwt)
        return row.jwt if kind == ".jwt" else row.document


def allowed_url_schemes(service) -> tuple[str, ...]:
    """``https`` only; ``http`` too where the test-only ``ALLOW_PRIVATE_FETCH`` setting is on."""
    return ("https", "http") if service.config.get("ALLOW_PRIVATE_FETCH") else ("https",)


def load_url(service, url: str) -> bytes | str:
    """The credential behind ``url`` for verification by URL (every public entry point).

    Our own credential links are read from the database; any other URL must be ``https://``
    (``http://`` only with ``ALLOW_PRIVATE_FETCH``) and is fetched by the SSRF-guarded fetcher
    within the request's outbound budget. Nothing else is ever opened: a file path, ``file:``
    or a relative reference is refused with the same :class:`ValidationFailed`, whether or not
    such a file exists (catalog P-01). A fetch failure is :class:`BadRequest`; an own link to a
    missing credential is :class:`NotFound`.
    """
    if not isinstance(url, str) or not url.strip():
        raise ValidationFailed("url must be an https:// URL")
    url = url.strip()
    own = own_credential(service, url)
    if own is not None:
        return own
    schemes = allowed_url_schemes(service)
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    if scheme not in schemes or not url[len(scheme):].startswith("://"):
        raise ValidationFailed(f"url must be an {' or '.join(s + '://' for s in schemes)} URL "
                               f"(files on the server are never read)")
    try:
        return _fetcher(service).fetch(url, accept="application/json, application/vc+jwt").body
    except FetchError as exc:
        raise BadRequest(f"could not fetch {url[:300]}: {exc}") from None


def counts_for_coverage(report, *, include_unknown: bool = False) -> bool:
    """Whether a report's credential may count towards job-role coverage: verified, and by default
    only from a hosted or known issuer (issue #9 §3: an unknown issuer's claims are not counted)."""
    if not report.verified:
        return False
    level = (report.issuer_trust or {}).get("level")
    return include_unknown or level in ("hosted", "known")
