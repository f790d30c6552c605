"""Contact-centre metrics pages: figures by a dimension (from the rollups), drill-down to the
cases behind a number (from raw rows), and a CSV export one row per case. Definitions:
docs/metrics.md."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from govcx.contact import metrics as m
from govcx.contact.metrics_rollups import report_rollups, state_rollups
from govcx.contact.models import Case, Channel, Queue
from govcx.core.models import Service
from govcx.core.selectors import agency_ids_for
from govcx.core.services import audit_record_per_agency
from govcx.feedback.exports import csv_lines
from govcx.feedback.schema import no_nul

MAX_ID = 2**63 - 1
DRILL_LIMIT = 1000
LABELS: dict[str, Any] = {
    "cases": gettext_lazy("Cases opened"),
    "resolved": gettext_lazy("Resolved"),
    "fcr": gettext_lazy("First-contact resolution"),
    "repeat_contact_rate": gettext_lazy("Repeat-contact rate"),
    "reopen_rate": gettext_lazy("Reopen rate"),
    "first_response_hours": gettext_lazy("First response (hours, average)"),
    "resolution_hours": gettext_lazy("Resolution (calendar hours, average)"),
    "resolution_business_hours": gettext_lazy("Resolution (business hours, average)"),
    "offered": gettext_lazy("Calls offered"),
    "abandonment_rate": gettext_lazy("Abandonment rate"),
    "average_speed_of_answer": gettext_lazy("Average speed of answer (seconds)"),
    "service_level": gettext_lazy("Service level"),
    "level_of_service": gettext_lazy("Level of service (answered by agents ÷ routed)"),
    "handle_minutes": gettext_lazy("Phone handle time (talk + hold, minutes, average)"),
}
DIMENSION_LABELS: dict[str, Any] = {
    "channel": gettext_lazy("Channel"), "queue": gettext_lazy("Queue"),
    "agent": gettext_lazy("Agent"), "topic": gettext_lazy("Topic"),
    "service": gettext_lazy("Service"), "day": gettext_lazy("Day"),
    "week": gettext_lazy("Week (from Monday)"), "month": gettext_lazy("Month"),
}


class BadInput(ValueError):
    """A query-string value that cannot be used; the message says which and why."""


def _date(raw: str | None, name: str) -> dt.date | None:
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(no_nul(raw).strip())
    except ValueError:
        raise BadInput(_("The %(name)s date must be in the form YYYY-MM-DD.") % {"name": name}
                       ) from None


def _id(raw: str | None, name: str) -> int | None:
    if raw is None or raw == "":
        return None
    if not raw.isdigit() or int(raw) > MAX_ID:
        raise BadInput(_("The %(name)s must be chosen from the list.") % {"name": name})
    return int(raw)


def filter_from_request(request: HttpRequest, capability: str) -> m.MetricFilter:
    g = request.GET
    channel = no_nul(g.get("channel", "")).strip() or None
    if channel is not None and channel not in Channel.values:
        raise BadInput(_("Unknown channel."))
    topic_raw = g.get("topic")
    topic = None
    if topic_raw:
        topic = "" if topic_raw == m.NO_TOPIC else no_nul(topic_raw).strip()[:80]
    start, end = _date(g.get("start"), _("start")), _date(g.get("end"), _("end"))
    if start and end and end < start:
        raise BadInput(_("The end date is before the start date."))
    return m.MetricFilter(
        agency_ids=frozenset(agency_ids_for(request.user, capability)), start=start, end=end,
        channel=channel, queue=_id(g.get("queue"), _("queue")),
        agent=_id(g.get("agent"), _("agent")), topic=topic,
        service=_id(g.get("service"), _("service")))


def _dimension(request: HttpRequest) -> str | None:
    by = request.GET.get("by", "channel") or None
    if by is not None and by not in m.DIMENSIONS:
        raise BadInput(_("Unknown dimension: choose channel, queue, agent, topic, service, "
                         "day, week or month."))
    return by


def _bad(request: HttpRequest, exc: BadInput) -> HttpResponse:
    return render(request, "contact/metrics_error.html", {"error": str(exc)}, status=400)


def _forbidden(request: HttpRequest) -> HttpResponse:
    return render(request, "contact/metrics_error.html",
                  {"error": _("Your role does not allow you to see these figures.")},
                  status=403)


def _choices(agency_ids: frozenset[int]) -> dict[str, Any]:
    user_model = get_user_model()
    return {
        "queues": list(Queue.objects.filter(agency_id__in=agency_ids).order_by("name")),
        "services": list(Service.objects.filter(agency_id__in=agency_ids).order_by("name")),
        "agents": list(user_model.objects.filter(
            memberships__agency_id__in=agency_ids).distinct().order_by("username")),
        "channels": Channel.choices,
    }


def _group_label(dimension: str | None, group: Any, names: dict[str, dict[int, str]]) -> str:
    if dimension in ("queue", "agent", "service"):
        return names[dimension].get(group, "") or str(_("(none)"))
    if dimension == "topic":
        return group or str(_("(no topic)"))
    if dimension == "channel":
        return str(Channel(group).label) if group in Channel.values else str(group)
    if dimension in ("day", "week"):
        return group.isoformat()
    if dimension == "month":
        return group.strftime("%Y-%m")
    return str(_("All"))


def _names(agency_ids: frozenset[int]) -> dict[str, dict[int, str]]:
    user_model = get_user_model()
    return {
        "queue": dict(Queue.objects.filter(agency_id__in=agency_ids).values_list("id", "name")),
        "service": dict(Service.objects.filter(agency_id__in=agency_ids)
                        .values_list("id", "name")),
        "agent": dict(user_model.objects.filter(memberships__agency_id__in=agency_ids)
                      .values_list("id", "username")),
    }


def _base_query(request: HttpRequest) -> dict[str, str]:
    keep = ("start", "end", "channel", "queue", "agent", "topic", "service")
    return {k: no_nul(request.GET[k]) for k in keep if request.GET.get(k)}


@require_GET
@login_required
def metrics(request: HttpRequest) -> HttpResponse:
    try:
        f = filter_from_request(request, "cases.view")
        dimension = _dimension(request)
    except BadInput as exc:
        return _bad(request, exc)
    if not f.agency_ids:
        return _forbidden(request)
    report = report_rollups(f, dimension)
    names = _names(f.agency_ids)
    base = _base_query(request)
    rows = []
    for group in sorted(report.figures, key=lambda g: (str(type(g)), str(g))):
        figs = report.figures[group]
        cells = []
        for name in m.MEASURES:
            q = {**base, "measure": name, "by": dimension or "", "group": str(group)}
            cells.append({"measure": name, "figure": figs[name],
                          "href": "?" + urlencode(q) if figs[name].value is not None else ""})
        rows.append({"label": _group_label(dimension, group, names), "cells": cells})
    backlog, reported = state_rollups(f)
    context = {
        "rows": rows, "measures": [(n, LABELS[n]) for n in m.MEASURES],
        "dimension": dimension, "dimensions": list(DIMENSION_LABELS.items()),
        "f": f, "base": urlencode(base), "backlog": backlog, "reported_fcr": reported,
        "window_days": m.fcr_window().days, "sl_seconds": m.service_level_seconds(),
        "sl_target": round(m.service_level_target() * 100), "no_topic": m.NO_TOPIC,
        "can_export": bool(agency_ids_for(request.user, "cases.export")),
        **_choices(f.agency_ids),
    }
    return render(request, "contact/metrics.html", context)


@require_GET
@login_required
def metrics_cases(request: HttpRequest) -> HttpResponse:
    """The cases behind one number of the metrics page."""
    try:
        f = filter_from_request(request, "cases.view")
        measure = request.GET.get("measure", "")
        if measure not in m.MEASURES and measure != "backlog":
            raise BadInput(_("Unknown measure."))
        dimension = request.GET.get("by") or None
        if dimension is not None and dimension not in m.DIMENSIONS:
            raise BadInput(_("Unknown dimension."))
        group = no_nul(request.GET.get("group", "")) or None
    except BadInput as exc:
        return _bad(request, exc)
    if not f.agency_ids:
        return _forbidden(request)
    num: list[int]
    den: list[int]
    if measure == "backlog":
        num, den = [], list(m.backlog_cases(f).values_list("id", flat=True)[:DRILL_LIMIT + 1])
    else:
        num, den = m.case_ids_behind(f, measure, dimension=dimension, group=group)
    counted = set(num)
    shown = den[:DRILL_LIMIT]
    cases = {c.pk: c for c in Case.objects.filter(pk__in=shown, agency_id__in=f.agency_ids)
             .select_related("queue", "assignee")}
    listed = [cases[pk] for pk in shown if pk in cases]
    rows = [{"case": c, "counted": c.pk in counted} for c in listed]
    audit_record_per_agency(
        rows_by_agency=dict(Counter(c.agency_id for c in listed)),
        action="cases.metrics.view", request=request, object_type="case",
        detail={"measure": measure, "by": dimension or "", "group": group or ""})
    label = LABELS.get(measure, _("Backlog"))
    return render(request, "contact/metrics_cases.html", {
        "rows": rows, "label": label, "measure": measure, "numerator": len(num),
        "denominator": len(den), "truncated": len(den) > DRILL_LIMIT, "limit": DRILL_LIMIT,
        "base": urlencode(_base_query(request)), "group": group})


EXPORT_COLUMNS = ["case_id", "opened", "channel", "queue", "agent", "topic", "service",
                  "status", "customer_contacts", "fcr", "reopened", "recontacted",
                  "first_response_seconds", "resolution_seconds",
                  "resolution_business_seconds"]


def _export_rows(f: m.MetricFilter) -> Iterator[list[Any]]:
    names = _names(f.agency_ids)
    yield EXPORT_COLUMNS

    def yn(v: bool) -> str:
        return "yes" if v else "no"

    for x in m.case_facts(m.cases_filtered(f).order_by("opened_at", "id")):
        yield [x.case_id, timezone.localtime(x.opened_at).isoformat(), x.channel,
               names["queue"].get(x.queue, ""), names["agent"].get(x.agent, ""), x.topic,
               names["service"].get(x.service, ""), x.status, x.customer_contacts,
               yn(x.fcr_yes) if x.fcr_eligible else "", yn(x.reopened), yn(x.recontacted),
               x.first_response_seconds, x.resolution_seconds,
               x.resolution_business_seconds]


@require_GET
@login_required
def metrics_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    try:
        f = filter_from_request(request, "cases.export")
    except BadInput as exc:
        return _bad(request, exc)
    if not f.agency_ids:
        return _forbidden(request)
    per_agency = dict(m.cases_filtered(f).order_by().values_list("agency_id")
                      .annotate(n=Count("id")).values_list("agency_id", "n"))
    audit_record_per_agency(rows_by_agency=per_agency, action="cases.export", request=request,
                            object_type="case", detail={"filter": _base_query(request)})
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    out = StreamingHttpResponse(csv_lines(_export_rows(f)), content_type="text/csv; charset=utf-8")
    out["Content-Disposition"] = f'attachment; filename="cases-{stamp}.csv"'
    return out
