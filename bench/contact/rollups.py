"""Contact-centre metrics benchmark: rollup rebuild time, and the metrics figures read from
the rollups versus computed from raw rows, side by side in one run.

    .venv/bin/python bench/contact/rollups.py                    # 5,000,000 contacts, SQLite
    .venv/bin/python bench/contact/rollups.py --contacts 500000  # smaller
    .venv/bin/python bench/contact/rollups.py --keep /tmp/x.sqlite3   # keep the database

Builds a fresh SQLite database (or uses DATABASE_URL with --use-env-db, e.g. under
scripts/with-postgres) holding one agency with N contacts: about N/3 cases over a year on
five channels, about N/8 customers (so people come back and re-contacts happen), phone
contacts carrying call records, 85 % of cases resolved, 5 % reopened. Rows are inserted with
executemany straight into the tables. Then it times:

  rebuild   govcx.contact.metrics_rollups.contact_rollups_rebuild()
  rollups   report_rollups(filter, "channel") and (…, "month")  (what the page reads), p50
  page      GET /staff/contact/metrics/?by=channel, logged in (rollups + live backlog), p50
  raw       govcx.contact.metrics.report_raw(filter, "channel")  (same figures, raw rows)

checks that rollups and raw give identical counters, and prints the ratios.
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
CHANNELS = (("web", 25), ("email", 25), ("sms", 15), ("phone", 30), ("chat", 5))
TOPICS = [f"topic-{i:02d}" for i in range(20)] + [""] * 2


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _insert(model: Any, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    from django.db import connection

    table = connection.ops.quote_name(model._meta.db_table)
    cols = ", ".join(connection.ops.quote_name(c) for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cur:
        cur.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", rows)  # noqa: S608


def build(n_contacts: int, seed: int = 11) -> dict[str, Any]:
    from django.core.management import call_command
    from django.db import connection, transaction

    from govcx.contact.models import BusinessCalendar, Case, CaseEvent, Contact, Queue, SlaPolicy
    from govcx.core import services as core
    from govcx.core.models import Role
    from govcx.customers.models import Customer

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute("PRAGMA synchronous=OFF")
    rnd = random.Random(seed)
    agency = core.agency_create(name="Bench Agency", slug="bench-agency")
    services = [core.service_create(agency=agency, name=f"Service {i}", slug=f"s{i}",
                                    channels=["web"], stages=["apply"]).pk for i in range(3)]
    cal = BusinessCalendar.objects.create(agency=agency, name="Weekdays",
                                          hours={str(d): [["09:00", "17:00"]] for d in range(5)})
    policy = SlaPolicy.objects.create(agency=agency, name="Std", first_response_minutes=120,
                                      resolution_minutes=960, calendar=cal).pk
    queues = [Queue.objects.create(agency=agency, name=f"Queue {i}", slug=f"q{i}").pk
              for i in range(5)]
    agents = [core.staff_create(username=f"agent{i}", email=f"agent{i}@example.gov",
                                password="x" * 16, agency=agency, role=Role.AGENT).pk
              for i in range(10)]
    admin = core.staff_create(username="bench-admin", email="admin@example.gov",
                              password="x" * 16, agency=agency, role=Role.ADMINISTRATOR)
    adapt = connection.ops.adapt_datetimefield_value
    now = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    year = 365 * 86400

    n_customers = max(1, n_contacts // 8)
    first_customer = (Customer.objects.order_by("-id").values_list("id", flat=True).first()
                      or 0) + 1
    with transaction.atomic():
        created = adapt(now)
        _insert(Customer, ["id", "agency_id", "preferred_language", "created_at"],
                [(first_customer + i, agency.pk, "en", created) for i in range(n_customers)])
    log(f"  {n_customers:,} customers")

    chan_names = [c for c, _ in CHANNELS]
    chan_weights = [w for _, w in CHANNELS]
    case_cols = ["id", "agency_id", "service_id", "customer_id", "subject", "status",
                 "priority", "topic", "language", "channel", "queue_id", "assignee_id",
                 "sla_policy_id", "opened_at", "first_response_at", "resolved_at", "closed_at",
                 "reopen_count", "customer_contacts", "follow_up_consent", "updated_at"]
    contact_cols = ["agency_id", "case_id", "customer_id", "channel", "direction", "at",
                    "sender", "subject", "body", "message_id", "in_reply_to", "references",
                    "answered", "abandoned", "wait_seconds", "talk_seconds", "hold_seconds",
                    "disposition", "transferred", "routed_to_agent", "external_id"]
    event_cols = ["case_id", "at", "kind", "detail"]
    case_id = (Case.objects.order_by("-id").values_list("id", flat=True).first() or 0)
    made = n_cases = 0
    cases: list[tuple[Any, ...]] = []
    contacts: list[tuple[Any, ...]] = []
    events: list[tuple[Any, ...]] = []

    def flush() -> None:
        with transaction.atomic():
            _insert(Case, case_cols, cases)
            _insert(Contact, contact_cols, contacts)
            if events:
                _insert(CaseEvent, event_cols, events)
        cases.clear()
        contacts.clear()
        events.clear()

    last_log = time.perf_counter()
    while made < n_contacts:
        case_id += 1
        n_cases += 1
        channel = rnd.choices(chan_names, chan_weights)[0]
        topic_i = rnd.randrange(len(TOPICS))
        queue_i = topic_i % len(queues)
        opened = now - dt.timedelta(seconds=rnd.randrange(year))
        customer = first_customer + rnd.randrange(n_customers)
        k = 1
        while rnd.random() < 0.67 and k < 12:
            k += 1
        k = min(k, n_contacts - made)
        resolved = rnd.random() < 0.85
        reopened = resolved and rnd.random() < 0.05
        first_resp = (opened + dt.timedelta(minutes=rnd.randrange(5, 600))
                      if rnd.random() < 0.9 else None)
        resolved_at = (opened + dt.timedelta(minutes=rnd.randrange(10, 60 * 24 * 6))
                       if resolved else None)
        status = ("closed" if resolved and rnd.random() < 0.3 else "resolved") if resolved \
            else rnd.choice(("new", "open", "pending"))
        inbound = 0
        span = ((resolved_at or opened + dt.timedelta(days=2)) - opened).total_seconds()
        for j in range(k):
            direction = "in" if j == 0 or j % 2 == 0 else "out"
            when = opened + dt.timedelta(seconds=span * j / max(1, k))
            call = (None, None, None, None, None, False, None)
            if channel == "phone" and direction == "in":
                answered = rnd.random() < 0.9
                wait = int(rnd.expovariate(1 / 50))
                call = (answered, not answered, wait,
                        rnd.randrange(60, 900) if answered else None,
                        rnd.randrange(0, 120) if answered else None, False,
                        rnd.random() < 0.95)
            inbound += direction == "in"
            contacts.append((agency.pk, case_id, customer, channel, direction, adapt(when),
                             "", "", "", "", "", "", call[0], call[1], call[2], call[3],
                             call[4], "", call[5], call[6], ""))
        made += k
        if reopened:
            events.append((case_id, adapt(opened + dt.timedelta(hours=1)), "reopened", "{}"))
        cases.append((
            case_id, agency.pk, services[topic_i % len(services)], customer, "", status, "normal",
            TOPICS[topic_i], "en", channel, queues[queue_i],
            agents[2 * queue_i + rnd.randrange(2)], policy,
            adapt(opened), adapt(first_resp) if first_resp else None,
            adapt(resolved_at) if resolved_at else None,
            adapt(resolved_at) if status == "closed" else None, int(reopened), inbound, False,
            adapt(now)))
        if len(contacts) >= 50_000:
            flush()
            if time.perf_counter() - last_log > 10:
                log(f"  {made:,} / {n_contacts:,} contacts")
                last_log = time.perf_counter()
    flush()
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            for model in (Customer, Case):
                table = model._meta.db_table  # a model's own table name, not input
                cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                            f"(SELECT MAX(id) FROM {table}))")
            cur.execute("ANALYZE")
    else:
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    secs = time.perf_counter() - t0
    log(f"built {made:,} contacts, {n_cases:,} cases in {secs:.0f} s")
    return {"agency": agency.pk, "admin": admin, "contacts": made, "cases": n_cases,
            "build_seconds": secs}


def p50(fn: Any, runs: int) -> tuple[float, Any]:
    out = fn()
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000, out


def measure(data: dict[str, Any], runs: int) -> dict[str, Any]:
    from django.db import connection
    from django.test import Client

    from govcx.contact import metrics as m
    from govcx.contact.metrics_rollups import contact_rollups_rebuild, report_rollups

    f = m.MetricFilter(agency_ids=frozenset({data["agency"]}))
    t = time.perf_counter()
    rebuilt = contact_rollups_rebuild()
    rebuild_s = time.perf_counter() - t
    log(f"rebuild: {rebuild_s:.1f} s {rebuilt}")
    roll_ms, roll = p50(lambda: report_rollups(f, "channel"), runs)
    roll_month_ms, _ = p50(lambda: report_rollups(f, "month"), runs)
    client = Client()
    client.force_login(data["admin"])

    def page() -> int:
        r = client.get("/staff/contact/metrics/", {"by": "channel"})
        assert r.status_code == 200, r.status_code
        return len(r.content)

    page_ms, _ = p50(page, runs)
    t = time.perf_counter()
    raw = m.report_raw(f, "channel")
    raw_s = time.perf_counter() - t
    same = {g: t for g, t in raw.totals.items() if any(t.values())} == roll.totals
    fcr = roll.figures
    return {
        "vendor": connection.vendor, "contacts": data["contacts"], "cases": data["cases"],
        "build_s": round(data["build_seconds"], 1), "rebuild_s": round(rebuild_s, 1),
        "rollups_channel_ms": round(roll_ms, 1), "rollups_month_ms": round(roll_month_ms, 1),
        "page_ms": round(page_ms, 1), "raw_s": round(raw_s, 1),
        "ratio_raw_over_rollups": round(raw_s * 1000 / roll_ms, 0) if roll_ms else None,
        "ratio_raw_over_page": round(raw_s * 1000 / page_ms, 0) if page_ms else None,
        "identical": same,
        "fcr_by_channel": {g: v["fcr"].value for g, v in fcr.items()},
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--contacts", type=int, default=5_000_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--keep", help="SQLite file to build (kept afterwards)")
    ap.add_argument("--use-env-db", action="store_true",
                    help="use DATABASE_URL as it is (e.g. PostgreSQL via scripts/with-postgres)")
    args = ap.parse_args()
    os.environ.setdefault("GOVCX_DEV", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govcx.settings")
    tmp = tempfile.TemporaryDirectory(prefix="govcx-bench-contact-")
    if not args.use_env_db:
        path = Path(args.keep) if args.keep else Path(tmp.name) / "contact.sqlite3"
        if path.exists():
            path.unlink()
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]
    t0 = time.perf_counter()
    data = build(args.contacts)
    out = measure(data, args.runs)
    out["total_s"] = round(time.perf_counter() - t0, 1)
    print()
    print(f"database            {out['vendor']}")
    print(f"contacts / cases    {out['contacts']:,} / {out['cases']:,}")
    print(f"build (insert)      {out['build_s']} s")
    print(f"rollup rebuild      {out['rebuild_s']} s")
    print(f"rollups, by channel {out['rollups_channel_ms']} ms (p50 of {args.runs})")
    print(f"rollups, by month   {out['rollups_month_ms']} ms (p50 of {args.runs})")
    print(f"metrics page        {out['page_ms']} ms (p50 of {args.runs}; rollups + live backlog)")
    print(f"raw rows, by channel {out['raw_s']} s")
    print(f"ratio raw / rollups {out['ratio_raw_over_rollups']}x; raw / page "
          f"{out['ratio_raw_over_page']}x")
    print(f"identical counters  {out['identical']}")
    print(f"FCR by channel      {out['fcr_by_channel']}")
    print(f"total               {out['total_s']} s")
    tmp.cleanup()
    if not out["identical"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
