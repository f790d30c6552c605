"""The public transparency dashboard: /transparency/ (no sign-in; English, or Spanish with
?lang=es), per agency and per service, with CSV and JSON downloads.

Every figure comes from `govcx.metrics.public` already suppressed (fewer than 11 people →
not shown, with complementary suppression). The page data of each (page, agency, service,
language, fiscal year, grain) is cached for `public.cache_seconds()` (default 300 s,
setting TRANSPARENCY_CACHE_SECONDS) and responses carry `Cache-Control: public, max-age`.
Downloads and pages are rate-limited per client address like the help centre.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import formats, timezone, translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django_ratelimit.core import is_ratelimited

from govcx.core.models import Agency, Service
from govcx.core.services import client_ip
from govcx.metrics import public
from govcx.metrics.charts import line_chart_svg

PAGE_RATE = "300/m"  # page views per client address (pages are cached; this stops scraping)
DATA_RATE = "60/m"  # downloads per client address
LICENCE = ("Public domain (CC0 1.0). Figures based on fewer than 11 people are left empty, "
           "and some others are left empty so that they cannot be worked out; every empty "
           "figure is marked 'suppressed' in the 'suppressed' column, whatever the reason. "
           "A figure once published never changes status, and quarter and year totals are "
           "published only once the period has ended.")


class PublicError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def driver_label(d: str) -> str:
    return {
        "effectiveness": _("My need was met"),
        "ease": _("It was easy"),
        "efficiency": _("It was quick"),
        "transparency": _("It was clear what to do"),
        "humanity": _("I was treated with respect"),
        "employee": _("Staff were helpful"),
        "other": _("Something else"),
    }.get(d, d)


def channel_label(c: str) -> str:
    try:
        return str(Service.Channel(c).label)
    except ValueError:
        return c


# --- request parsing ----------------------------------------------------------------------

def _lang(request: HttpRequest) -> str:
    raw = request.GET.get("lang", "en") or "en"
    if raw not in ("en", "es"):
        raise PublicError(400, _("The language must be 'en' (English) or 'es' (Spanish)."))
    return raw


def _lang_guess(request: HttpRequest) -> str:
    """The page language for an error met before the parameters are checked."""
    return "es" if request.GET.get("lang") == "es" else "en"


def _limited(request: HttpRequest, group: str, rate: str) -> bool:
    if not settings.RATELIMIT_ENABLE:
        return False
    return is_ratelimited(request, group=group, key=lambda g, r: client_ip(r) or "unknown",
                          rate=rate, increment=True)


def _params(request: HttpRequest) -> tuple[str, int, str, dt.date]:
    today = timezone.localdate()
    lang = _lang(request)
    try:
        with translation.override(lang):
            fy = public.fy_clean(request.GET.get("fy"), today)
            grain = public.grain_clean(request.GET.get("grain"))
    except ValueError as exc:
        raise PublicError(400, str(exc)) from exc
    return lang, fy, grain, today


def _agency(slug: str) -> Agency:
    agency = public.agency_public(slug)
    if agency is None:
        raise PublicError(404, _("There is no agency at this address. "
                                 "See the list of agencies at /transparency/."))
    return agency


def _service(agency: Agency, slug: str) -> Service:
    service = public.service_public(agency, slug)
    if service is None:
        raise PublicError(404, _("%(agency)s has no service at this address. "
                                 "See its services at %(url)s.")
                          % {"agency": agency.name, "url": f"/transparency/{agency.slug}/"})
    return service


def _error(request: HttpRequest, err: PublicError, lang: str = "en") -> HttpResponse:
    with translation.override(lang):
        resp = render(request, "metrics/public/error.html",
                      {"message": err.message,
                       "status": err.status, "lang": lang, "switch_query": "",
                       "base": "/transparency/"},
                      status=err.status)
    resp["Cache-Control"] = "no-store"
    return resp


def _data_error(err: PublicError) -> HttpResponse:
    resp = HttpResponse(err.message + "\n", status=err.status,
                        content_type="text/plain; charset=utf-8")
    resp["Cache-Control"] = "no-store"
    return resp


def _too_many() -> PublicError:
    return PublicError(429, _("Too many requests from your connection. "
                              "Please wait a minute and try again."))


def _public(resp: HttpResponse) -> HttpResponse:
    patch_cache_control(resp, public=True, max_age=max(public.cache_seconds(), 0))
    return resp


# --- formatting ---------------------------------------------------------------------------

def _hidden_text(status: str, unit: str = "") -> str:
    """One neutral text for every hidden figure: whether it is small itself or hidden to
    protect another one is not said, since that would bound its value."""
    if status == public.STATUS_HIDDEN:
        return _("not shown to protect privacy")
    if status == public.STATUS_PENDING:
        return _("published when the period has ended")
    return _("no data")


def _cell(f: dict[str, Any] | None, kind: str, unit: str = "responses") -> dict[str, Any]:
    """A figure as the page shows it: text, or why it is hidden."""
    if f is None:
        return {"text": _("no data"), "hidden": False, "none": True}
    v = f["value"]
    if f["status"] != public.STATUS_SHOWN or v is None:
        none = f["status"] in (public.STATUS_NONE, public.STATUS_PENDING)
        return {"text": _hidden_text(f["status"], unit), "hidden": not none, "none": none,
                "status": f["status"] if not none else public.STATUS_NONE}
    if kind == "pct":
        text = formats.number_format(v * 100, 1) + "%"
    elif kind == "count":
        text = formats.number_format(v, 0, force_grouping=True)
    elif kind == "seconds":
        text = _("%(n)s seconds") % {"n": formats.number_format(v, 0)}
    elif kind == "hours":
        text = _("%(n)s hours") % {"n": formats.number_format(v, 1)}
    elif kind == "days":
        text = _("%(n)s days") % {"n": formats.number_format(v, 1)}
    else:
        text = str(v)
    out = {"text": text, "hidden": False, "none": False, "status": f["status"]}
    if f.get("ci"):
        lo, hi = f["ci"]
        out["ci"] = (f"{formats.number_format(lo * 100, 1)}–"
                     f"{formats.number_format(hi * 100, 1)}%")
    if f.get("n") is not None:
        out["n"] = formats.number_format(f["n"], 0, force_grouping=True)
    return out


def _period_label(key: str, fy: int) -> str:
    if key == public.YEAR:
        return _("Fiscal year %(fy)s (total)") % {"fy": fy}
    if key.startswith("Q"):
        return _("Quarter %(q)s of fiscal year %(fy)s") % {"q": key[1:], "fy": fy}
    month = dt.date.fromisoformat(key + "-01")
    return formats.date_format(month, "F Y")


def _short_label(key: str, fy: int) -> str:
    if key.startswith("Q"):
        return f"{key} FY{fy}"
    return formats.date_format(dt.date.fromisoformat(key + "-01"), "M Y")


def _chart(points: list[tuple[str, float | None, tuple[float, float] | None]], title: str,
           uid: str) -> str:
    svg = str(line_chart_svg(points, title=title, height=200))
    return svg.replace('"chart-title"', f'"chart-{uid}"')


def _fy_choices(today: dt.date) -> list[int]:
    last = public.latest_fy(today)
    return list(range(last, max(public.EARLIEST_FY, last - 4) - 1, -1))


def _switch(request: HttpRequest, lang: str) -> str:
    q = request.GET.copy()
    q["lang"] = "en" if lang == "es" else "es"
    return q.urlencode()


def _qs(lang: str, fy: int | None = None, grain: str | None = None) -> str:
    parts = []
    if lang == "es":
        parts.append("lang=es")
    if fy is not None:
        parts.append(f"fy={fy}")
    if grain and grain != "month":
        parts.append(f"grain={grain}")
    return ("?" + "&".join(parts)) if parts else ""


def _target_rows(targets: list[dict[str, Any]]) -> list[dict[str, Any]]:
    from govcx.metrics.kpi import KPIS, format_value

    status_text = {
        "met": _("Met"), "missed": _("Not met"), "in_progress": _("In progress"),
        "hidden": _("Result not shown, to protect privacy"),
        "no_data": _("No data for this period"),
        "not_reported": _("Result not published for this period"),
    }

    def shown(kpi: str, v: float) -> str:
        return format_value(kpi, v) if kpi in KPIS else formats.number_format(v, 1)

    rows = []
    for t in targets:
        kpi = t["kpi"]
        name = str(KPIS[kpi].label) if kpi in KPIS else kpi
        if kpi.startswith("driver_"):
            name = _("Said “%(d)s” went well") % {"d": driver_label(kpi[len("driver_"):])}
        rows.append({
            "service_name": t["service_name"], "kpi": name,
            "goal": (_("at least %(v)s") if t["direction"] == "at_least"
                     else _("at most %(v)s")) % {"v": shown(kpi, t["target"])},
            "period": f"{formats.date_format(t['start'], 'SHORT_DATE_FORMAT')} – "
                      f"{formats.date_format(t['end'], 'SHORT_DATE_FORMAT')}",
            "result": shown(kpi, t["result"]) if t["result"] is not None else None,
            "status": t["status"], "status_text": status_text[t["status"]],
            "note": t["note"],
        })
    return rows


def _yswd(agency: Agency, service: Service | None) -> list[dict[str, Any]]:
    """'You said, we did': done public actions (govcx.improve.selectors), in the active
    language."""
    from govcx.improve.selectors import you_said_we_did

    return you_said_we_did(agency_id=agency.pk, service_id=service.pk if service else None)


# --- page data ----------------------------------------------------------------------------

def _cached(key: str, build: Any) -> Any:
    ttl = public.cache_seconds()
    if ttl > 0:
        hit = cache.get(key)
        if hit is not None:
            return hit
    value = build()
    if ttl > 0:
        cache.set(key, value, ttl)
    return value


def _index_ctx(lang: str, fy: int, today: dt.date) -> dict[str, Any]:
    agencies = public.agencies_with_figures(today, fy)
    return {"agencies": [{"name": a.name, "slug": a.slug, "acronym": a.acronym}
                         for a in agencies]}


def _agency_ctx(agency: Agency, lang: str, fy: int, today: dt.date) -> dict[str, Any]:
    figs = public.agency_figures(agency, fy, today)
    services = []
    pending = public.fig(None, public.STATUS_PENDING)
    for s in figs["services"]:
        row = figs["by_service"][s["id"]]["rows"].get(public.YEAR)
        services.append({
            "name": s["name"], "slug": s["slug"],
            "responses": _cell(row["responses"] if row else pending, "count"),
            "trust": _cell(row["trust"] if row else pending, "pct"),
        })
    return {
        "services": services,
        "total": _cell(figs["agency_responses"], "count"),
        "published": bool(figs["months"]),
        "months_text": _months_text(figs, fy),
        "yswd": _yswd(agency, None),
        "targets": _target_rows(public.targets_public(agency, None, today)),
    }


def _months_text(figs: dict[str, Any], fy: int) -> str:
    months = figs["months"]
    if not months:
        return _("No month of fiscal year %(fy)s has ended yet.") % {"fy": fy}
    first = formats.date_format(dt.date.fromisoformat(months[0] + "-01"), "F Y")
    last = formats.date_format(dt.date.fromisoformat(months[-1] + "-01"), "F Y")
    return _("Fiscal year %(fy)s: %(first)s to %(last)s (months that have ended).") % {
        "fy": fy, "first": first, "last": last}


def _service_ctx(agency: Agency, service: Service, lang: str, fy: int, grain: str,
                 today: dt.date) -> dict[str, Any]:
    figs = public.agency_figures(agency, fy, today, service.pk)
    sf = figs["by_service"][service.pk]
    keys = figs["months"] if grain == "month" else list(figs["quarters"])
    all_keys = [*keys, *([public.YEAR] if public.YEAR in sf["rows"] else [])]
    rows = sf["rows"]

    def label(k: str) -> str:
        return _period_label(k, fy)

    periods = []
    for k in all_keys:
        r = rows[k]
        periods.append({
            "key": k, "label": label(k), "is_total": k == public.YEAR,
            "responses": _cell(r["responses"], "count"),
            "response_rate": _cell(r["response_rate"], "pct"),
            "trust": _cell(r["trust"], "pct"),
            "trust_n": _cell(r["trust_n"], "count"),
            "channels": [_cell(r["channels"][c], "count") for c in sf["channels"]],
            "calls": _cell(r["calls"], "count", "calls"),
            "asa": _cell(r["asa_seconds"], "seconds", "calls"),
            "abandonment": _cell(r["abandonment"], "pct", "calls"),
            "processing": _cell(r["processing_days"], "days", "cases"),
            "resolution": _cell(r["resolution_hours"], "hours", "cases"),
        })

    def points(get: Any) -> list[tuple[str, float | None, tuple[float, float] | None]]:
        out = []
        for k in keys:
            f = get(rows[k])
            v = f["value"] if f and f["status"] == public.STATUS_SHOWN else None
            ci = tuple(f["ci"]) if v is not None and f.get("ci") else None
            out.append((_short_label(k, fy), v, ci))
        return out

    drivers = []
    for d in sf["drivers"]:
        drivers.append({
            "key": d, "label": driver_label(d),
            "chart": _chart(points(lambda r, d=d: r["drivers"].get(d, {}).get("went_well")),
                            _("“%(d)s”: share who said it went well, by period")
                            % {"d": driver_label(d)}, f"driver-{d}"),
            "rows": [{"label": label(k), "is_total": k == public.YEAR,
                      "went_well": _cell(rows[k]["drivers"][d]["went_well"], "pct"),
                      "not_well": _cell(rows[k]["drivers"][d]["not_well"], "pct")}
                     for k in all_keys],
        })
    has_calls = any(rows[k]["calls"]["value"] or rows[k]["calls"]["status"]
                    == public.STATUS_HIDDEN for k in all_keys)
    has_processing = any(rows[k]["processing_days"]["status"] != public.STATUS_NONE
                         for k in all_keys)
    has_resolution = any(rows[k]["resolution_hours"]["status"] != public.STATUS_NONE
                         for k in all_keys)
    return {
        "periods": periods, "grain": grain, "published": bool(figs["months"]),
        "months_text": _months_text(figs, fy),
        "channels": [channel_label(c) for c in sf["channels"]],
        "trust_chart": _chart(points(lambda r: r["trust"]),
                              _("Trust: share of people who agreed they trust the service, "
                                "by period, with a 95 percent confidence interval"), "trust"),
        "rate_chart": _chart(points(lambda r: r["response_rate"]),
                             _("Response rate: share of people asked who answered, by period"),
                             "rate"),
        "abandon_chart": _chart(points(lambda r: r["abandonment"]),
                                _("Calls abandoned: share of calls where the caller hung up "
                                  "before an answer, by period"), "abandon") if has_calls else "",
        "drivers": drivers, "has_calls": has_calls, "has_processing": has_processing,
        "has_resolution": has_resolution,
        "has_ops": has_calls or has_processing or has_resolution,
        "yswd": _yswd(agency, service),
        "targets": _target_rows(public.targets_public(agency, service, today)),
    }


def _common(request: HttpRequest, lang: str, **kw: Any) -> dict[str, Any]:
    return {"lang": lang, "switch_query": _switch(request, lang),
            "lang_q": "?lang=es" if lang == "es" else "", **kw}


# --- views --------------------------------------------------------------------------------

Params = tuple[str, int, str, dt.date]  # language, fiscal year, grain, today


def _page(request: HttpRequest, template: str,
          key: Callable[[Params], tuple[Any, ...]],
          build: Callable[[Params], dict[str, Any]],
          links: Callable[[Params], dict[str, str]]) -> HttpResponse:
    """One public page: parameters checked, rate limit, the page data from the cache (built
    in the page's language), rendered with the language switch and links; errors as a page
    in the asked-for language."""
    lang = _lang_guess(request)
    try:
        p = _params(request)
        lang, fy, _grain, today = p
        if _limited(request, "transparency-page", PAGE_RATE):
            with translation.override(lang):
                raise _too_many()

        def built() -> dict[str, Any]:
            with translation.override(lang):
                return build(p)

        ctx = _cached(public.cache_key(*key(p)), built)
    except PublicError as err:
        return _error(request, err, lang)
    with translation.override(lang):
        resp = render(request, template, _common(
            request, lang, fy=fy, fy_choices=_fy_choices(today), **links(p), **ctx))
    return _public(resp)


def _month(today: dt.date) -> str:
    return today.strftime("%Y-%m")


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return _page(
        request, "metrics/public/index.html",
        key=lambda p: ("page-index", p[0], p[1], _month(p[3])),
        build=lambda p: _index_ctx(p[0], p[1], p[3]),
        links=lambda p: {"qs": _qs(p[0], p[1])})


@require_GET
def agency_page(request: HttpRequest, agency_slug: str) -> HttpResponse:
    def build(p: Params) -> dict[str, Any]:
        agency = _agency(agency_slug)
        return {"agency": agency, **_agency_ctx(agency, p[0], p[1], p[3])}

    return _page(
        request, "metrics/public/agency.html",
        key=lambda p: ("page-agency", agency_slug, p[0], p[1], _month(p[3])), build=build,
        links=lambda p: {"qs": _qs(p[0], p[1]), "data_qs": _qs("en", p[1])})


@require_GET
def service_page(request: HttpRequest, agency_slug: str, service_slug: str) -> HttpResponse:
    def build(p: Params) -> dict[str, Any]:
        agency = _agency(agency_slug)
        service = _service(agency, service_slug)
        return {"agency": agency, "service": service,
                **_service_ctx(agency, service, p[0], p[1], p[2], p[3])}

    return _page(
        request, "metrics/public/service.html",
        key=lambda p: ("page-service", agency_slug, service_slug, p[0], p[1], p[2],
                       _month(p[3])),
        build=build,
        links=lambda p: {"qs": _qs(p[0], p[1], p[2]), "agency_qs": _qs(p[0], p[1]),
                         "data_qs": _qs("en", p[1])})


# --- open data ----------------------------------------------------------------------------

#: The columns of every download, documented on the pages and in docs/architecture.md.
COLUMNS = ("agency", "service", "fiscal_year", "period", "period_type", "measure", "channel",
           "value", "unit", "suppressed")
MEASURES = {
    "responses": "count", "response_rate": "share", "trust": "share",
    "trust_ci_low": "share", "trust_ci_high": "share", "driver_went_well": "share",
    "driver_not_well": "share", "calls_offered": "count", "average_speed_of_answer": "seconds",
    "abandonment_rate": "share", "processing_time": "days", "resolution_time": "hours",
    "trust_respondents": "count",
}


def open_data_rows(agency: Agency, fy: int, today: dt.date,
                   service: Service | None = None) -> list[dict[str, Any]]:
    """The figures of the pages as rows: value None (empty) where the page hides it, with
    `suppressed` = "suppressed" (one mark for every hidden figure, whatever the reason)."""
    figs = public.agency_figures(agency, fy, today, service.pk if service else None)
    out: list[dict[str, Any]] = []

    def add(svc: str, period: str, ptype: str, measure: str, f: dict[str, Any] | None,
            channel: str = "", value: Any = None) -> None:
        if f is None:
            return
        if f["status"] in (public.STATUS_NONE, public.STATUS_PENDING) and f["value"] is None:
            return
        sup = "suppressed" if f["status"] == public.STATUS_HIDDEN else ""
        v = f["value"] if f["status"] == public.STATUS_SHOWN else None
        out.append({"agency": agency.slug, "service": svc, "fiscal_year": fy,
                    "period": period, "period_type": ptype, "measure": measure,
                    "channel": channel, "value": value if value is not None and v is not None
                    else v, "unit": MEASURES[measure], "suppressed": sup})

    if service is None:
        add("", f"FY{fy}", "year", "responses", figs["agency_responses"])
    for s in figs["services"]:
        if service is not None and s["id"] != service.pk:
            continue
        sf = figs["by_service"][s["id"]]
        for key in [*figs["months"], *figs["quarters"], public.YEAR]:
            if key not in sf["rows"]:
                continue
            r = sf["rows"][key]
            ptype = "year" if key == public.YEAR else "quarter" if key.startswith("Q") \
                else "month"
            period = f"FY{fy}" if key == public.YEAR else f"FY{fy}-{key}" \
                if ptype == "quarter" else key
            slug = s["slug"]
            add(slug, period, ptype, "responses", r["responses"])
            for c in sf["channels"]:
                add(slug, period, ptype, "responses", r["channels"][c], channel=c)
            add(slug, period, ptype, "response_rate", r["response_rate"])
            add(slug, period, ptype, "trust_respondents", r["trust_n"])
            add(slug, period, ptype, "trust", r["trust"])
            if r["trust"]["status"] == public.STATUS_SHOWN and r["trust"].get("ci"):
                add(slug, period, ptype, "trust_ci_low", r["trust"], value=r["trust"]["ci"][0])
                add(slug, period, ptype, "trust_ci_high", r["trust"], value=r["trust"]["ci"][1])
            for d in sf["drivers"]:
                add(slug, period, ptype, "driver_went_well", r["drivers"][d]["went_well"],
                    channel=d)
                add(slug, period, ptype, "driver_not_well", r["drivers"][d]["not_well"],
                    channel=d)
            add(slug, period, ptype, "calls_offered", r["calls"])
            add(slug, period, ptype, "average_speed_of_answer", r["asa_seconds"])
            add(slug, period, ptype, "abandonment_rate", r["abandonment"])
            add(slug, period, ptype, "processing_time", r["processing_days"])
            add(slug, period, ptype, "resolution_time", r["resolution_hours"])
    return out


NOTES = ("Columns: agency and service (address names), fiscal_year (October-September), "
         "period (YYYY-MM, FYyyyy-Qn or FYyyyy), period_type (month, quarter, year), "
         "measure, channel (survey channel for responses; the driver for driver_* "
         "measures), value (empty when suppressed), unit (count, share 0-1, seconds, hours, "
         "days), "
         "suppressed ('suppressed' when the value is hidden to protect privacy, whatever "
         "the reason). Only months that have ended; quarter and year totals only once "
         "the period has ended.")


def _data(request: HttpRequest, agency_slug: str, fmt: str,
          service_slug: str | None = None) -> HttpResponse:
    try:
        if fmt not in ("csv", "json"):
            raise PublicError(404, _("Downloads are data.csv or data.json."))
        lang, fy, _grain, today = _params(request)
        if _limited(request, "transparency-data", DATA_RATE):
            with translation.override(lang):
                raise _too_many()

        def build() -> dict[str, Any]:
            with translation.override(lang):
                agency = _agency(agency_slug)
                service = _service(agency, service_slug) if service_slug else None
            return {"agency": agency, "service": service,
                    "rows": open_data_rows(agency, fy, today, service)}

        got = _cached(public.cache_key("data", agency_slug, service_slug or "-", fy,
                                       today.strftime("%Y-%m")), build)
    except PublicError as err:
        return _data_error(err)
    agency, service, rows = got["agency"], got["service"], got["rows"]
    name = f"{agency.slug}{'-' + service.slug if service else ''}-fy{fy}"
    if fmt == "json":
        resp: HttpResponse = JsonResponse({
            "licence": LICENCE, "notes": NOTES, "columns": list(COLUMNS),
            "agency": agency.name, "service": service.name if service else None,
            "fiscal_year": fy, "rows": rows}, json_dumps_params={"ensure_ascii": False})
        resp["Content-Disposition"] = f'inline; filename="{name}.json"'
    else:
        buf = io.StringIO()
        buf.write(f"# {LICENCE}\n# {NOTES}\n")
        w = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({k: ("" if r[k] is None else r[k]) for k in COLUMNS})
        resp = HttpResponse(buf.getvalue(), content_type="text/csv; charset=utf-8")
        resp["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return _public(resp)


@require_GET
def agency_data(request: HttpRequest, agency_slug: str, fmt: str) -> HttpResponse:
    return _data(request, agency_slug, fmt)


@require_GET
def service_data(request: HttpRequest, agency_slug: str, service_slug: str,
                 fmt: str) -> HttpResponse:
    return _data(request, agency_slug, fmt, service_slug)


__all__ = ["agency_data", "agency_page", "index", "open_data_rows", "service_data",
           "service_page"]
