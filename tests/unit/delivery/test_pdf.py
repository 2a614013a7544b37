"""issuer.delivery.pdf: the certificate page (HTML), the cache key and the PDF cache."""
from __future__ import annotations

import io
import logging
import threading
from datetime import datetime, timezone

import pypdf
import pytest

from issuer.delivery.pdf import Certificate, PdfCache, certificate_html, html_to_pdf
from tests.unit.delivery.records import record

NOW = datetime(2026, 6, 1, tzinfo=timezone.utc)


def test_language_follows_the_course():
    assert "Certificate" in certificate_html(record(), now=NOW)
    german = certificate_html(record(language="de"), now=NOW)
    assert '<html lang="de">' in german and "Zertifikat" in german and "4. Mai 2026" in german
    assert '<html lang="en">' in certificate_html(record(language="sv"), now=NOW)  # falls back to English
    french = certificate_html(record(language="fr-BE"), now=NOW)  # the primary language decides
    assert '<html lang="fr">' in french and "Certificat" in french and "4 mai 2026" in french
    czech = certificate_html(record(language="cs", status="revoked"), now=NOW)
    assert "Certifikát" in czech and "4. května 2026" in czech and "ODVOLÁNO" in czech


@pytest.mark.parametrize("changes,state", [
    ({}, None), ({"status": "revoked"}, "revoked"), ({"status": "suspended"}, "suspended"),
    ({"valid_until": datetime(2026, 5, 31, tzinfo=timezone.utc)}, "expired"),
    ({"valid_until": datetime(2026, 6, 2, tzinfo=timezone.utc)}, None),
])
def test_state_banner(changes, state):
    html = certificate_html(record(**changes), now=NOW)
    assert (f'data-state="{state}"' in html) if state else ("data-state" not in html)


def test_markup_in_the_record_is_escaped():
    html = certificate_html(record(holder='<img src="https://evil.example/x">'), now=NOW)
    assert '<img src="https://evil.example/x">' not in html and "&lt;img" in html


def test_cache_key_changes_with_the_status_and_the_content():
    keys = {Certificate(record(**c), now=NOW).key for c in ({}, {"status": "revoked"}, {"holder": "B"})}
    assert len(keys) == 3
    assert Certificate(record(), now=NOW).key == Certificate(record(), now=NOW).key


def test_cache_is_bounded_and_least_recently_used_goes_first():
    cache = PdfCache(max_bytes=10)
    cache.put("a", b"1234")
    cache.put("b", b"1234")
    assert cache.get("a") == b"1234"        # a is now the most recently used
    cache.put("c", b"1234")                 # 12 bytes > 10: b goes
    assert cache.get("b") is None and cache.get("a") and cache.get("c")
    cache.put("huge", b"x" * 11)            # larger than the whole cache: not kept
    assert cache.get("huge") is None


def test_concurrent_requests_render_once():
    cache, calls, gate = PdfCache(), [], threading.Event()

    def render():
        calls.append(1)
        gate.wait(5)
        return b"%PDF-1.7 x"

    threads = [threading.Thread(target=lambda: results.append(cache.get_or_render("k", render))) for _ in range(8)]
    results: list[bytes] = []
    for t in threads:
        t.start()
    gate.set()
    for t in threads:
        t.join(5)
    assert results == [b"%PDF-1.7 x"] * 8 and len(calls) == 1


def test_renderer_fetches_nothing_but_data_uris(caplog):
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        pdf = html_to_pdf('<p>x</p><img src="file:///etc/passwd"><img src="http://127.0.0.1:1/x.png">')
    assert pypdf.PdfReader(io.BytesIO(pdf)).pages
    refused = [r.getMessage() for r in caplog.records if "disallowed protocol" in r.getMessage()]
    assert any("file:///etc/passwd" in m for m in refused) and any("127.0.0.1" in m for m in refused), refused
