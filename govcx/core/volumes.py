"""Customer volumes per fiscal quarter (the A-11 "volume of customers"): reading them from a
form or a CSV file, with a message for every wrong field of every row.

A file is taken whole or not at all: volumes are few (a service has four quarters a year, per
channel at most), and a half-loaded year would make the A-11 data collection wrong without
anyone noticing. Writes are in `core.services.service_quarter_volumes_save`.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from django.utils.translation import gettext as _

from govcx.core.models import Service

COLUMNS = ("fiscal_year", "quarter", "channel", "customers")
REQUIRED_COLUMNS = ("fiscal_year", "quarter", "customers")
MAX_BYTES = 1_000_000
MAX_ROWS = 5000
MAX_CUSTOMERS = 10**12
FIRST_FISCAL_YEAR, LAST_FISCAL_YEAR = 2000, 2100


@dataclass(frozen=True)
class Volume:
    fiscal_year: int
    quarter: int
    channel: str  # "" means all channels
    customers: int


@dataclass(frozen=True)
class RowError:
    row: int  # the file's line number (the header is line 1); 0 for a form
    field: str
    message: str


def _int(text: str) -> int | None:
    text = text.strip().replace(",", "").replace("_", "")
    # ASCII digits only: str.isdigit() also accepts "²", which int() refuses
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 15 else None


def volume_parse(service: Service, values: dict[str, str], row: int = 0
                 ) -> tuple[Volume | None, list[RowError]]:
    """One volume from text fields (a form's or a CSV row's), or the reasons it is wrong."""
    errors: list[RowError] = []
    year = _int(values.get("fiscal_year") or "")
    if year is None or not FIRST_FISCAL_YEAR <= year <= LAST_FISCAL_YEAR:
        errors.append(RowError(row, "fiscal_year", _(
            "Enter the fiscal year as four digits, like 2026 (FY2026 runs from October 2025 "
            "to September 2026).")))
    raw_quarter = (values.get("quarter") or "").strip().upper().removeprefix("Q")
    quarter = _int(raw_quarter)
    if quarter not in (1, 2, 3, 4):
        errors.append(RowError(row, "quarter", _("Enter the quarter as 1, 2, 3 or 4.")))
    channel = (values.get("channel") or "").strip().lower()
    if channel and channel not in Service.Channel.values:
        errors.append(RowError(row, "channel", _(
            "Unknown channel '%(channel)s': leave it empty for all channels, or use one of "
            "%(known)s.") % {"channel": channel[:40], "known": ", ".join(Service.Channel.values)}))
    elif channel and service.channels and channel not in service.channels:
        errors.append(RowError(row, "channel", _(
            "This service is not offered on '%(channel)s'; its channels are %(known)s.")
            % {"channel": channel, "known": ", ".join(service.channels)}))
    customers = _int(values.get("customers") or "")
    if customers is None or customers > MAX_CUSTOMERS:
        errors.append(RowError(row, "customers", _(
            "Enter the number of customers served as a whole number of 0 or more, like "
            "125000.")))
    if errors:
        return None, errors
    assert year is not None and quarter is not None and customers is not None
    return Volume(year, quarter, channel, customers), []


def volumes_read(service: Service, data: bytes) -> tuple[list[Volume], list[RowError]]:
    """The volumes of a CSV file (UTF-8, with or without Excel's byte-order mark; columns
    fiscal_year, quarter, channel (optional), customers), or every error in it."""
    if len(data) > MAX_BYTES:
        return [], [RowError(0, "file", _("The file is larger than 1 MB."))]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [RowError(0, "file", _("Save the file as CSV in UTF-8 and upload it again."))]
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        header = [(h or "").strip().lower() for h in reader.fieldnames or []]
    except csv.Error:
        header = []
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        return [], [RowError(1, "header", _(
            "The first line must name the columns fiscal_year, quarter, channel (optional) "
            "and customers; missing: %(missing)s.") % {"missing": ", ".join(missing)})]
    reader.fieldnames = header
    volumes: list[Volume] = []
    errors: list[RowError] = []
    first_line: dict[tuple[int, int, str], int] = {}
    try:
        for record in reader:
            line = reader.line_num
            if line > MAX_ROWS + 1:
                errors.append(RowError(line, "file", _("A file can hold at most %(n)s rows.")
                                       % {"n": MAX_ROWS}))
                break
            values = {k: v or "" for k, v in record.items() if isinstance(k, str)}
            if not any(v.strip() for v in values.values()):
                continue  # a blank line
            volume, row_errors = volume_parse(service, values, line)
            errors += row_errors
            if volume is None:
                continue
            key = (volume.fiscal_year, volume.quarter, volume.channel)
            if key in first_line:
                errors.append(RowError(line, "quarter", _(
                    "FY%(year)s Q%(quarter)s%(channel)s is already on line %(line)s.") % {
                    "year": volume.fiscal_year, "quarter": volume.quarter,
                    "channel": f" ({volume.channel})" if volume.channel else "",
                    "line": first_line[key]}))
                continue
            first_line[key] = line
            volumes.append(volume)
    except csv.Error:  # a field over the csv module's limit, or a broken quote
        errors.append(RowError(reader.line_num, "file", _(
            "This line cannot be read as CSV: check its quotes and separators.")))
    if not volumes and not errors:
        errors.append(RowError(0, "file", _("The file has no rows under its header.")))
    return volumes, errors
