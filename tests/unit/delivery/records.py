"""A credential record for the pure delivery tests (no database)."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone

from issuer.delivery.record import CredentialRecord, IssuerFacts, SkillFact

ESCO_DEVELOP_DIGITAL_CONTENT = "http://data.europa.eu/esco/skill/5fd5c985-eaaa-47aa-8314-62359c54505a"


def record(**changes) -> CredentialRecord:
    base = CredentialRecord(
        id="6b1f2d7e-0000-4000-8000-000000000001", credential_id="urn:uuid:6b1f2d7e-0000-4000-8000-000000000001",
        page_url="https://skills.example/credentials/6b1f2d7e-0000-4000-8000-000000000001",
        verify_url="https://skills.example/credentials/6b1f2d7e-0000-4000-8000-000000000001/verify",
        achievement_id="https://skills.example/achievements/nordhaven-tu-fusa", title="Functional safety",
        description="ISO 26262 in practice.", criteria="Pass the oral examination.", code="FUSA", language="en",
        holder="Ana Novak",
        issuer=IssuerFacts(id="did:web:skills.example:issuers:nordhaven", slug="nordhaven", name="Nordhaven TU",
                           url="https://nordhaven.example", email="mc@nordhaven.example", country_code="SE",
                           legal_identifier="202100-7319", legal_identifier_scheme="registration"),
        issued=datetime(2026, 5, 4, 12, 0, tzinfo=timezone.utc), valid_until=None, completed=None,
        status="active", grade=None, learning_outcomes=("Performs a HARA.",),
        skills=(SkillFact(name="Develop digital content", code="DDC", level=3, framework="Test matrix",
                          framework_code="TM", url="https://skills.example/skills/TM/DDC",
                          esco_uri=ESCO_DEVELOP_DIGITAL_CONTENT),
                SkillFact(name="Safety analysis", code="SA", level=2, framework="Test matrix", framework_code="TM",
                          url="https://skills.example/skills/TM/SA")),
        workload_hours=135, ects=5, eqf_level=7, assessment_type="Oral examination", participation_form="online",
        quality_assurance="Accredited programme.", badge_png=b"\x89PNG\r\n\x1a\n",
        base_url="https://skills.example")
    return replace(base, **changes)
