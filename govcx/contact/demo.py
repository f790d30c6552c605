"""Months of contact-centre history for `govcx seed_demo`, made through the real services.

Every case is opened by `contact_receive` and answered, resolved and reopened by the same
service functions staff use, with explicit times, so FCR, re-contacts (also on another
channel), reopenings and SLA breaches in the demo come from behaviour, not typed-in numbers.
"""

from __future__ import annotations

import datetime as dt
import random
from contextlib import nullcontext
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from govcx.contact import services as cs
from govcx.contact.metrics_rollups import contact_rollups_deferred
from govcx.contact.models import (
    BusinessCalendar,
    CannedReply,
    Queue,
    QueueMember,
    RoutingRule,
    SlaPolicy,
)
from govcx.core.models import Agency, Role, Service
from govcx.core.services import membership_set

NEEDS: dict[str, list[tuple[str, str, str]]] = {
    # topic: [(subject, English text, Spanish text)]
    "payment_status": [("Where is my payment?", "My payment has not arrived this month.",
                        "Mi pago no ha llegado este mes.")],
    "documents": [("Documents requested", "You asked me for a document I already sent.",
                   "Me pidieron un documento que ya envié.")],
    "address_change": [("Change of address", "I moved and need to update my address.",
                        "Me mudé y necesito actualizar mi dirección.")],
    "login_problem": [("Cannot sign in", "The website keeps saying my password is wrong.",
                       "El sitio web dice que mi contraseña es incorrecta.")],
    "decision_status": [("Decision on my claim", "When will I get a decision on my claim?",
                         "¿Cuándo recibiré una decisión sobre mi caso?")],
}
CHANNEL_MIX = [("web", 0.25), ("email", 0.25), ("sms", 0.15), ("phone", 0.30), ("chat", 0.05)]
PASSWORD = "demo-password-2026"  # noqa: S105 - documented demo sign-in


def _pick(rng: random.Random, weighted: list[tuple[str, float]]) -> str:
    x, acc = rng.random(), 0.0
    for value, w in weighted:
        acc += w
        if x <= acc:
            return value
    return weighted[-1][0]


def _centre(agency: Agency, agents: list[Any]) -> None:
    cal = BusinessCalendar.objects.create(
        agency=agency, name="Weekdays 8–18 ET", timezone="America/New_York",
        hours={str(d): [["08:00", "18:00"]] for d in range(5)},
        holidays=["2026-01-01", "2026-05-25", "2026-07-03", "2026-09-07", "2026-11-26",
                  "2026-12-25"])
    standard = SlaPolicy.objects.create(
        agency=agency, name="Standard", first_response_minutes=240, next_response_minutes=480,
        resolution_minutes=2400, warn_before_minutes=60, calendar=cal)
    urgent = SlaPolicy.objects.create(
        agency=agency, name="Urgent", priority="urgent", first_response_minutes=60,
        resolution_minutes=480, calendar=cal)
    general = Queue.objects.create(agency=agency, name="General enquiries", slug="general",
                                   assignment=Queue.Assignment.LEAST_LOADED,
                                   sla_policy=standard)
    spanish = Queue.objects.create(agency=agency, name="Atención en español", slug="espanol",
                                   assignment=Queue.Assignment.ROUND_ROBIN, sla_policy=standard)
    phones = Queue.objects.create(agency=agency, name="Phone line", slug="phone",
                                  assignment=Queue.Assignment.ROUND_ROBIN, sla_policy=urgent)
    for i, user in enumerate(agents):
        for q in (general, spanish, phones):
            QueueMember.objects.create(queue=q, user=user, capacity=400,
                                       available=not (q is phones and i == 0))
    RoutingRule.objects.create(agency=agency, position=10, language="es", queue=spanish)
    RoutingRule.objects.create(agency=agency, position=20, channel="phone", queue=phones)
    RoutingRule.objects.create(agency=agency, position=90, queue=general)
    CannedReply.objects.create(
        agency=agency, name="Payment timing", language="en",
        body="Hello {customer_name}, payments go out on the 3rd business day of the month. "
             "Your case number is {case_id}. — {agent_name}, {agency}")
    CannedReply.objects.create(
        agency=agency, name="Fecha de pago", language="es",
        body="Hola {customer_name}: los pagos salen el tercer día hábil del mes. "
             "Su número de caso es {case_id}. — {agent_name}, {agency}")


def contact_demo_seed(*, agencies: list[Agency], months: int = 6, cases_per_agency: int = 1500,
                      seed: int = 2026, defer_rollups: bool = True) -> int:
    """Create queues, agents and `cases_per_agency` cases per agency over `months` months."""
    rng = random.Random(seed)
    user_model = get_user_model()
    now = timezone.now()
    start = now - dt.timedelta(days=int(months * 30.4))
    made = 0
    deferral = (contact_rollups_deferred(agency_ids=[a.pk for a in agencies]) if defer_rollups
                else nullcontext())
    # No survey invitations or real mail while replaying history.
    with deferral, override_settings(CASE_SURVEY_SAMPLE_RATE=0.0,
                           EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        for agency in agencies:
            agents = []
            for n in range(1, 4):
                name = f"{agency.slug}-agent{n}"
                user = user_model.objects.create_user(name, f"{name}@demo.gov", PASSWORD,
                                                      first_name=f"Agent {n}")
                membership_set(user=user, agency=agency, role=Role.AGENT)
                agents.append(user)
            shared = user_model.objects.filter(username="agent").first()
            if shared is not None and shared.memberships.filter(agency=agency).exists():
                agents.insert(0, shared)
            _centre(agency, agents)
            services = list(Service.objects.filter(agency=agency))
            people = [(f"person{i}.{agency.slug}@example.org", f"+1202555{i:04d}")
                      for i in range(cases_per_agency // 2)]
            span = (now - start).total_seconds() * 0.97
            times = sorted(start + dt.timedelta(seconds=rng.random() * span)
                           for _ in range(cases_per_agency))
            phone_queue = Queue.objects.get(agency=agency, slug="phone")
            for at in times:  # in time order, as it happened
                made += _one_case(rng, agency, agents, services, people, at, now, phone_queue)
    return made


def _one_case(rng: random.Random, agency: Agency, agents: list[Any], services: list[Service],
              people: list[tuple[str, str]], at: dt.datetime, now: dt.datetime,
              phone_queue: Queue) -> int:
    topic = rng.choice(list(NEEDS))
    subject, en, es = NEEDS[topic][0]
    lang = "es" if rng.random() < 0.18 else "en"
    channel = _pick(rng, CHANNEL_MIX)
    email, phone = rng.choice(people)
    at = timezone.localtime(at).replace(hour=rng.randint(7, 19), minute=rng.randint(0, 59))
    if at > now:
        return 0
    identity = ("phone", phone) if channel in ("sms", "phone") else ("email", email)
    call: dict[str, Any] = {}
    if channel == "phone":
        wait = int(rng.expovariate(1 / 170))
        abandoned = wait > 420 and rng.random() < 0.7
        call = {"queue_entered_at": at, "wait_seconds": wait, "answered": not abandoned,
                "abandoned": abandoned, "routed_to_agent": True, "queue": phone_queue,
                "talk_seconds": 0 if abandoned else int(rng.gauss(420, 150)) % 1800 + 60,
                "hold_seconds": 0 if abandoned else int(rng.expovariate(1 / 60))}
        if abandoned:
            cs.contact_receive(agency=agency, channel="phone", identity=identity, at=at,
                               open_case=False, **call)
            return 0
    with transaction.atomic():
        got = cs.contact_receive(
            agency=agency, channel=channel, identity=identity, verified=True, at=at,
            subject=subject, body=es if lang == "es" else en, language=lang, topic=topic,
            service=rng.choice(services) if services else None,
            message_id=f"<demo-{rng.getrandbits(48):x}@example.org>" if channel == "email"
            else "", **call)
        case = got.case
        agent = case.assignee or rng.choice(agents)
        # first response: usually within hours, sometimes after the SLA (a breach)
        delay = dt.timedelta(minutes=rng.choice([5, 20, 45, 90, 180, 300, 900, 2000]))
        if channel == "phone":
            delay = dt.timedelta(seconds=call["wait_seconds"] + call["talk_seconds"])
        reply_at = at + delay
        if reply_at < now:
            cs.case_reply(case=case, author=agent, body="Thank you, we are looking into it.",
                          at=reply_at, send=False)
        # extra customer contacts before resolution (not first-contact resolved)
        extra = rng.choices([0, 1, 2], weights=[72, 20, 8])[0]
        t = reply_at
        for _ in range(extra):
            t += dt.timedelta(hours=rng.randint(2, 60))
            if t >= now:
                break
            cs.contact_receive(agency=agency, channel=channel, identity=identity, at=t,
                               case=case, body="Any update?", language=lang)
        resolve_at = t + dt.timedelta(hours=rng.randint(1, 48))
        if resolve_at < now and rng.random() < 0.93:
            cs.case_resolve(case=case, actor=agent, at=resolve_at)
            # re-contact: the same need again within days, often on another channel
            if rng.random() < 0.14:
                back_at = resolve_at + dt.timedelta(days=rng.randint(1, 10))
                if back_at < now:
                    switch = rng.random() < 0.6
                    ch = "phone" if switch and channel != "phone" else channel
                    ident = ("phone", phone) if ch in ("sms", "phone") else ("email", email)
                    back_call: dict[str, Any] = ({"queue_entered_at": back_at, "wait_seconds": 90,
                                  "answered": True, "abandoned": False, "talk_seconds": 300,
                                  "routed_to_agent": True} if ch == "phone" else {})
                    cs.contact_receive(agency=agency, channel=ch, identity=ident, at=back_at,
                                       case=case if ch == channel else None, topic=topic,
                                       subject=subject, body="It is still not fixed.",
                                       language=lang, **back_call)
    return 1
