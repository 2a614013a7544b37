"""The service container: configuration, database, key vault, clock. No Flask.

``Service`` is what the CLI, the HTTP edge and the tests share; everything that depends on time,
randomness or the network takes it from here (or as parameters), so tests can pin them.
"""
from __future__ import annotations

import json
import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Callable
from urllib.parse import urlsplit

from sqlalchemy import func, inspect, select
from sqlalchemy import text as sql_text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from .badges.read import achievement_of
from .config import ensure_secret_key, prepare_sqlite_file, validate_config
from .errors import ConfigError
from .signing.jsonld import workers as jsonld_workers
from .signing.jsonld.canonize import configure_cache as configure_template_cache
from .signing.keystore import KeyVault
from .store import compact
from .store.db import make_engine, make_sessionmaker
from .store.models import Credential
from .store.trust_lists import TrustListFileError, read_trust_list_files
from .verify.trust import TrustList, TrustListError, trust_list_paths

__all__ = ["Service", "build_service", "utcnow", "issued_origin", "origin_change_problem"]


def utcnow() -> datetime:
    """The current time, UTC-aware (the service's default clock)."""
    return datetime.now(timezone.utc)


@dataclass
class Service:
    config: dict
    engine: Engine
    sessions: sessionmaker
    write_sessions: sessionmaker
    vault: KeyVault
    clock: Callable[[], datetime] = utcnow
    new_id: Callable[[], str] = lambda: str(uuid.uuid4())
    rng: random.Random = field(default_factory=random.SystemRandom)
    caches: dict = field(default_factory=dict)
    jobs: object | None = None  # the job queue (issuer.jobs.queue.JobQueue), made on first use

    @property
    def base_url(self) -> str:
        """The public origin of the service (``ISSUER_BASE_URL``), without a trailing slash."""
        return self.config["BASE_URL"]

    @property
    def clock_skew(self) -> timedelta:
        """The tolerance for times in the future or past (``CLOCK_SKEW_SECONDS``)."""
        return timedelta(seconds=self.config["CLOCK_SKEW_SECONDS"])

    def session(self, *, write: bool = False) -> Session:
        """A new session; pass ``write=True`` for a transaction that will write (SQLite: BEGIN IMMEDIATE)."""
        return self.write_sessions() if write else self.sessions()

    def close(self) -> None:
        """Stop the job queue made for this service (its in-process worker and periodic functions,
        or its broker connections), then close the database connections."""
        if self.jobs is not None:
            self.jobs.close()
            self.jobs = None
        self.engine.dispose()


def issued_origin(engine: Engine) -> str | None:
    """The origin (``scheme://host[:port]``) under which the latest credential was issued, read from
    its achievement id; None for a database without credentials (or not migrated yet)."""
    inspector = inspect(engine)
    if not inspector.has_table(Credential.__tablename__):
        return None
    columns = {c["name"] for c in inspector.get_columns(Credential.__tablename__)}
    with engine.connect() as conn:
        if "packed" in columns:  # compact storage (migration 0007)
            row = conn.execute(select(Credential.packed, Credential.dictionary_id)
                               .where(func.length(Credential.packed) > 0)
                               .order_by(Credential.created.desc()).limit(1)).first()
            text = compact.decode(conn, row[0], row[1])[0] if row else None
        else:  # not migrated yet
            text = conn.execute(sql_text("SELECT document FROM credential WHERE document != '' "
                                         "ORDER BY created DESC LIMIT 1")).scalar()
    if not text:
        return None
    try:
        achievement_id = achievement_of(json.loads(text)).get("id")
        parts = urlsplit(achievement_id if isinstance(achievement_id, str) else "")
    except ValueError:
        return None
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


def origin_change_problem(engine: Engine, config: dict) -> str | None:
    """A startup problem when ``BASE_URL`` is not the origin credentials were issued under: their
    ids (did:web issuers, status lists, achievement pages) would all stop resolving. The operator
    confirms a deliberate move with ``ALLOW_ORIGIN_CHANGE``."""
    if config.get("ALLOW_ORIGIN_CHANGE"):
        return None
    origin = issued_origin(engine)
    if origin is None or origin.lower() == str(config["BASE_URL"]).rstrip("/").lower():
        return None
    return (f"ISSUER_BASE_URL is {config['BASE_URL']}, but credentials were issued under {origin}: every issued "
            f"credential's issuer DID, status list and achievement URL would stop resolving. Set "
            f"ISSUER_BASE_URL={origin} again, or, if the move is deliberate (old ids will break), confirm it "
            f"with ISSUER_ALLOW_ORIGIN_CHANGE=true")


def build_service(config: dict) -> Service:
    """The service for ``config``: generates a missing secret key, validates the configuration
    (raises ``ConfigError`` listing every problem) and opens the database engine and key vault."""
    ensure_secret_key(config)
    problems = validate_config(config)
    caches: dict = {}
    try:
        caches["trust_list"] = TrustList.from_documents(read_trust_list_files(trust_list_paths(config)))
    except (TrustListFileError, TrustListError) as exc:
        problems.append(f"ISSUER_TRUST_LIST: {exc}")
    if problems:
        raise ConfigError(problems)
    prepare_sqlite_file(config["DATABASE_URL"])
    jsonld_workers.configure(workers=config["JSONLD_WORKERS"], deadline=config["JSONLD_DEADLINE_SECONDS"],
                             budget_s=config["JSONLD_BUDGET_SECONDS"])
    configure_template_cache(config["TEMPLATE_CACHE_BYTES"])
    engine = make_engine(config["DATABASE_URL"])
    problem = origin_change_problem(engine, config)
    if problem:
        engine.dispose()
        raise ConfigError([problem])
    return Service(config=config, engine=engine, sessions=make_sessionmaker(engine),
                   write_sessions=make_sessionmaker(engine, write=True), vault=KeyVault(config["SECRET_KEY"]),
                   caches=caches)
