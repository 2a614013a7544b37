"""The gettext catalogues (issue #14 §3): in step with the code, complete in every language, and
the messages picked by code at run time all exist."""
from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from issuer.verify.report import CHECK_ORDER
from issuer.web import i18n
from issuer.web.messages import MESSAGES

ROOT = Path(__file__).resolve().parents[2]
# the keywords of scripts/i18n (pybabel extract -k _l -k lazy_pgettext:1c,2 -k lazy_ngettext:1,2)
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_pgettext": ((1, "c"), 2), "lazy_ngettext": (1, 2)}
TRANSLATED = [lang for lang in i18n.LANGUAGES if lang != i18n.DEFAULT]
PLACEHOLDER = re.compile(r"%\((\w+)\)s|%%")


def _extracted() -> tuple[dict, set]:
    """(context, msgid) -> msgid (or (singular, plural)) of every message in the code, as pybabel
    extracts them; and the files they came from."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found, files = {}, set()
    for file, _line, message, _comments, context in extract_from_dir(
            ROOT / "issuer", method_map, options_map, keywords=KEYWORDS):
        singular = message if isinstance(message, str) else message[0]
        found[(context, singular)] = message
        files.add(Path(file).name)
    return found, files


EXTRACTED, SOURCES = _extracted()


def _catalogue(lang):
    with (resources.files("issuer") / "web" / "translations" / lang / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return read_po(po, locale=lang)


def test_extraction_finds_the_pages_messages():
    assert len(EXTRACTED) > 250
    assert (None, "Skip to content") in EXTRACTED and (None, "Awareness") in EXTRACTED  # template and messages.py
    assert ("elm fact", "Issued") in EXTRACTED


def test_every_template_with_messages_is_extracted():
    """A template pybabel cannot parse (say, a tag of an extension babel.cfg does not name) is
    skipped silently by the extractor: its messages would quietly fall out of the catalogues."""
    templates = {p.name for p in (ROOT / "issuer").rglob("templates/*.html")
                 if re.search(r"\b(_|gettext|ngettext|pgettext)\(", p.read_text(encoding="utf-8"))}
    assert templates and templates <= SOURCES, templates - SOURCES


@pytest.mark.parametrize("lang", TRANSLATED)
def test_catalogue_is_in_step_with_the_code(lang):
    """Every extracted message is in the catalogue and the catalogue has nothing else (run ./scripts/i18n)."""
    catalogue = {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in _catalogue(lang) if m.id}
    assert not set(EXTRACTED) - catalogue, f"missing in {lang}: {sorted(set(EXTRACTED) - catalogue, key=str)[:10]}"
    assert not catalogue - set(EXTRACTED), f"stale in {lang}: {sorted(catalogue - set(EXTRACTED), key=str)[:10]}"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_message_is_translated(lang):
    """A non-empty translation (every plural form), not fuzzy, with the same placeholders as the English text."""
    catalogue = _catalogue(lang)
    for message in catalogue:
        if not message.id:
            continue
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        assert strings and all(s.strip() for s in strings), f"{lang}: no translation of {message.id!r}"
        assert not message.fuzzy, f"{lang}: fuzzy translation of {message.id!r}"
        english = message.id if isinstance(message.id, str) else message.id[1]
        for text in strings:
            assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(english)) or \
                (not isinstance(message.id, str) and set(PLACEHOLDER.findall(text)) <= set(PLACEHOLDER.findall(english))), \
                f"{lang}: placeholders of {message.id!r} differ in {text!r}"
        if not isinstance(message.id, str):
            assert len(strings) == catalogue.num_plurals, f"{lang}: {message.id!r} needs {catalogue.num_plurals} forms"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_catalogue_compiles_and_translates(lang):
    translations = i18n.catalogue(lang)
    assert translations.ugettext("Skip to content") != "Skip to content"


def test_every_message_picked_at_run_time_exists():
    keys = set(MESSAGES)
    for check in CHECK_ORDER:
        assert {f"check.{check}.{s}" for s in ("title", "passed", "failed", "skipped")} <= keys
    dynamic = {f"status.{s}" for s in ("active", "suspended", "revoked", "expired")} | \
        {f"level.{n}" for n in range(1, 6)} | {f"check_status.{s}" for s in ("passed", "failed", "skipped")} | \
        {f"download.{d}{h}" for d in ("json", "jwt", "png", "svg", "pdf", "elm") for h in ("", ".hint")} | \
        {f"credential.banner.{s}.{p}" for s in ("suspended", "revoked", "expired") for p in ("title", "text")} | \
        {f"verdict.{v}.{p}" for v in ("verified", "revoked", "suspended", "expired", "not_yet_valid", "unreadable",
                                      "not_verified", "elm_unlinked", "elm_mismatch") for p in ("title", "text")}
    assert dynamic <= keys, dynamic - keys


def test_keys_in_templates_and_code_name_messages():
    """Literal keys given to msg() in templates, and message keys written in the web modules, exist."""
    web = ROOT / "issuer" / "web"
    used = set()
    for template in (web / "templates").glob("*.html"):
        used |= set(re.findall(r"\bmsg(?:_or)?\('([\w.\-]+)'\s*[,)]", template.read_text(encoding="utf-8")))
    for module in web.glob("*.py"):
        used |= {k for k in re.findall(r"\"((?:verify|verdict|trust|claim)\.[\w.\-]+)\"", module.read_text(encoding="utf-8"))
                 if not k.endswith((".", ".html"))}
    assert used and used <= set(MESSAGES), used - set(MESSAGES)
