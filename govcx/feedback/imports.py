"""Import survey results collected elsewhere (post-call IVR, paper forms) from CSV.

The header row names the columns: question ids of the touchpoint's survey (and
`<id>_other` for the text of an "Other" choice), plus the optional columns `submitted_at`
(ISO date or date-time; a date alone is taken as noon and a date-time without offset
is in the project's time zone),
`language` (en or es) and `external_id`. Multi-select answers are separated by ';'.

Each row is validated exactly like a web submission (`schema.answers_clean`) and stored by
`services.response_submit` with source "import". Good rows are stored; bad rows are reported
with their spreadsheet row number (the header is row 1), the column and the message.

Re-importing the same file stores nothing twice: each row's idempotency key is
`import:<sha256 of the row>`, where the hashed row is its column → value mapping plus how
many identical rows came before it in the file (so two paper forms with the same answers
are both kept). A row identical to one imported from a *different* file is treated as
already imported; give an `external_id` or `submitted_at` column to tell such rows apart.

Staff uploads run in the background: `import_job_queue` checks the header, keeps the file's
bytes on an `ImportJob` and enqueues `tasks.import_job_task` once the transaction commits; the
worker runs `import_job_run`, which records progress on the job every `PROGRESS_EVERY` rows
for the status page. The command `govcx import_responses` calls `responses_import` directly.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.utils import timezone

from govcx.core.imports import RowError
from govcx.core.services import audit_record
from govcx.feedback.models import ImportJob, Response, SurveyVersion, Touchpoint
from govcx.feedback.schema import SurveySchema, answers_clean
from govcx.feedback.services import response_submit

OPTIONAL_COLUMNS = ("submitted_at", "language", "external_id")
MAX_BYTES = 20 * 1024 * 1024

PROGRESS_EVERY = 250  # rows between progress writes to a background ImportJob

Progress = Callable[[int, int], None]  # (rows read so far, rows in the file)

logger = logging.getLogger(__name__)


@dataclass
class ImportResult:
    rows_total: int = 0
    rows_imported: int = 0
    rows_already: int = 0
    errors: list[RowError] = field(default_factory=list)
    job: ImportJob | None = None
    dry_run: bool = False

    @property
    def rows_failed(self) -> int:
        return len({e.row for e in self.errors})

    @property
    def ok(self) -> bool:
        return not self.errors


def _decode(data: bytes | str) -> str:
    if isinstance(data, str):
        return data
    if len(data) > MAX_BYTES:
        raise ValueError(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(
            f"The file is not UTF-8 text (byte {exc.start} cannot be read). "
            "Save it as 'CSV UTF-8' and try again."
        ) from exc


def _parse_when(raw: str) -> dt.datetime:
    raw = raw.strip()
    try:
        if len(raw) == 10:
            day = dt.date.fromisoformat(raw)
            when = dt.datetime.combine(day, dt.time(12, 0))
        else:
            when = dt.datetime.fromisoformat(raw)
    except ValueError as exc:
        raise ValueError("Enter a date as YYYY-MM-DD or a date-time as YYYY-MM-DDTHH:MM.") from exc
    if timezone.is_naive(when):
        when = timezone.make_aware(when, timezone.get_default_timezone())
    if when > timezone.now() + dt.timedelta(minutes=5):
        raise ValueError("This date is in the future.")
    return when


def _header_check(
    touchpoint: Touchpoint, first: list[str] | None
) -> tuple[list[str], SurveyVersion, SurveySchema]:
    """The cleaned header row and the survey version to import into; ValueError when there
    is no published version, no header, or the header names unknown columns."""
    version = touchpoint.survey.current_version
    if version is None:
        raise ValueError("This touchpoint's survey has no published version to import into.")
    schema = SurveySchema.model_validate(version.schema)
    if not first or not any(c.strip() for c in first):
        raise ValueError("The file is empty: the first row must name the columns.")
    header = [c.strip() for c in first]
    known = {q.id for q in schema.questions} | {
        f"{q.id}_other" for q in schema.questions if q.other
    } | set(OPTIONAL_COLUMNS)
    unknown = [c for c in header if c and c not in known]
    if unknown:
        raise ValueError(
            f"Unknown column(s) in row 1: {', '.join(unknown)}. Columns must be question ids "
            f"of the survey ({', '.join(q.id for q in schema.questions)}) or "
            f"{', '.join(OPTIONAL_COLUMNS)}."
        )
    dupes = [c for c, n in Counter(c for c in header if c).items() if n > 1]
    if dupes:
        raise ValueError(f"Column(s) named twice in row 1: {', '.join(dupes)}.")
    return header, version, schema


def responses_import_check(*, touchpoint: Touchpoint, data: bytes | str) -> None:
    """Refuse a whole file at once, before queueing it: ValueError when it is too large, not
    UTF-8, has no header or names unknown columns (the rows are checked by the import)."""
    text = _decode(data)
    first = next(csv.reader(io.StringIO(text, newline="")), None)
    _header_check(touchpoint, first)


def responses_import(
    *, touchpoint: Touchpoint, data: bytes | str, filename: str = "",
    actor: AbstractBaseUser | AnonymousUser | None = None, dry_run: bool = False,
    progress: Progress | None = None, job: ImportJob | None = None,
) -> ImportResult:
    """Import a CSV into a touchpoint. Raises ValueError when the file as a whole is unusable
    (not UTF-8, no header, unknown columns, no published survey).

    `progress(done, total)` is called after each row is read. The outcome is recorded on
    `job` when given (a background upload), else on a new ImportJob unless `dry_run`."""
    text = _decode(data)
    records = list(csv.reader(io.StringIO(text, newline="")))
    header, version, schema = _header_check(touchpoint, records[0] if records else None)
    multi = {q.id for q in schema.questions if q.type == "multi"}
    result = ImportResult(dry_run=dry_run)
    data_rows = records[1:]
    total = len(data_rows)
    seen: Counter[str] = Counter()
    for index, cells in enumerate(data_rows):
        row_no = index + 2
        if progress is not None:
            progress(index + 1, total)
        if not any(c.strip() for c in cells):
            continue  # a blank line
        result.rows_total += 1
        if len(cells) > len(header):
            result.errors.append(RowError(row_no, "", f"This row has {len(cells)} cells but the "
                                          f"header has {len(header)} columns."))
            continue
        raw = {h: cells[i].strip() if i < len(cells) else "" for i, h in enumerate(header) if h}
        row_errors: list[RowError] = []
        when: dt.datetime | None = None
        if raw.get("submitted_at"):
            try:
                when = _parse_when(raw["submitted_at"])
            except ValueError as exc:
                row_errors.append(RowError(row_no, "submitted_at", str(exc)))
        lang = (raw.get("language") or "en").lower()
        if lang not in ("en", "es"):
            row_errors.append(RowError(row_no, "language", "Use 'en' or 'es'."))
        external_id = raw.get("external_id", "")
        if len(external_id) > 100:
            row_errors.append(RowError(row_no, "external_id", "Use 100 characters or fewer."))
        answers: dict[str, Any] = {}
        for key, value in raw.items():
            if key in OPTIONAL_COLUMNS or not value:
                continue
            answers[key] = [v.strip() for v in value.split(";") if v.strip()] if key in multi \
                else value
        _clean, errors = answers_clean(schema, answers, "en")
        row_errors += [RowError(row_no, col, msg) for col, msg in errors.items()]
        if row_errors:
            result.errors += row_errors
            continue
        canonical = json.dumps(raw, sort_keys=True, ensure_ascii=False)
        seen[canonical] += 1
        digest = hashlib.sha256(f"{canonical}\n{seen[canonical]}".encode()).hexdigest()
        if dry_run:
            continue
        submitted = response_submit(
            touchpoint=touchpoint, answers=answers, language=lang,
            source=Response.Source.IMPORT, submitted_at=when, external_id=external_id,
            idempotency_key=f"import:{digest}", version=version,
        )
        if submitted.replayed:
            result.rows_already += 1
        elif submitted.ok:
            result.rows_imported += 1
        else:  # pragma: no cover - validated above with the same rules
            message = submitted.closed_reason or "; ".join(submitted.errors.values())
            result.errors.append(RowError(row_no, "", message))
    if job is not None:
        job.rows_done = job.rows_total = result.rows_total
        job.rows_imported, job.rows_already = result.rows_imported, result.rows_already
        job.errors = [e.as_dict(column_key="field") for e in result.errors]
        job.save(update_fields=["rows_done", "rows_total", "rows_imported", "rows_already",
                                "errors"])
        result.job = job
    elif not dry_run:
        result.job = ImportJob.objects.create(
            agency_id=touchpoint.agency_id, touchpoint=touchpoint,
            created_by_id=actor.pk if actor is not None and actor.is_authenticated else None,
            filename=filename[:200], rows_total=result.rows_total, rows_done=result.rows_total,
            rows_imported=result.rows_imported, rows_already=result.rows_already,
            errors=[e.as_dict(column_key="field") for e in result.errors],
        )
    audit_record(action="responses.import", actor=actor, agency=touchpoint.agency_id,
                 object_type="touchpoint", object_id=touchpoint.pk,
                 outcome="success" if result.ok else "error",
                 detail={"filename": filename[:200], "dry_run": dry_run,
                         "rows": result.rows_total, "imported": result.rows_imported,
                         "already": result.rows_already, "failed": result.rows_failed})
    return result


def import_job_queue(
    *, touchpoint: Touchpoint, data: bytes, filename: str = "",
    actor: AbstractBaseUser | AnonymousUser | None = None, dry_run: bool = False,
) -> ImportJob:
    """Keep an uploaded file for the background worker and enqueue its import once the
    transaction commits. Raises ValueError (nothing queued) when the file as a whole is
    unusable; row errors are found by the worker."""
    from govcx.feedback.tasks import import_job_task

    responses_import_check(touchpoint=touchpoint, data=data)
    with transaction.atomic():
        job = ImportJob.objects.create(
            agency_id=touchpoint.agency_id, touchpoint=touchpoint,
            created_by_id=actor.pk if actor is not None and actor.is_authenticated else None,
            filename=filename[:200], state=ImportJob.State.QUEUED, dry_run=dry_run, data=data,
        )
        job_id = job.pk
        transaction.on_commit(lambda: import_job_task.enqueue(job_id=job_id))
    return job


def _job_progress_write(job_id: int, done: int, total: int) -> None:
    ImportJob.objects.filter(pk=job_id).update(rows_done=done, rows_total=total)


class JobProgress:
    """A `Progress` callback that records rows read on the job every `every` rows."""

    def __init__(self, job_id: int, every: int | None = None) -> None:
        self.job_id = job_id
        self.every = every or PROGRESS_EVERY
        self.written = -1

    def __call__(self, done: int, total: int) -> None:
        if self.written < 0 or done >= total or done - self.written >= self.every:
            _job_progress_write(self.job_id, done, total)
            self.written = done


UNEXPECTED_FAILURE = (
    "The import stopped because of an unexpected error. Rows stored before it stay stored; "
    "uploading the same file again stores nothing twice. If it happens again, contact "
    "the govcx administrators."
)


def import_job_run(*, job_id: int) -> ImportJob | None:
    """Run a queued ImportJob (called by the background worker). Marks it running, then done
    or failed with a message; None when it is not (or no longer) waiting to run."""
    claimed = ImportJob.objects.filter(pk=job_id, state=ImportJob.State.QUEUED).update(
        state=ImportJob.State.RUNNING, started_at=timezone.now())
    if not claimed:
        logger.warning("import job %s is not queued; not running it again", job_id)
        return None
    job = ImportJob.objects.select_related("touchpoint__survey", "created_by").get(pk=job_id)
    data = bytes(job.data)
    job.data = b""
    try:
        responses_import(touchpoint=job.touchpoint, data=data, filename=job.filename,
                         actor=job.created_by, dry_run=job.dry_run,
                         progress=JobProgress(job_id), job=job)
    except ValueError as exc:  # the file as a whole is unusable: the user's to fix
        _job_finish(job, ImportJob.State.FAILED, str(exc))
    except Exception:
        logger.exception("import job %s failed", job_id)
        _job_finish(job, ImportJob.State.FAILED, UNEXPECTED_FAILURE)
        raise  # recorded as a failed task result too
    else:
        _job_finish(job, ImportJob.State.DONE, "")
    return job


def _job_finish(job: ImportJob, state: str, failure: str) -> None:
    job.state, job.failure, job.finished_at, job.data = state, failure, timezone.now(), b""
    job.save(update_fields=["state", "failure", "finished_at", "data"])
