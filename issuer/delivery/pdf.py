"""The printable certificate: an A4 PDF (PDF/A-2b) made from an HTML template with WeasyPrint.

The certificate shows the badge image, title, holder name (never the e-mail address), issuer,
dates, the skills with their levels, the EU micro-credential facts (Council Recommendation
2022/C 243/02, Annex I), a QR code to the verification page and the credential id; a revoked,
suspended or expired credential says so on the page. The page is in the course's language
(English or German; others fall back to English). Fonts: DejaVu (Latin, Greek, Cyrillic) from the
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

from .qr import qr_svg

__all__ = ["LANGUAGES", "MEDIA_TYPE", "certificate_html", "html_to_pdf", "PdfCache", "Certificate"]

MEDIA_TYPE = "application/pdf"
LANGUAGES = ("en", "de")
_env = Environment(loader=PackageLoader("issuer.delivery", "templates"), autoescape=select_autoescape(["html"]),
                   trim_blocks=True, lstrip_blocks=True)

LABELS = {
    "en": {"doc_title": "Certificate", "certifies": "This certifies that", "completed": "has successfully completed",
           "issued_by": "Issued by", "issued_on": "Issued on", "completed_on": "Completed on",
           "valid_until": "Valid until", "no_expiry": "does not expire", "skills": "Skills",
           "skill": "Skill", "level": "Level", "level_value": "{level} of 5", "facts": "EU micro-credential facts",
           "workload": "Workload", "hours": "{hours} hours", "ects": "Credit points", "ects_value": "{ects} ECTS",
           "eqf": "EQF level", "participation": "Form of participation", "assessment": "Type of assessment",
           "grade": "Result", "quality": "Quality assurance", "language": "Language", "code": "Course code",
           "outcomes": "Learning outcomes", "verify": "Verify this certificate",
           "verify_text": "Scan the code or open the address below: it checks the signed digital credential "
                          "and its current status.",
           "credential_id": "Credential id", "signed_note": "This certificate is a printout of a signed Open "
                                                              "Badges 3.0 credential; the digital credential is "
                                                              "the authoritative one.",
           "revoked": "REVOKED: the issuer has revoked this credential. It is no longer valid.",
           "suspended": "SUSPENDED: the issuer has suspended this credential. It is not valid while suspended.",
           "expired": "EXPIRED: this credential's validity period has ended.",
           "participation.onsite": "on site", "participation.online": "online",
           "participation.blended": "blended (online and on site)",
           "language.en": "English", "language.de": "German",
           "months": ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                      "October", "November", "December"], "date_format": "{day} {month} {year}",
           "decimal": "."},
    "de": {"doc_title": "Zertifikat", "certifies": "Hiermit wird bestätigt, dass", "completed": "erfolgreich abgeschlossen hat",
           "issued_by": "Ausgestellt von", "issued_on": "Ausgestellt am", "completed_on": "Abgeschlossen am",
           "valid_until": "Gültig bis", "no_expiry": "unbefristet", "skills": "Kompetenzen",
           "skill": "Kompetenz", "level": "Stufe", "level_value": "{level} von 5",
           "facts": "Angaben zum EU-Microcredential", "workload": "Arbeitsaufwand", "hours": "{hours} Stunden",
           "ects": "Leistungspunkte", "ects_value": "{ects} ECTS", "eqf": "EQR-Niveau",
           "participation": "Form der Teilnahme", "assessment": "Art der Prüfung", "grade": "Ergebnis",
           "quality": "Qualitätssicherung", "language": "Sprache", "code": "Kurskennung",
           "outcomes": "Lernergebnisse", "verify": "Zertifikat prüfen",
           "verify_text": "Code scannen oder die Adresse unten öffnen: Dort werden der signierte digitale "
                          "Nachweis und sein aktueller Status geprüft.",
           "credential_id": "Nachweis-ID", "signed_note": "Dieses Zertifikat ist ein Ausdruck eines signierten "
                                                            "Open-Badges-3.0-Nachweises; maßgeblich ist der "
                                                            "digitale Nachweis.",
           "revoked": "WIDERRUFEN: Der Aussteller hat diesen Nachweis widerrufen. Er ist nicht mehr gültig.",
           "suspended": "AUSGESETZT: Der Aussteller hat diesen Nachweis ausgesetzt. Er ist derzeit nicht gültig.",
           "expired": "ABGELAUFEN: Die Gültigkeitsdauer dieses Nachweises ist abgelaufen.",
           "participation.onsite": "Präsenz", "participation.online": "online",
           "participation.blended": "Blended Learning (online und in Präsenz)",
           "language.en": "Englisch", "language.de": "Deutsch",
           "months": ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
                      "Oktober", "November", "Dezember"], "date_format": "{day}. {month} {year}",
           "decimal": ","},
}


def _data_uri(media_type: str, data: bytes) -> str:
    return f"data:{media_type};base64,{base64.b64encode(data).decode('ascii')}"


@functools.lru_cache(maxsize=1024)
def _qr_data_uri(url: str) -> str:
    """The QR code (SVG) of ``url`` as a data: URI; cached, since drawing one takes ~20 ms."""
    return _data_uri("image/svg+xml", qr_svg(url))


def certificate_html(record, *, now: datetime) -> str:
    """The certificate page (HTML) of a :class:`~issuer.delivery.record.CredentialRecord`.

    ``now`` (aware) decides whether the credential has expired. The language is the course's
    (``record.language``) when it is one of :data:`LANGUAGES`, else English.
    """
    lang = record.language if record.language in LANGUAGES else "en"
    words = LABELS[lang]

    def date(moment):
        return words["date_format"].format(day=moment.day, month=words["months"][moment.month - 1], year=moment.year)

    def number(value):
        return (str(int(value)) if float(value).is_integer() else f"{value:g}").replace(".", words["decimal"])

    state = record.status if record.status in ("revoked", "suspended") else \
        "expired" if record.valid_until is not None and record.valid_until < now else None
    form = (record.participation_form or "").strip().lower()
    return _env.get_template("certificate.html").render(
        r=record, lang=lang, w=words, date=date, number=number, state=state,
        participation=words.get(f"participation.{form}", record.participation_form),
        course_language=words.get(f"language.{record.language}", record.language),
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
        with self._lock:
            pdf = self._items.get(key)
            if pdf is not None:
                self._items.move_to_end(key)
            return pdf

    def put(self, key: str, pdf: bytes) -> None:
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
        if self._cache is None:
            return html_to_pdf(self.html)
        return self._cache.get_or_render(self.key, lambda: html_to_pdf(self.html))
