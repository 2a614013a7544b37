"""The catalogue pages (home, issuers, achievements, frameworks, roles, skills): HTML for people,
JSON by content negotiation; and the translation files."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from issuer.web import i18n
from tests.web.helpers import GERMAN, get_page

JSON = {"Accept": "application/json"}
TEMPLATES = Path(i18n.__file__).parent / "templates"


def test_home_lists_providers_courses_matrix_and_verify(client, demo):
    page = get_page(client, "/")
    links = page.links()
    assert links["/issuers/emob-academy"] == "Academy of Electromobility"
    assert links["/achievements/emob-academy/hv-2s"] == "High-Voltage Qualification for EV Service Work (Level 2S)"
    assert "/achievements/bbz-alpenvorland/adas-cal" in links
    assert links["/frameworks/DRIVES-ACM"] == "Explore the competence matrix"
    assert "/verify" in links
    assert page.first("a", class_="skip-link")["href"] == "#main" and page.first("main", id="main")


def test_issuer_page(client, demo):
    page = get_page(client, "/issuers/emob-academy")
    assert "Academy of Electromobility" in page.text and "did:web:localhost%3A5000:issuers:emob-academy" in page.text
    links = page.links()
    assert "/achievements/emob-academy/hv-2s" in links and "/issuers/emob-academy/did.json" in links
    profile = client.get("/issuers/emob-academy", headers=JSON)
    assert profile.mimetype == "application/ld+json" and profile.get_json()["name"] == "Academy of Electromobility"


def test_achievement_page(client, demo):
    page = get_page(client, "/achievements/emob-academy/hv-2s")
    text = page.text
    assert "Attend all sessions" in text and "EQF level 4" in text and "24 hours" in text
    assert page.links()["/issuers/emob-academy"] == "Academy of Electromobility"
    assert page.first("img", src="/achievements/emob-academy/hv-2s/image")["alt"].startswith("Badge:")
    achievement = client.get("/achievements/emob-academy/hv-2s", headers=JSON).get_json()
    assert achievement["id"] == "http://localhost:5000/achievements/emob-academy/hv-2s"


def test_skill_page(client, demo):
    page = get_page(client, "/skills/DRIVES-ACM/HVS-AWARE")
    assert "High-voltage safety awareness" in page.text and "Job roles that require this skill" in page.text
    links = page.links()
    assert "/roles/DRIVES-ACM/EV-CHG-TECH" in links and "/achievements/emob-academy/hv-2s" in links
    assert client.get("/skills/DRIVES-ACM/HVS-AWARE", headers=JSON).get_json()["code"] == "HVS-AWARE"


def test_role_page(client, demo):
    page = get_page(client, "/roles/DRIVES-ACM/EV-CHG-TECH")
    assert "EV Charging Infrastructure Technician" in page.text and "Required level" in page.text
    assert "/skills/DRIVES-ACM/HVS-AWARE" in page.links()
    assert page.first("th", scope="col")
    role = client.get("/roles/DRIVES-ACM/EV-CHG-TECH", headers=JSON).get_json()
    assert {s["code"] for s in role["skills"]} >= {"HVS-AWARE"}


def test_framework_page(client, demo):
    page = get_page(client, "/frameworks/DRIVES-ACM")
    links = page.links()
    assert "/roles/DRIVES-ACM/EV-CHG-TECH" in links and "/skills/DRIVES-ACM/HVS-AWARE" in links
    framework = client.get("/frameworks/DRIVES-ACM", headers=JSON).get_json()
    assert framework["code"] == "DRIVES-ACM" and len(framework["roles"]) == 9 and len(framework["skills"]) == 36


@pytest.mark.parametrize("path", ["/", "/verify", "/issuers/emob-academy", "/achievements/emob-academy/hv-2s",
                                  "/skills/DRIVES-ACM/HVS-AWARE", "/roles/DRIVES-ACM/EV-CHG-TECH",
                                  "/frameworks/DRIVES-ACM"])
def test_every_page_is_in_german(client, demo, path):
    page = get_page(client, path, headers=GERMAN)
    assert page.first("html")["lang"] == "de" and "Zum Inhalt springen" in page.text


def test_translations_have_the_same_keys():
    english, german = i18n.translations("en"), i18n.translations("de")
    assert set(english) == set(german)
    for key, value in english.items():
        if isinstance(value, str):  # the same placeholders, e.g. {holder}
            assert set(re.findall(r"{(\w+)}", value)) == set(re.findall(r"{(\w+)}", german[key])), key


def test_every_literal_key_in_the_templates_is_translated():
    keys = set(i18n.translations("en"))
    used = set()
    for template in TEMPLATES.glob("*.html"):
        used |= set(re.findall(r"\bt\('([\w.\-]+)'\s*[,)]", template.read_text(encoding="utf-8")))
    assert used and used <= keys, used - keys
    for prefix in ("check.", "verdict."):
        assert any(k.startswith(prefix) for k in keys)
    from issuer.verify.report import CHECK_ORDER
    for check in CHECK_ORDER:
        for suffix in ("title", "passed", "failed", "skipped"):
            assert f"check.{check}.{suffix}" in keys
    dynamic = [f"status.{s}" for s in ("active", "suspended", "revoked", "expired")] + \
        [f"level.{n}" for n in range(1, 6)] + [f"check_status.{s}" for s in ("passed", "failed", "skipped")] + \
        [f"download.{d}{h}" for d in ("json", "jwt", "png", "svg") for h in ("", ".hint")] + \
        [f"credential.banner.{s}.{p}" for s in ("suspended", "revoked", "expired") for p in ("title", "text")]
    assert set(dynamic) <= keys, set(dynamic) - keys
    for verdict in ("verified", "revoked", "suspended", "expired", "not_yet_valid", "unreadable", "not_verified"):
        assert f"verdict.{verdict}.title" in keys and f"verdict.{verdict}.text" in keys


def test_translation_files_are_valid_json():
    for lang in i18n.LANGUAGES:
        path = Path(i18n.__file__).parent / "translations" / f"{lang}.json"
        assert json.loads(path.read_text(encoding="utf-8"))["language_name"]
