"""Every issued credential validates against the official 1EdTech OB 3.0 JSON Schema
(read from ../shared/spec/schemas) and against the project's own schema (schemas/)."""
from __future__ import annotations

import json

import jwt
import pytest
from jsonschema import Draft201909Validator
from jsonschema.validators import validator_for

from issuer.intake.schemas import load_schema
from tests.spec import load_spec_json

COURSES = {"emob-academy": ["HV-2S", "HV-REFRESH", "HV-3S", "BAT-SERVICE", "CHG-INSTALL"],
           "bbz-alpenvorland": ["ADAS-CAL", "ADAS-LIDAR", "NET-DIAG", "CELL-OP", "LEAN-GIGA"],
           "nordhaven-tu": ["FUSA-26262", "CYBER-21434", "AUTOSAR", "SOTIF", "BAT-CIRC"]}


@pytest.fixture(scope="module")
def official():
    schema = load_spec_json("schemas", "ob_v3p0_achievementcredential_schema.json")
    return Draft201909Validator(schema)


@pytest.fixture(scope="module")
def ours():
    schema = load_schema("ob3-achievementcredential.schema.json")
    return validator_for(schema)(schema)


def _errors(validator, instance):
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}" for e in validator.iter_errors(instance)]


def test_every_issued_credential_validates(client, demo, official, ours):
    n = 0
    for provider, courses in COURSES.items():
        headers = {"Authorization": f"Bearer {demo[provider]}"}
        for i, course in enumerate(courses):
            learner = {"name": "Eva Lind", "email": "eva@example.org"} if i % 2 else \
                {"name": "Eva Lind", "id": "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"}
            body = {"course": course, "learner": learner, "completedAt": "2026-03-01T12:00:00+01:00",
                    "result": {"score": 87, "maxScore": 100} if i % 3 == 0 else {"passed": True},
                    "evidence": [{"url": "https://lms.example/e/1", "name": "Exam", "narrative": "Practical"}]}
            response = client.post("/api/v1/credentials", json=body, headers=headers)
            assert response.status_code == 201, response.get_json()
            document = json.loads(client.get(f"/credentials/{response.get_json()['id']}.json").data)
            if provider == "emob-academy":  # suspension opt-in: the status array is the only deviation
                assert isinstance(document["credentialStatus"], list) and _errors(official, document), course
                for entry in document["credentialStatus"]:
                    assert _errors(official, {**document, "credentialStatus": entry}) == [], course
                document = {**document, "credentialStatus": document["credentialStatus"][0]}
            assert _errors(official, document) == [], course
            assert _errors(ours, document) == [], course
            payload = jwt.decode(response.get_json()["jwt"], options={"verify_signature": False})
            claims = {k: v for k, v in payload.items() if k not in ("iss", "jti", "nbf", "sub", "exp")}
            claims["credentialStatus"] = document["credentialStatus"]
            assert _errors(official, {**claims, "proof": document["proof"]}) == []
            n += 1
    assert n == 15


def test_own_schema_rejects_what_the_official_schema_rejects(ours, official):
    bad = {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiableCredential"]}
    assert _errors(official, bad) and _errors(ours, bad)
