"""The exports' cost: PDF certificate (first rendering, cached, 304 revalidation) and ELM export.

Usage:  python bench/bench_exports.py [--credentials 10] [--repeat 30]

In process (Flask test client, SQLite in a temporary folder, demo data): issues credentials of
several demo courses, then times ``GET /credentials/<id>.pdf`` cold (each credential's first PDF),
warm (served from the in-memory cache) and revalidated (``If-None-Match`` → 304), and
``GET /credentials/<id>.elm.json``. Prints median and p95 in milliseconds, and the PDF sizes.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from issuer import create_app  # noqa: E402
from issuer.config import load_config  # noqa: E402
from issuer.service import build_service  # noqa: E402
from issuer.demo.setup import demo_api_keys, initialize  # noqa: E402

COURSES = [("emob-academy", "HV-2S"), ("bbz-alpenvorland", "ADAS-CAL"), ("nordhaven-tu", "FUSA-26262"),
           ("nordhaven-tu", "BAT-CIRC"), ("emob-academy", "BAT-SERVICE")]


def _ms(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return f"median {statistics.median(ordered) * 1000:7.1f} ms   p95 {p95 * 1000:7.1f} ms   (n={len(ordered)})"


def _time(client, path: str, headers=None, status: int = 200) -> tuple[float, object]:
    t0 = time.perf_counter()
    response = client.get(path, headers=headers or {})
    elapsed = time.perf_counter() - t0
    assert response.status_code == status, (path, response.status_code)
    return elapsed, response


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--credentials", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        config = load_config(Path(tmp) / "instance", environ={}, overrides={
            "BASE_URL": "http://localhost:5000", "DATABASE_URL": f"sqlite:///{tmp}/issuer.db",
            "SECRET_KEY": "bench-master-key-" + "k" * 32, "LOAD_DEMO": False, "VERIFY_REMOTE_DID_WEB": False})
        service = build_service(config)
        initialize(service, load_demo=True)
        keys = demo_api_keys(service)
        client = create_app(service=service).test_client()
        ids = []
        for i in range(args.credentials):
            provider, course = COURSES[i % len(COURSES)]
            response = client.post("/api/v1/credentials", json={"course": course, "learner": {
                "name": f"Bench Learner {i}", "email": f"b{i}@example.org"}},
                headers={"Authorization": f"Bearer {keys[provider]}"})
            assert response.status_code == 201, response.get_json()
            ids.append(response.get_json()["id"])

        _time(client, f"/credentials/{ids[0]}.pdf")  # loads WeasyPrint, Pango and the fonts once
        client.application.extensions["issuer_pdf_cache"] = type(client.application.extensions["issuer_pdf_cache"])()
        cold, sizes, etags = [], [], {}
        for cid in ids:
            elapsed, response = _time(client, f"/credentials/{cid}.pdf")
            cold.append(elapsed)
            sizes.append(len(response.data))
            etags[cid] = response.headers["ETag"]
        warm = [_time(client, f"/credentials/{ids[i % len(ids)]}.pdf")[0] for i in range(args.repeat)]
        revalidated = [_time(client, f"/credentials/{ids[i % len(ids)]}.pdf",
                             {"If-None-Match": etags[ids[i % len(ids)]]}, 304)[0] for i in range(args.repeat)]
        elm = [_time(client, f"/credentials/{ids[i % len(ids)]}.elm.json")[0] for i in range(args.repeat)]
        service.engine.dispose()
    print(f"PDF certificate, first rendering   {_ms(cold)}")
    print(f"PDF certificate, from the cache    {_ms(warm)}")
    print(f"PDF certificate, 304 revalidation  {_ms(revalidated)}")
    print(f"ELM export                         {_ms(elm)}")
    print(f"PDF size: median {statistics.median(sizes) / 1024:.0f} KiB, max {max(sizes) / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
