"""Issue #5 §1 and §4: the learner's credential page, the coverage view, languages, 404 pages."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from issuer.web.i18n import LANGUAGES
from issuer.web.render import CSP
from tests.web.helpers import GERMAN, HTML, LEARNER, get_page

BASE = "http://localhost:5000"
NAME = "High-Voltage Qualification for EV Service Work (Level 2S)"


@pytest.fixture
def credential_id(client, auth, api):
    return api.issue(result={"grade": "A"},
                     evidence=[{"url": "https://lms.example/submissions/1", "narrative": "Practical exam"}])["id"]


def test_learner_page_shows_the_credential(client, credential_id):
    page = get_page(client, f"/credentials/{credential_id}")
    text = page.text
    assert NAME in text
    assert "Awarded to Alex Muster" in text
    assert "Three-day course qualifying workshop technicians" in text                  # description
    assert "score at least 70% in the written test" in text                           # criteria
    assert "Issued by Academy of Electromobility" in text
    assert "Status Active" in text and "No expiry date" in text
    for fact in ("Workload 24 hours", "EQF level EQF level 4", "Form of participation On site",
                 "Type of assessment Written multiple-choice test", "Quality assurance Delivered under the Academy",
                 "Learning outcomes Explains the hazards of HV systems"):
        assert fact in text, fact
    assert "High-voltage safety awareness" in text and "Level 3 of 5 · Independent" in text
    assert "Result A (completed)" in text and "Practical exam" in text


def test_learner_page_never_shows_the_email(client, credential_id):
    body = client.get(f"/credentials/{credential_id}", headers=HTML).get_data(as_text=True).lower()
    assert LEARNER["email"].lower() not in body
    assert "identityhash" not in body and "sha256$" not in body


def test_learner_page_links(client, credential_id):
    page = get_page(client, f"/credentials/{credential_id}")
    links = page.links()
    cid = credential_id
    assert links["/issuers/emob-academy"] == "Academy of Electromobility"
    assert links[f"{BASE}/skills/DRIVES-ACM/HVS-AWARE"] == "High-voltage safety awareness"
    assert links[f"{BASE}/skills/DRIVES-ACM/HVS-DEENERG"] == "HV de-energisation and securing"
    assert links[f"/credentials/{cid}/verify"] == "Verify this credential"
    assert links[f"/credentials/{cid}/coverage"] == "Job-role coverage"
    downloads = {a["data-download"]: a["href"] for a in page.find("a") if "data-download" in a}
    assert downloads == {"json": f"/credentials/{cid}.json", "jwt": f"/credentials/{cid}.jwt",
                         "png": f"/credentials/{cid}.png?download=1", "svg": f"/credentials/{cid}.svg?download=1",
                         "pdf": f"/credentials/{cid}.pdf", "elm": f"/credentials/{cid}.elm.json"}
    qr = page.first("img", src=f"/credentials/{cid}/qr.svg")
    assert "verification page" in qr["alt"]
    assert f"/credentials/{cid}/qr.png" in links
    badge = page.first("img", class_="hero__badge")
    assert badge["src"] == "/achievements/emob-academy/hv-2s/image" and badge["alt"] == f"Badge: {NAME}"
    share = page.first("input", id="share-url")
    assert share["value"] == f"{BASE}/credentials/{cid}" and page.first("label", for_="share-url")


def test_download_links_have_the_right_media_types(client, credential_id):
    page = get_page(client, f"/credentials/{credential_id}")
    expected = {"json": "application/json", "jwt": "application/vc+jwt", "png": "image/png", "svg": "image/svg+xml",
                "pdf": "application/pdf", "elm": "application/ld+json"}
    for link in (a for a in page.find("a") if "data-download" in a):
        response = client.get(link["href"])
        assert response.status_code == 200
        assert response.mimetype == expected[link["data-download"]] == link["type"]
    assert client.get(f"/credentials/{credential_id}.png?download=1").headers["Content-Disposition"].startswith("attachment")


def test_linkedin_links_are_prefilled(client, auth, service, api):
    cid = api.issue("HV-REFRESH")["id"]
    page = get_page(client, f"/credentials/{cid}")
    add = next(a["href"] for a in page.find("a") if a.get("data-share") == "linkedin-add")
    parts = urlsplit(add)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://www.linkedin.com/profile/add"
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    now = service.clock()
    assert query["startTask"] == "CERTIFICATION_NAME"
    assert query["name"] == "HV Safety Refresher for EV Technicians"
    assert query["organizationName"] == "Academy of Electromobility"
    assert (query["issueYear"], query["issueMonth"]) == (str(now.year), str(now.month))
    assert int(query["expirationYear"]) > now.year and 1 <= int(query["expirationMonth"]) <= 12
    assert query["certUrl"] == f"{BASE}/credentials/{cid}" and query["certId"] == cid
    share = next(a["href"] for a in page.find("a") if a.get("data-share") == "linkedin-share")
    assert share.startswith("https://www.linkedin.com/sharing/share-offsite/?")
    assert parse_qs(urlsplit(share).query) == {"url": [f"{BASE}/credentials/{cid}"]}


def test_no_expiry_means_no_expiration_in_linkedin_link(client, credential_id):
    page = get_page(client, f"/credentials/{credential_id}")
    add = next(a["href"] for a in page.find("a") if a.get("data-share") == "linkedin-add")
    assert "expirationYear" not in add and "issueYear" in add


def test_open_graph_and_twitter_tags(client, credential_id):
    meta = get_page(client, f"/credentials/{credential_id}").meta()
    assert meta["og:title"] == NAME and meta["twitter:title"] == NAME
    assert meta["og:description"] == "Alex Muster earned this micro-credential from Academy of Electromobility."
    assert meta["og:url"] == f"{BASE}/credentials/{credential_id}"
    assert meta["og:image"] == meta["twitter:image"] == f"{BASE}/achievements/emob-academy/hv-2s/image?format=png"
    assert meta["twitter:card"] == "summary"
    image = client.get(meta["og:image"].removeprefix(BASE))
    assert image.status_code == 200 and image.mimetype == "image/png"


def test_security_headers(client, credential_id):
    for path in (f"/credentials/{credential_id}", "/credentials/nope", "/verify"):
        response = client.get(path, headers=HTML)
        assert response.headers["Content-Security-Policy"] == CSP
        assert "default-src 'self'" in CSP and "script-src 'self'" in CSP
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_page_works_without_inline_script_or_style(client, credential_id):
    body = client.get(f"/credentials/{credential_id}", headers=HTML).get_data(as_text=True)
    assert "<script>" not in body and " style=" not in body and "<style" not in body
    assert '<script src="/static/app.js" defer></script>' in body
    for asset in ("/static/style.css", "/static/app.js", "/static/favicon.svg"):
        with client.get(asset) as response:
            assert response.status_code == 200


def test_german_by_accept_language(client, credential_id):
    response = client.get(f"/credentials/{credential_id}", headers=GERMAN)
    assert "Accept-Language" in response.headers["Vary"]
    page = get_page(client, f"/credentials/{credential_id}", headers=GERMAN)
    assert page.first("html")["lang"] == "de"
    text = page.text
    assert "Verliehen an Alex Muster" in text and "Ausgestellt von Academy of Electromobility" in text
    assert "Arbeitsaufwand 24 Stunden" in text and "EQR-Niveau 4" in text and "Präsenz" in text
    assert "Stufe 3 von 5 · Selbstständig" in text
    assert NAME in text  # the credential's own content is not translated


def test_language_switch_is_remembered(client, credential_id):
    page = get_page(client, f"/credentials/{credential_id}")
    assert page.first("html")["lang"] == "en"
    switch = {a["data-lang"]: a["href"] for a in page.find("a") if "data-lang" in a}
    assert switch == {code: f"/credentials/{credential_id}?lang={code}" for code in LANGUAGES}
    response = client.get(switch["de"], headers=HTML)
    assert "lang=de" in response.headers["Set-Cookie"]
    assert get_page(client, f"/credentials/{credential_id}/verify").first("html")["lang"] == "de"
    assert "Verifiziert" in get_page(client, f"/credentials/{credential_id}/verify").text
    client.get("/verify?lang=en", headers=GERMAN)
    assert get_page(client, "/verify", headers=GERMAN).first("html")["lang"] == "en"


BAD_PATHS = ["/credentials/{bad}", "/credentials/{bad}/verify", "/credentials/{bad}/coverage", "/issuers/{bad}",
             "/achievements/{bad}", "/skills/DRIVES-ACM/{bad}", "/roles/DRIVES-ACM/{bad}", "/frameworks/{bad}",
             "/skills/{bad}/HVS-AWARE", "/no/such/{bad}"]


@pytest.mark.parametrize("path", BAD_PATHS)
def test_bad_ids_get_a_friendly_404(client, demo, path):
    page = get_page(client, path.format(bad="0000-no-such-id"), status=404)
    assert "Page not found" in page.text and page.links()["/verify"] == "Verify a credential"
    german = get_page(client, path.format(bad="0000-no-such-id"), headers=GERMAN, status=404)
    assert german.first("html")["lang"] == "de" and "Seite nicht gefunden" in german.text


def test_verify_page_404_is_html_even_for_clients_without_accept(client, demo):
    response = client.get("/credentials/nope/verify")
    assert response.status_code == 404 and response.mimetype == "text/html"


def test_machines_still_get_problem_json_for_bad_ids(client, demo):
    for path in ("/credentials/nope", "/issuers/nope", "/credentials/nope/coverage"):
        response = client.get(path, headers={"Accept": "application/json"})
        assert response.status_code == 404 and response.mimetype == "application/problem+json"


def test_coverage_page(client, credential_id):
    page = get_page(client, f"/credentials/{credential_id}/coverage")
    text = page.text
    assert "Job-role coverage" in text and "Alex Muster" in text
    role_links = {href: label for href, label in page.links().items() if href.startswith(f"{BASE}/roles/")}
    assert role_links[f"{BASE}/roles/DRIVES-ACM/EV-CHG-TECH"] == "EV Charging Infrastructure Technician"
    bars = page.find("progress")
    assert bars and all(b["max"] == "100" and b["aria-label"].startswith("Coverage of the role") for b in bars)
    coverage = client.get(f"/credentials/{credential_id}/coverage", headers={"Accept": "application/json"}).get_json()
    assert [b["value"] for b in bars] == [str(r["percentage"]) for r in coverage["roles"]]
    ev = next(r for r in coverage["roles"] if r["code"] == "EV-CHG-TECH")
    assert f"{ev['percentage']}%" in text and f"{ev['counts']['covered']} of {ev['counts']['required']} skills covered" in text
    for skill in ev["covered"] + ev["missing"]:
        assert skill["url"] in page.links()
    assert "Covered" in text and "Missing" in text and "Below required level" in text


def test_coverage_page_in_german(client, credential_id):
    text = get_page(client, f"/credentials/{credential_id}/coverage", headers=GERMAN).text
    assert "Abdeckung der Berufsrollen" in text and "Fehlt noch" in text and "16,7 %" in text


def test_revoked_and_suspended_are_prominent(client, auth, credential_id, api):
    revoke = client.post(f"/api/v1/credentials/{credential_id}/revoke", json={"reason": "issued in error"}, headers=auth)
    assert revoke.status_code == 200
    page = get_page(client, f"/credentials/{credential_id}")
    assert page.first("div", role="alert")["class"] == "banner banner--revoked"
    assert "This credential has been revoked." in page.text and "Status Revoked" in page.text
    coverage = get_page(client, f"/credentials/{credential_id}/coverage")
    assert "This credential is not active" in coverage.text

    other = api.issue()["id"]
    assert client.post(f"/api/v1/credentials/{other}/suspend", json={"reason": "check"}, headers=auth).status_code == 200
    page = get_page(client, f"/credentials/{other}", headers=GERMAN)
    assert page.first("div", role="alert")["class"] == "banner banner--suspended"
    assert "Dieser Nachweis ist ausgesetzt." in page.text


def test_expired_credential(client, auth, service, api):
    from datetime import timedelta
    cid = api.issue("HV-REFRESH")["id"]
    later = service.clock() + timedelta(days=5 * 365)
    service.clock = lambda: later
    page = get_page(client, f"/credentials/{cid}")
    assert page.first("div", role="alert")["class"] == "banner banner--expired"
    assert "This credential has expired." in page.text
    report = get_page(client, f"/credentials/{cid}/verify")
    assert next(a["data-verdict"] for _, a in report.tags if "data-verdict" in a) == "expired"
    assert "Expired The credential is authentic, but its validity period has ended." in report.text
