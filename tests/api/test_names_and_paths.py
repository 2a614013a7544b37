"""Issue #9 §5: names in any script get a non-empty transliterated slug and work end to end;
public course paths separate the provider from the course; old course paths keep resolving."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from issuer.cli import main
from issuer.errors import ValidationFailed
from issuer.demo.setup import create_provider_with_issuers
from issuer.store.models import Course
from issuer.store.tenants import check_slug, slug_for

CATALOGUE = {"courses": [{
    "code": "HV-9", "title": "Ηλεκτρικά οχήματα", "description": "Υψηλή τάση.", "criteria": "Εξέταση.",
    "learningOutcomes": ["Ασφάλεια"], "workload": {"hours": 8}, "eqfLevel": 4, "assessmentType": "Practical",
    "participationForm": "onsite", "qualityAssurance": "ISO 29990",
    "skills": [{"framework": "DRIVES-ACM", "skill": "HVS-AWARE", "level": 1}]}]}


@pytest.mark.parametrize("name, slug", [("Ελληνική Ακαδημία", "ellenike-akademia"),
                                        ("Škoda Auto Vzdělávání", "skoda-auto-vzdelavani"),
                                        ("Академия электромобильности", "akademiia-elektromobilnosti"),
                                        ("Werkstatt  Akademie — Nord!", "werkstatt-akademie-nord")])
def test_slugs_are_transliterated(name, slug):
    assert slug_for(name) == slug


@pytest.mark.parametrize("name", ["", "   ", "!!!", "\u200f\u202e"])
def test_a_slug_is_never_empty(name):
    slug = slug_for(name)
    assert slug.startswith("provider-") and check_slug(slug) == slug


@pytest.mark.parametrize("bad", ["", "Upper", "a/b", "ελληνικά", "a--b", "-a", "a" * 65])
def test_bad_explicit_slugs_are_refused(bad):
    with pytest.raises(ValidationFailed):
        check_slug(bad)


def test_greek_provider_works_end_to_end(tmp_path, database_url, monkeypatch):
    monkeypatch.setenv("ISSUER_INSTANCE_PATH", str(tmp_path / "inst"))
    monkeypatch.setenv("ISSUER_DATABASE_URL", database_url)
    monkeypatch.setenv("ISSUER_BASE_URL", "http://localhost:5000")
    runner = CliRunner()
    assert runner.invoke(main, ["init"]).exit_code == 0
    created = runner.invoke(main, ["provider", "create", "Ελληνική Ακαδημία", "--country", "GR"])
    assert created.exit_code == 0, created.output
    assert "Created provider 'ellenike-akademia'" in created.output
    key = created.output.split("store it safely): ")[1].split()[0]
    catalogue = tmp_path / "catalogue.json"
    catalogue.write_text(json.dumps(CATALOGUE, ensure_ascii=False), encoding="utf-8")
    imported = runner.invoke(main, ["courses", "import", str(catalogue), "--provider", "ellenike-akademia"])
    assert imported.exit_code == 0, imported.output

    from issuer import create_app
    app = create_app()
    client = app.test_client()
    try:
        issued = client.post("/api/v1/credentials", headers={"Authorization": f"Bearer {key}"},
                             json={"course": "HV-9", "learner": {"name": "Νίκος Παπαδόπουλος",
                                                                 "email": "nikos@example.gr"}})
        assert issued.status_code == 201, issued.get_json()
        vc = issued.get_json()["credential"]
        assert vc["issuer"]["id"] == "did:web:localhost%3A5000:issuers:ellenike-akademia"
        assert vc["issuer"]["name"] == "Ελληνική Ακαδημία"
        assert vc["credentialSubject"]["achievement"]["id"] == \
            "http://localhost:5000/achievements/ellenike-akademia/hv-9"
        home = client.get("/", headers={"Accept": "text/html"}).get_data(as_text=True)
        assert 'href="/issuers/ellenike-akademia"' in home and 'href="/issuers/"' not in home
        assert 'href="/achievements/ellenike-akademia/hv-9"' in home
        assert client.get("/issuers/ellenike-akademia", headers={"Accept": "text/html"}).status_code == 200
        assert client.get("/achievements/ellenike-akademia/hv-9", headers={"Accept": "text/html"}).status_code == 200
        report = client.post("/api/v1/verify", json=vc).get_json()
        assert report["verified"] is True and report["issuerTrust"]["level"] == "hosted"
    finally:
        app.extensions["issuer"].engine.dispose()


def _course_doc(code: str) -> dict:
    return {"courses": [{**CATALOGUE["courses"][0], "code": code, "title": f"Course {code}"}]}


def test_course_paths_cannot_be_squatted(client, service, demo):
    """Provider "emob" imports "academy-HV-9"; "emob-academy" still gets its own HV-9 and its own URL."""
    with service.session(write=True) as session:
        _, emob_key = create_provider_with_issuers(session, service, slug="emob", name="E-Mob")
        session.commit()
    emob = {"Authorization": f"Bearer {emob_key}"}
    academy = {"Authorization": f"Bearer {demo['emob-academy']}"}
    assert client.post("/api/v1/courses", json=_course_doc("academy-HV-9"), headers=emob).status_code == 200
    own = client.post("/api/v1/courses", json=_course_doc("HV-9"), headers=academy)
    assert own.status_code == 200, own.get_json()
    json_ld = {"Accept": "application/json"}
    mine = client.get("/achievements/emob-academy/hv-9", headers=json_ld).get_json()
    theirs = client.get("/achievements/emob/academy-hv-9", headers=json_ld).get_json()
    assert mine["name"] == "Course HV-9" and theirs["name"] == "Course academy-HV-9"
    assert mine["id"] == "http://localhost:5000/achievements/emob-academy/hv-9"
    # the old, ambiguous form is no course's path: it resolves to nothing
    assert client.get("/achievements/emob-academy-hv-9").status_code == 404
    assert client.get("/achievements/emob-academy/hv-9.json").get_json()["name"] == "Course HV-9"
    assert client.get("/achievements/emob-academy/hv-9/image").status_code == 200


def test_credentials_issued_under_old_paths_keep_verifying_and_resolving(client, auth, service):
    """A credential issued before the change carries /achievements/<provider>-<code>; after the
    migration (slug -> legacy_slug) it still verifies and its achievement URLs redirect."""
    with service.session(write=True) as session:
        course = session.scalar(select(Course).where(Course.slug == "emob-academy/hv-2s"))
        course.slug = "emob-academy-hv-2s"  # as before migration 0002
        session.commit()
    issued = client.post("/api/v1/credentials", headers=auth,
                         json={"course": "HV-2S", "learner": {"name": "A", "email": "a@example.org"}}).get_json()
    old_id = issued["credential"]["credentialSubject"]["achievement"]["id"]
    assert old_id == "http://localhost:5000/achievements/emob-academy-hv-2s"
    with service.session(write=True) as session:  # what migration 0002 does
        course = session.scalar(select(Course).where(Course.slug == "emob-academy-hv-2s"))
        course.legacy_slug, course.slug = course.slug, "emob-academy/hv-2s"
        session.commit()
    report = client.post("/api/v1/verify", json=issued["credential"]).get_json()
    assert report["verified"] is True
    for suffix, target in (("", "/achievements/emob-academy/hv-2s"),
                           (".json", "/achievements/emob-academy/hv-2s.json"),
                           ("/image?format=png", "/achievements/emob-academy/hv-2s/image?format=png")):
        response = client.get(f"/achievements/emob-academy-hv-2s{suffix}")
        assert response.status_code == 301, suffix
        assert response.headers["Location"] == target
    assert client.get("/achievements/emob-academy-hv-2s", follow_redirects=True,
                      headers={"Accept": "application/json"}).get_json()["humanCode"] == "HV-2S"
    # the credential page links the new path
    page = client.get(f"/credentials/{issued['id']}", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert 'href="/achievements/emob-academy/hv-2s"' in page


def test_a_course_coded_image_is_not_taken_for_an_image(client, demo):
    academy = {"Authorization": f"Bearer {demo['emob-academy']}"}
    assert client.post("/api/v1/courses", json=_course_doc("image"), headers=academy).status_code == 200
    page = client.get("/achievements/emob-academy/image", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "Course image" in page.get_data(as_text=True)


def test_provider_names_must_be_text(tmp_path, database_url, monkeypatch):
    monkeypatch.setenv("ISSUER_INSTANCE_PATH", str(tmp_path / "inst"))
    monkeypatch.setenv("ISSUER_DATABASE_URL", database_url)
    monkeypatch.setenv("ISSUER_BASE_URL", "http://localhost:5000")
    runner = CliRunner()
    for name in ("   ", "Bad\udcffName", "Tab\tName", "Academy \u202eroF"):
        result = runner.invoke(main, ["provider", "create", name])
        assert result.exit_code == 1, (name, result.output)
        assert "Traceback" not in result.output and result.output.startswith("error: the name")
