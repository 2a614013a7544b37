"""What a wallet outside the service gets from us: credentials, DID documents, status lists.

Shared by the interop tests and ``bench/interop_table.py``: issue credentials through the API,
collect the DID documents and status-list credentials they point to (as a wallet would fetch
them, nothing else), run them through the third-party verifiers in one node process, and read
the verdicts of every verifier for every credential state.
"""
from __future__ import annotations

import contextlib
from typing import Any, Iterable
from unittest import mock
from urllib.parse import unquote

from issuer.status import lists
from tests.conftest import ApiActions

BASE = "http://localhost:5000"
COURSES = {"emob-academy": ["HV-2S", "HV-REFRESH", "HV-3S", "BAT-SERVICE", "CHG-INSTALL"],
           "bbz-alpenvorland": ["ADAS-CAL", "ADAS-LIDAR", "NET-DIAG", "CELL-OP", "LEAN-GIGA"],
           "nordhaven-tu": ["FUSA-26262", "CYBER-21434", "AUTOSAR", "SOTIF", "BAT-CIRC"]}
SUSPENSION = {"emob-academy"}  # providers that opted in to suspension (issuer/demo/providers.json)
DID_SUBJECT = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
STATES = ("fresh", "revoked", "suspended", "unsuspended")
RETIRED = "retired: one 2-bit message entry (issued before issue #8)"
VARIANTS = {"default: one revocation entry": ("bbz-alpenvorland", "ADAS-CAL"),
            "suspension opt-in: revocation + suspension entries": ("emob-academy", "HV-2S"),
            RETIRED: ("emob-academy", "HV-2S")}
ACTIONS = {"fresh": [], "revoked": ["revoke"], "suspended": ["suspend"], "unsuspended": ["suspend", "unsuspend"]}


def issue(client, key: str, course: str, learner: dict, **extra) -> dict:
    """Issue with API key ``key`` (:class:`tests.conftest.ApiActions`); the response JSON."""
    return ApiActions(client, {}).issue(course, key=key, learner=learner, **extra)


def change(client, key: str, credential_id: str, action: str) -> None:
    response = client.post(f"/api/v1/credentials/{credential_id}/{action}", json={"reason": "interop test"},
                           headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200, response.get_json()


def _local(url: str) -> str:
    assert url.startswith(BASE), url
    return url[len(BASE):]


def _entries(credential: dict) -> list[dict]:
    status = credential.get("credentialStatus")
    return status if isinstance(status, list) else [status] if status else []


def wallet_documents(client, credentials: Iterable[dict]) -> dict[str, Any]:
    """The issuers' DID documents (by DID) and the current status lists (by URL), fetched over HTTP."""
    documents: dict[str, Any] = {}
    for credential in credentials:
        issuer = credential["issuer"]["id"]
        if issuer not in documents:
            slug = issuer.rsplit(":", 1)[-1]
            documents[issuer] = client.get(f"/issuers/{slug}/did.json").get_json()
        for entry in _entries(credential):
            url = entry["statusListCredential"]
            if url not in documents:
                documents[url] = client.get(_local(url)).get_json()
    return documents


def did_web_url(did: str) -> str:
    """DID Web "Read": ``did:web:localhost%3A5000:issuers:x`` -> ``https://localhost:5000/issuers/x/did.json``."""
    _, _, domain, *path = did.split(":")
    return f"https://{unquote(domain)}/{'/'.join(unquote(p) for p in path) if path else '.well-known'}/did.json"


def verdict(result: dict | None) -> str:
    """One word for a third-party result: valid, revoked, suspended or invalid."""
    if result is None:
        return "n/a"
    if result.get("revoked"):
        return "revoked"
    if result.get("suspended"):
        return "suspended"
    if not result.get("verified"):
        failed = result.get("failedSteps")
        return f"invalid ({', '.join(failed)})" if failed else "invalid"
    other = result.get("otherSet")
    return f"valid ({', '.join(other)} bit set)" if other else "valid"


def our_verdict(report: dict) -> str:
    status = (report.get("summary") or {}).get("status") or {}
    if status.get("revoked"):
        return "revoked"
    if status.get("suspended"):
        return "suspended"
    return "valid" if report.get("verified") else "invalid"


def state_matrix(client, demo: dict[str, str], harness) -> list[dict]:
    """Issue one credential per (status variant, state), apply the state, verify everywhere.

    The retired variant (one 2-bit ``message`` entry, as suspension providers got before issue #8)
    is issued by patching :func:`issuer.status.lists.purposes_for`, to show how it reads.

    Rows: ``{"variant", "state", "form", "ours", "digitalbazaar", "dcc", "schema"}`` with verdict
    words; ``form`` is ``JSON-LD`` or ``VC-JWT`` (jose + Bitstring Status List library).
    """
    issued = []
    for variant, (provider, course) in VARIANTS.items():
        for state in STATES:
            if state in ("suspended", "unsuspended") and provider not in SUSPENSION:
                continue
            retired = mock.patch.object(lists, "purposes_for", lambda _: (lists.PURPOSE_MESSAGE,))
            with retired if variant == RETIRED else contextlib.nullcontext():
                body = issue(client, demo[provider], course, {"name": f"State {state}", "email": f"{state}@example.org"})
            for action in ACTIONS[state]:
                change(client, demo[provider], body["id"], action)
            issued.append((variant, state, body))
    credentials = [body["credential"] for _, _, body in issued]
    documents = wallet_documents(client, credentials)
    items = [{"id": f"{i}", "credential": body["credential"]} for i, (_, _, body) in enumerate(issued)]
    items += [{"id": f"{i}-jwt", "jwt": body["jwt"]} for i, (_, _, body) in enumerate(issued)]
    run = harness.verify_as_wallet(items, documents)
    assert run["refused"] == [], run["refused"]
    results = {r["id"]: r for r in run["results"]}
    rows = []
    for i, (variant, state, body) in enumerate(issued):
        ours = client.post("/api/v1/verify", json=body["credential"]).get_json()
        ours_jwt = client.post("/api/v1/verify", data=body["jwt"], content_type="text/plain").get_json()
        schema = {c["id"]: c["status"] for c in ours["checks"]}["official_schema"]
        dcc = results[str(i)]["dcc"]
        rows.append({"variant": variant, "state": state, "form": "JSON-LD", "ours": our_verdict(ours),
                     "digitalbazaar": verdict(results[str(i)]["digitalbazaar"]), "dcc": verdict(dcc),
                     "schema": schema, "dcc_schema": _dcc_schema(dcc)})
        rows.append({"variant": variant, "state": state, "form": "VC-JWT", "ours": our_verdict(ours_jwt),
                     "digitalbazaar": verdict(results[f"{i}-jwt"]["jose"]), "dcc": "n/a",
                     "schema": {c["id"]: c["status"] for c in ours_jwt["checks"]}["official_schema"],
                     "dcc_schema": "n/a"})
    return rows


def _dcc_schema(dcc: dict) -> str:
    schema = dcc.get("schema")
    if schema == "NO_SCHEMA":
        return "not run"  # verifier-core guesses the OB schema only for type OpenBadgeCredential
    if not isinstance(schema, list) or not schema:
        return str(schema)
    return "passed" if all(s.get("valid") for s in schema) else "failed"


def markdown_table(rows: list[dict]) -> str:
    head = ("| credential variant | form | state | ours | Digital Bazaar (vc + bitstring-status-list; "
            "jose for VC-JWT) | DCC verifier-core | OB schema (ours / verifier-core) |")
    lines = [head, "|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['variant']} | {r['form']} | {r['state']} | {r['ours']} | {r['digitalbazaar']} | "
                     f"{r['dcc']} | {r['schema']} / {r['dcc_schema']} |")
    return "\n".join(lines)
