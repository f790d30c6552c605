"""`govcx contact_rollups_rebuild [--agency SLUG …]`: recompute the contact-centre rollups.

The services keep them current as contacts arrive and cases change; rebuild after bulk loads
that bypass the services, after restoring a backup, or after changing FCR_WINDOW_DAYS or
SERVICE_LEVEL_SECONDS (docs/metrics.md).
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from govcx.contact.metrics_rollups import contact_rollups_rebuild
from govcx.core.models import Agency


class Command(BaseCommand):
    help = "Recompute the contact-centre rollups (FCR, calls, …) from raw rows."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--agency", action="append", help="agency slug (repeatable)")

    def handle(self, *args: Any, **opts: Any) -> None:
        ids = None
        if opts["agency"]:
            found = dict(Agency.objects.filter(slug__in=opts["agency"]).values_list("slug", "id"))
            missing = sorted(set(opts["agency"]) - set(found))
            if missing:
                raise CommandError(f"No agency with slug {', '.join(missing)}.")
            ids = list(found.values())
        started = time.perf_counter()
        result = contact_rollups_rebuild(agency_ids=ids)
        self.stdout.write(self.style.SUCCESS(
            f"Rebuilt contact rollups in {time.perf_counter() - started:.1f} s ({result})."))
