"""What SQLite itself spends on one stored response, by part of the responses table's schema.

    .venv/bin/python bench/ingest/engine.py                       # ~4 min
    .venv/bin/python bench/ingest/engine.py --synchronous NORMAL  # ~1 min

Migrates a new SQLite file with the product's migrations, copies the schema of
`feedback_response` (and of the tables its foreign keys point at) into a fresh WAL database
(`synchronous=FULL`, foreign keys on, as the product runs it; `--synchronous NORMAL` for the
faster setting that an OS crash can undo), and times plain `sqlite3`
INSERTs of a response row, one per transaction (autocommit, as the submission path stores
it), next to the ceiling view's INSERT of a raw body into a table with no index. No Django
and no HTTP: the database engine's share of the ingest gap (docs/benchmarks.md, "Ingest").

Variants take one part of the schema away at a time, to show what each costs:
`no-json-checks` (Django's JSON_VALID checks on the three JSON columns), `no-autoincrement`,
`no-invitation-unique`, `no-foreign-keys`, `no-secondary-indexes` (the three (…, submitted_at)
indexes, the rollup-pending and customer partial indexes), and `batch-4` / `batch-16` (that
many rows per transaction, as group commit does when requests arrive together). Best of 3
rounds of 20,000 rows each.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
ROWS = 20_000
SYNCHRONOUS = "FULL"
COLUMNS = ["channel", "language", "source", "page_url", "submitted_at", "answers",
           "idempotency_key", "external_id", "ip_address", "trust_positive", "trust_score",
           "drivers_positive", "drivers_negative", "comment", "status", "quarantined",
           "quarantine_reason", "agency_id", "customer_id", "invitation_id", "service_id",
           "survey_version_id", "touchpoint_id", "rollup_pending"]
PARENTS = ("core_agency", "core_service", "feedback_surveyversion", "feedback_touchpoint")
VARIANTS = ["as-built", "no-json-checks", "no-autoincrement", "no-invitation-unique",
            "no-foreign-keys", "no-secondary-indexes", "batch-4", "batch-16"]


def product_schema(tmp: Path) -> list[str]:
    """Every CREATE statement of a database migrated by the product."""
    db = tmp / "migrated.sqlite3"
    env = {**os.environ, "GOVCX_DEV": "1", "DATABASE_URL": f"sqlite:///{db}"}
    subprocess.run([str(ROOT / ".venv" / "bin" / "govcx"), "migrate", "--noinput", "-v0"],
                   env=env, cwd=ROOT, check=True)
    con = sqlite3.connect(db)
    try:
        return [sql for (sql,) in con.execute(
            "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' "
            "AND type IN ('table', 'index')")]
    finally:
        con.close()


def adapted(sql: str, variant: str) -> str | None:
    if variant == "no-json-checks":
        for col in ("answers", "drivers_positive", "drivers_negative"):
            sql = sql.replace(f'CHECK ((JSON_VALID("{col}") OR "{col}" IS NULL))', "")
    if variant == "no-autoincrement" and '"feedback_response"' in sql.split("(")[0]:
        sql = sql.replace("PRIMARY KEY AUTOINCREMENT", "PRIMARY KEY")
    if variant == "no-invitation-unique":
        sql = sql.replace('"invitation_id" bigint NULL UNIQUE', '"invitation_id" bigint NULL')
    if (variant == "no-secondary-indexes" and sql.startswith("CREATE INDEX")
            and '"feedback_response"' in sql):
        return None
    return sql


def database(path: Path, schema: list[str], variant: str) -> sqlite3.Connection:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute(f"PRAGMA synchronous={SYNCHRONOUS}")
    for sql in schema:
        statement = adapted(sql, variant)
        if statement:
            con.execute(statement)
    con.execute("CREATE TABLE ceiling (id integer PRIMARY KEY, body text NOT NULL)")
    for table in PARENTS:  # one parent row each, every NOT NULL column filled
        info = list(con.execute(f'PRAGMA table_info("{table}")'))
        values = [1 if c[1] == "id" or any(t in (c[2] or "").lower() for t in ("int", "bool"))
                  else ("{}" if "text" in (c[2] or "").lower() else "x") for c in info]
        names = ", ".join(f'"{c[1]}"' for c in info)
        # names come from the migrated schema, never from input; values are parameters
        marks = ", ".join("?" * len(info))
        con.execute(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', values)  # noqa: S608
    con.execute(f"PRAGMA foreign_keys={'OFF' if variant == 'no-foreign-keys' else 'ON'}")
    return con


def response_row(i: int) -> list[Any]:
    return ["web", "en", "api", "", f"2026-11-23 01:{i // 60 % 60:02d}:{i % 60:02d}.{i:06d}",
            json.dumps({"trust": "up", "went_well": ["ease"]}), f"key-{i}", "", None, True,
            None, json.dumps(["ease"]), "[]", "", "new", False, "", 1, None, None, 1, 1, 1,
            True]


def timed(path: Path, schema: list[str], variant: str) -> tuple[float, float]:
    con = database(path, schema, variant)
    names = ", ".join(f'"{c}"' for c in COLUMNS)
    marks = ", ".join("?" * len(COLUMNS))
    insert = f"INSERT INTO feedback_response ({names}) VALUES ({marks})"  # noqa: S608
    rows = [response_row(i) for i in range(ROWS)]
    batch = int(variant.split("-")[1]) if variant.startswith("batch-") else 1
    started = time.perf_counter()
    if batch == 1:
        for row in rows:
            con.execute(insert, row)
    else:
        for k in range(0, ROWS, batch):
            con.execute("BEGIN IMMEDIATE")
            for row in rows[k:k + batch]:
                con.execute(insert, row)
            con.execute("COMMIT")
    response_us = (time.perf_counter() - started) / ROWS * 1e6
    body = json.dumps({"answers": {"trust": "up", "went_well": ["ease"]}})
    started = time.perf_counter()
    for _ in range(ROWS):
        con.execute("INSERT INTO ceiling (body) VALUES (?)", (body,))
    ceiling_us = (time.perf_counter() - started) / ROWS * 1e6
    con.close()
    return response_us, ceiling_us


def main() -> None:
    global SYNCHRONOUS
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("variants", nargs="*", help=f"some of: {', '.join(VARIANTS)} (all)")
    ap.add_argument("--synchronous", choices=["FULL", "NORMAL"], default="FULL",
                    help="PRAGMA synchronous (the product's default: FULL)")
    args = ap.parse_args()
    unknown = set(args.variants) - set(VARIANTS)
    if unknown:
        ap.error(f"unknown variant: {', '.join(sorted(unknown))}")
    SYNCHRONOUS = args.synchronous
    with tempfile.TemporaryDirectory(prefix="govcx-engine-") as tmp:
        schema = product_schema(Path(tmp))
        print(f"sqlite {sqlite3.sqlite_version}; synchronous={SYNCHRONOUS}; {ROWS:,} rows per "
              "round, best of 3\n")
        print("| variant | response INSERT (µs) | ceiling INSERT (µs) | ratio |")
        print("|---|---:|---:|---:|")
        for variant in args.variants or VARIANTS:
            best = min((timed(Path(tmp) / "t.sqlite3", schema, variant) for _ in range(3)),
                       key=lambda r: r[0])
            print(f"| {variant} | {best[0]:.1f} | {best[1]:.1f} | {best[1] / best[0]:.2f} |",
                  flush=True)


if __name__ == "__main__":
    main()
