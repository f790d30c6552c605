"""`govcx comments collect` — copy new comments (redacted, scored) and place them in themes;
`govcx comments discover --agency SLUG` — rediscover themes among unplaced comments."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Collect comments for text insight (redacted), or discover themes."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["collect", "discover"])
        parser.add_argument("--agency", help="agency slug (discover)")
        parser.add_argument("--from-start", action="store_true",
                            help="collect: read every source from its first row again")

    def handle(self, *args: Any, **opts: Any) -> None:
        from govcx.core.models import Agency
        from govcx.feedback.comments import SOURCES, comments_collect
        from govcx.feedback.themes import themes_discover

        if opts["action"] == "collect":
            since = dict.fromkeys(SOURCES, 0) if opts["from_start"] else None
            r = comments_collect(since_ids=since)
            parts = ", ".join(f"{k} {v}" for k, v in r.created.items())
            self.stdout.write(f"{r.total} comments collected ({parts}); "
                              f"{r.new_themes} new themes")
            return
        if not opts["agency"]:
            raise CommandError("discover needs --agency SLUG")
        try:
            agency = Agency.objects.get(slug=opts["agency"])
        except Agency.DoesNotExist as exc:
            raise CommandError(f"No agency {opts['agency']!r}.") from exc
        new = themes_discover(agency=agency)
        self.stdout.write(f"{len(new)} new themes: " + "; ".join(t.name for t in new))
