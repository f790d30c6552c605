"""Statistical control limits (Shewhart charts) for alerts: a value is a signal only when it
falls outside the limits its own history sets, never against a fixed threshold.

Each function takes the baseline periods (the history a process is judged by, e.g. the 12
weeks before) and the current period, and returns the centre line, the limits and whether
the current value is beyond them:

- `p_chart`: a share (trust positive, a driver mentioned negatively) with a different number
  of answers each period. Centre p̄ = pooled share of the baseline; limits
  p̄ ± z·√(p̄(1 − p̄)/nᵢ) for the current period's nᵢ.
- `u_chart`: a count per unit of exposure (comments in a theme per 100 comments; cases per
  day when days differ in length). Centre ū = Σc/Σa; limits ū ± z·√(ū/aᵢ).
- `c_chart`: a count in equal periods (cases per week). Centre c̄; limits c̄ ± z·√c̄.
- `xmr_chart`: a measured value (average speed of answer). Individuals chart: centre x̄ of
  the baseline, σ̂ = mean moving range / 1.128; limits x̄ ± z·σ̂.

z defaults to 3 (the usual three-sigma limits: about 1 false signal in 370 periods for a
stable process). Lower limits below the possible range are clipped (0 for shares and counts).

`count_chart` is the c-chart widened to the XmR limits when weekly counts vary more than a
Poisson count (over-dispersion). `binomial_tail` is the exact probability behind a p-chart
signal: with few answers or a small share (n·p̄ under about 5) the normal approximation of
the p-chart flags a stable process far more often than 1 in 740 per side, so alerts also
require the exact tail to be below that (`TAIL`).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

SIGMA = 3.0
TAIL = 0.0013498980316301  # 1 − Φ(3): one side of three-sigma limits
MIN_BASELINE = 4  # fewer baseline periods than this: no limits, no signal


@dataclass(frozen=True)
class Limits:
    value: float
    center: float
    lower: float | None
    upper: float | None

    @property
    def below(self) -> bool:
        return self.lower is not None and self.value < self.lower

    @property
    def above(self) -> bool:
        return self.upper is not None and self.value > self.upper


def p_chart(
    base_pos: Sequence[int], base_n: Sequence[int], pos: int, n: int, *, z: float = SIGMA
) -> Limits | None:
    total = sum(base_n)
    if n <= 0 or total <= 0 or sum(1 for x in base_n if x > 0) < MIN_BASELINE:
        return None
    p = sum(base_pos) / total
    half = z * math.sqrt(p * (1 - p) / n)
    return Limits(value=pos / n, center=p, lower=max(0.0, p - half), upper=min(1.0, p + half))


def u_chart(
    base_counts: Sequence[int], base_exposure: Sequence[float], count: int, exposure: float,
    *, z: float = SIGMA,
) -> Limits | None:
    total = sum(base_exposure)
    if exposure <= 0 or total <= 0 or len(base_counts) < MIN_BASELINE:
        return None
    u = sum(base_counts) / total
    half = z * math.sqrt(u / exposure)
    return Limits(value=count / exposure, center=u, lower=max(0.0, u - half), upper=u + half)


def c_chart(base_counts: Sequence[int], count: int, *, z: float = SIGMA) -> Limits | None:
    if len(base_counts) < MIN_BASELINE:
        return None
    c = sum(base_counts) / len(base_counts)
    half = z * math.sqrt(c)
    return Limits(value=float(count), center=c, lower=max(0.0, c - half), upper=c + half)


def xmr_chart(base_values: Sequence[float], value: float, *, z: float = SIGMA) -> Limits | None:
    if len(base_values) < MIN_BASELINE:
        return None
    mean = sum(base_values) / len(base_values)
    ranges = [abs(b - a) for a, b in itertools.pairwise(base_values)]
    sigma = (sum(ranges) / len(ranges)) / 1.128
    return Limits(value=value, center=mean, lower=max(0.0, mean - z * sigma),
                  upper=mean + z * sigma)


def count_chart(base_counts: Sequence[int], count: int, *, z: float = SIGMA) -> Limits | None:
    """Counts in equal periods (responses or cases per week): the c-chart, widened to the
    individuals (XmR) limits when the baseline varies more than a Poisson count would
    (over-dispersion: weekly volumes swing with holidays, mailings and deadlines far more
    than √c̄). Never narrower than the c-chart, so a truly Poisson process keeps its limits,
    and an over-dispersed one does not signal every week (the same idea as Laney's p′/u′)."""
    c = c_chart(base_counts, count, z=z)
    x = xmr_chart([float(b) for b in base_counts], float(count), z=z)
    if c is None or x is None:
        return None
    lower = min(v for v in (c.lower, x.lower) if v is not None)
    upper = max(v for v in (c.upper, x.upper) if v is not None)
    return Limits(value=c.value, center=c.center, lower=lower, upper=upper)


def binomial_tail(pos: int, n: int, p: float, *, side: str) -> float:
    """P(X ≤ pos) (side "below") or P(X ≥ pos) (side "above") for X ~ Binomial(n, p): how
    often a stable process with share p gives a week at least this far out."""
    from scipy.stats import binom

    if side == "below":
        return float(binom.cdf(pos, n, p))
    if side == "above":
        return float(binom.sf(pos - 1, n, p))
    raise ValueError("side is 'below' or 'above'")
