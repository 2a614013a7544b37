"""Issue #9 §1 and §7: verify-by-URL reads nothing of the server's disk, and accepts our own links.

Every public entry point that takes a ``url`` (``POST /api/v1/verify`` as JSON or multipart,
``POST /verify`` the form, ``POST /api/v1/gap-report`` and the ``/gap-report`` form) accepts only ``https://`` URLs (``http://`` only with the test-only
``ALLOW_PRIVATE_FETCH``) through the SSRF-guarded fetcher. A path, ``../x``, ``file:`` or any other
scheme gets one and the same answer whether or not a file exists there (catalog P-01), and no file
is opened. Our own download links are resolved from the database, without any network.
"""
from __future__ import annotations

import builtins
import contextlib
import io
import pathlib
import socket

import pytest

from issuer.demo.setup import initialize
from issuer.service import build_service
from tests.conftest import make_config
from tests.web.helpers import HTML, Page

BASE = "http://localhost:5000"

# existing and missing files side by side: the answers must not tell them apart
LOCAL_TARGETS = ["/etc/passwd", "/etc/no-such-file-here", "/proc/self/mem", "/proc/self/environ",
                 "../x", "../../../../etc/passwd", "etc/passwd", "instance/issuer.db", "pyproject.toml",
                 "file:///etc/passwd", "file:///no/such/file", "FILE:///etc/passwd", "ftp://example.org/x",
                 "//example.org/x", "https:/etc/passwd", "http:etc/passwd", "data:,{}", "C:\\Windows\\win.ini",
                 " /etc/passwd "]


@pytest.fixture
def service(tmp_path, database_url):
    """The service with rate limits off: these tests send one address's requests in a loop, and the
    limits (tested in test_limits.py) would answer 429 before the paths under test are reached."""
    svc = build_service(make_config(tmp_path, database_url, RATE_LIMITS_ENABLED=False))
    initialize(svc, load_demo=False)
    yield svc
    svc.close()


@pytest.fixture
def issued(api):
    return api.issue("ADAS-CAL", provider="bbz-alpenvorland")


@pytest.fixture
def no_file_io():
    """``(opened, forbid)``: inside ``with forbid():`` any attempt to open, stat or read a file fails.

    The patches are undone when the block ends, before pytest's own reporting touches the disk.
    """
    opened = []

    def refuse(*args, **kwargs):
        opened.append(args[:1])
        raise AssertionError(f"file access {args[:1]}")

    @contextlib.contextmanager
    def forbid():
        with pytest.MonkeyPatch.context() as patch:
            for owner, name in ((builtins, "open"), (pathlib.Path, "read_bytes"), (pathlib.Path, "is_file"),
                                (pathlib.Path, "stat")):
                patch.setattr(owner, name, refuse)
            yield

    return opened, forbid


@pytest.fixture
def no_network(monkeypatch):
    attempts = []

    def guard(self, address):
        attempts.append(address)
        raise AssertionError(f"outbound connection to {address}")

    monkeypatch.setattr(socket.socket, "connect", guard)
    return attempts


def _api_json(client, url):
    response = client.post("/api/v1/verify", json={"url": url})
    return response.status_code, response.get_json()


def _api_multipart(client, url):
    response = client.post("/api/v1/verify", data={"url": url}, content_type="multipart/form-data")
    return response.status_code, response.get_json()


def _form(client, url):
    response = client.post("/verify", data={"url": url}, content_type="multipart/form-data", headers=HTML)
    page = Page(response.get_data(as_text=True))
    verdict = next((a["data-verdict"] for _, a in page.tags if "data-verdict" in a), None)
    return response.status_code, {"alert": bool(page.find("div", role="alert")), "verdict": verdict,
                                  "text": page.text.replace(url.strip(), "<url>")}


ROLE = "DRIVES-ACM/EV-CHG-TECH"


def _gap_report_json(client, url):
    response = client.post("/api/v1/gap-report", json={"credentials": [{"url": url}], "role": ROLE})
    return response.status_code, response.get_json()


def _gap_report_form(client, url):
    response = client.post("/gap-report", data={"role": ROLE, "urls": url}, content_type="multipart/form-data",
                           headers=HTML)
    page = Page(response.get_data(as_text=True))
    return response.status_code, {"alert": bool(page.find("div", role="alert")),
                                  "text": page.text.replace(url.strip(), "<url>")}


ENTRY_POINTS = {"api-json": _api_json, "api-multipart": _api_multipart, "form": _form,
                "gap-report-json": _gap_report_json, "gap-report-form": _gap_report_form}
FORMS = ("form", "gap-report-form")


@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_local_paths_are_never_read_and_all_get_the_same_answer(client, demo, entry, no_file_io, no_network):
    opened, arm = no_file_io
    ENTRY_POINTS[entry](client, "/warm-up")  # templates and translations load before file access is forbidden
    with arm():
        answers = {}
        for target in LOCAL_TARGETS:
            status, body = ENTRY_POINTS[entry](client, target)
            assert status == 422, (target, status, body)
            answers[target] = (status, body if entry in FORMS else {k: v for k, v in body.items() if k not in ("instance", "requestId")})
        assert len({repr(a) for a in answers.values()}) == 1, answers
    assert opened == [] and no_network == []
    first = next(iter(answers.values()))[1]
    if entry == "form":
        assert first["alert"] and "starts with https://" in first["text"]
    elif entry == "gap-report-form":
        assert first["alert"] and "files on the server are never read" in first["text"]
    else:
        assert "https://" in first["detail"] and first["status"] == 422


def test_proc_self_mem_is_a_clear_4xx_not_a_500(client, demo):
    for entry in ENTRY_POINTS.values():
        status, _ = entry(client, "/proc/self/mem")
        assert status == 422


def test_plain_http_is_refused_without_the_test_setting(client, demo, no_network):
    status, body = _api_json(client, "http://example.org/credential.json")
    assert status == 422 and "https://" in body["detail"]
    assert no_network == []


def test_plain_http_goes_through_the_fetcher_when_the_test_setting_allows_it(tmp_path, database_url, monkeypatch):
    from issuer import create_app
    from issuer.resolve.fetch import FetchError, SafeFetcher
    from issuer.service import build_service
    from tests.conftest import make_config
    seen = []

    def fake_fetch(self, url, accept="application/json", **_):
        seen.append(url)
        raise FetchError("connect_error", "refused")

    monkeypatch.setattr(SafeFetcher, "fetch", fake_fetch)
    svc = build_service(make_config(tmp_path, database_url, ALLOW_PRIVATE_FETCH=True))
    client = create_app(service=svc).test_client()
    response = client.post("/api/v1/verify", json={"url": "http://127.0.0.1:9/x.json"})
    assert response.status_code == 400 and seen == ["http://127.0.0.1:9/x.json"]
    assert client.post("/api/v1/verify", json={"url": "/etc/passwd"}).status_code == 422
    svc.close()


OWN_LINKS = ["", ".json", ".jwt", ".png", ".svg", ".png?form=jwt", ".svg?form=jwt", "/verify", ".json?vc=1"]


@pytest.mark.parametrize("suffix", OWN_LINKS)
def test_own_download_links_verify_by_url_without_network(client, issued, suffix, no_network):
    url = f"{BASE}/credentials/{issued['id']}{suffix}"
    for status, report in (_api_json(client, url), _api_multipart(client, url)):
        assert status == 200 and report["verified"] is True, (suffix, report)
    expected = {".png": "png", ".svg": "svg", ".jwt": "jwt"}.get(suffix.split("?")[0], "json-ld")
    assert report["format"] == expected, (suffix, report["format"])
    status, page = _form(client, url)
    assert status == 200 and not page["alert"] and page["verdict"] == "verified"
    assert no_network == []


def test_own_link_to_a_missing_credential_is_404(client, issued):
    for suffix in ("", ".png", ".jwt"):
        status, body = _api_json(client, f"{BASE}/credentials/no-such-credential{suffix}")
        assert status == 404, body
    status, _ = _api_json(client, f"{BASE}/credentials/../../etc/passwd")
    assert status == 404


def test_cli_still_reads_the_explicit_path(tmp_path, service, issued, monkeypatch):
    from issuer.cli import _read_target
    from issuer.errors import NotFound
    path = tmp_path / "c.jwt"
    path.write_text(issued["jwt"])
    from issuer.verify.runtime import load_url
    by_url = lambda url: load_url(service, url)  # noqa: E731
    assert _read_target(str(path), by_url=by_url) == issued["jwt"].encode()
    with pytest.raises(NotFound):
        _read_target(str(tmp_path / "missing.json"), by_url=by_url)
    assert _read_target(f"{BASE}/credentials/{issued['id']}.jwt", by_url=by_url) == issued["jwt"]


# --- audit: every other place a request string reaches a path or a URL ------------------------


def test_status_list_and_did_web_names_are_database_keys_never_paths(service, demo, no_file_io, no_network):
    """Own status-list URLs and own did:web DIDs are looked up in the database; nothing else is opened."""
    from issuer.resolve.did_document import DidError
    from issuer.verify.runtime import _local_did, _status_fetcher
    fetch_list, local = _status_fetcher(service, remote=False), _local_did(service)
    opened, arm = no_file_io
    with arm():
        for tail in ("../../etc/passwd", "..%2F..%2Fetc%2Fpasswd", "/etc/passwd", "x?y=../../z"):
            with pytest.raises(LookupError):
                fetch_list(f"{BASE}/status/{tail}")
        with pytest.raises(LookupError):  # another host: never fetched with remote fetching off
            fetch_list("file:///etc/passwd")
        for did in ("did:web:localhost%3A5000:issuers:..:..:etc", "did:web:localhost%3A5000:issuers:%2E%2E",
                    "did:web:localhost%3A5000:..:..:etc:passwd"):
            with pytest.raises(DidError):
                local(did)
    assert opened == [] and no_network == []


@pytest.mark.parametrize("path", ["/static/../config.py", "/static/..%2f..%2fconfig.py", "/static/%2e%2e/service.py",
                                  "/static/../../pyproject.toml", "/issuers/..%2f..%2fetc/did.json"])
def test_static_files_and_routes_do_not_traverse(client, demo, path):
    response = client.get(path)
    assert response.status_code in (400, 404), (path, response.status_code)
    assert b"import" not in response.data and b"[project]" not in response.data


def test_language_parameter_never_names_a_file(client, demo):
    for value in ("../../etc/passwd", "/etc/passwd", "en/../../../x", "de\x00"):
        response = client.get("/verify", query_string={"lang": value}, headers=HTML)
        assert response.status_code == 200 and "root:" not in response.get_data(as_text=True)
