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
   protected, not only the primary ones. The result is deterministic (ties by cell id).

Fixed reporting periods (whole months of a federal fiscal year, never the month in progress)
and one joint system per agency and year keep different pages and downloads consistent, so
differences between pages or periods do not reveal anything either.
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


def derivable(table: Table, hidden: Iterable[Cell]) -> set[Cell]:
    """The hidden cells that the published cells and the equations determine exactly.

    Hidden cells that share no equation (directly or through other hidden cells) are
    independent, so each connected group is solved on its own (small matrices)."""
    hid = set(hidden)
    if not hid:
        return set()
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
    out: set[Cell] = set()
    for root, cells in groups.items():
        cells.sort(key=repr)
        out |= _determined(table, cells, eqs_of.get(root, []))
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
    eqs = [(total, *parts) for total, parts in table.equations]

    def choose(candidates: list[Cell], covers: Mapping[Cell, int]) -> Cell:
        # a cell that closes several exposing equations at once first, then the smallest
        # non-zero part (a zero protects nothing: counts are never negative), totals last
        return min(candidates, key=lambda c: (table.values[c] == 0, -covers.get(c, 0),
                                              c in totals, table.values[c], repr(c)))

    for _ in range(max_rounds):
        # 1. plain subtractions (cheap): an equation with exactly one hidden member gives it
        # away; hide a published member of it, until no such equation is left
        progressed = True
        while progressed:
            progressed = False
            hidden_set = {c for c, s in status.items() if s is not Status.SHOWN}
            lone = []
            for members in eqs:
                inside = [x for x in members if x in hidden_set]
                if len(inside) == 1 and must_protect(inside[0]):
                    lone.append(members)
            covers: dict[Cell, int] = {}
            for members in lone:
                for c in members:
                    covers[c] = covers.get(c, 0) + 1
            for members in lone:
                cands = [c for c in members if status[c] is Status.SHOWN and c not in fixed]
                if cands:  # one at a time: the next choice sees what this one closed
                    status[choose(cands, covers)] = Status.COMPLEMENTARY
                    progressed = True
                    break
        # 2. the exact check (chains through several equations)
        hidden = [c for c, s in status.items() if s is not Status.SHOWN]
        exposed = sorted((c for c in derivable(table, hidden) if must_protect(c)), key=repr)
        if not exposed:
            return status
        target = exposed[0]
        candidates = [c for c in neighbours[target]
                      if status[c] is Status.SHOWN and c not in fixed]
        if not candidates:  # the equations reach it only through fixed cells
            candidates = [c for c, s in status.items() if s is Status.SHOWN and c not in fixed]
        if not candidates:
            return status
        status[choose(candidates, {})] = Status.COMPLEMENTARY
    raise RuntimeError("suppression did not settle")  # pragma: no cover


def visible(status: Mapping[Cell, Status], *cells: Cell) -> bool:
    """True when every listed cell is published (use for shares and averages)."""
    return all(status.get(c) is Status.SHOWN for c in cells)


__all__ = ["THRESHOLD", "Status", "Table", "derivable", "is_primary", "suppress", "visible"]
