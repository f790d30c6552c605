"""`govcx import_responses FILE --touchpoint ID [--dry-run]`: import survey results from CSV."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from govcx.core.imports import file_read, progress_bar, row_errors_report
from govcx.feedback.imports import responses_import
from govcx.feedback.models import Touchpoint


def touchpoint_lookup(ref: str) -> Touchpoint:
    """A touchpoint by numeric id or public id (UUID)."""
    ref = ref.strip()
    try:
        if ref.isdigit():
            return Touchpoint.objects.select_related("survey").get(pk=int(ref))
        return Touchpoint.objects.select_related("survey").get(public_id=uuid.UUID(ref))
    except (Touchpoint.DoesNotExist, ValueError) as exc:
        raise CommandError(f"No touchpoint with id or public id '{ref}'.") from exc


class Command(BaseCommand):
    help = ("Import survey results collected elsewhere (IVR, paper) from a CSV whose header "
            "names the survey's question ids; optional columns submitted_at, language, "
            "external_id. Re-importing the same file stores nothing twice.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="CSV file (UTF-8)")
        parser.add_argument("--touchpoint", required=True,
                            help="touchpoint id or public id (UUID)")
        parser.add_argument("--dry-run", action="store_true",
                            help="check every row and report errors; store nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        touchpoint = touchpoint_lookup(str(options["touchpoint"]))
        path = Path(options["file"])
        data = file_read(path)
        with progress_bar(desc="Importing", unit="row",
                          verbosity=options.get("verbosity", 1)) as progress:
            try:
                result = responses_import(touchpoint=touchpoint, data=data, filename=path.name,
                                          dry_run=options["dry_run"], progress=progress)
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
        row_errors_report(result.errors, self.stderr.write)
        if result.dry_run:
            good = result.rows_total - result.rows_failed
            summary = f"{good} would be imported"
        else:
            summary = (f"{result.rows_imported} imported, {result.rows_already} already "
                       "imported before")
        self.stdout.write(f"{result.rows_total} rows read: {summary}, "
                          f"{result.rows_failed} failed.")
        if result.errors:
            raise CommandError(f"{result.rows_failed} row(s) failed; fix them and import the "
                               "file again (rows already stored are not stored twice).")
