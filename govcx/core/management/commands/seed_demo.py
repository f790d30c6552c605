"""`govcx seed_demo`: a realistic two-agency demo (idempotent: it replaces earlier demo data).

A benefits agency and a tax agency, 6 services, 12 touchpoints on different channels, and
about 50,000 A-11 responses over 18 months with plausible driver patterns (trust improving
over time, phone waits hurting efficiency, Spanish-language respondents on every service)
and English and Spanish comments.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils import timezone
from tqdm import tqdm

from govcx.core import services as core
from govcx.core.models import Agency, Role
from govcx.feedback import services as fb
from govcx.feedback import survey_templates
from govcx.feedback.models import OfferCount, Touchpoint
from govcx.feedback.selectors import fiscal_quarter_of
from govcx.metrics.services import rollups_rebuild

PASSWORD = "demo-password-2026"  # noqa: S105 - documented demo sign-in, demo only

POSITIVE = {
    "en": ["The online form was clear and I finished in ten minutes.",
           "The agent on the phone was patient and explained everything.",
           "Got my answer the same day. Thank you!",
           "Easy to upload my documents from my phone.",
           "Status updates by text kept me informed.",
           "Friendly staff at the office, short line."],
    "es": ["El formulario en línea fue claro y terminé en diez minutos.",
           "La persona al teléfono fue paciente y me explicó todo.",
           "Recibí mi respuesta el mismo día. ¡Gracias!",
           "Fue fácil subir mis documentos desde el teléfono.",
           "Los mensajes de texto me mantuvieron informado."],
}
NEGATIVE = {
    "en": ["I waited on hold for over an hour before anyone answered.",
           "The website kept logging me out and I lost my application.",
           "I was asked for the same document three times.",
           "Nobody could tell me the status of my claim.",
           "The letter was confusing and I did not know what to do next.",
           "It took months to get a decision."],
    "es": ["Esperé en línea más de una hora antes de que alguien contestara.",
           "El sitio web me sacaba y perdí mi solicitud.",
           "Me pidieron el mismo documento tres veces.",
           "Nadie pudo decirme el estado de mi caso.",
           "No había información en español en la carta."],
}
AGENCIES: list[dict[str, Any]] = [
    {"slug": "benefits", "name": "Department of Benefits", "acronym": "DOB",
     "purpose": ("deliver the benefits I have earned", "me entregará los beneficios que gané"),
     "services": [
         {"slug": "apply", "name": "Apply for disability benefits", "hisp": True,
          "stages": ["learn", "apply", "documents", "decision", "payment"],
          "volume": 2_400_000, "base": 0.58,
          "touchpoints": [("Online application complete", "web", "apply", "thumbs"),
                          ("Phone claims line", "phone", "documents", "thumbs"),
                          ("Decision letter by email", "email", "decision", "scale5")]},
         {"slug": "appeals", "name": "Appeal a decision", "hisp": True,
          "stages": ["request", "hearing", "decision"], "volume": 310_000, "base": 0.44,
          "touchpoints": [("Appeal filed online", "web", "request", "thumbs"),
                          ("Hearing follow-up text", "sms", "hearing", "thumbs")]},
         {"slug": "offices", "name": "Field office visits", "hisp": True,
          "stages": ["check-in", "service"], "volume": 5_100_000, "base": 0.71,
          "touchpoints": [("Office visit (QR at the counter)", "in_person", "service",
                           "thumbs")]},
     ]},
    {"slug": "tax", "name": "Revenue Service", "acronym": "RS",
     "purpose": ("handle my taxes fairly", "manejará mis impuestos de manera justa"),
     "services": [
         {"slug": "file", "name": "File an individual return", "hisp": True,
          "stages": ["prepare", "file", "refund"], "volume": 150_000_000, "base": 0.66,
          "touchpoints": [("Free File submission", "web", "file", "thumbs"),
                          ("Refund status page", "web", "refund", "thumbs")]},
         {"slug": "payments", "name": "Set up a payment plan", "hisp": True,
          "stages": ["apply", "approve", "pay"], "volume": 3_000_000, "base": 0.52,
          "touchpoints": [("Payment plan online", "web", "apply", "thumbs"),
                          ("Collections phone line", "phone", "approve", "scale5")]},
         {"slug": "notices", "name": "Respond to a notice", "hisp": False,
          "stages": ["receive", "respond", "resolve"], "volume": 9_000_000, "base": 0.47,
          "touchpoints": [("Notice response by mail (paper)", "paper", "respond",
                           "legacy"),
                          ("Notice help by text", "sms", "resolve", "thumbs")]},
     ]},
]
CHANNEL_EFFECT = {"phone": -0.10, "paper": -0.05, "sms": 0.02, "in_person": 0.06, "web": 0.0,
                  "email": -0.02}


class Command(BaseCommand):
    help = "Load realistic demo data (two agencies, 6 services, ~50,000 responses)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--responses", type=int, default=50_000)
        parser.add_argument("--months", type=int, default=18)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--cases", type=int, default=1500, help="contact-centre cases "
                            "per agency")

    def handle(self, *args: Any, **opts: Any) -> None:
        rng = random.Random(opts["seed"])
        if Agency.objects.filter(slug__in=[a["slug"] for a in AGENCIES]).exists():
            self.stdout.write("Demo data already loaded; leaving it as it is.")
            return
        end = timezone.now()
        start = end - dt.timedelta(days=int(opts["months"] * 30.4))
        with transaction.atomic():
            tps = self._structure()
        per_tp = opts["responses"] // len(tps)
        bar = tqdm(total=per_tp * len(tps), desc="demo responses", unit="resp")
        for tp, base, kind in tps:
            self._responses(rng, tp, base, kind, per_tp, start, end)
            bar.update(per_tp)
        bar.close()
        self.stdout.write("Rebuilding rollups…")
        rollups_rebuild()
        self.stdout.write("Contact centre: cases on every channel…")
        from govcx.contact.demo import contact_demo_seed

        cases = contact_demo_seed(agencies=list(Agency.objects.filter(
            slug__in=[a["slug"] for a in AGENCIES])), cases_per_agency=opts["cases"])
        self.stdout.write(f"  {cases} cases.")
        self.stdout.write("Help centre and assistant: articles, intents, a trained model…")
        from govcx.assist.demo import assist_demo_seed
        from govcx.assist.models import AssistantModel
        from govcx.assist.training import assistant_train

        demo_agencies = list(Agency.objects.filter(slug__in=[a["slug"] for a in AGENCIES]))
        made = assist_demo_seed(agencies=demo_agencies)
        for agency in demo_agencies:
            model = assistant_train(record=AssistantModel.objects.create(agency=agency))
            self.stdout.write(f"  {agency.slug}: assistant model {model.status} "
                              f"({model.intents} intents, {model.examples} phrasings)")
        self.stdout.write(f"  {made['articles']} articles, {made['intents']} intents.")
        self.stdout.write("Journeys: a benefits application with friction, and personas…")
        from govcx.journeys.demo import journeys_demo_seed

        journeys = journeys_demo_seed(agencies=demo_agencies)
        self.stdout.write(f"  {journeys}")
        self.stdout.write("KPIs: targets, processing-time and containment rollups…")
        from govcx.metrics.demo import metrics_demo_seed

        self.stdout.write(f"  {metrics_demo_seed(agencies=demo_agencies)}")
        self.stdout.write("Insights, research notes, actions, CX maturity…")
        from govcx.improve.demo import improve_demo_seed

        self.stdout.write(f"  {improve_demo_seed(agencies=demo_agencies)}")
        self.stdout.write("Comments: redacted, scored and placed in themes; alerts…")
        from govcx.feedback.comments import comments_collect
        from govcx.metrics.alerts import alerts_check

        collected = comments_collect()
        alerts = alerts_check()
        self.stdout.write(f"  {collected.total} comments, {collected.new_themes} themes, "
                          f"{len(alerts)} alerts.")
        self.stdout.write(self.style.SUCCESS(
            f"Demo ready: {len(tps)} touchpoints, {per_tp * len(tps)} responses."))

    def _structure(self) -> list[tuple[Touchpoint, float, str]]:
        user_model = get_user_model()
        admin = user_model.objects.create_user("admin", "admin@demo.gov", PASSWORD,
                                               first_name="Ada", last_name="Admin")
        cxlead = user_model.objects.create_user("cxlead", "cxlead@demo.gov", PASSWORD,
                                                first_name="Carmen", last_name="Lead")
        perf = user_model.objects.create_user("perf", "perf@demo.gov", PASSWORD,
                                              first_name="Pat", last_name="Manager")
        agent = user_model.objects.create_user("agent", "agent@demo.gov", PASSWORD,
                                               first_name="Alex", last_name="Agent")
        out: list[tuple[Touchpoint, float, str]] = []
        today = timezone.localdate()
        for spec in AGENCIES:
            agency = core.agency_create(name=spec["name"], slug=spec["slug"],
                                        acronym=spec["acronym"])
            core.membership_set(user=admin, agency=agency, role=Role.ADMINISTRATOR)
            core.membership_set(user=cxlead, agency=agency, role=Role.CX_ANALYST)
            if spec["slug"] == "benefits":
                core.membership_set(user=perf, agency=agency, role=Role.PERFORMANCE_MANAGER)
                core.membership_set(user=agent, agency=agency, role=Role.AGENT)
            for s in spec["services"]:
                channels = sorted({t[1] for t in s["touchpoints"]})
                service = core.service_create(
                    agency=agency, name=s["name"], slug=s["slug"], channels=channels,
                    stages=s["stages"], annual_customer_volume=s["volume"], is_hisp=s["hisp"])
                core.service_owners_set(service=service, users=[cxlead])
                for back in range(6):
                    fy, q = fiscal_quarter_of(today - dt.timedelta(days=91 * back))
                    core.service_quarter_volume_set(service=service, fiscal_year=fy, quarter=q,
                                                    customers=s["volume"] // 4)
                surveys: dict[str, Any] = {}
                for name, channel, stage, kind in s["touchpoints"]:
                    if kind not in surveys:
                        if kind == "legacy":
                            schema = survey_templates.a11_legacy(agency=agency.name)
                        else:
                            schema = survey_templates.a11(
                                agency=agency.name, service=service.name,
                                purpose_en=spec["purpose"][0], purpose_es=spec["purpose"][1],
                                scale=kind)
                        surveys[kind] = fb.survey_create(
                            agency=agency, name=f"{service.name}: A-11 ({kind})", schema=schema,
                            omb_control_number="1090-0007",
                            pra_expiration=today + dt.timedelta(days=400))
                    tp = fb.touchpoint_create(
                        service=service, survey=surveys[kind], name=name, channel=channel,
                        stage=stage, allowed_origins=["http://127.0.0.1:8080",
                                                      "http://localhost:8080"])
                    out.append((tp, s["base"] + CHANNEL_EFFECT.get(channel, 0.0), kind))
        return out

    def _responses(
        self, rng: random.Random, tp: Touchpoint, base: float, kind: str, n: int,
        start: dt.datetime, end: dt.datetime,
    ) -> None:
        span = (end - start).total_seconds()
        items: list[tuple[dict[str, Any], str, dt.datetime]] = []
        for _ in range(n):
            frac = rng.random() ** 0.8  # more responses recently (growing adoption)
            at = start + dt.timedelta(seconds=frac * span)
            # trust improves ~12 points over the period, with a dip in filing season
            season = -0.06 if at.month in (3, 4) else 0.0
            p = min(0.95, max(0.05, base + 0.12 * frac + season + rng.gauss(0, 0.02)))
            lang = "es" if rng.random() < 0.16 else "en"
            if lang == "es":
                p -= 0.04
            positive = rng.random() < p
            items.append((self._answers(rng, kind, positive, lang), lang, at))
        fb.responses_load(touchpoint=tp, items=items, source="web")
        # offers: response rates between 6% and 30% depending on the channel
        rate = {"web": 0.12, "sms": 0.22, "email": 0.08, "phone": 0.3, "in_person": 0.1,
                "paper": 0.06}.get(tp.channel, 0.1)
        per_day: dict[dt.date, int] = {}
        for _, _, at in items:
            d = timezone.localtime(at).date()
            per_day[d] = per_day.get(d, 0) + 1
        OfferCount.objects.bulk_create([
            OfferCount(touchpoint=tp, day=d, source="demo", count=math.ceil(c / rate))
            for d, c in per_day.items()
        ])

    def _answers(self, rng: random.Random, kind: str, positive: bool, lang: str) -> dict[str, Any]:
        comment = ""
        if rng.random() < 0.35:
            comment = rng.choice((POSITIVE if positive else NEGATIVE)[lang])
        if kind == "legacy":
            def score(good: float) -> int:
                mu = 4.1 if positive else 2.2
                return max(1, min(5, round(rng.gauss(mu + good, 0.8))))
            a: dict[str, Any] = {
                "satisfaction": score(0), "trust": 4 if positive else 2,
                "effectiveness": score(0.1), "ease": score(0), "efficiency": score(-0.4),
                "transparency": score(-0.2), "employee": score(0.3),
            }
            if comment:
                a["went_well_text" if positive else "improve_text"] = comment
            return a
        if kind == "scale5":
            trust: Any = rng.choice([4, 5, 5]) if positive else rng.choice([1, 2, 2, 3])
        else:
            trust = "up" if positive else "down"
        a = {"trust": trust}
        if positive:
            weights = {"effectiveness": 0.7, "ease": 0.55, "efficiency": 0.35,
                       "transparency": 0.3, "humanity": 0.25, "employee": 0.4}
            a["went_well"] = [d for d, w in weights.items() if rng.random() < w] or ["ease"]
        else:
            weights = {"effectiveness": 0.45, "ease": 0.35, "efficiency": 0.65,
                       "transparency": 0.5, "humanity": 0.12, "employee": 0.2}
            a["went_poorly"] = [d for d, w in weights.items() if rng.random() < w] or [
                "efficiency"]
        if comment:
            a["comments"] = comment
        return a
