"""Reading and writing event logs: bad rows named and skipped, column mapping, round trips."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from govcx.journeys import eventlog, mining, synthetic
from govcx.journeys.eventlog import ACTIVITY, CASE, TIMESTAMP, ColumnMapping


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_bad_rows_are_named_and_skipped_good_rows_kept(tmp_path: Path) -> None:
    path = write(tmp_path / "log.csv", (
        "case:concept:name,concept:name,time:timestamp,channel\n"
        "A,apply,2024-01-01 10:00:00,web\n"           # row 1
        ",apply,2024-01-01 10:00:00,web\n"            # row 2: missing case
        "A,,2024-01-01 11:00:00,web\n"                # row 3: missing activity
        "A,upload,not a date,web\n"                   # row 4: unparseable
        "B,apply,,phone\n"                            # row 5: missing timestamp
        "B,apply,2024-02-30 10:00:00,phone\n"         # row 6: no 30 February
        "A,decide,2024-01-03T09:00:00-05:00,email\n"  # row 7
        "  ,apply,2024-01-01 10:00:00,web\n"          # row 8: blank case
    ))
    log = eventlog.read_log(path)
    assert log.events == 2
    assert log.frame.get_column(ACTIVITY).to_list() == ["apply", "decide"]
    assert log.frame.get_column("channel").to_list() == ["web", "email"]
    report = log.skipped
    assert report.total == 8 and report.skipped == 6
    assert report.by_reason == {"missing case": 2, "missing activity": 1, "missing timestamp": 1,
                                "unparseable timestamp": 2}
    assert [(b.row, b.reason) for b in report.examples] == [
        (2, "missing case"), (3, "missing activity"), (4, "unparseable timestamp"),
        (5, "missing timestamp"), (6, "unparseable timestamp"), (8, "missing case")]
    assert str(report.examples[2]) == "row 4: unparseable timestamp: 'not a date'"
    summary = report.summary()
    assert summary.startswith("skipped 6 of 8 rows: 2 missing case, 1 missing activity")
    assert "row 6: unparseable timestamp: '2024-02-30 10:00:00'" in summary


def test_xes_bad_events_are_named_by_trace_and_event(tmp_path: Path) -> None:
    path = write(tmp_path / "log.xes", """<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="1.0" xmlns="http://www.xes-standard.org/">
  <trace><string key="concept:name" value="T1"/>
    <event><string key="concept:name" value="a"/>
      <date key="time:timestamp" value="2024-01-01T00:00:00Z"/></event>
    <event><string key="concept:name" value="b"/><date key="time:timestamp" value="yesterday"/></event>
    <event><date key="time:timestamp" value="2024-01-02T00:00:00Z"/></event>
  </trace>
  <trace>
    <event><string key="concept:name" value="c"/>
      <date key="time:timestamp" value="2024-01-01T00:00:00"/></event>
  </trace>
</log>""")
    log = eventlog.read_log(path)
    assert log.events == 1
    assert [str(b) for b in log.skipped.examples] == [
        "trace 1 (case 'T1'), event 2: unparseable timestamp: 'yesterday'",
        "trace 1 (case 'T1'), event 3: missing activity",
        "trace 2 (case None), event 1: missing case",
    ]


def test_column_mapping_and_xes_names_in_the_frame(tmp_path: Path) -> None:
    path = write(tmp_path / "app.csv", (
        "ApplicationId;Step;When;concept:name\n"
        "7;Apply;2024-01-01 10:00:00+01:00;ignored\n"
        "7;Pay;2024-01-02 10:00:00+01:00;ignored\n"
    ))
    mapping = ColumnMapping(case="ApplicationId", activity="Step", timestamp="When")
    log = eventlog.read_log(path, mapping=mapping)
    assert log.frame.columns == [CASE, ACTIVITY, TIMESTAMP]  # a clashing concept:name is dropped
    assert log.frame.get_column(CASE).to_list() == ["7", "7"]
    assert log.frame.get_column(ACTIVITY).to_list() == ["Apply", "Pay"]
    assert log.frame.schema[TIMESTAMP] == pl.Datetime("ns", "UTC")
    assert mining.analyze(log).case_duration_seconds.max == 86400.0


def test_missing_column_names_the_columns_that_exist(tmp_path: Path) -> None:
    path = write(tmp_path / "log.csv", "id,step,at\n1,a,2024-01-01\n")
    with pytest.raises(eventlog.MissingColumnError) as err:
        eventlog.read_log(path)
    assert "'case:concept:name'" in str(err.value)
    assert "its columns are: 'id', 'step', 'at'" in str(err.value)


def test_unknown_extension_and_bad_files(tmp_path: Path) -> None:
    with pytest.raises(eventlog.EventLogError, match="cannot tell the format"):
        eventlog.read_log(write(tmp_path / "log.json", "{}"))
    with pytest.raises(eventlog.EventLogError, match="no such file"):
        eventlog.read_log(tmp_path / "absent.csv")
    with pytest.raises(eventlog.EventLogError, match="not well-formed XES"):
        eventlog.read_log(write(tmp_path / "broken.xes", "<log><trace><event></trace></log>"))
    with pytest.raises(eventlog.EventLogError):
        eventlog.read_log(write(tmp_path / "x.parquet", "not parquet"))


def _same(a: eventlog.EventLog, b: eventlog.EventLog) -> None:
    assert a.frame.select(CASE, ACTIVITY, TIMESTAMP).equals(b.frame.select(CASE, ACTIVITY, TIMESTAMP))
    assert mining.analyze(a, top=None) == mining.analyze(b, top=None)


@pytest.mark.parametrize("suffix", [".xes", ".xes.gz", ".csv"])
def test_round_trip(tmp_path: Path, suffix: str) -> None:
    source = tmp_path / "journeys.csv"
    synthetic.write_csv(source, 3_000, seed=4)
    first = eventlog.read_log(source)
    out = tmp_path / f"out{suffix}"
    (eventlog.write_xes if "xes" in suffix else eventlog.write_csv)(first, out)
    again = eventlog.read_log(out)
    _same(first, again)
    assert again.frame.get_column("channel").to_list() == first.frame.get_column("channel").to_list()
    assert again.skipped.skipped == 0


def test_xes_round_trip_keeps_types_and_trace_attributes(tmp_path: Path) -> None:
    path = write(tmp_path / "typed.xes", """<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="1.0">
  <trace><string key="concept:name" value="T&amp;1"/><int key="household" value="4"/>
    <event><string key="concept:name" value="a &lt;b&gt; &quot;c&quot;"/>
      <date key="time:timestamp" value="2024-01-01T00:00:00.250+02:00"/>
      <float key="amount" value="12.5"/><boolean key="online" value="true"/>
      <int key="amount_cents" value="1250"/>
      <list key="tags"><values><string key="t" value="x"/></values></list></event>
  </trace>
</log>""")
    log = eventlog.read_log(path)
    assert log.frame.schema["case:household"] == pl.Int64
    assert log.frame.schema["amount"] == pl.Float64
    assert log.frame.schema["online"] == pl.Boolean
    assert "t" not in log.frame.columns and "tags" not in log.frame.columns
    assert log.frame.row(0, named=True)[CASE] == "T&1"
    assert log.frame.row(0, named=True)[ACTIVITY] == 'a <b> "c"'
    out = tmp_path / "again.xes"
    eventlog.write_xes(log, out)
    again = eventlog.read_log(out)
    assert again.frame.equals(log.frame)


def test_parquet_reads_like_csv(tmp_path: Path) -> None:
    source = tmp_path / "journeys.csv"
    synthetic.write_csv(source, 2_000, seed=9)
    from_csv = eventlog.read_log(source)
    # Parquet with real timestamps (aware, another zone) and as text: both read the same.
    pq1 = tmp_path / "typed.parquet"
    from_csv.frame.with_columns(pl.col(TIMESTAMP).dt.convert_time_zone("America/New_York")
                                ).write_parquet(pq1)
    pq2 = tmp_path / "text.parquet"
    pl.read_csv(source, infer_schema=False).write_parquet(pq2)
    _same(from_csv, eventlog.read_log(pq1))
    _same(from_csv, eventlog.read_log(pq2))


def test_attributes_false_keeps_only_the_three_columns(tmp_path: Path) -> None:
    source = tmp_path / "journeys.csv"
    synthetic.write_csv(source, 500)
    log = eventlog.read_log(source, attributes=False)
    assert log.frame.columns == [CASE, ACTIVITY, TIMESTAMP]
    assert log.attributes == []


def test_timestamp_forms_the_fast_parser_leaves_to_the_general_one(tmp_path: Path) -> None:
    # Most rows use "T" (the sampled separator); the others take the slower paths, same instants.
    rows = [f"A,step{i},2024-01-01T10:{i:02d}:00-05:00" for i in range(10)] + [
        "B,odd offset,2024-01-01T10:00:00+05:07",
        "B,space,2024-01-01 10:00:00",
        "B,fraction,2024-01-01 10:00:00.5Z",
        "B,minutes only,2024-01-01T10:01",
        "B,date only,2024-01-02",
        "B,padded, 2024-01-03 00:00:00 ",
    ]
    path = write(tmp_path / "forms.csv", "case:concept:name,concept:name,time:timestamp\n"
                 + "\n".join(rows) + "\n")
    log = eventlog.read_log(path)
    assert log.skipped.skipped == 0
    got = dict(zip(log.frame.get_column(ACTIVITY).to_list(),
                   log.frame.get_column(TIMESTAMP).dt.strftime("%Y-%m-%d %H:%M:%S%.9f").to_list(),
                   strict=True))
    assert got["step3"] == "2024-01-01 15:03:00.000000000"
    assert got["odd offset"] == "2024-01-01 04:53:00.000000000"
    assert got["space"] == "2024-01-01 10:00:00.000000000"
    assert got["fraction"] == "2024-01-01 10:00:00.500000000"
    assert got["minutes only"] == "2024-01-01 10:01:00.000000000"
    assert got["date only"] == "2024-01-02 00:00:00.000000000"
    assert got["padded"] == "2024-01-03 00:00:00.000000000"


def test_sort_keeps_file_order_for_equal_times_and_codes_match_the_frame(tmp_path: Path) -> None:
    path = write(tmp_path / "ties.csv", (
        "case:concept:name,concept:name,time:timestamp\n"
        "B,b1,2024-01-01 10:00:00.000000002\n"
        "A,a2,2024-01-01 10:00:00\n"
        "B,b2,2024-01-01 10:00:00.000000002\n"
        "A,a1,2023-12-31 23:59:59\n"
        "B,b0,2024-01-01 10:00:00.000000001\n"
        "A,a3,2024-01-01 10:00:00\n"
    ))
    log = eventlog.read_log(path)
    by_case: dict[str, list[str]] = {}
    for case, activity in log.frame.select(CASE, ACTIVITY).iter_rows():
        by_case.setdefault(case, []).append(activity)
    assert by_case == {"A": ["a1", "a2", "a3"], "B": ["b0", "b1", "b2"]}
    names, codes = log.codes()  # made while sorting; equal to making them from the frame
    again = eventlog.coded(log.frame.get_column(ACTIVITY), log.frame.get_column(CASE))
    assert names == again[0] and codes.equals(again[1])
    changed = eventlog.EventLog(frame=log.frame.reverse(), skipped=log.skipped)
    assert changed.codes()[1].get_column("first").sum() == 2  # made again for another frame


def test_case_time_order_when_cut_keys_collide() -> None:
    # 6 rows: positions take 3 bits, so keys 8 and 9 share their top bits; the case pass is
    # redone with an arg-sort and the order is still by key, time, position.
    key = pl.Series([9, 8, 9, 8, 9, 8], dtype=pl.UInt64)
    ts = pl.Series([5, 4, 3, 3, 5, 1]).cast(pl.Datetime("ns", "UTC"))
    assert eventlog._case_time_order(key, ts).to_list() == [5, 3, 1, 2, 0, 4]
