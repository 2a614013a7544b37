"""/docs renders the OpenAPI document in headless Chromium from local files only (no CDN), under
its Content-Security-Policy."""
from __future__ import annotations


def test_docs_render_every_operation_without_leaving_the_site(page, live_server, screenshots):
    requested, errors = [], []
    page.on("request", lambda request: requested.append(request.url))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    # Swagger UI renders a large document's operations lazily, near the viewport (past ~137 operations
    # only the first few are in the DOM on a normal window): a tall window lets it render them all.
    page.set_viewport_size({"width": 1280, "height": 12000})
    response = page.goto(live_server.url("/docs"))
    assert response.status == 200
    page.wait_for_selector(".opblock", timeout=20000)
    page.wait_for_function("document.querySelectorAll('.opblock').length >= 50", timeout=20000)
    assert page.locator(".opblock").count() >= 50
    assert "Skills Hub issuer API" in page.locator(".info .title").inner_text()
    assert page.get_by_text("/api/v1/credentials", exact=True).first.is_visible()
    assert all(url.startswith(live_server.base_url) for url in requested), requested
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=str(screenshots / "api-docs.png"), full_page=False)
