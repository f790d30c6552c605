"""`govcx alerts check [--agency SLUG …] [--date YYYY-MM-DD]`: judge the last complete week
before the date (default today) of every service against its own previous 12 weeks, and
raise, notify and open an insight for each signal beyond its control limits.

Safe to run as often as you like (an alert is raised once per service, signal and week):
from cron where nobody uses the staff pages for days; otherwise the check also runs by itself
(see govcx/metrics/alerts.py).
"""

from __future__ import annotations

import datetime as dt
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from tqdm import tqdm

from govcx.core.models import Agency
from govcx.metrics.alerts import alerts_check, check_period


class Command(BaseCommand):
    help = "Check every service's weekly signals against their control limits."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["check"])
        parser.add_argument("--agency", action="append", metavar="SLUG",
                            help="only this agency (repeatable); default: all agencies")
        parser.add_argument("--date", metavar="YYYY-MM-DD",
                            help="check the last complete week before this day (default: today)")

    def handle(self, *args: Any, **opts: Any) -> None:
        today = None
        if opts["date"]:
            try:
                today = dt.date.fromisoformat(opts["date"])
            except ValueError as exc:
                raise CommandError(f"--date: '{opts['date']}' is not a date "
                                   "(use YYYY-MM-DD).") from exc
            if not dt.date(2000, 1, 1) <= today <= dt.date(2100, 12, 31):
                raise CommandError("--date must be between 2000-01-01 and 2100-12-31.")
        agency_ids = None
        if opts["agency"]:
            slugs = set(opts["agency"])
            found = dict(Agency.objects.filter(slug__in=slugs).values_list("slug", "id"))
            missing = sorted(slugs - set(found))
            if missing:
                raise CommandError(f"No agency with slug {', '.join(missing)}.")
            agency_ids = set(found.values())
        bar = tqdm(total=0, unit="service", disable=None, file=sys.stderr)

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        raised = alerts_check(agency_ids=agency_ids, today=today, progress=progress)
        bar.close()
        start, end, _ = check_period(today or timezone.localdate())
        for a in raised:
            self.stdout.write(f"{a.service.name}: {a.detail.get('summary', a.signal)}")
        self.stdout.write(self.style.SUCCESS(
            f"Checked the week {start} – {end}: {len(raised)} new alert(s)."))
