"""How steady this machine's CPU is: the same fixed work, timed in short windows, nothing else.

    .venv/bin/python bench/steadiness.py                  # one process per CPU, 60 s
    .venv/bin/python bench/steadiness.py --processes 1 --seconds 30

Each process counts how many rounds of a fixed pure-Python loop it completes in every
`--window` (0.25 s) and compares each window with its own median. No server, database or
load generator runs, so a window well under the median is the machine giving this process
less CPU than usual: the host, another virtual machine on it, or another process on this
one (`ps` shows which), not this code. It prints per process the slowest window, the 10th
percentile, and how many windows fell under 90 % and under 80 % of the median, with the
longest run of each. The benchmarks measure latency at 80 % of a maximum taken seconds
earlier: a server that loses more than a fifth of its CPU for a while queues requests.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import time


def measure(seconds: float, window: float) -> list[int]:
    counts: list[int] = []
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        start = time.perf_counter()
        n = 0
        while time.perf_counter() - start < window:
            for _ in range(2000):
                n += 1
        counts.append(n)
    return counts


def longest_under(ratios: list[float], limit: float) -> int:
    best = run = 0
    for r in ratios:
        run = run + 1 if r < limit else 0
        best = max(best, run)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--processes", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--window", type=float, default=0.25)
    args = ap.parse_args()
    with multiprocessing.Pool(args.processes) as pool:
        results = pool.starmap(measure, [(args.seconds, args.window)] * args.processes)
    print(f"{args.processes} process(es) on {os.cpu_count()} CPUs, {args.seconds:.0f} s, "
          f"windows of {args.window:.2f} s; each window against the process's median")
    for k, counts in enumerate(results, 1):
        median = sorted(counts)[len(counts) // 2]
        ratios = [c / median for c in counts]
        ordered = sorted(ratios)
        runs = "; ".join(
            f"windows under {limit:.2f}: {sum(r < limit for r in ratios)}, the longest run "
            f"{longest_under(ratios, limit) * args.window:.2f} s" for limit in (0.9, 0.8))
        print(f"process {k}: {len(counts)} windows; slowest {ordered[0]:.2f}, 10th percentile "
              f"{ordered[len(ordered) // 10]:.2f}; {runs}")


if __name__ == "__main__":
    main()
