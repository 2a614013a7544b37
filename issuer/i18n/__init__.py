"""The interface languages and their gettext catalogues, for pages and printed certificates (no Flask).

GNU gettext PO files (https://www.gnu.org/software/gettext/manual/html_node/PO-Files.html) in
``issuer/web/translations/<lang>/LC_MESSAGES/messages.po``, with English source strings as msgids;
dates, numbers and language names follow the Unicode CLDR (https://cldr.unicode.org/) through Babel.
The catalogues are compiled in memory from the ``.po`` files the first time a language is used in a
process: there are no ``.mo`` files to build or to keep in step (fuzzy entries are left out, as
``pybabel compile`` leaves them out). :mod:`issuer.web.i18n` picks the language of a request.
"""
from __future__ import annotations

import io
from functools import lru_cache
from importlib import resources

from babel import Locale, support
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

__all__ = ["LANGUAGES", "DEFAULT", "LOCALES", "catalogue", "supported", "long_date", "decimal", "language_name"]

LANGUAGES = ("en", "de", "fr", "it", "es", "cs")
DEFAULT = "en"
# Formatting locale (CLDR) per language: English dates the European way ("4 May 2026").
LOCALES = {"en": "en_GB", "de": "de_DE", "fr": "fr_FR", "it": "it_IT", "es": "es_ES", "cs": "cs_CZ"}
_CATALOGUES = resources.files("issuer") / "web" / "translations"


@lru_cache(maxsize=None)
def catalogue(lang: str) -> support.Translations | support.NullTranslations:
    """The gettext translations of ``lang`` (one of :data:`LANGUAGES`), compiled from its PO file.

    English, the source language, has no catalogue: its msgids are the text. Raises
    ``FileNotFoundError`` for a language whose catalogue is missing."""
    if lang == DEFAULT:
        return support.NullTranslations()
    with (_CATALOGUES / lang / "LC_MESSAGES" / "messages.po").open("rb") as po:
        parsed = read_po(po, locale=lang)
    compiled = io.BytesIO()
    write_mo(compiled, parsed)  # fuzzy entries are not written (use_fuzzy=False)
    compiled.seek(0)
    return support.Translations(compiled, domain="messages")


def supported(tag: str | None) -> str:
    """The interface language for a BCP 47 tag: its primary subtag if it is one of
    :data:`LANGUAGES` ("de-AT" → "de"), else English."""
    primary = tag.split("-")[0].lower() if isinstance(tag, str) and tag else DEFAULT
    return primary if primary in LANGUAGES else DEFAULT


def long_date(day, lang: str) -> str:
    """A ``date`` in CLDR's "long" form for ``lang``: "4 May 2026", "4. Mai 2026", "4 mai 2026"."""
    return format_date(day, format="long", locale=LOCALES[lang])


def decimal(value: float | int, lang: str) -> str:
    """A number for ``lang``: at most two decimals, grouped thousands ("16.7", "16,7", "1 234")."""
    return format_decimal(value, format="#,##0.##", locale=LOCALES[lang])


def language_name(code, lang: str) -> str:
    """The name of the language ``code`` (BCP 47) in ``lang``, capitalised ("German", "Deutsch",
    "allemand" → "Allemand"); ``code`` itself when CLDR does not know it."""
    if not isinstance(code, str) or not code or len(code) > 35:
        return code if isinstance(code, str) else ""
    try:
        name = Locale.parse(code.replace("-", "_")).get_display_name(lang)
    except (ValueError, TypeError):
        return code
    return name[:1].upper() + name[1:] if name else code
