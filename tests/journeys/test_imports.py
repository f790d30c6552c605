"""Importing journey events (CSV, Parquet, XES) with a column mapping: good rows kept, bad rows
named, mapping errors clear; in the background with progress, and from the command line."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from django.core.management import CommandError, call_command

from govcx.core.models import Role
from govcx.journeys import eventlog, imports
from govcx.journeys.models import JourneyEvent, JourneyImport
from tests.conftest import login

pytestmark = pytest.mark.django_db

CSV = """app_id,step,when,via,office
A-1,Apply,2025-03-01 09:00:00,web,North
A-1,Upload,2025-03-01 09:30:00-05:00,web,
A-1,Receipt,2025-03-01 09:30:00-05:00,web,
A-2,Apply,,web,South
A-2,Apply,yesterday,web,South
,Apply,2025-03-01 10:00:00,web,South
A-2,Decision,2025-03-02 10:00:00,email,South
"""
MAPPING = imports.Mapping(case="app_id", activity="step", timestamp="when", channel="via")


def run(world: dict[str, Any], tmp_path: Path, text: str = CSV, name: str = "log.csv",
        mapping: imports.Mapping = MAPPING, **kw: Any) -> imports.ImportOutcome:
    path = tmp_path / name
    path.write_text(text)
    return imports.journey_events_import(agency=world["a"], path=path,
                                         fmt=imports.format_for(name), mapping=mapping,
                                         service=world["sa"], **kw)


def test_good_rows_kept_bad_rows_named(world: dict[str, Any], tmp_path: Path) -> None:
    out = run(world, tmp_path, case_prefix="import:9:")
    assert (out.rows_total, out.rows_stored, out.error_count) == (7, 4, 3)
    assert [(e["where"], e["message"]) for e in out.errors] == [
        ("row 4", "missing timestamp"), ("row 5", "unparseable timestamp: 'yesterday'"),
        ("row 6", "missing case")]
    events = list(JourneyEvent.objects.order_by("case_key", "at", "seq"))
    assert [(e.case_key, e.activity, e.channel) for e in events] == [
        ("import:9:A-1", "Apply", "web"), ("import:9:A-1", "Upload", "web"),
        ("import:9:A-1", "Receipt", "web"), ("import:9:A-2", "Decision", "email")]
    upload = events[1]
    assert upload.at == dt.datetime(2025, 3, 1, 14, 30, tzinfo=dt.UTC)  # offset honoured
    assert events[0].attributes == {"office": "North"} and upload.attributes == {}
    assert events[0].service_id == world["sa"].pk and events[0].source == "import"
    assert events[1].seq < events[2].seq  # same instant: file order


def test_mapping_errors_are_clear(world: dict[str, Any], tmp_path: Path) -> None:
    with pytest.raises(imports.JourneyImportError) as exc:
        run(world, tmp_path, mapping=imports.Mapping(case="case", activity="step",
                                                     timestamp="when"))
    assert str(exc.value) == ("The case column 'case' is not in the file. Its columns are: "
                              "app_id, step, when, via, office.")
    with pytest.raises(imports.JourneyImportError, match="'stage' is not in the file"):
        run(world, tmp_path, mapping=imports.Mapping(case="app_id", activity="step",
                                                     timestamp="when", stage="stage"))
    with pytest.raises(imports.JourneyImportError, match="format"):
        imports.format_for("events.docx")
    with pytest.raises(imports.JourneyImportError, match=r"could not be read|not a readable"):
        run(world, tmp_path, text="not parquet at all", name="x.parquet")
    assert JourneyEvent.objects.count() == 0


def test_parquet_and_xes(world: dict[str, Any], tmp_path: Path) -> None:
    frame = pl.DataFrame({
        "case:concept:name": ["c1", "c1", "c2", "c2"],
        "concept:name": ["Apply", "Decision", "Apply", "Decision"],
        "time:timestamp": [dt.datetime(2025, 1, d, 9, tzinfo=dt.UTC) for d in (1, 3, 2, 9)],
        "channel": ["web", "email", "phone", "email"],
        "org:resource": ["self", "r1", "agent", "r2"],
    })
    pq = tmp_path / "log.parquet"
    frame.write_parquet(pq)
    out = imports.journey_events_import(agency=world["a"], path=pq, fmt="parquet",
                                        mapping=imports.Mapping(channel="channel"),
                                        service=world["sa"])
    assert out.rows_stored == 4 and out.error_count == 0
    xes = tmp_path / "log.xes"
    eventlog.write_xes(eventlog.from_frame(frame), xes)
    out = imports.journey_events_import(agency=world["a"], path=xes, fmt="xes",
                                        mapping=imports.Mapping(channel="channel"),
                                        service=world["sa"], case_prefix="x:")
    assert out.rows_stored == 4
    stored = JourneyEvent.objects.filter(case_key="x:c2").order_by("at")
    assert [(e.activity, e.channel, e.attributes["org:resource"]) for e in stored] == [
        ("Apply", "phone", "agent"), ("Decision", "email", "r2")]


def test_service_column(world: dict[str, Any], tmp_path: Path) -> None:
    from tests.conftest import make_service

    other = make_service(world["a"], "renew", name="Renew a card")
    text = "case,activity,time,svc\n1,A,2025-01-01,renew\n1,B,2025-01-02,Renew a card\n" \
           "2,A,2025-01-01,returns\n3,A,2025-01-01,\n"
    out = run(world, tmp_path, text=text, mapping=imports.Mapping(
        case="case", activity="activity", timestamp="time", service="svc"))
    assert out.rows_stored == 3 and out.error_count == 1
    assert out.errors[0]["message"] == "no service 'returns' in Benefits Agency"
    assert "case '2'" in out.errors[0]["where"]
    assert list(JourneyEvent.objects.order_by("case_key", "at").values_list(
        "case_key", "service_id")) == [("1", other.pk), ("1", other.pk), ("3", world["sa"].pk)]


def test_errors_are_capped(world: dict[str, Any], tmp_path: Path) -> None:
    rows = "".join(f"{i},A,2025-01-01,nowhere\n" for i in range(imports.MAX_ERRORS + 200))
    out = run(world, tmp_path, text="case,activity,time,svc\n" + rows,
              mapping=imports.Mapping(case="case", activity="activity", timestamp="time",
                                      service="svc"))
    assert out.error_count == imports.MAX_ERRORS + 200 and len(out.errors) == imports.MAX_ERRORS


def test_upload_runs_in_background_with_progress(world: dict[str, Any], client: Any,
                                                 settings: Any) -> None:
    login(client, world["staff"][("benefits-agency", Role.CX_ANALYST)])
    url = f"/staff/journeys/{world['sa'].pk}/import/"
    assert client.get(url).status_code == 200
    upload = io.BytesIO(CSV.encode())
    upload.name = "system.csv"
    r = client.post(url, {"file": upload, "case": "app_id", "activity": "step",
                          "timestamp": "when", "channel": "via"})
    assert r.status_code == 302
    job = JourneyImport.objects.get()
    assert r["Location"] == f"/staff/journeys/imports/{job.pk}/"
    assert job.status == "queued" and job.case_prefix == f"import:{job.pk}:"
    status = client.get(f"/staff/journeys/imports/{job.pk}/status.json").json()
    assert status["state"] == "queued" and not status["finished"]
    imports.journey_import_run(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.rows_total, job.rows_stored, job.error_count) == ("done", 7, 4, 3)
    assert job.data == b""
    status = client.get(f"/staff/journeys/imports/{job.pk}/status.json").json()
    assert status["finished"] and status["rows_stored"] == 4 and len(status["errors"]) == 3
    page = client.get(f"/staff/journeys/imports/{job.pk}/").content.decode()
    assert "unparseable timestamp" in page and "4 events stored" in page
    assert imports.journey_import_run(job_id=job.pk) is None  # not twice
    # a bad mapping fails the import with the reason
    upload = io.BytesIO(CSV.encode())
    upload.name = "system.csv"
    client.post(url, {"file": upload, "case": "nope", "activity": "step", "timestamp": "when"})
    bad = JourneyImport.objects.latest("id")
    imports.journey_import_run(job_id=bad.pk)
    bad.refresh_from_db()
    assert bad.status == "failed" and "'nope' is not in the file" in bad.failure
    # no file, an unknown format: 400 with a message
    r = client.post(url, {"case": "x"})
    assert r.status_code == 400 and "Choose a file" in r.content.decode()
    doc = io.BytesIO(b"x")
    doc.name = "notes.docx"
    assert client.post(url, {"file": doc}).status_code == 400


def test_import_pages_need_manage(world: dict[str, Any], client: Any) -> None:
    job = JourneyImport.objects.create(agency=world["a"], filename="x.csv", format="csv")
    login(client, world["staff"][("benefits-agency", Role.VIEWER)])
    assert client.get(f"/staff/journeys/{world['sa'].pk}/import/").status_code == 403
    assert client.get(f"/staff/journeys/imports/{job.pk}/").status_code == 404
    login(client, world["staff"][("tax-agency", Role.ADMINISTRATOR)])
    assert client.get(f"/staff/journeys/imports/{job.pk}/status.json").status_code == 404


def test_command(world: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    path.write_text(CSV)
    out, err = io.StringIO(), io.StringIO()
    call_command("journeys_import", str(path), agency=world["a"].slug, service="benefits",
                 case="app_id", activity="step", timestamp="when", channel="via",
                 keep_case_ids=True, stdout=out, stderr=err)
    assert "7 rows read, 4 events stored, 3 rows not imported" in out.getvalue()
    assert "row 5: unparseable timestamp: 'yesterday'" in err.getvalue()
    assert set(JourneyEvent.objects.values_list("case_key", flat=True)) == {"A-1", "A-2"}
    job = JourneyImport.objects.get()
    assert job.status == "done" and job.case_prefix == ""
    with pytest.raises(CommandError, match="'case' is not in the file"):
        call_command("journeys_import", str(path), agency=world["a"].slug, stdout=out,
                     stderr=err, case="case")
    with pytest.raises(CommandError, match="No agency"):
        call_command("journeys_import", str(path), agency="nope", stdout=out, stderr=err)
