"""Demo journeys for `govcx seed_demo`: the benefits agency's application service, months of
applications with friction you can see, by people who behave differently.

Three kinds of applicant (so that personas emerge from behaviour, not from a label):

* **digital self-servers** (about half): apply on the web in English, rarely call, trust the
  agency more;
* **phone-reliant applicants** (about 3 in 10): start online and hit a web error more often,
  or start by phone; call again and again about their claim while they wait; trust it less;
* **Spanish-speaking applicants who use the field office** (about 1 in 5): start and hand in
  documents at the office, are asked for documents again more often, comment in Spanish.

Friction built in: document re-requests (a loop on the documents step), channel switching to
the phone right after a web error, a slow decision step (weeks between the eligibility review
and the decision), drop-offs (people who stop after a re-request or a call), repeat calls, and
survey answers ("Survey answered" events with ``trust``, ``drivers_negative``, ``comment`` and
``language`` attributes) that are more negative after re-requests and waits. A few comments
hold a phone number or an email address, so the persona page shows redaction at work.

Events go through the bulk recording service (`journeys.services.journey_events_record`);
customers through `customers.services.customer_match_or_create`, so each applicant's events
carry the case key ``customer:<id>`` that the other apps use.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable, Iterator
from typing import Any

from django.db import transaction
from django.utils import timezone

from govcx.core.models import Agency, Service
from govcx.customers.services import customer_match_or_create
from govcx.journeys.models import JourneyEvent
from govcx.journeys.services import EventIn, case_key_for, journey_events_record

MARKER = "Start application online"  # the seed has run for a service when this exists

COMMENTS: dict[str, dict[str, list[str]]] = {
    "negative": {
        "en": ["I was asked for the same document three times.",
               "The website crashed when I pressed submit and I had to call.",
               "I called four times and nobody could tell me where my claim was.",
               "It took two months to get a decision.",
               "I uploaded my pay stubs twice and they still said they were missing.",
               "Please call me back at 202-555-0143, I have been waiting for weeks.",
               "I sent everything to maria.lopez@example.com and heard nothing."],
        "es": ["Me pidieron el mismo documento tres veces.",
               "Tuve que ir a la oficina dos veces por los mismos papeles.",
               "Nadie me explicó en español qué documentos faltaban.",
               "La decisión tardó casi dos meses.",
               "Llámenme al 305-555-0187, todavía no sé nada de mi solicitud."],
    },
    "positive": {
        "en": ["The online application was clear and quick.",
               "Uploading documents from my phone was easy.",
               "The agent on the phone finished my application for me. Very kind.",
               "I got a decision letter and my first payment without any trouble."],
        "es": ["La persona en la oficina me ayudó mucho y habló español.",
               "Me explicaron todo con paciencia en la oficina.",
               "Recibí mi pago sin problemas."],
    },
}
DRIVERS_NEGATIVE = {"digital": ["efficiency"], "phone": ["efficiency", "transparency"],
                    "office": ["ease", "transparency"]}
GROUPS: list[tuple[str, float, str]] = [  # (behaviour, share, language)
    ("digital", 0.50, "en"), ("phone", 0.30, "en"), ("office", 0.20, "es")]
TRUST_POSITIVE = {"digital": 0.82, "phone": 0.45, "office": 0.48}


class _Journey:
    """The events of one applicant's journey, built step by step."""

    def __init__(self, rng: random.Random, start: dt.datetime) -> None:
        self.rng = rng
        self.t = start
        self.events: list[tuple[str, dt.datetime, str, str, str, dict[str, Any]]] = []

    def later(self, lo_seconds: float, hi_seconds: float) -> None:
        self.t += dt.timedelta(seconds=int(self.rng.uniform(lo_seconds, hi_seconds)))

    def add(self, activity: str, channel: str, stage: str, source: str = "import",
            **attributes: Any) -> None:
        self.events.append((activity, self.t, channel, stage, source, attributes))


HOUR, DAY = 3600, 86400


def _apply(j: _Journey, group: str) -> bool:
    """The application part; False when the person gives up (a drop-off)."""
    rng = j.rng
    if group == "office":
        if rng.random() < 0.25:  # tries online first, the site fails, goes to the office
            j.add("Visit benefits page", "web", "learn")
            j.later(60, 900)
            j.add(MARKER, "web", "apply")
            j.later(300, 3 * HOUR)
            j.add("Web error", "web", "apply")
            j.later(DAY, 6 * DAY)
        j.add("Visit field office", "in_person", "apply")
        j.later(900, 2 * HOUR)
        j.add("Application started at office", "in_person", "apply")
        j.later(600, 3600)
        j.add("Documents handed in at office", "in_person", "documents")
        rerequest, upload, upload_channel = 0.55, "Documents handed in at office", "in_person"
    elif group == "phone" and rng.random() < 0.45:
        j.add("Call contact centre", "phone", "apply", "contact")
        j.later(300, 1800)
        j.add("Application started by phone", "phone", "apply", "contact")
        j.later(2 * DAY, 8 * DAY)
        j.add("Documents mailed in", "paper", "documents")
        rerequest, upload, upload_channel = 0.40, "Documents mailed in", "paper"
    else:
        if rng.random() < 0.8:
            j.add("Visit benefits page", "web", "learn")
            j.later(30, 900)
        j.add(MARKER, "web", "apply")
        if rng.random() < 0.4:
            j.later(60, 600)
            j.add("Create Login.gov account", "web", "apply")
        j.later(600, 3 * DAY)
        j.add("Upload documents", "web", "documents")
        rerequest, upload, upload_channel = (0.25 if group == "digital" else 0.35,
                                             "Upload documents", "web")
    times = 0
    while rng.random() < (rerequest if times == 0 else rerequest / 2) and times < 3:
        times += 1
        j.later(2 * DAY, 7 * DAY)
        j.add("Documents re-requested", "email" if upload_channel == "web" else "paper",
              "documents")
        if rng.random() < 0.10:
            return False  # gave up after being asked again
        j.later(6 * HOUR, 6 * DAY)
        if upload_channel == "in_person":
            j.add("Visit field office", "in_person", "documents")
            j.later(900, 2 * HOUR)
        j.add(upload, upload_channel, "documents")
    if upload_channel == "web":
        j.later(120, DAY)
        if rng.random() < (0.09 if group == "digital" else 0.35):
            j.add("Web error", "web", "apply")
            if rng.random() < 0.15:
                return False
            j.later(20 * 60, 2 * DAY)
            j.add("Call contact centre", "phone", "apply", "contact")
            j.later(600, 2400)
            j.add("Application completed by phone", "phone", "apply", "contact")
        else:
            j.add("Submit application", "web", "apply")
    else:
        if upload_channel == "in_person":  # at the same visit
            j.later(300, 1800)
        else:
            j.later(HOUR, 2 * DAY)
        j.add("Application submitted", upload_channel, "apply")
    return rng.random() > 0.04  # a few stop here without a word


def _decide(j: _Journey, group: str) -> str:
    rng = j.rng
    j.later(2 * DAY, 6 * DAY)
    j.add("Eligibility review", "", "decision")
    wait = rng.uniform(18 * DAY, 60 * DAY)  # the slow step
    calls = {"phone": rng.choice([1, 2, 2, 3]), "office": rng.choice([0, 1, 1]),
             "digital": rng.choice([0, 0, 0, 1])}[group]
    start = j.t
    j.t = start + dt.timedelta(seconds=wait * rng.uniform(0.25, 0.5))
    for _ in range(calls):  # "where is my claim?" while waiting, again and again
        if j.t >= start + dt.timedelta(seconds=wait - DAY):
            break
        channel = "in_person" if group == "office" and rng.random() < 0.5 else "phone"
        j.add("Called about claim status" if channel == "phone" else "Asked about status at "
              "office", channel, "decision", "contact")
        j.later(2 * DAY, 6 * DAY)
    j.t = start + dt.timedelta(seconds=wait)
    j.add("Decision made", "", "decision")
    j.later(HOUR, DAY)
    if rng.random() < 0.78:
        j.add("Approval letter sent", "email" if group == "digital" else "paper", "decision")
        j.later(3 * DAY, 10 * DAY)
        j.add("Payment issued", "", "payment")
        return "approved"
    j.add("Denial letter sent", "email" if group == "digital" else "paper", "decision")
    return "denied"


def _survey(j: _Journey, group: str, language: str, friction: int) -> None:
    rng = j.rng
    chance = TRUST_POSITIVE[group] - 0.08 * friction
    positive = rng.random() < max(chance, 0.05)
    tone = "positive" if positive else "negative"
    comment = rng.choice(COMMENTS[tone][language]) if rng.random() < 0.7 else ""
    drivers = [] if positive else DRIVERS_NEGATIVE[group][: rng.choice([1, 2])]
    j.later(HOUR, 3 * DAY)
    j.add("Survey answered", "email" if group != "office" else "sms", "", "feedback",
          trust="positive" if positive else "negative", drivers_negative=drivers,
          comment=comment, language=language)


def _group(rng: random.Random) -> tuple[str, str]:
    x, acc = rng.random(), 0.0
    for name, share, language in GROUPS:
        acc += share
        if x <= acc:
            return name, language
    return GROUPS[-1][0], GROUPS[-1][2]


def demo_service(agency: Agency) -> Service | None:
    """The application service of a benefits agency: slug "apply", else its first service."""
    services = agency.services.order_by("id")
    return services.filter(slug="apply").first() or services.first()


def journeys_demo_seed(*, agencies: Iterable[Agency], journeys: int = 3000, months: int = 8,
                       seed: int = 5, now: dt.datetime | None = None,
                       build_personas: bool = True) -> dict[str, int]:
    """Seed the benefits agencies (slug starting "benefits") among `agencies`; returns counts.

    With `build_personas`, each seeded agency's personas are then built from all its journey
    events (call it after the other demo seeds, so their people are grouped too).
    Idempotent: a service that already has demo journeys is left as it is.
    """
    made = {"journeys": 0, "events": 0, "customers": 0, "personas": 0}
    now = now or timezone.now()
    for agency in agencies:
        if not agency.slug.startswith("benefits"):
            continue
        found = demo_service(agency)
        if found is None:
            continue
        service: Service = found
        if JourneyEvent.objects.filter(
                agency=agency, service=service, activity=MARKER).exists():
            continue
        rng = random.Random(f"{seed}:{agency.slug}")
        first = now - dt.timedelta(days=int(months * 30.4))
        span = (now - dt.timedelta(days=10) - first).total_seconds()
        plans: list[tuple[int, str, str, dt.datetime]] = []
        with transaction.atomic():
            for n in range(journeys):
                group, language = _group(rng)
                customer = customer_match_or_create(
                    agency=agency, kind="email", value=f"applicant{n:05d}@example.org",
                    verified=True, language=language)
                start = first + dt.timedelta(seconds=rng.uniform(0, span))
                plans.append((customer.pk, group, language, start))
        made["customers"] += len(plans)

        def events(agency_id: int = agency.pk, service_id: int = service.pk,
                   plans: list[tuple[int, str, str, dt.datetime]] = plans,
                   rng: random.Random = rng) -> Iterator[EventIn]:
            for customer_id, group, language, start in plans:
                j = _Journey(rng, start)
                finished = _apply(j, group)
                if finished:
                    _decide(j, group)
                friction = sum(1 for e in j.events if e[0] in (
                    "Documents re-requested", "Web error", "Called about claim status"))
                if (finished and rng.random() < 0.45) or (not finished and rng.random() < 0.3):
                    _survey(j, group, language, friction)
                key = case_key_for(customer_id=customer_id)
                made["journeys"] += 1
                for seq, (activity, at, channel, stage, source, attributes) in enumerate(
                        j.events):
                    if at > now:
                        break  # still going: the future has not happened yet
                    yield EventIn(agency_id=agency_id, service_id=service_id,
                                  customer_id=customer_id, case_key=key, activity=activity,
                                  at=at, seq=seq, channel=channel, stage=stage, source=source,
                                  attributes={"language": language, **attributes})

        made["events"] += journey_events_record(events=events())
        if build_personas:
            from govcx.journeys.personas import personas_build

            made["personas"] += personas_build(agency=agency).k
    return made
