"""Reading an ELM (Europass) copy that this service exported, and linking it to its signed original.

An ELM copy (:mod:`issuer.delivery.elm`) is **unsealed**: it has neither an eIDAS seal nor a
proof, so nothing in it can be verified on its own. What can be checked is that it is a faithful
copy: it names the Open Badges 3.0 credential it came from (``identifier`` with the scheme
:data:`~issuer.delivery.elm.OB_IDENTIFIER_SCHEME`); the runtime verifies that signed credential
and compares the copy's facts with a fresh export of the same record. The result is an
:class:`ElmCopyReport`: the OB credential's report plus the ``elm_copy`` check and the copy's facts.
Pure functions: the caller does the lookups.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..delivery.elm import OB_IDENTIFIER_SCHEME
from ..intake.strict_json import JsonError, strict_loads
from .report import FAILED, PASSED, CheckResult, VerificationReport

__all__ = ["ELM_COPY", "ElmCopyReport", "as_elm_document", "elm_facts", "original_id", "compare_facts",
           "elm_copy_report", "UNSEALED_NOTE"]

ELM_COPY = "elm_copy"
UNSEALED_NOTE = ("This ELM (Europass) document is an unsealed copy: it carries no electronic seal or "
                 "signature. The signed Open Badges 3.0 credential it names is the authoritative one.")
FACT_KEYS = ("title", "holder", "issuer", "legalIdentifier", "issued", "validUntil", "eqfLevel", "creditPoints",
             "volumeOfLearning", "grade", "learningOutcomes", "escoSkills")


def _types(value) -> list:
    return value if isinstance(value, list) else [value]


def as_elm_document(subject, *, max_bytes: int, max_depth: int = 64) -> dict | None:
    """``subject`` (a dict, JSON text or bytes) as a parsed ``EuropeanDigitalCredential``, or None
    when it is something else (which the ordinary verifier then reads)."""
    if isinstance(subject, (bytes, bytearray, memoryview)):
        subject = bytes(subject)
        if len(subject) > max_bytes or b"EuropeanDigitalCredential" not in subject:
            return None  # cheap: an Open Badges credential is not parsed twice
    elif isinstance(subject, str):
        if len(subject) > max_bytes or "EuropeanDigitalCredential" not in subject:
            return None
    if isinstance(subject, (bytes, str)):
        try:
            subject = strict_loads(subject, max_depth=max_depth)
        except JsonError:
            return None
    if isinstance(subject, dict) and "EuropeanDigitalCredential" in _types(subject.get("type")):
        return subject
    return None


def _dict(value) -> dict:
    if isinstance(value, list):
        value = value[0] if value else None
    return value if isinstance(value, dict) else {}


def _text(value, limit: int = 2000) -> str | None:
    """A language map's first value (``{"en": "..."}``), or a plain string; capped."""
    if isinstance(value, dict):
        value = next((v for v in value.values() if isinstance(v, str)), None)
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str)), None)
    return value[:limit] if isinstance(value, str) and value.strip() else None


def _id(value) -> str | None:
    value = _dict(value).get("id")
    return value[:500] if isinstance(value, str) else None


def original_id(document: dict) -> str | None:
    """The id of the Open Badges credential the copy names, if it names one."""
    for item in _types(document.get("identifier"))[:20]:
        item = item if isinstance(item, dict) else {}
        if item.get("schemeName") == OB_IDENTIFIER_SCHEME and isinstance(item.get("notation"), str):
            return item["notation"][:200]
    return None


def elm_facts(document: dict) -> dict:
    """The facts a person compares, read defensively from an ELM credential (JSON values only)."""
    subject = _dict(document.get("credentialSubject"))
    claim = _dict(subject.get("hasClaim"))
    spec = _dict(claim.get("specifiedBy"))
    issuer = _dict(document.get("issuer"))
    legal = _dict(issuer.get("eIDASIdentifier"))
    outcomes = [o for o in _types(spec.get("learningOutcome"))[:200] if isinstance(o, dict)]
    return {
        "title": _text(claim.get("title")) or _text(spec.get("title")),
        "holder": _text(subject.get("fullName"), 300),
        "issuer": _text(issuer.get("legalName"), 300),
        "legalIdentifier": legal.get("notation") if isinstance(legal.get("notation"), str) else None,
        "issued": document.get("issued") if isinstance(document.get("issued"), str) else None,
        "validUntil": document.get("validUntil") if isinstance(document.get("validUntil"), str) else None,
        "eqfLevel": _id(spec.get("eqfLevel")),
        "creditPoints": _dict(spec.get("creditPoint")).get("point") if isinstance(
            _dict(spec.get("creditPoint")).get("point"), str) else None,
        "volumeOfLearning": spec.get("volumeOfLearning") if isinstance(spec.get("volumeOfLearning"), str) else None,
        "grade": _text(_dict(_dict(claim.get("provenBy")).get("grade")).get("noteLiteral"), 300),
        "learningOutcomes": [t for t in (_text(o.get("title"), 1000) for o in outcomes) if t],
        "escoSkills": [i for i in (_id(o.get("relatedESCOSkill")) for o in outcomes) if i],
    }


def compare_facts(copy: dict, original: dict) -> list[str]:
    """The names of the facts in which the copy differs from the original's export."""
    return [key for key in FACT_KEYS if copy.get(key) != original.get(key)]


@dataclass
class ElmCopyReport(VerificationReport):
    """A :class:`VerificationReport` of the signed original, with the ELM copy's part in ``elm``."""

    elm: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        """The verification report as JSON, plus ``elm``: the unsealed ELM copy's notes and the link to the signed original."""
        out = super().to_dict()
        out["elm"] = self.elm
        return out


def elm_copy_report(document: dict, *, original: VerificationReport | None, original_url: str | None,
                    expected_facts: dict | None) -> ElmCopyReport:
    """Combine the copy with the report of its signed original (None when the original is not a
    credential hosted here): its checks, summary and issuer standing (``issuer_trust``). ``verified`` is true only when the original verified and every fact
    of the copy equals the original's export (``expected_facts``)."""
    facts = elm_facts(document)
    ob_id = original_id(document)
    elm = {"sealed": False, "note": UNSEALED_NOTE, "original": ob_id, "originalUrl": original_url, "facts": facts}
    if original is None:
        reason = (f"the copy names {ob_id}, which is not a credential hosted by this service" if ob_id else
                  "the copy names no Open Badges credential of this service")
        check = CheckResult(ELM_COPY, FAILED, f"{UNSEALED_NOTE} {reason}; nothing in it can be verified.",
                            detail={"original": ob_id})
        return ElmCopyReport(verified=False, checks=[check], format="elm", elm={**elm, "linked": False})
    differences = compare_facts(facts, expected_facts) if expected_facts is not None else list(FACT_KEYS)
    if differences:
        check = CheckResult(ELM_COPY, FAILED, f"{UNSEALED_NOTE} The copy differs from its signed original in: "
                            f"{', '.join(differences)}.", detail={"original": ob_id, "differences": differences})
    else:
        check = CheckResult(ELM_COPY, PASSED, f"{UNSEALED_NOTE} Every fact of the copy equals the signed "
                            f"original {ob_id}, which was verified by the checks below.", detail={"original": ob_id})
    return ElmCopyReport(verified=original.verified and not differences, checks=[check, *original.checks],
                         format="elm", credential=original.credential, summary=original.summary,
                         issuer_trust=original.issuer_trust,
                         elm={**elm, "linked": True, "factsMatch": not differences, "differences": differences,
                              "originalVerified": original.verified})
