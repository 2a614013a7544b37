"""RDF Dataset Canonicalization (RDFC-1.0), https://www.w3.org/TR/rdf-canon/.

Quads here are tuples ``(subject, predicate, object, graph)`` of serialized N-Quads terms
(``<iri>``, ``_:label``, ``"literal"^^<datatype>``; graph ``""`` for the default graph).

:func:`canonicalize` runs the algorithm's first phase itself (section 4.4.3 steps 1-5: the
"Hash First Degree Quads" of every blank node, section 4.6): when every blank node's hash is
unique - the case for credentials, whose blank nodes are tree-shaped and carry distinct
content - that already fixes all canonical labels. Otherwise it hands the dataset to pyld's
full implementation (Hash N-Degree Quads). The output is canonical N-Quads with the escaping of
RDFC-1.0 / RDF 1.2 N-Quads (as rdf-canonize does); pyld's own serializer is patched to match.
"""
from __future__ import annotations

import hashlib
import re

import pyld.nquads
from pyld.canon import URDNA2015

__all__ = ["escape_literal", "literal", "iri", "canonicalize", "canonicalize_unique", "full", "Quad"]

Quad = tuple[str, str, str, str]

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_ECHAR = {"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r", '"': '\\"', "\\": "\\\\"}
_NEEDS_ESCAPE = re.compile(r'[\x00-\x1f\x7f"\\]')


def _escape_char(match: re.Match) -> str:
    ch = match.group(0)
    return _ECHAR.get(ch) or f"\\u{ord(ch):04X}"


def escape_literal(value: str) -> str:
    """String literal escaping of canonical N-Quads (ECHAR for b t n f r " \\, UCHAR for other controls)."""
    return _NEEDS_ESCAPE.sub(_escape_char, value) if _NEEDS_ESCAPE.search(value) else value


# pyld escapes only \\ \t \n \r ": make its serializer (used by its canonicalizer) conform too.
pyld.nquads.escape = escape_literal


def literal(value: str, datatype: str | None, language: str | None = None) -> str:
    """An N-Quads literal term (RDF 1.1 N-Quads §3): escaped, with ``@language`` or a ``^^<datatype>``
    that is not ``xsd:string``."""
    text = f'"{escape_literal(value)}"'
    if language:
        return f"{text}@{language}"
    if datatype and datatype not in (_XSD_STRING, _RDF_LANGSTRING):
        return f"{text}^^<{datatype}>"
    return text


def iri(value: str) -> str:
    """An N-Quads IRI term: ``<value>``."""
    return f"<{value}>"


def _line(s: str, p: str, o: str, g: str) -> str:
    return f"{s} {p} {o} {g} .\n" if g else f"{s} {p} {o} .\n"


def _first_degree_hash(node: str, quads: list[Quad]) -> str:
    lines = []
    for s, p, o, g in quads:
        s = ("_:a" if s == node else "_:z") if s[:2] == "_:" else s
        o = ("_:a" if o == node else "_:z") if o[:2] == "_:" else o
        g = ("_:a" if g == node else "_:z") if g[:2] == "_:" else g
        lines.append(_line(s, p, o, g))
    lines.sort()
    return hashlib.sha256("".join(lines).encode("utf-8")).hexdigest()


def _to_pyld(term: str) -> dict:
    if term[:2] == "_:":
        return {"type": "blank node", "value": term}
    if term[0] == "<":
        return {"type": "IRI", "value": term[1:-1]}
    raise ValueError("literal outside object position")


def full(quads: list[Quad], objects: list[dict]) -> str:
    """pyld's complete RDFC-1.0 (URDNA2015) for datasets with shared first-degree hashes."""
    dataset: dict[str, list] = {}
    for (s, p, o, g), obj in zip(quads, objects):
        dataset.setdefault(g or "@default", []).append(
            {"subject": _to_pyld(s), "predicate": _to_pyld(p), "object": obj})
    graphs = {("@default" if k == "@default" else (k if k[:2] == "_:" else k[1:-1])): v for k, v in dataset.items()}
    return URDNA2015().main(graphs, {"format": "application/n-quads"})


def canonicalize(quads: list[Quad], objects: list[dict] | None = None) -> str:
    """Canonical N-Quads of ``quads``; ``objects`` (pyld object dicts) are needed only for the fallback.

    ``objects`` may be a callable returning them, to avoid building them on the fast path.
    """
    fast = canonicalize_unique(quads)
    if fast is not None:
        return fast
    return full(quads, objects() if callable(objects) else objects)


def canonicalize_unique(quads: list[Quad]) -> str | None:
    """Canonical N-Quads when every blank node's first-degree hash is unique (linear time), else ``None``.

    ``None`` means the full algorithm (:func:`full`, exponential in the worst case) is needed.
    """
    mentions: dict[str, list[Quad]] = {}
    for quad in quads:
        s, _, o, g = quad
        for term in (s, o, g):
            if term[:2] == "_:":
                bucket = mentions.setdefault(term, [])
                if not bucket or bucket[-1] is not quad:
                    bucket.append(quad)
    if mentions:
        hashes = sorted((_first_degree_hash(node, qs), node) for node, qs in mentions.items())
        if any(hashes[i][0] == hashes[i + 1][0] for i in range(len(hashes) - 1)):
            return None
        label = {node: f"_:c14n{i}" for i, (_, node) in enumerate(hashes)}
        out = [_line(label.get(s, s), p, label.get(o, o), label.get(g, g)) for s, p, o, g in quads]
    else:
        out = [_line(s, p, o, g) for s, p, o, g in quads]
    out.sort()
    return "".join(out)
