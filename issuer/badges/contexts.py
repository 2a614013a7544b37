"""The JSON-LD contexts the service knows, bundled as package data.

Contexts are never fetched from the network: an unknown context URL is refused
(VC Data Integrity 1.0, section 4.5 "Validating Contexts"; security catalog DI-05).
``MANIFEST.json`` records, for each URL, the npm package the file was taken from, its
licence and sha256 (see ``scripts/bundle_contexts.py``).

Inline (embedded) context objects are accepted only when they equal one of
:data:`INLINE_CONTEXTS` member for member: the service's own EU micro-credential terms
(``contexts/eu-microcredential-inline.json``, see ``docs/eu-microcredential-terms.md``), which
every JSON-LD processor reads offline. ``https://w3id.org/skills-hub/eu-microcredential/v1`` is
kept bundled for reading credentials issued before the inline context; it is never issued.
"""
from __future__ import annotations

import json
from importlib import resources
from types import MappingProxyType
from typing import Mapping

__all__ = ["BUNDLED_CONTEXTS", "MANIFEST", "ContextNotAllowed", "document_loader", "make_loader",
           "VC_V1", "VC_V2", "OB_V3P0", "OB_CONTEXTS", "DATA_INTEGRITY_V2", "MULTIKEY_V1", "DID_V1",
           "ED25519_2020", "EU_MICROCREDENTIAL_V1", "EU_MICROCREDENTIAL_TERMS", "INLINE_CONTEXTS",
           "is_known_inline_context"]

VC_V2 = "https://www.w3.org/ns/credentials/v2"
VC_V1 = "https://www.w3.org/2018/credentials/v1"
OB_V3P0 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_CONTEXTS = frozenset({
    OB_V3P0,
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context.json",
})
DATA_INTEGRITY_V2 = "https://w3id.org/security/data-integrity/v2"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"
DID_V1 = "https://www.w3.org/ns/did/v1"
ED25519_2020 = "https://w3id.org/security/suites/ed25519-2020/v1"
EU_MICROCREDENTIAL_V1 = "https://w3id.org/skills-hub/eu-microcredential/v1"


class ContextNotAllowed(ValueError):
    """A document referenced a context URL that is not bundled."""

    def __init__(self, url: str):
        super().__init__(f"context {url!r} is not one of the bundled contexts; it is never fetched")
        self.url = url


def _load_bundle() -> tuple[Mapping[str, dict], Mapping[str, dict]]:
    root = resources.files("issuer") / "contexts"
    manifest = json.loads((root / "MANIFEST.json").read_text(encoding="utf-8"))
    docs = {url: json.loads((root / entry["file"]).read_text(encoding="utf-8")) for url, entry in manifest.items()}
    return MappingProxyType(docs), MappingProxyType(manifest)


BUNDLED_CONTEXTS, MANIFEST = _load_bundle()


def _canonical_json(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


EU_MICROCREDENTIAL_TERMS: Mapping = MappingProxyType(json.loads(
    (resources.files("issuer") / "contexts" / "eu-microcredential-inline.json").read_text(encoding="utf-8")))
"""The inline context object issued credentials carry as their third ``@context`` item."""

INLINE_CONTEXTS = (EU_MICROCREDENTIAL_TERMS,)
_INLINE_KEYS = frozenset(_canonical_json(dict(c)) for c in INLINE_CONTEXTS)


def is_known_inline_context(value: object) -> bool:
    """True when ``value`` is a dict equal (member for member) to one of :data:`INLINE_CONTEXTS`."""
    return isinstance(value, dict) and _canonical_json(value) in _INLINE_KEYS


def make_loader(extra: Mapping[str, dict] | None = None):
    """A pyld document loader serving bundled contexts (plus ``extra``) and refusing all else."""
    known = dict(BUNDLED_CONTEXTS)
    if extra:
        known.update(extra)

    def loader(url: str, options=None) -> dict:
        doc = known.get(url)
        if doc is None:
            raise ContextNotAllowed(url)
        return {"contextUrl": None, "documentUrl": url, "document": doc}

    loader.known = frozenset(known)  # type: ignore[attr-defined]
    loader.documents = MappingProxyType(known)  # type: ignore[attr-defined]
    return loader


document_loader = make_loader()
