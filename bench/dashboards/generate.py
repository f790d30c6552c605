"""Fill a separate database with N survey responses and M contacts, fast, for bench/dashboards.

    .venv/bin/python bench/dashboards/generate.py                          # 10M + 10M, SQLite
    .venv/bin/python bench/dashboards/generate.py --responses 200000 --contacts 200000
    scripts/with-postgres .venv/bin/python bench/dashboards/generate.py --use-env-db ...

Without --use-env-db the database is a fresh SQLite file (default var/bench/dashboards.sqlite3,
replaced); with it, DATABASE_URL is used as it is (PostgreSQL: rows go in with COPY).

What it builds (seeded, so the same arguments give the same data):
- 2 agencies ("Bench Benefits", "Bench Tax"), 3 services each (6), each service with one
  A-11 (2023) touchpoint per channel (web, email, sms, phone) and, on the first service of
  each agency, an A-11 legacy (FY19–23) web touchpoint, so the key-drivers page has both
  kinds; a CX analyst per agency (`bench-analyst-<n>`, password `bench-password-2026`), a
  queue and 6 agents per agency.
- responses over `--months` months (default 24) up to now, growing over time, unequal across
  services (weights 30/15/5 and 25/15/10 %) and touchpoints (web 55 %, email 20 %, sms 15 %,
  phone 10 %, legacy web 15 % where present), 12 % Spanish, 1 % quarantined, 15 % with a
  comment; trust follows a logistic model of six driver experiences (ease and effectiveness
  weigh most), with What went well / What didn't go well drawn from the experiences as the
  A-11 form asks them (only after the matching trust answer).
- contacts: cases with 1–12 contacts each on five channels (phone contacts carry call
  records), ~N/8 customers per agency so people come back, 85 % of cases resolved, 5 %
  reopened; about 10 % of resolved cases get a survey answer linked to the case
  (external_id "case:<id>") whose trust falls with resolution time and reopening; these
  answers count towards N.
Rows go straight into the tables (executemany in 50,000-row transactions on SQLite, COPY on
PostgreSQL), not through the services layer; then the rollups are rebuilt with the existing
`govcx.metrics.services.rollups_rebuild` and `govcx.contact.metrics_rollups.
contact_rollups_rebuild`. Progress goes to stderr; a JSON summary (ids, counts, seconds) is
written next to the database (`<db>.json`) for bench/dashboards/run.py.

Duration on the shared 2-core dev machine (SQLite, other jobs running): 200k + 200k in 27 s
(insert 17 s, rollups_rebuild 5 s, contact rollups 5 s); 1M + 1M in 233 s (insert 158 s,
rollups 23 s, contact rollups 50 s), peak memory 1.2 GB. Estimate for 10M + 10M: ~40 min
(insert ~26 min, rollups ~4 min, contact rollups ~8 min) and ~10 GB peak memory, nearly all of
it in contact_rollups_rebuild, which keeps every case's contribution in memory.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.dashboard.run import log  # noqa: E402  (the issue-2 bench's helpers)

DEFAULT_DB = ROOT / "var" / "bench" / "dashboards.sqlite3"
PASSWORD = "bench-password-2026"
A11_DRIVERS = ("effectiveness", "ease", "efficiency", "transparency", "humanity", "employee")
LEGACY_DRIVERS = ("effectiveness", "ease", "efficiency", "transparency", "employee")
# log-odds of trust per good experience (intercept -2.2)
DRIVER_WEIGHT = {"effectiveness": 1.3, "ease": 1.6, "efficiency": 0.7, "transparency": 0.6,
                 "humanity": 0.5, "employee": 0.4}
CHANNEL_WEIGHT = {"web": 55, "email": 20, "sms": 15, "phone": 10}
CONTACT_CHANNELS = (("web", 25), ("email", 25), ("sms", 15), ("phone", 30), ("chat", 5))
SERVICE_WEIGHTS = ((30, 15, 5), (25, 15, 10))
COMMENTS = ("The form was confusing.", "Quick and easy, thank you.", "I waited too long.",
            "Staff were very helpful.", "I could not find the status of my application.",
            "El formulario fue fácil.", "Took three calls to get an answer.")
RESPONSE_COLS = ("agency_id", "service_id", "touchpoint_id", "survey_version_id", "channel",
                 "language", "source", "page_url", "submitted_at", "answers", "external_id",
                 "trust_positive", "trust_score", "drivers_positive", "drivers_negative",
                 "comment", "status", "quarantined", "quarantine_reason")
CASE_COLS = ("id", "agency_id", "service_id", "customer_id", "subject", "status", "priority",
             "topic", "language", "channel", "queue_id", "assignee_id", "opened_at",
             "first_response_at", "resolved_at", "closed_at", "reopen_count",
             "customer_contacts", "follow_up_consent", "updated_at")
CONTACT_COLS = ("agency_id", "case_id", "customer_id", "channel", "direction", "at", "sender",
                "subject", "body", "message_id", "in_reply_to", "references", "answered",
                "abandoned", "wait_seconds", "talk_seconds", "hold_seconds", "disposition",
                "transferred", "routed_to_agent", "external_id")
TOPICS = [f"topic-{i:02d}" for i in range(12)] + [""]
BATCH = 50_000


def _ts(epoch: int) -> str:
    """UTC timestamp text both SQLite (Django's format) and PostgreSQL accept."""
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(epoch))


class Writer:
    """Batched inserts: executemany on SQLite, COPY on PostgreSQL."""

    def __init__(self) -> None:
        from django.db import connection

        self.conn = connection
        self.pg = connection.vendor == "postgresql"
        self.rows: dict[str, list[tuple[Any, ...]]] = {}
        self.cols: dict[str, tuple[str, ...]] = {}
        self.counts: dict[str, int] = {}

    def add(self, table: str, cols: tuple[str, ...], row: tuple[Any, ...]) -> None:
        self.cols[table] = cols
        self.rows.setdefault(table, []).append(row)

    def pending(self) -> int:
        return sum(len(r) for r in self.rows.values())

    def flush(self) -> None:
        from django.db import transaction

        q = self.conn.ops.quote_name
        with transaction.atomic():
            for table in ("contact_case", "contact_contact", "feedback_response"):
                rows = self.rows.get(table)
                if not rows:
                    continue
                cols = self.cols[table]
                names = ", ".join(q(c) for c in cols)
                if self.pg:
                    raw = self.conn.connection
                    with raw.cursor() as cur, cur.copy(
                            f"COPY {q(table)} ({names}) FROM STDIN") as cp:
                        for row in rows:
                            cp.write_row(row)
                else:
                    marks = ", ".join(["%s"] * len(cols))
                    with self.conn.cursor() as cur:
                        cur.executemany(f"INSERT INTO {q(table)} ({names}) "  # noqa: S608
                                        f"VALUES ({marks})", rows)
                self.counts[table] = self.counts.get(table, 0) + len(rows)
                rows.clear()


def _setup() -> dict[str, Any]:
    from govcx.contact.models import Queue
    from govcx.core import services as core
    from govcx.core.models import Role
    from govcx.feedback import services as fb
    from govcx.feedback import survey_templates

    world: dict[str, Any] = {"agencies": []}
    for ai, (name, slug) in enumerate((("Bench Benefits", "bench-benefits"),
                                       ("Bench Tax", "bench-tax"))):
        agency = core.agency_create(name=name, slug=slug)
        analyst = core.staff_create(username=f"bench-analyst-{ai + 1}",
                                    email=f"analyst{ai + 1}@example.gov", password=PASSWORD,
                                    agency=agency, role=Role.ADMINISTRATOR)
        a11 = fb.survey_create(agency=agency, name="A-11", schema=survey_templates.build(
            "a11", agency=name, service="our services"))
        legacy = fb.survey_create(agency=agency, name="A-11 legacy", schema=survey_templates.build(
            "a11_legacy", agency=name, service="our services"))
        services = []
        for si in range(3):
            svc = core.service_create(agency=agency, name=f"{name} service {si + 1}",
                                      slug=f"service-{si + 1}", channels=list(CHANNEL_WEIGHT),
                                      stages=["apply"])
            tps = []
            for ch, w in CHANNEL_WEIGHT.items():
                tp = fb.touchpoint_create(service=svc, survey=a11, name=f"{svc.name} {ch}",
                                          channel=ch)
                tps.append({"id": tp.pk, "channel": ch, "weight": w, "legacy": False,
                            "version": a11.current_version.pk})  # type: ignore[union-attr]
            if si == 0:
                tp = fb.touchpoint_create(service=svc, survey=legacy,
                                          name=f"{svc.name} web (legacy)", channel="web")
                tps.append({"id": tp.pk, "channel": "web", "weight": 15, "legacy": True,
                            "version": legacy.current_version.pk})  # type: ignore[union-attr]
            services.append({"id": svc.pk, "weight": SERVICE_WEIGHTS[ai][si], "tps": tps,
                             "email_tp": tps[1]})
        queue = Queue.objects.create(agency=agency, name="General", slug="general")
        agents = [core.staff_create(username=f"bench-agent-{ai + 1}-{i}",
                                    email=f"agent{ai + 1}-{i}@example.gov", password=PASSWORD,
                                    agency=agency, role=Role.AGENT).pk for i in range(6)]
        world["agencies"].append({"id": agency.pk, "slug": slug, "analyst": analyst.pk,
                                  "services": services, "queue": queue.pk, "agents": agents})
    return world


class ResponseMaker:
    """Answers, memoised as JSON text per distinct combination (there are few)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.memo: dict[Any, tuple[str, str, str]] = {}

    def _json(self, key: Any, answers: dict[str, Any], pos: list[str], neg: list[str]
              ) -> tuple[str, str, str]:
        hit = self.memo.get(key)
        if hit is None:
            hit = (json.dumps(answers), json.dumps(pos), json.dumps(neg))
            self.memo[key] = hit
        return hit

    def a11(self, shift: float) -> tuple[bool, None, str, str, str, str]:
        rng = self.rng
        good = [d for d in A11_DRIVERS if rng.random() < 0.72]
        z = -2.2 + shift + sum(DRIVER_WEIGHT[d] for d in good)
        up = rng.random() < 1 / (1 + math.exp(-z))
        if up:
            pos = [d for d in good if rng.random() < 0.55]
            neg: list[str] = []
        else:
            pos = []
            neg = [d for d in A11_DRIVERS if d not in good and rng.random() < 0.8]
        comment = rng.choice(COMMENTS) if rng.random() < 0.15 else ""
        answers: dict[str, Any] = {"trust": "up" if up else "down"}
        if pos:
            answers["went_well"] = pos
        if neg:
            answers["went_poorly"] = neg
        if comment:
            answers["comments"] = comment
        a, p, n = self._json(("a", up, tuple(pos), tuple(neg), comment), answers, pos, neg)
        return up, None, a, p, n, comment

    def legacy(self, shift: float) -> tuple[bool, int, str, str, str, str]:
        rng = self.rng
        items = {d: (rng.choice((4, 5)) if rng.random() < 0.7 else rng.choice((1, 2, 3)))
                 for d in LEGACY_DRIVERS}
        z = -2.2 + shift + sum(DRIVER_WEIGHT[d] * 1.2 for d, v in items.items() if v >= 4)
        p = 1 / (1 + math.exp(-z))
        score = rng.choice((4, 5)) if rng.random() < p else rng.choice((1, 2, 3))
        pos = [d for d, v in items.items() if v >= 4]
        neg = [d for d, v in items.items() if v <= 2]
        answers = {"satisfaction": max(1, min(5, score + rng.choice((-1, 0, 0, 1)))),
                   "trust": score, **items}
        a, ps, ns = self._json(("l", tuple(sorted(answers.items()))), answers, pos, neg)
        return score >= 4, score, a, ps, ns, ""


def generate(n_responses: int, n_contacts: int, months: int = 24, seed: int = 7
             ) -> dict[str, Any]:
    from django.core.management import call_command
    from django.db import connection, transaction

    from govcx.contact.metrics_rollups import contact_rollups_rebuild
    from govcx.metrics.services import rollups_rebuild

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute("PRAGMA synchronous=OFF")
    world = _setup()
    rng = random.Random(seed)
    maker = ResponseMaker(rng)
    w = Writer()
    now = int(time.time()) // 60 * 60
    days = months * 30 + months // 2
    start = now - days * 86400
    # growth over time: day d weighs 1 + d/days (twice as many at the end as at the start)
    weights = [1 + d / days for d in range(days)]
    tot = sum(weights)

    def split(total: int) -> list[int]:
        out = [int(total * x / tot) for x in weights]
        for i in range(total - sum(out)):
            out[-1 - (i % days)] += 1
        return out

    resp_per_day, contacts_per_day = split(n_responses), split(n_contacts)
    agencies = world["agencies"]
    svc_choices = [(a, s) for a in agencies for s in a["services"]]
    svc_weights = [s["weight"] for _, s in svc_choices]
    tp_weights = {s["id"]: [t["weight"] for t in s["tps"]] for _, s in svc_choices}
    shift = {s["id"]: (0.35 * i - 0.3) for i, (_, s) in enumerate(svc_choices)}
    # customers: ~N/8 per agency, inserted first
    from govcx.customers.models import Customer

    n_cust = max(1, n_contacts // 16)
    first_cust = (Customer.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    cust_ranges = []
    with transaction.atomic(), connection.cursor() as cur:
        q = connection.ops.quote_name
        next_id = first_cust
        for a in agencies:
            rows = [(next_id + i, a["id"], "en", _ts(start)) for i in range(n_cust)]
            cur.executemany(f"INSERT INTO {q(Customer._meta.db_table)} (id, agency_id, "  # noqa: S608
                            "preferred_language, created_at) VALUES (%s, %s, %s, %s)", rows)
            cust_ranges.append((next_id, n_cust))
            next_id += n_cust
    case_id = 0
    linked = 0
    made_resp = made_contacts = n_cases = 0
    chan_names = [c for c, _ in CONTACT_CHANNELS]
    chan_w = [x for _, x in CONTACT_CHANNELS]
    last_log = time.perf_counter()
    log(f"generating {n_responses:,} responses and {n_contacts:,} contacts over {days} days …")
    for d in range(days):
        day0 = start + d * 86400
        # --- contacts and cases of the day
        budget = contacts_per_day[d]
        case_linked: list[tuple[int, int, int, dict[str, Any], bool, float]] = []
        while budget > 0:
            case_id += 1
            n_cases += 1
            ai = 0 if rng.random() < 0.6 else 1
            agency = agencies[ai]
            svc = agency["services"][rng.randrange(3)]
            cfirst, cn = cust_ranges[ai]
            customer = cfirst + rng.randrange(cn)
            channel = rng.choices(chan_names, chan_w)[0]
            opened = day0 + rng.randrange(86400)
            k = 1
            while rng.random() < 0.6 and k < 12:
                k += 1
            k = min(k, budget)
            budget -= k
            resolved = rng.random() < 0.85
            reopened = resolved and rng.random() < 0.05
            first_resp = opened + rng.randrange(300, 36000) if rng.random() < 0.9 else None
            res_at = opened + int(rng.expovariate(1 / (2.5 * 86400))) + 600 if resolved else None
            if res_at is not None and res_at > now:
                res_at, resolved, reopened = None, False, False
            status = (("closed" if rng.random() < 0.3 else "resolved") if resolved
                      else rng.choice(("new", "open", "pending")))
            span = ((res_at or opened + 2 * 86400) - opened)
            inbound = 0
            for j in range(k):
                direction = "in" if j % 2 == 0 else "out"
                when = opened + span * j // max(1, k)
                call: tuple[Any, ...] = (None, None, None, None, None, False, None)
                if channel == "phone" and direction == "in":
                    ans = rng.random() < 0.9
                    call = (ans, not ans, int(rng.expovariate(1 / 50)),
                            rng.randrange(60, 900) if ans else None,
                            rng.randrange(0, 120) if ans else None, False, rng.random() < 0.95)
                inbound += direction == "in"
                w.add("contact_contact", CONTACT_COLS, (
                    agency["id"], case_id, customer, channel, direction, _ts(when), "", "", "",
                    "", "", "", *call[:5], "", call[5], call[6], ""))
            made_contacts += k
            w.add("contact_case", CASE_COLS, (
                case_id, agency["id"], svc["id"], customer, "", status, "normal",
                TOPICS[rng.randrange(len(TOPICS))], "en", channel, agency["queue"],
                agency["agents"][rng.randrange(6)], _ts(opened),
                _ts(first_resp) if first_resp else None, _ts(res_at) if res_at else None,
                _ts(res_at) if status == "closed" and res_at else None, int(reopened), inbound,
                False, _ts(min(now, res_at or opened))))
            if res_at is not None and rng.random() < 0.10 and res_at + 3600 < now:
                case_linked.append((case_id, res_at + 3600, agency["id"], svc,
                                    reopened or inbound > 1, (res_at - opened) / 86400))
        # --- responses of the day: the case-linked answers, then the rest
        for cid, at, aid, svc, repeat, res_days in case_linked:
            tp = svc["email_tp"]
            # trust falls with resolution time and with repeat contacts
            z = 1.4 - (0.9 if repeat else 0.0) - 0.25 * min(12.0, res_days)
            up = rng.random() < 1 / (1 + math.exp(-z))
            ans = json.dumps({"trust": "up" if up else "down"})
            w.add("feedback_response", RESPONSE_COLS, (
                aid, svc["id"], tp["id"], tp["version"], tp["channel"], "en", "email", "",
                _ts(at), ans, f"case:{cid}", up, None, "[]", "[]", "", "new", False, ""))
            linked += 1
            made_resp += 1
        for _ in range(max(0, resp_per_day[d] - len(case_linked))):
            agency, svc = rng.choices(svc_choices, svc_weights)[0]
            tp = rng.choices(svc["tps"], tp_weights[svc["id"]])[0]
            up, score, ans, pos, neg, comment = (maker.legacy if tp["legacy"] else maker.a11)(
                shift[svc["id"]])
            quarantined = rng.random() < 0.01
            w.add("feedback_response", RESPONSE_COLS, (
                agency["id"], svc["id"], tp["id"], tp["version"], tp["channel"],
                "es" if rng.random() < 0.12 else "en", "web", "", _ts(day0 + rng.randrange(86400)),
                ans, "", up, score, pos, neg, comment, "new", quarantined,
                "bench" if quarantined else ""))
            made_resp += 1
        if w.pending() >= BATCH:
            w.flush()
            if time.perf_counter() - last_log > 10:
                el = time.perf_counter() - t0
                done = (made_resp + made_contacts) / max(1, n_responses + n_contacts)
                log(f"  day {d + 1}/{days}: {made_resp:,} responses, {made_contacts:,} contacts "
                    f"({done:.0%}, {el:.0f} s, ~{el / max(done, 1e-9) - el:.0f} s to go)")
                last_log = time.perf_counter()
    w.flush()
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            for table in ("contact_case", "customers_customer"):
                cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                            f"(SELECT MAX(id) FROM {table}))")
        cur.execute("ANALYZE")
    t1 = time.perf_counter()
    log(f"inserted {made_resp:,} responses ({linked:,} linked to cases), {made_contacts:,} "
        f"contacts in {n_cases:,} cases in {t1 - t0:.0f} s; rebuilding the rollups …")
    rows = rollups_rebuild()
    t2 = time.perf_counter()
    log(f"  rollups_rebuild: {rows:,} rows in {t2 - t1:.0f} s")
    crows = contact_rollups_rebuild()
    t3 = time.perf_counter()
    log(f"  contact_rollups_rebuild: {crows} in {t3 - t2:.0f} s")
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    return {"world": world, "responses": made_resp, "linked": linked, "contacts": made_contacts,
            "cases": n_cases, "insert_s": round(t1 - t0, 1), "rollups_s": round(t2 - t1, 1),
            "contact_rollups_s": round(t3 - t2, 1), "total_s": round(time.perf_counter() - t0, 1),
            "vendor": connection.vendor, "database": str(connection.settings_dict["NAME"]),
            "months": months, "generated_at": dt.datetime.now(dt.UTC).isoformat()}


def configure(db: Path | None) -> None:
    """Environment for a bench process: the SQLite file (unless DATABASE_URL is used)."""
    os.environ.setdefault("GOVCX_DEV", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govcx.settings")
    os.environ["RATELIMIT_ENABLE"] = "0"
    if db is not None:
        os.environ["DATABASE_URL"] = f"sqlite:///{db}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--responses", type=int, default=10_000_000)
    ap.add_argument("--contacts", type=int, default=10_000_000)
    ap.add_argument("--months", type=int, default=24)
    ap.add_argument("--db", type=Path, default=DEFAULT_DB, help="SQLite file (replaced)")
    ap.add_argument("--use-env-db", action="store_true",
                    help="use DATABASE_URL as it is (e.g. PostgreSQL under scripts/with-postgres)")
    ap.add_argument("--summary", type=Path, help="where to write the JSON summary "
                    "(default: <db>.json, or var/bench/dashboards-env.json with --use-env-db)")
    args = ap.parse_args()
    db = None if args.use_env_db else args.db.resolve()
    if db is not None:
        db.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
    configure(db)
    import django

    django.setup()
    out = generate(args.responses, args.contacts, args.months)
    summary = args.summary or (Path(f"{db}.json") if db else
                               ROOT / "var" / "bench" / "dashboards-env.json")
    summary.parent.mkdir(parents=True, exist_ok=True)
    summary.write_text(json.dumps(out, indent=1))
    print(f"\ndatabase          {out['vendor']} {out['database']}")
    print(f"responses         {out['responses']:,} ({out['linked']:,} linked to cases)")
    print(f"contacts / cases  {out['contacts']:,} / {out['cases']:,}")
    print(f"insert            {out['insert_s']} s")
    print(f"rollups_rebuild   {out['rollups_s']} s; contact rollups {out['contact_rollups_s']} s")
    print(f"total             {out['total_s']} s   (summary: {summary})")


if __name__ == "__main__":
    main()
