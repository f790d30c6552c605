"""`govcx journeys analyze FILE` and `govcx journeys export FILE --to xes|csv OUT`.

analyze prints one JSON object (issue 5, point 6): ``dfg``, ``start``, ``end``, ``variants``,
``case_duration_seconds``, ``events``, ``cases``. Skipped rows are named on standard error, so
standard output stays one JSON object.
"""

from __future__ import annotations

import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from govcx.journeys import eventlog, mining


class Command(BaseCommand):
    help = "Mine an event log file (CSV, Parquet, XES): directly-follows graph, variants, durations."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        analyze = sub.add_parser("analyze", help="print the journey figures of FILE as JSON")
        export = sub.add_parser("export", help="write FILE as XES or CSV")
        for p in (analyze, export):
            p.add_argument("file", metavar="FILE")
            p.add_argument("--format", choices=eventlog.FORMATS,
                           help="file format (default: from the extension)")
            p.add_argument("--case", default=eventlog.CASE, metavar="COL",
                           help=f"case column (default {eventlog.CASE})")
            p.add_argument("--activity", default=eventlog.ACTIVITY, metavar="COL",
                           help=f"activity column (default {eventlog.ACTIVITY})")
            p.add_argument("--timestamp", default=eventlog.TIMESTAMP, metavar="COL",
                           help=f"timestamp column (default {eventlog.TIMESTAMP})")
        analyze.add_argument("--top", type=int, default=10, metavar="N",
                             help="how many variants to list (default 10)")
        export.add_argument("--to", required=True, choices=("xes", "csv"), dest="to")
        export.add_argument("out", metavar="OUT")

    def handle(self, *args: Any, **options: Any) -> None:
        mapping = eventlog.ColumnMapping(case=options["case"], activity=options["activity"],
                                         timestamp=options["timestamp"])
        action = options["action"]
        if action == "analyze" and options["top"] < 0:
            raise CommandError("--top must be 0 or more")
        try:
            log = eventlog.read_log(Path(options["file"]), format=options["format"],
                                    mapping=mapping, attributes=action == "export")
        except eventlog.EventLogError as exc:
            raise CommandError(str(exc)) from exc
        if log.skipped.skipped:
            self.stderr.write(log.skipped.summary())
        if action == "analyze":
            stats = mining.analyze(log, top=options["top"])
            self.stdout.write(json.dumps(stats.as_json(), ensure_ascii=False))
            return
        out = Path(options["out"])
        if options["to"] == "xes":
            eventlog.write_xes(log, out)
        else:
            eventlog.write_csv(log, out)
        self.stderr.write(f"wrote {log.events} events to {out}")
