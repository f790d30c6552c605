"""Public transparency figures (selectors): read from the rollups, suppressed, cached.

Everything here is public data: no user scoping, only aggregate figures that pass
`govcx.metrics.suppression`, targets marked public and done public actions.

Periods are fixed: the whole months of one federal fiscal year (October–September) that have
ended (never the month in progress, so figures do not change day by day), the quarters
whose three months have ended and, once all twelve have, the year (never a quarter-to-date
or year-to-date total). One joint suppression is computed per agency and fiscal year, so
the agency page, every service page and every download show the same pattern and cannot be
played against each other; and every cell once published is kept in the ledger
(`PublishedFigure`) and keeps its status in every later computation, so publications made
at different dates cannot be played against each other either.

Sources, with the definitions of `govcx.metrics.kpi` (docs/metrics.md): `ResponseDaily`
(responses per channel, offers, trust, drivers as shares of the people who answered the
trust question), `contact.CallDaily` (calls offered and answered, average speed of answer,
abandonment), `metrics.ProcessingDaily` (processing time of completed journeys) and
`contact.CaseDaily` (resolution time of contact-centre cases). The suppression needs the
additive counts of every part (per channel, per month) for all services at once, so this
module reads the same rollup counters in one grouped query per source, rather than one
`kpi_series` call per service and measure.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Exists, OuterRef, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _

from govcx.contact.models import CallDaily, CaseDaily
from govcx.core.models import Agency, Service
from govcx.metrics.models import (
    DRIVER_FIELDS,
    ProcessingDaily,
    PublishedFigure,
    PublishedMonth,
    ResponseDaily,
    Target,
)
from govcx.metrics.services import rollups_current
from govcx.metrics.stats import wilson
from govcx.metrics.suppression import Status, Table, suppress

EARLIEST_FY = 2000
GRAINS = ("month", "quarter")
#: Seconds the computed figures of one agency and year are kept in the cache
#: (settings.TRANSPARENCY_CACHE_SECONDS overrides; 0 turns the cache off).
DEFAULT_CACHE_SECONDS = 300
#: Part of every cache key: bumped when the shape or the rule of the figures changes, so
#: entries computed by an older release are never served.
CACHE_VERSION = 2
YEAR = "FY"
STATUS_HIDDEN = "suppressed"  # not shown to protect privacy (small, or protecting one)
STATUS_PENDING = "pending"  # a quarter or year total before the period has ended
STATUS_SHOWN = "shown"
STATUS_NONE = "none"  # no data (nothing to hide)


# --- periods ------------------------------------------------------------------------------

def fiscal_year(day: dt.date) -> int:
    return day.year + 1 if day.month >= 10 else day.year


def fy_quarter(month: dt.date) -> str:
    return f"Q{((month.month - 10) % 12) // 3 + 1}"


def latest_fy(today: dt.date) -> int:
    """The fiscal year of the last month that has ended."""
    return fiscal_year(today.replace(day=1) - dt.timedelta(days=1))


def published_months(fy: int, today: dt.date) -> list[dt.date]:
    """The months of fiscal year `fy` that have ended (October first)."""
    this_month = today.replace(day=1)
    out = []
    for i in range(12):
        y, m = (fy - 1, 10 + i) if i < 3 else (fy, i - 2)
        first = dt.date(y, m, 1)
        if first < this_month:
            out.append(first)
    return out


def fy_clean(raw: str | None, today: dt.date) -> int:
    """The fiscal year asked for, or ValueError with a plain-language reason. Default: the
    latest fiscal year with a complete quarter (in its first months a year has no totals
    yet, so the previous, complete year is the more useful page)."""
    last = latest_fy(today)
    if raw in (None, ""):
        if len(published_months(last, today)) < 3 and last - 1 >= EARLIEST_FY:
            return last - 1
        return last
    assert raw is not None
    if not raw.isdigit() or len(raw) != 4:
        raise ValueError(_("'%(raw)s' is not a fiscal year. Use four digits, e.g. fy=%(last)s.")
                         % {"raw": raw[:20], "last": last})
    fy = int(raw)
    if not EARLIEST_FY <= fy <= last:
        raise ValueError(_("Figures are published for fiscal years %(first)s to %(last)s.")
                         % {"first": EARLIEST_FY, "last": last})
    return fy


def grain_clean(raw: str | None) -> str:
    if raw in (None, ""):
        return "month"
    if raw not in GRAINS:
        raise ValueError(_("The grain must be 'month' or 'quarter'."))
    assert raw is not None
    return raw


def month_key(month: dt.date) -> str:
    return month.strftime("%Y-%m")


def _nodes(months: list[dt.date]) -> tuple[list[str], dict[str, list[str]]]:
    """Month keys and the quarters whose three months have all ended (a quarter or year
    total is published only once its period is complete)."""
    quarters: dict[str, list[str]] = {}
    for m in months:
        quarters.setdefault(fy_quarter(m), []).append(month_key(m))
    return [month_key(m) for m in months], {q: ms for q, ms in quarters.items()
                                            if len(ms) == 3}


# --- reading the rollups ------------------------------------------------------------------

_R_FIELDS = ["responses", "offered", "trust_n", "trust_pos",
             *(f"pos_{d}" for d in DRIVER_FIELDS), *(f"neg_{d}" for d in DRIVER_FIELDS)]
_CALL_FIELDS = ["offered", "answered", "wait_seconds_sum"]
_CASE_FIELDS = ["resolution_n", "resolution_seconds_sum"]


def _load(agency_id: int, start: dt.date, end: dt.date) -> dict[str, Any]:
    """Monthly counters per service (and per channel for responses), three queries."""
    resp: dict[tuple[int, str, str], dict[str, int]] = {}
    rollups_current()
    for row in (ResponseDaily.objects.filter(agency_id=agency_id, day__gte=start, day__lte=end)
                .annotate(month=TruncMonth("day")).values("service_id", "channel", "month")
                .annotate(**{f: Sum(f) for f in _R_FIELDS}).order_by()):
        resp[(row["service_id"], row["channel"] or "other", month_key(row["month"]))] = {
            f: int(row[f] or 0) for f in _R_FIELDS}
    calls: dict[tuple[int, str], dict[str, int]] = {}
    for row in (CallDaily.objects.filter(agency_id=agency_id, day__gte=start, day__lte=end)
                .exclude(service_id=0).annotate(month=TruncMonth("day"))
                .values("service_id", "month").annotate(**{f: Sum(f) for f in _CALL_FIELDS})
                .order_by()):
        calls[(row["service_id"], month_key(row["month"]))] = {
            f: int(row[f] or 0) for f in _CALL_FIELDS}
    cases: dict[tuple[int, str], dict[str, int]] = {}
    for row in (CaseDaily.objects.filter(agency_id=agency_id, day__gte=start, day__lte=end)
                .exclude(service_id=0).annotate(month=TruncMonth("day"))
                .values("service_id", "month").annotate(**{f: Sum(f) for f in _CASE_FIELDS})
                .order_by()):
        cases[(row["service_id"], month_key(row["month"]))] = {
            f: int(row[f] or 0) for f in _CASE_FIELDS}
    proc: dict[tuple[int, str], dict[str, float]] = {}
    for row in (ProcessingDaily.objects.filter(agency_id=agency_id, day__gte=start, day__lte=end)
                .annotate(month=TruncMonth("day")).values("service_id", "month")
                .annotate(n=Sum("n"), seconds_sum=Sum("seconds_sum")).order_by()):
        proc[(row["service_id"], month_key(row["month"]))] = {
            "n": int(row["n"] or 0), "seconds_sum": float(row["seconds_sum"] or 0)}
    return {"resp": resp, "calls": calls, "cases": cases, "proc": proc}


# --- building the suppression tables ------------------------------------------------------

def _k(*prefix: Any) -> Callable[[str], tuple[Any, ...]]:
    """The cell id of a series at a period: (*prefix, period)."""
    return lambda t: (*prefix, t)


def _series(table: Table, key: Callable[[str], Any], month_values: dict[str, int],
            months: list[str], quarters: dict[str, list[str]], *, shown: bool = True) -> None:
    """Cells for every month, every complete quarter and (once all twelve months have ended)
    the year, with the equations between them. `quarters` holds complete quarters only."""
    for m in months:
        table.add(key(m), month_values.get(m, 0), shown=shown)
    for q, ms in quarters.items():
        table.add(key(q), sum(month_values.get(m, 0) for m in ms), shown=shown)
        table.relate(key(q), [key(m) for m in ms])
    if len(months) == 12:
        table.add(key(YEAR), sum(month_values.get(m, 0) for m in months), shown=shown)
        table.relate(key(YEAR), [key(q) for q in quarters])


def _code(status: Status | None) -> str:
    """How a count cell is published: shown (zero included) or hidden. Every hidden cell has
    the same label, so the label says nothing about the size of the hidden figure."""
    if status in (Status.PRIMARY, Status.COMPLEMENTARY):
        return STATUS_HIDDEN
    return STATUS_SHOWN


def _worst(*codes: str) -> str:
    for c in (STATUS_HIDDEN, STATUS_NONE):
        if c in codes:
            return c
    return STATUS_SHOWN


def fig(value: float | int | None, status: str, **extra: Any) -> dict[str, Any]:
    """One published figure: its value only when it may be shown."""
    return {"value": value if status == STATUS_SHOWN else None, "status": status, **extra}


def _count_fig(statuses: dict[Any, Status], values: dict[Any, int], cell: Any) -> dict[str, Any]:
    return fig(values.get(cell, 0), _code(statuses.get(cell)))


def _share_fig(statuses: dict[Any, Status], values: dict[Any, int], num: Any, den: Any,
               *, with_ci: bool = False) -> dict[str, Any]:
    n, k = values.get(den, 0), values.get(num, 0)
    if n == 0:
        return fig(None, STATUS_NONE)
    code = _worst(_code(statuses.get(den)), _code(statuses.get(num)))
    if code != STATUS_SHOWN:
        return fig(None, code)
    extra: dict[str, Any] = {}
    if with_ci:
        ci = wilson(k, n)
        extra["ci"] = [round(ci[0], 4), round(ci[1], 4)] if ci else None
    return fig(round(k / n, 4), STATUS_SHOWN, n=n, **extra)


class Ledger:
    """What has already been published for one agency and fiscal year (`PublishedFigure`).

    `run` suppresses a table with every cell already in the ledger fixed to its published
    status (a cell once shown stays shown, one once hidden stays hidden, and their
    equations still count), and collects the cells published for the first time."""

    def __init__(self, known: dict[str, tuple[int, str]]) -> None:
        self.known = known
        self.new: dict[str, tuple[int, str]] = {}

    @staticmethod
    def name(ns: Any, cell: Any) -> str:
        return repr((ns, cell))

    def run(self, table: Table, ns: Any = "",
            extra_fixed: dict[Any, Status] | None = None) -> dict[Any, Status]:
        fixed = dict(extra_fixed or {})
        for c in table.values:
            hit = self.known.get(self.name(ns, c))
            if hit is not None and c not in fixed:
                fixed[c] = Status(hit[1])
        status = suppress(table, fixed=fixed)
        for c, st in status.items():
            if extra_fixed and c in extra_fixed:
                continue
            n = self.name(ns, c)
            if n not in self.known:
                self.new[n] = (table.values[c], st.value)
        return status


def _part_of(table: Table, key: Callable[[str], Any], whole: Callable[[str], Any],
             rest: Callable[[str], Any], part_m: dict[str, int], whole_m: dict[str, int],
             months: list[str], quarters: dict[str, list[str]], nodes: list[str]) -> bool:
    """Add `part` (shown) and `rest` = whole − part (never shown) series, with
    whole = part + rest at every period. False (and nothing added) when a part exceeds
    its whole (inconsistent counters)."""
    if any(part_m.get(m, 0) > whole_m.get(m, 0) for m in months):
        return False
    _series(table, key, part_m, months, quarters)
    _series(table, rest, {m: whole_m.get(m, 0) - part_m.get(m, 0) for m in months}, months,
            quarters, shown=False)
    for t in nodes:
        table.relate(whole(t), [key(t), rest(t)])
    return True


def _suppress_agency(agency_id: int, services: list[Service], months: list[str],
                     quarters: dict[str, list[str]], data: dict[str, Any],
                     ledger: Ledger | None = None) -> dict[str, Any]:
    ledger = ledger or Ledger({})
    nodes = [*months, *quarters, *([YEAR] if len(months) == 12 else [])]
    resp = data["resp"]
    # 1. one joint table per agency: responses of services × channels × periods with the
    # agency total; the people asked (response rate), the people who answered the trust
    # question and the people who trust, each with the never-shown rest (asked but did not
    # answer, answered but skipped trust, answered trust but did not agree), so that no
    # count behind a published share can be separated from the others
    vol = Table()
    channels: dict[int, list[str]] = {}
    has: dict[int, set[str]] = {}
    for s in services:
        chans = sorted({c for (sid, c, _m) in resp if sid == s.pk})
        channels[s.pk] = chans
        per_chan = {c: {m: resp.get((s.pk, c, m), {}).get("responses", 0) for m in months}
                    for c in chans}
        for c in chans:
            _series(vol, _k("r", s.pk, c), per_chan[c], months, quarters)
        all_m = {m: sum(per_chan[c][m] for c in chans) for m in months}
        _series(vol, _k("r", s.pk, "all"), all_m, months, quarters)
        if chans:
            for t in nodes:
                vol.relate(("r", s.pk, "all", t), [("r", s.pk, c, t) for c in chans])

        def monthly(field: str, sid: int = s.pk, cs: list[str] = chans) -> dict[str, int]:
            return {m: sum(resp.get((sid, c, m), {}).get(field, 0) for c in cs) for m in months}

        has[s.pk] = set()
        offered, tn, tp = monthly("offered"), monthly("trust_n"), monthly("trust_pos")
        # offered ⊇ responses: offered = responses + not answered
        if all(offered[m] >= all_m[m] for m in months):
            _series(vol, _k("of", s.pk), offered, months, quarters)
            _series(vol, _k("ox", s.pk), {m: offered[m] - all_m[m] for m in months}, months,
                    quarters, shown=False)
            for t in nodes:
                vol.relate(("of", s.pk, t), [("r", s.pk, "all", t), ("ox", s.pk, t)])
            has[s.pk].add("of")
        if _part_of(vol, _k("tn", s.pk), _k("r", s.pk, "all"), _k("tx", s.pk), tn, all_m,
                    months, quarters, nodes):
            has[s.pk].add("tn")
            if _part_of(vol, _k("tp", s.pk), _k("tn", s.pk), _k("tf", s.pk), tp, tn,
                        months, quarters, nodes):
                has[s.pk].add("tp")
    if len(months) == 12:
        vol.add(("r", "agency", "all", YEAR), sum(vol.values[("r", s.pk, "all", YEAR)]
                                                   for s in services))
        vol.relate(("r", "agency", "all", YEAR), [("r", s.pk, "all", YEAR) for s in services])
    vol_status = ledger.run(vol)

    out: dict[str, Any] = {"by_service": {}, "channels": channels}
    out["agency_responses"] = (
        _count_fig(vol_status, vol.values, ("r", "agency", "all", YEAR))
        if len(months) == 12 else fig(None, STATUS_PENDING))
    for s in services:
        out["by_service"][s.pk] = _service_figures(s, months, quarters, nodes, data, vol,
                                                 vol_status, channels[s.pk], has[s.pk],
                                                 ledger)
    return out


def _service_figures(s: Service, months: list[str], quarters: dict[str, list[str]],
                     nodes: list[str], data: dict[str, Any], vol: Table,
                     vol_status: dict[Any, Status], chans: list[str], has: set[str],
                     ledger: Ledger) -> dict[str, Any]:
    resp, calls, cases = data["resp"], data["calls"], data["cases"]
    ns = ("s", s.pk)

    def monthly(field: str) -> dict[str, int]:
        return {m: sum(resp.get((s.pk, c, m), {}).get(field, 0) for c in chans) for m in months}

    # 2. trust: the respondents (tn) and the trusting (tp) are cells of the joint table, so
    # trust is shown only when both counts are
    tn = monthly("trust_n")
    tn_key = _k("tn", s.pk)
    tn_only: dict[Any, Status] = {}
    if "tn" in has:
        tn_only = {tn_key(t): vol_status[tn_key(t)] for t in nodes}

    # 3. drivers (as in govcx.metrics.kpi: shares of the people who answered the trust
    # question): went well + not well + neither (never shown) = trust respondents, per
    # driver; the respondents keep the status the joint table gave them
    drv_values: dict[Any, int] = {}
    drv_status: dict[Any, Status] = {}
    for d in DRIVER_FIELDS:
        pos, neg = monthly(f"pos_{d}"), monthly(f"neg_{d}")
        if not any(pos.values()) and not any(neg.values()):
            continue
        t2 = Table(values={c: vol.values[c] for c in tn_only})
        for t in nodes:
            if t in quarters:
                t2.relate(tn_key(t), [tn_key(m) for m in quarters[t]])
            elif t == YEAR:
                t2.relate(tn_key(t), [tn_key(q) for q in quarters])
        _series(t2, _k("dp", d), pos, months, quarters)
        _series(t2, _k("dn", d), neg, months, quarters)
        if tn_only and all(pos[m] + neg[m] <= tn[m] for m in months):
            _series(t2, _k("d0", d), {m: tn[m] - pos[m] - neg[m] for m in months}, months,
                    quarters, shown=False)
            for t in nodes:
                t2.relate(tn_key(t), [("dp", d, t), ("dn", d, t), ("d0", d, t)])
        st = ledger.run(t2, ns, extra_fixed=tn_only)
        for cell, v in t2.values.items():
            if isinstance(cell, tuple) and cell[0] in ("dp", "dn"):
                drv_values[cell] = v
                drv_status[cell] = st[cell]

    # 4. calls offered = answered + abandoned (both behind published figures: the speed of
    # answer averages over the answered, the abandonment rate is abandoned / offered)
    c_off = {m: calls.get((s.pk, m), {}).get("offered", 0) for m in months}
    c_ans = {m: calls.get((s.pk, m), {}).get("answered", 0) for m in months}
    c_wait = {m: calls.get((s.pk, m), {}).get("wait_seconds_sum", 0) for m in months}
    call_t = Table()
    _series(call_t, _k("co"), c_off, months, quarters)
    if all(c_ans[m] <= c_off[m] for m in months):
        _series(call_t, _k("ca"), c_ans, months, quarters)
        _series(call_t, _k("cb"), {m: c_off[m] - c_ans[m] for m in months}, months, quarters)
        for t in nodes:
            call_t.relate(("co", t), [("ca", t), ("cb", t)])
    call_status = ledger.run(call_t, ns)
    # 5. requests resolved (resolution time) and journeys completed (processing time)
    res_n = {m: cases.get((s.pk, m), {}).get("resolution_n", 0) for m in months}
    res_sum = {m: cases.get((s.pk, m), {}).get("resolution_seconds_sum", 0) for m in months}
    case_t = Table()
    _series(case_t, _k("cr"), res_n, months, quarters)
    case_status = ledger.run(case_t, ns)
    proc = data["proc"]
    p_n = {m: int(proc.get((s.pk, m), {}).get("n", 0)) for m in months}
    p_sum = {m: proc.get((s.pk, m), {}).get("seconds_sum", 0.0) for m in months}
    proc_t = Table()
    _series(proc_t, _k("pn"), p_n, months, quarters)
    proc_status = ledger.run(proc_t, ns)

    def total(values: dict[str, Any], t: str) -> Any:
        if t == YEAR:
            return sum(values.values())
        if t in quarters:
            return sum(values[m] for m in quarters[t])
        return values[t]

    r_key = _k("r", s.pk, "all")
    rows: dict[str, dict[str, Any]] = {}
    for t in nodes:
        n_resp = vol.values[r_key(t)]
        row: dict[str, Any] = {
            "responses": _count_fig(vol_status, vol.values, r_key(t)),
            "channels": {c: _count_fig(vol_status, vol.values, ("r", s.pk, c, t))
                         for c in chans},
        }
        if "tp" in has:
            row["trust"] = _share_fig(vol_status, vol.values, ("tp", s.pk, t),
                                      ("tn", s.pk, t), with_ci=True)
        else:
            row["trust"] = fig(None, STATUS_NONE if not total(tn, t) else STATUS_HIDDEN)
        row["trust_n"] = (_count_fig(vol_status, vol.values, ("tn", s.pk, t)) if "tn" in has
                          else fig(None, STATUS_HIDDEN))
        if "of" in has and vol.values[("of", s.pk, t)] and n_resp:
            row["response_rate"] = _share_fig(vol_status, vol.values, r_key(t),
                                              ("of", s.pk, t))
            row["response_rate"].pop("n", None)
        else:
            row["response_rate"] = fig(None, STATUS_NONE)
        drivers = {}
        merged = {**vol.values, **drv_values}
        st_all = {**vol_status, **drv_status}
        for d in DRIVER_FIELDS:
            if ("dp", d, t) not in drv_values:
                continue
            drivers[d] = {
                "went_well": _share_fig(st_all, merged, ("dp", d, t), ("tn", s.pk, t)),
                "not_well": _share_fig(st_all, merged, ("dn", d, t), ("tn", s.pk, t)),
            }
        row["drivers"] = drivers
        co = call_t.values[("co", t)]
        row["calls"] = _count_fig(call_status, call_t.values, ("co", t))
        if co and ("cb", t) in call_t.values:
            row["abandonment"] = _share_fig(call_status, call_t.values, ("cb", t), ("co", t))
            row["abandonment"].pop("n", None)
            ans = call_t.values[("ca", t)]
            code_a = _code(call_status.get(("ca", t)))
            row["asa_seconds"] = fig(round(total(c_wait, t) / ans, 1)
                                     if code_a == STATUS_SHOWN and ans else None,
                                     code_a if ans else STATUS_NONE)
        elif co:
            row["abandonment"] = fig(None, STATUS_HIDDEN)
            row["asa_seconds"] = fig(None, STATUS_HIDDEN)
        else:
            row["abandonment"] = fig(None, STATUS_NONE)
            row["asa_seconds"] = fig(None, STATUS_NONE)
        rn = case_t.values[("cr", t)]
        if rn:
            code = _code(case_status.get(("cr", t)))
            row["resolution_hours"] = fig(round(total(res_sum, t) / rn / 3600, 1)
                                          if code == STATUS_SHOWN else None, code, n=rn
                                          if code == STATUS_SHOWN else None)
        else:
            row["resolution_hours"] = fig(None, STATUS_NONE)
        pn = proc_t.values[("pn", t)]
        if pn:
            code = _code(proc_status.get(("pn", t)))
            row["processing_days"] = fig(round(total(p_sum, t) / pn / 86400, 1)
                                         if code == STATUS_SHOWN else None, code, n=pn
                                         if code == STATUS_SHOWN else None)
        else:
            row["processing_days"] = fig(None, STATUS_NONE)
        rows[t] = row
    return {"rows": rows, "channels": chans,
            "drivers": [d for d in DRIVER_FIELDS
                        if any(("dp", d, t) in drv_values for t in nodes)]}


# --- public entry points ------------------------------------------------------------------

def cache_seconds() -> int:
    return int(getattr(settings, "TRANSPARENCY_CACHE_SECONDS", DEFAULT_CACHE_SECONDS))


def cache_key(*parts: Any) -> str:
    raw = ":".join(str(p) for p in (CACHE_VERSION, *parts))
    return "transparency:" + hashlib.sha256(raw.encode()).hexdigest()[:32]


def agency_public(slug: str) -> Agency | None:
    return Agency.objects.filter(slug=slug).first()


def service_public(agency: Agency, slug: str) -> Service | None:
    return Service.objects.filter(agency=agency, slug=slug).first()


def _frozen(agency: Agency, data: dict[str, Any], months: list[str],
            today: dt.date) -> dict[str, Any]:
    """The loaded counters with every month already published replaced by what it held when
    it was first published (`PublishedMonth`); months published now are stored. So a month's
    public figures are final, and a later change to it cannot be measured by comparing two
    publications."""
    stored = {p.month: p.data for p in
              PublishedMonth.objects.filter(agency=agency, month__in=months)}
    out: dict[str, Any] = {name: {} for name in data}
    new: list[PublishedMonth] = []
    for m in months:
        if m in stored:
            for name, rows in stored[m].items():
                out[name].update({tuple(key): values for key, values in rows})
            continue
        snapshot = {name: [[list(key), values] for key, values in table.items()
                           if key[-1] == m] for name, table in data.items()}
        for name, rows in snapshot.items():
            out[name].update({tuple(key): values for key, values in rows})
        new.append(PublishedMonth(agency=agency, month=m, data=snapshot, published_on=today))
    if new:
        PublishedMonth.objects.bulk_create(new, ignore_conflicts=True)
    return out


def agency_figures(agency: Agency, fy: int, today: dt.date,
                   service_id: int | None = None) -> dict[str, Any]:
    """Suppressed figures of every service of the agency for one fiscal year.

    Language-neutral, so one cache entry serves both languages, every service page and both
    downloads: key (agency, fiscal year, last published month), `cache_seconds()` TTL; a
    cached entry without `service_id` (a service added since) is recomputed.
    Every figure published for the first time is added to the ledger (`PublishedFigure`),
    and later computations keep what the ledger holds (see `Ledger`)."""
    months_d = published_months(fy, today)
    key = cache_key("agency", agency.pk, fy, month_key(months_d[-1]) if months_d else "-")
    ttl = cache_seconds()
    if ttl > 0:
        hit = cache.get(key)
        if hit is not None and (service_id is None or service_id in hit["by_service"]):
            return dict(hit)
    services = list(Service.objects.filter(agency=agency).order_by("name", "id"))
    months, quarters = _nodes(months_d)
    if months_d:
        data = _frozen(agency, _load(agency.pk, months_d[0], _month_end(months_d[-1])),
                       months, today)
    else:
        data = {"resp": {}, "calls": {}, "cases": {}, "proc": {}}
    ledger = Ledger({cell: (value, status) for cell, value, status in
                     PublishedFigure.objects.filter(agency=agency, fiscal_year=fy)
                     .values_list("cell", "value", "status")})
    figures = _suppress_agency(agency.pk, services, months, quarters, data, ledger)
    if ledger.new:
        PublishedFigure.objects.bulk_create(
            [PublishedFigure(agency=agency, fiscal_year=fy, cell=c, value=v, status=st,
                             published_on=today) for c, (v, st) in ledger.new.items()],
            ignore_conflicts=True, batch_size=1000)
    out = {
        "fy": fy, "months": months, "quarters": quarters, "complete": len(months) == 12,
        "services": [{"id": s.pk, "name": s.name, "slug": s.slug,
                      "description": s.description} for s in services],
        **figures,
    }
    if ttl > 0:
        cache.set(key, out, ttl)
    return out


def _month_end(month: dt.date) -> dt.date:
    nxt = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return nxt - dt.timedelta(days=1)


def agencies_with_figures(today: dt.date, fy: int) -> list[Agency]:
    """Agencies with anything to publish for the year: responses or calls in its published
    months, a public target, or a done public action."""
    from govcx.improve.models import Action

    months = published_months(fy, today)
    q: Any = Q(pk__in=[])
    if months:
        start, end = months[0], _month_end(months[-1])
        rollups_current()
        q |= Exists(ResponseDaily.objects.filter(agency_id=OuterRef("pk"), day__gte=start,
                                                 day__lte=end, responses__gt=0))
        q |= Exists(CallDaily.objects.filter(agency_id=OuterRef("pk"), day__gte=start,
                                             day__lte=end, offered__gt=0))
    q |= Exists(Target.objects.filter(agency_id=OuterRef("pk"), public=True))
    q |= Exists(Action.objects.filter(agency_id=OuterRef("pk"), public=True,
                                      status=Action.Status.DONE))
    return list(Agency.objects.filter(q).order_by("name"))


# --- targets ------------------------------------------------------------------------------

#: Target KPI keys (govcx.metrics.kpi.KPIS) the public page can evaluate: the row figure
#: that measures each, and the factor from the figure to the KPI's unit (shares in percent).
TARGET_FIGURES: dict[str, tuple[tuple[str, ...], float]] = {
    "trust": (("trust",), 100.0), "response_rate": (("response_rate",), 100.0),
    "abandonment": (("abandonment",), 100.0), "speed_of_answer": (("asa_seconds",), 1.0),
    "processing_time": (("processing_days",), 1.0),
    "resolution_time": (("resolution_hours",), 1.0),
    **{f"driver_{d}": (("drivers", d, "went_well"), 100.0) for d in DRIVER_FIELDS},
}


def _node_for(start: dt.date, end: dt.date) -> tuple[int, str] | None:
    """The published period (fiscal year, node) that is exactly [start, end], if any."""
    fy = fiscal_year(start)
    if fiscal_year(end) != fy or start.day != 1 or end != _month_end(end):
        return None
    if start == dt.date(fy - 1, 10, 1) and end == dt.date(fy, 9, 30):
        return fy, YEAR
    if start == end.replace(day=1):
        return fy, month_key(start)
    if fy_quarter(start) == fy_quarter(end) and (end.month - start.month) % 12 == 2 \
            and (start.month - 10) % 3 == 0:
        return fy, fy_quarter(start)
    return None


def targets_public(agency: Agency, service: Service | None, today: dt.date) -> list[dict[str, Any]]:
    """Public targets with their result and status. A result is the published (suppressed)
    figure of the same period (in the KPI's unit: shares in percent), so it shows nothing
    the period tables do not; a target over another span, or one still running, shows no
    result."""
    qs = Target.objects.filter(agency=agency, public=True).select_related("service")
    if service is not None:
        qs = qs.filter(service=service)
    out = []
    for t in qs.order_by("service__name", "kpi", "start"):
        node = _node_for(t.start, t.end)
        result: dict[str, Any] | None = None
        done = t.end < today.replace(day=1)
        if node is not None and done and fy_ok(node[0], today):
            figs = agency_figures(agency, node[0], today, t.service_id)
            row = figs["by_service"].get(t.service_id, {}).get("rows", {}).get(node[1])
            spec = TARGET_FIGURES.get(t.kpi)
            if row is not None and spec is not None:
                cur: Any = row
                for p in spec[0]:
                    cur = cur.get(p) if isinstance(cur, dict) else None
                if isinstance(cur, dict):
                    result = dict(cur)
                    if result["value"] is not None:
                        result["value"] = round(result["value"] * spec[1], 4)
        value = result["value"] if result else None
        if not done:
            status = "in_progress"
        elif result is None:
            status = "not_reported"
        elif value is None and result["status"] == STATUS_NONE:
            status = "no_data"
        elif value is None:
            status = "hidden"
        elif (value >= t.value) if t.direction == Target.Direction.AT_LEAST else (value <= t.value):
            status = "met"
        else:
            status = "missed"
        out.append({"id": t.pk, "service_id": t.service_id, "service_name": t.service.name,
                    "kpi": t.kpi, "start": t.start, "end": t.end, "target": t.value,
                    "direction": t.direction, "note": t.note, "status": status,
                    "result": value, "result_status": result["status"] if result else None})
    return out


def fy_ok(fy: int, today: dt.date) -> bool:
    return EARLIEST_FY <= fy <= latest_fy(today)
