"""Badge artwork: a generated default image, SVG sanitizing and PNG upload checks.

Open Badges 3.0 §5.3 (Baked Badge) requires badge images to be PNG or SVG so that they can be baked;
``Achievement.image`` / ``Image`` (OB 3.0 §B.1.12) points at them.

Uploaded artwork is hostile (security catalog §5): ``sanitize_svg`` rebuilds the document from an
allowlist of SVG elements and attributes (IMG-05, IMG-07; an allowlist rather than badgr-server's
``<script>``/``onload`` blocklist) and ``check_png`` reads the PNG chunk structure and IHDR only, never
the pixels (IMG-02, IMG-03, IMG-04). Serving SVG still needs ``Content-Security-Policy`` and ``nosniff``
headers; sanitizing is the second line of defence, not the only one.
"""
from __future__ import annotations

import hashlib
import math
import re
import struct
import textwrap
import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape

from issuer.delivery.baking import SVG_NAMESPACE, BakingError, iter_png_chunks, parse_svg

__all__ = ["ImageError", "default_badge_svg", "sanitize_svg", "check_png"]

_XLINK = "http://www.w3.org/1999/xlink"
_XML = "http://www.w3.org/XML/1998/namespace"
_FONT = "'Inter','Segoe UI','Helvetica Neue',Arial,'Liberation Sans',sans-serif"
_HEX = re.compile(r"#(?:[0-9a-fA-F]{3}){1,2}")


class ImageError(ValueError):
    """Badge artwork is not an acceptable PNG or SVG."""


# --- default badge -----------------------------------------------------------------------------------


def _rgb(accent: str) -> tuple[int, int, int]:
    if not isinstance(accent, str) or not _HEX.fullmatch(accent):
        raise ValueError(f"accent must be a #rgb or #rrggbb colour, not {accent!r}")
    digits = accent[1:] if len(accent) == 7 else "".join(c * 2 for c in accent[1:])
    return tuple(int(digits[i:i + 2], 16) for i in (0, 2, 4))  # type: ignore[return-value]


def _mix(rgb: tuple[int, int, int], other: int, amount: float) -> str:
    return "#" + "".join(f"{round(c + (other - c) * amount):02x}" for c in rgb)


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _squash(text: str | None) -> str:
    """Collapse whitespace and drop characters that XML 1.0 cannot carry."""
    return " ".join(_NOT_XML.sub("", text or "").split())


def _truncate(text: str, width: int) -> str:
    """Shorten to ``width`` characters with an ellipsis, at a word break when one is near the end."""
    if len(text) <= width:
        return text
    cut = text[:width - 1]
    if " " in cut[width // 2:]:
        cut = cut[:cut.rfind(" ")]
    return cut.rstrip(" -,;:&") + "\u2026"


def _wrap(text: str, width: int, max_lines: int) -> tuple[list[str], bool]:
    """Wrap ``text`` to ``width`` characters; return (lines, fits) with the last line ellipsized."""
    lines = textwrap.wrap(text, width, break_long_words=True, break_on_hyphens=True)
    if len(lines) <= max_lines:
        return lines, True
    rest = " ".join([lines[max_lines - 1], *lines[max_lines:]])
    return lines[:max_lines - 1] + [_truncate(rest, width)], False


# (font size, characters per line, max lines): the largest that fits wins
_TITLE_SIZES = ((30, 14, 2), (24, 18, 3), (20, 22, 3))


def _title_layout(title: str) -> tuple[int, list[str]]:
    for size, width, max_lines in _TITLE_SIZES:
        lines, fits = _wrap(title, width, max_lines)
        if fits:
            return size, lines
    return size, lines


def _polygon(cx: float, cy: float, radius: float, sides: int = 6) -> str:
    points = []
    for i in range(sides):
        angle = math.radians(-90 + i * 360 / sides)
        points.append(f"{cx + radius * math.cos(angle):.1f},{cy + radius * math.sin(angle):.1f}")
    return " ".join(points)


def _gear_path(cx: float, cy: float, outer: float, inner: float, teeth: int = 12) -> str:
    step = 2 * math.pi / teeth
    profile = ((0.0, inner), (0.12, outer), (0.38, outer), (0.5, inner))
    points = []
    for tooth in range(teeth):
        for fraction, radius in profile:
            angle = (tooth + fraction) * step
            points.append(f"{cx + radius * math.cos(angle):.1f},{cy + radius * math.sin(angle):.1f}")
    return "M" + " L".join(points) + " Z"


def _text_lines(lines: list[str], size: int, centre_y: float) -> str:
    height = size * 1.2
    top = centre_y - len(lines) * height / 2
    tspans = (
        f'<tspan x="200" y="{top + i * height + size * 0.9:.1f}">{escape(line)}</tspan>'
        for i, line in enumerate(lines)
    )
    return (f'<text font-family="{_FONT}" font-size="{size}" font-weight="700" fill="#ffffff" '
            f'text-anchor="middle">{"".join(tspans)}</text>')


def _defs(uid: str, rgb: tuple[int, int, int]) -> str:
    light, dark = _mix(rgb, 255, 0.22), _mix(rgb, 0, 0.35)
    return (
        f'<defs><linearGradient id="{uid}-face" x1="0" y1="0" x2="0" y2="1">'
        f'<stop offset="0" stop-color="{light}"/><stop offset="1" stop-color="{dark}"/></linearGradient>'
        f'<linearGradient id="{uid}-ribbon" x1="0" y1="0" x2="0" y2="1">'
        f'<stop offset="0" stop-color="{_mix(rgb, 0, 0.45)}"/>'
        f'<stop offset="1" stop-color="{_mix(rgb, 0, 0.6)}"/></linearGradient></defs>'
    )


def _emblem(rgb: tuple[int, int, int]) -> str:
    """A gear with a lightning bolt: workshop skills meet electric vehicles."""
    bolt = "204,92 181,124 197,124 191,150 219,114 203,114 212,92"
    return (
        f'<path d="{_gear_path(200, 120, 52, 42)}" fill="#ffffff" fill-opacity="0.95"/>'
        f'<circle cx="200" cy="120" r="29" fill="{_mix(rgb, 0, 0.2)}"/>'
        f'<polygon points="{bolt}" fill="#ffd23f" stroke="#ffffff" stroke-width="1.5" stroke-linejoin="round"/>'
    )


def _ribbon(uid: str, rgb: tuple[int, int, int], issuer: str) -> str:
    tails = "M22,294 L52,294 L52,330 L22,330 L34,312 Z M378,294 L348,294 L348,330 L378,330 L366,312 Z"
    return (
        f'<path d="{tails}" fill="{_mix(rgb, 0, 0.7)}"/>'
        f'<rect x="40" y="286" width="320" height="38" rx="4" fill="url(#{uid}-ribbon)"/>'
        f'<text x="200" y="310" font-family="{_FONT}" font-size="14" font-weight="600" fill="#ffffff" '
        f'text-anchor="middle" letter-spacing="0.5">{escape(_truncate(issuer, 38))}</text>'
    )


def _road() -> str:
    """Converging road edges and a dashed centre line in the bottom point of the hexagon."""
    return (
        '<path d="M187,357 L196,335 M213,357 L204,335" stroke="#ffffff" stroke-opacity="0.75" '
        'stroke-width="2.5" stroke-linecap="round" fill="none"/>'
        '<path d="M200,337 L200,357" stroke="#ffd23f" stroke-width="2.5" stroke-dasharray="4 3" fill="none"/>'
    )


def default_badge_svg(title: str, issuer_name: str, *, accent: str = "#0a5cad",
                      subtitle: str | None = None) -> str:
    """Return a 400x400 hexagonal badge (gear, bolt, road) with the title, optional subtitle and issuer.

    The output is deterministic for the same arguments; element ids are derived from them so several
    badges can be inlined in one HTML page.
    """
    title, issuer, sub = _squash(title), _squash(issuer_name), _squash(subtitle)
    if not title:
        raise ValueError("title must not be empty")
    rgb = _rgb(accent)
    uid = "b" + hashlib.sha256("\0".join((title, issuer, accent, sub)).encode("utf-8")).hexdigest()[:10]
    size, lines = _title_layout(title)
    centre = 214 if sub else 226
    label = f"{title} \u2014 {issuer}" if issuer else title
    parts = [
        f'<svg xmlns="{SVG_NAMESPACE}" width="400" height="400" viewBox="0 0 400 400" role="img" '
        f'aria-labelledby="{uid}-title">',
        f'<title id="{uid}-title">{escape(label)}</title>',
        _defs(uid, rgb),
        f'<polygon points="{_polygon(200, 200, 182)}" fill="url(#{uid}-face)" stroke="url(#{uid}-face)" '
        'stroke-width="16" stroke-linejoin="round"/>',
        f'<polygon points="{_polygon(200, 200, 166)}" fill="none" stroke="#ffffff" stroke-opacity="0.55" '
        'stroke-width="3" stroke-linejoin="round"/>',
        _emblem(rgb),
        _text_lines(lines, size, centre),
    ]
    if sub:
        y = centre + len(lines) * size * 0.6 + 22
        parts.append(f'<text x="200" y="{y:.1f}" font-family="{_FONT}" font-size="15" fill="#ffffff" '
                     f'fill-opacity="0.85" text-anchor="middle">{escape(_truncate(sub, 34))}</text>')
    parts += [_ribbon(uid, rgb, issuer) if issuer else "", _road(), "</svg>"]
    return "".join(parts)


# --- SVG sanitizing ----------------------------------------------------------------------------------

_ELEMENTS = frozenset("""
    svg g defs title desc symbol use path rect circle ellipse line polyline polygon text tspan textPath
    linearGradient radialGradient stop clipPath mask pattern marker filter feGaussianBlur feOffset
    feBlend feColorMatrix feFlood feComposite feMerge feMergeNode feDropShadow feMorphology
""".split())

_PRESENTATION = frozenset("""
    fill fill-opacity fill-rule stroke stroke-width stroke-linecap stroke-linejoin stroke-miterlimit
    stroke-dasharray stroke-dashoffset stroke-opacity opacity color clip-path clip-rule mask filter
    display visibility font-family font-size font-weight font-style font-variant font-stretch
    letter-spacing word-spacing text-anchor dominant-baseline alignment-baseline baseline-shift
    text-decoration writing-mode direction unicode-bidi stop-color stop-opacity flood-color flood-opacity
    marker-start marker-mid marker-end shape-rendering text-rendering image-rendering color-interpolation
    color-interpolation-filters paint-order vector-effect overflow transform-origin mix-blend-mode isolation
""".split())

_ATTRIBUTES = _PRESENTATION | frozenset("""
    id class style transform x y x1 y1 x2 y2 cx cy r rx ry fx fy fr width height d points viewBox
    preserveAspectRatio version dx dy rotate lengthAdjust textLength startOffset method spacing side
    offset gradientUnits gradientTransform spreadMethod patternUnits patternContentUnits patternTransform
    clipPathUnits maskUnits maskContentUnits markerWidth markerHeight markerUnits refX refY orient
    filterUnits primitiveUnits in in2 result stdDeviation mode type values operator k1 k2 k3 k4 radius
    role aria-label aria-labelledby aria-describedby aria-hidden focusable lang
""".split())

_FRAGMENT = re.compile(r"#[A-Za-z_][\w.:-]*")
_URL = re.compile(r"url\(\s*(['\"]?)(#[A-Za-z_][\w.:-]*)\1\s*\)", re.IGNORECASE)
_MAX_ELEMENTS = 20_000


def _safe_value(value: str) -> bool:
    """Allow a value only if every ``url(...)`` in it points at a local ``#id``."""
    lowered = value.lower()
    if "\\" in value or "expression" in lowered or "javascript:" in lowered or "@import" in lowered:
        return False
    return lowered.count("url(") == len(_URL.findall(value))


def _safe_style(style: str) -> str:
    kept = []
    for declaration in style.split(";"):
        name, sep, value = declaration.partition(":")
        name = name.strip().lower()
        if sep and name in _PRESENTATION and _safe_value(value):
            kept.append(f"{name}:{value.strip()}")
    return ";".join(kept)


def _clean_attribute(name: str, value: str) -> tuple[str, str] | None:
    """Return the (serialized name, value) to keep, or None to drop the attribute."""
    if name in ("href", f"{{{_XLINK}}}href"):
        key = "href" if name == "href" else "xlink:href"
        return (key, value.strip()) if _FRAGMENT.fullmatch(value.strip()) else None
    if name in (f"{{{_XML}}}space", f"{{{_XML}}}lang"):
        return "xml:" + name.rpartition("}")[2], value
    if name == "style":
        value = _safe_style(value)
        return (name, value) if value else None
    if name not in _ATTRIBUTES or not _safe_value(value):
        return None
    return name, value


def _local_svg_name(tag: object) -> str | None:
    prefix = f"{{{SVG_NAMESPACE}}}"
    if isinstance(tag, str) and tag.startswith(prefix) and tag[len(prefix):] in _ELEMENTS:
        return tag[len(prefix):]
    return None


class _Cleaner:
    """Copy an element tree keeping allowlisted SVG elements and attributes only."""

    def __init__(self) -> None:
        self.count = 0
        self.uses_xlink = False

    def copy(self, source: ET.Element, attrib: dict[str, str] | None = None) -> ET.Element:
        self.count += 1
        if self.count > _MAX_ELEMENTS:
            raise ImageError(f"SVG has more than {_MAX_ELEMENTS} elements")
        target = ET.Element(_local_svg_name(source.tag) or "svg", attrib or {})
        for name, value in source.attrib.items():
            kept = _clean_attribute(name, value)
            if kept:
                target.set(*kept)
                self.uses_xlink |= kept[0] == "xlink:href"
        target.text = source.text
        for child in source:
            if _local_svg_name(child.tag):
                target.append(self.copy(child))
            if child.tail:  # keep text that follows a dropped element
                self._append_text(target, child.tail)
        return target

    @staticmethod
    def _append_text(target: ET.Element, text: str) -> None:
        if len(target):
            target[-1].tail = (target[-1].tail or "") + text
        else:
            target.text = (target.text or "") + text


def sanitize_svg(data: bytes, *, max_bytes: int = 512 * 1024) -> bytes:
    """Return a cleaned copy of an uploaded SVG, keeping an allowlist of elements and attributes.

    Dropped: scripts, ``foreignObject``, ``style`` elements, images, animation, links, metadata, foreign
    namespaces (including ``openbadges:credential``), ``on*`` handlers, non-local ``href``s and any
    ``url(...)`` not pointing at a local ``#id``. Comments and processing instructions are not kept.
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise ImageError("SVG must be bytes")
    try:
        root = parse_svg(bytes(data), max_bytes=max_bytes)
    except BakingError as exc:
        raise ImageError(f"not an acceptable SVG: {exc}") from exc
    if root.tag != f"{{{SVG_NAMESPACE}}}svg":
        raise ImageError("root element must be <svg> in the SVG namespace")
    cleaner = _Cleaner()
    clean = cleaner.copy(root, {"xmlns": SVG_NAMESPACE})
    if cleaner.uses_xlink:
        clean.set("xmlns:xlink", _XLINK)
    return ET.tostring(clean, encoding="utf-8", xml_declaration=False)


# --- PNG upload check --------------------------------------------------------------------------------

_IHDR_COLOUR_DEPTHS = {0: {1, 2, 4, 8, 16}, 2: {8, 16}, 3: {1, 2, 4, 8}, 4: {8, 16}, 6: {8, 16}}


def _ihdr(data: memoryview) -> tuple[int, int]:
    if len(data) != 13:
        raise ImageError("PNG IHDR chunk has the wrong length")
    width, height, depth, colour, compression, filtering, interlace = struct.unpack(">IIBBBBB", data)
    if depth not in _IHDR_COLOUR_DEPTHS.get(colour, ()) or compression or filtering or interlace > 1:
        raise ImageError("PNG IHDR has an invalid colour type, bit depth or method")
    if not width or not height:
        raise ImageError("PNG has zero width or height")
    return width, height


def check_png(data: bytes, *, max_bytes: int = 1024 * 1024, max_pixels: int = 4096 * 4096) -> tuple[int, int]:
    """Validate an uploaded PNG from its chunk structure and IHDR only; return (width, height).

    Rejects: wrong signature, oversized file, bad chunk lengths or CRCs, no IDAT, no IEND, data after
    IEND (polyglots), and more than ``max_pixels`` pixels. Pixels are never decoded.
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise ImageError("PNG must be bytes")
    try:
        chunks = list(iter_png_chunks(bytes(data), max_bytes=max_bytes))
    except BakingError as exc:
        raise ImageError(f"not an acceptable PNG: {exc}") from exc
    width, height = _ihdr(chunks[0].data)
    if width * height > max_pixels:
        raise ImageError(f"PNG is {width}x{height}, more than {max_pixels} pixels")
    if not any(chunk.type == b"IDAT" for chunk in chunks):
        raise ImageError("PNG has no IDAT chunk")
    if chunks[-1].end != len(data):
        raise ImageError("PNG has data after the IEND chunk")
    return width, height

