"""Dashboard benchmark: rollup-based figures versus the same figures from raw responses.

    .venv/bin/python bench/dashboard/run.py                      # 1,000,000 responses, SQLite
    .venv/bin/python bench/dashboard/run.py --responses 200000 --pg   # also PostgreSQL

Builds a database with N responses spread over 18 months for one service with 4
touchpoints on 4 channels (bulk SQL executemany straight into feedback_response, about 1%
quarantined), rebuilds the rollups with govcx.metrics.services.rollups_rebuild, then times
over --runs runs (p50/p95):
  selector  govcx.metrics.selectors.dashboard_figures (reads metrics_responsedaily)
  page      GET /staff/services/<id>/dashboard/ with django.test.Client, logged-in member
  raw SQL   the same figures (totals, trust share, drivers, weekly and monthly trend, by
            touchpoint, by channel) computed from feedback_response with GROUP BY
checks that the selector and the raw SQL give identical numbers, and prints the ratios.
The page's goal is p95 < 300 ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import zoneinfo
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
DRIVERS = ("effectiveness", "ease", "efficiency", "transparency", "humanity", "employee",
           "other")
CHANNELS = ("web", "email", "sms", "phone")


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(p * (len(xs) - 1)))]


def timed(fn: Any, runs: int) -> tuple[list[float], Any]:
    out = fn()  # warm-up (and the value compared)
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return times, out


# --- building the data ----------------------------------------------------------------------

def build(n: int, seed: int = 7) -> dict[str, Any]:
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from govcx.core import services as core
    from govcx.core.models import Role
    from govcx.feedback import services as fb
    from govcx.feedback import survey_templates
    from govcx.metrics.services import rollups_rebuild

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    agency = core.agency_create(name="Bench Agency", slug="bench-agency")
    service = core.service_create(agency=agency, name="Apply for benefits", slug="benefits",
                                  channels=list(CHANNELS), stages=["apply"])
    survey = fb.survey_create(agency=agency, name="A-11", schema=survey_templates.build(
        "a11", agency=agency.name, service=service.name))
    version = survey.current_version
    tps = [fb.touchpoint_create(service=service, survey=survey, name=f"Bench {ch}", channel=ch)
           for ch in CHANNELS]
    user = core.staff_create(username="bench-analyst", email="bench@example.gov",
                             password="bench-password-2026", agency=agency,
                             role=Role.CX_ANALYST)

    rng = random.Random(seed)
    now = timezone.now().replace(microsecond=0)
    span = int(dt.timedelta(days=548).total_seconds())
    weights = [0.55, 0.2, 0.15, 0.1]
    pg = connection.vendor == "postgresql"
    cols = ("agency_id", "service_id", "touchpoint_id", "survey_version_id", "channel",
            "language", "source", "page_url", "submitted_at", "answers", "external_id",
            "trust_positive", "drivers_positive", "drivers_negative", "comment", "status",
            "quarantined", "quarantine_reason")
    sql = (f"INSERT INTO feedback_response ({', '.join(cols)}) "  # noqa: S608
           f"VALUES ({', '.join(['%s'] * len(cols))})")
    batch: list[tuple[Any, ...]] = []
    done = 0
    log(f"inserting {n:,} responses …")
    offsets = sorted(rng.randrange(span) for _ in range(n))  # time order, like real inserts
    with transaction.atomic(), connection.cursor() as cur:
        for off in offsets:
            tp = rng.choices(tps, weights)[0]
            at = now - dt.timedelta(seconds=span - off)
            up = rng.random() < 0.72
            k = rng.choice((0, 1, 1, 2, 3))
            drivers = sorted(rng.sample(DRIVERS[:6], k))
            answers = {"trust": "up" if up else "down",
                       ("went_well" if up else "went_poorly"): drivers}
            lang = "es" if rng.random() < 0.12 else "en"
            quarantined = rng.random() < 0.01
            batch.append((
                agency.pk, service.pk, tp.pk, version.pk, tp.channel, lang, "web", "",
                at if pg else at.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" "),
                json.dumps(answers), "", up, json.dumps(drivers if up else []),
                json.dumps([] if up else drivers), "", "new", quarantined,
                "bench" if quarantined else "",
            ))
            if len(batch) >= 20000:
                cur.executemany(sql, batch)
                done += len(batch)
                batch.clear()
        if batch:
            cur.executemany(sql, batch)
    if pg:
        with connection.cursor() as cur:
            cur.execute("ANALYZE feedback_response")
    t1 = time.perf_counter()
    log(f"inserted in {t1 - t0:.0f}s; rebuilding rollups with rollups_rebuild …")
    rows = rollups_rebuild(service_ids=[service.pk])
    t2 = time.perf_counter()
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    log(f"rollups_rebuild wrote {rows:,} rows in {t2 - t1:.0f}s")
    return {"service": service, "agency": agency, "user": user, "tps": tps,
            "insert_s": t1 - t0, "rebuild_s": t2 - t1, "rollup_rows": rows}


# --- the raw implementation -----------------------------------------------------------------

COUNTER_SQL = {
    "responses": "COUNT(*)",
    "trust_n": "SUM(CASE WHEN trust_positive IS NOT NULL THEN 1 ELSE 0 END)",
    "trust_pos": "SUM(CASE WHEN trust_positive THEN 1 ELSE 0 END)",
    "score_n": "SUM(CASE WHEN trust_score IS NOT NULL THEN 1 ELSE 0 END)",
    "score_sum": "COALESCE(SUM(trust_score), 0)",
    "score_sumsq": "COALESCE(SUM(trust_score * trust_score), 0)",
    "lang_es": "SUM(CASE WHEN language = 'es' THEN 1 ELSE 0 END)",
}


def _local_day_sql(vendor: str, start: dt.datetime, end: dt.datetime) -> str:
    """SQL for the response's local (reporting time zone) date, as 'YYYY-MM-DD'."""
    from django.conf import settings

    if vendor == "postgresql":
        return f"to_char(submitted_at AT TIME ZONE '{settings.TIME_ZONE}', 'YYYY-MM-DD')"
    # SQLite has no time zones: one CASE over the UTC offsets in force between start and end.
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    cases, t = [], start.astimezone(dt.UTC)
    offset = t.astimezone(tz).utcoffset()
    seg_start = t
    while t < end:
        t2 = t + dt.timedelta(hours=1)
        off2 = t2.astimezone(tz).utcoffset()
        if off2 != offset:
            cases.append((seg_start, t2, offset))
            seg_start, offset = t2, off2
        t = t2
    cases.append((seg_start, None, offset))

    def mod(off: dt.timedelta | None) -> str:
        return f"'{int(off.total_seconds() // 60) if off else 0} minutes'"

    parts = []
    for _s, e, off in cases[:-1]:
        parts.append(f"WHEN submitted_at < '{e.replace(tzinfo=None).isoformat(' ')}' "
                     f"THEN date(submitted_at, {mod(off)})")
    last = f"date(submitted_at, {mod(cases[-1][2])})"
    return f"(CASE {' '.join(parts)} ELSE {last} END)" if parts else last


def raw_figures(*, service_id: int, start: dt.date, end: dt.date) -> dict[str, Any]:
    from django.conf import settings
    from django.db import connection

    vendor = connection.vendor
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    lo = dt.datetime.combine(start, dt.time(), tz).astimezone(dt.UTC)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tz).astimezone(dt.UTC)
    day = _local_day_sql(vendor, lo, hi)
    exprs = dict(COUNTER_SQL)
    for d in DRIVERS:
        for side in ("positive", "negative"):
            col = f"drivers_{side}" + ("::text" if vendor == "postgresql" else "")
            exprs[f"{side[:3]}_{d}"] = f"SUM(CASE WHEN {col} LIKE '%%\"{d}\"%%' THEN 1 ELSE 0 END)"
    select = ", ".join(f"{v} AS {k}" for k, v in exprs.items())
    if vendor == "postgresql":
        week = f"to_char(date_trunc('week', ({day})::date), 'YYYY-MM-DD')"
        month = f"substr({day}, 1, 7) || '-01'"
        lo_p, hi_p = lo, hi
    else:
        week = "date(d, '-' || ((CAST(strftime('%%w', d) AS integer) + 6) %% 7) || ' days')"
        month = "substr(d, 1, 7) || '-01'"
        lo_p = lo.replace(tzinfo=None).isoformat(" ")
        hi_p = hi.replace(tzinfo=None).isoformat(" ")
    base = ("FROM feedback_response WHERE service_id = %s AND quarantined = %s "
            "AND submitted_at >= %s AND submitted_at < %s")
    params = [service_id, False, lo_p, hi_p]
    keys = list(exprs)

    def run(group: str | None) -> list[tuple[Any, dict[str, int]]]:
        with connection.cursor() as cur:
            if group is None:
                cur.execute(f"SELECT {select} {base}", params)
                return [(None, dict(zip(keys, (int(v or 0) for v in cur.fetchone()),
                                        strict=True)))]
            if vendor == "sqlite" and group in ("week", "month"):
                g = week if group == "week" else month
                cur.execute(f"SELECT {g} AS g, {select} FROM (SELECT {day} AS d, * {base}) "  # noqa: S608
                            f"GROUP BY g ORDER BY g", params)
            else:
                g = {"week": week, "month": month}.get(group, group)
                cur.execute(f"SELECT {g} AS g, {select} {base} GROUP BY 1 ORDER BY 1", params)
            return [(r[0], dict(zip(keys, (int(v or 0) for v in r[1:]), strict=True)))
                    for r in cur.fetchall()]

    return {"total": run(None)[0][1], "weekly": run("week"), "monthly": run("month"),
            "by_touchpoint": run("touchpoint_id"), "by_channel": run("channel")}


def selector_numbers(figs: dict[str, Any]) -> dict[str, Any]:
    """dashboard_figures' output reduced to the same plain counters as raw_figures."""
    def counters(f: Any) -> dict[str, int]:
        c = {"responses": f.responses, "trust_n": f.trust_n, "trust_pos": f.trust_pos,
             "score_n": f.score_n, "score_sum": f.score_sum, "score_sumsq": f.score_sumsq,
             "lang_es": f.lang_es}
        for d in DRIVERS:
            c[f"pos_{d}"] = f.pos[d]
            c[f"neg_{d}"] = f.neg[d]
        return c

    def key(k: Any) -> Any:
        return k.isoformat()[:10] if isinstance(k, dt.date | dt.datetime) else k

    return {"total": counters(figs["total"]),
            **{name: [(key(k), counters(f)) for k, f in figs[name]]
               for name in ("weekly", "monthly", "by_touchpoint", "by_channel")}}


def _normalise(raw: dict[str, Any]) -> dict[str, Any]:
    return {"total": {k: raw["total"][k] for k in sorted(raw["total"])},
            **{name: [(k, {c: v[c] for c in sorted(v)}) for k, v in raw[name]]
               for name in ("weekly", "monthly", "by_touchpoint", "by_channel")}}


# --- main -------------------------------------------------------------------------------------

def bench(n: int, runs: int) -> dict[str, Any]:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from govcx.core.selectors import agency_ids_for
    from govcx.metrics.selectors import dashboard_figures

    world = build(n)
    service, user = world["service"], world["user"]
    end = timezone.localdate()
    start = end - dt.timedelta(days=364)  # the page's default period
    agency_ids = agency_ids_for(user)

    sel_t, figs = timed(lambda: dashboard_figures(agency_ids=agency_ids, service_id=service.pk,
                                                  start=start, end=end), runs)
    raw_t, raw = timed(lambda: raw_figures(service_id=service.pk, start=start, end=end),
                       max(5, runs // 3))
    client = Client()
    client.force_login(user)
    url = f"/staff/services/{service.pk}/dashboard/"

    def page() -> int:
        r = client.get(url)
        assert r.status_code == 200, r.status_code
        return len(r.content)

    page_t, size = timed(page, runs)

    a, b = selector_numbers(figs), _normalise(raw)
    a = {"total": {k: a["total"][k] for k in sorted(a["total"])},
         **{name: [(k, {c: v[c] for c in sorted(v)}) for k, v in a[name]]
            for name in ("weekly", "monthly", "by_touchpoint", "by_channel")}}
    same = a == b
    if not same:
        for part in a:
            if a[part] != b[part]:
                log(f"MISMATCH in {part}:\n selector {str(a[part])[:600]}\n raw      "
                    f"{str(b[part])[:600]}")
    return {
        "db": connection.vendor, "responses": n, "period": f"{start}..{end}",
        "in_period": a["total"]["responses"], "insert_s": world["insert_s"],
        "rebuild_s": world["rebuild_s"], "rollup_rows": world["rollup_rows"],
        "selector": (statistics.median(sel_t), pct(sel_t, 0.95)),
        "page": (statistics.median(page_t), pct(page_t, 0.95)),
        "raw": (statistics.median(raw_t), pct(raw_t, 0.95)),
        "page_bytes": size, "identical": same, "runs": runs,
    }


def print_results(results: list[dict[str, Any]]) -> None:
    print("\n| database | responses (in 365-day window) | selector p50/p95 ms | page p50/p95 ms "
          "| raw SQL p50/p95 ms | raw/selector (p50) | identical | page p95 < 300 ms |")
    print("|---|---:|---:|---:|---:|---:|---|---|")
    for r in results:
        s, p, w = r["selector"], r["page"], r["raw"]
        print(f"| {r['db']} | {r['responses']:,} ({r['in_period']:,}) | {s[0]:.1f} / {s[1]:.1f} "
              f"| {p[0]:.1f} / {p[1]:.1f} | {w[0]:.0f} / {w[1]:.0f} | {w[0] / s[0]:.0f}x | "
              f"{'yes' if r['identical'] else 'NO'} | {'yes' if p[1] < 300 else 'NO'} |")
    for r in results:
        print(f"{r['db']}: bulk insert {r['insert_s']:.0f}s, rollups_rebuild "
              f"{r['rebuild_s']:.0f}s ({r['rollup_rows']:,} rollup rows), {r['runs']} runs")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--responses", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--pg", action="store_true", help="also run on PostgreSQL")
    ap.add_argument("--no-sqlite", action="store_true")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    os.environ.setdefault("GOVCX_DEV", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govcx.settings")
    os.environ["RATELIMIT_ENABLE"] = "0"

    if args.child:  # one database per process (Django settings are read once)
        res = bench(args.responses, args.runs)
        Path(args.child).write_text(json.dumps(res))
        return
    results = []
    with tempfile.TemporaryDirectory(prefix="govcx-bench-dash-") as tmp:
        out = Path(tmp) / "out.json"
        common = [sys.executable, __file__, "--child", str(out), "--responses",
                  str(args.responses), "--runs", str(args.runs)]
        if not args.no_sqlite:
            env = {**os.environ, "DATABASE_URL": f"sqlite:///{Path(tmp) / 'dash.sqlite3'}"}
            subprocess.run(common, env=env, cwd=ROOT, check=True)
            results.append(json.loads(out.read_text()))
        if args.pg:
            env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
            subprocess.run([str(ROOT / "scripts" / "with-postgres"), *common], env=env,
                           cwd=ROOT, check=True)
            results.append(json.loads(out.read_text()))
    print_results(results)
    if any(not r["identical"] for r in results):
        sys.exit(1)


if __name__ == "__main__":
    main()
