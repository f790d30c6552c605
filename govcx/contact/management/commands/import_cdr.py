"""`govcx import_cdr FILE --agency SLUG`: import call-detail records from a CSV file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from govcx.contact.channels.phone import COLUMNS, CdrFileError, cdr_import_csv
from govcx.core.imports import file_read, progress_bar, row_errors_report
from govcx.core.models import Agency
from govcx.core.services import audit_record


class Command(BaseCommand):
    help = ("Import phone call-detail records from a CSV file whose header names the "
            f"columns ({', '.join(COLUMNS)}; call_id, caller and started_at are required). "
            "Good rows are stored, bad rows are listed by row number (the header is row 1); "
            "re-importing the same file stores nothing twice.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="CSV file (UTF-8)")
        parser.add_argument("--agency", required=True, help="the agency's slug")

    def handle(self, *args: Any, **options: Any) -> None:
        agency = Agency.objects.filter(slug=str(options["agency"]).strip()).first()
        if agency is None:
            raise CommandError(f"No agency with the slug '{options['agency']}'.")
        path = Path(options["file"])
        data = file_read(path)
        with progress_bar(desc="Importing calls", unit="call",
                          verbosity=options.get("verbosity", 1)) as progress:
            try:
                result = cdr_import_csv(agency=agency, data=data, progress=progress)
            except CdrFileError as exc:
                raise CommandError(str(exc)) from exc
        audit_record(action="cdr.import", agency=agency, object_type="contact",
                     detail={"records": result.records, "imported": result.imported,
                             "duplicates": result.duplicates, "failed": result.failed,
                             "via": "command", "file": path.name[:200]})
        row_errors_report(result.errors, self.stderr.write)
        self.stdout.write(f"{result.records} rows read: {result.imported} imported, "
                          f"{result.duplicates} already imported before, "
                          f"{result.failed} failed.")
        if result.errors:
            raise CommandError(f"{result.failed} row(s) failed; fix them and import the file "
                               "again (rows already stored are not stored twice).")
