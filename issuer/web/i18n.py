"""The pages' two languages (English, German): UI strings from ``translations/<lang>.json``.

The language is, in order: ``?lang=`` on the request (and then remembered in a cookie), the
``lang`` cookie, the best match of ``Accept-Language``, English. Only the interface is
translated; credential content is shown as the issuer wrote it.
"""
from __future__ import annotations

import json
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlencode

from flask import g, request

__all__ = ["LANGUAGES", "DEFAULT", "COOKIE", "current_language", "translate", "translate_or", "format_date",
           "format_number", "switch_links", "translations", "init_app"]

LANGUAGES = ("en", "de")
DEFAULT = "en"
COOKIE = "lang"
_DIR = Path(__file__).resolve().parent / "translations"


@lru_cache(maxsize=None)
def translations(lang: str) -> dict:
    return json.loads((_DIR / f"{lang}.json").read_text(encoding="utf-8"))


def _requested() -> str | None:
    value = request.args.get("lang")
    return value if value in LANGUAGES else None


def current_language() -> str:
    if "lang" not in g:
        cookie = request.cookies.get(COOKIE)
        g.lang = (_requested() or (cookie if cookie in LANGUAGES else None)
                  or request.accept_languages.best_match(LANGUAGES) or DEFAULT)
    return g.lang


def translate(key: str, **values) -> str:
    """The UI string ``key`` in the current language (English, then the key, as fallbacks)."""
    text = translations(current_language()).get(key)
    if not isinstance(text, str):
        text = translations(DEFAULT).get(key, key)
    return text.format(**values) if values else text


def translate_or(key: str, default: str) -> str:
    """The UI string ``key`` if there is one (for controlled vocabularies), else ``default``."""
    return translate(key) if key in translations(DEFAULT) else default


def _as_date(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).date()
        except ValueError:
            return None
    return None


def format_date(value) -> str:
    """A date as people read it ("4 May 2026", "4. Mai 2026"); unparseable text is shown as is."""
    day = _as_date(value)
    if day is None:
        return value if isinstance(value, str) else ""
    month = translations(current_language())["months"][day.month - 1]
    return translate("date_format", day=day.day, month=month, year=day.year)


def format_number(value) -> str:
    """``16.7`` as "16.7" or "16,7"; whole numbers without decimals."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    shown = f"{value:,.2f}".rstrip("0").rstrip(".") if value != int(value) else f"{int(value):,}"
    return shown.replace(",", "\u202f").replace(".", translate("decimal_separator"))


def switch_links() -> list[dict]:
    """The language switch: this page in each language (the query string is kept)."""
    args = {k: v for k, v in request.args.items() if k != "lang"}
    return [{"code": code, "label": translations(code)["language_name"], "current": code == current_language(),
             "href": f"{request.path}?{urlencode({**args, 'lang': code})}"} for code in LANGUAGES]


def _remember(response):
    chosen = _requested()
    if chosen and response.mimetype == "text/html" and request.cookies.get(COOKIE) != chosen:
        response.set_cookie(COOKIE, chosen, max_age=365 * 24 * 3600, samesite="Lax", httponly=True,
                            secure=request.is_secure)
    return response


def init_app(app) -> None:
    app.after_request(_remember)
    app.jinja_env.globals.update(t=translate, lang=current_language, language_links=switch_links, t_or=translate_or)
    app.jinja_env.filters.update(date=format_date, num=format_number)
