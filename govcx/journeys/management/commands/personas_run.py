"""`govcx personas_run --agency SLUG`: group the agency's people into personas now.

The same work as the "Rebuild personas" button (which runs it in the background), with a
progress bar; prints the chosen number of groups, why, and each persona's size and traits.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from govcx.core.models import Agency
from govcx.journeys.personas import PersonaError, personas_build


class Command(BaseCommand):
    help = "Build an agency's personas from its journey events (replaces the previous run)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--agency", required=True, help="the agency's slug")
        parser.add_argument("--seed", type=int, default=0, help="random seed for k-means")

    def handle(self, *args: Any, **opts: Any) -> None:
        agency = Agency.objects.filter(slug=opts["agency"]).first()
        if agency is None:
            known = ", ".join(Agency.objects.order_by("slug").values_list("slug", flat=True))
            raise CommandError(f"No agency with the slug '{opts['agency']}'; "
                               f"known: {known or 'none'}.")
        bar = tqdm(total=100, desc="personas", unit="%")
        done = 0

        def progress(what: str, fraction: float) -> None:
            nonlocal done
            bar.set_postfix_str(what)
            step = int(fraction * 100) - done
            if step > 0:
                bar.update(step)
                done += step

        try:
            run = personas_build(agency=agency, seed=opts["seed"], progress=progress)
        except PersonaError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            bar.close()
        self.stdout.write(run.explanation)
        for p in run.personas.order_by("-size"):
            self.stdout.write(f"- {p.name}: {p.size} people")
            for t in p.traits.get("defining", []):
                self.stdout.write(f"    {t['text']}")
        self.stdout.write(self.style.SUCCESS(f"{run.k} personas for {agency.slug}."))
