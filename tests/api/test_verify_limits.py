"""Issue #9 §2 at the HTTP edge: limits named in reports, coverage bounded, settings honoured."""
from __future__ import annotations

import copy
import json

import pytest

from issuer import create_app
from issuer.signing.jsonld import workers
from issuer.signing.jsonld.canonize import clear_cache as clear_template_cache
from issuer.service import build_service
from tests.conftest import make_config
from tests.factories import LEARNER


@pytest.fixture
def issued(api):
    return api.issue("ADAS-CAL", provider="bbz-alpenvorland")


def _multipart(field: str, value: str) -> tuple[bytes, str]:
    """A hand-made body: the test client's own encoder spools large fields to a file it never closes."""
    boundary = "----limits"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"\r\n\r\n{value}\r\n"
            f"--{boundary}--\r\n").encode()
    return body, f"multipart/form-data; boundary={boundary}"


def _parsing(report: dict) -> dict:
    return next(c for c in report["checks"] if c["id"] == "parsing")


def _huge(credential: dict) -> dict:
    document = copy.deepcopy(credential)
    document.pop("proof")
    document["evidence"] = [{"type": ["Evidence"], "name": f"e{i}"} for i in range(18_000)]
    return document


@pytest.mark.parametrize("as_multipart", [False, True])
def test_the_745_kb_credential_gets_a_report_naming_the_limit(client, issued, as_multipart):
    text = json.dumps(_huge(issued["credential"]))
    assert 700_000 < len(text) < 1_000_000
    if as_multipart:
        body, content_type = _multipart("credential", text)
        response = client.post("/api/v1/verify", data=body, content_type=content_type)
    else:
        response = client.post("/api/v1/verify", data=text, content_type="application/json")
    assert response.status_code == 200
    report = response.get_json()
    assert report["verified"] is False
    assert _parsing(report)["detail"]["limit"] == "VERIFY_MAX_ARRAY_ITEMS"
    assert "VERIFY_MAX_ARRAY_ITEMS" in _parsing(report)["reason"]


def test_deep_nesting_gets_a_report_naming_the_limit(client, demo):
    response = client.post("/api/v1/verify", data='{"a":' * 5000 + "1" + "}" * 5000, content_type="application/json")
    assert response.status_code == 200 and _parsing(response.get_json())["detail"]["limit"] == "VERIFY_MAX_DEPTH"


def test_the_verify_page_names_the_limit_too(client, issued):
    body, content_type = _multipart("credential", json.dumps(_huge(issued["credential"])))
    response = client.post("/verify", data=body, content_type=content_type, headers={"Accept": "text/html"})
    assert response.status_code == 200 and "VERIFY_MAX_ARRAY_ITEMS" in response.get_data(as_text=True)


def test_coverage_takes_at_most_the_configured_number_of_credentials(client, issued):
    response = client.post("/api/v1/coverage", json={"credentials": [issued["credential"]] * 21})
    assert response.status_code == 422 and "COVERAGE_MAX_CREDENTIALS" in response.get_json()["detail"]
    response = client.post("/api/v1/coverage", json={"credentials": [issued["credential"]] * 20,
                                                       "holder": {"email": LEARNER["email"]}})
    assert response.status_code == 200 and response.get_json()["counted"] == 20


def test_coverage_reports_hostile_items_without_jsonld_work(client, issued, monkeypatch):
    unsigned = {k: v for k, v in issued["credential"].items() if k != "proof"}
    monkeypatch.setattr(workers, "run", lambda *a, **k: pytest.fail("JSON-LD work for an unverifiable item"))
    response = client.post("/api/v1/coverage", json={"credentials": [_huge(issued["credential"]), unsigned]})
    assert response.status_code == 200
    first, second = response.get_json()["credentials"]
    assert not first["counted"] and "VERIFY_MAX_ARRAY_ITEMS" in first["reason"]
    assert not second["counted"] and "no proof" in second["reason"]


def test_structural_limits_are_settings(tmp_path, database_url, issued):
    svc = build_service(make_config(tmp_path / "strict", database_url, VERIFY_MAX_ARRAY_ITEMS=3))
    report = create_app(service=svc).test_client().post("/api/v1/verify", json=issued["credential"]).get_json()
    assert report["verified"] is False
    assert _parsing(report)["detail"] == {"limit": "VERIFY_MAX_ARRAY_ITEMS", "max": 3,
                                         "found": _parsing(report)["detail"]["found"],
                                         "at": _parsing(report)["detail"]["at"]}
    svc.close()


def test_a_jsonld_deadline_is_a_named_report_not_a_500(tmp_path, database_url, issued):
    svc = build_service(make_config(tmp_path / "slow", database_url, JSONLD_DEADLINE_SECONDS=0.001))
    # the shape must be new to this process: an earlier test that verified it twice built its
    # template, and a template hit takes the in-process fast path, where no deadline applies
    clear_template_cache()
    try:
        document = copy.deepcopy(issued["credential"])
        document["evidence"] = [{"type": ["Evidence"], "name": "a shape not seen before"}]
        response = create_app(service=svc).test_client().post("/api/v1/verify", json=document)
        assert response.status_code == 200
        safe_mode = next(c for c in response.get_json()["checks"] if c["id"] == "safe_mode")
        assert safe_mode["status"] == "failed" and safe_mode["detail"]["limit"] in (
            "JSONLD_DEADLINE_SECONDS", "JSONLD_BUDGET_SECONDS")
    finally:
        workers.configure(deadline=2.0, budget_s=3.0)
        svc.close()


def test_coverage_stops_checking_when_the_request_budget_is_spent(tmp_path, database_url, issued):
    svc = build_service(make_config(tmp_path / "budget", database_url, JSONLD_BUDGET_SECONDS=0.001))
    try:
        items = []
        for i in range(5):
            item = copy.deepcopy(issued["credential"])
            item["evidence"] = [{"type": ["Evidence"], "name": "e"}] * (i + 1)  # new shapes: JSON-LD work
            items.append(item)
        response = create_app(service=svc).test_client().post("/api/v1/coverage", json={"credentials": items})
        assert response.status_code == 200
        reasons = [c["reason"] for c in response.get_json()["credentials"]]
        assert all("JSONLD_BUDGET_SECONDS" in r for r in reasons), reasons
    finally:
        workers.configure(deadline=2.0, budget_s=3.0)
        svc.close()
