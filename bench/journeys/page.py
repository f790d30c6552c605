"""Journey map page benchmark: render /staff/journeys/<service>/ over N stored events.

    GOVCX_DEV=1 .venv/bin/python bench/journeys/page.py                  # 1,000,000 events
    GOVCX_DEV=1 .venv/bin/python bench/journeys/page.py --events 100000 --runs 5
    GOVCX_DEV=1 .venv/bin/python bench/journeys/page.py --database-url sqlite:////tmp/j.sqlite3 \
        --reuse                                                           # keep the seeded DB

Builds a fresh SQLite database (a temporary file unless --database-url) with one agency and
one service, writes a generated benefits-journey log (govcx.journeys.synthetic, ~N events,
~10 per journey) as CSV and imports it through the product's own import path
(`imports.journey_events_import`: engine reader, then bulk INSERTs in batches), with the
intended journey declared so the page also computes designed versus actual. Then, signed in
as a CX analyst (django.test.Client), times --runs GETs of the whole map page for the whole
period (load the events from the database, build the event log, mine it, lay out the SVG,
render the template) and prints p50 / max, plus one run broken down by phase. Agencies with
at least 200,000 events are read from a Parquet snapshot of their events (see
govcx/journeys/sources.py); the import refreshes it, and with --reuse the first request
rebuilds it (reported as "first request").

Bar (issue 5): the journey page for 1M events renders in under 2 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
PERIOD = {"start": "2024-01-01", "end": "2025-12-31"}
INTENDED = ["Start application online", "Upload documents", "Submit application",
            "Eligibility review", "Decision approved", "Payment issued"]


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def build(n: int, tmp: Path, reuse: bool) -> dict[str, Any]:
    from django.core.management import call_command
    from django.db import connection

    from govcx.core import services as core
    from govcx.core.models import Agency, Role, Service
    from govcx.journeys import imports, synthetic
    from govcx.journeys.models import JourneyEvent
    from govcx.journeys.services import intended_journey_set

    call_command("migrate", verbosity=0, interactive=False)
    if reuse and Agency.objects.filter(slug="bench").exists():
        service = Service.objects.get(agency__slug="bench", slug="apply")
        from django.contrib.auth import get_user_model

        return {"service": service, "user": get_user_model().objects.get(username="analyst"),
                "insert_s": 0.0, "events": JourneyEvent.objects.count()}
    agency = core.agency_create(name="Bench Agency", slug="bench")
    service = core.service_create(agency=agency, name="Apply for benefits", slug="apply")
    user = core.staff_create(username="analyst", email="analyst@example.gov",
                             password="bench-password-123", agency=agency, role=Role.CX_ANALYST)
    path = tmp / "journeys.csv"
    t0 = time.perf_counter()
    rows = synthetic.write_csv(path, n)
    log(f"  generated {rows:,} events ({time.perf_counter() - t0:.0f} s)")
    t0 = time.perf_counter()
    last = [0]

    def progress(done: int, total: int) -> None:
        if done - last[0] >= 100_000 or done == total:
            last[0] = done
            log(f"  stored {done:,} / {total:,} ({time.perf_counter() - t0:.0f} s)")

    imports.journey_events_import(agency=agency, path=path, fmt="csv",
                                  mapping=imports.Mapping(channel="channel"), service=service,
                                  case_prefix="", progress=progress)
    insert_s = time.perf_counter() - t0
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    intended_journey_set(service=service, steps=INTENDED)
    return {"service": service, "user": user, "insert_s": insert_s,
            "events": JourneyEvent.objects.count()}


def phases(service: Any) -> list[tuple[str, float]]:
    """One render split into its phases (same calls as the view)."""
    from govcx.journeys import graph, selectors, sources

    out = []
    flt = selectors.MapFilter.parse(PERIOD)
    start, end = flt.bounds()
    t = time.perf_counter()
    frame = sources.stored_frame(sources.events_scope(
        agency_id=service.agency_id, service_id=service.pk, start=start, end=end))
    out.append((f"(for comparison) {frame.height:,} events read row by row with SQL",
                time.perf_counter() - t))
    t = time.perf_counter()
    sources.snapshot_refresh(agency_id=service.agency_id)
    out.append(("snapshot rebuild (after a deletion or a re-key)", time.perf_counter() - t))
    t = time.perf_counter()
    frame = sources.service_events(agency_id=service.agency_id, service_id=service.pk,
                                   start=start, end=end)
    out.append(("service events from the snapshot", time.perf_counter() - t))
    from govcx.journeys.services import journey_events_rekey

    key = frame.get_column("case:concept:name")[0]
    journey_events_rekey(agency=service.agency_id, old_key=key, new_key=key + "-rekeyed")
    t = time.perf_counter()
    sources.service_events(agency_id=service.agency_id, service_id=service.pk, start=start,
                           end=end)
    out.append(("service events after a re-key (rows dropped by id)", time.perf_counter() - t))
    t = time.perf_counter()
    log_ = selectors.journey_log(service=service, flt=flt)
    out.append(("journey_log (events + survey answers + event log)", time.perf_counter() - t))
    t = time.perf_counter()
    jmap = selectors.journey_map(log=log_, intended=selectors.intended_steps(service))
    out.append(("mine (engine analyze + steps + variants + conformance)",
                time.perf_counter() - t))
    t = time.perf_counter()
    graph.render_svg(nodes=[graph.Node(s.activity, s.cases, s.start, s.end) for s in jmap.steps],
                     edges=[graph.Edge(a.source, a.target, a.count, a.median_seconds)
                            for a in jmap.stats.dfg], title="t", description="d")
    out.append(("SVG", time.perf_counter() - t))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--database-url", default="")
    ap.add_argument("--reuse", action="store_true",
                    help="reuse an already seeded --database-url")
    args = ap.parse_args()
    os.environ.setdefault("GOVCX_DEV", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govcx.settings")
    tmp = tempfile.TemporaryDirectory(prefix="govcx-bench-journeys-")
    os.environ["DATABASE_URL"] = (args.database_url
                                  or f"sqlite:///{Path(tmp.name) / 'journeys.sqlite3'}")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    settings.ALLOWED_HOSTS = ["*"]
    settings.JOURNEY_CACHE_DIR = Path(tmp.name) / "journey-cache"
    started = time.perf_counter()
    log(f"building ~{args.events:,} events on {connection.vendor} ...")
    built = build(args.events, Path(tmp.name), args.reuse)
    client = Client()
    client.force_login(built["user"])
    url = f"/staff/journeys/{built['service'].pk}/"
    t = time.perf_counter()
    r = client.get(url, PERIOD)  # first request (with --reuse: builds the snapshot)
    first = time.perf_counter() - t
    assert r.status_code == 200, r.status_code
    times = []
    for _ in range(args.runs):
        t = time.perf_counter()
        r = client.get(url, PERIOD)
        times.append(time.perf_counter() - t)
        assert r.status_code == 200
    print(f"journey page benchmark: {built['events']:,} events, {connection.vendor}, "
          f"{args.runs} runs")
    if built["insert_s"]:
        print(f"import (read CSV + bulk insert): {built['insert_s']:.0f} s")
    print(f"page render: p50 {statistics.median(times):.2f} s, max {max(times):.2f} s "
          f"(bar: < 2 s); first request {first:.2f} s")
    for name, secs in phases(built["service"]):
        print(f"  {name}: {secs:.2f} s")
    print(f"total: {time.perf_counter() - started:.0f} s")
    tmp.cleanup()


if __name__ == "__main__":
    main()
