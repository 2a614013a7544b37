"""The European Learning Model (ELM 3) copy of a credential: a ``EuropeanDigitalCredential`` in
JSON-LD following the Europass Digital Credentials (EDC) application profile, for upload to the
EDC builder.

The document is **unsealed**: real EDC issuance adds a qualified eIDAS electronic seal, which this
service does not hold. It says so in ``credentialSchema``: beside the EDC profile it names the
shape of an unsealed copy (:data:`UNSEALED_SHAPE_PATH`, served by this service; no proof, names its
signed original), titled "Unsealed Europass copy ...", and in ``displayParameter.description``.
The signed Open Badges 3.0 credential stays the authoritative one; the ELM copy names it
(``identifier`` with scheme :data:`OB_IDENTIFIER_SCHEME`, and ``supplementaryDocument``) so a
verifier can link the two. The mapping is documented in ``docs/elm-export.md``; it conforms to
the ``EDC-generic-full`` SHACL shapes (checked in the tests with pyshacl).

Vocabulary IRIs are those of the EU Vocabularies (``http://data.europa.eu/snb/...``, the
Publications Office authority tables), as used by the official EDC micro-credential sample.
Pure functions: the caller passes the :class:`~issuer.delivery.record.CredentialRecord`.
"""
from __future__ import annotations

import base64
from importlib import resources

from ..badges.microcredential import volume_of_learning
from ..badges.timestamps import iso_z
from ..errors import Conflict

__all__ = ["ELM_CONTEXT", "EDC_SCHEMA", "OB_IDENTIFIER_SCHEME", "MEDIA_TYPE", "UNSEALED_SHAPE_PATH",
           "ElmNotAvailable", "build_elm", "elm_id", "issuer_gaps", "unsealed_shape", "volume_of_learning"]

VC_V1 = "https://www.w3.org/2018/credentials/v1"
EDC_AP = "http://data.europa.eu/snb/model/context/edc-ap"
ELM_CONTEXT = [VC_V1, EDC_AP]
EDC_SCHEMA = "http://data.europa.eu/snb/model/ap/edc-generic-full"
MEDIA_TYPE = "application/ld+json"
OB_IDENTIFIER_SCHEME = "Open Badges 3.0 credential id (signed original)"
#: Where this service publishes the SHACL shape of an unsealed copy (Turtle), named in ``credentialSchema``.
UNSEALED_SHAPE_PATH = "/shapes/elm-unsealed-copy.ttl"

_SNB = "http://data.europa.eu/snb"
_AUTHORITY = "http://publications.europa.eu/resource/authority"
CREDENTIAL_PROFILE_GENERIC = (f"{_SNB}/credential/e34929035b", f"{_SNB}/credential/25831c2", "Generic")
ECTS = (f"{_SNB}/education-credit/6fcec5c5af", f"{_SNB}/education-credit/25831c2", "European Credit Transfer System")
EQF_SCHEME = f"{_SNB}/eqf/25831c2"
NON_FORMAL = (f"{_SNB}/learning-setting/e207a81fc7", f"{_SNB}/learning-setting/25831c2", "non-formal learning")
MODE_SCHEME = f"{_SNB}/learning-assessment/25831c2"
# form of participation (our catalogue's controlled values) -> mode of learning and assessment
MODES = {"onsite": ("9191af2ed9", "Presential"), "online": ("920fbb3cbe", "Online"),
         "blended": ("e92d221e4d", "Blended")}
BASE64 = (f"{_SNB}/encoding/6146cde7dd", f"{_SNB}/encoding/25831c2", "base64")
ESCO_SKILLS_SCHEME = "http://data.europa.eu/esco/concept-scheme/skills"
ESCO_SKILL_PREFIX = "http://data.europa.eu/esco/skill/"

# ISO 639-1 -> the Publications Office language table (ISO 639-2/T codes); EU and EEA languages
LANGUAGES = {"bg": ("BUL", "Bulgarian"), "cs": ("CES", "Czech"), "da": ("DAN", "Danish"), "de": ("DEU", "German"),
             "el": ("ELL", "Greek"), "en": ("ENG", "English"), "es": ("SPA", "Spanish"), "et": ("EST", "Estonian"),
             "fi": ("FIN", "Finnish"), "fr": ("FRA", "French"), "ga": ("GLE", "Irish"), "hr": ("HRV", "Croatian"),
             "hu": ("HUN", "Hungarian"), "is": ("ISL", "Icelandic"), "it": ("ITA", "Italian"),
             "lt": ("LIT", "Lithuanian"), "lv": ("LAV", "Latvian"), "mt": ("MLT", "Maltese"), "nl": ("NLD", "Dutch"),
             "no": ("NOR", "Norwegian"), "pl": ("POL", "Polish"), "pt": ("POR", "Portuguese"),
             "ro": ("RON", "Romanian"), "sk": ("SLK", "Slovak"), "sl": ("SLV", "Slovenian"), "sv": ("SWE", "Swedish")}
# ISO 3166-1 alpha-2 -> the Publications Office country table (alpha-3); EU, EEA, candidates, CH, UK
COUNTRIES = {"AT": ("AUT", "Austria"), "BE": ("BEL", "Belgium"), "BG": ("BGR", "Bulgaria"), "HR": ("HRV", "Croatia"),
             "CY": ("CYP", "Cyprus"), "CZ": ("CZE", "Czechia"), "DK": ("DNK", "Denmark"), "EE": ("EST", "Estonia"),
             "FI": ("FIN", "Finland"), "FR": ("FRA", "France"), "DE": ("DEU", "Germany"), "GR": ("GRC", "Greece"),
             "HU": ("HUN", "Hungary"), "IE": ("IRL", "Ireland"), "IT": ("ITA", "Italy"), "LV": ("LVA", "Latvia"),
             "LT": ("LTU", "Lithuania"), "LU": ("LUX", "Luxembourg"), "MT": ("MLT", "Malta"),
             "NL": ("NLD", "Netherlands"), "PL": ("POL", "Poland"), "PT": ("PRT", "Portugal"), "RO": ("ROU", "Romania"),
             "SK": ("SVK", "Slovakia"), "SI": ("SVN", "Slovenia"), "ES": ("ESP", "Spain"), "SE": ("SWE", "Sweden"),
             "IS": ("ISL", "Iceland"), "LI": ("LIE", "Liechtenstein"), "NO": ("NOR", "Norway"),
             "CH": ("CHE", "Switzerland"), "GB": ("GBR", "United Kingdom"), "AL": ("ALB", "Albania"),
             "BA": ("BIH", "Bosnia and Herzegovina"), "ME": ("MNE", "Montenegro"), "MK": ("MKD", "North Macedonia"),
             "RS": ("SRB", "Serbia"), "TR": ("TUR", "Türkiye"), "UA": ("UKR", "Ukraine"), "MD": ("MDA", "Moldova"),
             "GE": ("GEO", "Georgia")}
LEGAL_SCHEMES = {"vat": "VAT number", "eidas": "eIDAS legal person identifier", "registration": "national registry number"}

_NOTES = {
    "en": {"unsealed": "Unsealed Europass copy of the Open Badges 3.0 credential {ob}, for upload to the EDC "
                       "builder. It carries no electronic seal: the signed Open Badges credential ({url}) is the "
                       "authoritative one.",
           "quality": "Quality assurance: {text}", "level": "Proficiency level {level} of 5 ({framework})",
           "assessment": "Assessment", "passed": "Passed", "ob": "Signed Open Badges 3.0 credential",
           "schema": "Unsealed Europass copy: no electronic seal; the signed Open Badges 3.0 credential "
                     "{ob} is the authoritative one"},
    "de": {"unsealed": "Nicht gesiegelte Europass-Kopie des Open-Badges-3.0-Nachweises {ob} zum Hochladen in den "
                       "EDC-Builder. Sie trägt kein elektronisches Siegel: maßgeblich ist der signierte "
                       "Open-Badges-Nachweis ({url}).",
           "quality": "Qualitätssicherung: {text}", "level": "Kompetenzstufe {level} von 5 ({framework})",
           "assessment": "Prüfung", "passed": "Bestanden", "ob": "Signierter Open-Badges-3.0-Nachweis",
           "schema": "Ungesiegelte Europass-Kopie: kein elektronisches Siegel; maßgeblich ist der signierte "
                     "Open-Badges-3.0-Nachweis {ob}"},
}


class ElmNotAvailable(Conflict):
    """The record lacks something ELM requires (HTTP 409): ``missing`` names the profile fields."""

    code, title = "elm_export_unavailable", "The Europass (ELM) export needs more issuer details"


def unsealed_shape() -> bytes:
    """The SHACL shape (Turtle) of an unsealed copy, published at :data:`UNSEALED_SHAPE_PATH`."""
    return (resources.files("issuer") / "delivery" / "shapes" / "elm-unsealed-copy.ttl").read_bytes()


def elm_id(record) -> str:
    """The ELM copy's id: ``urn:credential:<the OB credential's UUID>``."""
    return f"urn:credential:{record.id}"


def _concept(iri: str, scheme: str, label: str | None = None, *, notation: str | None = None) -> dict:
    concept: dict = {"id": iri, "type": "Concept", "inScheme": {"id": scheme, "type": "ConceptScheme"}}
    if notation:
        concept["notation"] = notation
    if label:
        concept["prefLabel"] = {"en": label}
    return concept


def _language(code: str) -> dict:
    tag, name = LANGUAGES.get(code, LANGUAGES["en"])
    return _concept(f"{_AUTHORITY}/language/{tag}", f"{_AUTHORITY}/language", name, notation="language")


def _country(code: str) -> dict:
    tag, name = COUNTRIES[code]
    return _concept(f"{_AUTHORITY}/country/{tag}", f"{_AUTHORITY}/country", name, notation="country")


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def issuer_gaps(country_code: str | None, legal_identifier: str | None) -> list[str]:
    """What an issuer profile lacks for the ELM export (empty when it has everything): ELM requires
    every issuer to have a legal identifier and a country, which must be one of :data:`COUNTRIES`."""
    missing = []
    if not legal_identifier:
        missing.append("legal identifier")
    if not country_code:
        missing.append("country")
    elif country_code not in COUNTRIES:
        missing.append("a European country (ISO 3166-1 alpha-2)")
    return missing


def _organisation(record, lang: str) -> dict:
    issuer = record.issuer
    country = _country(issuer.country_code)
    scheme = issuer.legal_identifier_scheme or "registration"
    legal = {"id": f"urn:epass:legalIdentifier:{issuer.slug}", "type": "LegalIdentifier",
             "notation": issuer.legal_identifier, "schemeName": LEGAL_SCHEMES[scheme], "spatial": country}
    org: dict = {
        "id": issuer.id or f"urn:epass:org:{issuer.slug}", "type": "Organisation",
        "legalName": {lang: issuer.name},
        "eIDASIdentifier": legal,
        "location": {"id": f"urn:epass:location:{issuer.slug}", "type": "Location",
                     "address": {"id": f"urn:epass:address:{issuer.slug}", "type": "Address", "countryCode": country}},
    }
    if scheme == "vat":
        org["vatIdentifier"] = legal
    elif scheme == "registration":
        org["registration"] = legal
    if issuer.url:
        org["homepage"] = {"id": f"urn:epass:webResource:{issuer.slug}", "type": "WebResource",
                           "contentURL": issuer.url}
    if issuer.email:
        org["contactPoint"] = {"id": f"urn:epass:contactPoint:{issuer.slug}", "type": "ContactPoint",
                               "emailAddress": {"id": f"mailto:{issuer.email}", "type": "Mailbox"}}
    return org


def _note(note_id: str, lang: str, text: str) -> dict:
    return {"id": note_id, "type": "Note", "noteLiteral": {lang: text}}


def _outcomes(record, lang: str, words: dict) -> list[dict]:
    base = f"urn:epass:learningOutcome:{record.id}"
    outcomes = [{"id": f"{base}:{i}", "type": "LearningOutcome", "title": {lang: text}}
                for i, text in enumerate(record.learning_outcomes, 1)]
    for skill in record.skills:
        outcome: dict = {"id": f"{base}:skill:{skill.framework_code}:{skill.code}", "type": "LearningOutcome",
                         "title": {lang: skill.name},
                         "additionalNote": _note(f"{base}:skill:{skill.framework_code}:{skill.code}:level", lang,
                                                 words["level"].format(level=skill.level, framework=skill.framework))}
        if skill.esco_uri and skill.esco_uri.startswith(ESCO_SKILL_PREFIX):
            outcome["relatedESCOSkill"] = _concept(skill.esco_uri, ESCO_SKILLS_SCHEME)
        outcomes.append(outcome)
    return outcomes


def _specification(record, lang: str, words: dict) -> dict:
    spec: dict = {"id": f"urn:epass:learningAchievementSpec:{record.id}", "type": "LearningAchievementSpecification",
                  "title": {lang: record.title}, "description": {lang: record.description},
                  "language": _language(lang), "learningSetting": _concept(*NON_FORMAL),
                  "homepage": {"id": f"urn:epass:webResource:achievement:{record.id}", "type": "WebResource",
                               "contentURL": record.achievement_id}}
    outcomes = _outcomes(record, lang, words)
    if outcomes:
        spec["learningOutcome"] = outcomes
    if record.eqf_level is not None:
        spec["eqfLevel"] = _concept(f"{_SNB}/eqf/{record.eqf_level}", EQF_SCHEME, f"Level {record.eqf_level}")
    if record.ects is not None:
        spec["creditPoint"] = {"id": f"urn:epass:creditPoint:{record.id}", "type": "CreditPoint",
                               "framework": _concept(*ECTS), "point": _number(record.ects)}
    if record.workload_hours is not None:
        spec["volumeOfLearning"] = volume_of_learning(record.workload_hours)
    mode = MODES.get((record.participation_form or "").strip().lower())
    if mode:
        spec["mode"] = _concept(f"{_SNB}/learning-assessment/{mode[0]}", MODE_SCHEME, mode[1])
    if record.quality_assurance:
        spec["additionalNote"] = _note(f"urn:epass:note:{record.id}:quality", lang,
                                       words["quality"].format(text=record.quality_assurance))
    return spec


def _assessment(record, lang: str, words: dict, awarding: dict) -> dict:
    title = record.assessment_type or words["assessment"]
    assessment: dict = {"id": f"urn:epass:learningAssessment:{record.id}", "type": "LearningAssessment",
                        "title": {lang: title}, "grade": _note(f"urn:epass:note:{record.id}:grade", lang,
                                                               record.grade or words["passed"]),
                        "awardedBy": awarding,
                        "specifiedBy": {"id": f"urn:epass:learningAssessmentSpec:{record.id}",
                                        "type": "LearningAssessmentSpecification", "title": {lang: title},
                                        "language": _language(lang)}}
    mode = MODES.get((record.participation_form or "").strip().lower())
    if mode:
        assessment["specifiedBy"]["mode"] = _concept(f"{_SNB}/learning-assessment/{mode[0]}", MODE_SCHEME, mode[1])
    return assessment


def _display(record, lang: str, unsealed: str) -> dict:
    """How EDC viewers show the credential: one page, whose image is the badge (PNG, base64)."""
    image = {"id": f"urn:epass:mediaObject:{record.id}", "type": "MediaObject",
             "content": base64.b64encode(record.badge_png).decode("ascii"),
             "contentEncoding": _concept(*BASE64),
             "contentType": _concept(f"{_AUTHORITY}/file-type/PNG", f"{_AUTHORITY}/file-type", "PNG",
                                     notation="file-type")}
    return {"id": f"urn:epass:displayParameter:{record.id}", "type": "DisplayParameter",
            "title": {lang: record.title}, "description": {lang: unsealed},
            "language": _language(lang), "primaryLanguage": _language(lang),
            "individualDisplay": {"id": f"urn:epass:individualDisplay:{record.id}", "type": "IndividualDisplay",
                                  "language": _language(lang),
                                  "displayDetail": {"id": f"urn:epass:displayDetail:{record.id}",
                                                    "type": "DisplayDetail", "image": image, "page": 1}}}


def build_elm(record) -> dict:
    """The unsealed ``EuropeanDigitalCredential`` (JSON-LD, contexts VC 1.1 + EDC application
    profile) of ``record``. Raises :class:`ElmNotAvailable` (409) when the issuer profile lacks a
    legal identifier or a European country, which ELM requires of every issuer. ``record.badge_png``
    must hold the badge image (it becomes the display image)."""
    missing = issuer_gaps(record.issuer.country_code, record.issuer.legal_identifier)
    if missing:
        slug = record.issuer.slug
        raise ElmNotAvailable(
            f"the issuer profile {slug!r} has no {' and no '.join(missing)}; ELM requires a legal identifier and "
            f"a European country of every issuer. An administrator sets them in the provider console (Settings, "
            f"issuer profile), with PUT /api/v1/issuers/{slug}/legal-identity {{\"country\", \"legalIdentifier\", "
            f"\"legalIdentifierScheme\"}}, or with: issuer provider legal-id {slug} <VAT, eIDAS or registry number> "
            f"--scheme vat|eidas|registration --country <ISO 3166-1 alpha-2>", missing=missing, issuer=slug)
    lang = record.language if record.language in LANGUAGES else "en"
    words = _NOTES.get(lang, _NOTES["en"])
    org = _organisation(record, lang)
    awarding = {"id": f"urn:epass:awardingProcess:{record.id}", "type": "AwardingProcess",
                "awardingBody": org, "awardingDate": iso_z(record.issued)}
    achievement: dict = {"id": f"urn:epass:learningAchievement:{record.id}", "type": "LearningAchievement",
                         "title": {lang: record.title}, "awardedBy": awarding,
                         "specifiedBy": _specification(record, lang, words),
                         "provenBy": _assessment(record, lang, words, awarding)}
    person = {"id": record.holder_did or f"urn:epass:person:{record.id}", "type": "Person",
              "fullName": {lang: record.holder}, "hasClaim": achievement}
    unsealed = words["unsealed"].format(ob=record.credential_id, url=record.page_url)
    document: dict = {
        "@context": list(ELM_CONTEXT),
        "id": elm_id(record),
        "type": ["VerifiableCredential", "EuropeanDigitalCredential"],
        "credentialProfiles": _concept(*CREDENTIAL_PROFILE_GENERIC),
        "credentialSchema": [
            {"id": EDC_SCHEMA, "type": "ShaclValidator2017"},
            {"id": f"{record.base_url}{UNSEALED_SHAPE_PATH}", "type": "ShaclValidator2017",
             "title": {lang: words["schema"].format(ob=record.credential_id)}}],
        "identifier": {"id": f"urn:epass:identifier:{record.id}", "type": "Identifier",
                       "schemeName": OB_IDENTIFIER_SCHEME, "notation": record.credential_id},
        "displayParameter": _display(record, lang, unsealed),
        "supplementaryDocument": {"id": f"urn:epass:webResource:ob:{record.id}", "type": "WebResource",
                                  "title": {lang: words["ob"]}, "contentURL": record.page_url},
        "credentialSubject": person,
        "issuer": org,
        "issued": iso_z(record.issued),
        "validFrom": iso_z(record.issued),
    }
    if record.valid_until is not None:
        document["validUntil"] = iso_z(record.valid_until)
    return document
