"""Dashboards bar: page latency over HTTP at 10M responses + 10M contacts, raw-row ratios,
and whether the rollups keep up with 1,000 new responses per second.

    # 1. build the data once (see bench/dashboards/generate.py; 10M + 10M by default)
    .venv/bin/python bench/dashboards/generate.py
    # 2. measure (a real server on loopback, pages signed in, raw SQL side by side)
    .venv/bin/python bench/dashboards/run.py
    # small check (what the helper ran): 200k + 200k
    .venv/bin/python bench/dashboards/generate.py --responses 200000 --contacts 200000 \
        --db var/bench/d200k.sqlite3
    .venv/bin/python bench/dashboards/run.py --db var/bench/d200k.sqlite3 --runs 30
    # PostgreSQL: both steps in one throwaway server
    scripts/with-postgres sh -c '.venv/bin/python bench/dashboards/generate.py --use-env-db \
        && .venv/bin/python bench/dashboards/run.py --use-env-db'

The bar (issue 6): internal and public dashboard pages p95 ≤ 150 ms, ≥ 100× faster than
computing the same figures from raw rows side by side; rollups catch up with 1,000 new
responses per second.

1. Pages. A granian WSGI server (`--workers`, default 2) serves `govcx.wsgi` on 127.0.0.1
   against the generated database, with a shared file cache (CACHE_URL=filecache in a
   temporary directory, as several workers would share Redis in production). The bench signs
   in through the login form as the first agency's administrator and requests each page
   `--runs` times in turn on one keep-alive connection, after 3 warm-up requests (the first
   request's time is printed as "cold": for the key-drivers page that is the uncached
   computation). Pages, by URL name; a name that does not resolve is skipped and said so:
     internal  metrics:dashboard (the largest service), contact:metrics, metrics:kpis or
               metrics:kpi_overview, metrics:service_kpis, drivers:drivers
     public    every route of the "transparency" namespace whose parameters are an agency
               and/or service slug (data.<fmt> downloads as data.json)
2. Raw. The same figures computed from raw rows in this process, `--raw-runs` times (p50):
     dashboard        bench/dashboard/run.py raw_figures (SQL GROUP BYs over feedback_response)
     contact metrics  govcx.contact.metrics.report_raw(agency, by channel) (raw cases/contacts)
     KPI overview     raw_figures for every service of the agency + report_raw(by service)
     service KPIs     raw_figures(service) + report_raw(service)
     key drivers      govcx.metrics.drivers.key_drivers_compute (reads raw responses, uncached)
     transparency     raw_figures for every service of the agency (or the one service) +
                      report_raw of the agency (or service)
   and prints raw p50 / page p95 (conservative: the page's p95 against raw's p50).
3. Catch-up. With the server stopped, `--procs` processes (default 1 on SQLite, whose
   writes are serial anyway, 4 on PostgreSQL) each call
   govcx.feedback.services.response_submit (validation and the one INSERT; the rollups count
   new responses afterwards) paced to `--rate`/procs per second for `--seconds` (default 20)
   on the A-11 touchpoints; prints the achieved rate and checks afterwards that, as a
   dashboard reads them (after its catch-up, `metrics.services.rollups_current`), for every
   service SUM(metrics_responsedaily.responses) = COUNT(*) of its non-quarantined responses
   (lag 0).
   Also the ceiling: one process submitting unpaced for 5 s.
   Then the rollup upsert alone (govcx.metrics.services.rollup_add, one transaction each) as
   fast as one process can, `--upserts` times (net zero: +1 then -1 on a scratch row that is
   deleted afterwards).
Prints a summary table (markdown) and writes it as JSON to `--out` when given.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.dashboard.run import pct, raw_figures  # noqa: E402  (issue-2 bench helpers)
from bench.dashboards.generate import DEFAULT_DB, PASSWORD, configure  # noqa: E402
from bench.ingest.run import free_port, log, wait_http_ready  # noqa: E402

BIN = Path(sys.executable).parent
BAR_MS = 150.0
BAR_RATIO = 100.0
BAR_RATE = 1000.0


# --- server and HTTP client ---------------------------------------------------------------------

class Server:
    def __init__(self, env: dict[str, str], workers: int, logfile: Path) -> None:
        self.port = free_port()
        argv = [str(BIN / "granian"), "--interface", "wsgi", "--host", "127.0.0.1",
                "--port", str(self.port), "--workers", str(workers), "--no-access-log",
                "--log-level", "warning", "govcx.wsgi:application"]
        self.fh = logfile.open("ab")
        self.proc = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=self.fh,
                                     stderr=subprocess.STDOUT, start_new_session=True)

    def wait_ready(self, timeout: float = 120) -> None:
        wait_http_ready(self.proc, self.port, "/healthz", timeout)

    def stop(self) -> None:
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                break
            try:
                self.proc.wait(timeout=15)
                break
            except subprocess.TimeoutExpired:
                continue
        self.fh.close()


class Browser:
    """One keep-alive connection with a cookie jar."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: str | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, bytes, dict[str, str]]:
        h = {"Host": f"127.0.0.1:{self.port}", **(headers or {})}
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            self.conn.request(method, path, body=body, headers=h)
            r = self.conn.getresponse()
        except (http.client.HTTPException, OSError):
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
            self.conn.request(method, path, body=body, headers=h)
            r = self.conn.getresponse()
        data = r.read()
        for k, v in r.getheaders():
            if k.lower() == "set-cookie":
                name, _, rest = v.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return r.status, data, {k.lower(): v for k, v in r.getheaders()}

    def sign_in(self, username: str, password: str) -> None:
        status, page, _ = self.request("GET", "/accounts/login/")
        m = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or m is None:
            raise RuntimeError(f"login page: HTTP {status}")
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": m.group(1).decode(),
                                       "username": username, "password": password})
        status, _, _headers = self.request(
            "POST", "/accounts/login/", body,
            {"Content-Type": "application/x-www-form-urlencoded",
             "Referer": f"http://127.0.0.1:{self.port}/accounts/login/"})
        if status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"sign-in failed: HTTP {status}")


# --- pages and their raw equivalents ------------------------------------------------------------

def _reverse(name: str, *args: Any, **kwargs: Any) -> str | None:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(name, args=args or None, kwargs=kwargs or None)
    except NoReverseMatch:
        return None


def pages(world: dict[str, Any]) -> tuple[list[dict[str, Any]], list[str]]:
    """[{label, kind, url, raw}] for every page that resolves, and the skipped names."""
    import datetime as dt

    from django.db.models import Sum
    from django.urls import get_resolver
    from django.utils import timezone

    from govcx.contact import metrics as cm
    from govcx.core.models import Agency, Service
    from govcx.metrics import drivers as kd
    from govcx.metrics.models import ResponseDaily

    agency = world["agencies"][0]
    aid = agency["id"]
    sids = [s["id"] for s in agency["services"]]
    # the largest service of the first agency (most responses)
    sizes = dict(ResponseDaily.objects.filter(service_id__in=sids).values_list("service_id")
                 .annotate(n=Sum("responses")).values_list("service_id", "n"))
    sid = max(sids, key=lambda s: sizes.get(s, 0))
    service = Service.objects.get(pk=sid)
    agency_slug = Agency.objects.get(pk=aid).slug
    end = timezone.localdate()
    start = end - dt.timedelta(days=364)
    agency_f = cm.MetricFilter(agency_ids=frozenset({aid}))
    service_f = cm.MetricFilter(agency_ids=frozenset({aid}), service=sid, start=start, end=end)

    def survey_raw(ids: list[int]) -> Any:
        return [raw_figures(service_id=i, start=start, end=end) for i in ids]

    out: list[dict[str, Any]] = []
    skipped: list[str] = []

    def add(label: str, kind: str, names: list[str], args: list[Any], raw: Any) -> None:
        for name in names:
            url = _reverse(name, *args)
            if url is not None:
                out.append({"label": f"{label} ({name})", "kind": kind, "url": url, "raw": raw})
                return
        skipped.append(" / ".join(names))

    add("service dashboard", "internal", ["metrics:dashboard"], [sid],
        lambda: survey_raw([sid]))
    add("contact metrics", "internal", ["contact:metrics"], [],
        lambda: cm.report_raw(agency_f, "channel"))
    add("KPI overview", "internal", ["metrics:kpis", "metrics:kpi_overview"], [],
        lambda: (survey_raw(sids), cm.report_raw(
            cm.MetricFilter(agency_ids=frozenset({aid}), start=start, end=end), "service")))
    add("service KPIs", "internal", ["metrics:service_kpis"], [sid],
        lambda: (survey_raw([sid]), cm.report_raw(service_f, None)))
    add("key drivers", "internal", ["drivers:drivers"], [sid],
        lambda: kd.key_drivers_compute(service_id=sid, agency_id=aid, today=end))

    resolver = get_resolver()
    ns = resolver.namespace_dict.get("transparency")
    if ns is None:
        skipped.append("transparency:* (namespace not included in the URLconf)")
    else:
        for p in ns[1].url_patterns:
            name = getattr(p, "name", None)
            convs = getattr(p.pattern, "converters", {})
            kw: dict[str, Any] = {}
            for param in convs:
                if "agency" in param:
                    kw[param] = agency_slug
                elif "service" in param:
                    kw[param] = service.slug
                elif param in ("fmt", "format"):
                    kw[param] = "json"
            if name is None or set(kw) != set(convs):
                skipped.append(f"transparency:{name} (parameters {sorted(convs)})")
                continue
            url = _reverse(f"transparency:{name}", **kw)
            if url is None:
                skipped.append(f"transparency:{name}")
                continue
            if any("service" in k for k in kw):
                raw = lambda: (survey_raw([sid]), cm.report_raw(  # noqa: E731
                    cm.MetricFilter(agency_ids=frozenset({aid}), service=sid), "month"))
            elif kw:
                raw = lambda: (survey_raw(sids), cm.report_raw(agency_f, "month"))  # noqa: E731
            else:
                raw = lambda: (  # noqa: E731
                    [survey_raw([s["id"] for s in a["services"]]) for a in world["agencies"]])
            out.append({"label": f"public {name} (transparency:{name})", "kind": "public",
                        "url": url, "raw": raw})
    return out, skipped


def measure_pages(port: int, world: dict[str, Any], runs: int, raw_runs: int,
                  only: str = "") -> tuple[list[dict[str, Any]], list[str]]:
    from django.contrib.auth import get_user_model

    items, skipped = pages(world)
    if only:  # re-measure some pages: labels containing this text
        items = [it for it in items if only in it["label"]]
    user = get_user_model().objects.get(pk=world["agencies"][0]["analyst"])
    staff = Browser(port)
    staff.sign_in(user.get_username(), PASSWORD)
    public = Browser(port)
    results = []
    for it in items:
        b = staff if it["kind"] == "internal" else public
        t = time.perf_counter()
        status, body, _ = b.request("GET", it["url"])
        cold = (time.perf_counter() - t) * 1000
        if status != 200:
            log(f"  {it['label']}: HTTP {status}, not timed")
            results.append({**it, "status": status})
            continue
        for _ in range(3):
            b.request("GET", it["url"])
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            status, body, _ = b.request("GET", it["url"])
            times.append((time.perf_counter() - t) * 1000)
            if status != 200:
                raise RuntimeError(f"{it['url']}: HTTP {status} during the run")
        raw_t = []
        for _ in range(raw_runs):
            t = time.perf_counter()
            it["raw"]()
            raw_t.append((time.perf_counter() - t) * 1000)
        res = {"label": it["label"], "kind": it["kind"], "url": it["url"], "status": 200,
               "cold_ms": cold, "p50_ms": statistics.median(times), "p95_ms": pct(times, 0.95),
               "raw_ms": statistics.median(raw_t), "bytes": len(body)}
        res["ratio"] = res["raw_ms"] / res["p95_ms"]
        log(f"  {it['label']}: p50 {res['p50_ms']:.1f} ms, p95 {res['p95_ms']:.1f} ms "
            f"(cold {cold:.0f} ms); raw {res['raw_ms']:.0f} ms; ratio {res['ratio']:.0f}x")
        results.append(res)
    return results, skipped


# --- catch-up -------------------------------------------------------------------------------------

def catchup_worker(out: Path, rate: float, seconds: float, seed: int) -> None:
    """One process: response_submit paced to `rate` per second for `seconds`."""
    import random

    import django

    django.setup()
    from govcx.feedback.models import Touchpoint
    from govcx.feedback.services import response_submit

    tps = list(Touchpoint.objects.filter(survey__template="a11", active=True)
               .select_related("survey", "agency").order_by("id"))
    versions = {tp.pk: tp.survey.current_version for tp in tps}
    rng = random.Random(seed)
    ok = failed = 0
    lat = []
    t0 = time.perf_counter()
    i = 0
    while True:  # rate 0: as fast as possible
        due = t0 + i / rate if rate > 0 else time.perf_counter()
        now = time.perf_counter()
        if due - t0 >= seconds:
            break
        if due > now:
            time.sleep(due - now)
        tp = tps[rng.randrange(len(tps))]
        up = rng.random() < 0.7
        answers = {"trust": "up" if up else "down",
                   "went_well" if up else "went_poorly": [rng.choice(("ease", "efficiency"))]}
        t = time.perf_counter()
        res = response_submit(touchpoint=tp, answers=answers, version=versions[tp.pk],
                              source="api")
        lat.append((time.perf_counter() - t) * 1000)
        ok += res.ok
        failed += not res.ok
        i += 1
    elapsed = time.perf_counter() - t0
    out.write_text(json.dumps({"ok": ok, "failed": failed, "elapsed": elapsed,
                               "p50_ms": statistics.median(lat) if lat else None,
                               "mean_ms": statistics.fmean(lat) if lat else None,
                               "p99_ms": pct(lat, 0.99) if lat else None,
                               "behind_s": max(0.0, elapsed - seconds)}))


def lag_check() -> tuple[bool, list[tuple[int, int, int]]]:
    """Per service: (service, rollup total, raw count) as a dashboard reads them (after its
    catch-up, `rollups_current`); True when every pair is equal."""
    from django.db.models import Count, Sum

    from govcx.feedback.models import Response
    from govcx.metrics.models import ResponseDaily
    from govcx.metrics.services import rollups_current

    rollups_current()

    roll = dict(ResponseDaily.objects.values_list("service_id").annotate(n=Sum("responses"))
                .values_list("service_id", "n"))
    raw = dict(Response.objects.filter(quarantined=False).values_list("service_id")
               .annotate(n=Count("id")).values_list("service_id", "n"))
    rows = [(s, int(roll.get(s) or 0), int(raw.get(s) or 0)) for s in sorted(set(roll) | set(raw))]
    return all(a == b for _, a, b in rows), rows


def upsert_rate(world: dict[str, Any], n: int) -> float:
    """rollup_add alone, one transaction each, on a scratch row (net zero, deleted after)."""
    import datetime as dt

    from django.db import transaction

    from govcx.metrics.models import ResponseDaily
    from govcx.metrics.services import rollup_add

    a = world["agencies"][0]
    svc = a["services"][0]
    scratch = -1  # no touchpoint has this id
    day = dt.date(2000, 1, 1)
    counts = {"responses": 1, "trust_n": 1, "trust_pos": 1, "pos_ease": 1}
    t = time.perf_counter()
    for i in range(n):
        with transaction.atomic():
            rollup_add(agency_id=a["id"], service_id=svc["id"], touchpoint_id=scratch,
                       channel="web", day=day, counts=counts, sign=1 if i % 2 == 0 else -1)
    rate = n / (time.perf_counter() - t)
    ResponseDaily.objects.filter(touchpoint_id=scratch).delete()
    return rate


def _workers(env: dict[str, str], rate: float, seconds: float, procs: int
             ) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory(prefix="govcx-bench-catchup-") as tmp:
        outs = [Path(tmp) / f"w{i}.json" for i in range(procs)]
        ps = [subprocess.Popen([sys.executable, __file__, "--catchup-worker", str(o),
                                "--rate", str(rate / procs), "--seconds", str(seconds),
                                "--seed", str(i)], env=env, cwd=ROOT)
              for i, o in enumerate(outs)]
        for p in ps:
            p.wait()
        return [json.loads(o.read_text()) for o in outs if o.exists()]


def catchup(env: dict[str, str], world: dict[str, Any], rate: float, seconds: float,
            procs: int, upserts: int) -> dict[str, Any]:
    from govcx.feedback.models import Response

    before = Response.objects.count()
    parts = _workers(env, rate, seconds, procs)
    ok = sum(p["ok"] for p in parts)
    elapsed = max((p["elapsed"] for p in parts), default=0.0)
    # the ceiling: one process submitting as fast as it can for 5 s
    unpaced = _workers(env, 0, 5, 1)
    same, rows = lag_check()
    after = Response.objects.count()
    up = upsert_rate(world, upserts)
    return {"target": rate, "procs": procs, "seconds": seconds, "ok": ok,
            "submit_mean_ms": max((p["mean_ms"] or 0) for p in parts) if parts else None,
            "max_rate_1proc": (unpaced[0]["ok"] / unpaced[0]["elapsed"]) if unpaced else 0,
            "failed": sum(p["failed"] for p in parts), "achieved": ok / elapsed if elapsed else 0,
            "submit_p50_ms": max((p["p50_ms"] or 0) for p in parts) if parts else None,
            "submit_p99_ms": max((p["p99_ms"] or 0) for p in parts) if parts else None,
            "inserted": after - before, "lag_zero": same, "lag_rows": rows,
            "upsert_rate": up}


# --- main -----------------------------------------------------------------------------------------

def print_summary(r: dict[str, Any]) -> None:
    g = r["generated"]
    print(f"\nDashboards bench: {g['vendor']}, {g['responses']:,} responses, {g['contacts']:,} "
          f"contacts ({g['cases']:,} cases); server granian x{r['workers']}; {r['runs']} runs "
          f"per page, raw p50 of {r['raw_runs']}")
    print("\n| page | kind | p50 ms | p95 ms | cold ms | raw ms | raw / page p95 | "
          "p95 ≤ 150 ms | ≥ 100x |")
    print("|---|---|---:|---:|---:|---:|---:|---|---|")
    for p in r["pages"]:
        if p.get("status") != 200:
            print(f"| {p['label']} | {p['kind']} | HTTP {p.get('status')} | | | | | | |")
            continue
        print(f"| {p['label']} | {p['kind']} | {p['p50_ms']:.1f} | {p['p95_ms']:.1f} | "
              f"{p['cold_ms']:.0f} | {p['raw_ms']:.0f} | {p['ratio']:.0f}x | "
              f"{'yes' if p['p95_ms'] <= BAR_MS else 'NO'} | "
              f"{'yes' if p['ratio'] >= BAR_RATIO else 'NO'} |")
    for s in r["skipped"]:
        print(f"skipped: {s} (URL name does not resolve)")
    c = r.get("catchup")
    if c:
        print(f"\ncatch-up: target {c['target']:.0f}/s from {c['procs']} processes for "
              f"{c['seconds']:.0f} s: achieved {c['achieved']:.0f}/s ({c['ok']:,} ok, "
              f"{c['failed']} failed; response_submit p50 {c['submit_p50_ms']:.1f} ms, mean "
              f"{c['submit_mean_ms']:.1f} ms, p99 {c['submit_p99_ms']:.1f} ms); unpaced, one "
              f"process: {c['max_rate_1proc']:.0f}/s; rollups equal raw counts afterwards (lag 0): "
              f"{'yes' if c['lag_zero'] else 'NO'}; ≥ 1,000/s: "
              f"{'yes' if c['achieved'] >= BAR_RATE * 0.99 else 'NO'}")
        print(f"rollup upsert alone (rollup_add, one transaction each, one process): "
              f"{c['upsert_rate']:.0f}/s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--db", type=Path, default=DEFAULT_DB, help="SQLite file from generate.py")
    ap.add_argument("--use-env-db", action="store_true", help="use DATABASE_URL as it is")
    ap.add_argument("--summary", type=Path, help="generate.py's JSON (default <db>.json)")
    ap.add_argument("--runs", type=int, default=50)
    ap.add_argument("--raw-runs", type=int, default=3)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--rate", type=float, default=1000.0)
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--procs", type=int, default=0,
                    help="catch-up processes (default: 1 on SQLite, whose writes are serial; "
                         "4 on PostgreSQL, where concurrent commits overlap)")
    ap.add_argument("--upserts", type=int, default=5000)
    ap.add_argument("--no-catchup", action="store_true")
    ap.add_argument("--no-pages", action="store_true", help="only the catch-up part")
    ap.add_argument("--only", default="", help="only the pages whose label contains this, "
                    "e.g. 'drivers:drivers'")
    ap.add_argument("--out", type=Path, help="write the results as JSON here")
    ap.add_argument("--catchup-worker", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--seed", type=int, default=0, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.catchup_worker:  # environment already set by the parent
        catchup_worker(args.catchup_worker, args.rate, args.seconds, args.seed)
        return
    db = None if args.use_env_db else args.db.resolve()
    if db is not None and not db.exists():
        sys.exit(f"{db} does not exist: run bench/dashboards/generate.py first")
    configure(db)
    summary_path = args.summary or (Path(f"{db}.json") if db else
                                    ROOT / "var" / "bench" / "dashboards-env.json")
    generated = json.loads(summary_path.read_text())
    world = generated["world"]
    import django

    django.setup()
    tmp = tempfile.TemporaryDirectory(prefix="govcx-bench-dashboards-")
    env = dict(os.environ)
    env.update(GOVCX_DEV="1", RATELIMIT_ENABLE="0", DJANGO_SETTINGS_MODULE="govcx.settings",
               LOG_LEVEL="ERROR", PYTHONPATH=str(ROOT) + os.pathsep + env.get("PYTHONPATH", ""))
    env.setdefault("CACHE_URL", f"filecache://{tmp.name}/cache")
    env.setdefault("SECRET_KEY", "bench-secret-key-not-for-production")
    os.environ["CACHE_URL"] = env["CACHE_URL"]
    results: list[dict[str, Any]] = []
    skipped: list[str] = []
    if not args.no_pages:
        server = Server(env, args.workers, Path(tmp.name) / "server.log")
        try:
            server.wait_ready()
            log(f"server on 127.0.0.1:{server.port}; timing pages …")
            results, skipped = measure_pages(server.port, world, args.runs, args.raw_runs,
                                             args.only)
        finally:
            server.stop()
    out: dict[str, Any] = {"generated": {k: v for k, v in generated.items() if k != "world"},
                           "workers": args.workers, "runs": args.runs,
                           "raw_runs": args.raw_runs, "pages": results, "skipped": skipped}
    for p in out["pages"]:
        p.pop("raw", None)
    if not args.no_catchup:
        from django.db import connection

        procs = args.procs or (1 if connection.vendor == "sqlite" else 4)
        log(f"catch-up: {args.rate:.0f} responses/s for {args.seconds:.0f} s …")
        out["catchup"] = catchup(env, world, args.rate, args.seconds, procs, args.upserts)
    print_summary(out)
    if args.out:
        args.out.write_text(json.dumps(out, indent=1, default=str))
    tmp.cleanup()


if __name__ == "__main__":
    main()
