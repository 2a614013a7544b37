"""EU micro-credential elements on an OB 3.0 ``Achievement`` (Council Recommendation 2022/C 243/02, Annex I).

Writing (issued credentials): OB 3.0 terms where OB has them (``creditsAvailable`` for ECTS credit
points, ``alignment`` for skills) and, for the rest, the terms of the inline context
:data:`issuer.badges.contexts.EU_MICROCREDENTIAL_TERMS`, whose IRIs come from the European Learning
Model (``http://data.europa.eu/snb/model/elm/``) where it has a property for the element. The
mapping is documented in ``docs/eu-microcredential-terms.md``.

Reading (:func:`eu_elements`): both that form and the one of credentials issued earlier under the
retired context ``https://w3id.org/skills-hub/eu-microcredential/v1`` (``workloadHours``,
``ectsCredits``, integer ``eqfLevel``).
"""
from __future__ import annotations

import re

__all__ = ["EQF_LEVEL_BASE", "eqf_level_iri", "volume_of_learning", "eu_elements"]

EQF_LEVEL_BASE = "http://data.europa.eu/snb/eqf/"
"""Europass EQF level concepts (``.../eqf/1`` … ``.../eqf/8``), as in the EDC application profile."""

_DURATION_HOURS = re.compile(r"^PT(\d{1,6})H(?:(\d{1,2})M)?$")


def eqf_level_iri(level: int) -> str:
    """The Europass concept IRI of EQF ``level`` (1..8); ValueError otherwise."""
    if isinstance(level, bool) or not isinstance(level, int) or not 1 <= level <= 8:
        raise ValueError(f"EQF level must be an integer from 1 to 8, not {level!r}")
    return f"{EQF_LEVEL_BASE}{level}"


def volume_of_learning(hours: float | int) -> str:
    """Notional workload in hours as an ``xsd:duration``: ``24`` -> ``"PT24H"``, ``12.5`` -> ``"PT12H30M"``
    (minutes rounded). The ELM export (:mod:`issuer.delivery.elm`) writes the same value."""
    if isinstance(hours, bool) or not isinstance(hours, (int, float)) or hours < 0:
        raise ValueError(f"workload must be a non-negative number of hours, not {hours!r}")
    whole, rest = divmod(round(hours * 60), 60)
    return f"PT{whole}H{rest}M" if rest else f"PT{whole}H"


def _number(value) -> float | int | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return value


def _hours(value) -> float | int | None:
    match = _DURATION_HOURS.match(value) if isinstance(value, str) else None
    if match is None:
        return None
    number = int(match.group(1)) + int(match.group(2) or 0) / 60
    return int(number) if float(number).is_integer() else round(number, 4)


def _eqf(value) -> int | None:
    if isinstance(value, str) and value.startswith(EQF_LEVEL_BASE) and value[len(EQF_LEVEL_BASE):].isdigit():
        value = int(value[len(EQF_LEVEL_BASE):])
    return value if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 8 else None


def eu_elements(achievement: dict) -> dict:
    """The EU elements of an achievement, read from the current or the retired form.

    Returns ``{"workloadHours": number|None, "ects": number|None, "eqfLevel": 1..8|None,
    "learningOutcome": list, "assessmentType", "participationForm", "qualityAssurance"}``; values
    of an unexpected type read as None (the caller decides how to show them).
    """
    outcomes = achievement.get("learningOutcome")
    hours = _hours(achievement.get("volumeOfLearning"))
    return {
        "workloadHours": hours if hours is not None else _number(achievement.get("workloadHours")),
        "ects": _number(achievement.get("creditsAvailable")) if "creditsAvailable" in achievement
        else _number(achievement.get("ectsCredits")),
        "eqfLevel": _eqf(achievement.get("eqfLevel")),
        "learningOutcome": outcomes if isinstance(outcomes, list) else ([] if outcomes is None else [outcomes]),
        "assessmentType": achievement.get("assessmentType"),
        "participationForm": achievement.get("participationForm"),
        "qualityAssurance": achievement.get("qualityAssurance"),
    }
