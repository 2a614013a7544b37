"""First start: database (Alembic migrations), demo data with issuer keys, demo API key."""
from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import func, select

from . import load_demo as load
from ..config import prepare_instance
from ..store import staff, tenants
from ..store.migrations import upgrade
from ..service import Service
from ..store.models import Provider

__all__ = ["initialize", "create_provider_with_issuers", "DEMO_KEY_FILE", "CONSOLE_LOGIN_FILE", "demo_console_login"]

DEMO_KEY_FILE = "demo-api-key.txt"
CONSOLE_LOGIN_FILE = "console-login.txt"
CONSOLE_LOGIN_PREFIX = "Console login: "


def create_provider_with_issuers(session, service: Service, *, slug: str, name: str, url: str | None = None,
                                 suspension_enabled: bool = False, issuers: list[dict] | None = None,
                                 did_method: str = "web") -> tuple[Provider, str]:
    """A provider, its issuer profiles (keys generated and sealed) and a first API key."""
    provider = tenants.create_provider(session, slug, name, url=url, suspension_enabled=suspension_enabled)
    for spec in issuers or [{"slug": slug, "name": name, "url": url}]:
        tenants.create_issuer(session, provider, service.vault, slug=spec["slug"], name=spec["name"],
                              url=spec.get("url"), email=spec.get("email"), description=spec.get("description"),
                              country_code=spec.get("countryCode") or spec.get("country_code"),
                              did_method=spec.get("didMethod", did_method),
                              legal_identifier=spec.get("legalIdentifier"),
                              legal_identifier_scheme=spec.get("legalIdentifierScheme"),
                              jwt_algorithm=service.config["JWT_ALGORITHM"])
    api_key = tenants.create_api_key(session, provider, label="initial")
    return provider, api_key


def _write_secret(path: Path, text: str) -> None:
    prepare_instance(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # also when the file existed with a wider mode
    with os.fdopen(fd, "w") as fh:
        fh.write(text + "\n")


def initialize(service: Service, *, load_demo: bool | None = None) -> dict:
    """Migrate the database; on an empty database load the demo data. Returns what was done."""
    upgrade(service.config["DATABASE_URL"])
    done = {"migrated": True, "demo_loaded": False, "demo_api_keys": {}}
    load_demo = service.config.get("LOAD_DEMO", True) if load_demo is None else load_demo
    with service.session(write=True) as session:
        empty = session.scalar(select(func.count()).select_from(Provider)) == 0
        if load_demo and empty:
            keys: dict[str, str] = {}

            def create_provider(session, slug, name, url, suspension_enabled, issuers=None):
                provider, key = create_provider_with_issuers(session, service, slug=slug, name=name, url=url,
                                                             suspension_enabled=suspension_enabled,
                                                             issuers=issuers)
                keys[slug] = key
                return provider

            load(session, create_provider=create_provider)
            first = session.scalar(select(Provider).where(Provider.slug == next(iter(keys))))
            password = staff.new_password()
            admin = staff.create_user(session, first, f"admin@{first.slug}.example", "admin", password=password,
                                      name="Console administrator")
            session.commit()
            done["demo_loaded"] = True
            done["demo_api_keys"] = keys
            done["console_login"] = (admin.email, password)
            instance = Path(service.config["INSTANCE_PATH"])
            _write_secret(instance / DEMO_KEY_FILE, "\n".join(f"{k} {v}" for k, v in keys.items()))
            _write_secret(instance / CONSOLE_LOGIN_FILE, f"{CONSOLE_LOGIN_PREFIX}{admin.email} / {password}")
    return done


def demo_api_keys(service: Service) -> dict[str, str]:
    path = Path(service.config["INSTANCE_PATH"]) / DEMO_KEY_FILE
    if not path.exists():
        return {}
    pairs = (line.split(" ", 1) for line in path.read_text().splitlines() if " " in line)
    return {slug: key for slug, key in pairs}


def demo_console_login(service: Service) -> tuple[str, str] | None:
    """The demo provider's console ``(email, password)`` saved at the first start, or None."""
    path = Path(service.config["INSTANCE_PATH"]) / CONSOLE_LOGIN_FILE
    if not path.exists():
        return None
    for line in path.read_text().splitlines():
        if line.startswith(CONSOLE_LOGIN_PREFIX) and " / " in line:
            email, password = line[len(CONSOLE_LOGIN_PREFIX):].split(" / ", 1)
            return email, password
    return None
