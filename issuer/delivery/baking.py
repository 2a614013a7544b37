"""Bake an OpenBadgeCredential into a PNG or SVG image, and get it back out.

Open Badges 3.0 §5.3 (Baked Badge):

* §5.3.1 PNG: one ``iTXt`` chunk with keyword ``openbadgecredential``, compression flag 0 ("Compression
  MUST NOT be used"), empty language tag and translated keyword; the text is the compact JWS (VC-JWT) or
  the credential JSON (embedded proof). The keyword "MUST NOT appear in a PNG more than once": baking
  again replaces the chunk. Extraction takes the first such chunk.
* §5.3.2 SVG: ``xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"`` on ``<svg>`` and, directly
  after the ``<svg>`` tag, one ``<openbadges:credential>``: a compact JWS goes in its ``verify``
  attribute, JSON goes in the body wrapped in ``<![CDATA[...]]>``. Extraction takes the first one.

Extraction treats the image as hostile (security catalog §5, IMG-01, IMG-02, IMG-05, IMG-06): total size
cap, chunk count caps, chunk length and CRC checks, a capped inflate for compressed ``iTXt``, IDAT never
inflated and pixels never decoded. XML goes through defusedxml with entity declarations, internal DTD
subsets and external references forbidden, plus an element depth cap. A bare ``<!DOCTYPE svg PUBLIC ...>``
(common in exported art, and in the 1EdTech fixtures) is accepted; it is never fetched.
"""
from __future__ import annotations

import json
import re
import struct
import xml.etree.ElementTree as ET
import xml.parsers.expat as expat
import zlib
from collections.abc import Iterator
from typing import NamedTuple

from defusedxml import DefusedXmlException, DTDForbidden
from defusedxml.ElementTree import DefusedXMLParser

__all__ = [
    "BakingError", "PngChunk",
    "bake", "bake_png", "bake_svg", "unbake", "unbake_png", "unbake_svg",
    "iter_png_chunks", "parse_svg",
    "OB3_NAMESPACE", "SVG_NAMESPACE", "PNG_KEYWORD", "PNG_SIGNATURE",
    "DEFAULT_MAX_BYTES", "DEFAULT_MAX_TEXT_BYTES", "DEFAULT_MAX_CHUNKS", "MAX_TEXT_CHUNKS", "MAX_XML_DEPTH",
]

OB3_NAMESPACE = "https://purl.imsglobal.org/ob/v3p0"
SVG_NAMESPACE = "http://www.w3.org/2000/svg"
PNG_KEYWORD = "openbadgecredential"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

DEFAULT_MAX_BYTES = 8 * 1024 * 1024
DEFAULT_MAX_TEXT_BYTES = 1024 * 1024
DEFAULT_MAX_CHUNKS = 8192
MAX_TEXT_CHUNKS = 256
MAX_XML_DEPTH = 256

_KEYWORD = PNG_KEYWORD.encode("latin-1") + b"\0"
_TEXT_CHUNKS = frozenset({b"tEXt", b"zTXt", b"iTXt"})
_MAX_CHUNK_LENGTH = 0x7FFFFFFF  # PNG §5.3: length is at most 2^31 - 1
_CREDENTIAL_TAG = f"{{{OB3_NAMESPACE}}}credential"
_SVG_ROOTS = frozenset({f"{{{SVG_NAMESPACE}}}svg", "svg"})
_COMPACT_JWS = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
_XML_ENCODING = re.compile(rb"\s*<\?xml[^>]*?\sencoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")
_TAG_END = re.compile(rb"(?:[^\"'>]|\"[^\"]*\"|'[^']*')*>")
_TAG_NAME = re.compile(rb"<[^\s/>]+")
_UTF8_BOM = b"\xef\xbb\xbf"


class BakingError(ValueError):
    """An image cannot be baked or unbaked: malformed, oversized or unsafe input."""


class PngChunk(NamedTuple):
    """One PNG chunk: ``data`` is a view into the image; ``start``/``end`` span length field to CRC."""

    type: bytes
    data: memoryview
    start: int
    end: int


# --- credential text ---------------------------------------------------------------------------------


def _check_credential(credential: str) -> tuple[str, bool]:
    """Return ``(text, is_jwt)`` for a compact JWS or a JSON object, stripped of outer whitespace."""
    if not isinstance(credential, str):
        raise TypeError("credential must be a str (compact JWS or JSON)")
    text = credential.strip()
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise BakingError("credential is not valid Unicode text") from exc
    if _COMPACT_JWS.fullmatch(text):
        return text, True
    try:
        parsed = json.loads(text)
    except ValueError as exc:
        raise BakingError("credential must be a compact JWS or a JSON object") from exc
    if not isinstance(parsed, dict):
        raise BakingError("credential must be a compact JWS or a JSON object")
    return text, False


def _found_text(text: str, where: str) -> str:
    text = text.strip()
    if not text:
        raise BakingError(f"the {where} holds an empty credential")
    return text


def _as_bytes(data: bytes | bytearray | memoryview, max_bytes: int, what: str) -> bytes:
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"{what} must be bytes")
    if len(data) > max_bytes:
        raise BakingError(f"{what} is larger than {max_bytes} bytes")
    return bytes(data)


# --- PNG -------------------------------------------------------------------------------------------


def _read_chunk(png: bytes, view: memoryview, pos: int) -> PngChunk:
    if pos + 12 > len(png):
        raise BakingError("PNG is truncated (no IEND chunk)")
    length, ctype = struct.unpack_from(">I4s", png, pos)
    if length > _MAX_CHUNK_LENGTH:
        raise BakingError(f"PNG chunk length {length} exceeds 2^31-1")
    end = pos + 12 + length
    if end > len(png):
        raise BakingError(f"PNG is truncated: chunk {ctype!r} declares {length} bytes")
    if not ctype.isalpha():
        raise BakingError(f"invalid PNG chunk type {ctype!r}")
    data = view[pos + 8:pos + 8 + length]
    (crc,) = struct.unpack_from(">I", png, end - 4)
    if zlib.crc32(data, zlib.crc32(ctype)) != crc:
        raise BakingError(f"PNG chunk {ctype.decode('ascii')} has a bad CRC")
    return PngChunk(ctype, data, pos, end)


def iter_png_chunks(png: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES,
                    max_chunks: int = DEFAULT_MAX_CHUNKS) -> Iterator[PngChunk]:
    """Yield the chunks of ``png`` up to and including IEND, checking structure, caps and CRCs.

    Nothing is decompressed. Bytes after IEND are not read (compare the last ``end`` with ``len(png)``).
    """
    png = _as_bytes(png, max_bytes, "PNG")
    if not png.startswith(PNG_SIGNATURE):
        raise BakingError("not a PNG image (bad signature)")
    view, pos, count, texts = memoryview(png), len(PNG_SIGNATURE), 0, 0
    while True:
        chunk = _read_chunk(png, view, pos)
        count += 1
        texts += chunk.type in _TEXT_CHUNKS
        if count == 1 and chunk.type != b"IHDR":
            raise BakingError("PNG does not start with an IHDR chunk")
        if count > max_chunks or texts > MAX_TEXT_CHUNKS:
            raise BakingError("PNG has too many chunks")
        yield chunk
        if chunk.type == b"IEND":
            return
        pos = chunk.end


def _is_credential_chunk(chunk: PngChunk) -> bool:
    return chunk.type == b"iTXt" and chunk.data[:len(_KEYWORD)] == _KEYWORD


def _inflate(data: bytes, max_bytes: int) -> bytes:
    """Inflate a zlib stream, never producing more than ``max_bytes`` + 1 bytes."""
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(data, max_bytes + 1)
    except zlib.error as exc:
        raise BakingError(f"compressed iTXt is corrupt: {exc}") from exc
    if len(out) > max_bytes:
        raise BakingError(f"compressed iTXt inflates to more than {max_bytes} bytes")
    if not inflater.eof:
        raise BakingError("compressed iTXt is truncated")
    return out


def _itxt_text(chunk: PngChunk, max_text_bytes: int, strict: bool) -> str:
    """Decode an ``openbadgecredential`` iTXt body (PNG §11.3.3.5 layout)."""
    body = bytes(chunk.data[len(_KEYWORD):])
    if len(body) < 2:
        raise BakingError("iTXt chunk is malformed")
    flag, method = body[0], body[1]
    _language, sep1, rest = body[2:].partition(b"\0")
    _translated, sep2, raw = rest.partition(b"\0")
    if not (sep1 and sep2) or flag not in (0, 1):
        raise BakingError("iTXt chunk is malformed")
    if flag == 1:
        if strict or method != 0:
            raise BakingError("compressed iTXt is not allowed (OB 3.0 §5.3.1: compression MUST NOT be used)")
        raw = _inflate(raw, max_text_bytes)
    elif len(raw) > max_text_bytes:
        raise BakingError(f"iTXt text is larger than {max_text_bytes} bytes")
    try:
        return _found_text(raw.decode("utf-8"), "iTXt chunk")
    except UnicodeDecodeError as exc:
        raise BakingError("iTXt text is not UTF-8") from exc


def unbake_png(png: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES,
               max_text_bytes: int = DEFAULT_MAX_TEXT_BYTES, strict: bool = False) -> str | None:
    """Return the credential in the first ``openbadgecredential`` iTXt chunk, or None if there is none.

    Lenient by default (stops at the first match, inflates a compressed chunk within the cap).
    ``strict=True`` reads to IEND and rejects a second credential chunk and any compression.
    """
    found: str | None = None
    for chunk in iter_png_chunks(png, max_bytes=max_bytes):
        if not _is_credential_chunk(chunk):
            continue
        if found is not None:
            raise BakingError("PNG holds more than one openbadgecredential chunk")
        found = _itxt_text(chunk, max_text_bytes, strict)
        if not strict:
            break
    return found


def _make_chunk(ctype: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(data, zlib.crc32(ctype))
    return struct.pack(">I4s", len(data), ctype) + data + struct.pack(">I", crc)


def bake_png(png: bytes, credential: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """Return ``png`` with one ``openbadgecredential`` iTXt chunk before the first IDAT.

    Any existing credential chunk is dropped, and so is anything after IEND.
    """
    text, _ = _check_credential(credential)
    chunks = list(iter_png_chunks(png, max_bytes=max_bytes))
    itxt = _make_chunk(b"iTXt", _KEYWORD + b"\0\0\0\0" + text.encode("utf-8"))
    out, inserted = [PNG_SIGNATURE], False
    for chunk in chunks:
        if _is_credential_chunk(chunk):
            continue
        if chunk.type == b"IDAT" and not inserted:
            out.append(itxt)
            inserted = True
        out.append(chunk.data.obj[chunk.start:chunk.end])
    if not inserted:
        raise BakingError("PNG has no IDAT chunk")
    return b"".join(out)


# --- SVG: safe parsing -----------------------------------------------------------------------------


class _SafeParser(DefusedXMLParser):
    """defusedxml parser that also rejects internal DTD subsets (but allows a bare DOCTYPE)."""

    def __init__(self, target: object) -> None:
        super().__init__(target=target, forbid_dtd=True, forbid_entities=True, forbid_external=True)

    def defused_start_doctype_decl(self, name, sysid, pubid, has_internal_subset):  # noqa: ANN001
        if has_internal_subset:
            raise DTDForbidden(name, sysid, pubid)


class _DepthLimitedBuilder:
    """TreeBuilder wrapper that refuses documents nested deeper than ``max_depth``."""

    def __init__(self, max_depth: int) -> None:
        self._builder = ET.TreeBuilder()
        self._depth = 0
        self._max_depth = max_depth

    def start(self, tag: str, attrs: dict[str, str]) -> ET.Element:
        self._depth += 1
        if self._depth > self._max_depth:
            raise BakingError(f"XML is nested deeper than {self._max_depth} elements")
        return self._builder.start(tag, attrs)

    def end(self, tag: str) -> ET.Element:
        self._depth -= 1
        return self._builder.end(tag)

    def data(self, text: str) -> None:
        self._builder.data(text)

    def close(self) -> ET.Element:
        return self._builder.close()


def _svg_bytes(svg: bytes | str, max_bytes: int) -> bytes:
    if isinstance(svg, str):
        svg = svg.encode("utf-8")
    return _as_bytes(svg, max_bytes, "SVG")


def parse_svg(svg: bytes | str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> ET.Element:
    """Parse untrusted SVG safely and return the root ``<svg>`` element.

    Raises BakingError for oversized input, malformed XML, entity declarations, internal DTD subsets,
    external references, excessive nesting, or a root element that is not ``svg``.
    """
    raw = _svg_bytes(svg, max_bytes)
    parser = _SafeParser(_DepthLimitedBuilder(MAX_XML_DEPTH))
    try:
        parser.feed(raw)
        root = parser.close()
    except DefusedXmlException as exc:
        raise BakingError(f"forbidden XML construct ({type(exc).__name__}): {exc}") from exc
    except ET.ParseError as exc:
        raise BakingError(f"malformed XML: {exc}") from exc
    if root.tag not in _SVG_ROOTS:
        raise BakingError("root element is not <svg>")
    return root


def _element_credential(element: ET.Element, strict: bool) -> str:
    verify = (element.get("verify") or "").strip()
    body = "".join(element.itertext()).strip()
    if strict and verify and body:
        raise BakingError("openbadges:credential has both a verify attribute and a body")
    return _found_text(verify or body, "openbadges:credential element")


def unbake_svg(svg: bytes | str, *, max_bytes: int = DEFAULT_MAX_BYTES, strict: bool = False) -> str | None:
    """Return the first ``<openbadges:credential>``'s ``verify`` attribute, else its text; None if absent.

    ``strict=True`` rejects a second credential element and one with both ``verify`` and a body.
    """
    found = list(parse_svg(svg, max_bytes=max_bytes).iter(_CREDENTIAL_TAG))
    if not found:
        return None
    if strict and len(found) > 1:
        raise BakingError("SVG holds more than one openbadges:credential element")
    return _element_credential(found[0], strict)


# --- SVG: baking by splicing the original bytes (keeps the artwork byte-for-byte) -------------------


class _SvgLayout:
    """Byte offsets in an SVG document found with expat: root start tag and credential elements."""

    def __init__(self, raw: bytes) -> None:
        self.raw = raw
        self.root_start = -1
        self.root_open_end = -1
        self.root_self_closing = False
        self.root_prefixes: dict[str | None, str] = {}
        self.credentials: list[tuple[int, int]] = []
        self._stack: list[tuple[bool, int, int, bool]] = []
        self._parser = expat.ParserCreate(namespace_separator=" ")
        self._parser.StartNamespaceDeclHandler = self._start_ns
        self._parser.StartElementHandler = self._start
        self._parser.EndElementHandler = self._end
        self._parser.Parse(raw, True)

    def _tag_end(self, start: int) -> tuple[int, bool]:
        match = _TAG_END.match(self.raw, start)
        if match is None:  # pragma: no cover - expat accepted the tag
            raise BakingError("cannot locate the end of an XML tag")
        return match.end(), self.raw[match.end() - 2:match.end()] == b"/>"

    def _start_ns(self, prefix: str | None, uri: str) -> None:
        if self.root_start < 0:
            self.root_prefixes[prefix] = uri

    def _start(self, name: str, _attrs: dict[str, str]) -> None:
        start = self._parser.CurrentByteIndex
        open_end, self_closing = self._tag_end(start)
        if self.root_start < 0:
            self.root_start, self.root_open_end, self.root_self_closing = start, open_end, self_closing
        self._stack.append((name == f"{OB3_NAMESPACE} credential", start, open_end, self_closing))

    def _end(self, _name: str) -> None:
        is_credential, start, open_end, self_closing = self._stack.pop()
        if is_credential:
            end = open_end if self_closing else self._tag_end(self._parser.CurrentByteIndex)[0]
            self.credentials.append((start, end))


def _require_utf8(raw: bytes) -> None:
    declared = _XML_ENCODING.match(raw.removeprefix(_UTF8_BOM))
    if declared and declared.group(1).lower() not in (b"utf-8", b"utf8"):
        raise BakingError("only UTF-8 SVG documents can be baked")
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BakingError("only UTF-8 SVG documents can be baked") from exc


def _credential_element(text: str, is_jwt: bool) -> bytes:
    if is_jwt:  # base64url characters only: nothing to escape
        return f'<openbadges:credential verify="{text}"></openbadges:credential>'.encode("utf-8")
    cdata = text.replace("]]>", "]]]]><![CDATA[>")
    return f"<openbadges:credential><![CDATA[{cdata}]]></openbadges:credential>".encode("utf-8")


def _edits(layout: _SvgLayout, element: bytes) -> list[tuple[int, int, bytes]]:
    raw, edits = layout.raw, []
    if layout.root_prefixes.get("openbadges") is None:
        name_end = _TAG_NAME.match(raw, layout.root_start).end()
        edits.append((name_end, name_end, f' xmlns:openbadges="{OB3_NAMESPACE}"'.encode("ascii")))
    if layout.root_self_closing:
        closing = b"</" + _TAG_NAME.match(raw, layout.root_start).group()[1:] + b">"
        edits.append((layout.root_open_end - 2, layout.root_open_end, b">" + element + closing))
    else:
        edits.append((layout.root_open_end, layout.root_open_end, element))
    edits.extend((start, end, b"") for start, end in layout.credentials)
    return sorted(edits)


def _apply(raw: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    out, cursor = [], 0
    for start, end, replacement in edits:
        if start < cursor:  # a credential nested in one already removed
            continue
        out += [raw[cursor:start], replacement]
        cursor = end
    out.append(raw[cursor:])
    return b"".join(out)


def bake_svg(svg: bytes | str, credential: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """Return the UTF-8 SVG with one ``<openbadges:credential>`` as the first child of ``<svg>``.

    Existing credential elements are removed; the rest of the document is kept byte-for-byte.
    """
    text, is_jwt = _check_credential(credential)
    raw = _svg_bytes(svg, max_bytes)
    _require_utf8(raw)
    parse_svg(raw, max_bytes=max_bytes)
    layout = _SvgLayout(raw)
    declared = layout.root_prefixes.get("openbadges")
    if declared not in (None, OB3_NAMESPACE):
        raise BakingError(f"the openbadges prefix is already bound to {declared!r}")
    baked = _apply(raw, _edits(layout, _credential_element(text, is_jwt)))
    if unbake_svg(baked, max_bytes=max_bytes + len(text) * 2 + 1024, strict=True) != text:
        raise BakingError("baked SVG does not round-trip")  # pragma: no cover - defensive
    return baked


# --- sniffing --------------------------------------------------------------------------------------


def _is_xml(data: bytes) -> bool:
    return data.removeprefix(_UTF8_BOM).lstrip()[:1] == b"<"


def unbake(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES, strict: bool = False) -> str | None:
    """Extract the credential from a baked PNG or SVG (sniffed from the bytes, not a declared type)."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError("image must be bytes")
    if bytes(data[:8]) == PNG_SIGNATURE:
        return unbake_png(data, max_bytes=max_bytes, strict=strict)
    if _is_xml(bytes(data[:1024])):
        return unbake_svg(data, max_bytes=max_bytes, strict=strict)
    raise BakingError("not a PNG or SVG image")


def bake(image: bytes, credential: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """Bake ``credential`` into a PNG or SVG image, sniffed from the bytes."""
    if not isinstance(image, (bytes, bytearray, memoryview)):
        raise TypeError("image must be bytes")
    if bytes(image[:8]) == PNG_SIGNATURE:
        return bake_png(image, credential, max_bytes=max_bytes)
    if _is_xml(bytes(image[:1024])):
        return bake_svg(image, credential, max_bytes=max_bytes)
    raise BakingError("not a PNG or SVG image")
