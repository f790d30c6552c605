"""`govcx journeys_import FILE --agency SLUG [--service SLUG] [--format csv|parquet|xes]
[--case COL] [--activity COL] [--timestamp COL] [--channel COL] [--stage COL]
[--service-column COL] [--keep-case-ids]`: import journey events into the database."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone
from tqdm import tqdm

from govcx.core.models import Agency, Service
from govcx.journeys import imports
from govcx.journeys.eventlog import ACTIVITY, CASE, TIMESTAMP
from govcx.journeys.models import JourneyImport


class Command(BaseCommand):
    help = ("Import journey events from a CSV, Parquet or XES file into an agency (and "
            "optionally a service), with a column mapping. Bad rows are named and skipped; good "
            "rows are stored.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--agency", required=True, help="agency slug")
        parser.add_argument("--service", default="", help="service slug in the agency")
        parser.add_argument("--format", choices=["csv", "parquet", "xes"], default="")
        parser.add_argument("--case", default=CASE, help=f"case column (default {CASE})")
        parser.add_argument("--activity", default=ACTIVITY,
                            help=f"activity column (default {ACTIVITY})")
        parser.add_argument("--timestamp", default=TIMESTAMP,
                            help=f"timestamp column (default {TIMESTAMP})")
        parser.add_argument("--channel", default="", help="channel column")
        parser.add_argument("--stage", default="", help="stage column")
        parser.add_argument("--service-column", default="",
                            help="column naming each row's service (slug or name)")
        parser.add_argument("--keep-case-ids", action="store_true",
                            help="store case ids as given (default: prefixed import:<id>:)")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            agency = Agency.objects.get(slug=options["agency"])
        except Agency.DoesNotExist as exc:
            raise CommandError(f"No agency with slug '{options['agency']}'.") from exc
        service = None
        if options["service"]:
            try:
                service = Service.objects.get(agency=agency, slug=options["service"])
            except Service.DoesNotExist as exc:
                raise CommandError(f"No service '{options['service']}' in {agency.name}.") \
                    from exc
        try:
            fmt = imports.format_for(path.name, options["format"])
        except imports.JourneyImportError as exc:
            raise CommandError(str(exc)) from exc
        mapping = imports.Mapping(case=options["case"], activity=options["activity"],
                                  timestamp=options["timestamp"], channel=options["channel"],
                                  stage=options["stage"], service=options["service_column"])
        with transaction.atomic():
            job = JourneyImport.objects.create(
                agency=agency, service=service, filename=path.name[:255], format=fmt,
                mapping=mapping.as_dict(), status=JourneyImport.Status.RUNNING,
                started_at=timezone.now())
            if not options["keep_case_ids"]:
                job.case_prefix = f"import:{job.pk}:"
                job.save(update_fields=["case_prefix"])
        bar: tqdm[Any] | None = None

        def progress(done: int, total: int) -> None:
            nonlocal bar
            if bar is None:
                bar = tqdm(total=total, unit="event", desc="Storing", file=sys.stderr,
                           disable=options.get("verbosity", 1) == 0)
            bar.update(done - bar.n)

        try:
            outcome = imports.journey_events_import(
                agency=agency, path=path, fmt=fmt, mapping=mapping, service=service,
                journey_import=job, case_prefix=job.case_prefix, progress=progress)
        except imports.JourneyImportError as exc:
            imports.journey_import_finish(job, JourneyImport.Status.FAILED, failure=str(exc))
            raise CommandError(str(exc)) from exc
        finally:
            if bar is not None:
                bar.close()
        job.rows_total, job.rows_read, job.rows_stored = (outcome.rows_total, outcome.rows_total,
                                                          outcome.rows_stored)
        job.errors, job.error_count = outcome.errors, outcome.error_count
        imports.journey_import_finish(job, JourneyImport.Status.DONE)
        for e in outcome.errors[:20]:
            self.stderr.write(f"{e['where'] or '-'}: {e['message']}")
        if outcome.error_count > 20:
            self.stderr.write(f"… {outcome.error_count - 20} more problems (import {job.pk}).")
        self.stdout.write(f"Import {job.pk}: {outcome.rows_total} rows read, "
                          f"{outcome.rows_stored} events stored, {outcome.error_count} rows "
                          f"not imported.")
