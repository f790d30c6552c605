"""`govcx rollups_catch_up`: count responses stored and offers recorded since the last
catch-up into the rollups.

Submissions and offers are stored with one write each and counted afterwards: by the
background worker within seconds, and by any reader of the rollups before it reads. Run this
from cron when no worker runs, or after a bulk load.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from govcx.feedback.services import rollups_catch_up


class Command(BaseCommand):
    help = "Count newly stored responses and offers into the dashboard rollups."

    def handle(self, *args: Any, **opts: Any) -> None:
        started = time.perf_counter()
        responses, offers = rollups_catch_up()
        self.stdout.write(self.style.SUCCESS(
            f"Counted {responses} new responses and {offers} offers in "
            f"{time.perf_counter() - started:.1f} s."))
