"""Per-shape templates: JSON-LD to RDF once per document shape, then string substitution.

A document's *shape* is its structure with string leaves replaced by a class (IRI scheme,
keyword-like, or plain text), ``@context`` and ``type`` values kept exactly. The first time a
shape is seen, pyld expands a *probe* copy whose string leaves are unique markers and converts
it to RDF. A marker found exactly once in the expansion, as a whole ``@value`` or ``@id``, is a
slot that can take any value of the same class; other leaves are kept exactly in the cache key.
A template is kept only if filling it with the document's own values reproduces pyld's RDF for
the document itself, quad for quad.

Text direction: RDF conversion uses ``rdfDirection: "i18n-datatype"``, as the reference
``eddsa-rdfc-2022`` suite (and jsonld-signatures) do, so ``{"@value": v, "@language": "ar",
"@direction": "rtl"}`` becomes ``"v"^^<https://www.w3.org/ns/i18n#ar_rtl>`` instead of losing its
direction. ``@direction`` values are part of a shape (never slots), like ``@context`` and ``type``.
"""
from __future__ import annotations

import json
import re
import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass

from pyld import jsonld
from pyld.identifier_issuer import IdentifierIssuer

from . import rdfc
from ...badges.contexts import is_known_inline_context
from .safemode import expand_safe, is_absolute_iri

__all__ = ["NotCacheable", "shape_of", "dataset_of", "TemplateCache"]

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):(//)?")
_FROZEN_KEYS = frozenset({"@context", "type", "@type", "@direction"})
# JSON-LD 1.1 API §8.6 "Deserialize JSON-LD to RDF" with the rdfDirection of the reference suites
RDF_DIRECTION = "i18n-datatype"
_RDF_OPTIONS = {"produceGeneralizedRdf": False, "rdfDirection": RDF_DIRECTION, "processingMode": "json-ld-1.1"}
_MAX_SHAPES = 512
_MAX_VARIANTS = 64
_MAX_SEEN = 4096  # shape fingerprints remembered (8 bytes of hash each, plus dict overhead)


class NotCacheable(Exception):
    """Explicit blank node identifiers or unknown inline contexts: always processed in full."""


def _leaf_class(value: str):
    if value.startswith("_:"):
        raise NotCacheable
    m = _SCHEME.match(value)
    if m:
        return (m.group(1), bool(m.group(2)))
    return "@" if value.startswith("@") else ""


def _contains_blank_id(value) -> bool:
    if isinstance(value, str):
        return value.startswith("_:")
    if isinstance(value, list):
        return any(_contains_blank_id(v) for v in value)
    if isinstance(value, dict):
        return any(_contains_blank_id(v) for v in value.values())
    return False


def _frozen(value, key: str) -> str:
    inline = key == "@context" and not all(isinstance(v, str) or is_known_inline_context(v)
                                           for v in (value if isinstance(value, list) else [value]))
    if inline or _contains_blank_id(value):
        raise NotCacheable
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def shape_of(node, leaves: list):
    """The hashable shape of ``node``; appends its string leaves (in shape order) to ``leaves``."""
    if isinstance(node, dict):
        return ("d", tuple((k, _frozen(node[k], k) if k in _FROZEN_KEYS else shape_of(node[k], leaves))
                           for k in sorted(node)))
    if isinstance(node, list):
        return ("l", tuple(shape_of(item, leaves) for item in node))
    if isinstance(node, str):
        leaves.append(node)
        return ("s", _leaf_class(node))
    return ("v", type(node).__name__, node)


def _substitute(node, values):
    if isinstance(node, dict):
        return {k: (node[k] if k in _FROZEN_KEYS else _substitute(node[k], values)) for k in sorted(node)}
    if isinstance(node, list):
        return [_substitute(item, values) for item in node]
    if isinstance(node, str):
        return next(values)
    return node


def dataset_of(expanded: list) -> dict:
    """pyld's RDF dataset (JSON-LD 1.1 "Deserialize JSON-LD to RDF") of an expanded document."""
    processor = jsonld.JsonLdProcessor()
    issuer = IdentifierIssuer("_:b")
    node_map: dict = {"@default": {}}
    processor._create_node_map(expanded, node_map, "@default", issuer)
    return {name: processor._graph_to_rdf(graph, issuer, _RDF_OPTIONS)
            for name, graph in sorted(node_map.items())
            if name == "@default" or is_absolute_iri(name) or name.startswith("_:")}


def _term(component: dict) -> str:
    if component["type"] == "IRI":
        return rdfc.iri(component["value"])
    if component["type"] == "blank node":
        return component["value"]
    return rdfc.literal(component["value"], component.get("datatype"), component.get("language"))


def quads_of(dataset: dict) -> tuple[list[rdfc.Quad], list[dict]]:
    """The quads of a pyld RDF dataset as N-Quads tuples, and their object terms in the same order."""
    quads, objects = [], []
    for name, triples in dataset.items():
        graph = "" if name == "@default" else (name if name.startswith("_:") else rdfc.iri(name))
        for t in triples:
            quads.append((_term(t["subject"]), _term(t["predicate"]), _term(t["object"]), graph))
            objects.append(t["object"])
    return quads, objects


# A template term is a static string, or (kind, slot, datatype, language) filled at use.
@dataclass(frozen=True)
class _Template:
    quads: tuple            # tuple of 4-tuples of static strings or slot specs
    id_slots: frozenset
    objects: tuple          # pyld object dicts with slot specs, for the fallback

    def fill(self, leaves: list[str], colon_terms: frozenset) -> list[rdfc.Quad] | None:
        for slot in self.id_slots:
            value = leaves[slot]
            if not is_absolute_iri(value) or value in colon_terms:
                return None
        out = []
        for quad in self.quads:
            out.append(tuple(t if isinstance(t, str) else _render(t, leaves) for t in quad))
        return out

    def fill_objects(self, leaves: list[str]) -> list[dict]:
        return [o if "slot" not in o else {**o, "value": leaves[o["slot"]]} for o in self.objects]


def _render(spec, leaves) -> str:
    kind, slot, datatype, language = spec
    value = leaves[slot]
    return rdfc.iri(value) if kind == "I" else rdfc.literal(value, datatype, language)


def _marker(value: str, nonce: str, i: int) -> str:
    m = _SCHEME.match(value)
    if m:
        return f"{m.group(1)}:{m.group(2) or ''}{nonce}x{i}x"
    return f"@{nonce}x{i}x" if value.startswith("@") else f"{nonce}x{i}x"


def _slot_kinds(text: str, markers: list[str], candidates, leaves) -> dict[int, str]:
    kinds = {}
    for i in candidates:
        quoted = json.dumps(markers[i], ensure_ascii=False)
        if text.count(quoted) != 1:
            continue
        pos = text.index(quoted)
        if text.endswith('"@value":', 0, pos):
            kinds[i] = "@value"
        elif text.endswith('"@id":', 0, pos) and is_absolute_iri(leaves[i]):
            kinds[i] = "@id"
    return kinds


def _templatize(dataset: dict, marker_slot: dict[str, int]) -> _Template | None:
    quads, objects = [], []
    id_slots = set()
    for name, triples in dataset.items():
        graph = "" if name == "@default" else (name if name.startswith("_:") else rdfc.iri(name))
        for t in triples:
            terms = []
            for component in (t["subject"], t["predicate"], t["object"]):
                slot = marker_slot.get(component["value"])
                if slot is None:
                    terms.append(_term(component))
                elif component["type"] == "IRI":
                    terms.append(("I", slot, None, None))
                    id_slots.add(slot)
                else:
                    terms.append(("L", slot, component.get("datatype"), component.get("language")))
            quads.append((*terms, graph))
            obj = t["object"]
            slot = marker_slot.get(obj["value"])
            objects.append(dict(obj) if slot is None else {**obj, "slot": slot})
    return _Template(tuple(quads), frozenset(id_slots), tuple(objects))


def build_template(doc: dict, leaves: list[str], real_quads: list, loader):
    """(template, exact leaf indices), or None when no faithful template exists."""
    nonce = "m" + secrets.token_hex(8)
    markers = [_marker(v, nonce, i) for i, v in enumerate(leaves)]
    exact: set[int] = set()
    for _ in range(4):
        probe = _substitute(doc, iter([leaves[i] if i in exact else markers[i] for i in range(len(leaves))]))
        expanded = jsonld.expand(probe, {"documentLoader": loader, "base": None})
        kinds = _slot_kinds(json.dumps(expanded, ensure_ascii=False, separators=(",", ":")), markers,
                            [i for i in range(len(leaves)) if i not in exact], leaves)
        newly_exact = {i for i in range(len(leaves)) if i not in exact and i not in kinds}
        if not newly_exact:
            break
        exact |= newly_exact
    else:
        return None
    template = _templatize(dataset_of(expanded), {markers[i]: i for i in kinds})
    filled = template.fill(leaves, frozenset())
    if filled is None or sorted(filled) != sorted(real_quads):
        return None
    return template, tuple(sorted(exact))


def template_bytes(template: "_Template", leaves: list[str]) -> int:
    """A conservative estimate of the memory one cached template holds (bytes)."""
    size = 200 + 56 * len(leaves)
    for quad in template.quads:
        size += 120 + sum(49 + len(t) if isinstance(t, str) else 120 for t in quad)
    for obj in template.objects:
        size += 360 + sum(49 + len(v) for v in obj.values() if isinstance(v, str))
    return size


class TemplateCache:
    """Thread-safe LRU of templates by (shape, loader) and by the values of exact leaves, bounded by
    an estimate of the bytes it holds (:func:`template_bytes`); least recently used shapes go first."""

    def __init__(self, max_bytes: int = 32 * 1024 * 1024):
        self._shapes: OrderedDict = OrderedDict()  # key -> [exact, variants, bytes]
        self._seen: OrderedDict = OrderedDict()  # hash of a shape key seen once -> None (bounded)
        self._lock = threading.Lock()
        self.max_bytes = max_bytes
        self.bytes = 0
        self.evictions = 0
        self.hits = 0
        self.misses = 0

    def set_budget(self, max_bytes: int) -> None:
        with self._lock:
            self.max_bytes = max_bytes
            self._evict()

    def seen_before(self, key) -> bool:
        """True if ``key`` was offered before (since the last :meth:`clear`); records it if not."""
        fingerprint = hash(key)
        with self._lock:
            if fingerprint in self._seen:
                self._seen.move_to_end(fingerprint)
                return True
            self._seen[fingerprint] = None
            while len(self._seen) > _MAX_SEEN:
                self._seen.popitem(last=False)
            return False

    def lookup(self, key, leaves: list[str]):
        """The cached template for shape ``key`` whose fixed leaves equal ``leaves``, or ``None``."""
        with self._lock:
            entry = self._shapes.get(key)
            if entry is None:
                return None
            self._shapes.move_to_end(key)
            exact, variants, _ = entry
            hit = variants.get(tuple(leaves[i] for i in exact))
            return None if hit is None else hit[0]

    def store(self, key, leaves: list[str], template, exact: tuple) -> None:
        """Remember ``template`` for shape ``key`` (LRU per shape; ``exact`` identifies the shape's
        constant part); a template over a quarter of the byte budget is not kept."""
        size = template_bytes(template, leaves)
        if size > self.max_bytes // 4:  # one shape may never take more than a quarter of the cache
            return
        with self._lock:
            entry = self._shapes.get(key)
            if entry is None or entry[0] != exact:
                if entry is not None:
                    self.bytes -= entry[2]
                entry = [exact, OrderedDict(), 0]
                self._shapes[key] = entry
            self._shapes.move_to_end(key)
            variant = tuple(leaves[i] for i in exact)
            if variant in entry[1]:
                return
            entry[1][variant] = (template, size)
            entry[2] += size
            self.bytes += size
            if len(entry[1]) > _MAX_VARIANTS:
                _, (_, dropped) = entry[1].popitem(last=False)
                entry[2] -= dropped
                self.bytes -= dropped
            self._evict()

    def _evict(self) -> None:
        while self._shapes and (self.bytes > self.max_bytes or len(self._shapes) > _MAX_SHAPES):
            _, entry = self._shapes.popitem(last=False)
            self.bytes -= entry[2]
            self.evictions += 1

    def info(self) -> dict:
        """``{"shapes", "hits", "misses", "bytes", "max_bytes", "evictions"}``."""
        return {"shapes": len(self._shapes), "hits": self.hits, "misses": self.misses, "bytes": self.bytes,
                "max_bytes": self.max_bytes, "evictions": self.evictions}

    def clear(self) -> None:
        """Forget every template and reset the counters."""
        with self._lock:
            self._shapes.clear()
            self._seen.clear()
            self.bytes = 0
            self.hits = self.misses = self.evictions = 0


def expand_to_quads(doc: dict, loader) -> tuple[list, list]:
    """Safe-mode expansion and RDF conversion by pyld (the reference path)."""
    return quads_of(dataset_of(expand_safe(doc, loader)))
