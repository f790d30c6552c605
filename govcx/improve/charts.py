"""Server-drawn SVG for the improve pages (each has an equal data table on the page)."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

INK = "#1b1b1b"


def impact_effort_svg(counts: dict[tuple[int, int], int], *, title: str, x_label: str,
                      y_label: str, quadrant_labels: dict[str, str]) -> SafeString:
    """A 5×5 grid (effort 1–5 across, impact 1–5 up) with the number of opportunities in each
    cell; the quadrants are shaded (quick wins top left). `counts` maps (impact, effort)."""
    cell, left, top = 56, 70, 30
    size = cell * 5
    width, height = left + size + 20, top + size + 80
    parts = [f'<svg role="img" aria-labelledby="matrix-title" viewBox="0 0 {width} {height}" '
             f'xmlns="http://www.w3.org/2000/svg"><title id="matrix-title">{escape(title)}'
             '</title>']
    shades = {"quick_win": "#d9f0d9", "big_bet": "#dbe9f7", "fill_in": "#f0f0f0",
              "reconsider": "#f9e0dc"}
    for impact in range(1, 6):
        for effort in range(1, 6):
            q = ("quick_win" if effort <= 2 else "big_bet") if impact >= 3 else \
                ("fill_in" if effort <= 2 else "reconsider")
            x, y = left + (effort - 1) * cell, top + (5 - impact) * cell
            parts.append(f'<rect x="{x}" y="{y}" width="{cell}" height="{cell}" '
                         f'fill="{shades[q]}" stroke="#ffffff" stroke-width="2"/>')
            n = counts.get((impact, effort), 0)
            if n:
                parts.append(f'<circle cx="{x + cell / 2}" cy="{y + cell / 2}" r="{12 + min(n, 8)}"'
                             f' fill="#005ea2"/><text x="{x + cell / 2}" y="{y + cell / 2 + 5}" '
                             f'font-size="14" text-anchor="middle" fill="#ffffff">{n}</text>')
    for i in range(1, 6):
        parts.append(f'<text x="{left + (i - 0.5) * cell}" y="{top + size + 18}" font-size="12" '
                     f'text-anchor="middle" fill="{INK}">{i}</text>')
        parts.append(f'<text x="{left - 10}" y="{top + (5 - i + 0.5) * cell + 4}" '
                     f'font-size="12" text-anchor="end" fill="{INK}">{i}</text>')
    parts.append(f'<text x="{left + size / 2}" y="{top + size + 62}" font-size="13" '
                 f'text-anchor="middle" fill="{INK}">{escape(x_label)}</text>')
    parts.append(f'<text x="16" y="{top + size / 2}" font-size="13" text-anchor="middle" '
                 f'fill="{INK}" transform="rotate(-90 16 {top + size / 2})">{escape(y_label)}'
                 '</text>')
    # quadrant names: the top two above the grid, the bottom two under the effort numbers
    low_mid, high_mid = float(left + cell), left + cell * 3.5
    places: dict[str, tuple[float, float]] = {
        "quick_win": (low_mid, top - 10), "big_bet": (high_mid, top - 10),
        "fill_in": (low_mid, top + size + 38), "reconsider": (high_mid, top + size + 38)}
    for q, (qx, qy) in places.items():
        parts.append(f'<text x="{qx}" y="{qy}" font-size="12" font-style="italic" '
                     f'text-anchor="middle" fill="{INK}">{escape(quadrant_labels[q])}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))


def score_trend_svg(points: list[tuple[str, dict[str, float | None]]], *, title: str,
                    series_labels: dict[str, str], width: int = 640,
                    height: int = 220) -> SafeString:
    """Average maturity score (1–5) per framework at each assessment, one line each."""
    pad_l, pad_r, pad_t, pad_b = 40, 150, 10, 40
    w, h = width - pad_l - pad_r, height - pad_t - pad_b
    n = max(len(points), 1)
    xs = [pad_l + (w * i / max(n - 1, 1)) if n > 1 else pad_l + w / 2 for i in range(n)]

    def y(v: float) -> float:
        return pad_t + h * (5 - v) / 4

    parts = [f'<svg role="img" aria-labelledby="trend-title" viewBox="0 0 {width} {height}" '
             f'xmlns="http://www.w3.org/2000/svg"><title id="trend-title">{escape(title)}'
             '</title>']
    for g in range(1, 6):
        parts.append(f'<line x1="{pad_l}" x2="{pad_l + w}" y1="{y(g):.1f}" y2="{y(g):.1f}" '
                     f'stroke="#dfe1e2"/><text x="{pad_l - 8}" y="{y(g) + 4:.1f}" font-size="11"'
                     f' text-anchor="end" fill="{INK}">{g}</text>')
    colours = ["#005ea2", "#c05600", "#4d8055"]
    dashes = ["", ' stroke-dasharray="6 4"', ' stroke-dasharray="2 3"']
    for k, (key, label) in enumerate(series_labels.items()):
        pts = [(x, v[key]) for x, (_l, v) in zip(xs, points, strict=False)
               if v.get(key) is not None]
        colour, dash = colours[k % 3], dashes[k % 3]
        if len(pts) > 1:
            line = " ".join(f"{x:.1f},{y(float(v or 0)):.1f}" for x, v in pts)
            parts.append(f'<polyline points="{line}" fill="none" stroke="{colour}" '
                         f'stroke-width="2.5"{dash}/>')
        for x, v in pts:
            parts.append(f'<circle cx="{x:.1f}" cy="{y(float(v or 0)):.1f}" r="4" '
                         f'fill="{colour}"/>')
        ly = pad_t + 14 + k * 20
        parts.append(f'<line x1="{pad_l + w + 12}" x2="{pad_l + w + 36}" y1="{ly - 4}" '
                     f'y2="{ly - 4}" stroke="{colour}" stroke-width="2.5"{dash}/>'
                     f'<text x="{pad_l + w + 40}" y="{ly}" font-size="11" fill="{INK}">'
                     f'{escape(label)}</text>')
    for x, (label, _v) in zip(xs, points, strict=False):
        parts.append(f'<text x="{x:.1f}" y="{height - 14}" font-size="11" text-anchor="middle" '
                     f'fill="{INK}">{escape(label)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))
