"""Browser tests: the service on a live local server, driven by Playwright in Debian's Chromium.

Everything here is marked ``browser``. Without ``/usr/bin/chromium`` (or the ``playwright``
package) the tests skip, except in CI (``CI`` set), where they fail. The server runs on
127.0.0.1 with a free port; its base URL uses ``localhost`` because did:web cannot name an IP.
Screenshots go to ``$ISSUER_TEST_ARTIFACTS/screenshots`` (default ``<repo>/test-artifacts/screenshots``).
"""
from __future__ import annotations

import os
import pathlib
import threading
from dataclasses import dataclass

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from issuer import create_app
from issuer.service import build_service
from issuer.demo.setup import demo_api_keys, initialize
from tests.conftest import ApiActions, make_config

_HERE = pathlib.Path(__file__).resolve().parent
REPO = _HERE.parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def pytest_collection_modifyitems(config, items):
    for item in items:
        if _HERE in pathlib.Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


def _unavailable(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"browser tests cannot run in CI: {reason}", pytrace=False)
    pytest.skip(reason)


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):  # keep the test output readable; errors are still logged
        pass


@dataclass
class LiveServer:
    base_url: str
    app: object
    service: object
    api_keys: dict

    def url(self, path: str) -> str:
        return self.base_url + path

    def issue(self, course: str = "HV-2S", provider: str = "emob-academy", **extra) -> str:
        """Issue a credential through the API; its id."""
        return ApiActions(self.app.test_client(), self.api_keys).issue(course, provider=provider, **extra)["id"]


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("live")
    server = make_server("127.0.0.1", 0, app=None, threaded=True, request_handler=_QuietHandler)
    base_url = f"http://localhost:{server.server_port}"
    service = build_service(make_config(tmp, f"sqlite:///{tmp / 'issuer.db'}", BASE_URL=base_url))
    initialize(service, load_demo=True)
    app = create_app(service=service)
    server.app = app
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield LiveServer(base_url=base_url, app=app, service=service, api_keys=demo_api_keys(service))
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)
    service.close()


@pytest.fixture(scope="session")
def credential_id(live_server) -> str:
    return live_server.issue(result={"grade": "A"}, completedAt="2026-05-04T10:00:00Z",
                             evidence=[{"url": "https://lms.example/submissions/1", "narrative": "Practical exam"}])


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        _unavailable(f"{CHROMIUM} is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture(scope="session")
def screenshots() -> pathlib.Path:
    root = os.environ.get("ISSUER_TEST_ARTIFACTS") or str(REPO / "test-artifacts")
    path = pathlib.Path(root) / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path
