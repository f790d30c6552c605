"""Where the latency at 80 % goes: one server setting, every request's wait on a timeline.

    .venv/bin/python bench/ingest/trace.py --server "w2 bt2"                  # SQLite, full path
    .venv/bin/python bench/ingest/trace.py --server "w2 bt2" --path ceiling   # the ceiling view
    scripts/with-postgres .venv/bin/python bench/ingest/trace.py --database-url env --server "w2 bt1"

run.py gives one p99 per setting and path. This looks inside it. On one server (the same
granian settings, database set-up and load as run.py), for each of `--windows` windows:
  1. the closed-loop maximum of the path (wrk -t1 -c16 for 4 s, after 2 s of warm-up);
  2. the open loop at `--load` (default 80 %) of that maximum for `--seconds`, run.py's
     WRK_OPEN_LUA, keeping each request's scheduled send time and its wait (ms).
It prints p50/p99 and every stretch in which requests waited over 100 ms: when it began and
ended, the worst wait, and the rate the server kept while the wait grew. A wait that grows
for seconds means the server kept less than the offered rate for that long (a queue); a
pause in the server (a lock, a garbage collection) makes waits jump instead, and is printed
as "a pause" when the worst wait's second half was gained within 0.25 s (read on the worst
wait of each 50 ms of send times). The workers log each
full (generation 2) garbage collection with its duration (BENCH_GC_LOG in
bench/ingest/ceiling.py); those that ended during the open loop are printed with their start
(wall clock on both sides, counted from the first scheduled send). On SQLite it also prints
the size of the write-ahead log, the largest it has been (SQLite does not shrink it).

A meter thread in this process times a fixed piece of pure-Python work every 50 ms by its
thread's CPU time, not the wall clock, so waiting for a CPU does not count but a CPU that
runs the same instructions slower does (the host sharing the core or descheduling the
virtual CPU without reporting steal). Against the same work timed before the load, it prints
the meter's median slowdown in each window and inside each stretch, each sample counting
from 1 s before the stretch began to its end.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.ingest import run as bench  # noqa: E402

SLOW_MS = 100.0


def stretches(rows: list[tuple[float, float]], gap: float = 0.05,
              bucket: float = 0.05) -> list[dict[str, float]]:
    """Runs of requests (by scheduled send time, seconds from the window's start) that waited
    over SLOW_MS, joined across gaps shorter than `gap` seconds. For each: start, end, worst
    wait, and how the wait rose to it. The rise is read on the worst wait of each `bucket`
    (50 ms) of send times, since neighbouring requests on different connections wait
    differently: from the last bucket before the worst whose worst was under half of it. A
    pause rises within a bucket or two; a queue takes seconds."""
    worst: dict[int, float] = {}
    for t, ms in rows:
        b = int(t / bucket)
        worst[b] = max(worst.get(b, 0.0), ms)
    out: list[dict[str, float]] = []
    slow = [k for k, (_, ms) in enumerate(rows) if ms > SLOW_MS]
    groups: list[list[int]] = []
    for k in slow:
        if groups and rows[k][0] - rows[groups[-1][-1]][0] < gap:
            groups[-1].append(k)
        else:
            groups.append([k])
    for g in groups:
        peak = max(g, key=lambda k: rows[k][1])
        top = int(rows[peak][0] / bucket)
        low = top
        while low > 0 and worst.get(low, 0.0) >= rows[peak][1] / 2:
            low -= 1
        rise = (top - low) * bucket
        growth = (rows[peak][1] - worst.get(low, 0.0)) / 1000 / rise
        out.append({"start": rows[g[0]][0], "end": rows[g[-1]][0], "peak_ms": rows[peak][1],
                    "rise_s": rise, "growth": growth, "n": len(g)})
    return out


class Meter(threading.Thread):
    """Every `every` seconds, the CPU time a fixed piece of work took, with the wall time."""

    def __init__(self, every: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.every = every
        self.samples: list[tuple[float, float]] = []
        self.stopping = threading.Event()

    @staticmethod
    def work() -> float:
        start = time.thread_time()
        total = 0
        for k in range(20_000):
            total += k
        return time.thread_time() - start

    def run(self) -> None:
        while not self.stopping.wait(self.every):
            self.samples.append((time.time(), self.work()))

    def slowdown(self, start: float, end: float, idle: float) -> float | None:
        costs = [c for t, c in self.samples if start <= t <= end]
        return statistics.median(costs) / idle if costs else None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--server", default="w2 bt2", help="a run.py setting, e.g. 'w2 bt1'")
    ap.add_argument("--path", choices=("full", "ceiling"), default="full")
    ap.add_argument("--windows", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=12)
    ap.add_argument("--load", type=float, default=0.8, help="fraction of the maximum")
    ap.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                    help="a setting for the server (repeatable), e.g. --env GC_FREEZE=0")
    ap.add_argument("--database-url", default="",
                    help="'env' for $DATABASE_URL (under scripts/with-postgres); default: a new "
                         "SQLite file with the product's settings")
    args = ap.parse_args()
    matches = [c for c in bench.CONFIGS if args.server in c[0]]
    if len(matches) != 1:
        ap.error(f"--server must match one of: {', '.join(c[0] for c in bench.CONFIGS)}")
    label, argv = matches[0]
    wrk = bench.ensure_wrk()
    if not wrk:
        ap.error("wrk is needed (apt-get install wrk)")

    with tempfile.TemporaryDirectory(prefix="govcx-bench-trace-") as tmp:
        work = Path(tmp)
        url = (os.environ["DATABASE_URL"] if args.database_url == "env"
               else args.database_url or f"sqlite:///{work / 't.sqlite3'}")
        extra = dict(e.split("=", 1) for e in args.env)
        env = {**bench.bench_env(url), "BENCH_GC_LOG": "1", **extra}
        public_id = bench.database_prepare(env)
        path = (f"/api/v1/touchpoints/{public_id}/responses" if args.path == "full"
                else "/bench/ceiling-view")
        lua = work / "submit.lua"
        lua.write_text(bench.WRK_LUA)
        server = bench.Server(argv, env, work / "server.log")
        print(f"{url.split(':')[0]}, {label}, {args.path} path, open loop at "
              f"{args.load:.0%} of the maximum, {args.seconds:.0f} s a window"
              + "".join(f", {k}={v}" for k, v in extra.items()))
        idle = statistics.median(Meter.work() for _ in range(200))
        meter = Meter()
        meter.start()
        try:
            server.wait_ready(f"/api/v1/touchpoints/{public_id}/survey")
            for w in range(1, args.windows + 1):
                bench.wrk_run(wrk, server.port, path, 2, lua)
                top = bench.wrk_run(wrk, server.port, path, 4, lua)["rps"]
                rate = args.load * top
                trace = work / f"trace{w}.txt"
                got = bench.wrk_open_run(wrk, server.port, path, rate, args.seconds,
                                         bench.WRK_CONNECTIONS, trace)
                # Both clocks are the wall clock: each request's scheduled send time (Lua),
                # each collection's end (the worker). Times below count from the first send.
                sent = sorted((float(a), float(b)) for a, b in
                              (line.split() for line in trace.read_text().splitlines()))
                t0, t1 = sent[0][0], max(t + ms / 1000 for t, ms in sent)
                rows = [(t - t0, ms) for t, ms in sent]
                gcs = [(float(t) - float(ms) / 1000 - t0, float(ms)) for t, ms in re.findall(
                    r"^GC2 pid=\d+ t=([\d.]+) ms=([\d.]+)$",
                    (work / "server.log").read_text(), re.M) if t0 <= float(t) <= t1]
                slow = sum(1 for _, ms in rows if ms > SLOW_MS)
                print(f"\nwindow {w}: maximum {top:.0f}/s; offered {rate:.0f}/s, kept "
                      f"{got['rps']:.0f}/s; p50 {got['p50_ms']:.1f} ms, p99 "
                      f"{got['p99_ms']:.1f} ms; {slow} of {len(rows)} requests over "
                      f"{SLOW_MS:.0f} ms; full garbage collections in the workers during "
                      f"the open loop: {len(gcs)}"
                      + (f" (longest {max(ms for _, ms in gcs):.1f} ms)" if gcs else ""))
                whole = meter.slowdown(t0, t1, idle)
                if whole is not None:
                    print(f"  CPU speed meter: the fixed work took {whole:.2f} times its "
                          "unloaded CPU time over the open loop (median)")
                wal = Path(url.removeprefix("sqlite:///").split("?")[0] + "-wal")
                if url.startswith("sqlite:////") and wal.exists():  # an absolute path
                    print(f"  SQLite write-ahead log, the largest it has been: "
                          f"{wal.stat().st_size / 2**20:.1f} MiB")
                if gcs:
                    print("  full collections starting at " + ", ".join(
                        f"{t:.2f} s ({ms:.1f} ms)" for t, ms in gcs))
                for s in stretches(rows):
                    inside = meter.slowdown(t0 + s["start"] - 1, t0 + s["end"], idle)
                    head = (f"  {s['start']:5.2f}-{s['end']:5.2f} s: {s['n']} requests over "
                            f"{SLOW_MS:.0f} ms, worst {s['peak_ms']:.0f} ms"
                            + (f", meter {inside:.2f}" if inside is not None else ""))
                    if s["rise_s"] < 0.25:  # a pause, not a queue
                        print(f"{head}, half of it gained within {s['rise_s'] * 1000:.0f} ms: "
                              "a pause")
                        continue
                    kept = rate / (1 + s["growth"])
                    print(f"{head}; the wait grew for {s['rise_s']:.2f} s, so the server kept "
                          f"about {kept:.0f}/s of {rate:.0f}/s ({kept / top:.0%} of the "
                          "maximum) meanwhile")
        finally:
            meter.stopping.set()
            server.stop()


if __name__ == "__main__":
    main()
