"""The ingest paths timed in-process: the WSGI handler called directly, no HTTP, no server.

    .venv/bin/python bench/ingest/inprocess.py                 # SQLite, ~1 min
    .venv/bin/python bench/ingest/inprocess.py --no-insert     # full path with the INSERT skipped
    scripts/with-postgres .venv/bin/python bench/ingest/inprocess.py --database-url env

Times the same three paths as `run.py` (full submission, ceiling view, bare WSGI insert) by
calling `bench.ingest.ceiling.application` with a prepared WSGI environ, one request after
another in this process: the per-request cost of each path without the server, the load
generator or the other worker sharing the two cores. Reports the best and the median of 5
rounds of `--requests` each, in µs, and the ratio ceiling/full. Used for the before/after
figures of "What changed" in docs/benchmarks.md ("Ingest"); run it twice, alternating with
the other version of the code (`git stash`), for an A/B.

`--no-insert` replaces `feedback.services._response_insert` with a no-op that sets an id:
what the rest of the path costs.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--requests", type=int, default=2000, help="requests per round")
    ap.add_argument("--no-insert", action="store_true",
                    help="skip the full path's INSERT (what the rest of the path costs)")
    ap.add_argument("--database-url", default="",
                    help="'env' to use $DATABASE_URL (e.g. under scripts/with-postgres); "
                         "default: a new SQLite file in a temporary directory")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="govcx-inprocess-") as tmp:
        url = (os.environ["DATABASE_URL"] if args.database_url == "env"
               else args.database_url or f"sqlite:///{Path(tmp) / 'i.sqlite3'}")
        sys.path.insert(0, str(ROOT))
        from bench.ingest.run import BODY, bench_env, database_prepare

        env = bench_env(url)
        public_id = database_prepare(env)
        os.environ.update(env)
        run(public_id, BODY.encode(), args.requests, args.no_insert)


def run(public_id: str, body: bytes, n: int, no_insert: bool) -> None:
    from bench.ingest.ceiling import application
    from govcx.feedback import services

    if no_insert:
        def no_op(response: Any) -> None:
            response.pk = 1

        services._response_insert = no_op  # type: ignore[assignment]

    counter = [0]

    def call(path: str) -> None:
        counter[0] += 1
        environ = {
            "REQUEST_METHOD": "POST", "PATH_INFO": path, "SCRIPT_NAME": "", "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": "127.0.0.1:8000", "wsgi.url_scheme": "http", "wsgi.errors": sys.stderr,
            "wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body)),
            "CONTENT_TYPE": "application/json",
            "HTTP_IDEMPOTENCY_KEY": f"inprocess-{os.getpid()}-{counter[0]}",
        }
        status: list[str] = []
        out = application(environ, lambda s, h: status.append(s))
        b"".join(out)
        if status[0][:3] not in ("200", "201"):
            raise SystemExit(f"{path}: {status[0]}")

    def timed(label: str, path: str) -> float:
        for _ in range(200):  # warm up: imports, caches, the connection
            call(path)
        per: list[float] = []
        for _ in range(5):
            t = time.perf_counter()
            for _ in range(n):
                call(path)
            per.append((time.perf_counter() - t) / n * 1e6)
        print(f"{label:14s} best {min(per):7.1f} µs   median {statistics.median(per):7.1f} µs",
              flush=True)
        return min(per)

    paths: list[tuple[str, str]] = [
        ("full" + (" (no INSERT)" if no_insert else ""),
         f"/api/v1/touchpoints/{public_id}/responses"),
        ("ceiling view", "/bench/ceiling-view"),
        ("bare WSGI", "/bench/ceiling"),
    ]
    best: dict[str, float] = {}
    for label, path in paths:
        best[label] = timed(label, path)
    print(f"ceiling view / full = {best['ceiling view'] / best[paths[0][0]]:.2f}")


if __name__ == "__main__":
    main()
