"""The project schema (schemas/ob3-achievementcredential.schema.json) and the official_schema check."""
from __future__ import annotations

import copy

import pytest
from jsonschema import Draft202012Validator

from issuer.intake.schemas import load_schema
from tests.spec import SPEC_DIR, load_spec_json

from .support import NOW, Resolver, checks, credential, did_web_issuer, verifier

SCHEMA = "ob3-achievementcredential.schema.json"


@pytest.fixture(scope="module")
def validator():
    schema = load_schema(SCHEMA)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


@pytest.fixture()
def doc():
    document = credential("did:web:issuer.example:schema")
    document["proof"] = [{"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022",
                          "verificationMethod": "did:web:issuer.example:schema#key-1",
                          "proofPurpose": "assertionMethod", "proofValue": "z1"}]
    return document


def _errors(validator, document) -> list[str]:
    return [e.message for e in validator.iter_errors(document)]


@pytest.mark.parametrize("name", sorted(p.name for p in (SPEC_DIR / "examples" / "ob-spec-rendered-1.0.14").glob(
    "*.unsigned.json")) if (SPEC_DIR / "examples").is_dir() else [])
def test_spec_examples_are_valid(validator, name):
    assert _errors(validator, load_spec_json("examples", "ob-spec-rendered-1.0.14", name)) == []


def test_valid_credential(validator, doc):
    assert _errors(validator, doc) == []
    doc["proof"] = doc["proof"][0]  # compacted single proof object: accepted
    doc["type"] = ["OpenBadgeCredential", "VerifiableCredential"]
    assert _errors(validator, doc) == []


def _set(document, path, value):
    target = document
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value


@pytest.mark.parametrize("path, value", [
    (("@context",), ["https://www.w3.org/ns/credentials/v2"]),
    (("@context", 1), "https://purl.imsglobal.org/spec/ob/v3p0/context-x.json"),
    (("type",), ["VerifiableCredential"]),
    (("id",), "relative/id"),
    (("issuer",), {"name": "No id"}),
    (("issuer",), {"id": "did:example:1", "type": ["Organization"]}),
    (("validFrom",), "2024-01-01T00:00:00"),
    (("validFrom",), KeyError),
    (("validUntil",), "2024-01-01"),
    (("credentialSubject", "id"), KeyError),
    (("credentialSubject", "achievement"), KeyError),
    (("credentialSubject", "achievement", "criteria"), KeyError),
    (("credentialSubject", "achievement", "alignment", 0, "targetUrl"), KeyError),
    (("credentialSubject", "achievement", "alignment", 0, "targetType"), "Skill"),
    (("credentialSubject", "achievement", "achievementType"), "Sticker"),
    (("credentialSubject", "achievement", "image"), {"id": "https://x.example/i.png", "type": "Image", "alt": "x"}),
    (("credentialSubject", "achievement", "alignment"), {"targetName": "not an array"}),
    (("proof",), []),
    (("proof",), "z3abc"),
    (("credentialStatus",), {"type": "BitstringStatusListEntry"}),
    (("credentialStatus",), {"id": "https://x.example/1#1", "type": "BitstringStatusListEntry",
                             "statusListIndex": "-1"}),
])
def test_invalid_credentials(validator, doc, path, value):
    _set(doc, path, value)
    assert _errors(validator, doc)


def _identity(hashed: bool, value: str, kind: str = "emailAddress", **extra) -> dict:
    return {"type": "IdentityObject", "hashed": hashed, "identityHash": value, "identityType": kind, **extra}


@pytest.mark.parametrize("identity, ok", [
    (_identity(True, "sha256$" + "a" * 64, salt="s"), True),
    (_identity(False, "Ada", "name"), True),
    (_identity(True, "ada@example.org"), False),
    (_identity(True, "sha1$" + "a" * 40), False),
    (_identity(True, "sha256$" + "a" * 64, "email"), False),
    (_identity(True, "sha256$" + "a" * 64, "ext:Badge-Id"), True),
    (_identity(True, "sha256$" + "a" * 64, email="ada@example.org"), False),
])
def test_identity_objects(validator, doc, identity, ok):
    del doc["credentialSubject"]["id"]
    doc["credentialSubject"]["identifier"] = [identity]
    assert (_errors(validator, doc) == []) is ok


def test_empty_identifier_list_is_not_enough(validator, doc):
    del doc["credentialSubject"]["id"]
    doc["credentialSubject"]["identifier"] = []
    assert _errors(validator, doc)


def test_endorsement_credential(validator):
    endorsement = load_spec_json("examples", "ob-spec-rendered-1.0.14",
                                 "ex37-sample-endorsementcredential.unsigned.json")
    assert _errors(validator, endorsement) == []
    del endorsement["name"]
    assert _errors(validator, endorsement)


# --- official_schema check ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def issuer():
    return did_web_issuer("official")


def test_official_schema_runs_without_folder_from_the_bundled_copy(issuer):
    """A default install checks the official schema: the package bundles it (issue #8 part 4)."""
    from .support import signed

    report = verifier(Resolver().add(issuer)).verify(signed(issuer), now=NOW)
    result = report.check("official_schema")
    assert result.status == "passed" and result.detail["source"] == "bundled"
    assert result.detail["schema"] == "ob_v3p0_achievementcredential_schema.json"
    assert result.detail["url"].startswith("https://purl.imsglobal.org/spec/ob/v3p0/schema/json/")


def test_bundled_official_schema_reads_compacted_single_values_as_arrays():
    """OB 3.0 §A.2.1: compaction may render proof (and type, credentialSchema, termsOfUse) as single
    values; the published schema wants arrays, so the check reads them as one-item arrays and says so.
    The 1EdTech validator's own fixture has a single proof object, as @digitalbazaar/vc produces."""
    report = verifier().verify(load_spec_json("examples", "1edtech-validator", "simple-did-web-method.json"), now=NOW)
    result = report.check("official_schema")
    assert result.status == "passed" and result.detail["source"] == "bundled", result
    assert result.detail["readAsArrays"] == ["/proof"] and "OB 3.0 §A.2.1" in result.reason


def test_official_schema_compaction_tolerance_is_limited(issuer):
    """Only single values where the schema wants an array are wrapped; other violations still fail."""
    from .support import sign_di

    document = credential(issuer)
    document["credentialSubject"]["type"] = "AchievementSubject"
    document["credentialSubject"]["achievement"]["type"] = "Achievement"
    report = verifier(Resolver().add(issuer)).verify(sign_di(document, issuer), now=NOW)
    result = report.check("official_schema")
    assert result.status == "passed" and sorted(result.detail["readAsArrays"]) == [
        "/credentialSubject/achievement/type", "/credentialSubject/type"]
    document["credentialSubject"]["achievement"]["name"] = 5
    report = verifier(Resolver().add(issuer)).verify(sign_di(document, issuer), now=NOW)
    result = report.check("official_schema")
    assert result.status == "failed" and "/credentialSubject/achievement/name" in result.reason


def test_official_schema_passes_for_our_credentials(issuer):
    from .support import signed

    report = verifier(Resolver().add(issuer), official_schema_dir=SPEC_DIR / "schemas").verify(signed(issuer), now=NOW)
    assert checks(report)["official_schema"] == "passed" and report.verified


def test_configured_official_schema_reads_single_proof_object_as_array():
    """The same reading with a configured folder (the same files)."""
    report = verifier(official_schema_dir=SPEC_DIR / "schemas").verify(
        load_spec_json("examples", "1edtech-validator", "simple-did-web-method.json"), now=NOW)
    result = report.check("official_schema")
    assert result.status == "passed" and result.detail["source"] == "configured folder"
    assert result.detail["readAsArrays"] == ["/proof"] and checks(report)["data_model"] == "passed"


def test_official_schema_missing_file(tmp_path, issuer):
    from .support import signed

    report = verifier(Resolver().add(issuer), official_schema_dir=tmp_path).verify(signed(issuer), now=NOW)
    result = report.check("official_schema")
    assert result.status == "skipped" and "not in the configured" in result.reason


def test_official_schema_skipped_for_vc11():
    report = verifier(official_schema_dir=SPEC_DIR / "schemas").verify(
        load_spec_json("examples", "1edtech-validator", "simple_v1.json"), now=NOW)
    assert checks(report)["official_schema"] == "skipped" and checks(report)["data_model"] == "passed"


def test_schema_errors_are_reported_with_paths(issuer):
    from .support import sign_di

    document = credential(issuer)
    document["credentialSubject"]["achievement"]["alignment"][0]["targetUrl"] = 5
    report = verifier(Resolver().add(issuer)).verify(sign_di(copy.deepcopy(document), issuer), now=NOW)
    result = report.check("data_model")
    assert result.status == "failed" and result.code == "MALFORMED_VALUE_ERROR"
    assert any("/credentialSubject/achievement/alignment/0/targetUrl" in p for p in result.detail["problems"])
