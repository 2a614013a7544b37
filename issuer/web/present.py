"""View models: what the templates show, read defensively from credential and achievement JSON.

Only strings and numbers are copied, so a third-party document (from ``/verify``) can neither
break a template nor inject markup (the templates escape everything anyway).
"""
from __future__ import annotations

from urllib.parse import urlencode

from ..badges.microcredential import eu_elements
from ..badges.read import achievement_of, subject_of
from ..verify.trust import strip_hidden
from .render import safe_url

__all__ = ["text", "achievement_of", "facts", "skills", "evidence", "results", "subject_of",
           "linkedin_add_url", "linkedin_share_url", "LEVELS"]

LEVELS = (1, 2, 3, 4, 5)


def text(value, limit: int = 4000) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return f"{value:g}"
    if not isinstance(value, str):
        return None
    value = strip_hidden(value[:limit])  # no bidi overrides or invisible characters on a page
    return value if value.strip() else None


def _dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value) -> list:
    if isinstance(value, list):
        return value
    return [] if value is None else [value]


def facts(achievement: dict) -> dict:
    """The EU micro-credential elements (Council Recommendation 2022/C 243/02, Annex I)."""
    criteria = achievement.get("criteria")
    eu = eu_elements(achievement)
    return {
        "criteria": text(_dict(criteria).get("narrative")) if isinstance(criteria, dict) else text(criteria),
        "outcomes": [t for t in (text(o, 1000) for o in eu["learningOutcome"][:50]) if t],
        "workload": eu["workloadHours"],
        "ects": eu["ects"],
        "eqf": eu["eqfLevel"],
        "assessment": text(eu["assessmentType"], 500),
        "participation": text(eu["participationForm"], 200),
        "quality": text(eu["qualityAssurance"]),
        "language": text(achievement.get("inLanguage"), 20),
        "code": text(achievement.get("humanCode"), 100),
    }


def _level(value) -> int | None:
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    return value if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 5 else None


def skills(achievement: dict) -> list[dict]:
    """The aligned skills: name, code, level (1-5 or None), framework and a safe link."""
    out = []
    for item in _list(achievement.get("alignment"))[:100]:
        if not isinstance(item, dict):
            continue
        out.append({"name": text(item.get("targetName"), 300) or text(item.get("targetCode"), 100) or "?",
                    "code": text(item.get("targetCode"), 100),
                    "framework": text(item.get("targetFramework"), 300),
                    "description": text(item.get("targetDescription"), 2000),
                    "level": _level(item.get("proficiencyLevel")),
                    "url": safe_url(item.get("targetUrl"))})
    return out


def evidence(credential: dict) -> list[dict]:
    out = []
    for item in _list(credential.get("evidence"))[:50]:
        if isinstance(item, dict):
            entry = {"name": text(item.get("name"), 300), "narrative": text(item.get("narrative")),
                     "description": text(item.get("description")), "url": safe_url(item.get("id"))}
            if any(entry.values()):
                out.append(entry)
    return out


def results(credential: dict) -> list[dict]:
    out = []
    for item in _list(subject_of(credential).get("result"))[:50]:
        if isinstance(item, dict):
            entry = {"value": text(item.get("value"), 300), "status": text(item.get("status"), 100),
                     "level": text(item.get("achievedLevel"), 300)}
            if any(entry.values()):
                out.append(entry)
    return out


def _year_month(moment) -> dict:
    return {"Year": moment.year, "Month": moment.month} if moment is not None else {}


def linkedin_add_url(*, name: str, organisation: str, issued, expires, url: str, cert_id: str) -> str:
    """LinkedIn's "Add to profile" link for a certification, pre-filled."""
    params = {"startTask": "CERTIFICATION_NAME", "name": name, "organizationName": organisation}
    params.update({f"issue{k}": v for k, v in _year_month(issued).items()})
    params.update({f"expiration{k}": v for k, v in _year_month(expires).items()})
    params.update({"certUrl": url, "certId": cert_id})
    return "https://www.linkedin.com/profile/add?" + urlencode(params)


def linkedin_share_url(url: str) -> str:
    return "https://www.linkedin.com/sharing/share-offsite/?" + urlencode({"url": url})
