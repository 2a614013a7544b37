"""Competence matrix and catalogue over the API; badge images (issue #2 §2, issue #5 §3)."""
from __future__ import annotations

from sqlalchemy import func, select

from issuer.skills.matrix import matrix_to_csv
from issuer.demo import demo_matrix
from issuer.store.models import Course, Skill
from tests.conftest import ADMIN_TOKEN

COURSE = {"code": "EV-INTRO", "title": "EV fundamentals", "description": "Electric vehicle basics.",
          "criteria": "Written test passed.", "learningOutcomes": ["Explain EV powertrains"],
          "workload": {"hours": 16, "ects": 0.5}, "eqfLevel": 4, "assessmentType": "Written test",
          "participationForm": "online", "qualityAssurance": "Reviewed by the ASA quality board",
          "skills": [{"skill": "HVS-AWARE", "level": 1}]}


def test_list_courses_is_per_provider(client, demo, auth):
    courses = client.get("/api/v1/courses", headers=auth).get_json()["courses"]
    assert {c["code"] for c in courses} == {"HV-2S", "HV-REFRESH", "HV-3S", "BAT-SERVICE", "CHG-INSTALL"}
    assert all(c["skills"] and {"code", "level"} <= set(c["skills"][0]) for c in courses)
    other = client.get("/api/v1/courses", headers={"Authorization": f"Bearer {demo['nordhaven-tu']}"}).get_json()
    assert "HV-2S" not in {c["code"] for c in other["courses"]}


def test_import_courses_then_issue(client, auth):
    response = client.post("/api/v1/courses", json={"courses": [COURSE]}, headers=auth)
    assert response.status_code == 200 and response.get_json()["created"] == ["EV-INTRO"]
    issued = client.post("/api/v1/credentials", json={"course": "EV-INTRO", "learner": {
        "name": "Ola", "email": "ola@example.org"}}, headers=auth)
    achievement = issued.get_json()["credential"]["credentialSubject"]["achievement"]
    assert achievement["creditsAvailable"] == 0.5 and achievement["volumeOfLearning"] == "PT16H"
    assert achievement["eqfLevel"] == "http://data.europa.eu/snb/eqf/4" and achievement["participationForm"] == "online"


def test_unknown_skill_is_a_clear_error_and_nothing_is_imported(client, auth, service):
    bad = dict(COURSE, code="BAD-1", skills=[{"skill": "NO-SUCH-SKILL", "level": 2}])
    good = dict(COURSE, code="GOOD-1")
    with service.session() as s:
        before = s.scalar(select(func.count()).select_from(Course))
    response = client.post("/api/v1/courses", json={"courses": [good, bad]}, headers=auth)
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    assert any("NO-SUCH-SKILL" in (e.get("message", "") + e.get("path", "")) for e in response.get_json()["errors"])
    with service.session() as s:
        assert s.scalar(select(func.count()).select_from(Course)) == before


def test_matrix_import_needs_the_admin_token(client, demo):
    assert client.post("/api/v1/matrix", json=demo_matrix(),
                       headers={"Authorization": f"Bearer {demo['emob-academy']}"}).status_code == 401
    response = client.post("/api/v1/matrix", json=demo_matrix(), headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    assert response.status_code == 200 and response.get_json()["changed"] is False


def test_matrix_import_csv(client, service):
    data = demo_matrix()
    csv_text = matrix_to_csv(data)
    response = client.post("/api/v1/matrix", data=csv_text.encode(), content_type="text/csv",
                           headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    assert response.status_code == 200, response.get_json()
    with service.session() as s:
        assert s.scalar(select(func.count()).select_from(Skill)) == len(data["skills"])
    bad = client.post("/api/v1/matrix", data=b"not,a,matrix\n1,2,3\n", content_type="text/csv",
                      headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    assert bad.status_code == 422


def test_public_pages_for_skills_roles_and_achievements(client, demo):
    skill = client.get("/skills/DRIVES-ACM/HVS-AWARE", headers={"Accept": "application/json"}).get_json()
    assert skill["code"] == "HVS-AWARE" and skill["framework"]["code"] == "DRIVES-ACM"
    assert client.get("/skills/DRIVES-ACM/HVS-AWARE.json").get_json() == skill
    roles = client.get("/api/v1/courses", headers={"Authorization": f"Bearer {demo['emob-academy']}"})
    assert roles.status_code == 200
    issued = client.post("/api/v1/credentials", json={"course": "HV-2S", "learner": {"name": "X", "email": "x@y.org"}},
                         headers={"Authorization": f"Bearer {demo['emob-academy']}"}).get_json()
    achievement = issued["credential"]["credentialSubject"]["achievement"]
    assert client.get(achievement["id"].replace("http://localhost:5000", "") + ".json").get_json()["name"] == \
        achievement["name"]
    for alignment in achievement["alignment"]:
        path = alignment["targetUrl"].replace("http://localhost:5000", "")
        assert client.get(path, headers={"Accept": "application/json"}).status_code == 200
        assert client.get(path, headers={"Accept": "text/html"}).status_code == 200


def test_badge_image_upload_png_and_svg(client, auth):
    import base64
    png = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")
    ok = client.put("/api/v1/courses/HV-2S/image", data=png, content_type="image/png", headers=auth)
    assert ok.status_code == 200
    served = client.get(ok.get_json()["url"].replace("http://localhost:5000", ""))
    assert served.mimetype == "image/png" and served.data == png
    svg = (b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script>'
           b'<rect width="10" height="10" onclick="x()" fill="red"/><image href="https://evil.example/x.png"/></svg>')
    ok = client.put("/api/v1/courses/HV-REFRESH/image", data=svg, content_type="image/svg+xml", headers=auth)
    assert ok.status_code == 200
    served = client.get(ok.get_json()["url"].replace("http://localhost:5000", ""))
    assert served.mimetype == "image/svg+xml" and b"<script" not in served.data and b"onclick" not in served.data
    assert b"evil.example" not in served.data
    assert "default-src 'none'" in served.headers["Content-Security-Policy"]
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert client.put("/api/v1/courses/HV-2S/image", data=b"GIF89a", content_type="image/gif",
                      headers=auth).status_code == 415
    assert client.put("/api/v1/courses/HV-2S/image", data=b"x" * 600_000, content_type="image/png",
                      headers=auth).status_code == 413
    xxe = b'<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg xmlns="http://www.w3.org/2000/svg">&x;</svg>'
    assert client.put("/api/v1/courses/HV-2S/image", data=xxe, content_type="image/svg+xml",
                      headers=auth).status_code == 422
    assert client.put("/api/v1/courses/NOPE/image", data=png, content_type="image/png", headers=auth).status_code == 404


def test_default_badge_image_is_generated(client, demo):
    response = client.get("/achievements/emob-academy/hv-2s/image")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert b"<svg" in response.data
    png = client.get("/achievements/emob-academy/hv-2s/image?format=png")
    assert png.mimetype == "image/png" and png.data[:8] == b"\x89PNG\r\n\x1a\n"


def test_png_with_a_valid_header_but_broken_chunks_is_refused(client, auth):
    import base64
    png = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")
    broken = png[:40] + b"\xff\xff\xff\x00garbage"
    response = client.put("/api/v1/courses/HV-2S/image", data=broken, content_type="image/png", headers=auth)
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
