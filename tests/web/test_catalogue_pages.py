"""The catalogue pages (home, issuers, achievements, frameworks, roles, skills): HTML for people,
JSON by content negotiation."""
from __future__ import annotations

import pytest

from tests.web.helpers import GERMAN, get_page

JSON = {"Accept": "application/json"}


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
