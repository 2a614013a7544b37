"""The default badge as a PNG (for PNG baking), drawn with Pillow: same motif as the SVG default."""
from __future__ import annotations

import functools
import io
import math
import textwrap

from PIL import Image, ImageDraw, ImageFont

__all__ = ["default_badge_png"]

SIZE = 400


def _font(size: int):
    try:
        return ImageFont.load_default(size=size)
    except (TypeError, OSError):  # Pillow built without FreeType: fixed bitmap font
        return ImageFont.load_default()


def _hexagon(cx: float, cy: float, r: float) -> list[tuple[float, float]]:
    return [(cx + r * math.cos(math.radians(60 * i - 90)), cy + r * math.sin(math.radians(60 * i - 90)))
            for i in range(6)]


@functools.lru_cache(maxsize=256)  # deterministic and ~60 ms to draw; bytes are immutable
def default_badge_png(title: str, issuer_name: str, *, accent: str = "#0a5cad") -> bytes:
    """A 400x400 PNG badge: hexagon, gear emblem, title (up to 3 lines), issuer ribbon."""
    image = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.polygon(_hexagon(200, 200, 190), fill=accent)
    draw.polygon(_hexagon(200, 200, 170), fill="#ffffff")
    draw.polygon(_hexagon(200, 200, 160), fill=accent)
    for i in range(12):  # gear teeth around the emblem
        a = math.radians(i * 30)
        draw.ellipse([200 + 46 * math.cos(a) - 9, 110 + 46 * math.sin(a) - 9,
                      200 + 46 * math.cos(a) + 9, 110 + 46 * math.sin(a) + 9], fill="#ffd23f")
    draw.ellipse([156, 66, 244, 154], fill="#ffd23f")
    draw.polygon([(205, 80), (182, 116), (198, 116), (192, 142), (218, 102), (202, 102)], fill=accent)
    lines = textwrap.wrap(" ".join(title.split()), width=18)[:3] or ["Micro-credential"]
    font = _font(26)
    y = 232 - 16 * (len(lines) - 1)
    for line in lines:
        draw.text((200, y), line, fill="#ffffff", font=font, anchor="mm")
        y += 32
    draw.rectangle([60, 318, 340, 352], fill="#ffd23f")
    issuer = textwrap.shorten(" ".join(issuer_name.split()), width=30, placeholder="…")
    draw.text((200, 335), issuer, fill="#102a43", font=_font(16), anchor="mm")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
