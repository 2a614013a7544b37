"""The printable certificate: an A4 PDF (PDF/A-2b) made from an HTML template with WeasyPrint.

The certificate shows the badge image, title, holder name (never the e-mail address), issuer,
dates, the skills with their levels, the EU micro-credential facts (Council Recommendation
2022/C 243/02, Annex I), a QR code to the verification page and the credential id; a revoked,
suspended or expired credential says so on the page. The page is in the course's language when
it is one of the interface languages (:data:`issuer.i18n.LANGUAGES`: English, German, French,
Italian, Spanish, Czech; "de-AT" counts as German), else English: its labels come from the same
gettext catalogues as the pages, dates and numbers from CLDR. Fonts: DejaVu (Latin, Greek, Cyrillic) from the
system (Debian ``fonts-dejavu-core``), found by fontconfig.

Generation takes about a second, so :class:`PdfCache` keeps recent PDFs keyed by the SHA-256 of
the rendered HTML: anything shown on the page, the status included, changes the key, so a cached
PDF is never stale. The renderer fetches nothing: images are ``data:`` URIs and every other URL
is refused (no SSRF through templates).
"""
from __future__ import annotations

import base64
import functools
import hashlib
import threading
from collections import OrderedDict
from datetime import datetime

from jinja2 import Environment, PackageLoader, select_autoescape

from ..i18n import LANGUAGES, catalogue, decimal, language_name, long_date, supported
from .qr import qr_svg

__all__ = ["LANGUAGES", "MEDIA_TYPE", "certificate_html", "html_to_pdf", "PdfCache", "Certificate"]

MEDIA_TYPE = "application/pdf"
_env = Environment(loader=PackageLoader("issuer.delivery", "templates"), autoescape=select_autoescape(["html"]),
                   trim_blocks=True, lstrip_blocks=True)

def _data_uri(media_type: str, data: bytes) -> str:
    return f"data:{media_type};base64,{base64.b64encode(data).decode('ascii')}"


@functools.lru_cache(maxsize=1024)
def _qr_data_uri(url: str) -> str:
    """The QR code (SVG) of ``url`` as a data: URI; cached, since drawing one takes ~20 ms."""
    return _data_uri("image/svg+xml", qr_svg(url))


def _gettext(lang: str):
    """``_(message, **values)`` for the certificate template: the message in ``lang``, always
    %-formatted as the pages' newstyle gettext is (a literal "%" is written "%%")."""
    translations = catalogue(lang)

    def gettext(message: str, **values) -> str:
        return translations.ugettext(message) % values
    return gettext


def certificate_html(record, *, now: datetime) -> str:
    """The certificate page (HTML) of a :class:`~issuer.delivery.record.CredentialRecord`.

    ``now`` (aware) decides whether the credential has expired. The language is the course's
    (``record.language``) when its primary subtag is one of :data:`LANGUAGES`, else English.
    """
    lang = supported(record.language)
    _ = _gettext(lang)
    state = record.status if record.status in ("revoked", "suspended") else \
        "expired" if record.valid_until is not None and record.valid_until < now else None
    states = {"revoked": _("REVOKED: the issuer has revoked this credential. It is no longer valid."),
              "suspended": _("SUSPENDED: the issuer has suspended this credential. It is not valid while suspended."),
              "expired": _("EXPIRED: this credential's validity period has ended.")}
    forms = {"onsite": _("on site"), "online": _("online"), "blended": _("blended (online and on site)")}
    form = (record.participation_form or "").strip().lower()
    return _env.get_template("certificate.html").render(
        r=record, lang=lang, _=_, state=state, state_text=states.get(state),
        date=lambda moment: long_date(moment.date() if isinstance(moment, datetime) else moment, lang),
        number=lambda value: decimal(value, lang),
        participation=forms.get(form, record.participation_form),
        course_language=language_name(record.language, lang) if record.language else _("not stated"),
        badge=_data_uri("image/svg+xml", record.badge_svg) if record.badge_svg else
        _data_uri("image/png", record.badge_png) if record.badge_png else None,
        qr=_qr_data_uri(record.verify_url))


def html_to_pdf(html: str) -> bytes:
    """Render ``html`` to PDF/A-2b bytes with WeasyPrint (A4 is set by the template's ``@page``).

    Only ``data:`` URIs are fetched (WeasyPrint's ``URLFetcher`` with ``allowed_protocols``)."""
    # reason: WeasyPrint loads Pango, HarfBuzz and fontconfig on import; only PDF requests pay for it
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher
    document = HTML(string=html, base_url=None, url_fetcher=URLFetcher(allowed_protocols={"data"}))
    return document.write_pdf(pdf_variant="pdf/a-2b")


class PdfCache:
    """A small thread-safe LRU of PDFs keyed by the SHA-256 of their HTML (``max_bytes`` in total).

    :meth:`get_or_render` renders each key once even when many requests for it arrive together
    (one lock per key being rendered), so a burst of requests costs one rendering.
    """

    def __init__(self, max_bytes: int = 32 * 1024 * 1024):
        self.max_bytes = max_bytes
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()
        self._rendering: dict[str, threading.Lock] = {}

    def get(self, key: str) -> bytes | None:
        """The cached PDF bytes for ``key`` (the SHA-256 hex of its HTML), or ``None``; marks it recently used."""
        with self._lock:
            pdf = self._items.get(key)
            if pdf is not None:
                self._items.move_to_end(key)
            return pdf

    def put(self, key: str, pdf: bytes) -> None:
        """Keep ``pdf`` under ``key``, evicting least recently used PDFs beyond ``max_bytes``; a PDF larger than the whole budget is not kept."""
        if len(pdf) > self.max_bytes:
            return
        with self._lock:
            if key in self._items:
                return
            self._items[key] = pdf
            self._size += len(pdf)
            while self._size > self.max_bytes:
                _, old = self._items.popitem(last=False)
                self._size -= len(old)

    def get_or_render(self, key: str, render) -> bytes:
        """The cached PDF for ``key``, else ``render()`` (called by one thread per key at a time)."""
        pdf = self.get(key)
        if pdf is not None:
            return pdf
        with self._lock:
            key_lock = self._rendering.setdefault(key, threading.Lock())
        with key_lock:
            pdf = self.get(key)
            if pdf is None:
                pdf = render()
                self.put(key, pdf)
        with self._lock:
            self._rendering.pop(key, None)
        return pdf


class Certificate:
    """One certificate: its HTML, the ETag-worthy key, and the PDF (rendered once per key)."""

    def __init__(self, record, *, now: datetime, cache: PdfCache | None = None):
        self.record = record
        self.html = certificate_html(record, now=now)
        self.key = hashlib.sha256(self.html.encode("utf-8")).hexdigest()
        self._cache = cache

    def pdf(self) -> bytes:
        """The certificate as PDF/A-2b bytes (A4), from the cache when its HTML is unchanged."""
        if self._cache is None:
            return html_to_pdf(self.html)
        return self._cache.get_or_render(self.key, lambda: html_to_pdf(self.html))
