"""Control-chart limits against numbers worked out by hand."""

from __future__ import annotations

import math

import pytest

from govcx.metrics.control import c_chart, count_chart, p_chart, u_chart, xmr_chart


def test_p_chart_hand_computed() -> None:
    # baseline 180 positive of 200 -> p = 0.9; current n = 100:
    # 3 * sqrt(0.9 * 0.1 / 100) = 3 * 0.03 = 0.09 -> limits 0.81 and 0.99
    lim = p_chart([40, 45, 50, 45], [50, 50, 50, 50], 80, 100)
    assert lim is not None
    assert lim.center == pytest.approx(0.9)
    assert (lim.lower, lim.upper) == (pytest.approx(0.81), pytest.approx(0.99))
    assert lim.value == 0.8 and lim.below and not lim.above
    # the limits depend on the current period's n: with n = 25 they are twice as wide
    wide = p_chart([40, 45, 50, 45], [50, 50, 50, 50], 20, 25)
    assert wide is not None and wide.lower == pytest.approx(0.72)
    assert not wide.below  # 0.8 with n = 25 is within what chance gives


def test_p_chart_clips_to_zero_and_one() -> None:
    lim = p_chart([1, 0, 1, 0], [10, 10, 10, 10], 0, 10)  # p = 0.05
    assert lim is not None and lim.lower == 0.0
    assert lim.upper == pytest.approx(0.05 + 3 * math.sqrt(0.05 * 0.95 / 10))
    top = p_chart([10, 10, 9, 10], [10, 10, 10, 10], 10, 10)
    assert top is not None and top.upper == 1.0


def test_u_chart_hand_computed() -> None:
    # 20 in 400 comments -> u = 0.05; current 200 comments:
    # 3 * sqrt(0.05 / 200) = 0.04743 -> limits 0.00257 and 0.09743; 30 of 200 = 0.15 above
    lim = u_chart([2, 4, 6, 8], [100, 100, 100, 100], 30, 200)
    assert lim is not None
    assert lim.center == pytest.approx(0.05)
    assert lim.lower == pytest.approx(0.0025658, abs=1e-6)
    assert lim.upper == pytest.approx(0.0974342, abs=1e-6)
    assert lim.above and lim.value == pytest.approx(0.15)


def test_c_chart_hand_computed() -> None:
    lim = c_chart([16, 16, 16, 16], 29)  # 16 ± 3 * 4
    assert lim is not None and (lim.center, lim.lower, lim.upper) == (16, 4, 28)
    assert lim.above
    low = c_chart([1, 1, 1, 1], 0)  # 1 - 3 < 0 -> clipped
    assert low is not None and low.lower == 0.0 and not low.below


def test_xmr_chart_hand_computed() -> None:
    # mean 11.5; moving ranges 2, 1, 2 -> 5/3; sigma = (5/3) / 1.128 = 1.4775
    lim = xmr_chart([10, 12, 11, 13], 16.5)
    assert lim is not None
    sigma = (5 / 3) / 1.128
    assert lim.center == pytest.approx(11.5)
    assert lim.lower == pytest.approx(11.5 - 3 * sigma)
    assert lim.upper == pytest.approx(11.5 + 3 * sigma)
    assert round(lim.upper, 2) == 15.93 and lim.above


def test_count_chart_is_the_c_chart_unless_the_baseline_is_over_dispersed() -> None:
    poisson = count_chart([16, 16, 16, 16], 29)
    assert poisson is not None and (poisson.lower, poisson.upper) == (4, 28) and poisson.above
    # 100, 200, 100, 200: c-chart 150 ± 36.7 would flag 300, but weeks this unsteady are
    # judged by the individuals chart: mean moving range 100 -> 150 ± 3 * 88.65
    lim = count_chart([100, 200, 100, 200], 300)
    c = c_chart([100, 200, 100, 200], 300)
    assert c is not None and c.above
    assert lim is not None and not lim.above
    assert lim.upper == pytest.approx(150 + 3 * 100 / 1.128)
    assert lim.lower == 0.0


@pytest.mark.parametrize("fn", [
    lambda: p_chart([5, 5, 5], [10, 10, 10], 1, 10),
    lambda: p_chart([5, 5, 5, 0], [10, 10, 10, 0], 1, 10),  # a week with no answers
    lambda: p_chart([5, 5, 5, 5], [10, 10, 10, 10], 0, 0),  # nothing this week
    lambda: u_chart([1, 2, 3], [10, 10, 10], 1, 10),
    lambda: c_chart([1, 2, 3], 9),
    lambda: xmr_chart([1.0, 2.0, 3.0], 9.0),
    lambda: count_chart([1, 2, 3], 9),
])
def test_too_short_a_baseline_gives_no_limits(fn: object) -> None:
    assert fn() is None  # type: ignore[operator]


def test_binomial_tail_exact() -> None:
    from govcx.metrics.control import TAIL, binomial_tail

    assert binomial_tail(0, 10, 0.5, side="below") == pytest.approx(1 / 1024)
    assert binomial_tail(10, 10, 0.5, side="above") == pytest.approx(1 / 1024)
    # 9 of 60 with p = 0.05: beyond the p-chart's upper limit 0.05 + 3·√(0.05·0.95/60)
    # = 0.134, yet a stable process does it about 1 week in 350, not 1 in 740
    by_hand = 1 - sum(math.comb(60, k) * 0.05**k * 0.95**(60 - k) for k in range(9))
    assert binomial_tail(9, 60, 0.05, side="above") == pytest.approx(by_hand)
    lim = p_chart([3] * 12, [60] * 12, 9, 60)
    assert lim is not None and lim.above and by_hand > TAIL
    assert abs(TAIL - 0.00135) < 1e-5
    with pytest.raises(ValueError):
        binomial_tail(1, 2, 0.5, side="sideways")
