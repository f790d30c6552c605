"""`govcx topics train --agency SLUG`: train an agency's topic-suggestion model.

`govcx topics train --all` trains every agency that has enough resolved cases;
`govcx topics status --agency SLUG` says whether suggestions are available and why not.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from govcx.contact.topics import topic_model_problem, topics_train
from govcx.core.models import Agency


class Command(BaseCommand):
    help = "Train (or check) the topic-suggestion model of an agency from its resolved cases."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["train", "status"])
        parser.add_argument("--agency", action="append", default=[], metavar="SLUG",
                            help="agency slug (repeatable)")
        parser.add_argument("--all", action="store_true", help="every agency")

    def _printer(self, prefix: str) -> Callable[[str], None]:
        def say(message: str) -> None:
            self.stdout.write(f"{prefix}{message}")
        return say

    def handle(self, *args: Any, **opts: Any) -> None:
        slugs: list[str] = opts["agency"]
        if opts["all"]:
            agencies = list(Agency.objects.order_by("slug"))
        elif slugs:
            agencies = list(Agency.objects.filter(slug__in=slugs).order_by("slug"))
            missing = sorted(set(slugs) - {a.slug for a in agencies})
            if missing:
                raise CommandError(f"No agency with slug {', '.join(missing)}.")
        else:
            raise CommandError("Name an agency with --agency SLUG, or use --all.")
        failed = 0
        for n, agency in enumerate(agencies, 1):
            prefix = f"[{n}/{len(agencies)}] " if len(agencies) > 1 else ""
            if opts["action"] == "status":
                problem = topic_model_problem(agency=agency)
                self.stdout.write(f"{prefix}{agency.slug}: "
                                  f"{problem or 'topic suggestions are available.'}")
                continue
            report = topics_train(agency=agency, progress=self._printer(prefix))
            if not report.ok:
                failed += 1
        if opts["action"] == "train":
            trained = len(agencies) - failed
            style = self.style.SUCCESS if trained else self.style.WARNING
            self.stdout.write(style(f"Trained {trained} of {len(agencies)} "
                                    f"agenc{'y' if len(agencies) == 1 else 'ies'}."))
            if failed and not opts["all"]:
                raise CommandError("Not enough resolved cases to train (see above).")
