"""`govcx rollups_catch_up`: count responses stored since the last catch-up into the rollups.

Submissions are stored with one INSERT and counted afterwards: by the background worker
within seconds, and by any reader of the rollups before it reads. Run this from cron when no
worker runs, or after a bulk load.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from govcx.feedback.services import response_rollups_catch_up


class Command(BaseCommand):
    help = "Count newly stored responses into the dashboard rollups."

    def handle(self, *args: Any, **opts: Any) -> None:
        started = time.perf_counter()
        n = response_rollups_catch_up()
        self.stdout.write(self.style.SUCCESS(
            f"Counted {n} new responses in {time.perf_counter() - started:.1f} s."))
