"""Reading a credential someone else may have written: the one reader of subjects and achievements.

W3C VC Data Model 2.0 §4.8 (https://www.w3.org/TR/vc-data-model-2.0/#credential-subject):
``credentialSubject`` is one object or a list of them. Open Badges 3.0 §B.1.1/§B.1.3
(https://www.imsglobal.org/spec/ob/v3p0/#achievementsubject): an ``AchievementSubject`` carries the
``achievement`` and its ``alignment`` list. Input is untrusted JSON: anything of the wrong type
reads as absent, nothing raises.

The rule for a list-valued ``credentialSubject``: :func:`subjects` gives every object in it,
:func:`subject_of` (what a page or summary shows) the first one, and :func:`alignments_of` the
alignments of all of them.
"""
from __future__ import annotations

__all__ = ["subjects", "subject_of", "achievement_of", "alignments_of"]


def _dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def subjects(credential) -> list[dict]:
    """Every ``credentialSubject`` object, in document order (``[]`` when there is none)."""
    subject = _dict(credential).get("credentialSubject")
    items = subject if isinstance(subject, list) else [subject]
    return [s for s in items if isinstance(s, dict)]


def subject_of(credential) -> dict:
    """The first ``credentialSubject`` object, or ``{}``."""
    found = subjects(credential)
    return found[0] if found else {}


def achievement_of(credential) -> dict:
    """The first subject's ``achievement`` object, or ``{}``."""
    return _dict(subject_of(credential).get("achievement"))


def alignments_of(credential) -> list[dict]:
    """The ``Alignment`` objects of every subject's achievement, in document order."""
    out: list[dict] = []
    for subject in subjects(credential):
        alignment = _dict(subject.get("achievement")).get("alignment")
        if isinstance(alignment, list):
            out.extend(a for a in alignment if isinstance(a, dict))
    return out
