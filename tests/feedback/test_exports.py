"""Staff responses export: CSV and XLSX columns, formula injection, permission, audit."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from govcx.core.models import AuditEvent
from govcx.feedback import services as fb
from govcx.feedback.exports import FIXED_COLUMNS, neutralise, responses_csv
from govcx.feedback.models import Response
from tests.conftest import login

NY = ZoneInfo("America/New_York")
EVIL = '=HYPERLINK("http://evil.example","click")'


@pytest.mark.parametrize(("raw", "safe"), [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("fine", "fine"), ("a=b", "a=b"), ("", ""),
    (5, 5), (None, None),
])
def test_neutralise(raw: Any, safe: Any) -> None:
    assert neutralise(raw) == safe


@pytest.fixture
def data(world: dict[str, Any]) -> dict[str, Any]:
    tp = world["ta"]
    r1 = fb.response_submit(touchpoint=tp, answers={"trust": "up",
                                                    "went_well": ["ease", "other"],
                                                    "went_well_other": "@friendly staff",
                                                    "comments": EVIL},
                            submitted_at=dt.datetime(2025, 3, 1, 9, 30, tzinfo=NY)).response
    r2 = fb.response_submit(touchpoint=tp, answers={"trust": "down", "went_poorly": ["ease"]},
                            language="es",
                            submitted_at=dt.datetime(2025, 3, 2, 10, 0, tzinfo=NY)).response
    assert r1 is not None and r2 is not None
    fb.response_tag(response=r1, name="praise", actor=world["staff"][
        ("benefits-agency", "cx_analyst")])
    fb.response_submit(touchpoint=world["tb"], answers={"trust": "up", "comments": "tax"})
    return {**world, "r1": r1, "r2": r2}


def test_csv_rows_and_injection(data: dict[str, Any]) -> None:
    qs = Response.objects.filter(agency=data["a"]).order_by("submitted_at")
    rows = list(csv.reader(io.StringIO("".join(responses_csv(qs)))))
    assert rows[0] == [*FIXED_COLUMNS, "trust", "went_well", "went_well_other",
                       "went_poorly", "went_poorly_other", "comments"]
    r1, r2 = data["r1"], data["r2"]
    assert rows[1] == [
        str(r1.pk), "2025-03-01T09:30:00-05:00", "Apply for benefits", "Apply for benefits web",
        "web", "en", "web", "1", "", "ease;other", "", "'" + EVIL, "new", "praise",
        "up", "ease;other", "'@friendly staff", "", "", "'" + EVIL,
    ]
    assert rows[2][:14] == [
        str(r2.pk), "2025-03-02T10:00:00-05:00", "Apply for benefits", "Apply for benefits web",
        "web", "es", "web", "0", "", "", "ease", "", "new", "",
    ]
    assert len(rows) == 3


def test_staff_csv_export_streams_and_is_audited(data: dict[str, Any], client: Any) -> None:
    login(client, data["staff"][("benefits-agency", "performance_manager")])
    r = client.get("/staff/responses/", {"format": "csv", "trust": "positive"})
    assert r.status_code == 200 and r.streaming
    assert r["Content-Disposition"].startswith('attachment; filename="responses-')
    rows = list(csv.reader(io.StringIO(b"".join(r.streaming_content).decode())))
    assert [row[0] for row in rows[1:]] == [str(data["r1"].pk)]  # agency A, positive only
    event = AuditEvent.objects.get(action="responses.export")
    assert event.detail["format"] == "csv" and event.detail["rows"] == 1
    assert event.detail["filter"] == {"trust": "positive"}
    assert event.agency_id == data["a"].pk


def test_staff_xlsx_export_neutralises_formulas(data: dict[str, Any], client: Any) -> None:
    login(client, data["staff"][("benefits-agency", "administrator")])
    r = client.get("/staff/responses/", {"format": "xlsx"})
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).active
    assert ws is not None
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert values[0][:3] == ["id", "submitted_at", "service"]
    comment_col = values[0].index("comment")
    by_id = {row[0]: row for row in values[1:]}
    assert set(by_id) == {data["r1"].pk, data["r2"].pk}
    assert by_id[data["r1"].pk][comment_col] == "'" + EVIL
    for row in ws.iter_rows():
        for cell in row:
            assert cell.data_type != "f"
    event = AuditEvent.objects.get(action="responses.export")
    assert event.detail["format"] == "xlsx" and event.detail["rows"] == 2


@pytest.mark.parametrize("role", ["viewer", "agent"])
def test_export_refused_without_capability(data: dict[str, Any], client: Any,
                                           role: str) -> None:
    login(client, data["staff"][("benefits-agency", role)])
    for fmt in ("csv", "xlsx"):
        r = client.get("/staff/responses/", {"format": fmt})
        assert r.status_code == 403 and b"not allow exporting" in r.content
    assert AuditEvent.objects.filter(action="responses.export", outcome="denied").count() == 2


def test_export_of_another_agencys_service_is_404(data: dict[str, Any], client: Any) -> None:
    login(client, data["staff"][("tax-agency", "administrator")])
    for fmt in ("csv", "xlsx"):
        assert client.get("/staff/responses/", {"format": fmt, "service": data["sa"].pk}
                          ).status_code == 404
        assert client.get("/staff/responses/", {"format": fmt, "touchpoint": data["ta"].pk}
                          ).status_code == 404
    r = client.get("/staff/responses/", {"format": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(r.streaming_content).decode())))
    assert len(rows) == 2 and rows[1][2] == "File a return"  # only its own agency's
