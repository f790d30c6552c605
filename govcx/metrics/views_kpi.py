"""KPI pages (agency overview, one service's KPIs) and a service's targets."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from govcx.core.models import Agency, Service
from govcx.core.params import id_param
from govcx.core.selectors import agency_ids_for, service_get
from govcx.metrics import kpi as K
from govcx.metrics.models import Target
from govcx.metrics.selectors import period_clean
from govcx.metrics.services import TargetError, target_create, target_delete, target_update


def _date(raw: str | None, problems: list[str]) -> dt.date | None:
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        problems.append(_("'%(raw)s' is not a date (use YYYY-MM-DD); the default period was "
                          "used.") % {"raw": raw[:40]})
        return None


def _period(request: HttpRequest) -> tuple[dt.date, dt.date, list[str]]:
    """The page's period (default: the last 90 days), with notes on what was corrected."""
    problems: list[str] = []
    end = _date(request.GET.get("end"), problems)
    start = _date(request.GET.get("start"), problems)
    start, end, more = period_clean(start, end, timezone.localdate(), default_days=89)
    return start, end, problems + more


def _service(request: HttpRequest, service_id: int, capability: str = "dashboard.view"
             ) -> Service:
    try:
        return service_get(request.user, service_id, capability)
    except Service.DoesNotExist as exc:
        raise Http404(_("No such service.")) from exc


def _min_n() -> int:
    return int(getattr(settings, "KPI_BENCHMARK_MIN_N", 11))


# --- charts ---------------------------------------------------------------------------------

def kpi_chart_svg(points: list[tuple[str, float | None, tuple[float, float] | None]], *,
                  title: str, unit: str, chart_id: str = "kpi-chart", width: int = 720,
                  height: int = 240) -> SafeString:
    """A KPI over time with its 95% CI band, on an axis fitted to the values (labels
    escaped). The page shows the same numbers in a table."""
    vals = [p[1] for p in points if p[1] is not None]
    vals += [x for p in points if p[2] is not None for x in p[2]]
    lo, hi = (min(vals), max(vals)) if vals else (0.0, 1.0)
    if unit == "%":
        lo, hi = 0.0, 100.0
    if hi == lo:
        lo, hi = lo - 1, hi + 1
    pad_l, pad_b, pad_t = 56, 40, 10
    w, h = width - pad_l - 10, height - pad_b - pad_t
    n = max(len(points), 1)
    xs = [pad_l + (w * i / max(n - 1, 1)) for i in range(n)]

    def y(v: float) -> float:
        return pad_t + h * (1 - (v - lo) / (hi - lo))

    parts = [f'<svg role="img" aria-labelledby="{chart_id}-title" viewBox="0 0 {width} '
             f'{height}" xmlns="http://www.w3.org/2000/svg"><title id="{chart_id}-title">'
             f'{escape(title)}</title>']
    for i in range(5):
        g = lo + (hi - lo) * i / 4
        parts.append(f'<line x1="{pad_l}" x2="{pad_l + w}" y1="{y(g):.1f}" y2="{y(g):.1f}" '
                     f'stroke="#dfe1e2"/><text x="2" y="{y(g) + 4:.1f}" font-size="11" '
                     f'fill="#1b1b1b">{escape(f"{g:.4g}")}</text>')
    bands = [(x, p[2]) for x, p in zip(xs, points, strict=False) if p[2] is not None]
    band_hi = [f"{x:.1f},{y(c[1]):.1f}" for x, c in bands]
    band_lo = [f"{x:.1f},{y(c[0]):.1f}" for x, c in bands]
    if band_hi:
        parts.append(f'<polygon points="{" ".join(band_hi + band_lo[::-1])}" fill="#73b3e7" '
                     'fill-opacity="0.35"/>')
    line = [f"{x:.1f},{y(p[1]):.1f}" for x, p in zip(xs, points, strict=False)
            if p[1] is not None]
    if line:
        parts.append(f'<polyline points="{" ".join(line)}" fill="none" stroke="#005ea2" '
                     'stroke-width="2.5"/>')
    step = max(1, n // 9)
    for i, p in enumerate(points):
        if i % step == 0:
            parts.append(f'<text x="{xs[i]:.1f}" y="{height - 12}" font-size="11" '
                         f'text-anchor="middle" fill="#1b1b1b">{escape(p[0])}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every text above is escaped


# --- the agency overview --------------------------------------------------------------------

def _current_targets(service_ids: list[int], on: dt.date) -> dict[tuple[int, str], Target]:
    """Per (service, KPI): the target whose period contains `on` (the latest starting)."""
    out: dict[tuple[int, str], Target] = {}
    for t in Target.objects.filter(service_id__in=service_ids, start__lte=on, end__gte=on
                                   ).order_by("start", "id"):
        out[(t.service_id, t.kpi)] = t
    return out


@login_required
def kpi_overview(request: HttpRequest) -> HttpResponse:
    agency_ids = agency_ids_for(request.user)
    start, end, problems = _period(request)
    today = timezone.localdate()
    services = list(Service.objects.filter(agency_id__in=agency_ids).select_related("agency")
                    .order_by("agency__name", "name"))
    keys = list(K.MAIN)
    values = K.kpi_values_by_service(start=start, end=end, keys=keys, agency_ids=agency_ids)
    targets = _current_targets([s.pk for s in services], min(end, today))
    statuses = K.target_statuses(targets.values(), today=today)
    rows = []
    for s in services:
        cells = []
        for k in keys:
            v = values.get(s.pk, {}).get(k) or K.KpiValue(k, None)
            t = targets.get((s.pk, k))
            st = statuses.get(t.pk) if t is not None else None
            cells.append({"key": k, "text": K.format_value(k, v.value), "n": v.n, "target": t,
                          "target_text": K.format_value(k, t.value) if t else "",
                          "status": st})
        rows.append({"service": s, "cells": cells})
    agencies = []
    for a in Agency.objects.filter(id__in=agency_ids).order_by("name"):
        c = K.kpi_values(agency_ids={a.pk}, service_id=None, start=start, end=end,
                         keys=["containment"])["containment"]
        agencies.append({"agency": a, "containment": K.format_value("containment", c.value),
                         "n": c.n})
    return render(request, "metrics/kpi_overview.html", {
        "start": start, "end": end, "problems": problems, "rows": rows,
        "kpis": [K.KPIS[k] for k in keys], "agencies": agencies})


# --- one service ----------------------------------------------------------------------------

@login_required
def service_kpis(request: HttpRequest, service_id: int) -> HttpResponse:
    service = _service(request, service_id)
    agency_ids = {service.agency_id}
    start, end, problems = _period(request)
    today = timezone.localdate()
    grain = request.GET.get("grain", "month")
    if grain not in K.GRAINS:
        problems.append(_("Choose week, month or quarter; showing months."))
        grain = "month"
    chart_key = request.GET.get("kpi", "trust")
    if chart_key not in K.KPIS or K.KPIS[chart_key].scope != "service" \
            or K.KPIS[chart_key].kind == "count":
        problems.append(_("That measure cannot be charted; showing trust."))
        chart_key = "trust"
    keys = [k for k, v in K.KPIS.items() if v.scope == "service"]
    # every service's KPIs (for the benchmarks) hold this one's too: one read, not two
    everyone = K.kpi_values_by_service(start=start, end=end, keys=keys)
    now = everyone[service.pk]
    pool, with_other_agencies = K.benchmark_pool(
        everyone, visible_agency_ids=agency_ids_for(request.user))
    p_start, p_end = K.previous_period(start, end)
    before = K.kpi_values(agency_ids=agency_ids, service_id=service.pk, start=p_start,
                          end=p_end, keys=keys, live=False)  # the backlog has no history
    targets = _current_targets([service.pk], min(end, today))
    statuses = K.target_statuses(targets.values(), today=today)
    rows = []
    for k in keys:
        kpi, v = K.KPIS[k], now[k]
        change = K.kpi_change(before[k], v)
        bench = K.benchmark_of(k, service.pk, pool, min_n=_min_n())
        t = targets.get((service.pk, k))
        rows.append({
            "kpi": kpi, "value": K.format_value(k, v.value), "n": v.n,
            "ci": K.format_ci(k, v.ci), "target": t,
            "target_text": K.format_value(k, t.value) if t else "",
            "status": statuses.get(t.pk) if t is not None else None,
            "before": K.format_value(k, before[k].value) if kpi.source != "live" else "–",
            "change": change.words() if kpi.source != "live"
            else _("counted now only; no history"),
            "change_obj": change,
            "percentile": (f"{bench.percentile:.0f}" if bench.percentile is not None else "–"),
            "peers": bench.services,
            "quartiles": (" / ".join(K.format_value(k, q) for q in (bench.q1, bench.median,
                                                                   bench.q3))
                          if bench.median is not None else "–"),
        })
    series = K.kpi_series(agency_ids=agency_ids, service_id=service.pk, start=start, end=end,
                          grain=grain, keys=[chart_key])
    fmt = {"week": "%Y-%m-%d", "month": "%b %Y", "quarter": "%Y-%m"}[grain]
    chart_kpi = K.KPIS[chart_key]
    points = [(b.strftime(fmt), v[chart_key].value, v[chart_key].ci) for b, v in series]
    chart = kpi_chart_svg(points, unit=chart_kpi.unit,
                          title=_("%(kpi)s by %(grain)s, with 95%% confidence interval")
                          % {"kpi": chart_kpi.label, "grain": _(grain)})
    table = [{"period": b, "value": K.format_value(chart_key, v[chart_key].value),
              "ci": K.format_ci(chart_key, v[chart_key].ci), "n": v[chart_key].n}
             for b, v in series]
    return render(request, "metrics/kpi_service.html", {
        "service": service, "start": start, "end": end, "p_start": p_start, "p_end": p_end,
        "problems": problems, "rows": rows, "grain": grain, "grains": K.GRAINS,
        "chart": chart, "chart_kpi": chart_kpi, "table": table,
        "chartable": [K.KPIS[k] for k in keys if K.KPIS[k].kind != "count"],
        "min_n": _min_n(), "can_manage": _can_manage(request, service),
        "with_other_agencies": with_other_agencies, "measures": len(rows)})


# --- targets --------------------------------------------------------------------------------

DIRECTIONS = [("at_least", gettext_lazy("At least")), ("at_most", gettext_lazy("At most"))]


class TargetForm(forms.Form):
    kpi = forms.ChoiceField(label=gettext_lazy("Measure"))
    start = forms.DateField(label=gettext_lazy("Period from"),
                            error_messages={"invalid": gettext_lazy("Enter a date as "
                                                                    "YYYY-MM-DD.")})
    end = forms.DateField(label=gettext_lazy("Period to"),
                          error_messages={"invalid": gettext_lazy("Enter a date as "
                                                                  "YYYY-MM-DD.")})
    value = forms.FloatField(label=gettext_lazy("Target value"),
                             error_messages={"invalid": gettext_lazy("Enter the target as a "
                                                                     "number.")})
    direction = forms.ChoiceField(label=gettext_lazy("The value should be"),
                                  choices=DIRECTIONS)
    public = forms.BooleanField(label=gettext_lazy("Show on the public dashboard"),
                                required=False)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=300, required=False)

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        field: Any = self.fields["kpi"]
        field.choices = [(k.key, f"{k.label} ({k.unit})")
                                      for k in K.KPIS.values() if k.scope == "service"]


def _can_manage(request: HttpRequest, service: Service) -> bool:
    return service.agency_id in agency_ids_for(request.user, "targets.manage")


def _denied(request: HttpRequest, service: Service) -> HttpResponse:
    return render(request, "metrics/targets_denied.html", {"service": service}, status=403)


def _target(service: Service, target_id: int) -> Target:
    tid = id_param(target_id)
    t = Target.objects.filter(pk=tid, service=service).first() if tid else None
    if t is None:
        raise Http404(_("No such target."))
    return t


def _save(request: HttpRequest, service: Service, target: Target | None
          ) -> tuple[TargetForm, str | None]:
    """Validate the posted form and create or update the target; (form, error)."""
    form = TargetForm(request.POST)
    if not form.is_valid():
        return form, _("Please correct the fields marked below.")
    d = form.cleaned_data
    try:
        if target is None:
            target_create(service=service, kpi=d["kpi"], start=d["start"], end=d["end"],
                          value=d["value"], direction=d["direction"], public=d["public"],
                          note=d["note"], actor=request.user)
        else:
            target_update(target=target, kpi=d["kpi"], start=d["start"], end=d["end"],
                          value=d["value"], direction=d["direction"], public=d["public"],
                          note=d["note"], actor=request.user)
    except TargetError as exc:
        return form, str(exc)
    return form, None


@login_required
def targets(request: HttpRequest, service_id: int) -> HttpResponse:
    service = _service(request, service_id)
    can_manage = _can_manage(request, service)
    error = None
    status = 200
    form: TargetForm | None = None
    if request.method == "POST":
        if not can_manage:
            return _denied(request, service)
        form, error = _save(request, service, None)
        if error is None:
            messages.success(request, _("Target added."))
            return redirect("metrics:targets", service.pk)
        status = 400
    elif request.method != "GET":
        return HttpResponse(_("Use GET or POST."), status=405)
    today = timezone.localdate()
    if form is None:
        year_end = dt.date(today.year, 12, 31)
        form = TargetForm(initial={"start": today.replace(month=1, day=1), "end": year_end,
                                   "direction": "at_least", "kpi": "trust"})
    rows: list[dict[str, Any]] = []
    listed = list(Target.objects.filter(service=service).order_by("-start", "kpi", "id"))
    statuses = K.target_statuses(listed, today=today)
    for t in listed:
        known = t.kpi in K.KPIS
        st = statuses.get(t.pk) if known else None
        rows.append({"target": t, "kpi": K.KPIS.get(t.kpi), "status": st,
                     "value": K.format_value(t.kpi, t.value) if known else t.value,
                     "current": K.format_value(t.kpi, st.value.value) if st else "–"})
    return render(request, "metrics/targets.html", {
        "service": service, "rows": rows, "form": form, "error": error,
        "can_manage": can_manage}, status=status)


@login_required
def target_edit(request: HttpRequest, service_id: int, target_id: int) -> HttpResponse:
    service = _service(request, service_id)
    target = _target(service, target_id)
    if not _can_manage(request, service):
        return _denied(request, service)
    error = None
    status = 200
    if request.method == "POST":
        form, error = _save(request, service, target)
        if error is None:
            messages.success(request, _("Target saved."))
            return redirect("metrics:targets", service.pk)
        status = 400
    else:
        form = TargetForm(initial={"kpi": target.kpi, "start": target.start, "end": target.end,
                                   "value": target.value, "direction": target.direction,
                                   "public": target.public, "note": target.note})
    return render(request, "metrics/targets_form.html", {
        "service": service, "target": target, "form": form, "error": error}, status=status)


@login_required
def target_remove(request: HttpRequest, service_id: int, target_id: int) -> HttpResponse:
    service = _service(request, service_id)
    target = _target(service, target_id)
    if not _can_manage(request, service):
        return _denied(request, service)
    if request.method == "POST":
        target_delete(target=target, actor=request.user)
        messages.success(request, _("Target deleted."))
        return redirect("metrics:targets", service.pk)
    return render(request, "metrics/targets_delete.html", {
        "service": service, "target": target, "kpi": K.KPIS.get(target.kpi),
        "value": K.format_value(target.kpi, target.value) if target.kpi in K.KPIS
        else target.value})
