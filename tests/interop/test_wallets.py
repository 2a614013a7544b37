"""Our credentials in the ecosystem's own verifiers, given only our DID documents and status lists.

Issue #8: every credential we issue verifies in @digitalbazaar/vc (eddsa-rdfc-2022) and in
@digitalcredentials/verifier-core (Learner Credential Wallet, VerifierPlus), and its VC-JWT form
with jose; those libraries get only the contexts they ship. Revoked reads as revoked and, for
providers that opted in to suspension, suspended as suspended and unsuspended as valid, in both
status libraries and in ours. One node process verifies a whole batch (interop/verify-wallet.mjs).
"""
from __future__ import annotations

import base64
import copy
import json
from importlib import resources

import pytest

from issuer.verify.verifier import Verifier
from issuer.resolve.did_key import resolve_did_key
from tests.interop.wallet import (COURSES, DID_SUBJECT, RETIRED, STATES, SUSPENSION, did_web_url, issue, markdown_table,
                                  state_matrix, verdict, wallet_documents)


def _requests(n: int, course: str) -> dict:
    """Vary subject (e-mail / DID), evidence and result independently: over the 15 demo courses
    (n = 0..14) every one of the 2 x 2 x 3 combinations occurs."""
    learner = {"name": f"Learner {n}", "email": f"learner{n}@example.org"} if n % 2 else \
        {"name": f"Learner {n}", "id": DID_SUBJECT}
    extra: dict = {}
    if n % 3 == 0:
        extra["result"] = {"score": 87, "maxScore": 100}
    elif n % 3 == 1:
        extra["result"] = {"grade": "B+"}
    if n // 2 % 2 == 0:
        extra["evidence"] = [{"url": f"https://lms.example/evidence/{course}", "name": "Exam", "narrative": "Passed"}]
    return {"learner": learner, **extra}


def _demo_courses() -> dict[str, list[str]]:
    """The demo catalogue's course codes per provider (issuer/demo/catalogue-*.json)."""
    root = resources.files("issuer") / "demo"
    providers = json.loads((root / "providers.json").read_text(encoding="utf-8"))["providers"]
    return {p["slug"]: [c["code"] for c in _courses(root / f"catalogue-{p['slug']}.json")] for p in providers}


def _courses(path) -> list[dict]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return data["courses"] if isinstance(data, dict) else data


def test_the_matrix_names_every_demo_course_and_every_suspension_provider():
    assert COURSES == _demo_courses()
    root = resources.files("issuer") / "demo"
    providers = json.loads((root / "providers.json").read_text(encoding="utf-8"))["providers"]
    assert SUSPENSION == {p["slug"] for p in providers if p.get("suspensionEnabled")}
    assert SUSPENSION and set(COURSES) - SUSPENSION


@pytest.fixture
def every_course(client, demo):
    issued = []
    n = 0
    for provider, courses in COURSES.items():
        for course in courses:
            issued.append((provider, course, issue(client, demo[provider], course, **_requests(n, course))))
            n += 1
    return issued


def test_every_demo_credential_verifies_in_every_third_party_verifier(node_harness, client, every_course):
    credentials = [body["credential"] for _, _, body in every_course]
    # the variants the issue asks for are all there: subject (DID / e-mail) x evidence x result
    # (none / score / grade), and expiry (validUntil or none) for providers with and without suspension
    assert {("id" in c["credentialSubject"], "evidence" in c, _result_kind(c)) for c in credentials} == {
        (did, evidence, result) for did in (True, False) for evidence in (True, False)
        for result in ("none", "score", "grade")}
    assert {(isinstance(c["credentialStatus"], list), "validUntil" in c) for c in credentials} == {
        (suspension, expiry) for suspension in (True, False) for expiry in (True, False)}

    documents = wallet_documents(client, credentials)
    items = [{"id": f"{p}/{c}", "credential": body["credential"]} for p, c, body in every_course]
    items += [{"id": f"{p}/{c}.jwt", "jwt": body["jwt"]} for p, c, body in every_course]
    tampered = copy.deepcopy(credentials[0])
    tampered["credentialSubject"]["achievement"]["volumeOfLearning"] = "PT1H"
    items.append({"id": "tampered", "credential": tampered})
    head, payload, sig = every_course[1][2]["jwt"].split(".")
    items.append({"id": "forged.jwt", "jwt": ".".join([head, payload, ("A" if sig[0] != "A" else "B") + sig[1:]])})

    run = node_harness.verify_as_wallet(items, documents)
    results = {r["id"]: r for r in run["results"]}
    for provider, course, _ in every_course:
        key = f"{provider}/{course}"
        assert results[key]["digitalbazaar"]["verified"] is True, (key, results[key])
        assert results[key]["digitalbazaar"]["statusVerified"] is True, (key, results[key])
        assert results[key]["dcc"]["verified"] is True, json.dumps([key, results[key]["dcc"]])
        assert results[f"{key}.jwt"]["jose"]["verified"] is True, (key, results[f"{key}.jwt"])
        assert results[key]["dcc"]["registeredIssuer"] is False  # no DCC trust registry given: reported only
    assert results["tampered"]["digitalbazaar"]["verified"] is False
    assert results["tampered"]["dcc"]["verified"] is False and results["tampered"]["dcc"]["signature"] == "invalid"
    assert results["forged.jwt"]["jose"]["verified"] is False
    # a wallet fetched nothing but our DID documents and our status lists
    assert run["refused"] == []
    extra = set(run["requested"]) - set(documents) - {
        did_web_url(d) for d in documents if d.startswith("did:web:")}
    assert not extra, extra


def test_issued_credentials_need_no_context_the_verifiers_do_not_ship(node_harness, client, every_course):
    """Fails when a credential (or the DID documents and status lists it points to) names a
    context URL that @digitalbazaar/vc or @digitalcredentials/verifier-core does not ship."""
    shipped = node_harness.shipped_contexts()
    both = set(shipped["digitalbazaar"]) & set(shipped["dcc"])
    credentials = [body["credential"] for _, _, body in every_course]
    assert {"https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
            "https://w3id.org/security/data-integrity/v2"} <= both
    for (_, _, body), credential in zip(every_course, credentials):
        jwt_payload = json.loads(_b64(body["jwt"].split(".")[1]))
        for document in (credential, jwt_payload):
            for item in document["@context"]:
                assert isinstance(item, dict) or item in both, item
                assert not _referenced_documents(item), item  # an inline context loads nothing either
            assert sum(isinstance(item, dict) for item in document["@context"]) == 1
    for url, document in wallet_documents(client, credentials).items():
        if not url.startswith("did:"):
            assert set(document["@context"]) <= both, url


def _referenced_documents(context) -> list[str]:
    """URLs an inline context object would make a processor load (``@import``, scoped ``@context``)."""
    if isinstance(context, str):
        return []
    found: list[str] = []
    for key, value in (context.items() if isinstance(context, dict) else enumerate(context or [])):
        if key in ("@import", "@context") and isinstance(value, str):
            found.append(value)
        elif key == "@context" and isinstance(value, list):
            found += [v for v in value if isinstance(v, str)] + _referenced_documents(value)
        elif isinstance(value, (dict, list)):
            found += _referenced_documents(value)
    return found


def _result_kind(credential: dict) -> str:
    """none, score ("87/100") or grade ("B+"), from the credential's result values."""
    values = [r.get("value", "") for r in credential["credentialSubject"].get("result") or []]
    return "none" if not values else "score" if any("/" in v for v in values) else "grade"


def _b64(part: str) -> bytes:
    import base64
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def test_every_status_state_reads_the_same_in_every_verifier(node_harness, client, demo):
    rows = state_matrix(client, demo, node_harness)
    print("\n" + markdown_table(rows))
    seen = set()
    for row in rows:
        seen.add((row["variant"], row["state"], row["form"]))
        expected = "valid" if row["state"] in ("fresh", "unsuspended") else row["state"]
        assert row["ours"] == expected, row  # ours reads every form, the retired one too
        if row["variant"] == RETIRED:
            # why it was retired: neither library says "revoked" / "suspended" for a message entry
            assert row["digitalbazaar"] not in ("revoked", "suspended") and row["dcc"] not in ("revoked", "suspended")
            assert row["schema"] == "passed", row
            continue
        assert row["digitalbazaar"] == expected, row
        assert row["dcc"] in (expected, "n/a"), row
        opt_in = row["variant"].startswith("suspension")
        assert row["schema"] == ("warning" if opt_in else "passed"), row
    assert len(seen) == 2 * (2 + 4 + 4)  # default: fresh, revoked; opt-in and retired: all four; two forms each
    assert {s for _, s, _ in seen} == set(STATES)


def test_third_party_verifiers_see_nothing_but_did_documents_and_status_lists(node_harness, client, demo):
    with pytest.raises(node_harness.HarnessError, match="neither a DID document nor a status list"):
        node_harness.verify_as_wallet([], {"https://example.org/context": {"@context": {"x": "https://x/"}}})
    # a credential naming a context the packages do not ship fails in both, and the URL shows as refused
    credential = issue(client, demo["bbz-alpenvorland"], "ADAS-CAL", {"name": "C", "email": "c@example.org"})["credential"]
    unshipped = "https://contexts.example/not-shipped/v1"
    credential["@context"].append(unshipped)
    run = node_harness.verify_as_wallet([{"id": "x", "credential": credential}], wallet_documents(client, [credential]))
    result = run["results"][0]
    assert result["digitalbazaar"]["verified"] is False and result["dcc"]["verified"] is False, result
    assert unshipped in run["refused"]


@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "Ed25519Signature2020"])
def test_npm_signed_credentials_verify_in_our_verifier(node_harness, suite, now):
    unsigned = {
        "@context": ["https://www.w3.org/ns/credentials/v2",
                     "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": "urn:uuid:2f5c6c8e-6e0c-4b8e-9a43-1c3e9f0b7d21",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": "did:key:placeholder", "type": ["Profile"], "name": "Third-party issuer"},
        "validFrom": "2026-01-01T00:00:00Z",
        "name": "Battery safety",
        "credentialSubject": {
            "id": "did:example:learner", "type": ["AchievementSubject"],
            "achievement": {"id": "https://third.example/achievements/1", "type": ["Achievement"],
                            "name": "Battery safety", "description": "Knows HV safety.",
                            "criteria": {"narrative": "Passed."}},
        },
    }
    signed = node_harness.sign(unsigned, suite)["signed"]
    verifier = Verifier(resolve_did=resolve_did_key)
    report = verifier.verify(signed, now=now)
    assert report.verified, [c.to_dict() for c in report.checks if c.status == "failed"]
    tampered = json.loads(json.dumps(signed).replace("Knows HV safety.", "Knows HV safetY."))
    bad = verifier.verify(tampered, now=now)
    assert not bad.verified and bad.check("proof").status == "failed"


def test_verdict_words():
    assert verdict({"verified": True, "revoked": False}) == "valid"
    assert verdict({"verified": True, "revoked": True}) == "revoked"
    assert verdict({"verified": False}) == "invalid"


def test_a_key_reported_compromised_fails_in_every_third_party_verifier(node_harness, client, demo):
    """Security catalog T-14: once the provider retires a key as compromised, credentials signed with
    it fail in the wallets' own verifiers too (the key is gone from the DID document they fetch),
    while credentials signed with the replacement keys verify."""
    key, provider = demo["bbz-alpenvorland"], "bbz-alpenvorland"
    learner = {"name": "Key Holder", "email": "holder@example.org"}
    old = issue(client, key, "ADAS-CAL", learner)
    fragment = old["credential"]["proof"][0]["verificationMethod"].split("#")[1]
    jwt_fragment = json.loads(base64.urlsafe_b64decode(old["jwt"].split(".")[0] + "=="))["kid"]
    headers = {"Authorization": f"Bearer {key}"}
    for frag in (fragment, jwt_fragment.split("#")[1]):
        answer = client.post(f"/api/v1/issuers/{provider}/keys/{frag}/compromise", headers=headers)
        assert answer.status_code == 200, answer.get_json()
    new = issue(client, key, "ADAS-CAL", learner)

    documents = wallet_documents(client, [old["credential"], new["credential"]])
    run = node_harness.verify_as_wallet([
        {"id": "old", "credential": old["credential"]}, {"id": "old.jwt", "jwt": old["jwt"]},
        {"id": "new", "credential": new["credential"]}, {"id": "new.jwt", "jwt": new["jwt"]}], documents)
    results = {r["id"]: r for r in run["results"]}
    assert results["old"]["digitalbazaar"]["verified"] is False
    assert results["old"]["dcc"]["verified"] is False
    assert results["old.jwt"]["jose"]["verified"] is False
    assert results["new"]["digitalbazaar"]["verified"] is True and results["new"]["dcc"]["verified"] is True
    assert results["new.jwt"]["jose"]["verified"] is True
