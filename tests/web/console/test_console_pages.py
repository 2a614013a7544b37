"""Console pages (issue #14 §1): dashboard, credentials (search, record, status changes, bulk
revocation), issuing one learner, catalogue and mapping, settings, accounts."""
from __future__ import annotations

import io
import json
import re

from issuer.store.models import ApiKey, ConsoleUser, Course, Credential, OAuthClient, SigningKey, StatusEvent


def _html(response) -> str:
    return response.get_data(as_text=True)


def test_dashboard_counts_per_course_and_month_with_a_chart(console, api):
    first = api.issue("HV-2S")
    api.issue("HV-2S")
    api.revoke(first["id"])
    page = console.get("/console/")
    html = _html(page)
    assert page.status_code == 200
    assert '<svg class="chart"' in html and 'role="img"' in html
    row = re.search(r'<a href="/console/courses/HV-2S">HV-2S</a>.*?</tr>', html, re.S).group(0)
    assert re.findall(r"<td>(\d+)</td>", row) == ["2", "0", "1", "0"]  # issued, claimed, revoked, suspended
    month = re.search(r'<th scope="row">(\d{4}-\d\d)</th><td>2</td><td>0</td><td>1</td><td>0</td>', html)
    assert month, "this month's row of the table"
    assert "revoked in a test" in html  # recent activity shows the reason
    one = _html(console.get("/console/?course=HV-3S"))
    assert "Credentials per month: HV-3S" in one


def test_credentials_are_found_with_the_listing_filters(console, api):
    a = api.issue("HV-2S", learner={"name": "Ada Lovelace", "email": "ada@example.org"})
    b = api.issue("HV-2S", learner={"name": "Bob Builder", "email": "bob@example.org"})
    api.revoke(b["id"])
    html = _html(console.get("/console/credentials?learnerEmail=ADA@example.org"))
    assert "Ada Lovelace" in html and "Bob Builder" not in html
    html = _html(console.get("/console/credentials?status=revoked"))
    assert "Bob Builder" in html and "Ada Lovelace" not in html
    html = _html(console.get("/console/credentials?claimed=true"))
    assert "No credentials match." in html  # nothing was claimed into a wallet
    assert "Ada Lovelace" in _html(console.get("/console/credentials?claimed=false"))
    html = _html(console.get("/console/credentials?issuedAfter=2999-01-01"))
    assert "No credentials match." in html
    bad = console.get("/console/credentials?issuedAfter=yesterday")
    assert bad.status_code == 400 and "must be a date" in _html(bad)
    assert a["id"] in _html(console.get("/console/credentials"))


def test_a_credential_shows_record_history_and_claim_state(console, api):
    issued = api.issue("HV-2S")
    html = _html(console.get(f"/console/credentials/{issued['id']}"))
    assert issued["id"] in html and 'data-claim="none"' in html
    assert "<strong>issue</strong>" in html and "AchievementCredential" in html


def test_revoke_with_a_reason_from_the_credential_page(console, api, service):
    issued = api.issue("HV-2S")
    response = console.post(f"/console/credentials/{issued['id']}/status", {"action": "revoke", "reason": "cheated"})
    assert response.status_code == 303
    html = _html(console.get(response.headers["Location"]))
    assert "The credential is revoked." in html and "cheated" in html
    assert api.client.get(f"/api/v1/credentials/{issued['id']}/status", headers=api.headers()).get_json()["status"] == "revoked"
    with service.session() as session:
        event = session.query(StatusEvent).filter_by(credential_id=issued["id"], action="revoke").one()
        assert event.actor == "console:admin@emob-academy.example"
    no_reason = console.post(f"/console/credentials/{api.issue('HV-2S')['id']}/status", {"action": "revoke"})
    assert no_reason.status_code == 422


def test_suspend_and_unsuspend_where_the_provider_allows_it(login_as, api):
    nordhaven = login_as("nordhaven-tu")
    issued = api.issue(_course_of(api, "nordhaven-tu"), provider="nordhaven-tu")
    suspend = nordhaven.post(f"/console/credentials/{issued['id']}/status", {"action": "suspend", "reason": "check"})
    if suspend.status_code == 409:  # this demo provider does not allow suspension
        assert "suspension is not enabled" in _html(suspend)
        return
    assert suspend.status_code == 303
    assert "suspended" in _html(nordhaven.get(f"/console/credentials/{issued['id']}"))
    assert nordhaven.post(f"/console/credentials/{issued['id']}/status", {"action": "unsuspend"}).status_code == 303


def _course_of(api, provider: str) -> str:
    courses = api.client.get("/api/v1/courses", headers=api.headers(provider)).get_json()["courses"]
    return next(c["code"] for c in courses if c["skills"])


def test_bulk_revoke_from_a_selection(console, api):
    ids = [api.issue("HV-2S")["id"] for _ in range(3)]
    response = console.post("/console/credentials/revoke", {"ids": ids[:2], "reason": "course cancelled"})
    assert response.status_code == 303
    html = _html(console.get("/console/credentials"))
    assert "Revoked 2 of 2 selected credentials." in html
    statuses = {i: api.client.get(f"/api/v1/credentials/{i}/status", headers=api.headers()).get_json()["status"]
                for i in ids}
    assert statuses == {ids[0]: "revoked", ids[1]: "revoked", ids[2]: "active"}
    assert console.post("/console/credentials/revoke", {"ids": ids[2:], "reason": ""}).status_code == 422


def test_issue_one_learner_by_form(console, service):
    page = console.get("/console/issue")
    assert 'name="course"' in _html(page)
    response = console.post("/console/issue", {"course": "HV-2S", "name": "Clara Form", "email": "clara@example.org",
                                               "completed": "2026-05-04"})
    assert response.status_code == 303
    html = _html(console.get(response.headers["Location"]))
    assert "Issued to Clara Form." in html
    with service.session() as session:
        row = session.query(Credential).filter_by(learner_name="Clara Form").one()
        assert json.loads(row.document)["credentialSubject"]["achievement"]["name"].startswith("High-Voltage")
    bad = console.post("/console/issue", {"course": "HV-2S", "name": "  ", "email": "not-an-address"})
    assert bad.status_code == 422 and "/learner" in _html(bad)


def test_create_a_course_map_skills_and_see_job_roles(console, api, service):
    form = console.get("/console/courses/new")
    skill = re.search(r'<option value="([^"/]+/[^"]+)"', _html(form)).group(1)
    response = console.post("/console/courses/new", {
        "code": "BATT-1", "title": "Battery basics", "description": "Cells, modules and packs.",
        "criteria": "Pass the test.", "learningOutcomes": "Explains cell chemistry\nHandles modules safely",
        "hours": "16", "ects": "", "eqfLevel": "4", "assessmentType": "Written test",
        "participationForm": "blended", "qualityAssurance": "ISO 21001", "language": "de",
        "validityDays": "730", "skill": skill, "level": "2"})
    assert response.status_code == 303, _html(response)[:2000]
    page = _html(console.get("/console/courses/BATT-1"))
    assert "Battery basics" in page and "Handles modules safely" in page and "730 days" in page
    assert 'data-test="roles"' in page  # the job roles the course contributes to
    picker = re.findall(r'data-pick="([^"]+)"', page)
    other = next(p for p in picker if p != skill)
    framework, code = other.split("/")
    added = console.post("/console/courses/BATT-1/skills", {"action": "add", "framework": framework, "skill": code,
                                                            "level": "3"})
    assert added.status_code == 303
    courses = api.client.get("/api/v1/courses/BATT-1", headers=api.headers()).get_json()
    assert {(s["framework"], s["code"], s["level"]) for s in courses["skills"]} >= {(framework, code, 3)}
    # the picker searches by skill or job role, grouped by role
    name = courses["skills"][0]["name"]
    found = _html(console.get(f"/console/courses/BATT-1?q={name[:6]}"))
    assert name in found
    assert console.post("/console/courses/BATT-1/skills", {"action": "remove", "framework": framework,
                                                          "skill": code}).status_code == 303
    last = console.post("/console/courses/BATT-1/skills", {"action": "remove", "framework": skill.split("/")[0],
                                                          "skill": skill.split("/")[1]})
    assert last.status_code == 422  # a course keeps one skill


def test_edit_a_course_keeps_its_skills(console, api):
    before = api.client.get("/api/v1/courses/HV-2S", headers=api.headers()).get_json()
    page = _html(console.get("/console/courses/HV-2S/edit"))
    assert "High-Voltage Qualification" in page
    values = {name: value for name, value in re.findall(r'<input id="\w+" name="(\w+)"[^>]*value="([^"]*)"', page)}
    values.update(title="HV 2S (renamed)", description=before["description"], criteria=before["criteria"],
                  learningOutcomes="\n".join(before["learningOutcomes"]), qualityAssurance=before["qualityAssurance"],
                  participationForm=before["participationForm"], eqfLevel=str(before["eqfLevel"]))
    assert console.post("/console/courses/HV-2S/edit", values).status_code == 303
    after = api.client.get("/api/v1/courses/HV-2S", headers=api.headers()).get_json()
    assert after["title"] == "HV 2S (renamed)" and after["skills"] == before["skills"]


def test_import_a_catalogue_file(console, api):
    course = api.client.get("/api/v1/courses/HV-2S", headers=api.headers()).get_json()
    entry = {k: course[k] for k in ("title", "description", "criteria", "learningOutcomes", "eqfLevel",
                                    "assessmentType", "participationForm", "qualityAssurance")}
    entry.update(code="IMP-1", workload={"hours": 8},
                 skills=[{"framework": s["framework"], "skill": s["code"], "level": s["level"]} for s in course["skills"]])
    data = {"catalogue": (io.BytesIO(json.dumps({"courses": [entry]}).encode()), "catalogue.json")}
    response = console.post("/console/courses/import", data, content_type="multipart/form-data")
    assert response.status_code == 303
    assert "Imported: 1 new, 0 changed, 0 unchanged." in _html(console.get("/console/courses"))
    bad = console.post("/console/courses/import", {"catalogue": (io.BytesIO(b'{"courses": [{}]}'), "c.json")},
                       content_type="multipart/form-data")
    assert bad.status_code == 422 and "/courses/0" in _html(bad)


def test_upload_a_badge_image(console, client):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle cx="5" cy="5" r="4"/></svg>'
    response = console.post("/console/courses/HV-2S/image", {"image": (io.BytesIO(svg), "badge.svg")},
                            content_type="multipart/form-data")
    assert response.status_code == 303
    assert client.get("/achievements/emob-academy/hv-2s/image").mimetype == "image/svg+xml"
    bad = console.post("/console/courses/HV-2S/image", {"image": (io.BytesIO(b"not a png"), "badge.png")},
                       content_type="multipart/form-data")
    assert bad.status_code == 422


def test_a_retired_course_stays_but_cannot_be_issued(console, api):
    issued = api.issue("HV-2S")
    assert console.post("/console/courses/HV-2S/retire", {"retire": "1"}).status_code == 303
    refused = api.issue("HV-2S", expect=422)
    assert "retired" in refused["detail"]
    assert api.client.get(f"/credentials/{issued['id']}.json").status_code == 200
    assert 'value="HV-2S"' not in _html(console.get("/console/issue"))
    assert console.post("/console/courses/HV-2S/retire", {"retire": "0"}).status_code == 303
    api.issue("HV-2S")


def test_settings_profile_keys_clients_and_rotation(console, service, api):
    page = _html(console.get("/console/settings"))
    slug = re.search(r'action="/console/settings/issuers/([a-z0-9-]+)"', page).group(1)
    saved = console.post(f"/console/settings/issuers/{slug}", {
        "name": "E-Mobility Academy", "description": "Training since 2019", "url": "https://emob.example",
        "email": "info@emob.example", "country": "de", "legalIdentifier": "DE123456789",
        "legalIdentifierScheme": "vat"})
    assert saved.status_code == 303
    profile = api.client.get("/api/v1/issuers", headers=api.headers()).get_json()["issuers"][0]["profile"]
    assert profile["description"] == "Training since 2019" and profile["address"]["addressCountryCode"] == "DE"
    with service.session() as session:
        from issuer.store.models import IssuerProfile
        row = session.query(IssuerProfile).filter_by(slug=slug).one()
        assert (row.legal_identifier, row.legal_identifier_scheme) == ("DE123456789", "vat")
    # an API key: the secret is shown once, and works
    made = console.post("/console/settings/api-keys", {"label": "LMS", "scope": ["credentials:read"]})
    assert made.status_code == 201
    secret = re.search(r"data-secret>([^<]+)<", _html(made)).group(1)
    auth = {"Authorization": f"Bearer {secret}"}
    assert api.client.get("/api/v1/credentials", headers=auth).status_code == 200
    assert api.client.post("/api/v1/credentials", headers=auth, json={}).status_code == 403
    assert secret not in _html(console.get("/console/settings"))
    prefix = secret.split("_")[1]
    assert console.post(f"/console/settings/api-keys/{prefix}/revoke").status_code == 303
    assert api.client.get("/api/v1/credentials", headers=auth).status_code == 401
    # an OAuth client
    client = console.post("/console/settings/oauth-clients", {"name": "HR system", "scope": ["credentials:read"]})
    assert client.status_code == 201
    client_id = re.search(r"data-client-id>([^<]+)<", _html(client)).group(1)
    client_secret = re.search(r"data-secret>([^<]+)<", _html(client)).group(1)
    token = api.client.post("/oauth/token", data={"grant_type": "client_credentials"},
                            auth=(client_id, client_secret))
    assert token.status_code == 200
    assert console.post(f"/console/settings/oauth-clients/{client_id}/revoke").status_code == 303
    with service.session() as session:
        assert session.query(OAuthClient).filter_by(client_id=client_id).one().revoked_at is not None
    # key rotation: new keys sign, the old ones stay published
    with service.session() as session:
        before = {k.fragment for k in session.query(SigningKey).all() if k.issuer.slug == slug and k.active}
    assert console.post(f"/console/settings/issuers/{slug}/rotate").status_code == 303
    with service.session() as session:
        keys = [k for k in session.query(SigningKey).all() if k.issuer.slug == slug]
        assert before & {k.fragment for k in keys if not k.active} == before
        assert len([k for k in keys if k.active]) == 2


def test_admin_creates_accounts_and_changes_roles(console, app, service):
    made = console.post("/console/users", {"email": "new@emob.example", "name": "New", "role": "viewer"})
    assert made.status_code == 201
    password = re.search(r"data-password>([^<]+)<", _html(made)).group(1)
    from .conftest import Console
    other = Console(app.test_client())
    assert other.login("new@emob.example", password).status_code == 303
    assert other.get("/console/issue").status_code == 403
    with service.session() as session:
        user_id = session.query(ConsoleUser).filter_by(email="new@emob.example").one().id
    assert console.post(f"/console/users/{user_id}", {"action": "role", "role": "issuer"}).status_code == 303
    assert other.get("/console/issue").status_code == 303  # the role changed: log in again
    assert other.login("new@emob.example", password).status_code == 303
    assert other.get("/console/issue").status_code == 200
    assert console.post(f"/console/users/{user_id}", {"action": "disable"}).status_code == 303
    assert other.get("/console/").status_code == 303
    assert "wrong" in _html(other.login("new@emob.example", password))


def test_retire_a_compromised_key_so_its_credentials_fail_with_the_reason(console, api, service):
    issued = api.issue("HV-2S")
    assert api.verify(issued["credential"])["verified"] is True
    page = console.get("/console/settings").get_data(as_text=True)
    fragment = re.search(r'/keys/(key-ed25519-\d+)/compromise"', page).group(1)
    response = console.post(f"/console/settings/issuers/emob-academy/keys/{fragment}/compromise",
                            {"note": "laptop stolen"})
    assert response.status_code == 303
    page = console.get("/console/settings").get_data(as_text=True)
    assert "retired as compromised" in page and "laptop stolen" in page
    report = api.verify(issued["credential"])
    assert report["verified"] is False
    assert "compromised" in json.dumps(report)
    assert api.verify(api.issue("HV-2S")["credential"])["verified"] is True  # new keys sign


def test_issuer_logo_is_uploaded_and_shown_in_new_credentials(console, api, client):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10"/></svg>'
    assert client.get("/issuers/emob-academy/logo").status_code == 404
    response = console.post("/console/settings/issuers/emob-academy/logo", {"logo": (io.BytesIO(svg), "logo.svg")},
                            content_type="multipart/form-data")
    assert response.status_code == 303
    logo = client.get("/issuers/emob-academy/logo")
    assert logo.status_code == 200 and logo.mimetype == "image/svg+xml"
    issued = api.issue("HV-2S")
    assert issued["credential"]["issuer"]["image"] == {"id": "http://localhost:5000/issuers/emob-academy/logo",
                                                       "type": "Image"}
    assert api.verify(issued["credential"])["verified"] is True
    bad = console.post("/console/settings/issuers/emob-academy/logo", {"logo": (io.BytesIO(b"<script/>"), "x.svg")},
                       content_type="multipart/form-data")
    assert bad.status_code == 422


def test_settings_say_whether_the_europass_export_works(console, api):
    """Issue #15: the legal identifier and country set in the console decide the ELM export, and
    the settings page says so (in the console's language)."""
    issued = api.issue("HV-2S")
    page = _html(console.get("/console/settings"))
    assert 'data-elm-export="available"' in page and 'data-elm-export="missing"' not in page
    profile = {"name": "Academy of Electromobility", "url": "https://emob.example", "country": "AT",
               "legalIdentifier": "", "legalIdentifierScheme": ""}
    assert console.post("/console/settings/issuers/emob-academy", profile).status_code == 303
    german = _html(console.get("/console/settings?lang=de"))
    assert 'data-elm-export="missing"' in german and "Europass-Export (ELM): nicht verfügbar" in german
    refused = api.client.get(f"/credentials/{issued['id']}.elm.json")
    assert refused.status_code == 409 and refused.get_json()["missing"] == ["legal identifier"]
    profile.update(legalIdentifier="FN 512345 k", legalIdentifierScheme="registration")
    assert console.post("/console/settings/issuers/emob-academy", profile).status_code == 303
    assert 'data-elm-export="available"' in _html(console.get("/console/settings"))
    document = api.client.get(f"/credentials/{issued['id']}.elm.json").get_json()
    assert document["issuer"]["registration"]["notation"] == "FN 512345 k"
