"""Small-cell suppression: the rule, and attackers that try to derive every hidden cell.

The attackers are independent of the module's own SVD check: (1) repeated subtraction along
rows, columns and hierarchies; (2) exact elimination over fractions on every equation at
once; (3) linear programming with the knowledge that counts are never negative, which
finds the smallest and largest value each hidden cell can take. Every hidden cell must keep
a range of more than one value."""

from __future__ import annotations

import itertools
import random
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from scipy.optimize import linprog

from govcx.metrics.suppression import THRESHOLD, Status, Table, derivable, suppress

# --- attackers ----------------------------------------------------------------------------

def known_values(table: Table, status: dict[Any, Status]) -> dict[Any, int]:
    """What the attacker knows: the published cells, and every never-shown cell that is
    zero (a good guess when, e.g., a question is compulsory)."""
    return {c: v for c, v in table.values.items() if status[c] is Status.SHOWN
            or (c in table.unshown and v == 0 and status[c] is Status.UNSHOWN)}


def attack_subtraction(table: Table, status: dict[Any, Status]) -> dict[Any, int]:
    """Solve any equation with one unknown, again and again."""
    known = known_values(table, status)
    changed = True
    while changed:
        changed = False
        for total, parts in table.equations:
            members = (total, *parts)
            unknown = [c for c in members if c not in known]
            if len(unknown) != 1:
                continue
            (u,) = unknown
            s = sum(known[p] for p in parts if p in known)
            known[u] = known[total] - s if u != total else s
            changed = True
    return {c: v for c, v in known.items() if status[c] is not Status.SHOWN}


def attack_elimination(table: Table, status: dict[Any, Status]) -> dict[Any, Fraction]:
    """Exact Gauss-Jordan elimination over all equations: the cells it pins down."""
    known = known_values(table, status)
    hidden = sorted((c for c in table.values if c not in known), key=repr)
    col = {c: i for i, c in enumerate(hidden)}
    rows: list[list[Fraction]] = []
    for total, parts in table.equations:
        row = [Fraction(0)] * (len(hidden) + 1)
        for c, sign in ((total, -1), *((p, 1) for p in parts)):
            if c in col:
                row[col[c]] += sign
            else:
                row[-1] -= sign * known[c]
        if any(row[:-1]):
            rows.append(row)
    pivot_row = 0
    pivots: list[int] = []
    for j in range(len(hidden)):
        r = next((i for i in range(pivot_row, len(rows)) if rows[i][j] != 0), None)
        if r is None:
            continue
        rows[pivot_row], rows[r] = rows[r], rows[pivot_row]
        p = rows[pivot_row][j]
        rows[pivot_row] = [x / p for x in rows[pivot_row]]
        for i in range(len(rows)):
            if i != pivot_row and rows[i][j] != 0:
                f = rows[i][j]
                rows[i] = [a - f * b for a, b in zip(rows[i], rows[pivot_row], strict=True)]
        pivots.append(j)
        pivot_row += 1
    out = {}
    for i, j in enumerate(pivots):
        if all(rows[i][k] == 0 for k in range(len(hidden)) if k != j):
            out[hidden[j]] = rows[i][-1]
    return out


def attack_bounds(table: Table, status: dict[Any, Status],
                  lower: dict[Any, float] | None = None) -> dict[Any, tuple[float, float]]:
    """The smallest and largest value of each hidden cell given the published ones, that
    counts are never negative, and the `lower` bounds the labels give (a cell published as
    hidden is not zero, since zero is always shown)."""
    lower = lower or {}
    known = known_values(table, status)
    hidden = sorted((c for c in table.values if c not in known), key=repr)
    col = {c: i for i, c in enumerate(hidden)}
    a_eq, b_eq = [], []
    for total, parts in table.equations:
        row = np.zeros(len(hidden))
        b = 0.0
        for c, sign in ((total, -1), *((p, 1) for p in parts)):
            if c in col:
                row[col[c]] += sign
            else:
                b -= sign * known[c]
        if row.any():
            a_eq.append(row)
            b_eq.append(b)
    out = {}
    for c in hidden:
        obj = np.zeros(len(hidden))
        obj[col[c]] = 1.0
        bounds = [(lower.get(h, 0.0), None) for h in hidden]
        if not a_eq:  # no equation touches the hidden cells
            out[c] = (lower.get(c, 0.0), float("inf"))
            continue
        lo = linprog(obj, A_eq=np.array(a_eq), b_eq=b_eq, bounds=bounds, method="highs")
        hi = linprog(-obj, A_eq=np.array(a_eq), b_eq=b_eq, bounds=bounds, method="highs")
        assert lo.status == 0 and hi.status in (0, 3)  # 3: unbounded above
        out[c] = (lo.fun, -hi.fun if hi.status == 0 else float("inf"))
    return out


def assert_protected(table: Table, status: dict[Any, Status]) -> None:
    """No published count is small, and no hidden one can be worked out."""
    for c, v in table.values.items():
        if 0 < v < THRESHOLD:
            assert status[c] is not Status.SHOWN, f"{c}={v} is published"
    protected = {c for c, s in status.items() if s in (Status.PRIMARY, Status.COMPLEMENTARY)}
    sub = attack_subtraction(table, status)
    assert not (set(sub) & protected), {c: sub[c] for c in set(sub) & protected}
    elim = attack_elimination(table, status)
    assert not (set(elim) & protected), {c: elim[c] for c in set(elim) & protected}
    # what the one "not shown to protect privacy" label tells: a hidden published cell is
    # at least 1 (zero is shown), unless a zero had to be hidden (then nothing)
    labelled = {c: min(1.0, table.values[c]) for c, s in status.items()
                if s in (Status.PRIMARY, Status.COMPLEMENTARY) and c not in table.unshown}
    for c, (lo, hi) in attack_bounds(table, status, labelled).items():
        if c in protected:
            assert hi - lo >= 1 - 1e-6, f"{c} is pinned to [{lo}, {hi}]"
            assert lo - 1e-6 <= table.values[c] <= hi + 1e-6


# --- table builders -----------------------------------------------------------------------

def grid(values: dict[tuple[str, str], int]) -> Table:
    """Rows × columns with row totals, column totals and a grand total."""
    t = Table()
    rows = sorted({r for r, _ in values})
    cols = sorted({c for _, c in values})
    for (r, c), v in values.items():
        t.add((r, c), v)
    for r in rows:
        t.add((r, "T"), sum(values[(r, c)] for c in cols))
        t.relate((r, "T"), [(r, c) for c in cols])
    for c in cols:
        t.add(("T", c), sum(values[(r, c)] for r in rows))
        t.relate(("T", c), [(r, c) for r in rows])
    t.add(("T", "T"), sum(values.values()))
    t.relate(("T", "T"), [(r, "T") for r in rows])
    t.relate(("T", "T"), [("T", c) for c in cols])
    return t


def months_quarters_channels(values: dict[tuple[int, str], int]) -> Table:
    """12 months in 4 quarters and a year, × channels and all channels (the service page)."""
    t = Table()
    chans = sorted({c for _, c in values})
    for ch in [*chans, "all"]:
        def v(m: int, ch: str = ch) -> int:
            return values[(m, ch)] if ch != "all" else sum(values[(m, c)] for c in chans)
        for m in range(12):
            t.add((f"m{m}", ch), v(m))
        for q in range(4):
            t.add((f"q{q}", ch), sum(v(m) for m in range(3 * q, 3 * q + 3)))
            t.relate((f"q{q}", ch), [(f"m{m}", ch) for m in range(3 * q, 3 * q + 3)])
        t.add(("y", ch), sum(v(m) for m in range(12)))
        t.relate(("y", ch), [(f"q{q}", ch) for q in range(4)])
    for node in [*(f"m{m}" for m in range(12)), *(f"q{q}" for q in range(4)), "y"]:
        t.relate((node, "all"), [(node, c) for c in chans])
    return t


# --- tests --------------------------------------------------------------------------------

def test_one_small_part_of_a_total_hides_the_next_smallest_part() -> None:
    t = Table()
    for name, v in {"web": 120, "email": 40, "sms": 7, "phone": 25}.items():
        t.add(name, v)
    t.add("all", 192)
    t.relate("all", ["web", "email", "sms", "phone"])
    status = suppress(t)
    assert status["sms"] is Status.PRIMARY
    assert status["phone"] is Status.COMPLEMENTARY  # the next-smallest part, not the total
    assert status["web"] is status["email"] is status["all"] is Status.SHOWN
    assert_protected(t, status)
    # a naive page (primary suppression only) would give it away by subtraction
    naive = {c: Status.PRIMARY if c == "sms" else Status.SHOWN for c in t.values}
    assert attack_subtraction(t, naive) == {"sms": 7}


def test_eleven_is_shown_and_ten_is_hidden() -> None:
    t = Table()
    t.add("a", 11)
    t.add("b", 10)
    t.add("c", 0)
    status = suppress(t)
    assert status == {"a": Status.SHOWN, "b": Status.PRIMARY, "c": Status.SHOWN}


def test_two_small_parts_protect_each_other_unless_they_are_all_that_is_hidden() -> None:
    t = Table()
    for name, v in {"a": 3, "b": 4, "c": 50}.items():
        t.add(name, v)
    t.add("all", 57)
    t.relate("all", ["a", "b", "c"])
    status = suppress(t)
    assert [c for c, s in status.items() if s is not Status.SHOWN] == ["a", "b"]
    # their sum (7) is known but neither value is: each could be anything from 0 to 7
    bounds = attack_bounds(t, status)
    assert bounds["a"] == pytest.approx((0, 7)) and bounds["b"] == pytest.approx((0, 7))
    assert_protected(t, status)


def test_rows_and_columns_are_protected_together() -> None:
    t = grid({("a", "1"): 5, ("a", "2"): 20, ("a", "3"): 30,
              ("b", "1"): 40, ("b", "2"): 25, ("b", "3"): 12})
    status = suppress(t)
    hidden = {c for c, s in status.items() if s is not Status.SHOWN}
    # the smallest rectangle: the small cell, one more in its row and its column, and the
    # cell that closes the rectangle
    assert hidden == {("a", "1"), ("a", "2"), ("b", "1"), ("b", "2")}
    assert_protected(t, status)


def test_a_small_total_hides_its_parts_chain() -> None:
    t = grid({("a", "1"): 3, ("a", "2"): 4, ("b", "1"): 30, ("b", "2"): 40})
    status = suppress(t)
    assert status[("a", "T")] is Status.PRIMARY
    assert_protected(t, status)


def test_months_quarters_and_year_across_channels() -> None:
    values = {(m, c): 30 for m in range(12) for c in ("web", "phone", "sms")}
    values[(4, "sms")] = 2
    values[(9, "phone")] = 9
    t = months_quarters_channels(values)
    status = suppress(t)
    assert status[("m4", "sms")] is Status.PRIMARY
    assert status[("m9", "phone")] is Status.PRIMARY
    assert_protected(t, status)
    # a quarter total minus its visible months never gives a hidden month
    for q in range(4):
        for ch in ("web", "phone", "sms", "all"):
            inside = [m for m in range(3 * q, 3 * q + 3) if status[(f"m{m}", ch)]
                      is not Status.SHOWN]
            if status[(f"q{q}", ch)] is Status.SHOWN:
                assert len(inside) != 1


def test_unshown_small_counts_are_protected_too() -> None:
    """'Neither' (people who did not mention a driver) is never shown, but when it is small
    the page must not let it be computed as total − went well − not well."""
    t = Table()
    t.add("n", 60)
    t.add("went_well", 40)
    t.add("not_well", 15)
    t.add("neither", 5, shown=False)
    t.relate("n", ["went_well", "not_well", "neither"])
    status = suppress(t)
    assert status["neither"] is Status.PRIMARY
    assert status["not_well"] is Status.COMPLEMENTARY
    assert_protected(t, status)


def test_fixed_cells_keep_their_status_and_stay_protected() -> None:
    base = Table()
    for name, v in {"a": 4, "b": 30, "c": 40}.items():
        base.add(name, v)
    base.add("all", 74)
    base.relate("all", ["a", "b", "c"])
    first = suppress(base)
    assert first["a"] is Status.PRIMARY and first["b"] is Status.COMPLEMENTARY
    second = Table(values=dict(base.values), equations=list(base.equations))
    second.add("c_web", 30)
    second.add("c_sms", 10)
    second.relate("c", ["c_web", "c_sms"])
    status = suppress(second, fixed=first)
    assert {c: status[c] for c in first} == first  # c stays published
    assert status["c_sms"] is Status.PRIMARY
    assert status["c_web"] is Status.COMPLEMENTARY  # else c − c_web gives c_sms
    assert_protected(second, status)


def test_zero_is_published_and_not_used_as_a_complement_when_a_count_will_do() -> None:
    t = Table()
    for name, v in {"a": 6, "b": 0, "c": 30, "d": 45}.items():
        t.add(name, v)
    t.add("all", 81)
    t.relate("all", ["a", "b", "c", "d"])
    status = suppress(t)
    assert status["b"] is Status.SHOWN
    assert status["c"] is Status.COMPLEMENTARY
    assert_protected(t, status)


@pytest.mark.parametrize("seed", range(25))
def test_random_tables_resist_every_attack(seed: int) -> None:
    rng = random.Random(seed)
    chans = ["web", "email", "sms", "phone"][: rng.randint(1, 4)]
    values = {(m, c): (rng.choice([0, 1, 2, 5, 9, 10]) if rng.random() < 0.25
                       else rng.randint(11, 80))
              for m in range(12) for c in chans}
    t = months_quarters_channels(values)
    status = suppress(t)
    assert_protected(t, status)
    # the module's own check agrees with the attackers
    hidden = [c for c, s in status.items() if s is not Status.SHOWN]
    assert not derivable(t, hidden) & {c for c, s in status.items()
                                       if s in (Status.PRIMARY, Status.COMPLEMENTARY)}


@pytest.mark.parametrize("seed", range(10))
def test_random_grids_resist_every_attack(seed: int) -> None:
    rng = random.Random(100 + seed)
    rows, cols = rng.randint(2, 6), rng.randint(2, 6)
    values = {(f"r{r}", f"c{c}"): (rng.randint(1, 10) if rng.random() < 0.3
                                   else rng.randint(11, 200))
              for r, c in itertools.product(range(rows), range(cols))}
    t = grid(values)
    status = suppress(t)
    assert_protected(t, status)


def test_inconsistent_tables_are_refused() -> None:
    t = Table()
    t.add("a", 5)
    t.add("all", 6)
    t.relate("all", ["a"])
    with pytest.raises(ValueError, match="parts sum to 5"):
        suppress(t)


def test_one_label_does_not_bound_the_hidden_figures() -> None:
    """With "fewer than 11" on sms and "protected" on phone, sms ≤ 10, phone ≥ 11 and
    sms + phone = 12 pinned both; one label for both leaves sms anywhere in 1..11."""
    t = Table()
    for name, v in {"web": 120, "email": 40, "sms": 1, "phone": 11}.items():
        t.add(name, v)
    t.add("all", 172)
    t.relate("all", ["web", "email", "sms", "phone"])
    status = suppress(t)
    assert status["sms"] is Status.PRIMARY and status["phone"] is Status.COMPLEMENTARY
    assert_protected(t, status)
    bounds = attack_bounds(t, status, {"sms": 1, "phone": 1})
    assert bounds["sms"] == (1, 11) and bounds["phone"] == (1, 11)


def test_an_unshown_zero_does_not_protect() -> None:
    """Responses = trust respondents + did not answer trust (never shown). When everyone
    answered, the attacker can guess the zero, so the two series must be protected as one:
    a month hidden in one series cannot be shown in the other."""
    t = Table()
    months = {"jan": 30, "feb": 5, "mar": 20}
    for prefix in ("r", "tn"):
        for m, v in months.items():
            t.add((prefix, m), v)
        t.add((prefix, "q"), sum(months.values()))
        t.relate((prefix, "q"), [(prefix, m) for m in months])
    for m in [*months, "q"]:
        t.add(("tx", m), 0, shown=False)
        t.relate(("r", m), [("tn", m), ("tx", m)])
    status = suppress(t)
    assert_protected(t, status)
    for m in [*months, "q"]:
        assert (status[("r", m)] is Status.SHOWN) == (status[("tn", m)] is Status.SHOWN)


def test_cells_published_earlier_stay_fixed_and_their_equations_count() -> None:
    """Month by month: October (30) is published before its quarter ends; when the quarter
    total first appears, November (4) and October's published value must not give it
    away, and October stays shown."""
    first = Table()
    first.add("oct", 30)
    st1 = suppress(first)
    assert st1["oct"] is Status.SHOWN
    second = Table()
    for m, v in {"oct": 30, "nov": 4, "dec": 0}.items():
        second.add(m, v)
    second.add("q1", 34)
    second.relate("q1", ["oct", "nov", "dec"])
    st2 = suppress(second, fixed={"oct": st1["oct"]})
    assert st2["oct"] is Status.SHOWN and st2["nov"] is Status.PRIMARY
    assert st2["q1"] is not Status.SHOWN  # 34 − 30 − 0 = 4 otherwise
    assert_protected(second, st2)


def test_hidden_cells_are_not_pinned_by_the_label() -> None:
    """The reviewer's case T = 20 = 1 + 2 + 17: with every hidden cell at least 1 (zero is
    always shown), no protected cell may be left with a single possible value."""
    t = Table()
    for c, v in {"T": 20, "a": 1, "b": 2, "c": 17}.items():
        t.add(c, v)
    t.relate("T", ["a", "b", "c"])
    status = suppress(t)
    assert status["a"] is Status.PRIMARY and status["b"] is Status.PRIMARY
    assert_protected(t, status)


def test_month_by_month_with_the_ledger_the_year_total_waits() -> None:
    """Publishing each month with the earlier cells fixed: the months shown stay shown and
    every publication together still protects every small month."""
    values = {"oct": 30, "nov": 4, "dec": 25, "jan": 12, "feb": 9, "mar": 40}
    ledger: dict[str, Status] = {}
    for upto in range(1, len(values) + 1):
        names = list(values)[:upto]
        t = Table()
        for m in names:
            t.add(m, values[m])
        for q, ms in (("q1", names[:3]), ("q2", names[3:6])):
            if len(ms) == 3:
                t.add(q, sum(values[m] for m in ms))
                t.relate(q, ms)
        status = suppress(t, fixed={c: s for c, s in ledger.items() if c in t.values})
        for c, s in ledger.items():
            assert status[c] is s
        ledger.update(status)
        assert_protected(t, status)
    assert ledger["oct"] is Status.SHOWN and ledger["nov"] is Status.PRIMARY
