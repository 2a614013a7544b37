"""Published examples and fixtures through ``Verifier.verify``: OB 3.0 spec examples, the 1EdTech
validator fixtures (JSON-LD, VC-JWT, baked PNG/SVG) and the W3C vc-di-eddsa vectors."""
from __future__ import annotations

import base64
import json

import pytest

from issuer.badges.contexts import make_loader
from issuer.verify import Policy
from tests.spec import SPEC_DIR, load_spec_json, spec_contexts, spec_path

from .support import NOW, Resolver, checks, verifier

OB_EXAMPLES = "examples/ob-spec-rendered-1.0.14"
VALIDATOR = "examples/1edtech-validator"


def _names(folder: str, suffix: str) -> list[str]:
    path = SPEC_DIR / folder
    return sorted(p.name for p in path.glob(f"*{suffix}")) if path.is_dir() else []


def _text(folder: str, name: str) -> str:
    return spec_path(folder, name).read_text(encoding="utf-8")


# --- OB 3.0 rendered spec examples (issuers are https URLs) ----------------------------------------


@pytest.mark.parametrize("name", _names(OB_EXAMPLES, ".signed-dataintegrity-eddsa-rdfc-2022.json"))
def test_spec_example_data_integrity_proof_verifies_but_key_is_unbound(name):
    report = verifier().verify(_text(OB_EXAMPLES, name), now=NOW)
    status = checks(report)
    assert report.format == "json-ld"
    assert status["proof"] == "passed", report.check("proof").reason
    assert status["key_binding"] == "failed"
    assert report.check("key_binding").reason == "issuer is not a DID: the signing key cannot be bound to the issuer"
    assert report.check("key_binding").code == "INVALID_VERIFICATION_METHOD"
    assert {k for k, v in status.items() if v == "failed"} == {"key_binding"}
    assert report.verified is False


@pytest.mark.parametrize("name", _names(OB_EXAMPLES, ".vc-jwt.json"))
def test_spec_example_vc_jwt_verifies_but_key_is_unbound(name):
    example = load_spec_json(OB_EXAMPLES, name)
    report = verifier().verify(example["compact_jws"], now=NOW)
    status = checks(report)
    assert report.format == "jwt"
    assert status["proof"] == "passed", report.check("proof").reason
    assert report.check("proof").detail["keySource"] == "jwk-header"
    assert {k for k, v in status.items() if v == "failed"} == {"key_binding"}
    assert report.credential["id"] == example["jwt_payload"]["jti"]
    assert "iss" not in report.credential


def test_spec_example_envelope_and_bytes_forms_agree():
    example = load_spec_json(OB_EXAMPLES, "ex01-sample-openbadgecredential-file-contents.vc-jwt.json")
    token = example["compact_jws"]
    envelope = {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": "EnvelopedVerifiableCredential",
                "id": "data:application/vc+jwt," + token}
    for subject in (token.encode(), envelope, json.dumps(envelope)):
        report = verifier().verify(subject, now=NOW)
        assert report.format == "jwt" and checks(report)["proof"] == "passed"


def test_spec_example_summary():
    name = "ex38-achievement-alignment-case.signed-dataintegrity-eddsa-rdfc-2022.json"
    report = verifier().verify(_text(OB_EXAMPLES, name), now=NOW)
    summary = report.summary
    assert summary["issuer"] == {"id": "https://example.edu/issuers/565049", "name": "Example University"}
    assert summary["achievement"]["id"]
    assert summary["alignments"]
    assert set(summary["alignments"][0]) >= {"targetName", "targetUrl", "targetCode", "targetFramework"}
    assert "status" not in summary


@pytest.mark.parametrize("name", _names(OB_EXAMPLES, ".signed-dataintegrity-eddsa-rdfc-2022.json"))
def test_spec_example_passes_official_schema(name):
    report = verifier(official_schema_dir=SPEC_DIR / "schemas").verify(_text(OB_EXAMPLES, name), now=NOW)
    assert checks(report)["official_schema"] == "passed", report.check("official_schema").detail


# --- 1EdTech validator fixtures --------------------------------------------------------------------

VALID_PROOFS = ["simple.json", "simple-context-alias.json", "simple-context-version.json", "simple-did-key-method.json",
                "simple-did-web-method.json", "simple_v1.json", "complete.json", "endorsement-valid.json"]


@pytest.mark.parametrize("name", VALID_PROOFS)
def test_validator_fixture_proof_verifies(name):
    report = verifier().verify(_text(VALIDATOR, name), now=NOW)
    assert checks(report)["proof"] == "passed", report.check("proof").reason
    assert checks(report)["safe_mode"] == "passed"
    assert checks(report)["key_binding"] == "failed"  # https issuers (the did:key fixture's issuer is a urn:uuid)


def test_validator_fixture_wrong_proof_value():
    report = verifier().verify(_text(VALIDATOR, "simple-err-proof-value.json"), now=NOW)
    assert checks(report)["proof"] == "failed"
    assert report.check("proof").code == "PROOF_VERIFICATION_ERROR"
    assert checks(report)["key_binding"] == "skipped"


def test_validator_fixture_wrong_type():
    report = verifier().verify(_text(VALIDATOR, "simple-err-type.json"), now=NOW)
    assert checks(report)["data_model"] == "failed"
    assert checks(report)["safe_mode"] == "failed"
    assert report.check("safe_mode").code == "DATA_LOSS_DETECTION_ERROR"
    assert "OtherCredential" in report.check("safe_mode").reason


def test_validator_fixture_missing_vc_context():
    report = verifier().verify(_text(VALIDATOR, "simple-err-context.json"), now=NOW)
    assert checks(report)["contexts"] == "failed"
    assert checks(report)["safe_mode"] == "skipped"
    assert not report.verified


def test_validator_fixture_expired():
    report = verifier().verify(_text(VALIDATOR, "simple-err-expired.json"), now=NOW)
    result = report.check("validity_period")
    assert result.status == "failed" and result.detail["problem"] == "EXPIRED"
    assert result.reason.startswith("expired")
    assert checks(report)["proof"] == "passed"


def test_validator_fixture_not_yet_valid():
    report = verifier().verify(_text(VALIDATOR, "simple-err-issued.json"), now=NOW)
    result = report.check("validity_period")
    assert result.status == "failed" and result.detail["problem"] == "NOT_YET_VALID"
    assert result.reason.startswith("not yet valid")


def test_validator_fixture_placeholder_proof_fails_the_proof_set():
    report = verifier().verify(_text(VALIDATOR, "simple-multiple-proofs.json"), now=NOW)
    result = report.check("proof")
    assert result.status == "failed"
    assert [p["verified"] for p in result.detail["proofs"]] == [False, True]


def test_validator_fixture_without_proof():
    report = verifier().verify(_text(VALIDATOR, "simple-noproof.json"), now=NOW)
    assert report.check("proof").status == "failed" and report.check("proof").code == "PARSING_ERROR"


def test_validator_fixture_legacy_eddsa_2022_suite_is_not_accepted():
    report = verifier().verify(_text(VALIDATOR, "simple-eddsa-2022.json"), now=NOW)
    assert "eddsa-2022" in report.check("proof").reason and checks(report)["proof"] == "failed"


def test_validator_fixture_vc11_without_extensions_context_loses_data():
    """complete_v1 uses 1EdTech types (1EdTechRevocationList ...) without the extensions context."""
    report = verifier().verify(_text(VALIDATOR, "complete_v1.json"), now=NOW)
    assert report.check("safe_mode").code == "DATA_LOSS_DETECTION_ERROR"
    assert checks(report)["proof"] == "skipped"


def test_validator_fixture_with_unresolvable_did_web_issuer():
    issuer_did = load_spec_json(VALIDATOR, "credential-status-revoked.json")["issuer"]["id"]
    resolver = Resolver()
    report = verifier(resolver).verify(_text(VALIDATOR, "credential-status-revoked.json"), now=NOW)
    assert resolver.calls == [issuer_did]
    assert issuer_did in report.check("proof").reason and checks(report)["proof"] == "failed"
    assert checks(report)["status"] == "skipped"


def test_validator_bitstring_fixture_is_revoked_when_binding_is_relaxed():
    testlist = load_spec_json(VALIDATOR, "bit-string-list", "testlist.json")
    v = verifier(fetch_status_list=lambda url: testlist, policy=Policy(require_key_binding=False))
    for name in ("credential-status-revoked.json", "credential-status-revoked-blank-nodes.json"):
        report = v.verify(_text(f"{VALIDATOR}/bit-string-list", name), now=NOW)
        assert checks(report)["key_binding"] == "skipped"
        assert report.check("status").status == "failed" and report.check("status").reason.startswith("revoked")
        assert report.summary["status"] == {"revoked": True, "suspended": False}


def test_validator_jwt_fixture_vc11_without_key():
    fixture = load_spec_json(VALIDATOR, "jwt-fixtures.json")["files"]["simple.jwt"]
    report = verifier().verify(fixture["file_text"], now=NOW)
    assert report.format == "jwt"
    assert checks(report)["parsing"] == "passed"
    assert report.credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert "neither kid nor jwk" in report.check("proof").reason
    assert checks(report)["contexts"] == "failed"  # the imsglobal.github.io context URL is not bundled


def _baked(name: str) -> bytes:
    entry = load_spec_json(VALIDATOR, "baked-image-fixtures.json")["files"][name]
    content = entry["content"]
    return base64.b64decode(content) if entry["encoding"] == "base64" else content.encode("utf-8")


BAKED = ["simple-json.svg", "simple-jwt.svg", "simple-jwt_v1.svg", "simple-json.png", "simple-jwt.png",
         "simple-jwt_v1.png"]


@pytest.mark.parametrize("name", BAKED)
def test_validator_baked_image_proof_verifies(name):
    report = verifier().verify(_baked(name), now=NOW)
    assert report.format == name.rsplit(".", 1)[1]
    assert checks(report)["proof"] == "passed", report.check("proof").reason
    assert checks(report)["key_binding"] == "failed"
    if "_v1" in name:
        assert "issuanceDate" in report.credential


# --- W3C vc-di-eddsa vectors -----------------------------------------------------------------------

VECTORS = "vectors/vc-di-eddsa-raw"


@pytest.fixture(scope="module")
def vector_verifier():
    return verifier(loader=make_loader(spec_contexts()))


@pytest.mark.parametrize("path", ["eddsa-rdfc-2022/signedDataInt.json", "Ed25519Signature2020/signedEdSig.json"])
def test_w3c_vector_verifies(vector_verifier, path):
    report = vector_verifier.verify(load_spec_json(VECTORS, *path.split("/")), now=NOW)
    status = checks(report)
    assert status["parsing"] == status["contexts"] == status["safe_mode"] == "passed"
    assert status["proof"] == "passed", report.check("proof").reason
    assert report.check("proof").detail["proofs"][0]["keySource"] == "did"
    assert status["validity_period"] == "passed"
    # an AlumniCredential by https://vc.example/issuers/5678: not an Open Badge, and not a DID issuer
    assert status["data_model"] == "failed" and status["key_binding"] == "failed"


@pytest.mark.parametrize("path", ["eddsa-rdfc-2022/signedDataInt.json", "Ed25519Signature2020/signedEdSig.json"])
def test_w3c_vector_tampered_fails(vector_verifier, path):
    document = load_spec_json(VECTORS, *path.split("/"))
    document["credentialSubject"]["alumniOf"] = "Another School"
    assert checks(vector_verifier.verify(document, now=NOW))["proof"] == "failed"


def test_w3c_vector_needs_its_example_context():
    report = verifier().verify(load_spec_json(VECTORS, "eddsa-rdfc-2022", "signedDataInt.json"), now=NOW)
    assert checks(report)["contexts"] == "failed"
    assert "never fetched" in report.check("contexts").reason
