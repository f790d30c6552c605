"""Friction points of a service and persona cards (staff pages).

Thin: parse, authorise through selectors (scoped to the user's agencies), call friction.py /
personas.py, render. The friction list names journeys (drill-down keys) and the persona cards
show what people wrote (redacted quotes): both reads are audit events; a refused read is
audited as denied and answered 404.
"""

from __future__ import annotations

from collections import Counter
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from govcx.core.models import Agency, Service
from govcx.core.selectors import agency_ids_for
from govcx.core.services import audit_record, audit_record_per_agency
from govcx.journeys import friction as fr
from govcx.journeys import personas as ps
from govcx.journeys.models import Persona
from govcx.journeys.selectors import FilterError, MapFilter, journey_service_get

MAX_ID = 2**63 - 1
KEYS_SHOWN = 10


def kind_labels() -> dict[str, str]:
    return {
        "bottleneck": _("Slow step"),
        "loop": _("Step done again (rework)"),
        "channel_switch": _("Channel switch"),
        "drop_off": _("Drop-off"),
        "repeat_contact": _("Repeat contact"),
        "low_trust": _("Low trust after a step"),
        "comment": _("In their words"),
    }


# --- friction ----------------------------------------------------------------------------------

def _service_or_404(request: HttpRequest, service_id: int, action: str) -> Service:
    try:
        return journey_service_get(request.user, service_id)
    except Service.DoesNotExist as exc:
        audit_record(action=action, request=request, object_type="service",
                     object_id=service_id, outcome="denied")
        raise Http404("No such service.") from exc


def _friction(request: HttpRequest, service: Service) -> tuple[MapFilter, list[fr.FrictionPoint]]:
    """The filter from the query string and the ranked points; FilterError for a bad filter."""
    flt = MapFilter.parse(request.GET)
    keys: set[str] | None = None
    if flt.persona is not None:
        persona = Persona.objects.filter(pk=flt.persona, agency_id=service.agency_id).first()
        if persona is None:
            raise FilterError(_("Choose a persona from the list."))
        keys = ps.persona_case_keys(persona)
    start, end = flt.bounds()
    log = fr.journey_log(agency_ids=[service.agency_id], service_id=service.pk, start=start,
                         end=end, case_keys=keys)
    return flt, fr.friction_points(log, now=min(end, timezone.now()))


def _drill_query(p: fr.FrictionPoint) -> dict[str, str]:
    """The map's drill-down (journeys.views_map `cases`) that lists a point's journeys."""
    if p.kind == "bottleneck":
        return {"drill": "arc", "a": p.detail["source"], "b": p.detail["target"]}
    if p.kind == "drop_off":
        return {"drill": "end", "a": p.where}
    if p.kind == "channel_switch":
        return {"drill": "step", "a": p.detail["cause"]}
    return {"drill": "step", "a": p.where}


def _row(p: fr.FrictionPoint, service: Service, query: dict[str, str]) -> dict[str, Any]:
    return {
        "key": p.key, "kind": p.kind, "kind_label": kind_labels()[p.kind], "where": p.where,
        "people": p.people, "time_lost": fr.human_duration(p.time_lost_seconds),
        "per_person": fr.human_duration(p.time_lost_per_person_seconds),
        "sentence": p.sentence, "case_keys": p.case_keys[:KEYS_SHOWN],
        "more_keys": max(0, p.people - KEYS_SHOWN) if p.kind != "low_trust" else 0,
        "drill_url": reverse("journeys:cases", args=[service.pk]) + "?" + urlencode(
            {**query, **_drill_query(p)}),
        "action_url": reverse("journeys:friction_action", args=[service.pk, p.key]) + "?"
        + urlencode(query),
    }


def _choices(service: Service) -> list[tuple[int, str]]:
    return list(Persona.objects.filter(agency_id=service.agency_id).order_by("-size", "name")
                .values_list("id", "name"))


@login_required
@require_GET
def friction(request: HttpRequest, service_id: int) -> HttpResponse:
    service = _service_or_404(request, service_id, "journeys.friction.view")
    ctx: dict[str, Any] = {"service": service, "personas": _choices(service),
                           "flt": MapFilter.default(), "rows": [], "error": ""}
    try:
        flt, points = _friction(request, service)
    except FilterError as exc:
        ctx["error"] = str(exc)
        return render(request, "journeys/friction.html", ctx, status=400)
    query = flt.query()
    audit_record(action="journeys.friction.view", request=request, agency=service.agency_id,
                 object_type="service", object_id=service.pk,
                 detail={"start": query["start"], "end": query["end"], "points": len(points),
                         "persona": flt.persona})
    ctx.update({"flt": flt, "rows": [_row(p, service, query) for p in points],
                "map_url": reverse("journeys:map", args=[service.pk]) + "?" + urlencode(query),
                "kinds": kind_labels()})
    return render(request, "journeys/friction.html", ctx)


@login_required
@require_http_methods(["GET", "POST"])
def friction_action(request: HttpRequest, service_id: int, key: str) -> HttpResponse:
    """"Propose an action" for a friction point: GET shows what the insight will say (and
    records nothing); POST (insights.manage) opens the insight through
    improve.services.insight_open (source "friction", one per service and point) and goes on
    to create an action with it as the evidence."""
    from django.contrib.auth.models import User

    from govcx.improve.models import Insight
    from govcx.improve.services import insight_open

    service = _service_or_404(request, service_id, "journeys.friction.action")
    can_manage = service.agency_id in agency_ids_for(request.user, "insights.manage")
    ref = f"friction:{service.pk}:{key}"[:120]
    ctx: dict[str, Any] = {"service": service, "point": None, "error": "",
                           "can_manage": can_manage}
    if request.method == "POST" and not can_manage:
        audit_record(action="journeys.friction.action", request=request,
                     agency=service.agency_id, object_type="service", object_id=service.pk,
                     outcome="denied", detail={"point": key[:80]})
        ctx["error"] = _("You may look at friction points but not open insights or actions; "
                         "ask a CX analyst.")
        return render(request, "journeys/friction_action.html", ctx, status=403)
    try:
        flt, points = _friction(request, service)
    except FilterError as exc:
        ctx["error"] = str(exc)
        return render(request, "journeys/friction_action.html", ctx, status=400)
    point = next((p for p in points if p.key == key), None)
    query = flt.query()
    ctx["back_url"] = reverse("journeys:friction", args=[service.pk]) + "?" + urlencode(query)
    if point is None:
        ctx["error"] = _("This friction point is not in the chosen period any more; go back "
                         "to the list and choose one.")
        return render(request, "journeys/friction_action.html", ctx, status=404)
    title = _("Reduce: %(where)s") % {"where": point.where}
    row = _row(point, service, query)
    if request.method == "POST":
        evidence = {
            "figures": [{"label": _("Kind of friction"), "value": str(row["kind_label"])},
                        {"label": _("Journeys affected"), "value": point.people},
                        {"label": _("Time lost in all"), "value": row["time_lost"]},
                        {"label": _("Time lost per person"), "value": row["per_person"]},
                        {"label": _("Period"), "value": f"{query['start']} – {query['end']}"}],
            "quotes": [], "people": point.people,
            "url": reverse("journeys:friction", args=[service.pk]) + "?" + urlencode(query),
        }
        insight = insight_open(agency=service.agency, service=service,
                               source=Insight.Source.FRICTION, source_ref=ref, title=title,
                               summary=point.sentence, evidence=evidence,
                               by=request.user if isinstance(request.user, User) else None)
        audit_record(action="journeys.friction.action", request=request,
                     agency=service.agency_id, object_type="insight", object_id=insight.pk,
                     detail={"point": key, "start": query["start"], "end": query["end"]})
        messages.success(request, _("The friction point is on the insight board. Describe "
                                    "the action, choose its owner and due date."))
        return redirect(reverse("improve:action_new") + "?" + urlencode({"insight": insight.pk}))
    audit_record(action="journeys.friction.view", request=request, agency=service.agency_id,
                 object_type="service", object_id=service.pk,
                 detail={"point": key, "start": query["start"], "end": query["end"]})
    existing = (Insight.objects.filter(agency_id=service.agency_id,
                                       source=Insight.Source.FRICTION, source_ref=ref)
                .exclude(status=Insight.Status.DISMISSED).first())
    ctx.update({"point": row, "flt": flt, "title": title, "existing": existing})
    return render(request, "journeys/friction_action.html", ctx)


# --- personas ----------------------------------------------------------------------------------

def _language_name(code: str) -> str:
    try:
        return str(translation.get_language_info(code)["name_translated"])
    except KeyError:
        return code


def _channel_name(code: str) -> str:
    labels = dict(Service.Channel.choices)
    return str(labels[code]) if code in labels else code.replace("_", " ")


def trait_text(t: dict[str, Any]) -> str:
    """A defining trait in words, in the page's language (personas.trait_words in English)."""
    kind, code = t.get("kind", ""), t.get("code", "")
    value, avg = float(t.get("value", 0.0)), float(t.get("average", 0.0))
    pct = {"value": round(value * 100), "average": round(avg * 100)}
    if kind == "channel":
        return _("%(channel)s for %(value)s%% of their steps (everyone: %(average)s%%)") % {
            "channel": _channel_name(code), **pct}
    if kind == "language":
        return _("%(value)s%% prefer %(language)s (everyone: %(average)s%%)") % {
            "language": _language_name(code), **pct}
    if kind == "contacts":
        return _("%(value)s contacts per journey (everyone: %(average)s)") % {
            "value": f"{value:.1f}", "average": f"{avg:.1f}"}
    if kind == "services":
        return _("%(value)s services used (everyone: %(average)s)") % {
            "value": f"{value:.1f}", "average": f"{avg:.1f}"}
    if kind == "trust":
        return _("%(value)s%% of survey answers trust the agency (everyone: %(average)s%%)") \
            % pct
    return _("%(value)s%% of journeys stop short of an outcome (everyone: %(average)s%%)") % pct


def _card(p: Persona, total: int) -> dict[str, Any]:
    traits = p.traits or {}
    trust = traits.get("trust")
    labels = kind_labels()
    return {
        "persona": p, "share": round(p.size * 100 / total) if total else 0,
        "traits": [trait_text(t) for t in traits.get("defining", [])],
        "channels": [{"name": _channel_name(c["channel"]), "pct": round(c["share"] * 100)}
                     for c in traits.get("channels", []) if c.get("share", 0) >= 0.01],
        "trust": ({"pct": round(trust["share"] * 100), "average": round(trust["average"] * 100),
                   "answers": trust.get("answers", 0)} if trust else None),
        "pain_points": [{"kind": labels.get(pp.get("kind", ""), pp.get("kind", "")),
                         "where": pp.get("where", ""), "people": pp.get("people", 0),
                         "time_lost": fr.human_duration(pp.get("time_lost_seconds", 0.0)),
                         "quote": pp.get("quote", "")}
                        for pp in p.pain_points or []],
        "top_activities": traits.get("top_activities", []),
    }


def _state(state: ps.RunState | None) -> dict[str, Any] | None:
    if state is None:
        return None
    text = {"READY": _("A new run is waiting to start."),
            "RUNNING": _("A new run is grouping people now."),
            "FAILED": _("The last run failed (%(reason)s).") % {"reason": state.message},
            "SUCCESSFUL": state.message}.get(state.status, state.status)
    return {"status": state.status, "pending": state.status in ("READY", "RUNNING"),
            "text": text}


@login_required
@require_GET
def personas(request: HttpRequest) -> HttpResponse:
    view_ids = agency_ids_for(request.user, "journeys.view")
    manage_ids = agency_ids_for(request.user, "journeys.manage")
    found = list(ps.personas_for(request.user).order_by("agency__name", "-size", "name"))
    states = ps.persona_run_states(view_ids)
    blocks = []
    for agency in Agency.objects.filter(id__in=view_ids).order_by("name"):
        mine = [p for p in found if p.agency_id == agency.pk]
        total = sum(p.size for p in mine)
        run = mine[0].run if mine else None
        blocks.append({"agency": agency, "run": run, "cards": [_card(p, total) for p in mine],
                       "can_manage": agency.pk in manage_ids,
                       "state": _state(states.get(agency.pk))})
    audit_record_per_agency(rows_by_agency=dict(Counter(p.agency_id for p in found)),
                            action="journeys.personas.view", request=request,
                            object_type="persona")
    return render(request, "journeys/personas.html", {
        "blocks": blocks, "pending": any(s.status in ("READY", "RUNNING")
                                         for s in states.values()),
    })


@login_required
@require_GET
def personas_status(request: HttpRequest) -> JsonResponse:
    states = ps.persona_run_states(agency_ids_for(request.user, "journeys.view"))
    out = {str(aid): _state(s) for aid, s in states.items()}
    response = JsonResponse({"agencies": out,
                             "pending": any(s and s["pending"] for s in out.values())})
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def personas_run(request: HttpRequest) -> HttpResponse:
    raw = str(request.POST.get("agency", "")).strip()
    agency_id = int(raw) if raw.isdigit() and 0 < int(raw) <= MAX_ID else None
    if agency_id is None or agency_id not in agency_ids_for(request.user, "journeys.manage"):
        audit_record(action="journeys.personas.run", request=request, object_type="agency",
                     object_id=raw[:20], outcome="denied")
        raise Http404("No such agency.")
    agency = Agency.objects.get(pk=agency_id)
    ps.personas_build_enqueue(agency=agency)
    audit_record(action="journeys.personas.run", request=request, agency=agency,
                 object_type="agency", object_id=agency.pk)
    messages.success(request, _("Personas for %(agency)s will be rebuilt in the background; "
                                "this page shows when it is done.") % {"agency": agency.name})
    return redirect("journeys:personas")


@login_required
@require_http_methods(["GET", "POST"])
def persona_edit(request: HttpRequest, persona_id: int) -> HttpResponse:
    try:
        persona = ps.persona_get(request.user, persona_id, "journeys.manage")
    except Persona.DoesNotExist as exc:
        audit_record(action="journeys.persona.edit", request=request, object_type="persona",
                     object_id=persona_id, outcome="denied")
        raise Http404("No such persona.") from exc
    ctx: dict[str, Any] = {"persona": persona, "name": persona.name,
                           "description": persona.description, "error": ""}
    if request.method == "POST":
        name = str(request.POST.get("name", ""))[:1000]
        description = str(request.POST.get("description", ""))[:10_000]
        try:
            ps.persona_update(persona=persona, name=name, description=description)
        except ps.PersonaError as exc:
            ctx.update({"name": name, "description": description, "error": str(exc)})
            return render(request, "journeys/personas_edit.html", ctx, status=400)
        audit_record(action="journeys.persona.edit", request=request, agency=persona.agency_id,
                     object_type="persona", object_id=persona.pk)
        messages.success(request, _("Saved. The name is kept when personas are rebuilt."))
        return redirect("journeys:personas")
    return render(request, "journeys/personas_edit.html", ctx)
