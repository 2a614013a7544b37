"""The interface languages (issuer.i18n): gettext catalogues compiled from the PO files and CLDR
formats through Babel; no Flask."""
from __future__ import annotations

from datetime import date

import pytest

from issuer import i18n


@pytest.mark.parametrize("tag,expected", [("de-AT", "de"), ("FR", "fr"), ("cs", "cs"), ("pt-BR", "en"), ("", "en"),
                                          (None, "en"), (7, "en")])
def test_supported_picks_the_primary_subtag_or_english(tag, expected):
    assert i18n.supported(tag) == expected


@pytest.mark.parametrize("lang", [lang for lang in i18n.LANGUAGES if lang != i18n.DEFAULT])
def test_every_language_has_a_compiled_catalogue(lang):
    catalogue = i18n.catalogue(lang)
    assert catalogue.gettext("Verify") != "Verify" and catalogue.gettext("Skills") != "Skills"
    assert catalogue.gettext("Choose a PNG or SVG file.") != "Choose a PNG or SVG file."


def test_english_is_the_source_language():
    assert i18n.catalogue("en").gettext("Skills") == "Skills"


def test_cldr_dates_numbers_and_language_names():
    day = date(2026, 5, 4)
    assert i18n.long_date(day, "en") == "4 May 2026"
    assert i18n.long_date(day, "de") == "4. Mai 2026"
    assert i18n.decimal(16.666, "de") == "16,67" and i18n.decimal(1234, "en") == "1,234"
    assert i18n.language_name("de", "en") == "German" and i18n.language_name("de", "fr") == "Allemand"
    assert i18n.language_name("x-unknown-tag", "en") == "x-unknown-tag" and i18n.language_name(None, "en") == ""
