"""`govcx journeys analyze` / `export`: the JSON shape and clear errors."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from govcx.journeys import eventlog, synthetic


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("journeys", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def journeys_csv(tmp_path: Path) -> Path:
    path = tmp_path / "journeys.csv"
    synthetic.write_csv(path, 2_000, seed=1)
    return path


def test_analyze_prints_one_json_object(journeys_csv: Path) -> None:
    out, _ = run("analyze", str(journeys_csv), "--top", "3")
    data = json.loads(out)
    assert list(data) == ["dfg", "start", "end", "variants", "case_duration_seconds", "events",
                          "cases"]
    arc = data["dfg"][0]
    assert set(arc) == {"source", "target", "count", "mean_seconds", "median_seconds"}
    counts = [a["count"] for a in data["dfg"]]
    assert counts == sorted(counts, reverse=True)
    assert len(data["variants"]) == 3
    assert set(data["variants"][0]) == {"activities", "count"}
    assert isinstance(data["variants"][0]["activities"], list)
    assert set(data["case_duration_seconds"]) == {"count", "mean", "median", "min", "max"}
    assert data["case_duration_seconds"]["count"] == data["cases"]
    assert sum(data["start"].values()) == data["cases"] == sum(data["end"].values())
    assert data["events"] == sum(1 for _ in journeys_csv.open()) - 1


def test_analyze_with_mapping_and_format(tmp_path: Path) -> None:
    path = tmp_path / "export.txt"
    path.write_text("id,step,at\n1,a,2024-01-01 00:00:00\n1,b,2024-01-01 00:01:00\n2,a,2024-01-02\n")
    out, _ = run("analyze", str(path), "--format", "csv", "--case", "id", "--activity", "step",
                 "--timestamp", "at")
    data = json.loads(out)
    assert data["dfg"] == [{"source": "a", "target": "b", "count": 1, "mean_seconds": 60.0,
                            "median_seconds": 60.0}]
    assert data["start"] == {"a": 2} and data["end"] == {"a": 1, "b": 1}
    assert data["variants"] == [{"activities": ["a", "b"], "count": 1},
                                {"activities": ["a"], "count": 1}]
    assert data["case_duration_seconds"] == {"count": 2, "mean": 30.0, "median": 30.0, "min": 0.0,
                                             "max": 60.0}
    assert (data["events"], data["cases"]) == (3, 2)


def test_skipped_rows_are_reported_on_stderr(tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    path.write_text("case:concept:name,concept:name,time:timestamp\nA,a,2024-01-01\nA,b,soon\n")
    out, err = run("analyze", str(path))
    assert json.loads(out)["events"] == 1
    assert "skipped 1 of 2 rows: 1 unparseable timestamp" in err
    assert "row 2: unparseable timestamp: 'soon'" in err


def test_errors_are_clear(tmp_path: Path, journeys_csv: Path) -> None:
    with pytest.raises(CommandError, match="no such file"):
        run("analyze", str(tmp_path / "absent.csv"))
    with pytest.raises(CommandError, match=r"the case column 'nope' is not in the file; its "
                                           r"columns are: 'case:concept:name', 'concept:name'"):
        run("analyze", str(journeys_csv), "--case", "nope")
    with pytest.raises(CommandError, match="cannot tell the format"):
        run("analyze", str(tmp_path / "log.dat"))
    with pytest.raises(CommandError):
        run("analyze", str(journeys_csv), "--format", "json")
    with pytest.raises(CommandError, match="not well-formed XES"):
        run("analyze", str(journeys_csv), "--format", "xes")


def test_export_to_xes_and_back(tmp_path: Path, journeys_csv: Path) -> None:
    out_path = tmp_path / "out.xes.gz"
    _, err = run("export", str(journeys_csv), "--to", "xes", str(out_path))
    assert "wrote" in err
    a, _ = run("analyze", str(journeys_csv), "--top", "50")
    b, _ = run("analyze", str(out_path), "--top", "50")
    assert json.loads(a) == json.loads(b)
    assert eventlog.read_log(out_path).frame.get_column("channel").null_count() == 0
