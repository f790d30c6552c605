"""Alerts: a measure of a service outside the statistical control limits that its own
history sets (never a fixed threshold), each one telling the service's owners and opening an
insight.

**What is checked.** For every service, the last complete week (Monday to Sunday, in the
reporting time zone) is judged against the service's previous 12 weeks
(`govcx.metrics.control`, three-sigma limits):

| kind | signal | series (weekly) | chart | alert when |
| --- | --- | --- | --- | --- |
| trust_drop | `trust` | trust_pos / trust_n (ResponseDaily) | p | below lower limit |
| driver_drop | `driver:<d>` | naming d as not going well / trust_n | p | above upper limit |
| driver_drop | `driver:<d>:pos` | naming d as going well / trust_n | p | below lower limit |
| volume | `responses` | survey responses | c, widened by XmR | beyond either limit |
| volume | `cases` | contact-centre cases opened (CaseDaily) | c, widened by XmR | either |
| wait | `asa` | average speed of answer, s (CallDaily) | XmR | above upper limit |
| theme_spike | `theme:<id>` | comments in a negative theme / all comments | u | above upper |

d is one of the six A-11 drivers. Counts use only the weeks from the first one with any
volume (a service launched five weeks ago is judged on those five, not on zeros); shares skip
weeks with no answers; fewer than `control.MIN_BASELINE` usable weeks: no limits, no alert.
A share beyond its p-chart limit is an alert only when the exact binomial probability of a
week that far out is below the nominal three-sigma rate too (`control.binomial_tail`): on the
demo data (6 services, 64 weeks, 13 share signals each) the p-chart alone flagged 15 of 4,992
service-week signals, the confirmed rule 7, against 6.7 expected by chance.
Themes come from `govcx.feedback.themes.theme_weekly_counts` (those with a negative share of
at least one half); without that module the theme signal is skipped.

**What an alert does.** One `Alert` per (service, signal, week) — a re-run finds it and does
nothing, so re-running is safe. A new alert, in one transaction: an in-app `Notification`
to each owner of the service (`Service.owners`; when it has none, the administrators of its
agency, or of the nearest parent agency that has any), an insight opened through
`govcx.improve.services.insight_open` (source "alert", source_ref "alert:<id>"), and, once
the transaction commits, an email to the same people.

**How it runs by itself.** `alerts_check_soon()` enqueues `alerts_check_task` (django-tasks,
run by `govcx db_worker`) at most once an hour per process and once an hour across processes
sharing a cache; it is called whenever a signed-in staff member renders a page with the
header notification count (`core.notifications.notifications_context`) and by the alerts and
notifications pages. So any staff activity keeps the check current without a scheduler, as
the assistant's expiry does (govcx/assist/conversation.py). Where no staff use the site for
days, run `govcx alerts check` from cron (daily is plenty: the week changes once a week).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import QuerySet, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from govcx.core.models import Agency, Role, Service
from govcx.core.notifications import notification_send
from govcx.core.soon import enqueue_at_most_every
from govcx.metrics import control
from govcx.metrics.models import Alert, ResponseDaily
from govcx.metrics.services import rollups_current

log = logging.getLogger(__name__)

BASELINE_WEEKS = 12
A11_DRIVERS = ("effectiveness", "ease", "efficiency", "transparency", "humanity", "employee")
NEGATIVE_THEME_SHARE = 0.5
CHECK_EVERY_SECONDS = 3600


def driver_label(d: str) -> str:
    return {
        "effectiveness": _("Effectiveness"), "ease": _("Ease"), "efficiency": _("Efficiency"),
        "transparency": _("Transparency"), "humanity": _("Humanity"),
        "employee": _("Employee helpfulness"),
    }.get(d, d)


def week_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def check_period(today: dt.date) -> tuple[dt.date, dt.date, list[dt.date]]:
    """(start, end) of the last complete Monday-to-Sunday week before `today`, and the
    Mondays of the BASELINE_WEEKS weeks before it, oldest first."""
    start = week_of(today) - dt.timedelta(days=7)
    baseline = [start - dt.timedelta(days=7 * k) for k in range(BASELINE_WEEKS, 0, -1)]
    return start, start + dt.timedelta(days=6), baseline


@dataclass
class Finding:
    """One signal of one service for the checked week, with its limits and weekly series."""

    kind: str
    signal: str
    unit: str  # "share", "count", "seconds", "rate"
    label: str
    direction: str  # "below", "above", "either"
    limits: control.Limits
    n: int
    baseline_weeks: int
    weeks: list[list[Any]] = field(default_factory=list)  # [[monday iso, value|None, n], …]
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def out_of_control(self) -> bool:
        lim = self.limits
        if self.direction == "below":
            beyond = lim.below
        elif self.direction == "above":
            beyond = lim.above
        else:
            beyond = lim.below or lim.above
        if beyond and self.unit == "share":
            # the p-chart's normal approximation is loose for small n·p̄: confirm exactly
            side = "below" if lim.below else "above"
            return control.binomial_tail(int(self.extra["count"]), self.n, lim.center,
                                         side=side) < control.TAIL
        return beyond


# --- reading the weekly series ----------------------------------------------------------------

Weekly = dict[int, dict[dt.date, dict[str, int]]]  # service id -> Monday -> counters


def _weekly(rows: Iterable[dict[str, Any]], names: Iterable[str]) -> Weekly:
    out: Weekly = defaultdict(lambda: defaultdict(lambda: dict.fromkeys(names, 0)))
    names = list(names)
    for r in rows:
        bucket = out[int(r["service_id"])][week_of(r["day"])]
        for k in names:
            bucket[k] += int(r[k] or 0)
    return out


def _response_weeks(service_ids: list[int], start: dt.date, end: dt.date) -> Weekly:
    names = ["responses", "trust_n", "trust_pos",
             *(f"{s}_{d}" for d in A11_DRIVERS for s in ("pos", "neg"))]
    rollups_current()
    rows = (ResponseDaily.objects.filter(service_id__in=service_ids, day__gte=start,
                                         day__lte=end)
            .values("service_id", "day").annotate(**{k: Sum(k) for k in names}))
    return _weekly(rows, names)


def _contact_weeks(service_ids: list[int], start: dt.date, end: dt.date
                   ) -> tuple[Weekly, Weekly]:
    from govcx.contact.models import CallDaily, CaseDaily  # reads of the contact rollups

    cases = (CaseDaily.objects.filter(service_id__in=service_ids, day__gte=start, day__lte=end)
             .values("service_id", "day").annotate(cases=Sum("cases")))
    calls = (CallDaily.objects.filter(service_id__in=service_ids, day__gte=start, day__lte=end)
             .values("service_id", "day")
             .annotate(answered=Sum("answered"), wait_seconds_sum=Sum("wait_seconds_sum")))
    return _weekly(cases, ["cases"]), _weekly(calls, ["answered", "wait_seconds_sum"])


ThemeSource = Callable[..., dict[int, Any]]


def _theme_source() -> ThemeSource | None:
    try:
        from govcx.feedback.themes import theme_weekly_counts
    except ImportError:
        return None
    return theme_weekly_counts


# --- judging ----------------------------------------------------------------------------------

def _share_finding(kind: str, signal: str, label: str, direction: str,
                   weeks: dict[dt.date, dict[str, int]], baseline: list[dt.date],
                   start: dt.date, pos_key: str, n_key: str) -> Finding | None:
    def get(w: dt.date, k: str) -> int:
        return weeks.get(w, {}).get(k, 0)

    base_pos = [get(w, pos_key) for w in baseline]
    base_n = [get(w, n_key) for w in baseline]
    limits = control.p_chart(base_pos, base_n, get(start, pos_key), get(start, n_key))
    if limits is None:
        return None
    series = [[w.isoformat(), get(w, pos_key) / get(w, n_key) if get(w, n_key) else None,
               get(w, n_key)] for w in [*baseline, start]]
    return Finding(kind=kind, signal=signal, unit="share", label=label, direction=direction,
                   limits=limits, n=get(start, n_key),
                   baseline_weeks=sum(1 for x in base_n if x > 0), weeks=series,
                   extra={"count": get(start, pos_key)})


def _count_finding(kind: str, signal: str, label: str,
                   weeks: dict[dt.date, dict[str, int]], baseline: list[dt.date],
                   start: dt.date, key: str) -> Finding | None:
    counts = [weeks.get(w, {}).get(key, 0) for w in baseline]
    first = next((i for i, c in enumerate(counts) if c > 0), len(counts))
    used = baseline[first:]
    count = weeks.get(start, {}).get(key, 0)
    limits = control.count_chart(counts[first:], count)
    if limits is None:
        return None
    series = [[w.isoformat(), float(weeks.get(w, {}).get(key, 0)),
               weeks.get(w, {}).get(key, 0)] for w in [*used, start]]
    return Finding(kind=kind, signal=signal, unit="count", label=label, direction="either",
                   limits=limits, n=count, baseline_weeks=len(used), weeks=series)


def _asa_finding(weeks: dict[dt.date, dict[str, int]], baseline: list[dt.date],
                 start: dt.date) -> Finding | None:
    def asa(w: dt.date) -> float | None:
        b = weeks.get(w, {})
        return b["wait_seconds_sum"] / b["answered"] if b.get("answered") else None

    base = [(w, v) for w in baseline if (v := asa(w)) is not None]
    current = asa(start)
    if current is None:
        return None
    limits = control.xmr_chart([v for _, v in base], current)
    if limits is None:
        return None
    series = [[w.isoformat(), v, weeks[w]["answered"]] for w, v in base]
    answered = weeks[start]["answered"]
    series.append([start.isoformat(), current, answered])
    return Finding(kind=Alert.Kind.WAIT, signal="asa", unit="seconds",
                   label=_("Average speed of answer"), direction="above", limits=limits,
                   n=answered, baseline_weeks=len(base), weeks=series)


def _theme_findings(source: ThemeSource, service: Service, baseline: list[dt.date],
                    start: dt.date, end: dt.date) -> list[Finding]:
    out: list[Finding] = []
    series_by_theme = source(agency_id=service.agency_id, service_id=service.pk,
                             start=baseline[0], end=end)
    for theme_id, ts in series_by_theme.items():
        if (ts.negative_share or 0) < NEGATIVE_THEME_SHARE:
            continue
        by_week = {week_of(w): (int(c), int(total)) for w, c, total in ts.weeks}
        base = [by_week.get(w, (0, 0)) for w in baseline]
        first = next((i for i, (_c, t) in enumerate(base) if t > 0), len(base))
        used, base = baseline[first:], base[first:]
        count, total = by_week.get(start, (0, 0))
        limits = control.u_chart([c for c, _t in base], [float(t) for _c, t in base], count,
                                 float(total))
        if limits is None:
            continue
        series = [[w.isoformat(), (c / t) if t else None, t]
                  for w, (c, t) in zip([*used, start], [*base, (count, total)], strict=True)]
        out.append(Finding(kind=Alert.Kind.THEME_SPIKE, signal=f"theme:{theme_id}",
                           unit="rate", label=str(ts.name), direction="above", limits=limits,
                           n=total, baseline_weeks=len(used), weeks=series,
                           extra={"count": count, "theme_id": theme_id,
                                  "negative_share": ts.negative_share}))
    return out


def service_findings(
    service: Service, *, start: dt.date, end: dt.date, baseline: list[dt.date],
    responses: Weekly, cases: Weekly, calls: Weekly, themes: ThemeSource | None,
) -> list[Finding]:
    """Every signal of one service that has limits (in or out of control)."""
    r = responses.get(service.pk, {})
    found: list[Finding | None] = [
        _share_finding(Alert.Kind.TRUST_DROP, "trust", _("Trust"), "below", r, baseline,
                       start, "trust_pos", "trust_n"),
    ]
    for d in A11_DRIVERS:
        found.append(_share_finding(
            Alert.Kind.DRIVER_DROP, f"driver:{d}",
            _("%(driver)s: did not go well") % {"driver": driver_label(d)}, "above", r,
            baseline, start, f"neg_{d}", "trust_n"))
        found.append(_share_finding(
            Alert.Kind.DRIVER_DROP, f"driver:{d}:pos",
            _("%(driver)s: went well") % {"driver": driver_label(d)}, "below", r,
            baseline, start, f"pos_{d}", "trust_n"))
    found.append(_count_finding(Alert.Kind.VOLUME, "responses", _("Survey responses"), r,
                                baseline, start, "responses"))
    found.append(_count_finding(Alert.Kind.VOLUME, "cases", _("Contact-centre cases"),
                                cases.get(service.pk, {}), baseline, start, "cases"))
    found.append(_asa_finding(calls.get(service.pk, {}), baseline, start))
    out = [f for f in found if f is not None]
    if themes is not None:
        try:
            out += _theme_findings(themes, service, baseline, start, end)
        except Exception:  # a theme model mid-rebuild must not stop the other alerts
            log.exception("theme series of service %s could not be read", service.pk)
    return out


# --- words ------------------------------------------------------------------------------------

def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "–"
    if unit in ("share", "rate"):
        return f"{value * 100:.0f}%"
    if unit == "seconds":
        return _("%(s)s seconds") % {"s": f"{value:.0f}"}
    return f"{value:.0f}"


def alert_words(*, kind: str, signal: str, label: str, unit: str, value: float,
                lower: float | None, upper: float | None, n: int, weeks: int,
                period_start: dt.date, extra: dict[str, Any]) -> tuple[str, str]:
    """(title, summary) in plain words for the alert, the email and the insight."""
    above = upper is not None and value > upper
    p = {"label": label, "value": _fmt(value, unit), "lower": _fmt(lower, unit),
         "upper": _fmt(upper, unit), "n": n, "weeks": weeks,
         "week": date_format(period_start, "j M Y"), "count": extra.get("count", 0)}
    limit_words = (_("above the upper control limit of %(upper)s") if above
                   else _("below the lower control limit of %(lower)s")) % p
    p["limit"] = limit_words
    if kind == Alert.Kind.TRUST_DROP:
        title = _("Trust fell to %(value)s") % p
        summary = _("Trust fell to %(value)s in the week of %(week)s, %(limit)s set by the "
                    "previous %(weeks)s weeks (n = %(n)s).") % p
    elif kind == Alert.Kind.DRIVER_DROP and signal.endswith(":pos"):
        title = _("Fewer said “%(label)s”") % p
        summary = _("%(value)s of respondents said “%(label)s” in the week of %(week)s, "
                    "%(limit)s set by the previous %(weeks)s weeks (n = %(n)s).") % p
    elif kind == Alert.Kind.DRIVER_DROP:
        title = _("More said “%(label)s”") % p
        summary = _("%(value)s of respondents said “%(label)s” in the week of %(week)s, "
                    "%(limit)s set by the previous %(weeks)s weeks (n = %(n)s).") % p
    elif kind == Alert.Kind.VOLUME and above:
        title = _("%(label)s rose to %(value)s") % p
        summary = _("%(label)s rose to %(value)s in the week of %(week)s, %(limit)s set by "
                    "the previous %(weeks)s weeks.") % p
    elif kind == Alert.Kind.VOLUME:
        title = _("%(label)s fell to %(value)s") % p
        summary = _("%(label)s fell to %(value)s in the week of %(week)s, %(limit)s set by "
                    "the previous %(weeks)s weeks.") % p
    elif kind == Alert.Kind.WAIT:
        title = _("Average speed of answer rose to %(value)s") % p
        summary = _("The average speed of answer rose to %(value)s in the week of %(week)s, "
                    "%(limit)s set by the previous %(weeks)s weeks (%(n)s answered calls).") % p
    else:
        title = _("Spike in the theme “%(label)s”") % p
        summary = _("Comments in the negative theme “%(label)s” rose to %(value)s of all "
                    "comments in the week of %(week)s (%(count)s of %(n)s), %(limit)s set by "
                    "the previous %(weeks)s weeks.") % p
    return title, summary


# --- writing ----------------------------------------------------------------------------------

def alert_recipients(service: Service) -> list[User]:
    """The service's owners; without any, its agency's administrators (or the nearest parent
    agency's). Only active accounts."""
    owners = list(service.owners.filter(is_active=True).order_by("id"))
    if owners:
        return owners
    agency: Agency | None = service.agency
    while agency is not None:
        admins = list(User.objects.filter(
            is_active=True, memberships__agency=agency,
            memberships__role=Role.ADMINISTRATOR).order_by("id"))
        if admins:
            return admins
        agency = agency.parent
    return []


def alert_url(alert: Alert) -> str:
    return f"{reverse('alerts:list')}?service={alert.service_id}#alert-{alert.pk}"


def _email(alert_id: int, to: list[str], subject: str, body: str) -> None:
    try:
        EmailMessage(subject=subject, body=body, to=to).send()
    except Exception as exc:  # the alert stands; the page and the notification still show it
        log.warning("alert %s email failed: %s", alert_id, exc)
        Alert.objects.filter(pk=alert_id).update(detail=_with_error(alert_id, str(exc)))


def _with_error(alert_id: int, error: str) -> dict[str, Any]:
    detail = dict(Alert.objects.filter(pk=alert_id).values_list("detail", flat=True).first()
                  or {})
    detail["email_error"] = error[:300]
    return detail


def _raise(service: Service, f: Finding, start: dt.date, end: dt.date) -> Alert | None:
    """Store a new alert and tell its people; None when it was already raised."""
    from govcx.improve.services import insight_open

    if Alert.objects.filter(service=service, signal=f.signal, period_start=start).exists():
        return None
    lim = f.limits
    title, summary = alert_words(kind=f.kind, signal=f.signal, label=f.label, unit=f.unit,
                                 value=lim.value, lower=lim.lower, upper=lim.upper, n=f.n,
                                 weeks=f.baseline_weeks, period_start=start, extra=f.extra)
    detail = {"label": f.label, "unit": f.unit, "direction": f.direction,
              "baseline_weeks": f.baseline_weeks, "weeks": f.weeks, "title": title,
              "summary": summary, **f.extra}
    try:
        with transaction.atomic():
            alert = Alert.objects.create(
                agency_id=service.agency_id, service=service, kind=f.kind, signal=f.signal,
                period_start=start, period_end=end, value=lim.value, center=lim.center,
                lower=lim.lower, upper=lim.upper, n=f.n, detail=detail)
            insight_open(
                agency=service.agency, service=service, source="alert",
                source_ref=f"alert:{alert.pk}", title=f"{service.name}: {title}",
                summary=summary,
                evidence={"value": lim.value, "center": lim.center, "lower": lim.lower,
                          "upper": lim.upper, "n": f.n,
                          "period": [start.isoformat(), end.isoformat()],
                          "signal": f.signal, "kind": f.kind})
            people = alert_recipients(service)
            url = alert_url(alert)
            for user in people:
                notification_send(user=user, agency=service.agency, kind="alert",
                                  title=f"{service.name}: {title}", body=summary, url=url)
            to = [e for e in (getattr(u, "email", "") for u in people) if e]
            if to:
                subject = f"[govcx] {service.name}: {title}"
                body = (f"{summary}\n\n{settings.PUBLIC_BASE_URL}{url}\n\n"
                        + _("You receive this because you own the service %(s)s in govcx, "
                            "or administer its agency.") % {"s": service.name})
                alert_id = alert.pk
                transaction.on_commit(lambda: _email(alert_id, to, subject, body),
                                      robust=True)
    except IntegrityError:  # raised meanwhile by a concurrent check
        return None
    return alert


def alerts_check(*, agency_ids: set[int] | None = None, today: dt.date | None = None,
                 progress: Callable[[int, int], None] | None = None) -> list[Alert]:
    """Judge the last complete week before `today` of every service (of `agency_ids`, or all)
    against its own previous 12 weeks; raise, notify and open an insight for each signal out
    of control. Returns the alerts raised now (none on a re-run)."""
    today = today or timezone.localdate()
    start, end, baseline = check_period(today)
    services = Service.objects.select_related("agency", "agency__parent").order_by("id")
    if agency_ids is not None:
        services = services.filter(agency_id__in=agency_ids)
    service_list = list(services)
    ids = [s.pk for s in service_list]
    responses = _response_weeks(ids, baseline[0], end)
    cases, calls = _contact_weeks(ids, baseline[0], end)
    themes = _theme_source()
    raised: list[Alert] = []
    for i, service in enumerate(service_list, start=1):
        for f in service_findings(service, start=start, end=end, baseline=baseline,
                                  responses=responses, cases=cases, calls=calls,
                                  themes=themes):
            if f.out_of_control:
                alert = _raise(service, f, start, end)
                if alert is not None:
                    raised.append(alert)
        if progress is not None:
            progress(i, len(service_list))
    return raised


def alerts_check_soon() -> bool:
    """Enqueue a background check (all agencies) at most once per CHECK_EVERY_SECONDS per
    process and across processes sharing the cache. True when one was enqueued."""
    from govcx.metrics.tasks_alerts import alerts_check_task

    return enqueue_at_most_every("alerts", CHECK_EVERY_SECONDS,
                                 lambda: alerts_check_task.enqueue())


def alerts_for(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Alert]:
    """Alerts of the agencies where the user may read dashboards or insights."""
    from govcx.core.selectors import agency_ids_for

    ids = agency_ids_for(user, "dashboard.view") | agency_ids_for(user, "insights.view")
    return Alert.objects.filter(agency_id__in=ids).select_related("service", "agency",
                                                                   "acknowledged_by")


def alert_acknowledge(*, alert: Alert, by: AbstractBaseUser) -> bool:
    """Mark the alert seen and in hand. False when it already was."""
    if alert.acknowledged_at is not None:
        return False
    alert.acknowledged_at = timezone.now()
    alert.acknowledged_by = by  # type: ignore[assignment]
    alert.save(update_fields=["acknowledged_at", "acknowledged_by"])
    return True


__all__ = ["Finding", "alert_acknowledge", "alert_recipients", "alert_words", "alerts_check",
           "alerts_check_soon", "alerts_for", "check_period", "service_findings"]
