"""Strict JSON parsing shared by the API and the verifier (I-JSON, RFC 7493)."""
from __future__ import annotations

import json
import re

__all__ = ["JsonError", "strict_loads", "MAX_DEPTH"]

MAX_DEPTH = 64
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKETS = re.compile(r"[^\[\]{}]+")


class JsonError(ValueError):
    """Not acceptable JSON: syntax, duplicate members, NaN/Infinity, nesting, lone surrogates."""


def _no_duplicates(pairs):
    out = {}
    for key, value in pairs:
        if key in out:
            raise JsonError(f"duplicate JSON member {key!r}")
        out[key] = value
    return out


def _parse_constant(name):
    raise JsonError(f"{name} is not valid JSON")


def _parse_float(text: str):
    # JSON-LD in JavaScript cannot tell 3.0 from 3: integral numbers become ints, as there,
    # so that canonicalization gives the same RDF as jsonld.js.
    value = float(text)
    return int(value) if value.is_integer() and abs(value) < 1e21 else value


_SURROGATE = re.compile("[\ud800-\udfff]")


def _check_tree(value, limit: int) -> None:
    """Nesting depth, and no lone surrogates (``"\\ud800"``) in any string or member name:
    I-JSON (RFC 7493 §2.1) forbids them, UTF-8 cannot encode them, and databases refuse them."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            raise JsonError(f"JSON nesting deeper than {limit} levels")
        if isinstance(node, str):
            if _SURROGATE.search(node):
                raise JsonError("a string holds a lone UTF-16 surrogate (such as \\ud800), which is not a character")
        elif isinstance(node, dict):
            stack.extend((k, depth) for k in node)
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)


def strict_loads(data: bytes | str, *, max_depth: int = MAX_DEPTH):
    """Parse I-JSON (RFC 7493): UTF-8 only, no duplicate member names, no NaN/Infinity, at most
    ``max_depth`` levels of nesting; integral numbers become ints. Raises :class:`JsonError`."""
    if isinstance(data, (bytes, bytearray)):
        try:
            data = bytes(data).decode("utf-8")
        except UnicodeDecodeError:
            raise JsonError("not UTF-8") from None
    if data.startswith("\ufeff"):
        data = data[1:]
    # Bound nesting before the recursive parser sees it: drop string literals (a linear regex, in
    # C), then walk only the brackets left.
    depth = worst = 0
    for ch in _NOT_BRACKETS.sub("", _STRINGS.sub("", data)):
        if ch in "[{":
            depth += 1
            if depth > worst:
                worst = depth
                if depth > max_depth:
                    raise JsonError(f"JSON nesting deeper than {max_depth} levels")
        else:
            depth -= 1
    try:
        value = json.loads(data, object_pairs_hook=_no_duplicates, parse_constant=_parse_constant,
                           parse_float=_parse_float)
    except JsonError:
        raise
    except (ValueError, RecursionError) as exc:
        raise JsonError(f"not valid JSON: {exc}") from None
    # The tree walk (depth with scalars, lone surrogates) is needed only when the text came near the
    # depth limit or can hold a surrogate at all (raw, or as a \\uD800-\\uDFFF escape).
    if worst >= max_depth or _SURROGATE.search(data) or _SURROGATE_ESCAPE.search(data):
        _check_tree(value, max_depth)
    return value
