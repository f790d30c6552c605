"""The journey map drawn as a server-side SVG: readable, accessible, no JavaScript.

Layout: one row per step, top to bottom in the order of the step's mean position in the
journeys (0 = first step), so the typical path reads downwards. Arrows:

* to the next row: a straight line down the middle;
* forward over several rows: a curve on the right, further out the more rows it skips;
* backward (rework, loops): a curve on the left; a step repeated right away: a small loop.

Arrow width grows with its count, and each arrow carries its count. Only the `MAX_ARROWS` most
frequent arrows are drawn (the page's table lists every one). The SVG is one image
(``role="img"``) named by its ``<title>`` and described by its ``<desc>``; every figure in it is
also in the equivalent table on the page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils import formats
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

MAX_ARROWS = 40
ROW = 92
NODE_W = 320
NODE_H = 50
WIDTH = 900
CX = WIDTH // 2
TOP = 24
MAX_LABEL = 40


@dataclass(frozen=True)
class Node:
    activity: str
    cases: int
    start: int
    end: int


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    count: int
    median_seconds: float


def duration_text(seconds: float | None) -> str:
    """Short duration: 45 s, 12 min, 3 h 20 min, 4 d 6 h."""
    if seconds is None:
        return "–"
    s = round(seconds)
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min"
    if s < 86400:
        h, m = divmod(s // 60, 60)
        return f"{h} h {m} min" if m else f"{h} h"
    d, h = divmod(s // 3600, 24)
    return f"{d} d {h} h" if h else f"{d} d"


def _n(value: int) -> str:
    return str(formats.number_format(value, force_grouping=True))


def _short(text: str) -> str:
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…"


def render_svg(*, nodes: Sequence[Node], edges: Sequence[Edge], title: str,
               description: str, ident: str = "journey-map") -> SafeString:
    if not nodes:
        return mark_safe("")
    row = {n.activity: i for i, n in enumerate(nodes)}
    drawn = sorted((e for e in edges if e.source in row and e.target in row),
                   key=lambda e: (-e.count, e.source, e.target))[:MAX_ARROWS]
    top_count = max((e.count for e in drawn), default=1)
    height = TOP * 2 + len(nodes) * ROW
    out: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="journey-map" id="{ident}" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" role="img" '
        f'aria-labelledby="{ident}-title {ident}-desc" preserveAspectRatio="xMidYMin meet" '
        f'style="max-width:{WIDTH}px">',
        f'<title id="{ident}-title">{escape(title)}</title>',
        f'<desc id="{ident}-desc">{escape(description)}</desc>',
        '<defs><marker id="jm-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        'fill="#3d4551"/></marker></defs>',
    ]

    def y_top(i: int) -> int:
        return TOP + i * ROW

    labels: list[str] = []
    for e in drawn:
        i, j = row[e.source], row[e.target]
        width = 1.2 + 5.0 * e.count / top_count
        left, right = CX - NODE_W // 2, CX + NODE_W // 2
        if j == i + 1:
            x1 = CX
            y1, y2 = y_top(i) + NODE_H, y_top(j) - 2
            path = f"M{x1},{y1} L{x1},{y2}"
            lx, ly = x1 + 8, (y1 + y2) // 2 + 4
            anchor = "start"
        elif i == j:
            y = y_top(i) + NODE_H // 2
            path = (f"M{right},{y - 10} C{right + 48},{y - 34} {right + 48},{y + 34} "
                    f"{right + 2},{y + 10}")
            lx, ly, anchor = right + 44, y + 4, "start"
        else:
            span = abs(j - i)
            off = min(46 + 26 * (span - 1), 150 if j > i else 230)
            y1 = y_top(i) + NODE_H // 2 + (6 if j > i else -6)
            y2 = y_top(j) + NODE_H // 2 + (-6 if j > i else 6)
            if j > i:  # forward: right
                x1, x2, xo = right, right + 2, right + off
                lx, anchor = xo - 2, "start"
            else:  # backward: left
                x1, x2, xo = left, left - 2, left - off
                lx, anchor = xo + 2, "end"
            path = f"M{x1},{y1} C{xo},{y1} {xo},{y2} {x2},{y2}"
            ly = (y1 + y2) // 2 + 4
        tip = f"{e.source} → {e.target}: {_n(e.count)}, {duration_text(e.median_seconds)}"
        out.append(f'<path d="{path}" fill="none" stroke="#3d4551" stroke-width="{width:.1f}" '
                   f'marker-end="url(#jm-arrow)"><title>{escape(tip)}</title></path>')
        text = _n(e.count)
        box_w = 8 * len(text) + 6
        bx = lx - 3 if anchor == "start" else lx - box_w + 3
        labels.append(f'<rect x="{bx}" y="{ly - 13}" width="{box_w}" height="17" rx="3" '
                      f'fill="#ffffff" fill-opacity="0.9"/>'
                      f'<text x="{lx}" y="{ly}" text-anchor="{anchor}" font-size="13" '
                      f'fill="#1b1b1b">{escape(text)}</text>')
    for i, n in enumerate(nodes):
        y = y_top(i)
        parts = [ngettext("%(n)s journey", "%(n)s journeys", n.cases) % {"n": _n(n.cases)}]
        if n.start:
            parts.append(_("%(n)s start here") % {"n": _n(n.start)})
        if n.end:
            parts.append(_("%(n)s end here") % {"n": _n(n.end)})
        border = "#1a4480" if not (n.start or n.end) else "#162e51"
        stroke = 2 if not (n.start or n.end) else 3
        out.append(
            f'<g class="jm-node"><title>{escape(n.activity)}: {escape(", ".join(parts))}</title>'
            f'<rect x="{CX - NODE_W // 2}" y="{y}" width="{NODE_W}" height="{NODE_H}" rx="6" '
            f'fill="#eff6fb" stroke="{border}" stroke-width="{stroke}"/>'
            f'<text x="{CX}" y="{y + 21}" text-anchor="middle" font-size="15" font-weight="bold" '
            f'fill="#1b1b1b">{escape(_short(n.activity))}</text>'
            f'<text x="{CX}" y="{y + 40}" text-anchor="middle" font-size="12" '
            f'fill="#1b1b1b">{escape(" · ".join(parts))}</text></g>')
    out.extend(labels)
    out.append("</svg>")
    return mark_safe("".join(out))  # every text above is escaped
