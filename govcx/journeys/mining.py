"""Process mining on an :class:`~govcx.journeys.eventlog.EventLog`'s frame, with Polars.

Numbers are PM4Py's (``tests/journeys/test_pm4py_parity.py`` checks them on every shared log
and on generated ones), computed on the frame sorted by case, timestamp and file position:

* frequency DFG: how often activity *b* directly follows *a* in one case
  (``pm4py.discover_dfg``);
* performance DFG: mean and median seconds from *a* to *b* over those pairs
  (``pm4py.discover_performance_dfg``; the median of an even count is the mean of the two
  middle values, as pandas computes it);
* start and end activities: first and last activity of each case, counted;
* variants: the activity sequence of each case, counted (``pm4py.get_variants``), listed by
  count descending and, for equal counts, by the activity sequence descending: PM4Py's own
  order for the top k (``filter_variants_top_k`` sorts on ``(count, variant)`` reversed);
* case durations: last minus first timestamp per case, in seconds
  (``pm4py.get_all_case_durations``); the summary's median is the statistical median (mean
  of the two middle values), not PM4Py's ``get_median_case_duration``, which picks the upper
  middle element.

Listing order elsewhere: arcs by count descending, then source and target ascending; start
and end activities by count descending, then name ascending.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import polars as pl

from .eventlog import ACTIVITY, CASE, TIMESTAMP, EventLog
from .eventlog import coded as _codes_of

_NEXT = "__next_activity"
_GAP = "__gap_seconds"
_FIRST = "__first"
_LAST = "__last"
_CASE_NO = "__case_no"


@dataclass(frozen=True)
class Arc:
    source: str
    target: str
    count: int
    mean_seconds: float
    median_seconds: float


@dataclass(frozen=True)
class Variant:
    activities: tuple[str, ...]
    count: int


@dataclass(frozen=True)
class Durations:
    count: int
    mean: float | None
    median: float | None
    min: float | None
    max: float | None


@dataclass(frozen=True)
class JourneyStats:
    dfg: list[Arc]
    start: dict[str, int]
    end: dict[str, int]
    variants: list[Variant]
    variant_total: int  # distinct variants before the top-N cut
    case_duration_seconds: Durations
    events: int
    cases: int

    def as_json(self) -> dict[str, Any]:
        """The shape ``govcx journeys analyze`` prints (issue 5, point 6)."""
        return {
            "dfg": [asdict(a) for a in self.dfg],
            "start": self.start,
            "end": self.end,
            "variants": [{"activities": list(v.activities), "count": v.count}
                         for v in self.variants],
            "case_duration_seconds": asdict(self.case_duration_seconds),
            "events": self.events,
            "cases": self.cases,
        }


def _seconds(ns: pl.Expr) -> pl.Expr:
    """Nanoseconds to float seconds, whole seconds exact (no ``* 1e-9`` rounding)."""
    return (ns // 1_000_000_000).cast(pl.Float64) + (ns % 1_000_000_000).cast(pl.Float64) / 1e9


def _frame(log: EventLog | pl.DataFrame) -> pl.DataFrame:
    return log.frame if isinstance(log, EventLog) else log


def _marked(frame: pl.DataFrame) -> pl.LazyFrame:
    """The three columns plus first/last-of-case flags; the frame must be sorted (EventLog is)."""
    case = pl.col(CASE)
    return frame.lazy().select(CASE, ACTIVITY, TIMESTAMP).with_columns(
        (case != case.shift(1)).fill_null(True).alias(_FIRST),
        (case != case.shift(-1)).fill_null(True).alias(_LAST),
    )


def _counts(series: pl.Series) -> dict[str, int]:
    counted = series.value_counts(name="n").sort(["n", series.name], descending=[True, False])
    return {str(k): int(n) for k, n in counted.iter_rows()}


def dfg_frame(log: EventLog | pl.DataFrame) -> pl.DataFrame:
    """Columns source, target, count, mean_seconds, median_seconds (sorted as documented)."""
    frame = _frame(log)
    act, case, ts = pl.col(ACTIVITY), pl.col(CASE), pl.col(TIMESTAMP)
    return (
        frame.lazy().select(CASE, ACTIVITY, TIMESTAMP)
        .with_columns(
            act.shift(-1).alias(_NEXT),
            _seconds((ts.shift(-1) - ts).dt.total_nanoseconds()).alias(_GAP),
            (case == case.shift(-1)).alias("__same"),
        )
        .filter(pl.col("__same"))
        .group_by(ACTIVITY, _NEXT)
        .agg(
            pl.len().alias("count"),
            pl.col(_GAP).mean().alias("mean_seconds"),
            pl.col(_GAP).median().alias("median_seconds"),
        )
        .rename({ACTIVITY: "source", _NEXT: "target"})
        .sort(["count", "source", "target"], descending=[True, False, False])
        .collect()
    )


def start_activities(log: EventLog | pl.DataFrame) -> dict[str, int]:
    marked = _marked(_frame(log)).filter(pl.col(_FIRST)).select(ACTIVITY).collect()
    return _counts(marked.get_column(ACTIVITY))


def end_activities(log: EventLog | pl.DataFrame) -> dict[str, int]:
    marked = _marked(_frame(log)).filter(pl.col(_LAST)).select(ACTIVITY).collect()
    return _counts(marked.get_column(ACTIVITY))


def case_durations(log: EventLog | pl.DataFrame) -> pl.Series:
    """Seconds from first to last event of each case, ascending (as PM4Py returns them)."""
    _names, coded = _coded(log)
    first = pl.col(_FIRST)
    last = first.shift(-1).fill_null(True)
    ends = coded.lazy().select(pl.col("ns").filter(first).alias("start"),
                               pl.col("ns").filter(last).alias("end")).collect()
    return ends.select(_seconds(pl.col("end") - pl.col("start")).alias("seconds").sort()
                       ).to_series()


def _per_variant(coded: pl.DataFrame) -> pl.DataFrame:
    """Columns code (the list of activity codes of a variant) and count.

    Case numbers (a running count of first events) rise monotonically; flagged as sorted,
    they let Polars collect each case's codes without hashing (ten times faster).
    """
    case_no = coded.get_column(_FIRST).cum_sum().set_sorted()
    return (
        pl.DataFrame({_CASE_NO: case_no, "code": coded.get_column("code")}).lazy()
        .group_by(_CASE_NO, maintain_order=True).agg(pl.col("code"))
        .group_by("code").agg(pl.len().alias("count"))
        .collect()
    )


def variants_frame(log: EventLog | pl.DataFrame) -> pl.DataFrame:
    """Columns activities (list of str), count; in PM4Py's top-k order.

    Activities are grouped as integer codes (see :meth:`EventLog.codes`), which is much
    faster than hashing lists of text, and turned back into text at the end.
    """
    text, coded = _coded(log)
    counted = _per_variant(coded)
    rows = [(tuple(text[c] for c in seq), int(n)) for seq, n in counted.iter_rows()]
    rows.sort(key=lambda r: (r[1], r[0]), reverse=True)
    return pl.DataFrame({"activities": [list(a) for a, _ in rows], "count": [c for _, c in rows]},
                        schema={"activities": pl.List(pl.String), "count": pl.Int64})


def _summary(seconds: pl.Series) -> Durations:
    if seconds.len() == 0:
        return Durations(count=0, mean=None, median=None, min=None, max=None)

    def num(v: Any) -> float:
        return float(v)

    return Durations(count=seconds.len(), mean=num(seconds.mean()), median=num(seconds.median()),
                     min=num(seconds.min()), max=num(seconds.max()))


def _coded(log: EventLog | pl.DataFrame) -> tuple[list[str], pl.DataFrame]:
    """Activity names, and a compact frame: activity code (UInt32), time (Int64 ns), first flag.

    Mining on integer codes instead of text keeps the working set to a few bytes per event;
    an :class:`EventLog` read from a file has the codes already (made as it was sorted).
    """
    frame = _frame(log)
    if isinstance(log, EventLog):
        names, codes = log.codes()
    else:
        names, codes = _codes_of(frame.get_column(ACTIVITY), frame.get_column(CASE))
    return names, codes.select(
        pl.col("code"), frame.get_column(TIMESTAMP).dt.epoch("ns").alias("ns"),
        pl.col("first").alias(_FIRST))


def analyze(log: EventLog | pl.DataFrame, *, top: int | None = 10) -> JourneyStats:
    """Everything ``govcx journeys analyze`` prints; ``top=None`` lists every variant."""
    frame = _frame(log)
    names, coded = _coded(log)
    code, ns, first = pl.col("code"), pl.col("ns"), pl.col(_FIRST)
    last = first.shift(-1).fill_null(True)
    # One integer key per arc (source code × number of names + target code): grouping on
    # one column is twice as fast as on two.
    width = pl.UInt32 if len(names) ** 2 < 2**32 else pl.UInt64
    pair = code.cast(width) * len(names) + code.shift(-1).cast(width)
    arcs_frame = (
        coded.lazy()
        .select(pair.alias("pair"), _seconds(ns.shift(-1) - ns).alias(_GAP),
                first.shift(-1).alias("next_first"))
        .filter(pl.col("next_first").not_())
        .group_by("pair")
        .agg(pl.len().alias("count"), pl.col(_GAP).mean().alias("mean"),
             pl.col(_GAP).median().alias("median"))
        .select((pl.col("pair") // len(names)).alias("code"),
                (pl.col("pair") % len(names)).alias("next"), "count", "mean", "median")
        .collect()
    )
    arcs = sorted(
        (Arc(source=names[s], target=names[t], count=int(c), mean_seconds=float(m),
             median_seconds=float(md)) for s, t, c, m, md in arcs_frame.iter_rows()),
        key=lambda a: (-a.count, a.source, a.target),
    )
    ends = coded.lazy().select(
        code.filter(first).alias("start_code"),
        ns.filter(first).alias("start_ns"),
        code.filter(last).alias("end_code"),
        ns.filter(last).alias("end_ns"),
    ).collect()
    seconds = ends.select(_seconds(pl.col("end_ns") - pl.col("start_ns"))).to_series()

    def counted(codes: pl.Series) -> dict[str, int]:
        pairs = [(names[c], int(n)) for c, n in codes.value_counts(name="n").iter_rows()]
        pairs.sort(key=lambda p: (-p[1], p[0]))
        return dict(pairs)

    per_variant = _per_variant(coded)
    variants = [(tuple(names[c] for c in seq), int(n)) for seq, n in per_variant.iter_rows()]
    variants.sort(key=lambda r: (r[1], r[0]), reverse=True)
    shown = variants if top is None else variants[:top]
    return JourneyStats(
        dfg=arcs,
        start=counted(ends.get_column("start_code")),
        end=counted(ends.get_column("end_code")),
        variants=[Variant(activities=a, count=c) for a, c in shown],
        variant_total=len(variants),
        case_duration_seconds=_summary(seconds),
        events=frame.height,
        cases=ends.height,
    )
