"""Wallet pickup latency over HTTP: a whole OID4VCI pre-authorized flow and a whole VCALM exchange.

Usage:  python bench/bench_pickup_http.py [--n 40] [--workers 2] [--pg URL] [--only sqlite|postgresql]

Starts ``issuer serve`` (gunicorn) on loopback with the demo data; for each credential (issued with
an offer, not timed) one client times the wallet's side of the pickup, sequentially:
* OID4VCI: credential offer, token, nonce, credential (ldp_vc), nonce, credential (jwt_vc_json) —
  each credential request signs and self-verifies both holder-bound copies the first time;
* VCALM: ``POST {}`` (presentation request), ``POST {verifiablePresentation}`` (DIDAuth verified,
  credential bound, signed, self-verified, stored).
The client signs its key proofs and presentations in the same process, so times include that.
"""
from __future__ import annotations

import argparse
import http.client
import json
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench._server import pg_schema, post_json, running_server  # noqa: E402
from tests.exchanges.holder import Holder  # noqa: E402

PRE_AUTH = "urn:ietf:params:oauth:grant-type:pre-authorized_code"


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _issue(conn, key: str, i: int) -> dict:
    status, body = post_json(conn, "/api/v1/credentials", {"course": "ADAS-CAL", "offer": True, "learner": {
        "name": f"Bench {i}", "email": f"b{i}@example.org"}}, {"Authorization": f"Bearer {key}"})
    assert status == 201, body
    return body["offer"]


def _get(conn, path: str) -> dict:
    conn.request("GET", path)
    response = conn.getresponse()
    return json.loads(response.read())


def oid4vci(conn, base: str, offer: dict) -> None:
    uri = parse_qs(urlsplit(offer["openid4vci"]).query)["credential_offer_uri"][0]
    code = _get(conn, _path(uri))["grants"][PRE_AUTH]["pre-authorized_code"]
    conn.request("POST", "/oid4vci/token", body=urlencode({"grant_type": PRE_AUTH, "pre-authorized_code": code}),
                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    token = json.loads(conn.getresponse().read())["access_token"]
    holder = Holder()
    for config in ("AchievementCredential_ldp_vc", "AchievementCredential_jwt_vc_json"):
        nonce = post_json(conn, "/oid4vci/nonce", {}, {})[1]["c_nonce"]
        status, body = post_json(conn, "/oid4vci/credential", {
            "credential_configuration_id": config, "proofs": {"jwt": [holder.proof_jwt(aud=base, nonce=nonce)]}},
            {"Authorization": f"Bearer {token}"})
        assert status == 200, body


def vcalm(conn, offer: dict) -> None:
    path = _path(offer["vcapi"])
    request = post_json(conn, path, {}, {})[1]["verifiablePresentationRequest"]
    vp = Holder().did_auth(challenge=request["challenge"], domain=request["domain"])
    status, body = post_json(conn, path, {"verifiablePresentation": vp}, {})
    assert status == 200, body


def run(name: str, base: str, port: int, keys: dict, n: int) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    key = keys["bbz-alpenvorland"]
    for label, flow in (("OID4VCI (both formats)", lambda o: oid4vci(conn, base, o)),
                        ("VCALM exchange", lambda o: vcalm(conn, o))):
        offers = [_issue(conn, key, i) for i in range(n + 2)]
        flow(offers.pop())  # warm-up
        times = []
        for offer in offers[:n]:
            t0 = time.perf_counter()
            flow(offer)
            times.append((time.perf_counter() - t0) * 1000)
        times.sort()
        print(f"{name}: {label} pickup median {statistics.median(times):.1f} ms, "
              f"p95 {times[int(len(times) * 0.95) - 1]:.1f} ms (n={n})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=40)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    if args.only != "postgresql":
        with running_server(workers=args.workers) as (base, port, keys):
            run("SQLite", base, port, keys, args.n)
    if args.only != "sqlite":
        with pg_schema(args.pg) as url, running_server(url, workers=args.workers) as (base, port, keys):
            run("PostgreSQL", base, port, keys, args.n)


if __name__ == "__main__":
    main()
