"""The verification report as people read it: one verdict, the claims, and every check explained.

The verdict names the most useful single reason: a changed or forged credential is "not
verified" whatever else it claims; an authentic one can still be revoked, suspended or expired.
"""
from __future__ import annotations

from ..verify.report import CHECK_ORDER, FAILED, PARSING, PROOF, VALIDITY_PERIOD
from ..verify.trust import display_name
from . import present
from .render import safe_url

__all__ = ["verdict", "report_view", "trust_view"]


def verdict(report) -> str:
    """``verified``, ``revoked``, ``suspended``, ``expired``, ``not_yet_valid``, ``unreadable`` or
    ``not_verified``; for an ELM (Europass) copy also ``elm_unlinked`` (it names no credential
    hosted here) and ``elm_mismatch`` (its original verified, but the copy's facts differ)."""
    elm = getattr(report, "elm", None)
    if elm and not elm.get("linked"):
        return "elm_unlinked"
    if report.verified:
        return "verified"
    if elm and elm.get("originalVerified") and not elm.get("factsMatch"):
        return "elm_mismatch"
    parsing, proof = report.check(PARSING), report.check(PROOF)
    if parsing is None or parsing.status == FAILED or report.summary is None:
        return "unreadable"
    if proof is None or proof.status == FAILED:
        return "not_verified"
    failures = [c for c in report.checks if c.status == FAILED]
    status = (report.summary or {}).get("status") or {}
    if status.get("revoked"):
        return "revoked"
    if status.get("suspended"):
        return "suspended"
    validity = report.check(VALIDITY_PERIOD)
    if validity is not None and validity.status == FAILED and len(failures) == 1:
        problem = (validity.detail or {}).get("problem")
        return "expired" if problem == "EXPIRED" else "not_yet_valid" if problem else "not_verified"
    return "not_verified"


def _checks(report) -> list[dict]:
    order = {check_id: i for i, check_id in enumerate(CHECK_ORDER)}
    checks = sorted(report.checks, key=lambda c: order.get(c.id, len(order)))
    return [{"id": c.id, "status": c.status, "reason": present.text(c.reason, 2000), "code": c.code,
             "explanation": f"check.{c.id}.{c.status}", "title": f"check.{c.id}.title"} for c in checks]


def trust_view(report) -> dict:
    """The issuer's standing as the page says it: ``level`` (``hosted``, ``known``, ``unknown``),
    the sentence key and names to fill in, and the warnings (see :mod:`issuer.verify.trust`)."""
    trust = report.issuer_trust or {"level": "unknown", "warnings": []}
    level = trust.get("level") if trust.get("level") in ("hosted", "known") else "unknown"
    claimed = display_name(trust.get("claimedName"))
    name = display_name(trust.get("name")) if level != "unknown" else claimed
    view = {"level": level, "did": display_name(trust.get("issuer"), 500), "name": name,
            "source": display_name(trust.get("source")), "url": safe_url(trust.get("url")),
            "sentence": f"trust.{level}" if name or level != "unknown" else "trust.unknown_unnamed",
            "claimed_differs": claimed if level != "unknown" and claimed and claimed != name else None,
            "warnings": [{"key": f"trust.warning.{w}", "name": display_name(trust.get("resembles"))}
                         for w in trust.get("warnings", []) if w in ("impersonation", "mixed-script",
                                                                     "bidi-controls")]}
    return view


def report_view(report) -> dict:
    """Everything the report template needs; the summary's values are the credential's claims."""
    summary = report.summary or {}
    issuer, holder = summary.get("issuer") or {}, summary.get("holder") or {}
    trust = trust_view(report)
    unknown = report.verified and trust["level"] == "unknown"
    return {
        "verdict": verdict(report),
        "verdict_title": "verdict.verified.title_unknown_issuer" if unknown else None,
        "verdict_text": "verdict.verified.text_unknown_issuer" if unknown else None,
        "trust": trust,
        "verified": report.verified,
        "format": report.format,
        "name": present.text(summary.get("name"), 300),
        "issuer": {"name": display_name(issuer.get("name")), "id": present.text(issuer.get("id"), 500),
                   "url": safe_url(issuer.get("id"))},
        "achievement": {"name": present.text((summary.get("achievement") or {}).get("name"), 300),
                        "description": present.text((summary.get("achievement") or {}).get("description")),
                        "url": safe_url((summary.get("achievement") or {}).get("id"))},
        "holder": display_name(holder.get("name")),
        "valid_from": summary.get("validFrom"),
        "valid_until": summary.get("validUntil"),
        "skills": present.skills({"alignment": summary.get("alignments") or []}),
        "checks": _checks(report),
        "elm": _elm(getattr(report, "elm", None)),
    }


_ELM_FACTS = ("title", "holder", "issuer", "legalIdentifier", "issued", "eqfLevel", "creditPoints",
              "volumeOfLearning", "grade")


def _elm(elm: dict | None) -> dict | None:
    """The ELM copy's part of the page: its facts, the signed original and whether they match."""
    if not elm:
        return None
    facts = elm.get("facts") or {}
    shown = [{"key": k, "value": present.text(facts.get(k), 500)} for k in _ELM_FACTS if present.text(facts.get(k))]
    for fact in shown:  # EU vocabulary IRIs as people read them: ".../snb/eqf/4" -> "4"
        if fact["key"] == "eqfLevel" and fact["value"].startswith("http://data.europa.eu/snb/eqf/"):
            fact["value"] = fact["value"].rsplit("/", 1)[1]
    return {"linked": bool(elm.get("linked")), "original": present.text(elm.get("original"), 200),
            "original_url": safe_url(elm.get("originalUrl")), "facts": shown,
            "match": bool(elm.get("factsMatch")), "differences": [present.text(d, 100) for d in
                                                                  elm.get("differences") or []][:20]}
