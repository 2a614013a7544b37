"""The ``issuer`` command: serve, init, providers, matrix and catalogue imports, keys, verify."""
from __future__ import annotations

import csv
import json
import os
import shutil
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from sqlalchemy import create_engine, inspect, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from . import create_app
from .config import instance_path, load_config, prepare_instance
from .demo.setup import CONSOLE_LOGIN_FILE, create_provider_with_issuers, demo_api_keys, initialize
from .errors import BadRequest, ConfigError, IssuerError, NotFound, PayloadTooLarge
from .intake.strict_json import JsonError, strict_loads
from .jobs.batches import progress
from .jobs.queue import queue_for
from .jobs.runner import run_workers
from .resolve import FetchError
from .service import build_service, utcnow
from .signing.jsonld import workers as jsonld_workers
from .signing.keystore import SecretBox
from .skills import catalogue
from .skills import matrix as matrix_mod
from .status.lists import SUSPENSION_COST
from .store import clients, staff, tenants
from .store.models import ApiKey, Batch, ConsoleUser, Provider
from .verify.runtime import load_url, standalone_verifier, verifier_for

__all__ = ["main"]


@contextmanager
def _service():
    """The service for one command; its database connections are closed afterwards."""
    instance = prepare_instance(instance_path(Path.cwd() / "instance"))
    try:
        service = build_service(load_config(instance))
    except ConfigError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    try:
        yield service
    finally:
        service.engine.dispose()


def _fail(exc: IssuerError):
    click.echo(f"error: {exc.detail}", err=True)
    for item in exc.errors[:50]:
        click.echo(f"  - {item.get('path', '')}: {item.get('message', item)}", err=True)
    sys.exit(1)


@click.group()
def main():
    """Open Badges 3.0 micro-credential issuer (automotive Skills Hub)."""


def _initialize_and_report(service) -> None:
    done = initialize(service)
    if done["demo_loaded"]:
        click.echo("Loaded the demo competence matrix, providers and courses.")
    base = service.base_url
    keys = demo_api_keys(service)
    key_file = Path(service.config["INSTANCE_PATH"]) / "demo-api-key.txt"
    if keys and not done["demo_loaded"]:
        # Secrets are printed once, when they are made; later starts only say where they are.
        click.echo(f"Demo API keys: in {key_file} (readable by you only); try:")
        click.echo(f"  curl -s {base}/api/v1/courses -H \"Authorization: Bearer $(head -1 {key_file} | cut -d' ' -f2)\"")
    elif keys:
        slug, key = next(iter(keys.items()))
        click.echo(f"Demo provider {slug!r} API key: {key}")
        click.echo(f"  (shown on this first start only; all demo keys: {key_file})")
        click.echo("Try:")
        click.echo(f"  curl -s {base}/api/v1/courses -H 'Authorization: Bearer {key}'")
        click.echo(f"  curl -s -X POST {base}/api/v1/credentials -H 'Authorization: Bearer {key}' "
                   "-H 'Content-Type: application/json' "
                   "-d '{\"course\": \"HV-2S\", \"learner\": {\"name\": \"Alex Muster\", "
                   "\"email\": \"alex@example.org\"}}'")
    login_file = Path(service.config["INSTANCE_PATH"]) / CONSOLE_LOGIN_FILE
    if done.get("console_login"):
        email, password = done["console_login"]
        click.echo(f"Console login: {email} / {password}")
        click.echo(f"  (provider console at {base}/console; saved in {login_file})")
    elif login_file.exists():
        click.echo(f"Console login: in {login_file}; the provider console is at {base}/console")
    click.echo(f"  {base}/verify            verify a credential (page)")
    click.echo(f"  {base}/                  the catalogue")


@main.command()
def init():
    """Create or migrate the database and load the demo data on an empty database."""
    with _service() as service:
        _initialize_and_report(service)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int, help="gunicorn worker processes")
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64),
              help="threads per worker (gunicorn gthread): requests waiting on the network block only their thread")
def serve(host: str, port: int, workers: int, threads: int):
    """Initialise (first start) and serve with gunicorn (gthread workers)."""
    _default_base_url(port)
    _prepare_multiprocess_metrics(workers)
    with _service() as service:
        _initialize_and_report(service)
        click.echo(f"Serving on http://{host}:{port} with {workers} worker(s) x {threads} thread(s); "
                   f"public base URL {service.base_url}")
    from gunicorn.app.base import BaseApplication  # reason: only `serve` needs gunicorn (POSIX-only, slow to import)

    class _App(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("worker_class", "gthread")
            self.cfg.set("threads", threads)
            self.cfg.set("accesslog", "-")
            # the path without the query string, which may hold an e-mail address (learnerEmail)
            self.cfg.set("access_log_format", '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(L)ss')
            self.cfg.set("child_exit", _child_exit)
            self.cfg.set("timeout", 60)

        def load(self):
            app = create_app()
            jsonld_workers.prestart()  # in each gunicorn worker: JSON-LD processes warm up before the first request
            # in each gunicorn worker: the job queue (without ISSUER_BROKER_URL its in-process runner
            # starts here, takes up unfinished batches and runs the periodic functions)
            queue_for(app.extensions["issuer"])
            return app

    _App().run()


@main.command()
@click.option("--processes", default=1, show_default=True, type=click.IntRange(1, 64),
              help="worker processes (each with its own database and broker connections)")
@click.option("--threads", default=2, show_default=True, type=click.IntRange(1, 64), help="threads per process")
def worker(processes: int, threads: int):
    """Run job workers (batches, periodic functions) against ISSUER_DATABASE_URL and ISSUER_BROKER_URL.

    Start as many as you like, on this machine or others reaching the same PostgreSQL and RabbitMQ."""
    instance = prepare_instance(instance_path(Path.cwd() / "instance"))
    config = load_config(instance)
    if not config.get("BROKER_URL"):
        click.echo("error: set ISSUER_BROKER_URL (amqp://...): without a broker the jobs run inside "
                   "`issuer serve` and need no worker", err=True)
        sys.exit(2)

    def make_service():
        try:
            return build_service(load_config(instance))
        except ConfigError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(2)

    make_service().engine.dispose()  # fail fast on a bad configuration, before forking
    run_workers(make_service, processes=processes, threads=threads, announce=click.echo)


def _prepare_multiprocess_metrics(workers: int) -> None:
    """Several gunicorn workers share Prometheus metrics through files (prometheus-client's
    multiprocess mode); the folder is emptied at start and dead workers are marked."""
    if workers < 2 and "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
        return
    folder = Path(os.environ.get("PROMETHEUS_MULTIPROC_DIR") or
                  instance_path(Path.cwd() / "instance") / "prometheus-multiproc")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder)


def _child_exit(_server, worker) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # reason: prometheus-client picks its multiprocess mode when first imported, so the
        # gunicorn master imports it only after PROMETHEUS_MULTIPROC_DIR is set
        from prometheus_client import multiprocess
        multiprocess.mark_process_dead(worker.pid)


def _provider(session, slug: str):
    """The provider with this slug, or exit with an error."""

    row = session.scalar(select(Provider).where(Provider.slug == slug))
    if row is None:
        click.echo(f"error: no provider {slug!r}", err=True)
        sys.exit(1)
    return row


def _default_base_url(port: int) -> None:
    """Without a configured public origin, the service's identifiers use the port it serves on."""

    config_file = instance_path(Path.cwd() / "instance") / "config.py"
    configured = config_file.exists() and "BASE_URL" in config_file.read_text(encoding="utf-8")
    if "ISSUER_BASE_URL" not in os.environ and not configured:
        os.environ["ISSUER_BASE_URL"] = f"http://localhost:{port}"


@main.group()
def provider():
    """Training providers (tenants)."""


@provider.command("create")
@click.argument("name")
@click.option("--slug", help="URL-safe identifier (default: the name transliterated, e.g. 'ellenike-akademia')")
@click.option("--url", help="the provider's web site")
@click.option("--suspension/--no-suspension", default=False,
              help="allow suspending credentials (adds a second status entry: fails the official OB schema)")
@click.option("--did-method", type=click.Choice(["web", "key"]), default="web", show_default=True)
@click.option("--country", help="ISO 3166-1 alpha-2 country code of the issuer")
@click.option("--legal-id", help="legal identifier: VAT number, eIDAS identifier or national registry number "
                                 "(needed for the Europass/ELM export)")
@click.option("--legal-id-scheme", type=click.Choice(["vat", "eidas", "registration"]), default=None,
              help="what --legal-id is  [default: registration]")
def provider_create(name, slug, url, suspension, did_method, country, legal_id, legal_id_scheme):
    """Create a provider with one issuer profile and print its API key (shown once)."""
    try:
        name = tenants.check_name(name)
    except IssuerError as exc:
        _fail(exc)
    slug = slug or tenants.slug_for(name)
    with _service() as service, service.session(write=True) as session:
        try:
            provider, key = create_provider_with_issuers(
                session, service, slug=slug, name=name, url=url, suspension_enabled=suspension,
                issuers=[{"slug": slug, "name": name, "url": url, "countryCode": country, "didMethod": did_method,
                          "legalIdentifier": legal_id, "legalIdentifierScheme": legal_id_scheme}])
            session.commit()
        except IssuerError as exc:
            _fail(exc)
    click.echo(f"Created provider {slug!r}.")
    if suspension:
        click.echo(f"Note: {SUSPENSION_COST}")
    click.echo(f"API key (shown once, store it safely): {key}")


@provider.command("legal-id")
@click.argument("issuer_slug")
@click.argument("legal_id", required=False)
@click.option("--scheme", type=click.Choice(["vat", "eidas", "registration"]), default=None,
              help="what LEGAL_ID is  [default: registration]")
@click.option("--country", help="ISO 3166-1 alpha-2 country code (default: the one already set)")
@click.option("--clear", is_flag=True, help="remove the legal identifier")
def provider_legal_id(issuer_slug, legal_id, scheme, country, clear):
    """Set an issuer profile's legal identifier and country (needed for the Europass/ELM export)."""
    if not clear and not legal_id:
        click.echo("error: give LEGAL_ID or --clear", err=True)
        sys.exit(2)
    with _service() as service, service.session(write=True) as session:
        try:
            issuer = tenants.get_issuer(session, issuer_slug)
            tenants.set_legal_identity(issuer, country_code=country, legal_identifier=None if clear else legal_id,
                                       scheme=None if clear else scheme)
            session.commit()
        except IssuerError as exc:
            _fail(exc)
        shown = f"{issuer.legal_identifier_scheme} {issuer.legal_identifier}" if issuer.legal_identifier else "none"
        click.echo(f"Issuer {issuer_slug!r}: legal identifier {shown}, country {issuer.country_code or 'unset'}.")


@provider.command("key")
@click.argument("slug")
@click.option("--scope", "scopes", multiple=True,
              help="limit the key to this scope (repeatable); default: every scope")
def provider_key(slug, scopes):
    """Create an additional API key for a provider."""
    with _service() as service:
        with service.session(write=True) as session:
            row = _provider(session, slug)
            try:
                key = tenants.create_api_key(session, row, label="cli", scopes=list(scopes) if scopes else None)
            except IssuerError as exc:
                _fail(exc)
            session.commit()
        click.echo(f"API key (shown once): {key}")


@provider.command("revoke-key")
@click.argument("prefix")
def provider_revoke_key(prefix):
    """Revoke an API key by its prefix (the part after ``obk_``); it answers 401 from then on."""
    with _service() as service, service.session(write=True) as session:
        row = session.scalar(select(ApiKey).where(ApiKey.prefix == prefix))
        if row is None:
            click.echo(f"error: no API key with prefix {prefix!r}", err=True)
            sys.exit(1)
        row.revoked_at = service.clock()
        session.commit()
    click.echo(f"Revoked API key {prefix}.")


@main.group()
def matrix():
    """The reference competence matrix."""


@matrix.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def matrix_import(file: Path):
    """Import a competence matrix from JSON or CSV (by file extension)."""
    with _service() as service:
        text = file.read_text(encoding="utf-8-sig")
        with service.session(write=True) as session:
            try:
                data = matrix_mod.parse_matrix_csv(text) if file.suffix.lower() == ".csv" else _load_json(text)
                summary = matrix_mod.import_matrix(session, data)
                session.commit()
            except IssuerError as exc:
                _fail(exc)
        click.echo(json.dumps(summary, indent=2))


def _load_json(text: str):
    try:
        return strict_loads(text)
    except JsonError as exc:
        raise BadRequest(f"not acceptable JSON: {exc}") from None


@main.group()
def courses():
    """Providers' course catalogues."""


@courses.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--provider", "provider_slug", required=True, help="provider slug")
def courses_import(file: Path, provider_slug: str):
    """Import (upsert) a provider's courses from JSON."""
    with _service() as service:
        with service.session(write=True) as session:
            row = _provider(session, provider_slug)
            try:
                summary = catalogue.import_courses(session, row, _load_json(file.read_text(encoding="utf-8")))
                session.commit()
            except IssuerError as exc:
                _fail(exc)
        click.echo(json.dumps(summary, indent=2))


@main.group()
def keys():
    """Issuer signing keys."""


@keys.command("rotate")
@click.argument("issuer_slug")
def keys_rotate(issuer_slug: str):
    """Add new signing keys; old public keys stay published so earlier credentials verify."""
    with _service() as service:
        with service.session(write=True) as session:
            try:
                issuer = tenants.get_issuer(session, issuer_slug, lock=True)
                new = tenants.rotate_keys(session, issuer, service.vault, service.clock(),
                                          jwt_algorithm=service.config["JWT_ALGORITHM"])
                session.commit()
            except IssuerError as exc:
                _fail(exc)
            except IntegrityError:
                session.rollback()
                click.echo(f"error: another key rotation of {issuer_slug!r} finished first; this one changed "
                           f"nothing. Run 'issuer keys rotate {issuer_slug}' again if you still want new keys.",
                           err=True)
                sys.exit(1)
        click.echo("New active keys: " + ", ".join(k.fragment for k in new))


@keys.command("list")
@click.argument("issuer_slug")
def keys_list(issuer_slug: str):
    """The issuer's signing keys and their state (active, retired, compromised), as JSON."""
    with _service() as service:
        with service.session() as session:
            try:
                issuer = tenants.get_issuer(session, issuer_slug)
            except IssuerError as exc:
                _fail(exc)
            click.echo(json.dumps([tenants.key_view(k, issuer, service.base_url) for k in issuer.keys], indent=2))


@keys.command("compromise")
@click.argument("issuer_slug")
@click.argument("fragment")
@click.option("--note", default=None, help="why (kept for the provider, never published)")
def keys_compromise(issuer_slug: str, fragment: str, note: str | None):
    """Retire a key reported compromised: it leaves the published DID document, so credentials signed
    with it stop verifying everywhere (this service's verifier names the reason); fresh keys replace
    it when it was active."""
    with _service() as service:
        with service.session(write=True) as session:
            try:
                issuer = tenants.get_issuer(session, issuer_slug, lock=True)
                new = tenants.compromise_key(session, issuer, fragment, service.vault, service.clock(), note=note,
                                             jwt_algorithm=service.config["JWT_ALGORITHM"])
                session.commit()
            except IssuerError as exc:
                _fail(exc)
        click.echo(f"Key {fragment} of {issuer_slug} is retired as compromised."
                   + (f" New active keys: {', '.join(k.fragment for k in new)}" if new else ""))


def _database_ready(config: dict) -> bool:
    """True when the configured database exists and holds this service's tables. Never creates
    anything: a SQLite file that does not exist is not opened."""
    url = str(config.get("DATABASE_URL") or "")
    if url.startswith("sqlite:///") and not Path(url[len("sqlite:///"):].split("?", 1)[0]).is_file():
        return False
    try:
        engine = create_engine(url)
        try:
            return inspect(engine).has_table("issuer_profile")
        finally:
            engine.dispose()
    except SQLAlchemyError:
        return False


MAX_VERIFY_FILE_BYTES = 8 * 1024 * 1024


def _read_target(target: str, *, by_url) -> bytes | str:
    """``issuer verify``: a URL through ``by_url`` (as the public verifier reads it), else the file at
    the explicit path. Only this command reads local files, and only the one path it is given.
    Raises :class:`NotFound` (no such path), :class:`BadRequest` (not a regular file, or unreadable:
    ``/proc/self/mem``) or :class:`PayloadTooLarge` (over :data:`MAX_VERIFY_FILE_BYTES`)."""
    if "://" in target:
        return by_url(target)
    path = Path(target)
    try:
        if not path.exists():
            raise NotFound(f"no such file: {target}")
        if not path.is_file():
            raise BadRequest(f"{target} is not a regular file (a folder, device or pipe)")
        with path.open("rb") as handle:  # read up to the cap: /proc files report a size of 0
            data = handle.read(MAX_VERIFY_FILE_BYTES + 1)
    except OSError as exc:  # e.g. /proc/self/mem (EIO), no permission
        raise BadRequest(f"cannot read {target}: {exc.strerror or type(exc).__name__}") from None
    if len(data) > MAX_VERIFY_FILE_BYTES:
        raise PayloadTooLarge(f"{target} is larger than {MAX_VERIFY_FILE_BYTES} bytes")
    return data


def _fetch_url(fetch, url: str) -> bytes:
    """A URL through the SSRF-guarded fetcher (``https://``; ``http://`` only where it allows)."""
    try:
        return fetch(url, accept="application/json, application/vc+jwt").body
    except FetchError as exc:
        raise BadRequest(f"could not fetch {url}: {exc}") from None


def _print_report(report, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
        return
    click.echo(("VERIFIED" if report.verified else "NOT VERIFIED") + f" ({report.format or 'unknown format'})")
    trust = report.issuer_trust or {}
    if trust:
        shown = trust.get("name") or trust.get("claimedName") or "(no name)"
        note = {"hosted": "hosted on this service", "known": f"in the trust list ({trust.get('source')})"}.get(
            trust.get("level"), "UNKNOWN issuer: the name is only the credential's own claim")
        click.echo(f"  issuer: {shown} [{trust.get('issuer')}] - {note}")
    for check in report.checks:
        mark = {"passed": "ok  ", "failed": "FAIL", "skipped": "skip", "warning": "WARN"}[check.status]
        code = f" [{check.code}]" if check.code else ""
        click.echo(f"  {mark} {check.id}: {check.reason}{code}")


@main.command()
@click.argument("target")
@click.option("--json", "as_json", is_flag=True, help="print the report as JSON")
@click.option("--no-status", is_flag=True, help="do not check the credential status")
def verify(target: str, as_json: bool, no_status: bool):
    """Verify a credential file (JSON, JWT, baked PNG/SVG) or URL; exit 0 only when verified.

    Without this service's database (e.g. run from another folder) it verifies as any third party
    would, creating nothing: DIDs and status lists are resolved over the network."""
    config = load_config(instance_path(Path.cwd() / "instance"))
    if not _database_ready(config):
        try:
            verifier, fetch = standalone_verifier(config)
        except ConfigError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(2)
        try:
            subject = _read_target(target, by_url=lambda url: _fetch_url(fetch, url))
        except IssuerError as exc:
            _fail(exc)
        report = verifier.verify(subject, now=utcnow(), check_status=not no_status)
        _print_report(report, as_json)
        sys.exit(0 if report.verified else 1)
    with _service() as service:
        try:
            subject = _read_target(target, by_url=lambda url: load_url(service, url))
        except IssuerError as exc:
            _fail(exc)
        report = verifier_for(service).verify(subject, now=service.clock(), check_status=not no_status)
        _print_report(report, as_json)
        sys.exit(0 if report.verified else 1)


@main.group()
def batch():
    """Batches: submit a CSV of course completions, follow its progress."""


def _api_key(provider_slug: str, given: str | None) -> str:
    """The API key: --api-key, $ISSUER_API_KEY, or the provider's key saved by the demo setup."""
    if given or os.environ.get("ISSUER_API_KEY"):
        return given or os.environ["ISSUER_API_KEY"]
    key_file = instance_path(Path.cwd() / "instance") / "demo-api-key.txt"
    if key_file.is_file():
        for line in key_file.read_text(encoding="utf-8").splitlines():
            slug, _, key = line.partition(" ")
            if slug == provider_slug and key:
                return key.strip()
    click.echo(f"error: no API key for {provider_slug!r}: pass --api-key or set ISSUER_API_KEY", err=True)
    sys.exit(2)


def _http(method: str, url: str, key: str, body: bytes | None = None, content_type: str | None = None,
          headers: dict | None = None) -> tuple[int, dict]:
    """One HTTP call to the service's API; (status, JSON body)."""
    request = urllib.request.Request(url, data=body, method=method,
                                     headers={"Authorization": f"Bearer {key}", "Accept": "application/json",
                                              **({"Content-Type": content_type} if content_type else {}),
                                              **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=300) as response:  # noqa: S310 - the operator's own service
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        try:
            return exc.code, json.loads(exc.read() or b"{}")
        except ValueError:
            return exc.code, {"detail": f"HTTP {exc.code}"}
    except (urllib.error.URLError, OSError) as exc:
        click.echo(f"error: cannot reach {url}: {exc}", err=True)
        sys.exit(1)


def _results_rows(items: list[dict]):
    for item in items:
        problem = item.get("problem") or {}
        reasons = "; ".join(f"{e.get('path', '')}: {e.get('message', '')}".strip(": ")
                            for e in problem.get("errors", [])) or problem.get("detail", "")
        yield [item["index"], item["state"], item.get("credentialId", ""), item.get("url", ""), reasons]


@batch.command("submit")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--provider", "provider_slug", required=True, help="provider slug (its saved demo key is used "
                                                                  "unless --api-key / ISSUER_API_KEY)")
@click.option("--api-key", help="the provider's API key (default: $ISSUER_API_KEY or the saved demo key)")
@click.option("--url", "base_url", help="the service's origin (default: ISSUER_BASE_URL)")
@click.option("--on-invalid", type=click.Choice(["reject", "issueValid"]), default="reject", show_default=True,
              help="reject the whole batch when a row is invalid, or issue the valid rows")
@click.option("--send-email/--no-send-email", default=None, help="e-mail the learners (batch default)")
@click.option("--idempotency-key", help="resubmitting with the same key returns the same batch")
@click.option("--results", type=click.Path(dir_okay=False, path_type=Path),
              help="results CSV (default: FILE with .results.csv)")
@click.option("--wait/--no-wait", default=True, show_default=True, help="follow the progress until done")
def batch_submit(file, provider_slug, api_key, base_url, on_invalid, send_email, idempotency_key, results, wait):
    """Submit a CSV (course,name,email|did,completedAt,grade,score,evidenceUrl,idempotencyKey), show a
    live progress bar and write a results CSV (index, state, credentialId, url, problem)."""
    config = load_config(instance_path(Path.cwd() / "instance"))
    base = (base_url or config["BASE_URL"]).rstrip("/")
    key = _api_key(provider_slug, api_key)
    query = {"onInvalid": on_invalid, **({"sendEmail": str(send_email).lower()} if send_email is not None else {})}
    status, body = _http("POST", f"{base}/api/v1/batches?{urlencode(query)}", key, file.read_bytes(), "text/csv",
                         {"Idempotency-Key": idempotency_key} if idempotency_key else None)
    if status != 202:
        click.echo(f"error: {status} {body.get('detail', body)}", err=True)
        for error in body.get("errors", [])[:100]:
            click.echo(f"  line {error.get('index', '?')}: {error.get('path', '')} {error.get('message', '')}", err=True)
        sys.exit(1)
    batch_id = body["id"]
    click.echo(f"batch {batch_id}: {body.get('total')} rows accepted ({body.get('invalid', 0)} invalid)")
    for error in body.get("problems", [])[:100]:
        click.echo(f"  line {error.get('index', '?')}: {error.get('path', '')} {error.get('message', '')}", err=True)
    if not wait:
        return
    with Progress(TextColumn("[bold]issuing"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("{task.fields[rate]}/s"), TimeRemainingColumn()) as progress:
        task = progress.add_task("batch", total=body.get("total") or None, rate="-")
        while True:
            status, state = _http("GET", f"{base}/api/v1/batches/{batch_id}", key)
            if status != 200:
                click.echo(f"error: {status} {state.get('detail', state)}", err=True)
                sys.exit(1)
            progress.update(task, total=state["total"], completed=state["issued"] + state["failed"],
                            rate=state["rate"] if state["rate"] is not None else "-")
            if state["status"] == "done":
                break
            time.sleep(0.5)
    items, url = [], f"{base}/api/v1/batches/{batch_id}/items?limit=500"
    while url:
        status, page = _http("GET", url, key)
        if status != 200:
            click.echo(f"error: {status} {page.get('detail', page)}", err=True)
            sys.exit(1)
        items.extend(page["items"])
        url = page["next"]
    results = results or file.with_suffix(".results.csv")
    with results.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["index", "state", "credentialId", "url", "problem"])
        writer.writerows(_results_rows(items))
    issued = sum(1 for i in items if i["state"] == "issued")
    click.echo(f"done: {issued} issued, {len(items) - issued} failed; results in {results}")
    sys.exit(0 if issued == len(items) else 1)


@batch.command("status")
@click.argument("batch_id")
@click.option("--json", "as_json", is_flag=True, help="print the progress object as JSON")
def batch_status(batch_id, as_json):
    """A batch's progress, read from the database (operators; providers use GET /api/v1/batches/<id>)."""
    with _service() as service, service.session() as session:
        row = session.get(Batch, batch_id) if len(batch_id) <= 36 else None
        if row is None:
            click.echo(f"error: no batch {batch_id!r}", err=True)
            sys.exit(1)
        state = progress(session, row, service.clock(), service.base_url)
    if as_json:
        click.echo(json.dumps(state, indent=2))
        return
    click.echo(f"batch {state['id']}: {state['status']}, {state['issued']} issued, {state['failed']} failed, "
               f"{state['pending']} pending of {state['total']}; rate {state['rate'] or '-'}/s, "
               f"eta {state['eta'] if state['eta'] is not None else '-'} s")


if __name__ == "__main__":  # pragma: no cover
    main()


@main.group()
def oauth():
    """OAuth 2.0 clients of providers (client credentials grant)."""


@oauth.command("create-client")
@click.argument("provider_slug")
@click.option("--name", required=True, help="what the client is, e.g. 'LMS back-end'")
@click.option("--scope", "scopes", multiple=True, required=True, help="a scope the client may ask for (repeatable)")
def oauth_create_client(provider_slug, name, scopes):
    """Create a client; prints its id and secret (the secret is shown once)."""
    with _service() as service, service.session(write=True) as session:
        try:
            row, secret = clients.create_client(session, _provider(session, provider_slug), name, list(scopes))
        except IssuerError as exc:
            _fail(exc)
        session.commit()
    click.echo(f"client_id:     {row.client_id}")
    click.echo(f"client_secret: {secret}   (shown once)")
    click.echo(f"scope:         {row.scopes}")


@oauth.command("clients")
@click.argument("provider_slug")
def oauth_clients(provider_slug):
    """List a provider's clients."""
    with _service() as service, service.session() as session:
        for row in clients.clients_of(session, _provider(session, provider_slug)):
            state = "revoked" if row.revoked_at else "active"
            click.echo(f"{row.client_id}  {state:8} {row.scopes}  {row.name}")


@oauth.command("revoke-client")
@click.argument("client_id")
def oauth_revoke_client(client_id):
    """Revoke a client; its access tokens stop working at once."""
    with _service() as service, service.session(write=True) as session:
        row = clients.revoke_client(session, client_id, service.clock())
        if row is None:
            click.echo(f"error: no client {client_id!r}", err=True)
            sys.exit(1)
        session.commit()
    click.echo(f"Revoked client {client_id}.")


@main.group("console-user")
def console_user():
    """Staff accounts of the provider console (/console)."""


@console_user.command("create")
@click.argument("provider_slug")
@click.argument("email")
@click.option("--role", type=click.Choice(staff.ROLES), default="admin", show_default=True)
@click.option("--name", help="the person's name, shown in the console")
@click.option("--password", envvar="ISSUER_CONSOLE_PASSWORD",
              help="the password (default: a random one, printed once); also from $ISSUER_CONSOLE_PASSWORD")
@click.option("--sso-only", is_flag=True, help="no password: the account signs in only by single sign-on")
def console_user_create(provider_slug, email, role, name, password, sso_only):
    """Create a console account for a provider; prints the password when it was generated."""
    generated = None
    if not sso_only and not password:
        password = generated = staff.new_password()
    with _service() as service, service.session(write=True) as session:
        row = _provider(session, provider_slug)
        try:
            user = staff.create_user(session, row, email, role, password=None if sso_only else password, name=name)
        except IssuerError as exc:
            _fail(exc)
        session.commit()
        click.echo(f"Created {user.role} account {user.email} of provider {provider_slug!r}.")
    if generated:
        click.echo(f"Console login: {user.email} / {generated}")


@console_user.command("list")
@click.argument("provider_slug")
def console_user_list(provider_slug):
    """List a provider's console accounts."""
    with _service() as service, service.session() as session:
        for user in staff.users_of(session, _provider(session, provider_slug)):
            state = "disabled" if user.disabled_at else ("locked" if user.locked_until else "active")
            click.echo(f"{user.email}\t{user.role}\t{state}")


@console_user.command("set-password")
@click.argument("email")
@click.option("--password", envvar="ISSUER_CONSOLE_PASSWORD", help="default: a random one, printed once")
def console_user_set_password(email, password):
    """Set a new password for a console account (also ends a lockout)."""
    generated = None if password else staff.new_password()
    with _service() as service, service.session(write=True) as session:
        user = session.scalar(select(ConsoleUser).where(ConsoleUser.email == email.strip().lower()))
        if user is None:
            click.echo(f"error: no console account {email!r}", err=True)
            sys.exit(1)
        try:
            staff.set_password(user, password or generated)
        except IssuerError as exc:
            _fail(exc)
        session.commit()
    click.echo(f"Console login: {email.strip().lower()} / {generated}" if generated else "Password changed.")


@console_user.command("sso")
@click.argument("provider_slug")
@click.option("--metadata-url", help="the identity provider's OpenID Connect discovery URL "
                                     "(https://.../.well-known/openid-configuration)")
@click.option("--client-id", help="this service's client id at the identity provider")
@click.option("--client-secret", envvar="ISSUER_SSO_CLIENT_SECRET",
              help="the client secret (stored sealed); also from $ISSUER_SSO_CLIENT_SECRET")
@click.option("--remove", is_flag=True, help="switch single sign-on off for the provider")
def console_user_sso(provider_slug, metadata_url, client_id, client_secret, remove):
    """Configure OpenID Connect single sign-on to the console for a provider's staff. Register
    <base URL>/console/sso/<provider>/callback as the redirect URI at the identity provider."""
    with _service() as service, service.session(write=True) as session:
        row = _provider(session, provider_slug)
        if remove:
            done = staff.remove_sso(session, row)
            session.commit()
            click.echo("Single sign-on switched off." if done else "Single sign-on was not configured.")
            return
        if not metadata_url or not client_id:
            click.echo("error: give --metadata-url and --client-id (or --remove)", err=True)
            sys.exit(2)
        try:
            staff.set_sso(session, row, metadata_url=metadata_url, client_id=client_id, client_secret=client_secret,
                          box=SecretBox(service.config["SECRET_KEY"]))
        except IssuerError as exc:
            _fail(exc)
        session.commit()
        click.echo(f"Single sign-on configured for {provider_slug!r}; redirect URI: "
                   f"{service.base_url}/console/sso/{provider_slug}/callback")
