"""Small-cell suppression for public figures (pure: no Django, no database).

The rule (documented in docs/architecture.md, "Public transparency dashboard"):

1. **Threshold.** A count of people (responses, respondents, people who picked a driver,
   calls, cases) from 1 to ``THRESHOLD - 1`` (10) is never published: *primary
   suppression*. Zero is published (it describes nobody). A share, rate or average is
   published only when every count it is computed from is published (so ``share × n``
   cannot recover a hidden count).
2. **Tables are linear systems.** Every part-and-total relation a page shows (channels and
   their total; months, quarters and the fiscal year; services and the agency total; the
   people who picked a driver as going well, not well, or neither, and the respondents) is
   an equation ``total = part_1 + … + part_k``. Cells that the page never shows but that
   could be computed from it (the "neither" of a driver, the respondents who did not say
   they trust) are *unshown* cells: they are counted as unknown, and they are primary
   suppressed like any other count when they are from 1 to 10.
3. **Complementary suppression, iterated until stable.** First the cheap case: while an
   equation has exactly one hidden member (a plain subtraction gives it away), one of its
   published members is hidden too — the one that closes the most such equations at once,
   then the smallest non-zero part (zeros protect nothing: counts cannot be negative),
   totals last. Then the exact check: a hidden cell is *derivable* when the published cells
   and all the equations together determine it, i.e. its unit vector lies in the row space
   of the equations restricted to the hidden cells (an SVD per connected group of hidden
   cells; this covers chains across rows, columns and hierarchies). If one is, the smallest
   published cell sharing an equation with it is hidden and both steps run again. It stops
   when no hidden cell is derivable — every suppressed cell (primary or complementary) is
   protected, not only the primary ones. Last, the bounds: counts are never negative and a
   hidden published cell is not zero (zero is always shown), so linear programmes find the
   smallest and largest value each protected cell can take; a cell pinned to one value is
   treated like a derivable one. The result is deterministic (ties by cell id).

   An unshown cell that is zero counts as *known* (an attacker may guess it: everyone
   answered the trust question), so it never stands between a hidden cell and the others.
4. **One label.** Every hidden cell, primary or complementary, is published with the same
   label ("not shown to protect privacy"; ``suppressed`` in the downloads), so the label
   says nothing about the size of the hidden value (a "fewer than 11" next to a
   "protected" one would bound both).
5. **Across tables.** Counts that are parts of one another are in one joint system per
   agency and year (``govcx.metrics.public``): responses per channel, per service and the
   agency total; the people asked (response rate = responses / asked, with the unshown
   "did not answer"); the trust respondents (with the unshown "did not answer the trust
   question") and the trusting (with the unshown "did not agree"); per driver, went well,
   not well and the unshown "neither" of the trust respondents; calls offered = answered
   + abandoned. A share is published only when its numerator and denominator cells are.
6. **Across publication dates.** Only fixed periods are published: whole months of a
   federal fiscal year that have ended, quarters once their three months have ended, the
   year once all twelve have (never a quarter- or year-to-date total, whose difference
   from one month to the next would be the newest month). Every cell published is
   recorded with its value and status in a ledger (``metrics.PublishedFigure``); each
   later computation passes the ledger's cells as ``fixed``: a cell once shown stays
   shown, one once hidden stays hidden, and their equations still count, so a new
   quarter or year total is hidden whenever it would expose a month hidden earlier.

One joint system per agency and year keeps different pages and downloads consistent, so
differences between pages do not reveal anything either.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

THRESHOLD = 11  # the smallest count of people that is published

Cell = Hashable


class Status(StrEnum):
    SHOWN = "shown"
    PRIMARY = "primary"  # a count from 1 to THRESHOLD-1
    COMPLEMENTARY = "complementary"  # hidden so that a primary cell cannot be derived
    UNSHOWN = "unshown"  # never published (structural), but part of an equation


@dataclass
class Table:
    """Cells (id → count) and equations ``(total, parts)`` between them.

    ``unshown`` cells are never published but take part in equations (and are primary
    suppressed like any count when small)."""

    values: dict[Cell, int] = field(default_factory=dict)
    equations: list[tuple[Cell, tuple[Cell, ...]]] = field(default_factory=list)
    unshown: set[Cell] = field(default_factory=set)

    def add(self, cell: Cell, value: int, *, shown: bool = True) -> None:
        self.values[cell] = int(value)
        if not shown:
            self.unshown.add(cell)

    def relate(self, total: Cell, parts: Iterable[Cell]) -> None:
        self.equations.append((total, tuple(parts)))

    def check(self) -> None:
        """Every equation holds for the counts (a programming error otherwise)."""
        for total, parts in self.equations:
            got = sum(self.values[p] for p in parts)
            if got != self.values[total]:
                raise ValueError(f"{total!r} = {self.values[total]} but its parts sum to {got}")


def is_primary(value: int, threshold: int = THRESHOLD) -> bool:
    return 0 < value < threshold


def _matrix(table: Table, hidden: Sequence[Cell]) -> np.ndarray:
    col = {c: i for i, c in enumerate(hidden)}
    rows = []
    for total, parts in table.equations:
        row = np.zeros(len(hidden))
        for c, sign in ((total, -1.0), *((p, 1.0) for p in parts)):
            if c in col:
                row[col[c]] += sign
        if row.any():
            rows.append(row)
    return np.array(rows) if rows else np.zeros((0, len(hidden)))


def _determined(table: Table, hidden: Sequence[Cell],
                eqs: Sequence[tuple[Cell, tuple[Cell, ...]]]) -> set[Cell]:
    sub = Table(values=table.values, equations=list(eqs))
    a = _matrix(sub, hidden)
    if a.shape[0] == 0:
        return set()
    n = a.shape[1]
    if a.shape[0] < n:  # square it, so the SVD gives a basis of the whole row space
        a = np.vstack([a, np.zeros((n - a.shape[0], n))])
    _, s, vt = np.linalg.svd(a, full_matrices=False)
    rank = int((s > 1e-9 * max(1.0, float(s.max(initial=0.0)))).sum())
    null = vt[rank:]  # rows span the null space of the hidden part
    if null.shape[0] == 0:
        return set(hidden)
    free = np.abs(null).max(axis=0) > 1e-9
    return {c for c, f in zip(hidden, free, strict=True) if not f}


def _groups(table: Table, hid: set[Cell]) -> list[tuple[list[Cell],
                                                     list[tuple[Cell, tuple[Cell, ...]]]]]:
    """Connected groups of hidden cells (sharing equations), each with its equations."""
    parent: dict[Cell, Cell] = {c: c for c in hid}

    def find(c: Cell) -> Cell:
        while parent[c] != c:
            parent[c] = parent[parent[c]]
            c = parent[c]
        return c

    touching: list[tuple[tuple[Cell, tuple[Cell, ...]], list[Cell]]] = []
    for eq in table.equations:
        inside = [c for c in (eq[0], *eq[1]) if c in hid]
        if inside:
            touching.append((eq, inside))
            for c in inside[1:]:
                ra, rb = find(inside[0]), find(c)
                if ra != rb:
                    parent[ra] = rb
    groups: dict[Cell, list[Cell]] = {}
    for c in hid:
        groups.setdefault(find(c), []).append(c)
    eqs_of: dict[Cell, list[tuple[Cell, tuple[Cell, ...]]]] = {}
    for eq, inside in touching:
        eqs_of.setdefault(find(inside[0]), []).append(eq)
    out = []
    for root, cells in groups.items():
        cells.sort(key=repr)
        out.append((cells, eqs_of.get(root, [])))
    return out


def derivable(table: Table, hidden: Iterable[Cell],
              memo: dict[tuple[Cell, ...], set[Cell]] | None = None) -> set[Cell]:
    """The hidden cells that the published cells and the equations determine exactly.

    Hidden cells that share no equation (directly or through other hidden cells) are
    independent, so each connected group is solved on its own (small matrices)."""
    hid = set(hidden)
    out: set[Cell] = set()
    for cells, eqs in _groups(table, hid):
        # a group's result depends only on its cells (the same equations touch them), so
        # `memo` carries the groups that did not change from one round to the next
        key = tuple(cells)
        if memo is not None and key in memo:
            out |= memo[key]
            continue
        got = _determined(table, cells, eqs)
        if memo is not None:
            memo[key] = got
        out |= got
    return out


def pinned(table: Table, hidden: Iterable[Cell], targets: Iterable[Cell]) -> set[Cell]:
    """The `targets` (hidden) whose value the published cells, the equations and the bounds
    the page gives away fix to one integer: every count is at least 0, and a hidden
    published cell at least 1 (zero is always shown, so "not shown" means "not zero").
    Two linear programmes (smallest, largest value) per target, per connected group."""
    from scipy.optimize import linprog

    hid = set(hidden)
    want = set(targets) & hid
    out: set[Cell] = set()
    for cells, eqs in _groups(table, hid):
        goal = [c for c in cells if c in want]
        if not goal or not eqs:
            continue
        col = {c: i for i, c in enumerate(cells)}
        a_eq, b_eq = [], []
        for total, parts in eqs:
            row = np.zeros(len(cells))
            b = 0.0
            for c, sign in ((total, -1.0), *((p, 1.0) for p in parts)):
                if c in col:
                    row[col[c]] += sign
                else:
                    b -= sign * table.values[c]
            a_eq.append(row)
            b_eq.append(b)
        bounds = [(0.0 if c in table.unshown else float(min(1, table.values[c])), None)
                  for c in cells]
        a = np.array(a_eq)
        # cheap first: move along each direction of the null space from the true values
        # (a feasible point); a cell that can move by 1 within the bounds is not pinned
        x = np.array([float(table.values[c]) for c in cells])
        lb = np.array([b[0] for b in bounds])
        n = a.shape[1]
        sq = np.vstack([a, np.zeros((max(0, n - a.shape[0]), n))])
        _, sv, vt = np.linalg.svd(sq, full_matrices=True)
        rank = int((sv > 1e-9 * max(1.0, float(sv.max(initial=0.0)))).sum())
        null = vt[rank:]
        undecided = []
        for c in goal:
            j = col[c]
            free = False
            for v in null:
                if abs(v[j]) < 1e-9:
                    continue
                d = v / v[j]
                neg, pos = d < -1e-12, d > 1e-12
                up = float(np.min((x[neg] - lb[neg]) / -d[neg])) if neg.any() else np.inf
                down = float(np.min((x[pos] - lb[pos]) / d[pos])) if pos.any() else np.inf
                if up + down >= 1 - 1e-9:
                    free = True
                    break
            if not free:
                undecided.append(c)
        for c in undecided:
            obj = np.zeros(len(cells))
            obj[col[c]] = 1.0
            lo = linprog(obj, A_eq=np.array(a_eq), b_eq=b_eq, bounds=bounds, method="highs")
            hi = linprog(-obj, A_eq=np.array(a_eq), b_eq=b_eq, bounds=bounds,
                         method="highs")
            if lo.status == 0 and hi.status == 0 and -hi.fun - lo.fun < 1 - 1e-6:
                out.add(c)
    return out


def suppress(table: Table, threshold: int = THRESHOLD, *,
             fixed: Mapping[Cell, Status] | None = None,
             max_rounds: int = 10_000) -> dict[Cell, Status]:
    """The status of every cell under the rule in the module docstring.

    `fixed` cells keep the status an earlier pass gave them (e.g. the responses of a joint
    table when a service's drivers are added to it): they are never hidden here, but their
    hidden ones are still checked, so what this pass publishes cannot expose them."""
    table.check()
    fixed = fixed or {}
    status: dict[Cell, Status] = {}
    for c, v in table.values.items():
        if c in fixed:
            status[c] = fixed[c]
        elif is_primary(v, threshold):
            status[c] = Status.PRIMARY
        elif c in table.unshown:
            status[c] = Status.UNSHOWN
        else:
            status[c] = Status.SHOWN
    neighbours: dict[Cell, list[Cell]] = {c: [] for c in table.values}
    for total, parts in table.equations:
        members = (total, *parts)
        for c in members:
            neighbours[c].extend(m for m in members if m != c)

    def must_protect(c: Cell) -> bool:
        # every suppressed cell that a page would show, and every small unshown count
        return status[c] in (Status.PRIMARY, Status.COMPLEMENTARY)

    totals = {t for t, _ in table.equations}
    # an unshown cell that is zero is treated as known: an attacker may rightly guess it
    # (e.g. everyone answers a compulsory question), so it must not be what protects a cell
    known_zero = {c for c in table.unshown if table.values[c] == 0
                  and status[c] is Status.UNSHOWN}
    eqs = [(total, *parts) for total, parts in table.equations]

    def choose(candidates: list[Cell], covers: Mapping[Cell, int]) -> Cell:
        # a cell that closes several exposing equations at once first, then the smallest
        # non-zero part (a zero protects nothing: counts are never negative), totals last
        return min(candidates, key=lambda c: (table.values[c] == 0, -covers.get(c, 0),
                                              c in totals, table.values[c], repr(c)))

    memo: dict[tuple[Cell, ...], set[Cell]] = {}
    for _ in range(max_rounds):
        # 1. plain subtractions (cheap): an equation with exactly one hidden member gives it
        # away; hide a published member of it, until no such equation is left
        progressed = True
        while progressed:
            progressed = False
            hidden_set = {c for c, s in status.items()
                          if s is not Status.SHOWN and c not in known_zero}
            lone = []
            for members in eqs:
                inside = [x for x in members if x in hidden_set]
                if len(inside) == 1 and must_protect(inside[0]):
                    lone.append(members)
            covers: dict[Cell, int] = {}
            for members in lone:
                for c in members:
                    covers[c] = covers.get(c, 0) + 1
            picked: set[Cell] = set()
            for members in lone:
                if picked.intersection(members):  # a pick of this pass closed it already
                    continue
                cands = [c for c in members if status[c] is Status.SHOWN and c not in fixed]
                if cands:
                    pick = choose(cands, covers)
                    status[pick] = Status.COMPLEMENTARY
                    picked.add(pick)
                    progressed = True
        # 2. the exact check (chains through several equations)
        hidden = [c for c, s in status.items() if s is not Status.SHOWN and c not in known_zero]
        exposed = sorted((c for c in derivable(table, hidden, memo) if must_protect(c)),
                         key=repr)
        if not exposed:
            # 3. the bounds: no protected cell may be pinned by "at least 0" and "not
            # shown, so at least 1" either
            exposed = sorted(pinned(table, hidden, [c for c in hidden if must_protect(c)]),
                             key=repr)
        if not exposed:
            return status
        # one complement per exposed cell whose neighbours this round has not touched yet
        # (several far-apart cells are fixed in one round, then everything is checked again)
        touched: set[Cell] = set()
        for target in exposed:
            if touched & set(neighbours[target]):
                continue
            candidates = [c for c in neighbours[target]
                          if status[c] is Status.SHOWN and c not in fixed]
            if not candidates:  # the equations reach it only through fixed cells
                candidates = [c for c, s in status.items()
                              if s is Status.SHOWN and c not in fixed]
            if not candidates:
                if touched:
                    continue
                return status
            pick = choose(candidates, {})
            status[pick] = Status.COMPLEMENTARY
            touched.add(pick)
            touched.add(target)
    raise RuntimeError("suppression did not settle")  # pragma: no cover


def visible(status: Mapping[Cell, Status], *cells: Cell) -> bool:
    """True when every listed cell is published (use for shares and averages)."""
    return all(status.get(c) is Status.SHOWN for c in cells)


__all__ = ["THRESHOLD", "Status", "Table", "derivable", "is_primary", "suppress", "visible"]
