"""The service dashboard: trust with confidence intervals, drivers, trends, comparisons."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from govcx.core.models import Service
from govcx.core.selectors import agency_ids_for, services_for
from govcx.feedback.models import Touchpoint
from govcx.metrics.charts import line_chart_svg
from govcx.metrics.selectors import dashboard_figures, period_clean


def _date(raw: str | None) -> tuple[dt.date | None, str | None]:
    if not raw:
        return None, None
    try:
        return dt.date.fromisoformat(raw), None
    except ValueError:
        return None, f"'{raw}' is not a date (use YYYY-MM-DD); showing the default period."


@login_required
def dashboard(request: HttpRequest, service_id: int) -> HttpResponse:
    try:
        service = services_for(request.user).get(id=service_id)
    except Service.DoesNotExist as exc:
        raise Http404("No such service.") from exc
    end_raw, e1 = _date(request.GET.get("end"))
    start_raw, e2 = _date(request.GET.get("start"))
    start, end, problems = period_clean(start_raw, end_raw, timezone.localdate())
    problems = [e for e in (e1, e2) if e] + problems
    channel = request.GET.get("channel", "")
    if channel and channel not in Service.Channel.values:
        problems.append("That channel is not known; showing all channels.")
        channel = ""
    figs = dashboard_figures(agency_ids=agency_ids_for(request.user), service_id=service.pk,
                             start=start, end=end, channel=channel)
    names = dict(Touchpoint.objects.filter(service=service).values_list("id", "name"))
    monthly = figs["monthly"]
    chart = line_chart_svg(
        [(p.strftime("%b %Y"), f.trust_share, f.trust_ci) for p, f in monthly],
        title="Trust by month (share positive, with 95% confidence interval)",
    )
    return render(request, "metrics/dashboard.html", {
        "service": service, "start": start, "end": end, "channel": channel, "problems": problems,
        "total": figs["total"], "monthly": monthly, "weekly": figs["weekly"],
        "by_channel": figs["by_channel"],
        "by_touchpoint": [(names.get(t, f"#{t}"), f) for t, f in figs["by_touchpoint"]],
        "chart": chart, "channels": service.channels,
    })
