"""Importing results from CSV: good rows stored, bad rows named, re-import idempotent."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from govcx.core.models import AuditEvent
from govcx.feedback.imports import responses_import
from govcx.feedback.models import ImportJob, Response
from tests.conftest import login

NY = ZoneInfo("America/New_York")

CSV = (
    "trust,went_well,went_poorly,comments,submitted_at,language,external_id\n"
    "up,ease;effectiveness,,Great service,2025-09-30,en,IVR-1\n"       # row 2: good
    "sideways,,,,2025-09-30,en,IVR-2\n"                                # row 3: bad trust
    "down,,efficiency,Slow,2025-10-01T08:15,es,IVR-3\n"                # row 4: good
    "up,bribery,,,not-a-date,fr,IVR-4\n"                               # row 5: 3 errors
    "up,,,,,,\n"                                                       # row 6: good
    "up,,,,,,\n"                                                       # row 7: good (same)
    ",,,no trust answer,,,\n"                                          # row 8: missing
)


def test_import_stores_good_rows_names_bad_and_is_idempotent(world: dict[str, Any]) -> None:
    tp = world["ta"]
    actor = world["staff"][("benefits-agency", "cx_analyst")]
    result = responses_import(touchpoint=tp, data=CSV.encode(), filename="ivr.csv", actor=actor)
    assert (result.rows_total, result.rows_imported, result.rows_failed) == (7, 4, 3)
    found = {(e.row, e.column) for e in result.errors}
    assert found == {(3, "trust"), (5, "submitted_at"), (5, "language"), (5, "went_well"),
                     (8, "trust")}
    msg = {(e.row, e.column): e.message for e in result.errors}
    assert msg[(3, "trust")] == "Please choose one of the options."
    assert msg[(8, "trust")] == "Please answer this question."
    stored = Response.objects.filter(touchpoint=tp).order_by("id")
    assert stored.count() == 4
    first = stored[0]
    assert first.source == "import" and first.external_id == "IVR-1"
    assert first.drivers_positive == ["ease", "effectiveness"]
    assert first.submitted_at == dt.datetime(2025, 9, 30, 12, 0, tzinfo=NY)
    third = stored.get(external_id="IVR-3")
    assert third.language == "es" and third.drivers_negative == ["efficiency"]
    assert third.submitted_at == dt.datetime(2025, 10, 1, 8, 15, tzinfo=NY)
    job = ImportJob.objects.get()
    assert (job.rows_total, job.rows_imported, job.filename) == (7, 4, "ivr.csv")
    assert {"row": 3, "field": "trust", "message": "Please choose one of the options."} \
        in job.errors
    again = responses_import(touchpoint=tp, data=CSV.encode(), filename="ivr.csv", actor=actor)
    assert (again.rows_imported, again.rows_already) == (0, 4)
    assert Response.objects.filter(touchpoint=tp).count() == 4
    assert AuditEvent.objects.filter(action="responses.import").count() == 2


@pytest.mark.parametrize(("data", "fragment"), [
    (b"", "empty"),
    (b"trust,colour\nup,red\n", "Unknown column(s) in row 1: colour"),
    (b"trust,trust\nup,up\n", "named twice"),
    (b"trust\n\xff\xfe\n", "not UTF-8"),
])
def test_unusable_files_are_refused_whole(world: dict[str, Any], data: bytes,
                                          fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment.replace("(", r"\(").replace(")", r"\)")):
        responses_import(touchpoint=world["ta"], data=data)
    assert Response.objects.count() == 0


def test_dry_run_stores_nothing(world: dict[str, Any]) -> None:
    result = responses_import(touchpoint=world["ta"], data=CSV, dry_run=True)
    assert result.rows_failed == 3 and result.rows_imported == 0
    assert Response.objects.count() == 0 and ImportJob.objects.count() == 0


def test_command(world: dict[str, Any], tmp_path: Path, capsys: Any) -> None:
    good = tmp_path / "good.csv"
    good.write_text("trust,comments\nup,Fine\ndown,\n", encoding="utf-8")
    call_command("import_responses", str(good), "--touchpoint", str(world["ta"].public_id))
    out = capsys.readouterr()
    assert "2 rows read: 2 imported, 0 already imported before, 0 failed." in out.out
    call_command("import_responses", str(good), "--touchpoint", str(world["ta"].pk))
    assert "0 imported, 2 already imported before" in capsys.readouterr().out
    assert Response.objects.count() == 2
    bad = tmp_path / "bad.csv"
    bad.write_text(CSV, encoding="utf-8")
    with pytest.raises(CommandError, match="3 row"):
        call_command("import_responses", str(bad), "--touchpoint", str(world["ta"].pk),
                     "--dry-run")
    assert "row 3, column trust: Please choose one of the options." in capsys.readouterr().err
    assert Response.objects.count() == 2
    with pytest.raises(CommandError, match="No touchpoint"):
        call_command("import_responses", str(good), "--touchpoint", "nope")
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_responses", str(tmp_path / "missing.csv"), "--touchpoint",
                     str(world["ta"].pk))


def _upload(content: str | bytes, name: str = "paper.csv") -> SimpleUploadedFile:
    data = content.encode() if isinstance(content, str) else content
    return SimpleUploadedFile(name, data, content_type="text/csv")


def test_upload_view_shows_row_errors(world: dict[str, Any], client: Any,
                                      django_capture_on_commit_callbacks: Any) -> None:
    # The upload is imported in the background (tests/feedback/test_import_background.py):
    # the view queues a job and redirects to its status page, which shows the row errors.
    from tests.feedback.test_import_background import run_worker

    login(client, world["staff"][("benefits-agency", "cx_analyst")])
    url = f"/staff/touchpoints/{world['ta'].pk}/import/"
    page = client.get(url)
    assert page.status_code == 200 and b"went_well" in page.content
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(url, {"file": _upload(CSV)})
    assert r.status_code == 302
    run_worker()
    html = client.get(r["Location"]).content.decode()
    assert "4 imported" in html and "3 failed" in html
    assert "<th scope=\"row\">5</th><td>language</td><td>Use &#x27;en&#x27; or &#x27;es&#x27;." \
        in html
    assert Response.objects.count() == 4
    with django_capture_on_commit_callbacks(execute=True):
        ok = client.post(url, {"file": _upload("trust\nup\n")})
    assert ok.status_code == 302
    run_worker()
    assert Response.objects.count() == 5
    assert ImportJob.objects.filter(created_by=world["staff"][
        ("benefits-agency", "cx_analyst")]).count() == 2
    assert client.post(url, {}).status_code == 400
    refused = client.post(url, {"file": _upload("colour\nred\n")})
    assert refused.status_code == 400 and b"Unknown column" in refused.content


def test_upload_permissions(world: dict[str, Any], client: Any) -> None:
    url = f"/staff/touchpoints/{world['ta'].pk}/import/"
    login(client, world["staff"][("tax-agency", "administrator")])
    assert client.get(url).status_code == 404
    assert client.post(url, {"file": _upload("trust\nup\n")}).status_code == 404
    login(client, world["staff"][("benefits-agency", "viewer")])
    assert client.get(url).status_code == 403
    assert client.post(url, {"file": _upload("trust\nup\n")}).status_code == 403
    assert Response.objects.count() == 0
