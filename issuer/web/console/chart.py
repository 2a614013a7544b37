"""A grouped bar chart as server-rendered SVG (no script, no external resource): the dashboard's
monthly counts. Colours meet WCAG 2.1 non-text contrast (3:1) on white; the same numbers are
also given as a table for screen readers."""
from __future__ import annotations

from markupsafe import Markup, escape

__all__ = ["bar_chart", "SERIES_COLOURS"]

SERIES_COLOURS = {"issued": "#0a58a8", "claimed": "#08745c", "revoked": "#b0261c", "suspended": "#8a4f00"}
_W, _H, _LEFT, _BOTTOM, _TOP = 760, 260, 44, 34, 12


def _ticks(top: int) -> list[int]:
    step = max(1, -(-top // 4))
    return list(range(0, step * 4 + 1, step))


def bar_chart(rows: list[dict], series: dict[str, str], *, title: str, labels: dict[str, str]) -> Markup:
    """An ``<svg role="img">`` with one group of bars per row (``rows[i]["month"]`` on the x axis)
    and one bar per key of ``series`` (key → colour); ``labels`` names each series for the legend
    and the tooltips. Heights are scaled to the largest value (at least 1)."""
    top = max([1] + [int(r[k]) for r in rows for k in series])
    ticks = _ticks(top)
    scale = (_H - _BOTTOM - _TOP) / ticks[-1]
    plot_w = _W - _LEFT - 8
    group_w = plot_w / max(1, len(rows))
    bar_w = max(2.0, (group_w - 8) / max(1, len(series)))
    parts = [f'<svg class="chart" viewBox="0 0 {_W} {_H + 24}" role="img" aria-label="{escape(title)}" '
             f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>']
    for tick in ticks:
        y = _H - _BOTTOM - tick * scale
        parts.append(f'<line x1="{_LEFT}" x2="{_W - 8}" y1="{y:.1f}" y2="{y:.1f}" stroke="#d9e0e7" stroke-width="1"/>'
                     f'<text x="{_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="12" fill="#525d69">{tick}</text>')
    for i, row in enumerate(rows):
        x0 = _LEFT + i * group_w + 4
        for j, (key, colour) in enumerate(series.items()):
            value = int(row[key])
            h = value * scale
            parts.append(f'<rect x="{x0 + j * bar_w:.1f}" y="{_H - _BOTTOM - h:.1f}" width="{bar_w - 1:.1f}" '
                         f'height="{h:.1f}" fill="{colour}"><title>{escape(row["month"])}: '
                         f'{escape(labels[key])} {value}</title></rect>')
        parts.append(f'<text x="{x0 + (group_w - 8) / 2:.1f}" y="{_H - _BOTTOM + 16}" text-anchor="middle" '
                     f'font-size="11" fill="#525d69">{escape(row["month"])}</text>')
    x = _LEFT
    for key, colour in series.items():
        parts.append(f'<rect x="{x}" y="{_H + 6}" width="12" height="12" fill="{colour}"/>'
                     f'<text x="{x + 16}" y="{_H + 16}" font-size="12" fill="#17212b">{escape(labels[key])}</text>')
        x += 24 + 8 * len(labels[key])
    parts.append("</svg>")
    return Markup("".join(parts))
