"""The insight board, opportunities (impact/effort) and research notes (staff pages).

Thin: parse, authorise through selectors (insights.view to read, insights.manage to write),
call services, render. Unknown or foreign ids are 404s; bad input a 400 with a message."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from govcx.core.models import Agency
from govcx.core.selectors import agency_ids_for, services_for
from govcx.core.services import audit_record
from govcx.improve import params
from govcx.improve import selectors as sel
from govcx.improve import services as svc
from govcx.improve.charts import impact_effort_svg
from govcx.improve.models import Insight, ResearchNote
from govcx.improve.services import ImproveError

BOARD_ROWS = 200


def evidence_view(evidence: Any) -> dict[str, Any]:
    """Evidence JSON in a shape templates can show: figures (label, value), quotes, a link
    inside govcx, and anything else as label: value. Tolerant of what producers write."""
    ev = evidence if isinstance(evidence, dict) else {}
    figures: list[tuple[str, str]] = []
    raw = ev.get("figures")
    if isinstance(raw, dict):
        figures = [(str(k), _plain(v)) for k, v in raw.items()]
    elif isinstance(raw, list):
        for f in raw:
            if isinstance(f, dict):
                figures.append((str(f.get("label", "")), _plain(f.get("value", ""))))
    quotes = []
    for q in ev.get("quotes") or []:
        text = q.get("text", "") if isinstance(q, dict) else q
        if str(text).strip():
            quotes.append(str(text))
    url = str(ev.get("url") or "")
    safe_url = url if url.startswith("/") and not url.startswith("//") else ""
    other = [(str(k), _plain(v)) for k, v in ev.items()
             if k not in {"figures", "quotes", "url", "tags", "people"}]
    return {"figures": figures, "quotes": quotes, "url": safe_url, "other": other,
            "tags": [str(t) for t in ev.get("tags") or [] if isinstance(t, str)]}


def _plain(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:,.3g}" if abs(v) < 1 else f"{v:,.1f}"
    if isinstance(v, (dict, list)):
        return json.dumps(v, ensure_ascii=False)[:500]
    return str(v)


def _row(i: Insight) -> dict[str, Any]:
    score = sel.priority_score(i.impact, i.effort)
    return {"insight": i, "score": f"{score:.2f}" if score is not None else "–",
            "quadrant": str(sel.QUADRANTS.get(sel.quadrant(i.impact, i.effort), "")),
            "evidence": evidence_view(i.evidence)}


def _filters(request: HttpRequest) -> tuple[dict[str, Any], list[Any]]:
    services = list(services_for(request.user, "insights.view").order_by("agency__name",
                                                                           "name"))
    flt: dict[str, Any] = {"service": None, "source": "", "status": ""}
    raw = params.text(request.GET, "service", 30).strip()
    if raw:
        flt["service"] = next((s for s in services if str(s.pk) == raw), None)
        if flt["service"] is None:
            raise ImproveError(_("Choose a service from the list."))
    flt["source"] = params.choice(request.GET, "source", Insight.Source.values, _("a source"))
    flt["status"] = params.choice(request.GET, "status", Insight.Status.values, _("a status"))
    return flt, services


@login_required
@require_GET
def board(request: HttpRequest) -> HttpResponse:
    ctx: dict[str, Any] = {"sources": Insight.Source.choices, "statuses": Insight.Status.choices,
                           "error": "", "rows": [], "total": 0,
                           "can_manage": bool(agency_ids_for(request.user, "insights.manage"))}
    try:
        flt, services = _filters(request)
    except ImproveError as exc:
        ctx.update({"error": str(exc), "flt": {}, "services": []})
        return render(request, "improve/board.html", ctx, status=400)
    qs = sel.insights_for(request.user)
    if flt["service"] is not None:
        qs = qs.filter(service=flt["service"])
    if flt["source"]:
        qs = qs.filter(source=flt["source"])
    if flt["status"]:
        qs = qs.filter(status=flt["status"])
    rows = list(qs.order_by("-created_at", "-id")[:BOARD_ROWS])
    ctx.update({"flt": flt, "services": services, "rows": [_row(i) for i in rows],
                "total": qs.count(), "shown": len(rows)})
    return render(request, "improve/board.html", ctx)


@login_required
@require_GET
def opportunities(request: HttpRequest) -> HttpResponse:
    ranked = sel.opportunities_ranked(sel.insights_for(request.user))
    counts = Counter((i.impact or 0, i.effort or 0) for i in ranked)
    labels = {k: str(v) for k, v in sel.QUADRANTS.items()}
    chart = impact_effort_svg(dict(counts), title=_("Opportunities by impact and effort"),
                              x_label=_("Effort (1 small … 5 large)"),
                              y_label=_("Impact (1 low … 5 high)"),
                              quadrant_labels={k: str(v) for k, v in sel.QUADRANT_NAMES.items()})
    by_quadrant = [(labels[q], [r for r in ranked if sel.quadrant(r.impact, r.effort) == q])
                   for q in ("quick_win", "big_bet", "fill_in", "reconsider")]
    return render(request, "improve/opportunities.html", {
        "rows": [_row(i) for i in ranked], "chart": chart, "by_quadrant": by_quadrant,
        "cells": sorted(((imp, eff, n) for (imp, eff), n in counts.items()), reverse=True)})


@login_required
@require_http_methods(["GET", "POST"])
def insight_new(request: HttpRequest) -> HttpResponse:
    """A staff observation: title, summary, service, figures are not needed, quotes optional."""
    manage = agency_ids_for(request.user, "insights.manage")
    if not manage:
        raise Http404("No agency to add insights to.")
    ctx: dict[str, Any] = {
        "agencies": Agency.objects.filter(id__in=manage).order_by("name"),
        "services": services_for(request.user, "insights.manage").order_by("agency__name",
                                                                           "name"),
        "form": request.POST if request.method == "POST" else {}, "error": ""}
    if request.method == "POST":
        try:
            service = params.service(request.POST, "service", request.user, "insights.manage")
            agency = service.agency if service else params.agency(
                request.POST, "agency", request.user, "insights.manage")
            title = " ".join(params.text(request.POST, "title", 1000).split())
            if not title:
                raise ImproveError(_("Give the insight a title."))
            quotes = svc.quotes_parse(params.text(request.POST, "quotes"))
            people = params.count(request.POST, "people", _("People affected"))
            insight = svc.insight_open(
                agency=agency, service=service, source=Insight.Source.STAFF, title=title,
                summary=params.text(request.POST, "summary"), by=params.staff_user(request),
                evidence={"quotes": quotes, **({"people": people} if people is not None
                                                else {})})
        except ImproveError as exc:
            ctx["error"] = str(exc)
            return render(request, "improve/insight_new.html", ctx, status=400)
        audit_record(action="improve.insight.create", request=request, agency=agency,
                     object_type="insight", object_id=insight.pk)
        messages.success(request, _("Insight added to the board."))
        return redirect("improve:insight_detail", insight.pk)
    return render(request, "improve/insight_new.html", ctx)


@login_required
@require_http_methods(["GET", "POST"])
def insight_detail(request: HttpRequest, insight_id: int) -> HttpResponse:
    try:
        insight = sel.insight_get(request.user, insight_id)
    except Insight.DoesNotExist as exc:
        raise Http404("No such insight.") from exc
    can_manage = insight.agency_id in agency_ids_for(request.user, "insights.manage")
    ctx: dict[str, Any] = {"row": _row(insight), "insight": insight, "can_manage": can_manage,
                           "statuses": Insight.Status.choices, "error": "",
                           "actions": list(insight.actions.select_related("owner")
                                           .order_by("due_on", "id"))}
    if request.method == "POST":
        if not can_manage:
            raise Http404("No such insight.")
        try:
            svc.insight_update(
                insight=insight, impact=params.scale(request.POST, "impact", _("Impact")),
                effort=params.scale(request.POST, "effort", _("Effort")),
                status=params.choice(request.POST, "status", Insight.Status.values,
                                     _("a status"), required=True),
                people_affected=params.count(request.POST, "people", _("People affected")),
                by=params.staff_user(request))
        except ImproveError as exc:
            insight.refresh_from_db()
            ctx.update({"error": str(exc), "row": _row(insight)})
            return render(request, "improve/insight_detail.html", ctx, status=400)
        audit_record(action="improve.insight.assess", request=request, agency=insight.agency_id,
                     object_type="insight", object_id=insight.pk,
                     detail={"impact": insight.impact, "effort": insight.effort,
                             "status": insight.status})
        messages.success(request, _("Saved."))
        return redirect("improve:insight_detail", insight.pk)
    return render(request, "improve/insight_detail.html", ctx)


# --- research notes ----------------------------------------------------------------------------

@login_required
@require_GET
def research_list(request: HttpRequest) -> HttpResponse:
    notes = list(sel.research_notes_for(request.user).order_by("-held_on", "-id")[:500])
    tags = sorted({t for n in notes for t in n.tags})
    tag = params.text(request.GET, "tag", 60).strip().lower()
    method = params.text(request.GET, "method", 30).strip()
    ctx: dict[str, Any] = {"tags": tags, "tag": tag, "method": method,
                           "methods": ResearchNote.Method.choices, "error": "",
                           "can_manage": bool(agency_ids_for(request.user, "insights.manage"))}
    if tag and tag not in tags:
        ctx.update({"error": _("No note has the tag '%(tag)s'; choose one from the list.")
                    % {"tag": tag}, "notes": []})
        return render(request, "improve/research_list.html", ctx, status=400)
    if method and method not in ResearchNote.Method.values:
        ctx.update({"error": _("Choose a research method from the list."), "notes": []})
        return render(request, "improve/research_list.html", ctx, status=400)
    ctx["notes"] = [n for n in notes if (not tag or tag in n.tags)
                    and (not method or n.method == method)]
    return render(request, "improve/research_list.html", ctx)


@login_required
@require_http_methods(["GET", "POST"])
def research_new(request: HttpRequest) -> HttpResponse:
    manage = agency_ids_for(request.user, "insights.manage")
    if not manage:
        raise Http404("No agency to add research to.")
    ctx: dict[str, Any] = {
        "agencies": Agency.objects.filter(id__in=manage).order_by("name"),
        "services": services_for(request.user, "insights.manage").order_by("agency__name",
                                                                           "name"),
        "methods": ResearchNote.Method.choices,
        "form": request.POST if request.method == "POST" else {}, "error": ""}
    if request.method == "POST":
        agency: Agency | None = None
        try:
            service = params.service(request.POST, "service", request.user, "insights.manage")
            agency = service.agency if service else params.agency(
                request.POST, "agency", request.user, "insights.manage")
            upload = request.FILES.get("attachment")
            attachment = svc.attachment_check(upload) if upload is not None else None
            note = svc.research_note_create(
                agency=agency, service=service, title=params.text(request.POST, "title", 1000),
                method=params.choice(request.POST, "method", ResearchNote.Method.values,
                                     _("a research method"), required=True),
                held_on=params.date_required(request.POST, "held_on", _("Date")),
                participants=params.count(request.POST, "participants",
                                          _("Participants")) or 0,
                tags=svc.tags_parse(params.text(request.POST, "tags", 2000)),
                summary=params.text(request.POST, "summary"),
                quotes=svc.quotes_parse(params.text(request.POST, "quotes", 100_000)),
                attachment=attachment, by=params.staff_user(request))
        except ImproveError as exc:
            audit_record(action="improve.research.upload", request=request, agency=agency,
                         object_type="research_note", outcome="error",
                         detail={"reason": str(exc)[:300]})
            ctx["error"] = str(exc)
            return render(request, "improve/research_new.html", ctx, status=400)
        audit_record(action="improve.research.upload", request=request, agency=agency,
                     object_type="research_note", object_id=note.pk,
                     detail={"method": note.method, "quotes": len(note.quotes),
                             "attachment": note.attachment_name,
                             "attachment_bytes": note.attachment_size})
        messages.success(request, _("Research note saved; its insight is on the board."))
        return redirect("improve:research_detail", note.pk)
    return render(request, "improve/research_new.html", ctx)


@login_required
@require_GET
def research_detail(request: HttpRequest, note_id: int) -> HttpResponse:
    try:
        note = sel.research_note_get(request.user, note_id)
    except ResearchNote.DoesNotExist as exc:
        audit_record(action="improve.research.view", request=request,
                     object_type="research_note", object_id=note_id, outcome="denied")
        raise Http404("No such research note.") from exc
    # staff-entered notes can hold personal data from interviews: every read is audited
    audit_record(action="improve.research.view", request=request, agency=note.agency_id,
                 object_type="research_note", object_id=note.pk)
    return render(request, "improve/research_detail.html", {
        "note": note, "insight_url": reverse("improve:insight_detail", args=[note.insight_id])
        if note.insight_id else ""})


@login_required
@require_GET
def research_attachment(request: HttpRequest, note_id: int) -> HttpResponse:
    try:
        note = sel.research_note_get(request.user, note_id)
    except ResearchNote.DoesNotExist as exc:
        audit_record(action="improve.research.download", request=request,
                     object_type="research_note", object_id=note_id, outcome="denied")
        raise Http404("No such research note.") from exc
    if not note.attachment_data:
        raise Http404("This note has no attachment.")
    audit_record(action="improve.research.download", request=request, agency=note.agency_id,
                 object_type="research_note", object_id=note.pk,
                 detail={"attachment": note.attachment_name})
    response = HttpResponse(bytes(note.attachment_data),
                            content_type=note.attachment_type or "application/octet-stream")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=note.attachment_name or "attachment") or "attachment"
    response["X-Content-Type-Options"] = "nosniff"
    return response
