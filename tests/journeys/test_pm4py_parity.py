"""govcx.journeys gives PM4Py's numbers (issue 5, first bar).

PM4Py is run the way its documentation shows: ``pd.read_csv`` or ``pm4py.read_xes``, then
``pm4py.format_dataframe`` with the column names, then ``discover_dfg``,
``discover_performance_dfg``, ``get_variants_as_tuples`` and ``get_all_case_durations``.
Counts must be equal; seconds equal within 1e-6 relative.
"""

from __future__ import annotations

import math
import random
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from govcx.journeys import eventlog, mining, synthetic

from .conftest import SHARED_LOGS

pm4py = pytest.importorskip("pm4py", reason="pm4py (dev extra) is the reference")
pd = pytest.importorskip("pandas")


@dataclass
class Reference:
    dfg: dict[tuple[str, str], int]
    perf: dict[tuple[str, str], dict[str, float]]
    start: dict[str, int]
    end: dict[str, int]
    variants: dict[tuple[str, ...], int]
    durations: list[float]


def pm4py_reference(path: Path, mapping: eventlog.ColumnMapping) -> Reference:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if eventlog.infer_format(path) == "xes":
            df = pm4py.read_xes(str(path), show_progress_bar=False)
        else:
            df = pd.read_csv(path)
        df = pm4py.format_dataframe(df, case_id=mapping.case, activity_key=mapping.activity,
                                    timestamp_key=mapping.timestamp)
        dfg, start, end = pm4py.discover_dfg(df)
        perf, _, _ = pm4py.discover_performance_dfg(df, perf_aggregation_key="all")
        variants = pm4py.get_variants_as_tuples(df)
        durations = pm4py.get_all_case_durations(df)
    return Reference(
        dfg={k: int(v) for k, v in dfg.items()},
        perf={k: {"mean": float(v["mean"]), "median": float(v["median"])} for k, v in perf.items()},
        start={k: int(v) for k, v in start.items()},
        end={k: int(v) for k, v in end.items()},
        variants={tuple(k): int(v) for k, v in variants.items()},
        durations=[float(d) for d in durations],
    )


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)


def assert_parity(path: Path, mapping: eventlog.ColumnMapping | None = None) -> None:
    mapping = mapping or eventlog.ColumnMapping()
    ref = pm4py_reference(path, mapping)
    log = eventlog.read_log(path, mapping=mapping)
    stats = mining.analyze(log, top=None)

    assert {(a.source, a.target): a.count for a in stats.dfg} == ref.dfg
    ours_perf = {(a.source, a.target): a for a in stats.dfg}
    assert ours_perf.keys() == ref.perf.keys()
    for arc, theirs in ref.perf.items():
        assert close(ours_perf[arc].mean_seconds, theirs["mean"]), (arc, ours_perf[arc], theirs)
        assert close(ours_perf[arc].median_seconds, theirs["median"]), (arc, ours_perf[arc], theirs)
    assert stats.start == ref.start
    assert stats.end == ref.end
    assert {v.activities: v.count for v in stats.variants} == ref.variants
    # Listed in PM4Py's top-k order: count, then the variant, both descending.
    expected_order = sorted(ref.variants.items(), key=lambda kv: (kv[1], kv[0]), reverse=True)
    assert [(v.activities, v.count) for v in stats.variants] == expected_order
    durations = mining.case_durations(log).to_list()
    assert len(durations) == len(ref.durations)
    assert all(close(a, b) for a, b in zip(durations, ref.durations, strict=True))
    assert stats.cases == len(ref.durations)
    assert stats.events == sum(len(v) * n for v, n in ref.variants.items())
    summary = stats.case_duration_seconds
    if ref.durations:
        assert close(summary.mean or 0, sum(ref.durations) / len(ref.durations))
        assert summary.min == min(durations) and summary.max == max(durations)
        assert close(summary.min or 0, ref.durations[0])
        assert close(summary.max or 0, ref.durations[-1])


@pytest.mark.parametrize("name", SHARED_LOGS)
def test_shared_logs_match_pm4py(eventlogs: Path, name: str) -> None:
    assert_parity(eventlogs / name)


def test_running_example_with_a_column_mapping(eventlogs: Path) -> None:
    # running-example.csv also carries the activity as "Activity": map to it.
    assert_parity(eventlogs / "running-example.csv",
                  eventlog.ColumnMapping(case="case:concept:name", activity="Activity",
                                         timestamp="time:timestamp"))


def test_generated_benefits_journeys_match_pm4py(tmp_path: Path) -> None:
    path = tmp_path / "journeys.csv"
    synthetic.write_csv(path, 20_000, seed=11)
    assert_parity(path)


def _edge_rows() -> list[tuple[str, str, str]]:
    """Ties inside a case, unicode, single-event cases, mixed offsets, naive times, fractions."""
    rng = random.Random(3)
    acts = ["Apply online", "Subir documentos", "Llamada — teléfono", "申请审核", "Décision ✅",
            "Payment 💸", "apply online", "Apply  online"]
    zones = [timezone(timedelta(hours=h, minutes=m)) for h, m in ((-5, 0), (-4, 0), (5, 30),
                                                                  (0, 0), (9, 0), (-3, -30))]
    rows: list[tuple[str, str, str]] = []
    for c in range(400):
        case = f"case-{rng.randrange(10_000)}-{c}"
        t = datetime(2023, 3, 1, tzinfo=UTC) + timedelta(seconds=rng.randrange(10**7))
        n = 1 if c % 7 == 0 else rng.randrange(2, 9)
        for _ in range(n):
            if rng.random() > 0.3:  # else: same timestamp as the previous event of the case
                t += timedelta(seconds=rng.randrange(1, 400_000), microseconds=rng.choice(
                    [0, 0, 250_000, 123_456]))
            style = rng.randrange(4)
            if style == 0:
                text = t.astimezone(rng.choice(zones)).isoformat(sep=" ")
            elif style == 1:
                text = t.astimezone(rng.choice(zones)).isoformat()
            elif style == 2:
                text = t.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")  # naive = UTC
            else:
                text = t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            rows.append((case, rng.choice(acts), text))
    rng.shuffle(rows)  # interleave cases; ties keep their relative (file) order below
    rows.sort(key=lambda r: r[0][-3:])  # deterministic but not case-contiguous either
    return rows


def _write(path: Path, header: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    import csv

    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)


def test_generated_edge_cases_match_pm4py(tmp_path: Path) -> None:
    path = tmp_path / "edge.csv"
    _write(path, (eventlog.CASE, eventlog.ACTIVITY, eventlog.TIMESTAMP), _edge_rows())
    assert_parity(path)


def test_same_timestamp_keeps_file_order_like_pm4py(tmp_path: Path) -> None:
    rows = [
        ("A", "submit", "2024-05-01 10:00:00+00:00"),
        ("B", "x", "2024-05-01 09:00:00+00:00"),
        ("A", "upload", "2024-05-01 10:00:00+00:00"),
        ("A", "receipt", "2024-05-01T12:00:00+02:00"),  # the same instant again
        ("A", "done", "2024-05-02 10:00:00"),
        ("B", "y", "2024-05-01 09:00:00Z"),
        ("C", "only", "2024-05-03 00:00:00-07:00"),
    ]
    path = tmp_path / "ties.csv"
    _write(path, (eventlog.CASE, eventlog.ACTIVITY, eventlog.TIMESTAMP), rows)
    assert_parity(path)
    stats = mining.analyze(eventlog.read_log(path), top=None)
    assert ("submit", "upload", "receipt", "done") in {v.activities for v in stats.variants}
    assert ("x", "y") in {v.activities for v in stats.variants}


def test_generated_xes_matches_pm4py(tmp_path: Path) -> None:
    csv_path = tmp_path / "journeys.csv"
    synthetic.write_csv(csv_path, 5_000, seed=2)
    xes_path = tmp_path / "journeys.xes.gz"
    eventlog.write_xes(eventlog.read_log(csv_path), xes_path)
    assert_parity(xes_path)
