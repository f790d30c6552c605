"""Import an agency's own journey events (CSV, Parquet, XES) into the database; export a
service's journeys to XES and CSV.

**Mapping.** Which columns hold the case, the activity and the timestamp (defaults: the XES
names ``case:concept:name``, ``concept:name``, ``time:timestamp``), and optionally the channel,
the stage and the service (a service's slug or name in the agency). Every other column is kept
as an event attribute (text; dates as ISO 8601). For XES, trace attributes are
``case:<key>`` columns, as the engine reads them.

**Rows.** The engine (`eventlog.read_log`) reads the file and names each bad row (missing
case, activity or timestamp, unparseable timestamp); good rows are kept. This module adds one
check of its own: a row whose service column names no service of the agency is skipped and
named. The import keeps the first `MAX_ERRORS` problems on `JourneyImport.errors` (with the
engine's 50 examples per file first) and the total in `error_count`.

**Case keys.** ``<prefix><case id in the file>``. The prefix is ``import:<import id>:`` unless
the import keeps ids as given (empty prefix) — for an agency that exports from one system and
wants repeated imports of that system, or its own ``customer:<id>`` keys, to join.

**Order.** ``seq`` is the event's position in the engine's sorted frame (case, time, file
position), so events of one case with the same time keep their file order.

Events are stored in batches of `BATCH` rows, each batch committed, with the progress on the
import (the status page polls it); the command ``govcx journeys_import`` shows a tqdm bar.
"""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.utils import timezone

from govcx.core.models import Agency, Service
from govcx.journeys import eventlog
from govcx.journeys.eventlog import ACTIVITY, CASE, TIMESTAMP, ColumnMapping, EventLog
from govcx.journeys.models import JourneyEvent, JourneyImport
from govcx.journeys.services import EventIn, journey_events_record
from govcx.journeys.sources import snapshot_update

MAX_BYTES = 200 * 1024 * 1024
MAX_ERRORS = 1000
BATCH = 5000
MAX_ATTR_TEXT = 500
OPTIONAL = ("channel", "stage", "service")

logger = logging.getLogger(__name__)
Progress = Callable[[int, int], None]  # (events stored so far, events to store)


class JourneyImportError(ValueError):
    """The file as a whole cannot be imported; the message says why."""


@dataclass(frozen=True)
class Mapping:
    case: str = CASE
    activity: str = ACTIVITY
    timestamp: str = TIMESTAMP
    channel: str = ""
    stage: str = ""
    service: str = ""

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Mapping:
        def col(name: str, default: str) -> str:
            return str(data.get(name) or default).replace("\x00", "").strip()[:200]

        return cls(case=col("case", CASE), activity=col("activity", ACTIVITY),
                   timestamp=col("timestamp", TIMESTAMP), channel=col("channel", ""),
                   stage=col("stage", ""), service=col("service", ""))

    def as_dict(self) -> dict[str, str]:
        return {k: v for k, v in self.__dict__.items() if v}

    @property
    def core(self) -> ColumnMapping:
        return ColumnMapping(case=self.case, activity=self.activity, timestamp=self.timestamp)


@dataclass
class ImportOutcome:
    rows_total: int
    rows_stored: int
    errors: list[dict[str, Any]]
    error_count: int


def format_for(filename: str, given: str = "") -> str:
    if given:
        if given not in eventlog.FORMATS:
            raise JourneyImportError(f"Unknown format '{given}'; use one of "
                               f"{', '.join(eventlog.FORMATS)}.")
        return given
    try:
        return eventlog.infer_format(Path(filename or "upload"))
    except eventlog.EventLogError as exc:
        raise JourneyImportError("Cannot tell the file's format from its name: use a .csv, "
                           ".parquet or .xes file, or choose the format.") from exc


def _read(path: Path, fmt: str, mapping: Mapping) -> EventLog:
    try:
        log = eventlog.read_log(path, format=fmt, mapping=mapping.core)
    except eventlog.MissingColumnError as exc:
        shown = ", ".join(exc.available[:40]) or "none"
        raise JourneyImportError(f"The {exc.role} column '{exc.column}' is not in the file. Its "
                           f"columns are: {shown}.") from exc
    except eventlog.EventLogError as exc:
        raise JourneyImportError(str(exc).replace(str(path), "The file")) from exc
    except Exception as exc:  # polars/pyarrow on a corrupt file
        raise JourneyImportError(f"The file could not be read as {fmt.upper()}: "
                           f"{str(exc).strip().splitlines()[0][:300] if str(exc) else exc}"
                           ) from exc
    missing = [c for c in (mapping.channel, mapping.stage, mapping.service)
               if c and c not in log.frame.columns]
    if missing:
        shown = ", ".join(c for c in log.frame.columns if c not in (CASE, ACTIVITY, TIMESTAMP))
        raise JourneyImportError(f"The column '{missing[0]}' is not in the file. Its other columns "
                           f"are: {shown or 'none'}.")
    return log


def _text(series: pl.Series) -> list[str | None]:
    if isinstance(series.dtype, pl.Datetime):
        return series.dt.strftime("%Y-%m-%dT%H:%M:%S%.f%:z").to_list()
    if series.dtype != pl.String:
        series = series.cast(pl.String)
    return series.to_list()


def _services(agency: Agency) -> dict[str, int]:
    found: dict[str, int] = {}
    for pk, slug, name in Service.objects.filter(agency=agency).values_list("id", "slug", "name"):
        found.setdefault(slug.lower(), pk)
        found.setdefault(name.strip().lower(), pk)
    return found


def journey_events_import(
    *, agency: Agency, path: Path, fmt: str, mapping: Mapping, service: Service | None = None,
    journey_import: JourneyImport | None = None, case_prefix: str = "",
    progress: Progress | None = None,
) -> ImportOutcome:
    """Read a file and store its good rows as journey events (see the module docstring)."""
    log = _read(path, fmt, mapping)
    frame = log.frame
    report = log.skipped
    errors: list[dict[str, Any]] = [
        {"row": b.row, "where": b.where,
         "message": b.reason + (f": {b.value!r}" if b.value is not None else "")}
        for b in report.examples]
    error_count = report.skipped
    if report.skipped > len(report.examples):
        errors.append({"row": None, "where": "", "message": report.summary()})
    n = frame.height
    default_service = service.pk if service else None
    service_ids: list[int | None] = [default_service] * n
    skip = [False] * n  # a row naming a service the agency does not have
    if mapping.service:
        known = _services(agency)
        cases, acts, times = (frame.get_column(CASE), frame.get_column(ACTIVITY),
                              frame.get_column(TIMESTAMP))
        for i, value in enumerate(_text(frame.get_column(mapping.service))):
            if not value or not value.strip():
                continue
            sid = known.get(value.strip().lower())
            if sid is None:
                skip[i] = True
                error_count += 1
                if len(errors) < MAX_ERRORS:
                    errors.append({"row": None,
                                   "where": f"case {cases[i]!r}, {acts[i]!r} at "
                                            f"{times[i].isoformat()}",
                                   "message": f"no service {value!r} in {agency.name}"})
            service_ids[i] = sid
    channel = _text(frame.get_column(mapping.channel)) if mapping.channel else [""] * n
    stage = _text(frame.get_column(mapping.stage)) if mapping.stage else [""] * n
    attr_cols = [c for c in frame.columns
                 if c not in (CASE, ACTIVITY, TIMESTAMP, mapping.channel, mapping.stage,
                              mapping.service)]
    attr_values = {c: _text(frame.get_column(c)) for c in attr_cols}
    keys = frame.get_column(CASE).to_list()
    activities = frame.get_column(ACTIVITY).to_list()
    times_ = frame.get_column(TIMESTAMP).to_list()
    import_id = journey_import.pk if journey_import is not None else None
    total = n - sum(skip)
    if progress is not None:
        progress(0, total)

    def rows() -> Iterator[EventIn]:
        for i in range(n):
            if skip[i]:
                continue
            attrs = {c: v[:MAX_ATTR_TEXT] for c in attr_cols
                     if (v := attr_values[c][i]) is not None and v != ""}
            yield EventIn(
                agency_id=agency.pk, activity=str(activities[i])[:200],
                at=times_[i], case_key=f"{case_prefix}{keys[i]}"[:120],
                source=JourneyEvent.Source.IMPORT, service_id=service_ids[i],
                channel=(channel[i] or "")[:20], stage=(stage[i] or "")[:80], attributes=attrs,
                seq=i, journey_import_id=import_id)

    stored = journey_events_record(
        events=rows(), batch_size=BATCH,
        progress=(lambda n: progress(n, total)) if progress is not None else None)
    snapshot_update(agency_id=agency.pk)
    return ImportOutcome(rows_total=report.total, rows_stored=stored, errors=errors[:MAX_ERRORS],
                         error_count=error_count)


# --- background imports ------------------------------------------------------------------

def journey_import_queue(
    *, agency: Agency, data: bytes, filename: str, fmt: str = "", mapping: Mapping,
    service: Service | None = None, keep_case_ids: bool = False,
    actor: AbstractBaseUser | AnonymousUser | None = None,
) -> JourneyImport:
    """Keep an upload for the worker and enqueue its import once the transaction commits.
    Raises JourneyImportError (nothing queued) when the upload as a whole is unusable; the column
    mapping is checked by the worker against the file."""
    from govcx.journeys.tasks import journey_import_task

    fmt = format_for(filename, fmt)
    if not data:
        raise JourneyImportError("The file is empty.")
    if len(data) > MAX_BYTES:
        raise JourneyImportError(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB; import "
                           "it with the command `govcx journeys_import`.")
    if service is not None and service.agency_id != agency.pk:
        raise JourneyImportError("That service belongs to another agency.")
    with transaction.atomic():
        job = JourneyImport.objects.create(
            agency=agency, service=service, filename=(filename or "upload")[:255], format=fmt,
            mapping=mapping.as_dict(), status=JourneyImport.Status.QUEUED, data=data,
            created_by_id=actor.pk if actor is not None and actor.is_authenticated else None)
        if not keep_case_ids:
            job.case_prefix = f"import:{job.pk}:"
            job.save(update_fields=["case_prefix"])
        job_id = job.pk
        transaction.on_commit(lambda: journey_import_task.enqueue(job_id=job_id))
    return job


class JobProgress:
    """Writes (stored, total) on the import at most every `every` events."""

    def __init__(self, job_id: int, every: int = BATCH) -> None:
        self.job_id, self.every, self.written = job_id, every, -1

    def __call__(self, done: int, total: int) -> None:
        if self.written < 0 or done >= total or done - self.written >= self.every:
            JourneyImport.objects.filter(pk=self.job_id).update(rows_stored=done,
                                                                rows_read=total)
            self.written = done


UNEXPECTED_FAILURE = ("The import stopped because of an unexpected error. Events stored "
                      "before it stay stored; the administrators can see the details in the "
                      "server log.")


def journey_import_run(*, job_id: int) -> JourneyImport | None:
    """Run a queued import (the background worker). None if it is not waiting to run."""
    claimed = JourneyImport.objects.filter(pk=job_id, status=JourneyImport.Status.QUEUED).update(
        status=JourneyImport.Status.RUNNING, started_at=timezone.now())
    if not claimed:
        logger.warning("journey import %s is not queued; not running it again", job_id)
        return None
    job = JourneyImport.objects.select_related("agency", "service").get(pk=job_id)
    data = bytes(job.data)
    suffix = {"csv": ".csv", "parquet": ".parquet", "xes": ".xes"}[job.format]
    if job.format == "xes" and data[:2] == b"\x1f\x8b":
        suffix = ".xes.gz"
    try:
        with tempfile.TemporaryDirectory(prefix="govcx-journeys-") as tmp:
            path = Path(tmp) / f"upload{suffix}"
            path.write_bytes(data)
            del data
            outcome = journey_events_import(
                agency=job.agency, path=path, fmt=job.format,
                mapping=Mapping.from_dict(job.mapping), service=job.service, journey_import=job,
                case_prefix=job.case_prefix, progress=JobProgress(job_id))
    except JourneyImportError as exc:
        journey_import_finish(job, JourneyImport.Status.FAILED, failure=str(exc))
    except Exception:
        logger.exception("journey import %s failed", job_id)
        journey_import_finish(job, JourneyImport.Status.FAILED, failure=UNEXPECTED_FAILURE)
        raise
    else:
        job.rows_total, job.rows_stored = outcome.rows_total, outcome.rows_stored
        job.rows_read = outcome.rows_total
        job.errors, job.error_count = outcome.errors, outcome.error_count
        journey_import_finish(job, JourneyImport.Status.DONE)
    return job


def journey_import_finish(job: JourneyImport, status: str, failure: str = "") -> None:
    job.status, job.failure, job.finished_at, job.data = status, failure, timezone.now(), b""
    if status == JourneyImport.Status.FAILED:
        job.rows_stored = JourneyEvent.objects.filter(journey_import=job).count()
    job.save(update_fields=["status", "failure", "finished_at", "data", "rows_total",
                            "rows_read", "rows_stored", "errors", "error_count"])


# --- export ----------------------------------------------------------------------------------

EXPORT_FORMATS = {"csv": ("text/csv; charset=utf-8", "csv"),
                  "xes": ("application/xml", "xes")}


def journey_export_write(*, log: EventLog, fmt: str, directory: Path, name: str) -> Path:
    """Write an event log with the engine's writers; returns the file's path."""
    if fmt not in EXPORT_FORMATS:
        raise JourneyImportError(f"Unknown export format '{fmt}'; use csv or xes.")
    path = directory / f"{name}.{EXPORT_FORMATS[fmt][1]}"
    if fmt == "csv":
        eventlog.write_csv(log, path)
    else:
        eventlog.write_xes(log, path)
    return path


def export_name(service: Service, start: dt.date, end: dt.date) -> str:
    return f"journeys-{service.agency.slug}-{service.slug}-{start.isoformat()}-{end.isoformat()}"
