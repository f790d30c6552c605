"""Key drivers page: which drivers and operational measures move trust for one service.

The method is in `govcx.metrics.drivers` (and explained on the page).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from govcx.core.models import Service
from govcx.core.selectors import services_for
from govcx.metrics import drivers as kd

DEFAULT_QUARTERS = 6
MIN_QUARTERS, MAX_QUARTERS = 2, 8

LABELS: dict[str, Any] = {
    "effectiveness": gettext_lazy("Effectiveness (need addressed)"),
    "ease": gettext_lazy("Ease"),
    "efficiency": gettext_lazy("Efficiency (reasonable time)"),
    "transparency": gettext_lazy("Transparency (clear what to do)"),
    "humanity": gettext_lazy("Humanity (treated fairly and with respect)"),
    "employee": gettext_lazy("Employee helpfulness"),
    "other": gettext_lazy("Other"),
    "resolution_days": gettext_lazy("Resolution time"),
    "first_response_hours": gettext_lazy("First response time"),
    "fcr": gettext_lazy("Resolved at first contact"),
    "reopened": gettext_lazy("Case reopened"),
}
# "people who <phrase> were N points more likely to trust"
PHRASES: dict[str, Any] = {
    "effectiveness": gettext_lazy("agreed their need was addressed"),
    "ease": gettext_lazy("agreed it was easy"),
    "efficiency": gettext_lazy("agreed it took a reasonable time"),
    "transparency": gettext_lazy("agreed they understood what was asked"),
    "employee": gettext_lazy("agreed employees were helpful"),
    "fcr": gettext_lazy("had their case resolved at first contact"),
    "reopened": gettext_lazy("had their case reopened"),
}


def label(key: str) -> str:
    if key.startswith("channel:"):
        return _("Channel: %(channel)s") % {"channel": key.split(":", 1)[1]}
    return str(LABELS.get(key, key))


def _points(e: kd.Effect) -> tuple[int, int, int]:
    return round(e.effect * 100), round(e.low * 100), round(e.high * 100)


def sentence(e: kd.Effect) -> str:
    """One effect in plain words."""
    pts, lo, hi = _points(e)
    more = _("more") if pts >= 0 else _("less")
    a, lo_, hi_ = abs(pts), min(abs(lo), abs(hi)), max(abs(lo), abs(hi))
    if (lo < 0) != (hi < 0) and lo != 0 and hi != 0:  # the interval crosses zero
        rng = _("%(lo)s to %(hi)s") % {"lo": lo, "hi": hi}
    else:
        rng = f"{lo_}–{hi_}"
    if e.kind == "operational" and e.key in ("resolution_days", "first_response_hours"):
        return _("when the %(measure)s was one standard deviation longer (%(unit)s), people were "
                 "%(points)s points (%(range)s) %(more)s likely to trust") % {
            "measure": label(e.key).lower(), "unit": e.unit, "points": a, "range": rng,
            "more": more}
    if e.key.startswith("channel:"):
        return _("people who contacted by %(channel)s rather than %(ref)s were %(points)s points "
                 "(%(range)s) %(more)s likely to trust") % {
            "channel": e.key.split(":", 1)[1], "ref": e.unit, "points": a, "range": rng,
            "more": more}
    return _("people who %(phrase)s were %(points)s points (%(range)s) %(more)s likely to trust "
             "than those who did not") % {"phrase": PHRASES.get(e.key, e.key), "points": a,
                                           "range": rng, "more": more}


def summary(result: kd.KeyDrivers, kind: str) -> list[str]:
    """Plain-words summary of one model: the top predictor, the others that matter, change."""
    model = result.pooled.drivers if kind == "driver" else result.pooled.operational
    if model is None or not model.effects:
        return []
    top = model.effects[0]
    lines = []
    if top.excludes_zero:
        first = _("%(name)s matters most (%(weight)s%% of what the model explains): %(s)s.") % {
            "name": label(top.key), "weight": round(top.weight * 100), "s": sentence(top)}
    else:
        first = _("No %(what)s clearly moves trust: even the largest, %(name)s, has an interval "
                  "that includes zero (%(s)s).") % {
            "what": _("driver") if kind == "driver" else _("operational measure"),
            "name": label(top.key).lower(), "s": sentence(top)}
    change = result.change(kind, top.key)
    since = result.first_label(kind, top.key)
    if change == "grew":
        first += " " + _("Its effect grew since %(q)s.") % {"q": since}
    elif change == "shrank":
        first += " " + _("Its effect shrank since %(q)s.") % {"q": since}
    elif change == "steady":
        first += " " + _("Its effect has stayed about the same since %(q)s.") % {"q": since}
    lines.append(first)
    others = [e for e in model.effects[1:] if e.excludes_zero]
    for e in others[:2]:
        lines.append(_("%(name)s: %(s)s.") % {"name": label(e.key), "s": sentence(e)})
    flat = [label(e.key) for e in model.effects if not e.excludes_zero and e is not top]
    if flat:
        lines.append(_("No clear effect (interval includes zero): %(names)s.") % {
            "names": ", ".join(flat)})
    return lines


def _rows(model: kd.Model | None) -> list[dict[str, Any]]:
    if model is None:
        return []
    return [{"label": label(e.key), "effect": e, "points": _points(e), "sentence": sentence(e),
             "weight_pct": round(e.weight * 100)} for e in model.effects]


def _trend(result: kd.KeyDrivers, kind: str) -> list[dict[str, Any]]:
    return [{"label": label(r["key"]),
             "cells": [(_points(c) if c is not None else None) for c in r["cells"]]}
            for r in result.trend(kind)]


@login_required
@require_GET
def drivers(request: HttpRequest, service_id: int) -> HttpResponse:
    try:
        service = services_for(request.user, "dashboard.view").select_related("agency").get(
            id=service_id)
    except Service.DoesNotExist as exc:
        raise Http404("No such service.") from exc
    problems = []
    raw = request.GET.get("quarters", "")
    quarters = DEFAULT_QUARTERS
    if raw:
        if raw.isdigit() and MIN_QUARTERS <= int(raw) <= MAX_QUARTERS:
            quarters = int(raw)
        else:
            problems.append(_("The number of quarters must be a whole number from %(lo)s to "
                              "%(hi)s; showing %(n)s.") % {"lo": MIN_QUARTERS, "hi": MAX_QUARTERS,
                                                          "n": DEFAULT_QUARTERS})
    result = kd.key_drivers(service_id=service.pk, agency_id=service.agency_id, quarters=quarters)
    pooled = result.pooled
    reason_rows = [{"label": label(r.driver), "r": r} for r in pooled.reasons]
    return render(request, "metrics/drivers.html", {
        "service": service, "result": result, "pooled": pooled, "problems": problems,
        "quarters": quarters, "quarter_choices": range(MIN_QUARTERS, MAX_QUARTERS + 1),
        "driver_rows": _rows(pooled.drivers), "op_rows": _rows(pooled.operational),
        "driver_summary": summary(result, "driver"),
        "op_summary": summary(result, "operational"),
        "driver_trend": _trend(result, "driver"), "op_trend": _trend(result, "operational"),
        "reason_rows": reason_rows, "min_n": kd.MIN_N, "bootstrap": kd.BOOTSTRAP,
        "window_rows": result.quarters,
        # the rendered analysis is cached with the result (same for everyone who may see it)
        "fragment_ttl": int(getattr(settings, "DRIVERS_CACHE_SECONDS", 3600)),
    })
