"""The OpenAPI 3.1 document: valid, complete (every route is described), reusing schemas/, and
rendered at /docs from local files."""
from __future__ import annotations

import json
from pathlib import Path

from openapi_spec_validator import validate

from issuer.api.openapi import route_paths

METHODS = {"get", "post", "put", "patch", "delete"}
SCHEMAS = Path(__file__).resolve().parents[2] / "issuer" / "schemas"


def test_document_is_valid_openapi_31(client):
    response = client.get("/openapi.json")
    assert response.status_code == 200
    doc = response.get_json()
    assert doc["openapi"] == "3.1.0"
    validate(doc)


def test_every_route_is_described(app, client):
    doc = client.get("/openapi.json").get_json()
    missing = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        path = route_paths(rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            if method.lower() not in doc["paths"].get(path, {}):
                missing.append(f"{method} {path} ({rule.endpoint})")
    assert not missing, "routes the OpenAPI document does not describe:\n" + "\n".join(missing)
    described = {(p, m) for p, ops in doc["paths"].items() for m in ops if m in METHODS}
    routed = {(route_paths(r.rule), m.lower()) for r in app.url_map.iter_rules() for m in r.methods or ()}
    assert described <= routed, described - routed  # and nothing described that does not exist


def test_route_paths_conversion():
    assert route_paths("/api/v1/credentials/<credential_id>/<any(revoke, suspend, unsuspend):action>") == \
        "/api/v1/credentials/{credential_id}/{action}"
    assert route_paths("/credentials/<credential_id>/qr.<any(png, svg):fmt>") == "/credentials/{credential_id}/qr.{fmt}"
    assert route_paths("/static/<path:filename>") == "/static/{filename}"


def test_schemas_come_from_the_schema_files(client):
    doc = client.get("/openapi.json").get_json()
    schemas = doc["components"]["schemas"]
    issue = json.loads((SCHEMAS / "issue-request.schema.json").read_text())
    assert schemas["IssueRequest"]["properties"].keys() == issue["properties"].keys()
    catalogue = json.loads((SCHEMAS / "course-catalogue.schema.json").read_text())
    assert all(f"CourseCatalogue_{name}" in schemas for name in catalogue["$defs"])
    text = json.dumps(doc)
    assert "#/$defs/" not in text  # every local reference was rewritten


def test_operations_name_their_scopes_and_problem_responses(client):
    doc = client.get("/openapi.json").get_json()
    listing = doc["paths"]["/api/v1/credentials"]["get"]
    assert {"oauth2": ["credentials:read"]} in listing["security"] and {"apiKey": []} in listing["security"]
    assert listing["responses"]["403"] == {"$ref": "#/components/responses/Problem403"}
    assert doc["components"]["securitySchemes"]["oauth2"]["flows"]["clientCredentials"]["tokenUrl"] == \
        "http://localhost:5000/oauth/token"
    assert "Retry-After" in doc["components"]["responses"]["Problem429"]["headers"]
    assert "RATE_LIMIT_FAILED_AUTH" in doc["info"]["description"]


def test_docs_render_from_local_assets(client):
    page = client.get("/docs")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert "https://" not in html and "http://" not in html  # nothing from a CDN
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    for asset in ("swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "init.js"):
        assert f"/docs/{asset}" in html
        with client.get(f"/docs/{asset}") as response:
            assert response.status_code == 200 and len(response.get_data()) > 50
    assert "/openapi.json" in client.get("/docs/init.js").get_data(as_text=True)
    assert client.get("/docs/../config.py").status_code == 404
    assert client.get("/docs/index.html").status_code == 404


def test_documented_scopes_are_the_ones_the_endpoints_demand(app, client):
    doc = client.get("/openapi.json").get_json()
    checked = 0
    for rule in app.url_map.iter_rules():
        scope = getattr(app.view_functions[rule.endpoint], "required_scope", None)
        if scope is None:
            continue
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
            operation = doc["paths"][route_paths(rule.rule)][method.lower()]
            assert {"oauth2": [scope]} in operation["security"], (rule.rule, method, scope)
            assert "403" in operation["responses"]
            checked += 1
    assert checked >= 14


def test_every_endpoint_documented_with_a_scope_demands_it(app, client):
    """The other direction: an operation whose security names an OAuth scope is guarded by that
    scope (the claim offer endpoints were open to any token of the provider)."""
    doc = client.get("/openapi.json").get_json()
    checked = 0
    for rule in app.url_map.iter_rules():
        operations = doc["paths"].get(route_paths(rule.rule), {})
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
            security = operations.get(method.lower(), {}).get("security", [])
            scopes = [s["oauth2"][0] for s in security if s.get("oauth2")]
            if scopes:
                demanded = getattr(app.view_functions[rule.endpoint], "required_scope", None)
                assert demanded in scopes, (rule.rule, method, scopes, demanded)
                checked += 1
    assert checked >= 14
