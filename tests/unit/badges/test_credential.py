"""The pure credential builder (issuer.badges.credential): OB 3.0 AchievementCredential shapes."""
from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

import pytest

from issuer.badges.contexts import OB_V3P0, VC_V2
from issuer.badges.credential import CONTEXT, CredentialExtras, build_achievement, build_alignment, json_number
from issuer.badges.identity import identity_matches, identity_object
from issuer.badges.read import achievement_of, alignments_of, subject_of, subjects
from issuer.badges.timestamps import iso_z, xsd_datetime
from tests.factories import NOW, make_achievement_input, make_alignment, make_credential, make_learner


def test_envelope_follows_vcdm2_and_ob3():
    credential = make_credential()
    assert credential["@context"] == CONTEXT and credential["@context"][:2] == [VC_V2, OB_V3P0]
    assert credential["type"] == ["VerifiableCredential", "AchievementCredential"]
    assert credential["validFrom"] == credential["awardedDate"] == "2026-05-04T10:00:00Z"
    assert "validUntil" not in credential and "credentialStatus" not in credential and "proof" not in credential
    assert credential["name"] == credential["credentialSubject"]["achievement"]["name"]


def test_email_learner_gets_a_salted_identity_hash_not_the_address():
    subject = make_credential(learner=make_learner(email="  Alex.Muster@Example.org "))["credentialSubject"]
    assert "id" not in subject and subject["type"] == ["AchievementSubject"]
    (identity,) = subject["identifier"]
    expected = hashlib.sha256(b"alex.muster@example.org" + b"salt").hexdigest()
    assert identity == {"type": "IdentityObject", "identityHash": f"sha256${expected}",
                        "identityType": "emailAddress", "hashed": True, "salt": "salt"}
    assert "example.org" not in str(subject).lower().replace(identity["identityHash"], "")


def test_did_learner_is_the_subject_id():
    subject = make_credential(learner=make_learner(did="did:key:z6MkExample", email=None))["credentialSubject"]
    assert subject["id"] == "did:key:z6MkExample" and "identifier" not in subject


def test_a_fresh_salt_per_credential_by_default():
    first, second = (make_credential(salt=None)["credentialSubject"]["identifier"][0] for _ in range(2))
    assert first["salt"] != second["salt"] and first["identityHash"] != second["identityHash"]


def test_extras_validity_result_evidence_and_status():
    status = {"id": "x#1", "type": "BitstringStatusListEntry"}
    extras = CredentialExtras(completed_at=NOW - timedelta(days=1), result={"value": "A"},
                              evidence=({"id": "https://e.example/1", "type": ["Evidence"]},),
                              valid_for=timedelta(days=365), credential_status=status)
    credential = make_credential(extras=extras)
    assert credential["validUntil"] == "2027-05-04T10:00:00Z"
    assert credential["credentialSubject"]["activityEndDate"] == "2026-05-03T10:00:00Z"
    assert credential["credentialSubject"]["result"] == [{"type": ["Result"], "value": "A"}]
    assert credential["evidence"] == [{"id": "https://e.example/1", "type": ["Evidence"]}]
    assert credential["credentialStatus"] == status


def test_achievement_carries_criteria_alignment_and_eu_terms():
    achievement = build_achievement(make_achievement_input(
        criteria_url="https://c.example/hv", workload_hours=24.0, ects=1.5, eqf_level=4, language="de"))
    assert achievement["type"] == ["Achievement"] and achievement["achievementType"] == "MicroCredential"
    assert achievement["criteria"] == {"id": "https://c.example/hv",
                                       "narrative": "Pass the practical and written assessment."}
    assert achievement["volumeOfLearning"] == "PT24H" and achievement["creditsAvailable"] == 1.5
    assert achievement["eqfLevel"].endswith("4") and achievement["inLanguage"] == "de"
    assert achievement["alignment"] == [build_alignment(make_alignment())]
    assert "assessmentType" not in achievement  # unset optional terms are omitted


def test_alignment_shape():
    alignment = build_alignment(make_alignment(description="Isolate and test HV systems"))
    assert alignment == {"type": ["Alignment"], "targetName": "High-voltage safety",
                         "targetUrl": "http://localhost:5000/skills/DRIVES-ACM/HV-SAFETY",
                         "targetFramework": "DRIVES Automotive Competence Matrix", "targetCode": "HV-SAFETY",
                         "targetType": "ext:CompetenceMatrixSkill", "proficiencyLevel": 3,
                         "targetDescription": "Isolate and test HV systems"}


def test_json_number_makes_integral_floats_ints():
    assert json_number(3.0) == 3 and isinstance(json_number(3.0), int)
    assert json_number(2.5) == 2.5 and json_number(1e22) == 1e22


def test_times_are_utc_z_and_naive_times_are_refused():
    assert xsd_datetime(datetime.fromisoformat("2026-05-04T12:00:00+02:00")) == "2026-05-04T10:00:00Z"
    with pytest.raises(ValueError):
        xsd_datetime(datetime(2026, 5, 4))
    with pytest.raises(ValueError):
        make_credential(now=datetime(2026, 5, 4))
    assert iso_z(datetime(2026, 5, 4, 10)) == "2026-05-04T10:00:00Z" and iso_z(None) is None


def test_identity_matches_the_hash_and_nothing_else():
    identity = identity_object("Ana@Example.org", "pepper")
    assert identity_matches(identity, " ana@example.org")
    assert not identity_matches(identity, "bob@example.org")
    assert not identity_matches({**identity, "salt": 42}, "ana@example.org")
    assert not identity_matches({**identity, "identityType": "name"}, "ana@example.org")
    assert identity_matches({"identityType": "emailAddress", "hashed": False, "identityHash": "ANA@example.org"},
                            "ana@example.org")


def test_the_reader_agrees_on_a_list_valued_subject():
    credential = make_credential()
    second = {"type": ["AchievementSubject"], "achievement": {"alignment": [{"targetCode": "X"}]}}
    listed = {**credential, "credentialSubject": [credential["credentialSubject"], second, "junk"]}
    assert subjects(listed) == [credential["credentialSubject"], second]
    assert subject_of(listed) == subject_of(credential) == credential["credentialSubject"]
    assert achievement_of(listed)["name"] == "High-Voltage Qualification Level 2S"
    assert [a["targetCode"] for a in alignments_of(listed)] == ["HV-SAFETY", "X"]
    assert subjects({"credentialSubject": "junk"}) == [] and achievement_of({}) == {}
