"""`govcx rollups_rebuild [--service ID …]`: recompute the dashboard rollups from raw rows.

The rollups are kept up to date by counting new responses shortly after they are stored
(`govcx rollups_catch_up`); this is for repairs and restores from backup.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from govcx.core.models import Service
from govcx.metrics.services import rollups_rebuild


class Command(BaseCommand):
    help = "Recompute the dashboard rollups from raw responses and offers."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--service", type=int, action="append",
                            help="only this service id (repeatable); default: all services")

    def handle(self, *args: Any, **opts: Any) -> None:
        ids = opts["service"]
        if ids:
            missing = sorted(set(ids) - set(Service.objects.filter(id__in=ids)
                                            .values_list("id", flat=True)))
            if missing:
                raise CommandError(f"No service with id {', '.join(map(str, missing))}.")
        started = time.perf_counter()
        rows = rollups_rebuild(service_ids=ids)
        self.stdout.write(self.style.SUCCESS(
            f"Rebuilt {rows} rollup rows in {time.perf_counter() - started:.1f} s."))
