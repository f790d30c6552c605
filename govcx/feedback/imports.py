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
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.utils import timezone

from govcx.core.services import audit_record
from govcx.feedback.models import ImportJob, Response, Touchpoint
from govcx.feedback.schema import SurveySchema, answers_clean
from govcx.feedback.services import response_submit

OPTIONAL_COLUMNS = ("submitted_at", "language", "external_id")
MAX_BYTES = 20 * 1024 * 1024

Progress = Callable[[int, int], None]


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "field": self.column, "message": self.message}


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


def responses_import(
    *, touchpoint: Touchpoint, data: bytes | str, filename: str = "",
    actor: AbstractBaseUser | AnonymousUser | None = None, dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportResult:
    """Import a CSV into a touchpoint. Raises ValueError when the file as a whole is unusable
    (not UTF-8, no header, unknown columns, no published survey)."""
    version = touchpoint.survey.current_version
    if version is None:
        raise ValueError("This touchpoint's survey has no published version to import into.")
    schema = SurveySchema.model_validate(version.schema)
    text = _decode(data)
    records = list(csv.reader(io.StringIO(text, newline="")))
    if not records or not any(c.strip() for c in records[0]):
        raise ValueError("The file is empty: the first row must name the columns.")
    header = [c.strip() for c in records[0]]
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
    if not dry_run:
        result.job = ImportJob.objects.create(
            agency_id=touchpoint.agency_id, touchpoint=touchpoint,
            created_by_id=actor.pk if actor is not None and actor.is_authenticated else None,
            filename=filename[:200], rows_total=result.rows_total,
            rows_imported=result.rows_imported, errors=[e.as_dict() for e in result.errors],
        )
    audit_record(action="responses.import", actor=actor, agency=touchpoint.agency_id,
                 object_type="touchpoint", object_id=touchpoint.pk,
                 outcome="success" if result.ok else "error",
                 detail={"filename": filename[:200], "dry_run": dry_run,
                         "rows": result.rows_total, "imported": result.rows_imported,
                         "already": result.rows_already, "failed": result.rows_failed})
    return result
