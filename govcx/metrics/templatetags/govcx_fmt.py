from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def pct(value: Any, digits: int = 1) -> str:
    """0.8234 → '82.3%'; None → '–' (no data)."""
    if value is None or value == "":
        return "–"
    return f"{float(value) * 100:.{digits}f}%"


@register.filter
def ci(value: Any) -> str:
    if not value:
        return "–"
    return f"{value[0] * 100:.1f}–{value[1] * 100:.1f}%"


@register.filter
def num(value: Any, digits: int = 2) -> str:
    if value is None:
        return "–"
    return f"{float(value):.{digits}f}"


@register.filter
def barwidth(value: Any) -> str:
    return f"{max(0.0, min(1.0, float(value or 0))) * 200:.0f}"
