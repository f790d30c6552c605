"""Staff alerts page: alerts of the user's agencies with their control charts, and the
acknowledge button."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from govcx.core.models import Service
from govcx.core.params import id_param
from govcx.core.selectors import agency_ids_for
from govcx.core.services import audit_record
from govcx.metrics.alerts import alert_acknowledge, alerts_check_soon, alerts_for
from govcx.metrics.models import Alert

PER_PAGE = 10
ACK_CHOICES = ("", "yes", "no")


def kind_labels() -> dict[str, str]:
    return {
        Alert.Kind.TRUST_DROP: _("Drop in trust"), Alert.Kind.DRIVER_DROP: _("Drop in a driver"),
        Alert.Kind.THEME_SPIKE: _("Spike in a negative theme"),
        Alert.Kind.VOLUME: _("Volume beyond control limits"),
        Alert.Kind.WAIT: _("Wait time beyond control limits"),
    }


def fmt_value(value: float | None, unit: str) -> str:
    if value is None:
        return "–"
    if unit in ("share", "rate"):
        return f"{value * 100:.1f}%"
    if unit == "seconds":
        return f"{value:.0f} s"
    return f"{value:.0f}"


def control_chart_svg(
    points: list[tuple[str, float | None]], *, center: float, lower: float | None,
    upper: float | None, unit: str, title: str, chart_id: str, signal_low: bool = False,
    signal_high: bool = False, width: int = 720, height: int = 220,
) -> SafeString:
    """Weekly values with the centre line and the control limits (dashed); the last point is
    the checked week, drawn larger (and red when beyond a limit). Text is escaped."""
    pad_l, pad_r, pad_b, pad_t = 64, 12, 36, 12
    w, h = width - pad_l - pad_r, height - pad_b - pad_t
    values = [v for _lbl, v in points if v is not None]
    lines = [x for x in (center, lower, upper) if x is not None]
    lo, hi = min(values + lines), max(values + lines)
    if hi - lo < 1e-9:
        lo, hi = lo - 1, hi + 1
    span = hi - lo
    lo, hi = lo - 0.08 * span, hi + 0.08 * span
    if unit in ("share", "rate"):
        lo = max(lo, 0.0)
    elif lo < 0:
        lo = 0.0
    n = max(len(points), 1)
    xs = [pad_l + (w * i / max(n - 1, 1)) for i in range(n)]

    def y(v: float) -> float:
        return pad_t + h * (1 - (v - lo) / (hi - lo))

    parts = [
        f'<svg role="img" aria-labelledby="{chart_id}-title" viewBox="0 0 {width} {height}" '
        f'xmlns="http://www.w3.org/2000/svg" class="govcx-control-chart">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
    ]
    for value, name, dash, colour in ((upper, _("upper limit"), "6 4", "#b50909"),
                                      (center, _("centre"), "", "#565c65"),
                                      (lower, _("lower limit"), "6 4", "#b50909")):
        if value is None:
            continue
        yy = y(value)
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(f'<line x1="{pad_l}" x2="{pad_l + w}" y1="{yy:.1f}" y2="{yy:.1f}" '
                     f'stroke="{colour}" stroke-width="1.5"{dash_attr}/>'
                     f'<text x="2" y="{yy + 4:.1f}" font-size="11" fill="#1b1b1b">'
                     f'{escape(fmt_value(value, unit))}</text>')
        parts.append(f'<text x="{pad_l + w - 2}" y="{yy - 4:.1f}" font-size="10" '
                     f'text-anchor="end" fill="{colour}">{escape(name)}</text>')
    line = [f"{x:.1f},{y(v):.1f}" for x, (_lbl, v) in zip(xs, points, strict=True)
            if v is not None]
    if line:
        parts.append(f'<polyline points="{" ".join(line)}" fill="none" stroke="#005ea2" '
                     'stroke-width="2"/>')
    for i, (x, (_lbl, v)) in enumerate(zip(xs, points, strict=True)):
        if v is None:
            continue
        last = i == n - 1
        colour = "#b50909" if last and (signal_low or signal_high) else "#005ea2"
        parts.append(f'<circle cx="{x:.1f}" cy="{y(v):.1f}" r="{6 if last else 3.5}" '
                     f'fill="{colour}"/>')
    step = max(1, n // 7)
    for i, (label, _v) in enumerate(points):
        if i % step == 0 or i == n - 1:
            parts.append(f'<text x="{xs[i]:.1f}" y="{height - 12}" font-size="11" '
                         f'text-anchor="middle" fill="#1b1b1b">{escape(label)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))


def alert_view(alert: Alert, can_manage: set[int]) -> dict[str, Any]:
    """What the page shows of one alert: its words, chart and table."""
    d = alert.detail or {}
    unit = str(d.get("unit", "count"))
    weeks = [(str(w), v, int(n or 0)) for w, v, n in d.get("weeks", [])]
    chart = control_chart_svg(
        [(w[5:], v) for w, v, _n in weeks], center=alert.center, lower=alert.lower,
        upper=alert.upper, unit=unit, chart_id=f"alert-{alert.pk}-chart",
        title=_("%(label)s by week, with the centre line and control limits")
        % {"label": d.get("label", alert.signal)},
        signal_low=alert.lower is not None and alert.value < alert.lower,
        signal_high=alert.upper is not None and alert.value > alert.upper)
    rows = [{"week": w, "value": fmt_value(v, unit), "n": n, "checked": i == len(weeks) - 1}
            for i, (w, v, n) in enumerate(weeks)]
    return {"alert": alert, "kind": kind_labels().get(alert.kind, alert.kind),
            "title": d.get("title", alert.get_kind_display()),
            "summary": d.get("summary", ""), "label": d.get("label", alert.signal),
            "chart": chart, "rows": rows, "value": fmt_value(alert.value, unit),
            "center": fmt_value(alert.center, unit), "lower": fmt_value(alert.lower, unit),
            "upper": fmt_value(alert.upper, unit),
            "can_ack": alert.agency_id in can_manage and alert.acknowledged_at is None}


def _bad(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "metrics/alerts_error.html", {"message": message}, status=400)


@login_required
@require_GET
def alerts_list(request: HttpRequest) -> HttpResponse:
    alerts_check_soon()
    qs = alerts_for(request.user)
    visible = agency_ids_for(request.user, "dashboard.view") | agency_ids_for(
        request.user, "insights.view")
    service_choices = list(Service.objects.filter(agency_id__in=visible)
                           .select_related("agency").order_by("agency__name", "name"))
    raw_service = request.GET.get("service", "")
    service_id = None
    if raw_service:
        service_id = id_param(raw_service)
        if service_id is None:
            return _bad(request, _("“%(v)s” is not a service id; choose a service from the "
                                   "list.") % {"v": raw_service[:40]})
        if service_id not in {s.pk for s in service_choices}:
            raise Http404(_("No such service."))
        qs = qs.filter(service_id=service_id)
    kind = request.GET.get("kind", "")
    if kind:
        if kind not in Alert.Kind.values:
            return _bad(request, _("“%(v)s” is not a kind of alert; use one of: %(kinds)s.")
                        % {"v": kind[:40], "kinds": ", ".join(Alert.Kind.values)})
        qs = qs.filter(kind=kind)
    ack = request.GET.get("acknowledged", "")
    if ack not in ACK_CHOICES:
        return _bad(request, _("“acknowledged” must be yes, no or empty (all)."))
    if ack:
        qs = qs.filter(acknowledged_at__isnull=ack == "no")
    page_raw = request.GET.get("page", "1")
    if not page_raw.isdigit() or int(page_raw) < 1:
        return _bad(request, _("“page” must be a whole number from 1."))
    paginator = Paginator(qs.order_by("-period_start", "-id"), PER_PAGE)
    page = paginator.get_page(int(page_raw))
    can_manage = agency_ids_for(request.user, "insights.manage")
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "metrics/alerts.html", {
        "page": page, "items": [alert_view(a, can_manage) for a in page.object_list],
        "services": service_choices, "service_id": service_id, "kind": kind, "ack": ack,
        "kinds": list(kind_labels().items()), "query": query.urlencode(),
        "next": request.get_full_path(),
    })


@login_required
@require_POST
def alert_acknowledge_view(request: HttpRequest, alert_id: int) -> HttpResponse:
    alert = alerts_for(request.user).filter(pk=alert_id).first()
    if alert is None:
        raise Http404(_("No such alert."))
    if alert.agency_id not in agency_ids_for(request.user, "insights.manage"):
        return HttpResponseForbidden(_("You may read this alert but not acknowledge it."))
    assert request.user.is_authenticated
    if alert_acknowledge(alert=alert, by=request.user):
        audit_record(action="alert.acknowledge", request=request, agency=alert.agency_id,
                     object_type="alert", object_id=alert.pk)
        messages.success(request, _("Alert acknowledged."))
    else:
        messages.success(request, _("That alert was already acknowledged."))
    nxt = request.POST.get("next", "")
    if not nxt or not url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()},
                                                      require_https=request.is_secure()):
        return redirect("alerts:list")
    return redirect(f"{nxt.split('#')[0]}#alert-{alert.pk}")
