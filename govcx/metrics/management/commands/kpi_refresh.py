"""`govcx kpi_refresh [--rebuild]`: bring the KPI rollups that are not kept at write time up
to date (processing time from journey events), or rebuild the KPI rollups from raw rows.

Run it from cron (e.g. every 5 minutes): it only recomputes the journeys that received
events since the last run. `--rebuild` recomputes processing time and the assistant's
containment from every row (after changing an intended journey's last step, after a restore,
or after loading data that bypassed the services)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from govcx.metrics.services import assist_rollups_rebuild, processing_rebuild, processing_refresh


class Command(BaseCommand):
    help = "Refresh (or with --rebuild recompute) the processing-time and containment rollups."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rebuild", action="store_true",
                            help="recompute from every journey event and conversation")

    def handle(self, *args: Any, **opts: Any) -> None:
        started = time.perf_counter()
        if opts["rebuild"]:
            rows = processing_rebuild()
            conv = assist_rollups_rebuild()
            self.stdout.write(self.style.SUCCESS(
                f"Rebuilt {rows} processing-time rows and {conv} assistant rows in "
                f"{time.perf_counter() - started:.1f} s."))
            return
        got = processing_refresh()
        self.stdout.write(self.style.SUCCESS(
            f"Refreshed {got['journeys']} journeys ({got['moved_or_deleted']} moved or "
            f"deleted) in {time.perf_counter() - started:.1f} s."))
