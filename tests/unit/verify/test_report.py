"""Report structure: declared check order, dependencies, serialisation, summary; verify never raises."""
from __future__ import annotations

import copy
import json
import random
from datetime import datetime

import pytest

from issuer.badges.credential import identity_object
from issuer.verify import CHECK_ORDER, CheckResult, VerificationReport, verifier as verifier_module
from issuer.verify.verifier import PLAN

from .support import NOW, Resolver, checks, credential, did_web_issuer, sign_di, signed, status_entry, vc_jwt, verifier


@pytest.fixture(scope="module")
def issuer():
    return did_web_issuer("report")


def test_plan_covers_every_check_in_order():
    assert CHECK_ORDER[0] == "parsing"
    assert tuple(PLAN) == CHECK_ORDER[1:]
    for check_id, needs in PLAN.items():
        assert all(CHECK_ORDER.index(n) < CHECK_ORDER.index(check_id) for n in needs)


def test_report_lists_every_check_in_order(issuer):
    for subject in (signed(issuer), "garbage", vc_jwt(credential(issuer), issuer)):
        report = verifier(Resolver().add(issuer)).verify(subject, now=NOW)
        assert [c.id for c in report.checks] == list(CHECK_ORDER)
        assert all(c.status in ("passed", "failed", "skipped") and c.reason for c in report.checks)


def test_to_dict_is_json(issuer):
    report = verifier(Resolver().add(issuer)).verify(signed(issuer, validUntil="2000-01-01T00:00:00Z"), now=NOW)
    data = json.loads(json.dumps(report.to_dict()))
    assert data["verified"] is False and data["format"] == "json-ld"
    assert [c["id"] for c in data["checks"]] == list(CHECK_ORDER)
    assert data["credential"]["id"] == report.credential["id"]
    validity = next(c for c in data["checks"] if c["id"] == "validity_period")
    assert validity["status"] == "failed" and validity["detail"]["problem"] == "EXPIRED"


def test_problems_use_w3c_codes_and_list_every_failed_check():
    report = VerificationReport(False, [CheckResult("proof", "failed", "bad", "PROOF_VERIFICATION_ERROR"),
                                        CheckResult("status", "failed", "revoked", None, {"revoked": True}),
                                        CheckResult("validity_period", "failed", "expired", None,
                                                    {"problem": "EXPIRED"}),
                                        CheckResult("contexts", "passed", "ok")], "json-ld", None, None)
    docs = "https://github.com/ob3-skills-hub/issuer/blob/main/docs/verification-report.md#"
    assert report.problems() == [
        {"type": "https://w3id.org/security#PROOF_VERIFICATION_ERROR", "code": "PROOF_VERIFICATION_ERROR",
         "title": "proof", "detail": "bad"},
        {"type": docs + "9-status", "code": "REVOKED", "title": "status", "detail": "revoked"},
        {"type": docs + "8-validity_period", "code": "EXPIRED", "title": "validity_period", "detail": "expired"}]
    assert bool(CheckResult("x", "passed", "ok")) and not CheckResult("x", "skipped", "n/a")


def test_skipped_checks_name_their_blocker(issuer):
    document = signed(issuer)
    document["@context"] = ["https://www.w3.org/ns/credentials/v2", "https://attacker.example/ctx"]
    report = verifier(Resolver().add(issuer)).verify(document, now=NOW)
    assert report.check("safe_mode").reason == "not checked because contexts did not pass"
    assert report.check("key_binding").status == "skipped"


def test_summary_for_an_identifier_only_subject(issuer):
    document = credential(issuer)
    subject = document["credentialSubject"]
    del subject["id"]
    subject["identifier"] = [identity_object("ada@example.org", "salt")]
    report = verifier(Resolver().add(issuer)).verify(sign_di(document, issuer), now=NOW)
    assert report.verified
    summary = report.summary
    assert summary["holder"] == {"id": None, "name": "Ada Lovelace"}
    assert summary["achievement"] == {"id": "https://skills.example/achievements/brakes", "name": "Brake Systems",
                                      "description": "Diagnose and repair hydraulic brake systems."}
    assert summary["alignments"][0] == {"targetName": "Skill 1", "targetUrl": "https://skills.example/s/1",
                                        "targetCode": "S1", "targetFramework": "Automotive Skills Matrix 2024"}
    assert summary["validFrom"] == document["validFrom"] and summary["validUntil"] is None
    assert "ada@example.org" not in json.dumps(report.to_dict())


def test_summary_survives_hostile_values(issuer):
    document = signed(issuer)
    document["issuer"] = ["not", "an", "object"]
    document["credentialSubject"]["achievement"]["alignment"] = ["x", {"targetName": 5, "proficiencyLevel": True}]
    report = verifier(Resolver().add(issuer)).verify(document, now=NOW)
    assert report.summary["issuer"] == {"id": None, "name": None}
    assert report.summary["alignments"] == [{"targetName": None, "targetUrl": None, "targetCode": None,
                                             "targetFramework": None}]


def test_service_credential_builder_output_verifies(issuer):
    """Credentials shaped like the service's own (EU context, proficiencyLevel, image, identifier)."""
    from issuer.badges.credential import AchievementInput, AlignmentInput, Learner, build_achievement, build_credential

    achievement = build_achievement(AchievementInput(
        id="https://issuer.example/achievements/brakes", name="Brakes", description="Brake systems",
        criteria="Pass the test", criteria_url=None, image_url="https://issuer.example/img/brakes.png",
        image_caption="Brakes badge", code="BRK-1",
        alignments=tuple(AlignmentInput(f"Skill {i}", f"https://skills.example/{i}", "ASM", f"S{i}", 3)
                         for i in range(5)), ects=1.5, eqf_level=4))
    document = build_credential(credential_id="urn:uuid:00000000-0000-4000-8000-000000000001", issuer=issuer.profile(),
                                achievement=achievement, learner=Learner(name="Ada", email="ada@example.org"),
                                now=NOW.replace(day=1), salt="s")
    report = verifier(Resolver().add(issuer)).verify(sign_di(document, issuer), now=NOW)
    assert report.verified, [c for c in report.checks if c.status == "failed"]
    assert report.summary["alignments"][0]["proficiencyLevel"] == 3


def test_naive_now_is_a_programming_error(issuer):
    with pytest.raises(ValueError):
        verifier().verify(signed(issuer), now=datetime(2025, 1, 1))


def test_crashing_check_is_contained(issuer, monkeypatch):
    def boom(state):
        raise KeyError("bug")

    monkeypatch.setattr(verifier_module, "check_contexts", boom)
    report = verifier(Resolver().add(issuer)).verify(signed(issuer), now=NOW)
    assert report.check("contexts").status == "failed" and "internal error" in report.check("contexts").reason
    assert not report.verified


def test_crashing_reader_is_contained(issuer, monkeypatch):
    def boom(*args, **kwargs):
        raise RecursionError("bug")

    monkeypatch.setattr(verifier_module, "parse_input", boom)
    report = verifier().verify(signed(issuer), now=NOW)
    assert report.check("parsing").status == "failed" and not report.verified


def _mutations(document: dict, rng: random.Random, count: int):
    values = [None, "", 0, -1, 1.5, True, [], {}, "x" * 300, "did:web:127.0.0.1", "urn:uuid:1", [None], {"@context": 1},
              "2024-02-30T00:00:00Z", {"id": "did:key:z6Mk"}, ["VerifiableCredential"]]
    paths = []

    def walk(node, path):
        if isinstance(node, dict):
            for key, value in node.items():
                paths.append(path + (key,))
                walk(value, path + (key,))
        elif isinstance(node, list):
            for i, value in enumerate(node):
                paths.append(path + (i,))
                walk(value, path + (i,))

    walk(document, ())
    for _ in range(count):
        mutated = copy.deepcopy(document)
        path = rng.choice(paths)
        target = mutated
        for key in path[:-1]:
            target = target[key]
        if rng.random() < 0.2 and isinstance(target, dict):
            del target[path[-1]]
        else:
            target[path[-1]] = rng.choice(values)
        yield mutated


def test_mutated_credentials_never_raise_and_never_verify(issuer):
    rng = random.Random(20250601)
    good = signed(issuer, credentialStatus=status_entry())
    v = verifier(Resolver().add(issuer), fetch_status_list=lambda url: (_ for _ in ()).throw(LookupError(url)))
    for mutated in _mutations(good, rng, 300):
        report = v.verify(mutated, now=NOW)
        assert [c.id for c in report.checks] == list(CHECK_ORDER)
        assert not report.verified
        json.dumps(report.to_dict())


def test_mutated_jwts_never_raise(issuer):
    rng = random.Random(7)
    token = vc_jwt(credential(issuer), issuer)
    v = verifier(Resolver().add(issuer))
    alphabet = "ABCabc012-_.=+/ \u00e9"
    for _ in range(300):
        chars = list(token)
        for _ in range(rng.randint(1, 4)):
            chars[rng.randrange(len(chars))] = rng.choice(alphabet)
        report = v.verify("".join(chars), now=NOW)
        assert checks(report)["parsing"] in ("passed", "failed")
