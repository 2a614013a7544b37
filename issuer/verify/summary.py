"""A display summary of a (possibly untrusted) credential: issuer, achievement, holder, dates, skills.

Every value is read defensively (only strings and numbers are copied), so a hostile document can
break neither the summary nor a template that renders it. The summary says what the credential
*claims*; the checks say whether those claims can be trusted.
"""
from __future__ import annotations

from ..badges.read import achievement_of, alignments_of, subject_of

__all__ = ["build_summary"]

_ALIGNMENT_FIELDS = ("targetName", "targetUrl", "targetCode", "targetFramework")
_MAX_ALIGNMENTS = 100


def _text(value) -> str | None:
    return value[:2000] if isinstance(value, str) else None


def _named(value) -> dict:
    if isinstance(value, str):
        return {"id": _text(value), "name": None}
    if isinstance(value, dict):
        return {"id": _text(value.get("id")), "name": _text(value.get("name"))}
    return {"id": None, "name": None}


def _holder_name(subject: dict) -> str | None:
    if isinstance(subject.get("name"), str):
        return _text(subject["name"])
    parts = [subject.get(k) for k in ("givenName", "familyName") if isinstance(subject.get(k), str)]
    if parts:
        return " ".join(parts)[:2000]
    identifiers = subject.get("identifier")
    for identity in identifiers if isinstance(identifiers, list) else []:
        if isinstance(identity, dict) and identity.get("identityType") == "name" and identity.get("hashed") is False:
            return _text(identity.get("identityHash"))
    return None


def _alignment(item: dict) -> dict:
    out = {name: _text(item.get(name)) for name in _ALIGNMENT_FIELDS}
    level = item.get("proficiencyLevel")
    if isinstance(level, (str, int, float)) and not isinstance(level, bool):
        out["proficiencyLevel"] = level
    return out


def _achievement(achievement: dict) -> dict:
    return {"id": _text(achievement.get("id")), "name": _text(achievement.get("name")),
            "description": _text(achievement.get("description"))}


def build_summary(credential: dict | None, status: dict | None = None) -> dict | None:
    """What a person looking at the credential wants to see first."""
    if not isinstance(credential, dict):
        return None
    subject = subject_of(credential)
    achievement = achievement_of(credential)
    alignments = alignments_of(credential)
    v1 = "issuanceDate" in credential and "validFrom" not in credential
    summary = {
        "name": _text(credential.get("name")),
        "issuer": _named(credential.get("issuer")),
        "achievement": _achievement(achievement),
        "holder": {"id": _text(subject.get("id")), "name": _holder_name(subject)},
        "validFrom": _text(credential.get("issuanceDate" if v1 else "validFrom")),
        "validUntil": _text(credential.get("expirationDate" if v1 else "validUntil")),
        "alignments": [_alignment(a) for a in alignments[:_MAX_ALIGNMENTS] if isinstance(a, dict)],
    }
    if status is not None:
        summary["status"] = dict(status)
    return summary
