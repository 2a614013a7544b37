"""issuer.delivery.elm: the ELM (Europass) mapping, checked against the EDC SHACL shapes."""
from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timezone

import pytest

import rdflib

from issuer.delivery.elm import EDC_SCHEMA, ElmNotAvailable, build_elm, elm_id, volume_of_learning
from tests.elm_shapes import check, graph, unsealed_copy_shapes, validate, validate_unsealed_copy
from tests.spec import spec_path
from tests.unit.delivery.records import ESCO_DEVELOP_DIGITAL_CONTENT, record


def _spec(document):
    return document["credentialSubject"]["hasClaim"]["specifiedBy"]


@pytest.mark.parametrize("changes", [
    {},
    {"grade": "1.3", "valid_until": datetime(2028, 5, 4, tzinfo=timezone.utc)},
    {"ects": None, "eqf_level": None, "workload_hours": None, "participation_form": "self-paced",
     "quality_assurance": None, "learning_outcomes": (), "assessment_type": None},
    {"skills": (), "language": "de"},
    {"language": "xx", "holder_did": "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"},
], ids=["full", "grade-and-expiry", "minimal", "german-no-skills", "unknown-language-did-holder"])
def test_documents_conform_to_edc_generic_full(changes):
    document = build_elm(record(**changes))
    conforms, report = validate(document)
    assert conforms, report
    conforms, report = validate_unsealed_copy(document)
    assert conforms, report


@pytest.mark.parametrize("language,title", [
    ("en", "Unsealed Europass copy: no electronic seal; the signed Open Badges 3.0 credential "
           "urn:uuid:6b1f2d7e-0000-4000-8000-000000000001 is the authoritative one"),
    ("de", "Ungesiegelte Europass-Kopie: kein elektronisches Siegel; maßgeblich ist der signierte "
           "Open-Badges-3.0-Nachweis urn:uuid:6b1f2d7e-0000-4000-8000-000000000001"),
])
def test_credential_schema_says_the_copy_is_unsealed(language, title):
    schemas = build_elm(record(language=language))["credentialSchema"]
    assert schemas == [{"id": EDC_SCHEMA, "type": "ShaclValidator2017"},
                       {"id": "https://skills.example/shapes/elm-unsealed-copy.ttl", "type": "ShaclValidator2017",
                        "title": {language: title}}]


def test_the_unsealed_copy_shape_rejects_a_proof_and_a_missing_original():
    """The shape named in credentialSchema is not vacuous: a document with a proof, or one that
    does not name its signed Open Badges original, violates it."""
    document = build_elm(record())
    sealed = graph(document)
    sealed.add((rdflib.URIRef(elm_id(record())), rdflib.URIRef("https://w3id.org/security#proof"), rdflib.BNode()))
    conforms, results, report = check(sealed, unsealed_copy_shapes())
    assert not conforms and results == 1 and "no proof or electronic seal" in report
    document["identifier"]["schemeName"] = "something else"
    conforms, results, report = check(graph(document), unsealed_copy_shapes())
    assert not conforms and results == 1 and "names exactly one signed Open Badges 3.0 credential" in report


def test_mapping():
    document = build_elm(record(grade="1.3"))
    assert document["id"] == elm_id(record()) == "urn:credential:6b1f2d7e-0000-4000-8000-000000000001"
    spec = _spec(document)
    assert spec["volumeOfLearning"] == "PT135H"
    assert spec["creditPoint"] == {"id": "urn:epass:creditPoint:6b1f2d7e-0000-4000-8000-000000000001",
                                   "type": "CreditPoint", "point": "5", "framework": {
                                       "id": "http://data.europa.eu/snb/education-credit/6fcec5c5af",
                                       "type": "Concept", "prefLabel": {"en": "European Credit Transfer System"},
                                       "inScheme": {"id": "http://data.europa.eu/snb/education-credit/25831c2",
                                                    "type": "ConceptScheme"}}}
    assert spec["eqfLevel"]["inScheme"]["id"] == "http://data.europa.eu/snb/eqf/25831c2"
    assert spec["mode"]["id"] == "http://data.europa.eu/snb/learning-assessment/920fbb3cbe"  # online
    outcomes = {o["title"]["en"]: o for o in spec["learningOutcome"]}
    assert set(outcomes) == {"Performs a HARA.", "Develop digital content", "Safety analysis"}
    assert outcomes["Develop digital content"]["relatedESCOSkill"]["id"] == ESCO_DEVELOP_DIGITAL_CONTENT
    assert "relatedESCOSkill" not in outcomes["Safety analysis"]
    assert outcomes["Safety analysis"]["additionalNote"]["noteLiteral"] == {"en": "Proficiency level 2 of 5 (Test matrix)"}
    assert spec["additionalNote"]["noteLiteral"] == {"en": "Quality assurance: Accredited programme."}
    issuer = document["issuer"]
    assert issuer["eIDASIdentifier"] == issuer["registration"]
    assert issuer["eIDASIdentifier"]["schemeName"] == "national registry number"
    assert "vatIdentifier" not in issuer
    assert document["credentialSubject"]["hasClaim"]["provenBy"]["grade"]["noteLiteral"] == {"en": "1.3"}
    assert "Unsealed Europass copy" in document["displayParameter"]["description"]["en"]


def test_only_esco_skill_uris_become_related_esco_skills():
    skill = replace(record().skills[1], esco_uri="https://example.org/my-skill")
    outcomes = _spec(build_elm(record(skills=(skill,))))["learningOutcome"]
    assert not any("relatedESCOSkill" in o for o in outcomes)


@pytest.mark.parametrize("hours,duration", [(24, "PT24H"), (12.5, "PT12H30M"), (0.25, "PT0H15M"), (1.999, "PT2H")])
def test_volume_of_learning(hours, duration):
    assert volume_of_learning(hours) == duration


@pytest.mark.parametrize("issuer_changes,missing", [
    ({"legal_identifier": None, "legal_identifier_scheme": None}, ["legal identifier"]),
    ({"country_code": None}, ["country"]),
    ({"country_code": "US"}, ["a European country (ISO 3166-1 alpha-2)"]),
    ({"country_code": None, "legal_identifier": None}, ["legal identifier", "country"]),
])
def test_missing_issuer_details_are_a_409_that_says_what_to_set(issuer_changes, missing):
    base = record()
    with pytest.raises(ElmNotAvailable) as caught:
        build_elm(replace(base, issuer=replace(base.issuer, **issuer_changes)))
    problem = caught.value.to_problem()
    assert caught.value.http_status == 409 and problem["missing"] == missing
    assert "issuer provider legal-id nordhaven" in problem["detail"]


def test_vat_and_eidas_schemes():
    base = record()
    vat = build_elm(replace(base, issuer=replace(base.issuer, legal_identifier="SE202100731901",
                                                 legal_identifier_scheme="vat")))["issuer"]
    assert vat["vatIdentifier"]["notation"] == "SE202100731901" and "registration" not in vat
    eidas = build_elm(replace(base, issuer=replace(base.issuer, legal_identifier="SE/202100-7319",
                                                   legal_identifier_scheme="eidas")))["issuer"]
    assert eidas["eIDASIdentifier"]["schemeName"] == "eIDAS legal person identifier"
    assert "vatIdentifier" not in eidas and "registration" not in eidas



def test_the_shapes_catch_what_elm_requires():
    """The check is not vacuous: the same shapes reject a document without the issuer's legal
    identifier, and find in the official unsealed sample exactly the two gaps SOURCES.md names."""
    document = build_elm(record())
    del document["issuer"]["eIDASIdentifier"]
    conforms, report = validate(document)
    assert not conforms and "eidasLegalIdentifier" in report
    sample = json.loads(spec_path("elm", "Sample-MC-Annex1-unsigned.jsonld").read_text(encoding="utf-8"))
    conforms, report = validate(sample)
    assert not conforms and "Results (2)" in report
    assert "cred:issued" in report and "eidasLegalIdentifier" in report
