"""The before/after effect of an action on the KPI it targeted.

Windows of equal length (default 90 days): *before* is the window that ends the day before
work started (started_on − 90 days … started_on − 1 day), *after* starts the day the action
was completed (completed_on … completed_on + 89 days, cut at today while it is still running).
The KPI comes from govcx.metrics.kpi (kpi_values, the same rollups as the dashboards) for the
action's service, or its whole agency when it has none; the change, its 95% confidence
interval and p-value from kpi_change. Until the after window has data the answer is "too
early to tell".

A before/after comparison has no comparison group: a significant change is unlikely to be
chance alone, but it does not show the action caused it (seasonality, other changes to the
service or its users). The sentence and the page (`CAVEAT`) say so plainly."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from govcx.improve.models import Action
from govcx.metrics.kpi import KPIS, format_value, kpi_change, kpi_values

WINDOW_DAYS = 90

# shown under every before/after comparison on the action page
CAVEAT = _lazy("A before/after comparison has no comparison group: even a statistically "
               "significant change does not prove the action caused it. Seasons, other changes "
               "to the service, its rules or who uses it can move the measure too.")


@dataclass
class Effect:
    state: str  # no_kpi · not_started · not_done · too_early · ready
    kpi: str = ""
    kpi_label: str = ""
    window_days: int = WINDOW_DAYS
    before_start: dt.date | None = None
    before_end: dt.date | None = None
    after_start: dt.date | None = None
    after_end: dt.date | None = None
    after_complete: bool = False
    before: Any = None  # KpiValue
    after: Any = None  # KpiValue
    change: Any = None  # Change
    before_text: str = "–"
    after_text: str = "–"
    difference_text: str = "–"
    ci_text: str = "–"
    p_text: str = "–"
    sentence: str = ""
    caveat: str = ""  # CAVEAT once there is a comparison to read


def kpi_label(key: str) -> str:
    kpi = KPIS.get(key)
    return str(kpi.label) if kpi else key


def _value(key: str, v: float | None) -> str:
    return format_value(key, v)


def _diff(key: str, v: float) -> str:
    unit = KPIS[key].unit
    if unit == "%":
        return _("%(n)s percentage points") % {"n": f"{v:+.1f}"}
    if unit == "points":
        return _("%(n)s points") % {"n": f"{v:+.1f}"}
    if unit == "score":
        return f"{v:+.2f}"
    if unit == "count":
        return f"{v:+.0f}"
    return f"{v:+.1f} {_(unit)}"


def action_effect(action: Action, *, window_days: int = WINDOW_DAYS,
                  today: dt.date | None = None) -> Effect:
    today = today or timezone.localdate()
    key = action.target_kpi
    if not key or key not in KPIS:
        return Effect("no_kpi", sentence=_("This action has no target measure, so no effect "
                                           "is measured."))
    eff = Effect("not_started", kpi=key, kpi_label=kpi_label(key), window_days=window_days)
    if action.started_on is None:
        eff.sentence = _("The effect is measured once work has started and the action is done.")
        return eff
    eff.before_start = action.started_on - dt.timedelta(days=window_days)
    eff.before_end = action.started_on - dt.timedelta(days=1)
    if action.completed_on is None or action.status != Action.Status.DONE:
        eff.state = "not_done"
        eff.sentence = _("The effect is measured once the action is done.")
        return eff
    eff.after_start = action.completed_on
    full_end = action.completed_on + dt.timedelta(days=window_days - 1)
    eff.after_end = min(full_end, today)
    eff.after_complete = full_end <= today
    scope: dict[str, Any] = {"agency_ids": {action.agency_id}, "service_id": action.service_id,
                             "keys": [key]}
    eff.before = kpi_values(start=eff.before_start, end=eff.before_end, **scope).get(key)
    after = None
    if eff.after_end >= eff.after_start:
        after = kpi_values(start=eff.after_start, end=eff.after_end, **scope).get(key)
    eff.after = after
    eff.before_text = _value(key, getattr(eff.before, "value", None))
    if after is None or after.value is None or not after.n:
        eff.state = "too_early"
        eff.sentence = _("Too early to tell: there is no %(kpi)s data after the action was "
                         "completed yet.") % {"kpi": eff.kpi_label}
        return eff
    eff.after_text = _value(key, after.value)
    if eff.before is None or eff.before.value is None or not eff.before.n:
        eff.state = "too_early"
        eff.sentence = _("No comparison possible: there is no %(kpi)s data in the %(days)s "
                         "days before work started.") % {"kpi": eff.kpi_label,
                                                           "days": window_days}
        return eff
    eff.state = "ready"
    eff.caveat = str(CAVEAT)
    change = kpi_change(eff.before, after)
    eff.change = change
    words = {"kpi": eff.kpi_label, "before": eff.before_text, "after": eff.after_text}
    if change.difference is None:
        eff.sentence = _("%(kpi)s was %(before)s before and %(after)s after; the change cannot "
                         "be tested.") % words
        return eff
    eff.difference_text = _diff(key, change.difference)
    if change.ci:
        eff.ci_text = _("%(low)s to %(high)s") % {"low": _diff(key, change.ci[0]),
                                                  "high": _diff(key, change.ci[1])}
    if change.p_value is not None:
        eff.p_text = f"{change.p_value:.3f}" if change.p_value >= 0.001 else "< 0.001"
    words["diff"] = eff.difference_text
    if change.significant:
        eff.sentence = _("%(kpi)s went from %(before)s to %(after)s (%(diff)s). A change this "
                         "large is unlikely to be chance alone: it is statistically "
                         "significant at the 95%% level. But this is a before/after "
                         "comparison with no comparison group, so it does not prove the "
                         "action caused the change: the season, other changes to the service "
                         "or to who uses it may have moved it too.") % words
    else:
        eff.sentence = _("%(kpi)s went from %(before)s to %(after)s (%(diff)s), but a change "
                         "this size could be chance alone: we cannot say the action moved it "
                         "yet.") % words
    if not eff.after_complete:
        eff.sentence += " " + _("The after window is still running (until %(date)s); the "
                                "figures will firm up.") % {"date": full_end.isoformat()}
    return eff
