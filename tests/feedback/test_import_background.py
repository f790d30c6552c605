"""Staff CSV uploads run as background tasks: the upload queues a job, the real database worker
runs it, the status page and its JSON show progress and then the result."""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from govcx.feedback import imports
from govcx.feedback.models import ImportJob, Response
from tests.conftest import login

CSV = (
    "trust,went_well,went_poorly,comments,submitted_at,language,external_id\n"
    "up,ease;effectiveness,,Great service,2025-09-30,en,IVR-1\n"       # row 2: good
    "sideways,,,,2025-09-30,en,IVR-2\n"                                # row 3: bad trust
    "down,,efficiency,Slow,2025-10-01T08:15,es,IVR-3\n"                # row 4: good
    "up,bribery,,,not-a-date,fr,IVR-4\n"                               # row 5: 3 errors
)


@contextmanager
def _signals_kept() -> Iterator[None]:
    """db_worker installs its own SIGINT/SIGTERM handlers; give pytest its own back."""
    kept = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    try:
        yield
    finally:
        for s, handler in kept.items():
            signal.signal(s, handler)


def run_worker() -> None:
    """Run the database task worker in this process until the queue is empty.

    The worker closes "old" database connections between tasks; inside a test's transaction
    that would close the test's own connection (PostgreSQL), so that step is skipped here, as
    Django's test client skips it between requests."""
    with _signals_kept(), mock.patch(
        "django_tasks_db.management.commands.db_worker.close_old_connections"
    ):
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload",
                     "--interval", "0", verbosity=0)


def upload(client: Any, url: str, content: str | bytes, capture: Callable[..., Any],
           name: str = "paper.csv", **extra: str) -> Any:
    """POST a file to the upload view, running the on-commit callbacks (the enqueue)."""
    data = content.encode() if isinstance(content, str) else content
    queued = DBTaskResult.objects.count()
    with capture(execute=True):
        r = client.post(url, {"file": SimpleUploadedFile(name, data, content_type="text/csv"),
                              **extra})
        assert DBTaskResult.objects.count() == queued  # enqueued only once the upload commits
    return r


@pytest.fixture
def analyst(world: dict[str, Any], client: Any) -> Any:
    user = world["staff"][("benefits-agency", "cx_analyst")]
    login(client, user)
    return user


def test_upload_queues_then_worker_imports_and_page_shows_result(
    world: dict[str, Any], client: Any, analyst: Any, django_capture_on_commit_callbacks: Any,
) -> None:
    url = f"/staff/touchpoints/{world['ta'].pk}/import/"
    r = upload(client, url, CSV, django_capture_on_commit_callbacks)
    job = ImportJob.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/staff/imports/{job.pk}/"
    assert job.state == "queued" and job.created_by == analyst and bytes(job.data) == CSV.encode()
    assert Response.objects.count() == 0
    assert DBTaskResult.objects.filter(status="READY").count() == 1
    # while queued: the page polls, and works without JavaScript through a Refresh link
    page = client.get(r["Location"]).content.decode()
    assert "import-progress.js" in page and 'id="import-live"' in page
    assert "Waiting for the import to start." in page and ">Refresh</a>" in page
    queued = client.get(f"/staff/imports/{job.pk}/status.json").json()
    assert queued["state"] == "queued" and queued["finished"] is False

    run_worker()

    job.refresh_from_db()
    assert job.state == "done" and job.failure == ""
    assert job.started_at is not None and job.finished_at is not None
    assert bytes(job.data) == b""  # the file is not kept after the import
    assert (job.rows_total, job.rows_done, job.rows_imported) == (4, 4, 2)
    assert set(Response.objects.values_list("external_id", flat=True)) == {"IVR-1", "IVR-3"}
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    html = client.get(r["Location"]).content.decode()
    assert "4 rows read: 2 imported, 0 already imported before, 2 failed." in html
    assert "<th scope=\"row\">5</th><td>language</td><td>Use &#x27;en&#x27; or &#x27;es&#x27;." \
        in html
    assert ">Refresh</a>" not in html
    status = client.get(f"/staff/imports/{job.pk}/status.json").json()
    assert status["state"] == "done" and status["finished"] is True
    assert (status["rows_imported"], status["rows_failed"], status["errors_total"]) == (2, 2, 4)
    assert {"row": 3, "field": "trust", "message": "Please choose one of the options."} \
        in status["errors"]
    # the upload page lists the job
    assert f"/staff/imports/{job.pk}/" in client.get(url).content.decode()


def test_dry_run_in_background_stores_nothing(
    world: dict[str, Any], client: Any, analyst: Any, django_capture_on_commit_callbacks: Any,
) -> None:
    url = f"/staff/touchpoints/{world['ta'].pk}/import/"
    r = upload(client, url, CSV, django_capture_on_commit_callbacks, dry_run="1")
    assert r.status_code == 302
    run_worker()
    job = ImportJob.objects.get()
    assert job.state == "done" and job.dry_run and Response.objects.count() == 0
    assert "Checked 4 rows (nothing stored): 2 with errors." in client.get(r["Location"]).content.decode()


def test_progress_moves_on_a_large_file(
    world: dict[str, Any], client: Any, analyst: Any, django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rows = 1200
    body = "trust,external_id\n" + "".join(f"up,P-{i}\n" for i in range(rows))
    writes: list[tuple[str, int, int]] = []
    write = imports._job_progress_write

    def spy(job_id: int, done: int, total: int) -> None:
        write(job_id, done, total)
        job = ImportJob.objects.get(pk=job_id)  # what the status page would read now
        writes.append((job.state, job.rows_done, job.rows_total))

    monkeypatch.setattr(imports, "_job_progress_write", spy)
    monkeypatch.setattr(imports, "PROGRESS_EVERY", 300)
    r = upload(client, f"/staff/touchpoints/{world['ta'].pk}/import/", body,
               django_capture_on_commit_callbacks)
    run_worker()
    job = ImportJob.objects.get()
    assert job.state == "done"
    assert job.rows_imported == job.rows_total == job.rows_done == rows
    assert Response.objects.count() == rows
    assert len(writes) > 1
    assert all(state == "running" and total == rows for state, _done, total in writes)
    done_counts = [d for _s, d, _t in writes]
    assert done_counts == sorted(done_counts) and done_counts[0] < rows <= done_counts[-1]
    status = client.get(f"/staff/imports/{job.pk}/status.json").json()
    assert (status["rows_done"], status["rows_total"]) == (rows, rows)
    assert f"{rows} rows read: {rows} imported" in client.get(r["Location"]).content.decode()


def test_the_command_line_import_still_draws_its_bar(world: dict[str, Any], tmp_path: Any,
                                                    capsys: Any) -> None:
    f = tmp_path / "many.csv"
    f.write_text("trust,external_id\n" + "".join(f"up,C-{i}\n" for i in range(50)))
    call_command("import_responses", str(f), "--touchpoint", str(world["ta"].pk))
    out = capsys.readouterr()
    assert "50 rows read: 50 imported" in out.out and "50/50" in out.err
    assert ImportJob.objects.get().state == "done"


def test_unexpected_failure_marks_the_job_failed(
    world: dict[str, Any], client: Any, analyst: Any, django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def boom(**kwargs: Any) -> Any:
        raise RuntimeError("database went away")

    monkeypatch.setattr(imports, "response_submit", boom)
    r = upload(client, f"/staff/touchpoints/{world['ta'].pk}/import/", CSV,
               django_capture_on_commit_callbacks)
    run_worker()
    job = ImportJob.objects.get()
    assert job.state == "failed" and job.failure == imports.UNEXPECTED_FAILURE
    assert job.finished_at is not None and bytes(job.data) == b""
    assert DBTaskResult.objects.get().status == "FAILED"  # the worker's record of it too
    page = client.get(r["Location"])
    assert page.status_code == 200
    assert "The import failed: The import stopped because of an unexpected error." \
        in page.content.decode()
    status = client.get(f"/staff/imports/{job.pk}/status.json").json()
    assert status["state"] == "failed" and status["failure"] == imports.UNEXPECTED_FAILURE


def test_a_file_unusable_in_the_worker_fails_with_its_reason(
    world: dict[str, Any], client: Any, analyst: Any, django_capture_on_commit_callbacks: Any,
) -> None:
    r = upload(client, f"/staff/touchpoints/{world['ta'].pk}/import/", "trust\nup\n",
               django_capture_on_commit_callbacks)
    ImportJob.objects.update(data=b"trust\n\xff\xfe\n")  # e.g. changed on disk before the run
    run_worker()
    job = ImportJob.objects.get()
    assert job.state == "failed" and "not UTF-8" in job.failure
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    assert "not UTF-8" in client.get(r["Location"]).content.decode()


def test_a_job_runs_once(world: dict[str, Any], analyst: Any,
                         django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        job = imports.import_job_queue(touchpoint=world["ta"], data=b"trust\nup\n",
                                       filename="a.csv", actor=analyst)
    run_worker()
    assert imports.import_job_run(job_id=job.pk) is None
    assert Response.objects.count() == 1


def test_whole_file_problems_are_refused_at_upload(
    world: dict[str, Any], client: Any, analyst: Any, django_capture_on_commit_callbacks: Any,
) -> None:
    url = f"/staff/touchpoints/{world['ta'].pk}/import/"
    refused = upload(client, url, "colour\nred\n", django_capture_on_commit_callbacks)
    assert refused.status_code == 400 and b"Unknown column" in refused.content
    assert client.post(url, {}).status_code == 400
    assert ImportJob.objects.count() == 0 and DBTaskResult.objects.count() == 0


def test_more_than_5000_rows_are_accepted_up_to_the_byte_limit(
    world: dict[str, Any], client: Any, analyst: Any, django_capture_on_commit_callbacks: Any,
) -> None:
    url = f"/staff/touchpoints/{world['ta'].pk}/import/"
    r = upload(client, url, "trust\n" + "up\n" * 6000, django_capture_on_commit_callbacks,
               dry_run="1")
    assert r.status_code == 302
    big = upload(client, url, b"trust\n" + b"up\n" * (imports.MAX_BYTES // 3 + 1),
                 django_capture_on_commit_callbacks)
    assert big.status_code == 400 and b"larger than 20 MB" in big.content
    run_worker()
    job = ImportJob.objects.get()
    assert job.state == "done" and job.rows_total == 6000 and Response.objects.count() == 0


def test_other_agencies_get_404(
    world: dict[str, Any], client: Any, analyst: Any, django_capture_on_commit_callbacks: Any,
) -> None:
    upload(client, f"/staff/touchpoints/{world['ta'].pk}/import/", CSV,
           django_capture_on_commit_callbacks, name="benefits.csv")
    run_worker()
    job = ImportJob.objects.get()
    for outsider in (world["staff"][("tax-agency", "administrator")],
                     world["staff"][("tax-agency", "cx_analyst")]):
        login(client, outsider)
        for path in (f"/staff/imports/{job.pk}/", f"/staff/imports/{job.pk}/status.json"):
            r = client.get(path)
            assert r.status_code == 404, (outsider, path)
            assert b"benefits.csv" not in r.content
    client.logout()
    assert client.get(f"/staff/imports/{job.pk}/status.json").status_code == 302
