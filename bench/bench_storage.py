"""Bytes per credential at rest, all forms included, on SQLite and on PostgreSQL.

Usage:  python bench/bench_storage.py [--count 100000] [--only sqlite|postgresql] [--pg URL]

Issues ``--count`` credentials in process through the real issuance path
(``issuance.issue_credential``: build, sign eddsa-rdfc-2022 + VC-JWT, self-check, status position,
compact storage), round-robin over five demo courses of three providers, each with a distinct
learner (name and e-mail), committing every 500. Prints, at every tenth of the run:

* SQLite: the database file size (after a WAL checkpoint) / number of credentials;
* PostgreSQL: ``pg_total_relation_size`` (table + indexes + TOAST) summed over every table of the
  schema / number of credentials, and the credential tables alone;

and, for comparison, what the two forms weigh uncompressed (what the text columns held before
migration 0007). Prints figures only.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select, text  # noqa: E402

from bench._server import pg_schema  # noqa: E402
from issuer import issuance  # noqa: E402
from issuer.config import load_config  # noqa: E402
from issuer.demo.setup import initialize  # noqa: E402
from issuer.service import build_service  # noqa: E402
from issuer.store.models import Credential, Provider  # noqa: E402

COURSES = [("emob-academy", "HV-2S"), ("bbz-alpenvorland", "ADAS-CAL"), ("nordhaven-tu", "FUSA-26262"),
           ("nordhaven-tu", "BAT-CIRC"), ("emob-academy", "BAT-SERVICE")]
CREDENTIAL_TABLES = ("credential", "credential_dictionary", "status_entry", "status_event")


def _size(service, path: Path | None) -> tuple[int, int]:
    """(bytes of everything, bytes of the credential tables)."""
    if path is not None:
        with service.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        return path.stat().st_size, path.stat().st_size
    with service.engine.connect() as conn:
        sizes = dict(conn.execute(text(
            "SELECT c.relname, pg_total_relation_size(c.oid) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relkind = 'r'")).all())
    return sum(sizes.values()), sum(sizes.get(t, 0) for t in CREDENTIAL_TABLES)


def run(name: str, database_url: str, count: int, instance: Path, db_path: Path | None) -> None:
    config = load_config(instance, environ={}, overrides={
        "BASE_URL": "https://skills.example.org", "DATABASE_URL": database_url,
        "SECRET_KEY": "bench-master-key-" + "k" * 32, "LOAD_DEMO": False, "VERIFY_REMOTE_DID_WEB": False})
    service = build_service(config)
    initialize(service, load_demo=True)
    base_size = _size(service, db_path)
    session = service.session(write=True)
    providers = {p.slug: p for p in session.scalars(select(Provider))}
    raw_forms = 0
    start = time.perf_counter()
    step = max(500, count // 10 // 500 * 500)
    for i in range(count):
        slug, course = COURSES[i % len(COURSES)]
        ctx = issuance.IssuanceContext(base_url=service.base_url, vault=service.vault,
                                       now=datetime.now(timezone.utc), status_length=131072,
                                       status_capacity=131072, new_id=service.new_id, rng=service.rng)
        request = issuance.IssueRequest(course=course, learner=issuance.Learner(
            name=f"Learner {i:06d} Example", email=f"learner{i}@example.org"))
        row = issuance.issue_credential(session, providers[slug], request, ctx, actor="bench")
        raw_forms += len(row.document.encode()) + len(row.jwt.encode())
        if (i + 1) % 500 == 0 or i + 1 == count:
            session.commit()
            session.expunge_all()
            n = i + 1
            if n % step == 0 or n == count:
                total, tables = _size(service, db_path)  # between transactions (the checkpoint needs that)
                print(f"{name}: {n:>7} credentials  {(total - base_size[0]) / n:7.0f} bytes/credential "
                      f"(credential tables {(tables - base_size[1]) / n:7.0f}; database {total / 1e6:7.1f} MB; "
                      f"forms uncompressed {raw_forms / n:6.0f} bytes; {n / (time.perf_counter() - start):4.0f}/s)",
                      flush=True)
            providers = {p.slug: p for p in session.scalars(select(Provider))}
    session.commit()
    with service.engine.connect() as conn:
        n = conn.execute(select(text("count(*)")).select_from(Credential.__table__)).scalar()
    total, _ = _size(service, db_path)
    print(f"{name}: RESULT {total / n:.0f} bytes per credential at rest (whole database / {n} credentials, "
          f"demo catalogue included; target <= 4096)")
    session.close()
    service.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--pg", default=os.environ.get("ISSUER_TEST_DATABASE_URL",
                                                       "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.only != "postgresql":
            path = Path(tmp) / "issuer.db"
            run("SQLite", f"sqlite:///{path}", args.count, Path(tmp) / "instance-sqlite", path)
        if args.only != "sqlite":
            with pg_schema(args.pg) as url:
                run("PostgreSQL", url, args.count, Path(tmp) / "instance-pg", None)


if __name__ == "__main__":
    main()
