"""GET /api/v1/credentials at volume: 100,000 credentials of one provider (and 20,000 of another),
listing figures through the application (Flask test client, real queries).

Usage:  python bench/bench_listing.py [--pg URL] [--rows 100000]

Rows are inserted directly (the signed document is a placeholder: listing never reads it), each
with the keyed e-mail index a real issuance stores; 1 % are revoked.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from contextlib import nullcontext
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench._server import pg_schema  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pg", help="PostgreSQL URL (default: SQLite in a temporary folder)")
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    from sqlalchemy import insert, select

    from issuer import create_app
    from issuer.config import load_config
    from issuer.service import build_service
    from issuer.demo.setup import demo_api_keys, initialize
    from issuer.store.listing import email_index, email_index_key
    from issuer.store.models import Course, Credential, IssuerProfile, Provider

    with tempfile.TemporaryDirectory() as folder, (pg_schema(args.pg) if args.pg else nullcontext(None)) as pg:
        url = pg or f"sqlite:///{folder}/issuer.db"
        svc = build_service(load_config(Path(folder), environ={}, overrides={
            "DATABASE_URL": url, "SECRET_KEY": "bench-master-key-" + "k" * 32, "RATE_LIMITS_ENABLED": False,
            "LOG_LEVEL": "WARNING"}))
        initialize(svc, load_demo=True)
        keys = demo_api_keys(svc)
        key = email_index_key(svc.config["SECRET_KEY"])
        start = datetime(2026, 1, 1, tzinfo=timezone.utc)
        with svc.session(write=True) as s:
            plan = []
            for slug, count in (("emob-academy", args.rows), ("bbz-alpenvorland", args.rows // 5)):
                provider = s.scalar(select(Provider).where(Provider.slug == slug))
                issuer = s.scalar(select(IssuerProfile).where(IssuerProfile.provider_id == provider.id))
                courses = s.scalars(select(Course.id).where(Course.provider_id == provider.id)).all()
                plan.append((provider.id, issuer.id, courses, count))
            t0 = time.perf_counter()
            for provider_id, issuer_id, courses, count in plan:
                batch = []
                for i in range(count):
                    batch.append({"id": str(uuid.uuid4()), "provider_id": provider_id, "issuer_id": issuer_id,
                                  "course_id": courses[i % len(courses)], "learner_name": f"Learner {i}",
                                  "document": "{}", "jwt": "", "valid_from": start + timedelta(seconds=i * 30),
                                  "status": "revoked" if i % 100 == 0 else "active",
                                  "learner_email_index": email_index(key, f"learner{i % (count // 2)}@example.org")})
                    if len(batch) == 5000:
                        s.execute(insert(Credential), batch)
                        batch = []
                if batch:
                    s.execute(insert(Credential), batch)
            s.commit()
            print(f"inserted {args.rows + args.rows // 5} rows in {time.perf_counter() - t0:.1f} s "
                  f"({'PostgreSQL' if pg else 'SQLite'})")
        if pg:
            from sqlalchemy import text
            with svc.engine.begin() as conn:
                conn.execute(text("ANALYZE credential"))
        client = create_app(service=svc).test_client()
        auth = {"Authorization": f"Bearer {keys['emob-academy']}"}
        deep = client.get("/api/v1/credentials?limit=200", headers=auth).get_json()
        for _ in range(250):  # 50,000 rows in
            deep = client.get(deep["next"].split("localhost:5000", 1)[1], headers=auth).get_json()
        cases = {
            "first page (50)": "/api/v1/credentials",
            "page 251 (cursor, 200 per page)": deep["next"].split("localhost:5000", 1)[1],
            "learnerEmail": "/api/v1/credentials?learnerEmail=learner4242@example.org",
            "status=revoked": "/api/v1/credentials?status=revoked",
            "course + issuedAfter": "/api/v1/credentials?course=HV-3S&issuedAfter=2026-01-20T00:00:00Z",
        }
        for name, path in cases.items():
            times = []
            for _ in range(20):
                t0 = time.perf_counter()
                response = client.get(path, headers=auth)
                times.append((time.perf_counter() - t0) * 1000)
                assert response.status_code == 200, response.get_json()
            items = len(response.get_json()["items"])
            print(f"{name:34} median {statistics.median(times):6.1f} ms  p90 {sorted(times)[17]:6.1f} ms  "
                  f"({items} items)")
        svc.engine.dispose()


if __name__ == "__main__":
    main()
