"""Staff exports of responses (CSV streamed, XLSX) and the spreadsheet-safety helper.

Every text cell written to a spreadsheet goes through `neutralise`, so a respondent's comment
such as ``=HYPERLINK("http://evil", "click")`` is shown as text, never run as a formula
(OWASP "CSV injection").
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from govcx.feedback.models import Response, SurveyVersion
from govcx.feedback.schema import SurveySchema

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

FIXED_COLUMNS = [
    "id", "submitted_at", "service", "touchpoint", "channel", "language", "source",
    "trust_positive", "trust_score", "drivers_positive", "drivers_negative", "comment",
    "status", "tags",
]


def neutralise(value: Any) -> Any:
    """A text value a spreadsheet would read as a formula gets a leading apostrophe.

    Non-text values (numbers, None) are returned unchanged.
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def neutralise_row(row: Iterable[Any]) -> list[Any]:
    return [neutralise(v) for v in row]


class _Echo:
    """A file-like object whose write returns the line, for streaming csv.writer output."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    """CSV text, one line per row, every text cell neutralised."""
    writer = csv.writer(_Echo())
    for row in rows:
        yield writer.writerow(neutralise_row(row))


def csv_text(rows: Iterable[Iterable[Any]]) -> str:
    return "".join(csv_lines(rows))


def answer_keys(qs: QuerySet[Response]) -> list[str]:
    """The answer keys the responses' survey versions can hold, in question order.

    Derived from the schemas (one query), so the CSV header is known before streaming.
    """
    version_ids = qs.order_by().values_list("survey_version_id", flat=True).distinct()
    keys: list[str] = []
    for schema in SurveyVersion.objects.filter(id__in=list(version_ids)).order_by(
        "id"
    ).values_list("schema", flat=True):
        for q in SurveySchema.model_validate(schema).questions:
            for key in (q.id, f"{q.id}_other") if q.other else (q.id,):
                if key not in keys:
                    keys.append(key)
    return keys


def _answer_header(key: str) -> str:
    # A question id that collides with a fixed column is prefixed, so no column is ambiguous.
    return f"answer_{key}" if key in FIXED_COLUMNS else key


def _answer_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return value


def _bool_cell(value: bool | None) -> str:
    return "" if value is None else ("1" if value else "0")


def _redacted(value: Any) -> Any:
    from govcx.core.redact import redact

    if isinstance(value, str):
        return redact(value)[0]
    if isinstance(value, list):
        return [_redacted(v) for v in value]
    return value


def _row(r: Response, keys: list[str], originals: set[int] | None = None) -> list[Any]:
    """One export row; free text (the comment, text answers) redacted unless the response's
    agency is in `originals` (the agencies where the user holds personal_data.view; None:
    every agency, for callers outside a staff request)."""
    if originals is not None and r.agency_id not in originals:
        return _row(redact_response(r), keys)
    return [
        r.pk,
        timezone.localtime(r.submitted_at).isoformat(),
        r.service.name,
        r.touchpoint.name,
        r.channel,
        r.language,
        r.source,
        _bool_cell(r.trust_positive),
        "" if r.trust_score is None else r.trust_score,
        ";".join(r.drivers_positive or []),
        ";".join(r.drivers_negative or []),
        r.comment,
        r.status,
        ";".join(sorted(t.name for t in r.tags.all())),
    ] + [_answer_cell(r.answers.get(k)) for k in keys]


def redact_response(r: Response) -> Response:
    """The response with its comment and free-text answers redacted (in memory only)."""
    r.comment = _redacted(r.comment)
    r.answers = {k: _redacted(v) for k, v in (r.answers or {}).items()}
    return r


def _rows(qs: QuerySet[Response], originals: set[int] | None = None) -> Iterator[list[Any]]:
    keys = answer_keys(qs)
    yield FIXED_COLUMNS + [_answer_header(k) for k in keys]
    for r in qs.select_related("service", "touchpoint").prefetch_related("tags").iterator(
        chunk_size=500
    ):
        yield _row(r, keys, originals)


def responses_csv(qs: QuerySet[Response], originals: set[int] | None = None) -> Iterator[str]:
    """The staff responses export as CSV lines (header first), for a StreamingHttpResponse.
    Free text is redacted for responses outside `originals` (see `_row`)."""
    return csv_lines(_rows(qs, originals))


def _xlsx_cell(value: Any) -> Any:
    value = neutralise(value)
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def responses_xlsx(qs: QuerySet[Response], originals: set[int] | None = None) -> bytes:
    """The staff responses export as an XLSX workbook (write-only, so memory stays flat)."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Responses")
    for row in _rows(qs, originals):
        ws.append([_xlsx_cell(v) for v in row])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
