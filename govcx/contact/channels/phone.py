"""Phone: call-detail records (CDR) from the API and from CSV files, one shared importer.

Columns / JSON fields (only the first three are required):

| field | meaning |
| --- | --- |
| call_id | the phone system's id of the call (stored as the contact's external_id) |
| caller | the caller's number (matched to a customer by its keyed hash) |
| started_at | ISO 8601 with a UTC offset, e.g. 2026-11-02T10:15:00-05:00: entered the queue |
| queue | slug of one of the agency's contact queues; the case goes to that queue |
| answered, abandoned, transferred, routed_to_agent, resolved | true/false (also yes/no, 1/0) |
| wait_seconds, talk_seconds, hold_seconds | whole seconds, not negative |
| agent | username of the agency's staff member who took the call |
| disposition | the phone system's wrap-up code (60 characters at most) |
| service | slug of one of the agency's services |
| topic | the case topic (80 characters at most) |

Each good record becomes one inbound phone contact through `contact_receive`. An abandoned
call is recorded but opens no case; an answered call opens a case (routed, or put in the
named queue and assigned to the agent who took it), resolved at the end of the call when
`resolved` is true. A record whose call_id is already stored is counted as a duplicate, so
re-importing a file stores nothing twice. Bad records are reported as (row, column, message)
and skipped; the good ones are kept. CSV rows are numbered as in a spreadsheet (the header is
row 1); API records are numbered from 1 in the order sent.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from govcx.contact.models import Channel, Contact, Queue
from govcx.contact.services import (
    CaseError,
    case_assign,
    case_resolve,
    case_update,
    contact_receive,
)
from govcx.core.imports import RowError
from govcx.core.models import Agency, Service
from govcx.core.selectors import agency_ids_for
from govcx.core.sms import normalize_phone
from govcx.feedback.schema import no_nul

REQUIRED = ("call_id", "caller", "started_at")
BOOLS = ("answered", "abandoned", "transferred", "routed_to_agent", "resolved")
SECONDS = ("wait_seconds", "talk_seconds", "hold_seconds")
TEXTS = {"queue": 60, "agent": 150, "disposition": 60, "service": 80, "topic": 80}
COLUMNS = (*REQUIRED, *BOOLS, *SECONDS, *TEXTS)
MAX_RECORDS = 10_000  # per API request
MAX_FUTURE = dt.timedelta(hours=1)
TRUE = {"true", "t", "yes", "y", "1"}
FALSE = {"false", "f", "no", "n", "0"}

Progress = Callable[[int, int], None]  # (records done, records in all)


class CdrFileError(ValueError):
    """The whole file or request cannot be read (not a row-level problem)."""


@dataclass
class CdrResult:
    records: int = 0
    imported: int = 0
    duplicates: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return len({e.row for e in self.errors})

    def as_dict(self) -> dict[str, Any]:
        return {"imported": self.imported, "duplicates": self.duplicates,
                "errors": [e.as_dict() for e in self.errors]}


@dataclass
class _Call:
    call_id: str
    caller: str
    started_at: dt.datetime
    queue: Queue | None
    service: Service | None
    agent: Any | None
    topic: str
    disposition: str
    answered: bool | None
    abandoned: bool | None
    transferred: bool
    routed_to_agent: bool | None
    resolved: bool
    seconds: dict[str, int | None]


class _Lookups:
    """The agency's queues, services and agents, read once per import."""

    def __init__(self, agency: Agency) -> None:
        self.agency = agency
        self.queues = {q.slug: q for q in Queue.objects.filter(agency=agency)}
        self.services = {s.slug: s for s in Service.objects.filter(agency=agency)}
        self._agents: dict[str, Any | None] = {}

    def agent(self, username: str) -> Any | None:
        if username not in self._agents:
            user = get_user_model().objects.filter(username=username, is_active=True).first()
            ok = user is not None and self.agency.pk in agency_ids_for(user, "cases.work")
            self._agents[username] = user if ok else None
        return self._agents[username]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        raise ValueError("must be a single value, not a list or object")
    return no_nul(str(value)).strip()


def _bool(value: Any) -> bool | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    text = _text(value).lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    if not text:
        return None
    raise ValueError(f"must be true or false, not '{text[:30]}'")


def _seconds(value: Any) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError("must be a whole number of seconds")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        number = value
    else:
        text = _text(value)
        if not text:
            return None
        try:
            number = int(text)
        except ValueError:
            raise ValueError(f"must be a whole number of seconds, not '{text[:30]}'") from None
    if number < 0:
        raise ValueError(f"cannot be negative ({number})")
    if number > 7 * 24 * 3600:
        raise ValueError(f"is more than a week ({number} seconds)")
    return number


def _started_at(value: Any) -> dt.datetime:
    text = _text(value)
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"'{text[:40]}' is not a date and time in ISO 8601 form, "
                         "e.g. 2026-11-02T10:15:00-05:00") from None
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError(f"'{text[:40]}' has no UTC offset; add one, "
                         "e.g. 2026-11-02T10:15:00-05:00")
    if when > timezone.now() + MAX_FUTURE:
        raise ValueError(f"'{text[:40]}' is in the future")
    return when


def _parse(record: Mapping[str, Any], row: int, look: _Lookups) -> tuple[_Call | None,
                                                                          list[RowError]]:
    errors: list[RowError] = []
    values: dict[str, Any] = {}

    def bad(column: str, message: str) -> None:
        errors.append(RowError(row=row, column=column, message=message))

    for name in REQUIRED:
        try:
            values[name] = _text(record.get(name))
        except ValueError as exc:
            bad(name, f"{name} {exc}")
            continue
        if not values[name]:
            bad(name, f"{name} is missing")
    if values.get("call_id") and len(values["call_id"]) > 120:
        bad("call_id", "call_id is longer than 120 characters")
    if values.get("caller"):
        try:
            values["caller"] = normalize_phone(values["caller"])
        except ValueError as exc:
            bad("caller", str(exc))
    if values.get("started_at"):
        try:
            values["started_at"] = _started_at(values["started_at"])
        except ValueError as exc:
            bad("started_at", f"started_at {exc}")
    for name in BOOLS:
        try:
            values[name] = _bool(record.get(name))
        except ValueError as exc:
            bad(name, f"{name} {exc}")
    seconds: dict[str, int | None] = {}
    for name in SECONDS:
        try:
            seconds[name] = _seconds(record.get(name))
        except ValueError as exc:
            bad(name, f"{name} {exc}")
    for name, limit in TEXTS.items():
        try:
            values[name] = _text(record.get(name))
        except ValueError as exc:
            bad(name, f"{name} {exc}")
            values[name] = ""
        if len(values[name]) > limit:
            bad(name, f"{name} is longer than {limit} characters")
    queue = look.queues.get(values["queue"]) if values["queue"] else None
    if values["queue"] and queue is None:
        bad("queue", f"no queue '{values['queue'][:60]}' in this agency")
    service = look.services.get(values["service"]) if values["service"] else None
    if values["service"] and service is None:
        bad("service", f"no service '{values['service'][:80]}' in this agency")
    agent = look.agent(values["agent"]) if values["agent"] else None
    if values["agent"] and agent is None:
        bad("agent", f"no staff member '{values['agent'][:60]}' works this agency's cases")
    if values.get("answered") and values.get("abandoned"):
        bad("abandoned", "a call cannot be both answered and abandoned")
    if values.get("abandoned") and values.get("resolved"):
        bad("resolved", "an abandoned call cannot have resolved the need")
    if errors:
        return None, errors
    return _Call(
        call_id=values["call_id"], caller=values["caller"], started_at=values["started_at"],
        queue=queue, service=service, agent=agent, topic=values["topic"],
        disposition=values["disposition"], answered=values["answered"],
        abandoned=values["abandoned"], transferred=bool(values["transferred"]),
        routed_to_agent=values["routed_to_agent"], resolved=bool(values["resolved"]),
        seconds=seconds,
    ), []


def _store(agency: Agency, call: _Call) -> None:
    s = call.seconds
    parts = [f"Call {call.call_id}"]
    parts += [f"{k.split('_')[0]} {v} s" for k, v in s.items() if v is not None]
    if call.disposition:
        parts.append(f"disposition {call.disposition}")
    got = contact_receive(
        agency=agency, channel=Channel.PHONE, identity=("phone", call.caller),
        sender=call.caller, at=call.started_at, external_id=call.call_id,
        subject=f"Phone call: {call.topic}"[:300] if call.topic else "Phone call",
        body="; ".join(parts), service=call.service, topic=call.topic,
        open_case=not call.abandoned,
        queue_entered_at=call.started_at, answered=call.answered, abandoned=call.abandoned,
        wait_seconds=s["wait_seconds"], talk_seconds=s["talk_seconds"],
        hold_seconds=s["hold_seconds"], disposition=call.disposition,
        transferred=call.transferred, routed_to_agent=call.routed_to_agent,
        author=call.agent, queue=call.queue,
    )
    case = got.case
    if case is None or not got.new_case:
        return
    if call.queue is not None and case.queue_id != call.queue.pk:
        case_update(case=case, actor=None, queue=call.queue)
    if call.agent is not None and case.assignee_id != call.agent.pk:
        case_assign(case=case, user=call.agent, actor=None)
    if call.resolved:
        ended = call.started_at + dt.timedelta(seconds=sum(v or 0 for v in s.values()))
        case_resolve(case=case, actor=call.agent, at=ended)


def _import(agency: Agency, numbered: list[tuple[int, Any]], result: CdrResult,
            progress: Progress | None) -> CdrResult:
    look = _Lookups(agency)
    total = len(numbered)
    for i, (row, record) in enumerate(numbered):
        result.records += 1
        if not isinstance(record, Mapping):
            result.errors.append(RowError(row=row, column="",
                                          message="the record is not an object"))
        else:
            call, errors = _parse(record, row, look)
            result.errors += errors
            if call is not None:
                _store_once(agency, call, row, result)
        if progress is not None:
            progress(i + 1, total)
    result.errors.sort(key=lambda e: e.row)
    return result


def _store_once(agency: Agency, call: _Call, row: int, result: CdrResult) -> None:
    if Contact.objects.filter(agency=agency, channel=Channel.PHONE,
                              external_id=call.call_id).exists():
        result.duplicates += 1
        return
    try:
        with transaction.atomic():
            _store(agency, call)
        result.imported += 1
    except IntegrityError:  # stored by a concurrent import meanwhile
        result.duplicates += 1
    except CaseError as exc:
        result.errors.append(RowError(row=row, column="", message=str(exc)))


def cdr_import(*, agency: Agency, records: Iterable[Any],
               progress: Progress | None = None) -> CdrResult:
    """Import call-detail records (mappings of the fields in the module docstring),
    numbered from 1 in error messages."""
    return _import(agency, list(enumerate(records, start=1)), CdrResult(), progress)


def cdr_import_csv(*, agency: Agency, data: bytes, progress: Progress | None = None
                   ) -> CdrResult:
    """Import a CSV file of call-detail records (UTF-8, a header row naming the columns;
    unknown columns are ignored, blank lines skipped). Rows are numbered as in a
    spreadsheet: the header is row 1."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CdrFileError("The file is not UTF-8 text; save it as CSV UTF-8.") from exc
    reader = csv.reader(io.StringIO(no_nul(text), newline=""))
    try:
        lines = list(reader)
    except csv.Error as exc:
        raise CdrFileError(f"The file is not readable CSV: {exc}.") from exc
    if not lines:
        raise CdrFileError("The file is empty; the first row must name the columns.")
    header = [h.strip().lower() for h in lines[0]]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise CdrFileError(f"The header row lacks the column(s) {', '.join(missing)}; "
                           f"known columns: {', '.join(COLUMNS)}.")
    result = CdrResult()
    numbered: list[tuple[int, Any]] = []
    for row, cells in enumerate(lines[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(header):
            result.records += 1
            result.errors.append(RowError(row=row, column="", message=(
                f"the row has {len(cells)} values but the header has {len(header)} columns")))
            continue
        numbered.append((row, dict(zip(header, cells, strict=False))))
    return _import(agency, numbered, result, progress)
