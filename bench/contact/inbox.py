"""Agent inbox benchmark: the workspace list page and its JSON twin over a large case table.

    GOVCX_DEV=1 .venv/bin/python bench/contact/inbox.py                 # 1,000,000 cases
    GOVCX_DEV=1 .venv/bin/python bench/contact/inbox.py --cases 100000 --runs 30

Builds a fresh SQLite database (a temporary file; set --database-url to use another, e.g.
PostgreSQL) with N cases for one agency: 4 queues, 40 agents, ~12% of cases open (new, open
or pending; a third of those unassigned), the rest resolved or closed, opened over two
years, with SLA due dates. Bulk insert with Django's bulk_create in batches. Then, signed in
as one agent (django.test.Client), times --runs GETs of each workspace tab, page and JSON:
    /staff/cases/?tab=<tab>           and   /staff/cases/list.json?tab=<tab>
and prints p50 / p95 in milliseconds. The queries are the ones the page runs: filtered on
(agency, status) and the tab's column, ordered by opened_at, paginated 25 a page (with a
COUNT for the pager).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
TABS = ("mine", "queue", "unassigned", "breaching")


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(p * (len(xs) - 1)))]


def build(n: int, seed: int = 11) -> dict[str, Any]:
    from django.core.management import call_command
    from django.utils import timezone

    from govcx.contact.models import Case, Queue, QueueMember, SlaPolicy
    from govcx.core import services as core
    from govcx.core.models import Role

    call_command("migrate", verbosity=0, interactive=False)
    rng = random.Random(seed)
    agency = core.agency_create(name="Bench Agency", slug="bench")
    policy = SlaPolicy.objects.create(agency=agency, name="Std", first_response_minutes=240,
                                      resolution_minutes=2880, warn_before_minutes=120)
    queues = [Queue.objects.create(agency=agency, name=f"Queue {i}", slug=f"q{i}",
                                   sla_policy=policy) for i in range(4)]
    agents = [core.staff_create(username=f"agent{i}", email=f"agent{i}@example.gov",
                                password="bench-password-123", agency=agency,
                                role=Role.AGENT) for i in range(40)]
    for i, a in enumerate(agents):
        QueueMember.objects.create(queue=queues[i % 4], user=a)
    now = timezone.now()
    span = 730 * 86400
    t0 = time.perf_counter()
    batch: list[Case] = []
    open_statuses = ("new", "open", "pending")
    for i in range(n):
        opened = now - dt.timedelta(seconds=rng.randrange(span))
        is_open = rng.random() < 0.12
        status = rng.choice(open_statuses) if is_open else rng.choice(("resolved", "closed"))
        if is_open:  # open cases are recent
            opened = now - dt.timedelta(seconds=rng.randrange(30 * 86400))
        assignee = None if (is_open and rng.random() < 0.33) else rng.choice(agents)
        batch.append(Case(
            agency=agency, queue=rng.choice(queues), assignee=assignee, sla_policy=policy,
            subject=f"Case {i} about something", status=status, channel=rng.choice(
                ("web", "email", "sms", "phone")), opened_at=opened,
            first_response_due=opened + dt.timedelta(hours=4),
            resolution_due=opened + dt.timedelta(days=2),
            first_response_at=None if status == "new" else opened + dt.timedelta(hours=1),
            resolved_at=None if is_open else opened + dt.timedelta(days=1),
            customer_contacts=1))
        if len(batch) == 10_000:
            Case.objects.bulk_create(batch)
            batch = []
            if (i + 1) % 100_000 == 0:
                log(f"  {i + 1:,} cases ({time.perf_counter() - t0:.0f} s)")
    if batch:
        Case.objects.bulk_create(batch)
    insert_s = time.perf_counter() - t0
    from django.db import connection

    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    else:
        with connection.cursor() as cur:
            cur.execute("ANALYZE contact_case")
    return {"agent": agents[0], "insert_s": insert_s}


def measure(agent: Any, runs: int) -> list[tuple[str, float, float, int]]:
    from django.test import Client

    client = Client()
    client.force_login(agent)
    out = []
    for tab in TABS:
        for kind, url in (("page", f"/staff/cases/?tab={tab}"),
                          ("json", f"/staff/cases/list.json?tab={tab}")):
            r = client.get(url)  # warm-up
            assert r.status_code == 200, (url, r.status_code)
            count = r.json()["count"] if kind == "json" else -1
            times = []
            for _ in range(runs):
                t = time.perf_counter()
                r = client.get(url)
                times.append((time.perf_counter() - t) * 1000)
                assert r.status_code == 200
            out.append((f"{kind} {tab}", statistics.median(times), pct(times, 0.95), count))
    return out


def explain() -> list[str]:
    """The plan of the 'my cases' and 'unassigned' list queries (which index is used)."""
    from django.db import connection

    from govcx.contact.models import Case
    from govcx.contact.selectors import OPEN_STATUSES

    lines = []
    for name, qs in (
        ("mine", Case.objects.filter(agency_id=1, assignee_id=1, merged_into__isnull=True,
                                     status__in=OPEN_STATUSES).order_by("opened_at", "id")[:25]),
        ("unassigned", Case.objects.filter(agency_id=1, assignee__isnull=True,
                                           merged_into__isnull=True, status__in=OPEN_STATUSES)
         .order_by("opened_at", "id")[:25]),
    ):
        sql, params = qs.query.sql_with_params()
        prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
        with connection.cursor() as cur:
            cur.execute(prefix + sql, params)
            lines.append(f"{name}: " + " | ".join(str(r[-1]) for r in cur.fetchall()))
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cases", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--database-url", default="")
    args = ap.parse_args()
    os.environ.setdefault("GOVCX_DEV", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govcx.settings")
    os.environ["RATELIMIT_ENABLE"] = "0"
    tmp = tempfile.TemporaryDirectory(prefix="govcx-bench-inbox-")
    os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{Path(tmp.name) / 'inbox.sqlite3'}"
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    settings.ALLOWED_HOSTS = ["*"]
    started = time.perf_counter()
    log(f"building {args.cases:,} cases on {connection.vendor} ...")
    built = build(args.cases)
    rows = measure(built["agent"], args.runs)
    print(f"inbox benchmark: {args.cases:,} cases, {connection.vendor}, {args.runs} runs each")
    print(f"bulk insert: {built['insert_s']:.0f} s")
    print(f"{'request':<18} {'p50 ms':>8} {'p95 ms':>8} {'cases in tab':>13}")
    for name, p50, p95, count in rows:
        print(f"{name:<18} {p50:>8.1f} {p95:>8.1f} {count if count >= 0 else '':>13}")
    for line in explain():
        print("plan " + line)
    print(f"total: {time.perf_counter() - started:.0f} s")
    tmp.cleanup()


if __name__ == "__main__":
    main()
