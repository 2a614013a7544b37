"""The service container: configuration, database, key vault, clock. No Flask.

``Service`` is what the CLI, the HTTP edge and the tests share; everything that depends on time,
randomness or the network takes it from here (or as parameters), so tests can pin them.
"""
from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Callable

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from .config import ensure_secret_key, validate_config
from .errors import ConfigError
from .signing.keystore import KeyVault
from .store.db import make_engine, make_sessionmaker

__all__ = ["Service", "build_service", "utcnow"]


def utcnow() -> datetime:
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

    @property
    def base_url(self) -> str:
        return self.config["BASE_URL"]

    @property
    def clock_skew(self) -> timedelta:
        return timedelta(seconds=self.config["CLOCK_SKEW_SECONDS"])

    def session(self, *, write: bool = False) -> Session:
        """A new session; pass ``write=True`` for a transaction that will write (SQLite: BEGIN IMMEDIATE)."""
        return self.write_sessions() if write else self.sessions()


def build_service(config: dict) -> Service:
    ensure_secret_key(config)
    problems = validate_config(config)
    if problems:
        raise ConfigError(problems)
    engine = make_engine(config["DATABASE_URL"])
    return Service(config=config, engine=engine, sessions=make_sessionmaker(engine),
                   write_sessions=make_sessionmaker(engine, write=True), vault=KeyVault(config["SECRET_KEY"]))
