"""Demo insights, research notes, actions (some done, with public "you said, we did" text in
English and Spanish) and two CX maturity assessments per demo agency. Idempotent: an agency
that already has research notes is left as it is. Everything goes through services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone

from govcx.core.models import Agency, Membership, Role, Service
from govcx.improve import maturity
from govcx.improve import services as svc
from govcx.improve.models import Action, Insight, ResearchNote

DEMO_SLUGS = ("benefits", "tax")

NOTES: dict[str, list[dict[str, Any]]] = {
    "benefits": [
        {"service": "apply", "title": "Applicants lose work when the form times out",
         "method": "usability_test", "days_ago": 200, "participants": 8,
         "tags": ["online form", "time-outs", "documents"],
         "summary": "Five of eight participants were signed out while finding their medical "
                    "records and had to start again.",
         "quotes": ["I had everything typed and it just threw me out.",
                    "I didn't know it would need my doctor's address."]},
        {"service": "apply", "title": "Spanish speakers call because letters are English-only",
         "method": "interview", "days_ago": 170, "participants": 12,
         "tags": ["spanish", "letters", "phone"],
         "summary": "Spanish-speaking applicants call the claims line to have decision letters "
                    "read to them.",
         "quotes": ["Mi hija me lee las cartas.", "I called three times to understand one "
                                                   "letter."]},
        {"service": "appeals", "title": "People don't know where their appeal stands",
         "method": "focus_group", "days_ago": 120, "participants": 9,
         "tags": ["status", "appeals"],
         "summary": "Participants wanted a status they can check without calling.",
         "quotes": ["Months of silence, then a hearing date by mail."]},
    ],
    "tax": [
        {"service": "payments", "title": "Payment plan terms are hard to compare",
         "method": "usability_test", "days_ago": 190, "participants": 6,
         "tags": ["payment plans", "plain language"],
         "summary": "Participants could not tell the total cost of the short and long plans.",
         "quotes": ["Which one costs me less in the end?"]},
        {"service": "notices", "title": "Notices are answered by phone, not online",
         "method": "survey", "days_ago": 140, "participants": 420,
         "tags": ["notices", "phone", "online"],
         "summary": "Most people who got a notice did not know they could answer it online.",
         "quotes": ["There was no link on the letter."]},
    ],
}

ACTIONS: dict[str, list[dict[str, Any]]] = {
    "benefits": [
        {"note": 0, "title": "Save the application as people go, and warn before time-out",
         "kpi": "trust", "started": 150, "done": 100, "items": ["a11.design", "cxpa.design"],
         "public_title": ("The application no longer loses your answers",
                          "La solicitud ya no pierde sus respuestas"),
         "you_said": ("The online application timed out and you lost your answers.",
                      "La solicitud en línea se cerraba y usted perdía sus respuestas."),
         "we_did": ("The form now saves every answer as you go and warns you before it signs "
                    "you out.",
                    "El formulario ahora guarda cada respuesta y le avisa antes de cerrar la "
                    "sesión.")},
        {"note": 1, "title": "Send decision letters in Spanish",
         "kpi": "trust", "started": 130, "done": 60, "items": ["a11.research", "cxpa.voc"],
         "public_title": ("Decision letters in Spanish", "Cartas de decisión en español"),
         "you_said": ("Decision letters were only in English.",
                      "Las cartas de decisión estaban solo en inglés."),
         "we_did": ("You can now choose to get your decision letter in Spanish.",
                    "Ahora puede recibir su carta de decisión en español.")},
        {"note": 2, "title": "Show appeal status online", "kpi": "", "started": 30,
         "done": None, "items": ["a11.measurement", "cxpa.adoption"]},
    ],
    "tax": [
        {"note": 0, "title": "Show the total cost of each payment plan side by side",
         "kpi": "trust", "started": 160, "done": 95, "items": ["cxpa.design"],
         "public_title": ("Payment plans you can compare",
                          "Planes de pago que puede comparar"),
         "you_said": ("It was hard to compare payment plans.",
                      "Era difícil comparar los planes de pago."),
         "we_did": ("Each plan now shows what you pay in all, side by side.",
                    "Cada plan ahora muestra el total a pagar, uno al lado del otro.")},
        {"note": 1, "title": "Print a link to answer online on every notice", "kpi": "",
         "started": None, "done": None, "items": ["a11.design"]},
    ],
}

SCORES = {  # (first assessment, second assessment) per item
    "a11.measurement": (2, 3), "a11.governance": (2, 2), "a11.culture": (1, 2),
    "a11.research": (2, 3), "a11.design": (1, 2), "cxpa.culture": (2, 2),
    "cxpa.voc": (2, 3), "cxpa.adoption": (1, 3), "cxpa.strategy": (2, 2),
    "cxpa.design": (1, 2), "cxpa.metrics": (2, 3),
}


def _staff(agency: Agency, roles: Iterable[str]) -> User | None:
    m = (Membership.objects.filter(agency=agency, role__in=list(roles))
         .select_related("user").order_by("id").first())
    return m.user if m else None


def _day(days_ago: int | None, today: dt.date) -> dt.date | None:
    return today - dt.timedelta(days=days_ago) if days_ago is not None else None


def improve_demo_seed(*, agencies: Iterable[Agency] | None = None,
                      today: dt.date | None = None) -> dict[str, int]:
    """Seed the demo agencies (slugs "benefits" and "tax" unless given); returns counts."""
    today = today or timezone.localdate()
    chosen = list(agencies) if agencies is not None else list(
        Agency.objects.filter(slug__in=DEMO_SLUGS))
    made = {"insights": 0, "research_notes": 0, "actions": 0, "assessments": 0}
    for agency in chosen:
        key = next((k for k in NOTES if agency.slug.startswith(k)), None)
        if key is None or ResearchNote.objects.filter(agency=agency).exists():
            continue
        lead = _staff(agency, [Role.CX_ANALYST, Role.ADMINISTRATOR])
        owner = _staff(agency, [Role.PERFORMANCE_MANAGER, Role.CX_ANALYST,
                                Role.ADMINISTRATOR]) or lead
        services = {s.slug: s for s in Service.objects.filter(agency=agency)}
        notes = []
        for spec in NOTES[key]:
            held = _day(spec["days_ago"], today)
            assert held is not None
            note = svc.research_note_create(
                agency=agency, service=services.get(spec["service"]), title=spec["title"],
                method=spec["method"], held_on=held, participants=spec["participants"],
                tags=spec["tags"], summary=spec["summary"], quotes=spec["quotes"], by=lead)
            notes.append(note)
            made["research_notes"] += 1
            made["insights"] += 1
        for n, note in enumerate(notes):
            if note.insight is not None:
                svc.insight_update(insight=note.insight, impact=5 - n % 3, effort=2 + n % 3,
                                   status=Insight.Status.OPPORTUNITY,
                                   people_affected=note.participants, by=lead)
        observation = svc.insight_open(agency=agency, source=Insight.Source.STAFF, by=lead,
                         title="Front-desk staff see the same questions about documents",
                         summary="Counter staff report that most visits are about which "
                                 "documents to bring.",
                         evidence={"figures": [{"label": "visits about documents (staff "
                                                         "tally, one week)", "value": 140}],
                                   "people": 140})
        svc.insight_update(insight=observation, impact=4, effort=2, people_affected=140,
                           status=Insight.Status.OPPORTUNITY, by=lead)
        made["insights"] += 1
        for spec in ACTIONS[key]:
            note = notes[spec["note"]]
            kpis = svc.kpi_keys()
            action = svc.action_create(
                agency=agency, title=spec["title"], insights=[note.insight] if note.insight
                else [], owner=owner, due_on=today + dt.timedelta(days=45),
                target_kpi=spec["kpi"] if spec["kpi"] in kpis else "",
                maturity_items=spec["items"], by=lead)
            action = svc.action_status_set(action=action, status=Action.Status.PLANNED,
                                           by=lead, on=_day(spec["started"], today))
            started, done = _day(spec["started"], today), _day(spec["done"], today)
            if started is not None:
                svc.action_status_set(action=action, status=Action.Status.IN_PROGRESS,
                                      on=started, by=lead)
            if done is not None:
                svc.action_status_set(action=action, status=Action.Status.DONE, on=done,
                                      by=lead)
                action.refresh_from_db()
                svc.action_update(
                    action=action, title=action.title, owner=action.owner,
                    due_on=done, service=action.service, target_kpi=action.target_kpi,
                    maturity_items=spec["items"], public_title_en=spec["public_title"][0],
                    public_title_es=spec["public_title"][1], you_said_en=spec["you_said"][0],
                    you_said_es=spec["you_said"][1], we_did_en=spec["we_did"][0],
                    we_did_es=spec["we_did"][1], by=lead)
                svc.action_public_set(action=action, public=True, by=lead)
            made["actions"] += 1
        for k, days_ago in enumerate((330, 30)):
            held = _day(days_ago, today)
            assert held is not None
            svc.maturity_assessment_record(
                agency=agency, assessed_on=held, assessor=lead,
                scores={code: (SCORES[code][k], "") for code in maturity.ITEM_BY_CODE},
                note="Yearly A-11 capacity self-assessment." if k else "Baseline.")
            made["assessments"] += 1
    return made
