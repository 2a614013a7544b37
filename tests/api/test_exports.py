"""Issue #15: the PDF certificate and ELM (Europass) export endpoints, for every demo course.

Each demo course's SHACL result (EDC-generic-full + EDC-generic-no-cv, and the unsealed-copy shape)
is also written to ``$ISSUER_TEST_ARTIFACTS/elm-shacl/<provider>_<course>.json`` for the record."""
from __future__ import annotations

import json
import os
import pathlib

import pytest
import rdflib
from sqlalchemy import select

from issuer.delivery.elm import EDC_SCHEMA, ELM_CONTEXT, OB_IDENTIFIER_SCHEME, UNSEALED_SHAPE_PATH, unsealed_shape
from issuer.demo import demo_providers
from issuer.store.models import IssuerProfile, Skill
from tests.elm_shapes import check, graph, shapes, unsealed_copy_shapes, validate, validate_unsealed_copy
from tests.factories import LEARNER

DEMO_COURSES = [(p["slug"], c["code"]) for p in demo_providers() for c in p["catalogue"]["courses"]]
BASE = "http://localhost:5000"
SHACL_ARTIFACTS = pathlib.Path(os.environ.get("ISSUER_TEST_ARTIFACTS")
                               or pathlib.Path(__file__).resolve().parents[2] / "test-artifacts") / "elm-shacl"


@pytest.mark.parametrize("provider,course", DEMO_COURSES, ids=[f"{p}:{c}" for p, c in DEMO_COURSES])
def test_every_demo_course_exports_conforming_elm(client, demo, provider, course, api):
    cid = api.issue(course, provider=provider)["id"]
    response = client.get(f"/credentials/{cid}.elm.json")
    assert response.status_code == 200, response.get_json()
    assert response.mimetype == "application/ld+json"
    assert f'filename="credential-{cid}.elm.json"' in response.headers["Content-Disposition"]
    document = response.get_json()
    data = graph(document)
    full = check(data, shapes())
    unsealed = check(data, unsealed_copy_shapes())
    SHACL_ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (SHACL_ARTIFACTS / f"{provider}_{course}.json").write_text(json.dumps({
        "provider": provider, "course": course, "language": document["displayParameter"]["language"]["id"],
        "edcGenericFull": {"conforms": full[0], "results": full[1]},
        "unsealedCopy": {"conforms": unsealed[0], "results": unsealed[1]}}, indent=1), encoding="utf-8")
    assert full[0], full[2]
    assert unsealed[0], unsealed[2]
    assert document["@context"] == ELM_CONTEXT
    assert document["type"] == ["VerifiableCredential", "EuropeanDigitalCredential"]
    edc, copy = document["credentialSchema"]
    assert edc == {"id": EDC_SCHEMA, "type": "ShaclValidator2017"}
    assert copy["id"] == f"{BASE}{UNSEALED_SHAPE_PATH}" and copy["type"] == "ShaclValidator2017"
    assert ("Unsealed Europass copy" in json.dumps(copy["title"]) or
            "Ungesiegelte Europass-Kopie" in json.dumps(copy["title"], ensure_ascii=False))
    assert f"urn:uuid:{cid}" in json.dumps(copy["title"])
    assert document["identifier"]["schemeName"] == OB_IDENTIFIER_SCHEME
    assert document["identifier"]["notation"] == f"urn:uuid:{cid}"
    assert "Unsealed" in json.dumps(document["displayParameter"]["description"]) or \
        "Nicht gesiegelte" in json.dumps(document["displayParameter"]["description"])
    assert LEARNER["email"].lower() not in json.dumps(document).lower()


def test_the_unsealed_copy_shape_is_published(client):
    response = client.get(UNSEALED_SHAPE_PATH)
    assert response.status_code == 200 and response.mimetype == "text/turtle"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.data == unsealed_shape()
    published = rdflib.Graph().parse(data=response.get_data(as_text=True), format="turtle")
    label = published.value(rdflib.URIRef("urn:ob3-issuer:shapes:elm-unsealed-copy#UnsealedCopy"),
                            rdflib.RDFS.label)
    assert str(label) == "Unsealed Europass copy of an Open Badges 3.0 credential"


def _spec(document):
    return document["credentialSubject"]["hasClaim"]["specifiedBy"]


def test_elm_facts_with_grade_ects_and_esco(client, demo, app, service, api):
    """A Nordhaven course (ECTS, EQF 7) whose skill has a real ESCO skill URI, issued with a grade."""
    esco = "http://data.europa.eu/esco/skill/5fd5c985-eaaa-47aa-8314-62359c54505a"  # from the official EDC sample
    with service.session(write=True) as session:
        skill = session.scalar(select(Skill).where(Skill.code == "FUSA-26262"))
        skill.esco_uri = esco
        session.commit()
    cid = api.issue("FUSA-26262", provider="nordhaven-tu", result={"grade": "1.3"})["id"]
    document = client.get(f"/credentials/{cid}.elm.json").get_json()
    conforms, report = validate(document)
    assert conforms, report
    spec = _spec(document)
    assert spec["type"] == "LearningAchievementSpecification"
    assert spec["creditPoint"]["point"] == "5"
    assert spec["creditPoint"]["framework"]["id"] == "http://data.europa.eu/snb/education-credit/6fcec5c5af"
    assert spec["eqfLevel"]["id"] == "http://data.europa.eu/snb/eqf/7"
    assert spec["volumeOfLearning"] == "PT135H"
    assert spec["mode"]["id"] == "http://data.europa.eu/snb/learning-assessment/e92d221e4d"  # blended
    assert spec["learningSetting"]["id"] == "http://data.europa.eu/snb/learning-setting/e207a81fc7"
    linked = [o for o in spec["learningOutcome"] if "relatedESCOSkill" in o]
    assert [o["relatedESCOSkill"]["id"] for o in linked] == [esco]
    assessment = document["credentialSubject"]["hasClaim"]["provenBy"]
    assert assessment["type"] == "LearningAssessment"
    assert assessment["grade"]["noteLiteral"] == {"en": "1.3"}
    issuer = document["issuer"]
    assert issuer["eIDASIdentifier"]["notation"] == "202100-7319"
    assert issuer["eIDASIdentifier"]["spatial"]["id"] == "http://publications.europa.eu/resource/authority/country/SWE"
    assert issuer["legalName"] == {"en": "Nordhaven University of Technology, Continuing Engineering Education"}
    assert document["credentialSubject"]["fullName"] == {"en": "Alex Muster"}


def test_elm_without_grade_ects_or_esco(client, demo, api):
    """An emob course (no ECTS, no ESCO link) issued without a result: still conforming."""
    cid = api.issue("HV-2S", provider="emob-academy")["id"]
    document = client.get(f"/credentials/{cid}.elm.json").get_json()
    conforms, report = validate(document)
    assert conforms, report
    conforms, report = validate_unsealed_copy(document)
    assert conforms, report
    assert document["credentialSchema"][1]["title"]["de"].startswith("Ungesiegelte Europass-Kopie")
    spec = _spec(document)
    assert "creditPoint" not in spec
    assert not any("relatedESCOSkill" in o for o in spec["learningOutcome"])
    assert spec["eqfLevel"]["id"] == "http://data.europa.eu/snb/eqf/4"
    assert spec["mode"]["id"] == "http://data.europa.eu/snb/learning-assessment/9191af2ed9"  # on site
    assert spec["language"]["id"] == "http://publications.europa.eu/resource/authority/language/DEU"
    assert document["credentialSubject"]["hasClaim"]["provenBy"]["grade"]["noteLiteral"] == {"de": "Bestanden"}
    assert document["issuer"]["vatIdentifier"]["notation"] == "ATU73918264"


def test_elm_needs_a_legal_identifier(client, demo, service, api):
    with service.session(write=True) as session:
        issuer = session.scalar(select(IssuerProfile).where(IssuerProfile.slug == "emob-academy"))
        issuer.legal_identifier = None
        issuer.legal_identifier_scheme = None
        session.commit()
    cid = api.issue("HV-2S", provider="emob-academy")["id"]
    response = client.get(f"/credentials/{cid}.elm.json")
    assert response.status_code == 409
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert problem["code"] == "elm_export_unavailable"
    assert problem["missing"] == ["legal identifier"]
    assert "issuer provider legal-id emob-academy" in problem["detail"]


def test_elm_of_a_revoked_credential_is_refused(client, demo, auth, api):
    cid = api.issue("HV-2S", provider="emob-academy")["id"]
    assert client.post(f"/api/v1/credentials/{cid}/revoke", json={"reason": "test"}, headers=auth).status_code == 200
    response = client.get(f"/credentials/{cid}.elm.json")
    assert response.status_code == 409
    problem = response.get_json()
    assert problem["status"] == 409 and problem["credentialStatus"] == "revoked"


def test_unknown_credential_exports_are_404(client, demo):
    for suffix in (".elm.json", ".pdf"):
        response = client.get(f"/credentials/nope{suffix}")
        assert response.status_code == 404
