"""Phone call-detail records: CSV import (command) and the staff API, sharing one importer."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from govcx.contact.models import Case, Contact
from govcx.core.models import AuditEvent, Role
from tests.conftest import login

HEADER = ("call_id,caller,started_at,queue,answered,abandoned,wait_seconds,talk_seconds,"
          "hold_seconds,agent,disposition,transferred,routed_to_agent,service,topic,resolved")
GOOD_1 = ("C-001,(301) 555-0101,2026-11-02T10:15:00-05:00,es,true,false,45,300,20,agent1,"
          "resolved,false,true,benefits,payment,true")
GOOD_2 = "C-002,+13015550102,2026-11-02T10:20:00-05:00,,false,true,95,,,,abandoned,,true,,,"
GOOD_3 = "C-003,3015550103,2026-11-02T11:00:00+00:00,general,yes,no,10,120,0,,,yes,1,,,no"
BAD_TIME = "C-004,+13015550104,yesterday at noon,general,true,false,5,60,0,,,,,,,"
NAIVE = "C-005,+13015550105,2026-11-02T10:00:00,general,true,false,5,60,0,,,,,,,"
UNKNOWN_QUEUE = "C-006,+13015550106,2026-11-02T12:00:00-05:00,billing,true,false,5,60,0,,,,,,,"
NEGATIVE = "C-007,+13015550107,2026-11-02T12:05:00-05:00,general,true,false,-30,60,0,,,,,,,"
NO_CALLER = "C-008,,2026-11-02T12:10:00-05:00,general,true,false,5,60,0,,,,,,,"
FILE = "\n".join([HEADER, GOOD_1, GOOD_2, BAD_TIME, NAIVE, "", GOOD_3, UNKNOWN_QUEUE, NEGATIVE,
                  NO_CALLER]) + "\n"
# spreadsheet rows: header 1, GOOD_1 2, GOOD_2 3, BAD_TIME 4, NAIVE 5, blank 6, GOOD_3 7,
# UNKNOWN_QUEUE 8, NEGATIVE 9, NO_CALLER 10


def run_import(path: Path, slug: str) -> tuple[str, str, CommandError | None]:
    out, err = io.StringIO(), io.StringIO()
    failure = None
    try:
        call_command("import_cdr", str(path), agency=slug, stdout=out, stderr=err)
    except CommandError as exc:
        failure = exc
    return out.getvalue(), err.getvalue(), failure


@pytest.fixture
def cdr_file(tmp_path: Path) -> Path:
    path = tmp_path / "calls.csv"
    path.write_text(FILE, encoding="utf-8")
    return path


def test_csv_with_broken_rows_imports_good_rows_and_names_the_bad_ones(
        centre: dict[str, Any], cdr_file: Path) -> None:
    out, err, failure = run_import(cdr_file, centre["a"].slug)
    assert "3 imported" in out and "5 failed" in out
    assert failure is not None and "5 row(s) failed" in str(failure)
    lines = err.strip().splitlines()
    assert lines[0].startswith("row 4, column started_at:") and "ISO 8601" in lines[0]
    assert lines[1].startswith("row 5, column started_at:") and "UTC offset" in lines[1]
    assert lines[2].startswith("row 8, column queue:") and "billing" in lines[2]
    assert lines[3].startswith("row 9, column wait_seconds:") and "negative" in lines[3]
    assert lines[4].startswith("row 10, column caller:") and "missing" in lines[4]
    assert len(lines) == 5
    assert sorted(Contact.objects.values_list("external_id", flat=True)) == [
        "C-001", "C-002", "C-003"]
    assert AuditEvent.objects.filter(action="cdr.import", agency=centre["a"]).count() == 1


def test_call_fields_queue_agent_resolution_and_abandoned_calls(
        centre: dict[str, Any], cdr_file: Path) -> None:
    run_import(cdr_file, centre["a"].slug)
    first = Contact.objects.select_related("case").get(external_id="C-001")
    assert (first.channel, first.direction, first.sender) == ("phone", "in", "+13015550101")
    assert first.at == dt.datetime(2026, 11, 2, 15, 15, tzinfo=dt.UTC)
    assert first.queue_entered_at == first.at
    assert (first.answered, first.abandoned, first.routed_to_agent) == (True, False, True)
    assert (first.wait_seconds, first.talk_seconds, first.hold_seconds) == (45, 300, 20)
    assert first.disposition == "resolved" and first.author is not None
    assert first.author.get_username() == "agent1"
    case = first.case
    assert case is not None and case.queue == centre["spanish"]
    assert case.assignee is not None and case.assignee.get_username() == "agent1"
    assert case.service == centre["sa"] and case.topic == "payment"
    assert case.status == Case.Status.RESOLVED
    assert case.resolved_at == first.at + dt.timedelta(seconds=45 + 300 + 20)
    # the abandoned call is recorded for queue metrics but opens no case
    abandoned = Contact.objects.get(external_id="C-002")
    assert abandoned.abandoned is True and abandoned.case is None
    assert abandoned.customer is not None
    third = Contact.objects.get(external_id="C-003")
    assert third.transferred is True and third.case is not None
    assert third.case.status == Case.Status.NEW and third.case.queue == centre["general"]
    assert Case.objects.count() == 2


def test_reimporting_the_same_file_stores_nothing_twice(centre: dict[str, Any],
                                                        cdr_file: Path) -> None:
    run_import(cdr_file, centre["a"].slug)
    counts = (Contact.objects.count(), Case.objects.count())
    out, _err, _ = run_import(cdr_file, centre["a"].slug)
    assert "0 imported, 3 already imported before, 5 failed" in out
    assert (Contact.objects.count(), Case.objects.count()) == counts


def test_file_without_required_columns_or_unknown_agency_is_refused(
        centre: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("id,number\n1,2\n", encoding="utf-8")
    _, _, failure = run_import(path, centre["a"].slug)
    assert failure is not None and "call_id" in str(failure)
    _, _, failure = run_import(path, "no-such-agency")
    assert failure is not None and "no-such-agency" in str(failure)
    path.write_bytes(b"\xff\xfe\x00bad")
    _, _, failure = run_import(path, centre["a"].slug)
    assert failure is not None and "UTF-8" in str(failure)
    assert Contact.objects.count() == 0


def test_row_with_more_values_than_the_header_is_named(centre: dict[str, Any],
                                                       tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("call_id,caller,started_at\nC1,+13015550101,2026-11-02T10:00:00Z,extra\n"
                    "C2,+13015550102,2026-11-02T10:00:00Z\n", encoding="utf-8")
    out, err, _ = run_import(path, centre["a"].slug)
    assert "1 imported" in out and err.startswith("row 2, column -:")


API = "/api/v1/staff/contact/calls"


def records() -> list[dict[str, Any]]:
    return [
        {"call_id": "A-1", "caller": "+13015550111", "started_at": "2026-11-03T09:00:00-05:00",
         "queue": "general", "answered": True, "abandoned": False, "wait_seconds": 12,
         "talk_seconds": 200, "hold_seconds": 0, "agent": "agent2", "resolved": True},
        {"call_id": "A-2", "caller": "+13015550112", "started_at": "2026-11-03T09:05:00-05:00",
         "abandoned": True, "wait_seconds": 80},
        {"call_id": "A-3", "caller": "+13015550113", "started_at": "2026-11-03T09:06:00-05:00",
         "wait_seconds": -1, "agent": "agent-of-tax"},
        "not a record",
    ]


def post(client: Client, data: Any, slug: str) -> Any:
    return client.post(f"{API}?agency={slug}", json.dumps(data), content_type="application/json")


def test_api_imports_good_records_names_bad_ones_and_is_idempotent(
        centre: dict[str, Any], client: Client) -> None:
    login(client, centre["agents"][0])
    r = post(client, records(), centre["a"].slug)
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["imported"], body["duplicates"]) == (2, 0)
    assert {(e["row"], e["column"]) for e in body["errors"]} == {
        (3, "wait_seconds"), (3, "agent"), (4, "")}
    resolved = Contact.objects.get(external_id="A-1").case
    assert resolved is not None and resolved.status == Case.Status.RESOLVED
    assert Contact.objects.get(external_id="A-2").case is None
    again = post(client, records()[:2], centre["a"].slug).json()
    assert (again["imported"], again["duplicates"], again["errors"]) == (0, 2, [])
    assert Contact.objects.count() == 2
    ev = AuditEvent.objects.filter(action="cdr.import").latest("id")
    assert ev.actor_id == centre["agents"][0].pk and ev.agency_id == centre["a"].pk


def test_api_refuses_when_nothing_is_valid(centre: dict[str, Any], client: Client) -> None:
    login(client, centre["agents"][0])
    r = post(client, [{"call_id": "X"}], centre["a"].slug)
    assert r.status_code == 400
    assert {e["column"] for e in r.json()["errors"]} == {"caller", "started_at"}
    assert post(client, {"not": "a list"}, centre["a"].slug).status_code == 400
    r = client.post(f"{API}?agency={centre['a'].slug}", "{broken",
                    content_type="application/json")
    assert r.status_code == 400 and "JSON list" in r.json()["message"]
    assert Contact.objects.count() == 0


def test_api_is_agency_isolated(centre: dict[str, Any], client: Client) -> None:
    a, b = centre["a"], centre["b"]
    assert post(client, records(), a.slug).status_code == 401  # not signed in
    for outsider in (centre["staff"][(b.slug, Role.ADMINISTRATOR)],
                     centre["staff"][(a.slug, Role.VIEWER)],
                     centre["staff"][(a.slug, Role.CX_ANALYST)]):
        login(client, outsider)
        r = post(client, records(), a.slug)
        assert r.status_code == 404, outsider
        assert "A-1" not in r.content.decode()
    assert Contact.objects.count() == 0
    # B's administrator imports into B: A's queue names and agents are unknown there
    login(client, centre["staff"][(b.slug, Role.ADMINISTRATOR)])
    body = post(client, records()[:1], b.slug).json()
    assert {e["column"] for e in body["errors"]} == {"queue", "agent"}
    assert Contact.objects.count() == 0
