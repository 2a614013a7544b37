"""Names that show nothing: white space, invisible and format characters (security catalog P-06).

A learner, provider or course name must show at least one character. ``str.strip()`` removes white
space only, so a name made of zero-width spaces (U+200B), word joiners (U+2060), bidirectional marks
or Hangul fillers (U+3164, which render as blanks) would pass it and be issued looking empty.

:data:`BLANK_CLASS` is the set of such characters as a regular-expression class; the input schemas
(``schemas/*.schema.json``) use the same class in their ``pattern`` for catalogue text, so the
code and the published schemas agree (a test checks they stay equal).
"""
from __future__ import annotations

import re

__all__ = ["BLANK_CLASS", "VISIBLE_PATTERN", "is_blank"]

# White space (\s), soft hyphen, Arabic letter mark, Hangul choseong/jungseong fillers, Mongolian vowel
# separator, zero-width space/non-joiner/joiner, LRM/RLM, bidi embeddings, overrides and isolates,
# word joiner and invisible operators, Hangul filler, BOM, halfwidth Hangul filler.
BLANK_CLASS = ("\\s\\u00ad\\u061c\\u115f\\u1160\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064"
               "\\u2066-\\u2069\\u3164\\ufeff\\uffa0")
VISIBLE_PATTERN = f"[^{BLANK_CLASS}]"  # JSON Schema "pattern": at least one visible character
_VISIBLE = re.compile(VISIBLE_PATTERN)


def is_blank(text: str) -> bool:
    """True when ``text`` holds nothing but white space and invisible characters (it would show as empty)."""
    return _VISIBLE.search(text) is None
