"""Server-drawn SVG charts (no JavaScript; each chart has a data table beside it)."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


def line_chart_svg(
    points: list[tuple[str, float | None, tuple[float, float] | None]], *, title: str,
    width: int = 720, height: int = 240,
) -> SafeString:
    """A share (0–1) over time with a confidence band. Labels are escaped."""
    pad_l, pad_b, pad_t = 40, 40, 10
    w, h = width - pad_l - 10, height - pad_b - pad_t
    n = max(len(points), 1)
    xs = [pad_l + (w * i / max(n - 1, 1)) for i in range(n)]

    def y(v: float) -> float:
        return pad_t + h * (1 - v)

    line, band_hi, band_lo = [], [], []
    for x, (_, v, ci) in zip(xs, points, strict=False):
        if v is not None:
            line.append(f"{x:.1f},{y(v):.1f}")
        if ci is not None:
            band_hi.append(f"{x:.1f},{y(ci[1]):.1f}")
            band_lo.append(f"{x:.1f},{y(ci[0]):.1f}")
    parts = [
        f'<svg role="img" aria-labelledby="chart-title" viewBox="0 0 {width} {height}" '
        f'xmlns="http://www.w3.org/2000/svg"><title id="chart-title">{escape(title)}</title>'
    ]
    for g in (0, 0.25, 0.5, 0.75, 1):
        parts.append(f'<line x1="{pad_l}" x2="{pad_l + w}" y1="{y(g):.1f}" y2="{y(g):.1f}" '
                     f'stroke="#dfe1e2"/><text x="2" y="{y(g) + 4:.1f}" font-size="11" '
                     f'fill="#1b1b1b">{int(g * 100)}%</text>')
    if band_hi:
        parts.append(f'<polygon points="{" ".join(band_hi + band_lo[::-1])}" '
                     'fill="#73b3e7" fill-opacity="0.35"/>')
    if line:
        parts.append(f'<polyline points="{" ".join(line)}" fill="none" stroke="#005ea2" '
                     'stroke-width="2.5"/>')
    step = max(1, n // 9)
    for i, (label, _, _) in enumerate(points):
        if i % step == 0:
            parts.append(f'<text x="{xs[i]:.1f}" y="{height - 12}" font-size="11" '
                         f'text-anchor="middle" fill="#1b1b1b">{escape(label)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))
