"""Small, exact statistics for dashboards (no dependency needed for these formulas)."""

from __future__ import annotations

import math

Z95 = 1.959963984540054


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float] | None:
    """Wilson score interval for a proportion; None when n is 0."""
    if n <= 0:
        return None
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def mean_ci(total: float, total_sq: float, n: int, z: float = Z95) -> tuple[float, float, float] | None:
    """(mean, low, high) from a sum and a sum of squares (normal approximation)."""
    if n <= 0:
        return None
    mean = total / n
    if n == 1:
        return mean, mean, mean
    var = max(0.0, (total_sq - n * mean * mean) / (n - 1))
    half = z * math.sqrt(var / n)
    return mean, mean - half, mean + half
