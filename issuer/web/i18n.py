"""The pages' languages, with Flask-Babel and gettext catalogues (GNU gettext PO files).

Languages: English (the source language: English strings are the msgids), German, French,
Italian, Spanish and Czech. The language of a request is, in order: ``?lang=`` (then remembered
in the ``lang`` cookie), the ``lang`` cookie, the best match of ``Accept-Language``, English.
``<html lang>`` is :func:`current_language`.

Catalogues live in ``web/translations/<lang>/LC_MESSAGES/messages.po`` (``babel.cfg`` and
``scripts/i18n`` extract and update them with ``pybabel``); :mod:`issuer.i18n` compiles them in
memory, so there are no ``.mo`` files to build or to keep in step.

Templates use ``_()``/``gettext``, ``ngettext`` and ``pgettext`` (Jinja's "newstyle" gettext:
``_('%(n)s hours', n=…)``; a literal ``%`` is ``%%``) and, for a message picked by a code at run
time (a check id, a status), ``msg('status.revoked')`` from :mod:`.messages`. The values filled
in are autoescaped and lose bidirectional controls and invisible characters, like every other
value a page shows. Dates and numbers are formatted per locale (Babel/CLDR): ``|date`` and
``|num``. Only the interface is translated; a credential's content is shown as its issuer wrote it.
"""
from __future__ import annotations

from datetime import date, datetime
from urllib.parse import urlencode

from babel import Locale, support
from flask import g, has_request_context, request
from flask_babel import Babel, Domain, format_date as babel_format_date, format_decimal, get_locale
from jinja2 import pass_context
from markupsafe import Markup

from ..i18n import DEFAULT, LANGUAGES, LOCALES, catalogue, language_name as _language_name
from ..skills.search import best_text
from ..verify.trust import strip_hidden
from .messages import lookup

__all__ = ["LANGUAGES", "DEFAULT", "COOKIE", "LOCALES", "current_language", "catalogue", "format_date",
           "format_number", "language_name", "country_name", "localized", "switch_links", "init_app"]

COOKIE = "lang"


class _PoDomain(Domain):
    """Flask-Babel's message domain, reading :func:`catalogue` instead of compiled ``.mo`` files."""

    def get_translations(self):
        return catalogue(current_language()) if has_request_context() else support.NullTranslations()


def _requested() -> str | None:
    value = request.args.get("lang")
    return value if value in LANGUAGES else None


def current_language() -> str:
    """The page language of the current request (a code of :data:`LANGUAGES`)."""
    if "lang" not in g:
        cookie = request.cookies.get(COOKIE)
        g.lang = (_requested() or (cookie if cookie in LANGUAGES else None)
                  or request.accept_languages.best_match(LANGUAGES) or DEFAULT)
    return g.lang


def _locale_selector() -> str:
    return LOCALES[current_language()]


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
    """A date (``date``, ``datetime`` or ISO 8601 text) in the page's locale, CLDR "long" form:
    "4 May 2026", "4. Mai 2026", "4 mai 2026", "4. května 2026". Unparseable text is shown as is."""
    day = _as_date(value)
    if day is None:
        return value if isinstance(value, str) else ""
    return babel_format_date(day, format="long")


def format_number(value) -> str:
    """A number in the page's locale: ``16.7`` as "16.7" or "16,7", thousands grouped, at most
    two decimals, whole numbers without decimals. Anything else is shown with ``str``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    return format_decimal(value, format="#,##0.##")


def language_name(code, in_language: str | None = None) -> str:
    """The name of the language ``code`` (BCP 47, e.g. "de", "pt-BR") in the page language, e.g.
    "German" or "Deutsch", from CLDR; ``code`` itself when Babel does not know it."""
    return _language_name(code, in_language or current_language())


def country_name(code) -> str:
    """The name of the country ``code`` (ISO 3166-1 alpha-2) in the page language, from CLDR
    ("Germany", "Deutschland", "Allemagne"); the code itself when CLDR does not know it."""
    if not isinstance(code, str):
        return ""
    return Locale.parse(LOCALES[current_language()]).territories.get(code.upper(), code)


def localized(course, field: str = "title") -> str:
    """A course's ``field`` ("title" or "description") in the best language for the page (issue
    #14 §3): ``course`` is a ``Course`` row, a catalogue dict, or a course reference with
    ``titles``; see :func:`issuer.skills.search.best_text`."""
    if isinstance(course, dict):
        data = dict(course)
        if "titles" in course and "translations" not in course:
            data["translations"] = {tag: {"title": title} for tag, title in course["titles"].items()}
    else:
        data = {"title": course.title, "description": course.description, "language": course.language,
                "translations": course.translations}
    return best_text(data, field, current_language())


def switch_links() -> list[dict]:
    """The language switch: this page in each language (the query string is kept), each link
    labelled with the language's own name ("Deutsch", "Français", ...)."""
    args = {k: v for k, v in request.args.items() if k != "lang"}
    return [{"code": code, "label": language_name(code, code), "current": code == current_language(),
             "href": f"{request.path}?{urlencode({**args, 'lang': code})}"} for code in LANGUAGES]


def _clean(values: dict) -> dict:
    return {k: strip_hidden(v) if isinstance(v, str) and not isinstance(v, Markup) else v for k, v in values.items()}


def _finish(context, text: str, values: dict):
    """Jinja newstyle gettext: autoescaped, always %-formatted, the values cleaned of hidden characters."""
    if context.eval_ctx.autoescape:
        text = Markup(text)
    return text % _clean(values)


@pass_context
def _gettext(context, message: str, /, **values):
    return _finish(context, catalogue(current_language()).ugettext(message), values)


@pass_context
def _ngettext(context, singular: str, plural: str, count: int, /, **values):
    values.setdefault("num", count)
    return _finish(context, catalogue(current_language()).ungettext(singular, plural, count), values)


@pass_context
def _pgettext(context, ctx: str, message: str, /, **values):
    return _finish(context, catalogue(current_language()).upgettext(ctx, message), values)


@pass_context
def _message(context, key: str, /, **values):
    """``msg(key, ...)``: the message of :mod:`.messages` named ``key``; the key itself if none."""
    found = lookup(key)
    return _finish(context, str(found), values) if found is not None else key


@pass_context
def _message_or(context, key: str, default):
    """``msg_or(key, default)``: the message named ``key`` if there is one (a controlled
    vocabulary such as the form of participation), else ``default`` as given."""
    found = lookup(key)
    return _finish(context, str(found), {}) if found is not None else default


def _remember(response):
    chosen = _requested()
    if chosen and response.mimetype == "text/html" and request.cookies.get(COOKIE) != chosen:
        response.set_cookie(COOKIE, chosen, max_age=365 * 24 * 3600, samesite="Lax", httponly=True,
                            secure=request.is_secure)
    return response


def init_app(app) -> None:
    """Flask-Babel with the locale selector above, gettext in the templates, ``|date``, ``|num``."""
    babel = Babel(app, locale_selector=_locale_selector, configure_jinja=False)
    babel.domain_instance = _PoDomain()
    app.jinja_env.add_extension("jinja2.ext.i18n")
    app.jinja_env.newstyle_gettext = True
    app.jinja_env.globals.update(_=_gettext, gettext=_gettext, ngettext=_ngettext, pgettext=_pgettext,
                                 lang=current_language, language_links=switch_links, language_name=language_name,
                                 msg=_message, msg_or=_message_or, localized=localized, country_name=country_name,
                                 locale=get_locale)
    app.jinja_env.filters.update(date=format_date, num=format_number, country_name=country_name)
    app.after_request(_remember)
