"""The KPI engine: one registry of measures, read from rollups only (docs/metrics.md).

Every figure comes from a rollup table, never from raw responses, contacts or events, so a
page's cost depends on the length of the period and the number of services, not on how much
data there is:

* surveys: `metrics.ResponseDaily` (counted just after each response is stored, and caught
  up before every read: `metrics.services.rollups_current`);
* contact centre: `contact.CaseDaily` / `contact.CallDaily`, read with
  `govcx.contact.metrics_rollups.report_rollups` (kept at write time);
* processing time: `metrics.ProcessingDaily` (kept by `govcx kpi_refresh`);
* self-service containment: `metrics.AssistDaily` (kept at write time);
* backlog: the `open_now` counter of `contact.CaseDayService` (cases new, open or pending
  now, kept by the same per-case contributions), summed over all days.

Values are in the KPI's unit as shown (`Kpi.unit`): shares in percent (0–100), NPS in points
(−100…100), scores 1–5, durations in seconds, hours or days, counts. `num`/`den` (shares) or
`sum`/`sumsq` (means, raw units before `Kpi.scale`) are what the value rests on, for tests,
significance tests and small-number suppression.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from govcx.metrics.models import AssistDaily, ProcessingDaily, ResponseDaily
from govcx.metrics.services import COUNTERS as SURVEY_COUNTERS
from govcx.metrics.services import rollups_current
from govcx.metrics.stats import Z95, mean_ci, wilson

DIGITAL_CHANNELS = ("web", "email", "sms", "chat")
GRAINS = ("week", "month", "quarter")


@dataclass(frozen=True)
class Kpi:
    key: str
    label: Any  # lazy translated string
    unit: str  # "%", "points", "score", "seconds", "hours", "days", "count"
    higher_is_better: bool
    kind: str  # "share", "mean", "duration", "count"
    source: str  # "surveys", "cases", "calls", "journeys", "assistant", "live"
    num: str = ""  # counter names (see _counters)
    den: str = ""
    sumsq: str = ""
    scale: float = 1.0  # raw mean → shown unit
    scope: str = "service"  # "agency": measured for a whole agency only
    low: float | None = None  # plausible range of a target value, in the shown unit
    high: float | None = None

    @property
    def main(self) -> bool:
        return self.key in MAIN


def _share(key: str, label: Any, num: str, den: str, source: str, *, better: bool = True,
           scope: str = "service") -> Kpi:
    return Kpi(key, label, "%", better, "share", source, num, den, low=0, high=100,
               scope=scope)


DRIVER_LABELS = {
    "effectiveness": gettext_lazy("Effectiveness (my need was addressed)"),
    "ease": gettext_lazy("Ease"),
    "efficiency": gettext_lazy("Efficiency (reasonable time)"),
    "transparency": gettext_lazy("Transparency (clear what to do)"),
    "humanity": gettext_lazy("Humanity (treated fairly and with respect)"),
    "employee": gettext_lazy("Employee helpfulness"),
}

_ALL: list[Kpi] = [
    _share("trust", gettext_lazy("Trust"), "trust_pos", "trust_n", "surveys"),
    *[_share(f"driver_{d}", label, f"pos_{d}", "trust_n", "surveys")
      for d, label in DRIVER_LABELS.items()],
    _share("csat", gettext_lazy("Satisfaction (CSAT)"), "csat_pos", "csat_n", "surveys"),
    Kpi("ces", gettext_lazy("Customer effort (CES, 1–5, higher = easier)"), "score", True,
        "mean", "surveys", "ces_sum", "ces_n", "ces_sumsq", low=1, high=5),
    Kpi("nps", gettext_lazy("Net Promoter Score (NPS)"), "points", True, "mean", "surveys",
        "nps_net", "nps_n", "nps_sq", scale=100.0, low=-100, high=100),
    _share("response_rate", gettext_lazy("Survey response rate"), "responses", "offered",
           "surveys"),
    _share("fcr", gettext_lazy("First-contact resolution (FCR)"), "c_fcr_yes",
           "c_fcr_eligible", "cases"),
    _share("recontact", gettext_lazy("Re-contact rate"), "c_recontacted", "c_fcr_eligible",
           "cases", better=False),
    _share("answer_rate", gettext_lazy("Answer rate (calls)"), "c_answered", "c_offered",
           "calls"),
    _share("level_of_service", gettext_lazy("Level of service (calls)"), "c_answered_by_agent",
           "c_routed_to_agent", "calls"),
    _share("service_level", gettext_lazy("Service level (answered within target)"),
           "c_answered_within_target", "c_answered", "calls"),
    Kpi("speed_of_answer", gettext_lazy("Average speed of answer"), "seconds", False,
        "duration", "calls", "c_wait_seconds_sum", "c_answered", low=0),
    _share("abandonment", gettext_lazy("Abandonment rate (calls)"), "c_abandoned", "c_offered",
           "calls", better=False),
    Kpi("first_response_time", gettext_lazy("First response time"), "hours", False, "duration",
        "cases", "c_first_response_seconds_sum", "c_first_response_n", scale=1 / 3600, low=0),
    Kpi("resolution_time", gettext_lazy("Resolution time"), "hours", False, "duration", "cases",
        "c_resolution_seconds_sum", "c_resolution_n", scale=1 / 3600, low=0),
    Kpi("processing_time", gettext_lazy("Processing time"), "days", False, "duration",
        "journeys", "p_sum", "p_n", "p_sumsq", scale=1 / 86400, low=0),
    Kpi("backlog", gettext_lazy("Backlog (open cases now)"), "count", False, "count", "live",
        "backlog", low=0),
    _share("digital_adoption", gettext_lazy("Digital adoption"), "c_digital_cases", "c_cases",
           "cases"),
    _share("containment", gettext_lazy("Self-service containment (assistant)"),
           "a_contained", "a_conversations", "assistant", scope="agency"),
]
KPIS: dict[str, Kpi] = {k.key: k for k in _ALL}
MAIN = ("trust", "csat", "response_rate", "fcr", "abandonment", "resolution_time",
        "processing_time", "backlog")


@dataclass
class KpiValue:
    key: str
    value: float | None
    n: int = 0
    num: float | None = None
    den: float | None = None
    sum: float | None = None
    sumsq: float | None = None
    ci: tuple[float, float] | None = None

    @property
    def kpi(self) -> Kpi:
        return KPIS[self.key]


@dataclass
class Change:
    key: str
    before: float | None
    after: float | None
    difference: float | None  # after − before, in the KPI's unit (percentage points for shares)
    ci: tuple[float, float] | None
    p_value: float | None
    significant: bool
    test: str  # "two-proportion z", "Welch t" or "" (not testable)

    @property
    def better(self) -> bool | None:
        if not self.difference:
            return None
        return (self.difference > 0) == KPIS[self.key].higher_is_better

    def words(self) -> str:
        """"up 4.1 points, unlikely to be chance (p = 0.01)" and the like."""
        if self.difference is None:
            return _("no comparison (no data in one of the periods)")
        kpi = KPIS[self.key]
        unit = {"%": _("points"), "points": _("points"), "score": "", "seconds": _("seconds"),
                "hours": _("hours"), "days": _("days"), "count": ""}[kpi.unit]
        amount = f"{abs(self.difference):.1f}" if kpi.kind != "count" else f"{abs(self.difference):.0f}"
        amount = f"{amount} {unit}".strip()
        if self.difference == 0:
            head = _("no change")
        elif self.difference > 0:
            head = _("up %(amount)s") % {"amount": amount}
        else:
            head = _("down %(amount)s") % {"amount": amount}
        if self.p_value is None:
            return head + ", " + _("not tested for significance")
        p = f"p = {self.p_value:.2f}" if self.p_value >= 0.01 else "p < 0.01"
        if self.significant:
            return head + ", " + _("unlikely to be chance (%(p)s)") % {"p": p}
        return head + ", " + _("could be chance (%(p)s)") % {"p": p}


# --- raw counters from the rollups ----------------------------------------------------------

def _sources_for(keys: Iterable[str]) -> set[str]:
    return {KPIS[k].source for k in keys}


def _survey_rows(agency_ids: set[int], service_id: int | None, start: dt.date, end: dt.date,
                 group: str | None) -> Iterable[tuple[Any, Counter[str]]]:
    rollups_current()
    qs = ResponseDaily.objects.filter(agency_id__in=agency_ids, day__gte=start, day__lte=end)
    if service_id is not None:
        qs = qs.filter(service_id=service_id)
    sums = {c: Sum(c) for c in SURVEY_COUNTERS}
    rows = ([qs.aggregate(**sums)] if group is None
            else qs.order_by().values(group).annotate(**sums))
    for row in rows:
        g = row.pop(group) if group else None
        c = Counter({k: int(v or 0) for k, v in row.items()})
        c["nps_net"] = c["nps_promoters"] - c["nps_detractors"]
        c["nps_sq"] = c["nps_promoters"] + c["nps_detractors"]
        yield g, c


def _contact_rows(agency_ids: set[int], service_id: int | None, start: dt.date, end: dt.date,
                  group: str | None) -> Iterable[tuple[Any, Counter[str]]]:
    from govcx.contact import metrics as cm
    from govcx.contact.metrics_rollups import report_rollups
    from govcx.contact.models import CaseDayService

    f = cm.MetricFilter(agency_ids=frozenset(agency_ids), start=start, end=end,
                        service=service_id)
    dimension = {"day": "day", "service_id": "service", None: None}[group]
    out: dict[Any, Counter[str]] = {}
    for g, totals in report_rollups(f, dimension).totals.items():
        out[None if group is None else g] = Counter({f"c_{k}": int(v) for k, v in totals.items()})
    digital = CaseDayService.objects.filter(agency_id__in=agency_ids, day__gte=start, day__lte=end,
                                       channel__in=DIGITAL_CHANNELS)
    if service_id is not None:
        digital = digital.filter(service_id=service_id)
    rows = ([digital.aggregate(n=Sum("cases"))] if group is None
            else digital.order_by().values(group).annotate(n=Sum("cases")))
    for row in rows:
        g = row.get(group) if group else None
        out.setdefault(g, Counter())["c_digital_cases"] += int(row["n"] or 0)
    return out.items()


def _processing_rows(agency_ids: set[int], service_id: int | None, start: dt.date,
                     end: dt.date, group: str | None) -> Iterable[tuple[Any, Counter[str]]]:
    qs = ProcessingDaily.objects.filter(agency_id__in=agency_ids, day__gte=start, day__lte=end)
    if service_id is not None:
        qs = qs.filter(service_id=service_id)
    sums = {"p_n": Sum("n"), "p_sum": Sum("seconds_sum"), "p_sumsq": Sum("seconds_sumsq")}
    rows = ([qs.aggregate(**sums)] if group is None
            else qs.order_by().values(group).annotate(**sums))
    for row in rows:
        g = row.pop(group) if group else None
        yield g, Counter({k: float(v or 0) for k, v in row.items()})


def _assist_rows(agency_ids: set[int], service_id: int | None, start: dt.date, end: dt.date,
                 group: str | None) -> Iterable[tuple[Any, Counter[str]]]:
    if service_id is not None or group == "service_id":
        return  # conversations belong to an agency, not to a service
    qs = AssistDaily.objects.filter(agency_id__in=agency_ids, day__gte=start, day__lte=end)
    sums = {"a_conversations": Sum("conversations"), "a_handed_over": Sum("handed_over")}
    rows = ([qs.aggregate(**sums)] if group is None
            else qs.order_by().values(group).annotate(**sums))
    for row in rows:
        g = row.pop(group) if group else None
        c = Counter({k: int(v or 0) for k, v in row.items()})
        c["a_contained"] = c["a_conversations"] - c["a_handed_over"]
        yield g, c


def _backlog_rows(agency_ids: set[int], service_id: int | None, group: str | None
                  ) -> Iterable[tuple[Any, Counter[str]]]:
    """Cases open now (new, open or pending; merged-away cases left out), from the rollup's
    `open_now` counter over every day."""
    from govcx.contact.models import CaseDayService

    qs = CaseDayService.objects.filter(agency_id__in=agency_ids, open_now__gt=0)
    if service_id is not None:
        qs = qs.filter(service_id=service_id)
    if group is None:
        yield None, Counter({"backlog": int(qs.aggregate(n=Sum("open_now"))["n"] or 0)})
        return
    for row in qs.order_by().values("service_id").annotate(n=Sum("open_now")):
        yield row["service_id"] or None, Counter({"backlog": int(row["n"] or 0)})


Reader = Callable[[set[int], int | None, dt.date, dt.date, str | None],
                  Iterable[tuple[Any, Counter[str]]]]
_READERS: dict[str, Reader] = {
    "surveys": _survey_rows, "cases": _contact_rows, "calls": _contact_rows,
    "journeys": _processing_rows, "assistant": _assist_rows,
}


def _counters(agency_ids: set[int], service_id: int | None, start: dt.date, end: dt.date,
              keys: Sequence[str], group: str | None, *, live: bool = True
              ) -> dict[Any, Counter[str]]:
    out: dict[Any, Counter[str]] = {}
    readers: list[Reader] = []
    for src in sorted(_sources_for(keys)):
        r = _READERS.get(src)
        if r is not None and r not in readers:
            readers.append(r)
    for reader in readers:
        for g, c in reader(agency_ids, service_id, start, end, group):
            out.setdefault(g, Counter()).update(c)
    if live and "live" in _sources_for(keys) and group in (None, "service_id"):
        for g, c in _backlog_rows(agency_ids, service_id, group):
            out.setdefault(g, Counter()).update(c)
    return out


# --- from counters to values ----------------------------------------------------------------

def value_of(kpi: Kpi, c: Counter[str] | dict[str, float], *, live: bool = True) -> KpiValue:
    g = lambda name: c.get(name, 0) or 0  # noqa: E731
    if kpi.kind == "count":
        if not live:
            return KpiValue(kpi.key, None)
        n = int(g(kpi.num))
        return KpiValue(kpi.key, float(n), n=n, num=n)
    if kpi.kind == "share":
        num, den = int(g(kpi.num)), int(g(kpi.den))
        if den <= 0:
            return KpiValue(kpi.key, None, n=0, num=num, den=den)
        ci = wilson(num, den) if 0 <= num <= den else None
        return KpiValue(kpi.key, 100.0 * num / den, n=den, num=num, den=den,
                        ci=(100.0 * ci[0], 100.0 * ci[1]) if ci else None)
    total, n = float(g(kpi.num)), int(g(kpi.den))
    sumsq = float(g(kpi.sumsq)) if kpi.sumsq else None
    if n <= 0:
        return KpiValue(kpi.key, None, n=0, sum=total, sumsq=sumsq)
    ci = None
    if sumsq is not None:
        m = mean_ci(total, sumsq, n)
        if m is not None and n > 1:
            ci = (m[1] * kpi.scale, m[2] * kpi.scale)
            if kpi.scale < 0:
                ci = (ci[1], ci[0])
    return KpiValue(kpi.key, total / n * kpi.scale, n=n, sum=total, sumsq=sumsq, ci=ci)


def _keys(keys: Sequence[str] | None) -> list[str]:
    if keys is None:
        return list(KPIS)
    unknown = [k for k in keys if k not in KPIS]
    if unknown:
        raise ValueError(f"Unknown KPI: {', '.join(unknown)}.")
    return list(keys)


def kpi_values(*, agency_ids: set[int], service_id: int | None, start: dt.date, end: dt.date,
               keys: Sequence[str] | None = None, live: bool = True) -> dict[str, KpiValue]:
    """Every KPI (or `keys`) of one service (or, with service_id None, of all services of the
    agencies) over start..end inclusive. The backlog is the count of cases open now (it
    ignores the period; None with `live` False, e.g. for an earlier period); containment is
    None for a service (it is agency-wide)."""
    ks = _keys(keys)
    if not agency_ids:
        return {k: KpiValue(k, None) for k in ks}
    c = _counters(agency_ids, service_id, start, end, ks, None, live=live).get(None, Counter())
    return {k: value_of(KPIS[k], c, live=live) for k in ks}


def bucket_of(day: dt.date, grain: str) -> dt.date:
    if grain == "week":
        return day - dt.timedelta(days=day.weekday())
    if grain == "month":
        return day.replace(day=1)
    if grain == "quarter":
        return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    raise ValueError(f"Unknown grain '{grain}'; use week, month or quarter.")


def buckets(start: dt.date, end: dt.date, grain: str) -> list[dt.date]:
    out: list[dt.date] = []
    b = bucket_of(start, grain)
    while b <= end:
        out.append(b)
        if grain == "week":
            b += dt.timedelta(days=7)
        else:
            step = 1 if grain == "month" else 3
            y, m = divmod(b.month - 1 + step, 12)
            b = dt.date(b.year + y, m + 1, 1)
    return out


def kpi_series(*, agency_ids: set[int], service_id: int | None, start: dt.date, end: dt.date,
               grain: str = "month", keys: Sequence[str] | None = None
               ) -> list[tuple[dt.date, dict[str, KpiValue]]]:
    """The KPIs per week, month or quarter (each labelled by its first day; the first and
    last buckets only count the days inside start..end). The backlog has no history: None."""
    ks = _keys(keys)
    slots = buckets(start, end, grain)
    per: dict[dt.date, Counter[str]] = {b: Counter() for b in slots}
    if agency_ids:
        for day, c in _counters(agency_ids, service_id, start, end, ks, "day",
                                live=False).items():
            if day is not None:
                per[bucket_of(day, grain)].update(c)
    return [(b, {k: value_of(KPIS[k], per[b], live=False) for k in ks}) for b in slots]


def kpi_values_by_service(*, start: dt.date, end: dt.date, keys: Sequence[str] | None = None,
                          agency_ids: set[int] | None = None
                          ) -> dict[int, dict[str, KpiValue]]:
    """The KPIs of every service (of all agencies unless `agency_ids`), for benchmarks.
    Agency-wide KPIs (containment) are left out."""
    from govcx.core.models import Service

    ks = [k for k in _keys(keys) if KPIS[k].scope == "service"]
    ids = (set(agency_ids) if agency_ids is not None
           else set(Service.objects.values_list("agency_id", flat=True)))
    if not ids:
        return {}
    grouped = _counters(ids, None, start, end, ks, "service_id")
    services = Service.objects.filter(agency_id__in=ids).values_list("id", flat=True)
    return {sid: {k: value_of(KPIS[k], grouped.get(sid, Counter())) for k in ks}
            for sid in services}


# --- change between two periods -------------------------------------------------------------

def kpi_change(before: KpiValue, after: KpiValue) -> Change:
    """after − before with a 95% confidence interval and a two-sided p-value: a
    two-proportion z test for shares, Welch's t test (from sums and sums of squares) for
    means. Durations without a sum of squares and counts are not tested."""
    from scipy import stats

    kpi = KPIS[after.key]
    if before.value is None or after.value is None:
        return Change(kpi.key, before.value, after.value, None, None, None, False, "")
    diff = after.value - before.value
    if kpi.kind == "share" and before.den and after.den and before.num is not None \
            and after.num is not None and before.num <= before.den and after.num <= after.den:
        n1, n2 = float(before.den), float(after.den)
        p1, p2 = before.num / n1, after.num / n2
        pooled = (before.num + after.num) / (n1 + n2)
        se0 = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
        se1 = math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
        ci = (100 * (p2 - p1 - Z95 * se1), 100 * (p2 - p1 + Z95 * se1))
        if se0 == 0:
            return Change(kpi.key, before.value, after.value, diff, ci, 1.0, False,
                          "two-proportion z")
        z = (p2 - p1) / se0
        p = float(2 * stats.norm.sf(abs(z)))
        return Change(kpi.key, before.value, after.value, diff, ci, p, p < 0.05,
                      "two-proportion z")
    if kpi.kind in ("mean", "duration") and before.sumsq is not None \
            and after.sumsq is not None and before.sum is not None and after.sum is not None \
            and before.n > 1 and after.n > 1:
        n1, n2 = before.n, after.n
        m1, m2 = before.sum / n1, after.sum / n2
        v1 = max(0.0, (before.sumsq - n1 * m1 * m1) / (n1 - 1))
        v2 = max(0.0, (after.sumsq - n2 * m2 * m2) / (n2 - 1))
        a, b = v1 / n1, v2 / n2
        se = math.sqrt(a + b)
        if se == 0:
            return Change(kpi.key, before.value, after.value, diff, None, None, False, "")
        t = (m2 - m1) / se
        df = (a + b) ** 2 / ((a * a) / (n1 - 1) + (b * b) / (n2 - 1))
        p = float(2 * stats.t.sf(abs(t), df))
        half = float(stats.t.ppf(0.975, df)) * se
        lo, hi = (m2 - m1 - half) * kpi.scale, (m2 - m1 + half) * kpi.scale
        return Change(kpi.key, before.value, after.value, diff, (min(lo, hi), max(lo, hi)), p,
                      p < 0.05, "Welch t")
    return Change(kpi.key, before.value, after.value, diff, None, None, False, "")


def previous_period(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The period of equal length just before start..end."""
    days = (end - start).days + 1
    return start - dt.timedelta(days=days), start - dt.timedelta(days=1)


# --- benchmarks -----------------------------------------------------------------------------

@dataclass
class Benchmark:
    key: str
    percentile: float | None  # share of the other services this one does better than (0–100)
    services: int  # services with a value (this one included)
    q1: float | None
    median: float | None
    q3: float | None


def _quantile(sorted_values: list[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    pos = (len(sorted_values) - 1) * q
    lo = math.floor(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


BENCHMARK_MIN_PEER_SERVICES = 5
BENCHMARK_MIN_PEER_AGENCIES = 3


def benchmark_pool(values: dict[int, dict[str, KpiValue]], *, visible_agency_ids: set[int]
                   ) -> tuple[dict[int, dict[str, KpiValue]], bool]:
    """The services a benchmark may rank against without revealing another agency's figure:
    the viewer's own agencies' services always; other agencies' services only when there are
    at least BENCHMARK_MIN_PEER_SERVICES of them from at least BENCHMARK_MIN_PEER_AGENCIES
    agencies (with one or two peers, a quartile would give away their exact value).
    Returns the pool and whether other agencies are in it."""
    from govcx.core.models import Service

    agency_of = dict(Service.objects.filter(pk__in=list(values)).values_list("id", "agency_id"))
    others = {sid for sid, a in agency_of.items() if a not in visible_agency_ids}
    other_agencies = {agency_of[sid] for sid in others}
    if (len(others) >= BENCHMARK_MIN_PEER_SERVICES
            and len(other_agencies) >= BENCHMARK_MIN_PEER_AGENCIES):
        return values, True
    return {sid: v for sid, v in values.items() if sid not in others}, False


def benchmark_of(key: str, service_id: int, values: dict[int, dict[str, KpiValue]],
                 *, min_n: int = 11) -> Benchmark:
    """Where one service stands among all services with at least `min_n` observations:
    percentile = (services it does better than + half of the ties) ÷ (other services) × 100,
    "better" in the KPI's direction; and the quartiles of all those services' values."""
    kpi = KPIS[key]
    pool = {sid: v[key].value for sid, v in values.items()
            if key in v and v[key].value is not None and v[key].n >= min_n}
    vals = sorted(x for x in pool.values() if x is not None)
    if not vals:
        return Benchmark(key, None, 0, None, None, None)
    q1, med, q3 = (_quantile(vals, q) for q in (0.25, 0.5, 0.75))
    mine = pool.get(service_id)
    others = [x for sid, x in pool.items() if sid != service_id and x is not None]
    if mine is None or not others:
        return Benchmark(key, None, len(vals), q1, med, q3)
    worse = sum(1 for x in others if (x < mine if kpi.higher_is_better else x > mine))
    ties = sum(1 for x in others if x == mine)
    return Benchmark(key, 100.0 * (worse + 0.5 * ties) / len(others), len(vals), q1, med, q3)


# --- targets --------------------------------------------------------------------------------

STATUS_LABELS = {
    "met": gettext_lazy("Met"),
    "missed": gettext_lazy("Missed"),
    "on_track": gettext_lazy("On track"),
    "at_risk": gettext_lazy("At risk"),
    "off_track": gettext_lazy("Off track"),
    "not_started": gettext_lazy("Not started"),
    "no_data": gettext_lazy("No data"),
}


@dataclass
class TargetStatus:
    status: str
    value: KpiValue
    start: dt.date
    end: dt.date  # the end of what was measured (today for a running period)

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self.status])


def _meets(value: float, target: float, direction: str) -> bool:
    return value >= target if direction == "at_least" else value <= target


def status_of(*, value: KpiValue, target: float, direction: str, period_end: dt.date,
              today: dt.date, period_start: dt.date | None = None) -> str:
    """met / missed once the period is over; on track / at risk / off track while it runs
    (at risk: the value misses but the target is inside its 95% CI, or there is no CI);
    not started before it begins; no data without a value."""
    if period_start is not None and period_start > today:
        return "not_started"
    if value.value is None:
        return "no_data"
    ok = _meets(value.value, target, direction)
    if period_end < today:
        return "met" if ok else "missed"
    if ok:
        return "on_track"
    if value.ci is None or value.ci[0] <= target <= value.ci[1]:
        return "at_risk"
    return "off_track"


def target_status(target: Any, *, today: dt.date) -> TargetStatus:
    """The status of a metrics.Target, from the KPI's value over the target's period so far."""
    end = min(target.end, today)
    if target.start > today:
        return TargetStatus("not_started", KpiValue(target.kpi, None), target.start, end)
    value = kpi_values(agency_ids={target.agency_id}, service_id=target.service_id,
                       start=target.start, end=end, keys=[target.kpi])[target.kpi]
    status = status_of(value=value, target=target.value, direction=target.direction,
                       period_end=target.end, today=today, period_start=target.start)
    return TargetStatus(status, value, target.start, end)


def target_statuses(targets: Iterable[Any], *, today: dt.date) -> dict[int, TargetStatus]:
    """`target_status` of many targets (by target id), reading the rollups once per
    (service, period) instead of once per target: a page's query count grows with the
    number of distinct target periods, not with services × KPIs."""
    groups: dict[tuple[int, int | None, dt.date, dt.date], list[Any]] = {}
    out: dict[int, TargetStatus] = {}
    for t in targets:
        if t.kpi not in KPIS:
            continue
        end = min(t.end, today)
        if t.start > today:
            out[t.pk] = TargetStatus("not_started", KpiValue(t.kpi, None), t.start, end)
            continue
        groups.setdefault((t.agency_id, t.service_id, t.start, end), []).append(t)
    for (agency_id, service_id, start, end), ts in groups.items():
        values = kpi_values(agency_ids={agency_id}, service_id=service_id, start=start,
                            end=end, keys=sorted({t.kpi for t in ts}))
        for t in ts:
            v = values[t.kpi]
            out[t.pk] = TargetStatus(
                status_of(value=v, target=t.value, direction=t.direction, period_end=t.end,
                          today=today, period_start=t.start), v, t.start, end)
    return out


def format_value(key: str, value: float | None) -> str:
    """A KPI value as shown: "82.3%", "+12 points"… and "–" for no data."""
    if value is None:
        return "–"
    unit = KPIS[key].unit
    if unit == "%":
        return f"{value:.1f}%"
    if unit == "points":
        return f"{value:+.0f}"
    if unit == "score":
        return f"{value:.2f}"
    if unit == "count":
        return f"{value:.0f}"
    return f"{value:.1f} {_(unit)}"


def format_ci(key: str, ci: tuple[float, float] | None) -> str:
    if ci is None:
        return "–"
    unit = KPIS[key].unit
    if unit == "%":
        return f"{ci[0]:.1f}–{ci[1]:.1f}%"
    if unit == "score":
        return f"{ci[0]:.2f}–{ci[1]:.2f}"
    if unit == "points":
        return f"{ci[0]:+.0f} to {ci[1]:+.0f}"
    return f"{ci[0]:.1f}–{ci[1]:.1f} {_(unit)}"
