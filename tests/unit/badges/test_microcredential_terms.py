"""EU micro-credential elements: OB 3.0 terms + an inline context with ELM IRIs (issue #8 part 1).

* issued credentials carry no context URL of ours, pass safe mode and the official OB 3.0 schema;
* the inline context redefines no protected term and its ELM IRIs exist in ELM.ttl;
* credentials signed under the retired context ``https://w3id.org/skills-hub/eu-microcredential/v1``
  still verify in our verifier, and read the same on the credential page.
"""
from __future__ import annotations

import copy
import json

import pytest
from pyld import jsonld

from issuer.badges.credential import (CONTEXT, AchievementInput, AlignmentInput, Learner, build_achievement,
                                      build_credential)
from issuer.badges.microcredential import eqf_level_iri, eu_elements, volume_of_learning
from issuer.signing.jsonld import template
from issuer.signing.jsonld.canonize import canonize
from issuer.badges.contexts import (BUNDLED_CONTEXTS, EU_MICROCREDENTIAL_TERMS, EU_MICROCREDENTIAL_V1, OB_V3P0,
                                    VC_V2, document_loader, is_known_inline_context)
from issuer.signing.jsonld.safemode import expand_safe
from issuer.web.present import facts
from tests.spec import spec_path
from tests.unit.verify.support import NOW, Resolver, did_web_issuer, sign_di, verifier

ELM = "http://data.europa.eu/snb/model/elm/"


def _achievement(**overrides) -> dict:
    values = dict(
        id="https://issuer.example/achievements/fusa", name="Functional safety", description="ISO 26262",
        criteria="Pass the exam", criteria_url=None, image_url="https://issuer.example/img/fusa.png",
        image_caption="Badge", code="FUSA-1",
        alignments=(AlignmentInput("Safety analysis", "https://skills.example/sa", "DRIVES", "SA", 3),),
        learning_outcomes=("Performs a HARA.", "Derives a safety concept."), workload_hours=135, ects=5,
        eqf_level=7, assessment_type="Oral examination", participation_form="blended",
        quality_assurance="ESG 2015", language="en")
    values.update(overrides)
    return build_achievement(AchievementInput(**values))


def _credential(issuer, achievement: dict | None = None) -> dict:
    return build_credential(credential_id="urn:uuid:00000000-0000-4000-8000-0000000000e8", issuer=issuer.profile(),
                            achievement=achievement or _achievement(), learner=Learner("Ada", email="a@example.org"),
                            now=NOW.replace(day=1), salt="s")


@pytest.fixture(scope="module")
def issuer():
    return did_web_issuer("eu-terms")


def test_issued_context_is_vc_ob_and_the_inline_terms_only():
    assert CONTEXT[:2] == [VC_V2, OB_V3P0]
    assert CONTEXT[2] == dict(EU_MICROCREDENTIAL_TERMS) and is_known_inline_context(CONTEXT[2])
    assert EU_MICROCREDENTIAL_V1 not in json.dumps(CONTEXT)


def test_achievement_uses_ob_terms_and_elm_values():
    achievement = _achievement()
    assert achievement["creditsAvailable"] == 5
    assert achievement["volumeOfLearning"] == "PT135H"
    assert achievement["eqfLevel"] == "http://data.europa.eu/snb/eqf/7"
    for retired in ("workloadHours", "ectsCredits"):
        assert retired not in achievement
    assert volume_of_learning(7.5) == "PT7H30M" and eqf_level_iri(1).endswith("/eqf/1")
    assert eu_elements({"volumeOfLearning": "PT7H30M"})["workloadHours"] == 7.5
    with pytest.raises(ValueError):
        eqf_level_iri(9)


def test_inline_terms_expand_to_elm_iris_and_redefine_nothing_protected(issuer):
    expanded = expand_safe(_credential(issuer), document_loader)
    text = json.dumps(expanded)
    for prop in ("volumeOfLearning", "EQFLevel", "learningOutcome", "mode"):
        assert f'"{ELM}{prop}"' in text, prop
    assert "https://purl.imsglobal.org/spec/vc/ob/vocab.html#creditsAvailable" in text
    # the terms are not defined by VC 2.0 / OB 3.0 (no protected-term redefinition) ...
    for url in (VC_V2, OB_V3P0):
        assert not set(EU_MICROCREDENTIAL_TERMS) - {"@protected"} & set(BUNDLED_CONTEXTS[url]["@context"])
    # ... and every ELM IRI used is a property of ELM.ttl
    ttl = spec_path("elm", "ELM.ttl").read_text(encoding="utf-8")
    for term in EU_MICROCREDENTIAL_TERMS.values():
        if isinstance(term, dict) and term["@id"].startswith(ELM):
            assert f"elm:{term['@id'][len(ELM):]}\n" in ttl, term


def test_redefining_a_protected_term_inline_is_an_error(issuer):
    document = _credential(issuer)
    document["@context"][2] = {**document["@context"][2], "name": "https://attacker.example/name"}
    with pytest.raises(jsonld.JsonLdError):
        jsonld.expand(document, {"documentLoader": document_loader})


def test_issued_credential_passes_safe_mode_and_the_official_schema(issuer):
    report = verifier(Resolver().add(issuer), official_schema_dir=spec_path("schemas")).verify(
        sign_di(_credential(issuer), issuer), now=NOW)
    assert report.verified, [c.to_dict() for c in report.checks if c.status == "failed"]
    assert {c.id: c.status for c in report.checks}["official_schema"] == "passed"
    assert {c.id: c.status for c in report.checks}["safe_mode"] == "passed"


def test_a_modified_inline_context_is_refused(issuer):
    document = _credential(issuer)
    document["@context"][2] = {**document["@context"][2],
                               "qualityAssurance": {"@id": "https://attacker.example/qa"}}
    report = verifier(Resolver().add(issuer)).verify(sign_di(document, issuer), now=NOW)
    assert not report.verified and report.check("contexts").status == "failed"
    assert "INVALID_CONTEXT" in report.check("contexts").reason


def _retired_form(issuer) -> dict:
    """A credential as issued before the inline context: the old URL and the old terms."""
    document = _credential(issuer)
    document["@context"] = [VC_V2, OB_V3P0, EU_MICROCREDENTIAL_V1]
    achievement = document["credentialSubject"]["achievement"]
    achievement.pop("creditsAvailable")
    achievement["workloadHours"] = 135
    achievement["ectsCredits"] = 5
    achievement.pop("volumeOfLearning")
    achievement["eqfLevel"] = 7
    return document


def test_credentials_signed_under_the_retired_context_still_verify(issuer):
    signed = sign_di(_retired_form(issuer), issuer)
    report = verifier(Resolver().add(issuer)).verify(copy.deepcopy(signed), now=NOW)
    assert report.verified, [c.to_dict() for c in report.checks if c.status == "failed"]
    assert report.summary["alignments"][0]["proficiencyLevel"] == 3
    tampered = copy.deepcopy(signed)
    tampered["credentialSubject"]["achievement"]["workloadHours"] = 1
    assert not verifier(Resolver().add(issuer)).verify(tampered, now=NOW).verified


def test_old_and_new_forms_read_the_same(issuer):
    new = _credential(issuer)["credentialSubject"]["achievement"]
    old = _retired_form(issuer)["credentialSubject"]["achievement"]
    assert eu_elements(new) == eu_elements(old)
    assert eu_elements(new)["workloadHours"] == 135 and eu_elements(new)["eqfLevel"] == 7
    assert facts(new) == facts(old) and facts(new)["ects"] == 5


def test_canonical_form_is_stable_with_the_inline_context(issuer):
    """The per-shape template path (used for every issued credential) matches full processing."""
    document = _credential(issuer)
    first, second = canonize(document), canonize(copy.deepcopy(document))
    assert first == second
    assert template.shape_of(document, [])  # cacheable: no NotCacheable for the known inline context
