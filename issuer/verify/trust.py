"""Issuer trust: who issued a credential, as far as this service can tell (pure, no I/O).

A valid signature proves only that the holder of the issuer's key signed the credential; anyone can
make a fresh ``did:key`` and call it "Academy of Electromobility". So the verification report
carries ``issuerTrust`` with one of three levels (security catalog P-05 and T-04; 1EdTech
openbadges-specification#93, #451; the DCC verifier's "known issuer registry" step):

* ``hosted``: the issuer is one of this service's issuer profiles (its did:web, or its did:key);
* ``known``: the issuer's DID is in a trust list the operator configured (``ISSUER_TRUST_LIST``);
* ``unknown``: neither; the name in the credential is only the credential's own claim.

Trust lists are JSON files in one of two shapes::

    {"issuers": [{"id": "<DID>", "name": "...", "url"?: "..."}]}               (this project)
    {"meta": {...}, "entries" | "registry": {"<DID>": {"name", "url"?, "location"?}}}
                                                                                (DCC issuer registry)

Names are also checked for display tricks: bidirectional controls and invisible characters are
removed (:func:`display_name`), and a name that looks like a hosted or known issuer's name
(same letters after mapping look-alike characters, Unicode TR39 style) while the DID differs is
flagged ``impersonation``.
"""
from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

from confusable_homoglyphs import confusables

__all__ = ["HOSTED", "KNOWN", "UNKNOWN", "TrustedIssuer", "TrustList", "TrustListError", "display_name",
           "name_skeleton", "strip_hidden", "has_direction_controls", "issuer_trust", "issuer_id_of", "trust_list_paths"]

HOSTED, KNOWN, UNKNOWN = "hosted", "known", "unknown"

# Bidirectional formatting characters (Unicode UAX #9 §2: embeddings, overrides, isolates, marks)
# and invisible characters that can hide or reorder what a name shows. ZWNJ and ZWJ (U+200C, U+200D)
# stay: Persian, Indic scripts and emoji sequences need them.
_HIDDEN = re.compile("[\u061c\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
_DIRECTION_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


class TrustListError(ValueError):
    """A trust list that cannot be used (its file, its JSON, its shape)."""


@dataclass(frozen=True)
class TrustedIssuer:
    """An issuer this service can vouch for: ``source`` is ``"hosted"`` or the trust list's name."""

    id: str
    name: str
    source: str
    url: str | None = None


class TrustList:
    """DIDs with names, from one or more trust list documents (first listing of a DID wins)."""

    def __init__(self, entries: Iterable[TrustedIssuer] = ()) -> None:
        self._entries: dict[str, TrustedIssuer] = {}
        for entry in entries:
            self._entries.setdefault(entry.id, entry)

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, did: str) -> TrustedIssuer | None:
        """The trusted issuer with DID ``did``, or ``None``."""
        return self._entries.get(did)

    def entries(self) -> list[TrustedIssuer]:
        """Every trusted issuer, in the order the lists named them (first entry of a DID wins)."""
        return list(self._entries.values())

    @classmethod
    def from_document(cls, data, source: str) -> "TrustList":
        """Parse either supported shape (see the module docstring); raise :class:`TrustListError`."""
        found: list[TrustedIssuer] = []
        if isinstance(data, dict) and isinstance(data.get("issuers"), list):
            for i, item in enumerate(data["issuers"]):
                if not (isinstance(item, dict) and _is_did(item.get("id")) and _is_name(item.get("name"))):
                    raise TrustListError(f"{source}: issuers[{i}] needs a DID 'id' and a 'name'")
                found.append(TrustedIssuer(item["id"], item["name"], source, _url(item.get("url"))))
        elif isinstance(data, dict) and isinstance(data.get("entries", data.get("registry")), dict):
            registry = data.get("entries", data.get("registry"))
            for did, item in registry.items():
                if not (_is_did(did) and isinstance(item, dict) and _is_name(item.get("name"))):
                    raise TrustListError(f"{source}: entry {did[:80]!r} needs a DID key and a 'name'")
                found.append(TrustedIssuer(did, item["name"], source, _url(item.get("url"))))
        else:
            raise TrustListError(f"{source}: expected {{\"issuers\": [...]}} or a DCC registry "
                                 "{\"meta\", \"entries\": {DID: {\"name\", ...}}}")
        return cls(found)

    @classmethod
    def from_documents(cls, documents: Iterable[tuple[str, object]]) -> "TrustList":
        """One list from ``[(source name, document), ...]``; the first listing of a DID wins."""
        return cls(entry for source, data in documents for entry in cls.from_document(data, source).entries())


def trust_list_paths(config: dict) -> list[str]:
    """The trust list files named by ``config["TRUST_LIST"]``: a list, or one string with the
    paths separated by ``os.pathsep`` (``:`` on POSIX)."""
    value = config.get("TRUST_LIST")
    if not value:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return [part for part in str(value).split(os.pathsep) if part]


def _is_did(value) -> bool:
    return isinstance(value, str) and value.startswith("did:") and len(value) <= 2000


def _is_name(value) -> bool:
    return isinstance(value, str) and bool(value.strip()) and len(value) <= 500


def _url(value) -> str | None:
    return value if isinstance(value, str) and value.startswith("https://") and len(value) <= 2000 else None


def strip_hidden(text: str) -> str:
    """``text`` without bidirectional controls and invisible characters (see :data:`_HIDDEN`)."""
    return _HIDDEN.sub("", text)


def has_direction_controls(text: str) -> bool:
    """True when ``text`` holds bidirectional embeddings, overrides or isolates (U+202A-202E,
    U+2066-2069), which reorder what follows them; names refuse them (security catalog P-06)."""
    return bool(_DIRECTION_CONTROLS.search(text))


def display_name(value, limit: int = 300) -> str | None:
    """``value`` as it may be shown: NFC, without bidirectional controls or invisible characters,
    other control characters as spaces, trimmed and cut to ``limit``; None when nothing is left."""
    if not isinstance(value, str):
        return None
    text = _HIDDEN.sub("", unicodedata.normalize("NFC", value[: limit * 4]))
    text = "".join(" " if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch for ch in text)
    text = " ".join(text.split())[:limit]
    return text or None


def _latin_homoglyph(ch: str) -> str:
    found = confusables.is_confusable(ch, preferred_aliases=["latin"], greedy=False)
    if found and found[0]["homoglyphs"]:
        return found[0]["homoglyphs"][0]["c"]
    return ch


@lru_cache(maxsize=4096)
def name_skeleton(value: str) -> str:
    """A comparison key: NFKC, look-alike letters mapped to Latin ones (Unicode confusables data),
    case-folded, only letters and digits kept: "Асаdemy" with Cyrillic А, с, а gives "academy"."""
    text = display_name(value, 500) or ""
    text = unicodedata.normalize("NFKC", text)
    mapped = "".join(ch if ch.isascii() else _latin_homoglyph(ch) for ch in text)
    return "".join(ch for ch in mapped.casefold() if ch.isalnum())


def _mixed_script(value: str) -> bool:
    return bool(confusables.is_dangerous(value))


def issuer_id_of(credential) -> str | None:
    """The issuer's id (a string or ``issuer.id``) of a parsed credential."""
    if not isinstance(credential, dict):
        return None
    issuer = credential.get("issuer")
    value = issuer.get("id") if isinstance(issuer, dict) else issuer
    return value if isinstance(value, str) and len(value) <= 2000 else None


def _claimed_name(credential) -> str | None:
    issuer = credential.get("issuer") if isinstance(credential, dict) else None
    return issuer.get("name") if isinstance(issuer, dict) and isinstance(issuer.get("name"), str) else None


def issuer_trust(credential, *, hosted: Callable[[str], TrustedIssuer | None], known: TrustList,
                 reference_names: Callable[[], Iterable[TrustedIssuer]] = lambda: ()) -> dict:
    """The ``issuerTrust`` member of a verification report::

        {"level": "hosted" | "known" | "unknown", "issuer": DID or null,
         "claimedName": the credential's issuer name (display-safe) or null,
         "name"?: the name this service or the trust list gives the DID,
         "source"?: "hosted" or the trust list's file name, "url"?: https URL,
         "warnings": ["bidi-controls" | "mixed-script" | "impersonation", ...],
         "resembles"?: the hosted or known name the claimed name imitates}

    ``hosted(did)`` answers this service's issuers; ``known`` is the operator's trust list;
    ``reference_names()`` lists the hosted and known issuers whose names must not be imitated.
    """
    did = issuer_id_of(credential)
    raw_name = _claimed_name(credential)
    out: dict = {"level": UNKNOWN, "issuer": did, "claimedName": display_name(raw_name), "warnings": []}
    entry = None
    if did:
        entry = hosted(did)
        if entry is not None:
            out["level"] = HOSTED
        else:
            entry = known.get(did)
            if entry is not None:
                out["level"] = KNOWN
    if entry is not None:
        out.update(name=display_name(entry.name), source=entry.source)
        if entry.url:
            out["url"] = entry.url
    if raw_name is not None:
        if _HIDDEN.search(raw_name):
            out["warnings"].append("bidi-controls")
        if _mixed_script(raw_name):
            out["warnings"].append("mixed-script")
        if entry is None or name_skeleton(entry.name) != name_skeleton(raw_name):
            claimed = name_skeleton(raw_name)
            for other in reference_names():
                if claimed and other.id != did and name_skeleton(other.name) == claimed:
                    out["warnings"].append("impersonation")
                    out["resembles"] = display_name(other.name)
                    break
    return out
