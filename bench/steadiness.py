"""How steady this machine's CPU is: the same fixed work, timed in short windows, nothing else.

    .venv/bin/python bench/steadiness.py                  # one process per CPU, 60 s
    .venv/bin/python bench/steadiness.py --processes 1 --seconds 30

Each process counts how many rounds of a fixed pure-Python loop it completes in every
`--window` (0.25 s) and compares each window with its own median. No server, database or
load generator runs, so a window well under the median is the machine giving this process
less CPU than usual: the host, another virtual machine on it, or another process on this
one (`ps` shows which), not this code. It prints per process the slowest window, the 10th
percentile, and how many windows fell under 90 % and under 80 % of the median, with the
longest run of each. Each process is pinned to one CPU and also records the share of
every window it held that CPU (its thread's CPU time over the wall time): a slow window
held near 1.00 was slowed below this system (the core shared on the host, or its clock),
not by another process here; the steal the hypervisor reports is printed too. The
benchmarks measure latency at 80 % of a maximum taken seconds earlier: a server that loses
more than a fifth of its CPU for a while queues requests.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import time


def measure(cpu: int, seconds: float, window: float) -> tuple[list[int], list[float]]:
    """Rounds done in each window, and the share of the window's wall time this process had
    the CPU, pinned to one CPU so that each process speaks for one."""
    os.sched_setaffinity(0, {cpu})
    counts: list[int] = []
    shares: list[float] = []
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        start = time.perf_counter()
        cpu_start = time.thread_time()
        n = 0
        while time.perf_counter() - start < window:
            for _ in range(2000):
                n += 1
        counts.append(n)
        shares.append((time.thread_time() - cpu_start) / (time.perf_counter() - start))
    return counts, shares


def steal_ticks() -> list[int]:
    """Per CPU, the time the hypervisor reports it ran something else (/proc/stat, in ticks)."""
    with open("/proc/stat") as f:
        return [int(line.split()[8]) for line in f if line.startswith("cpu") and line[3].isdigit()]


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
    cpus = sorted(os.sched_getaffinity(0))
    pinned = [cpus[k % len(cpus)] for k in range(args.processes)]
    steal_before = steal_ticks()
    with multiprocessing.Pool(args.processes) as pool:
        results = pool.starmap(measure, [(cpu, args.seconds, args.window) for cpu in pinned])
    steal = [after - before for after, before in zip(steal_ticks(), steal_before, strict=True)]
    print(f"{args.processes} process(es) on {os.cpu_count()} CPUs, {args.seconds:.0f} s, "
          f"windows of {args.window:.2f} s; each window against the process's median")
    hz = os.sysconf("SC_CLK_TCK")
    print("steal reported by the hypervisor, per CPU: "
          + ", ".join(f"{t / hz:.2f} s" for t in steal))
    for k, (counts, shares) in enumerate(results):
        median = sorted(counts)[len(counts) // 2]
        ratios = [c / median for c in counts]
        ordered = sorted(ratios)
        runs = "; ".join(
            f"windows under {limit:.2f}: {sum(r < limit for r in ratios)}, the longest run "
            f"{longest_under(ratios, limit) * args.window:.2f} s" for limit in (0.9, 0.8))
        slow = [share for r, share in zip(ratios, shares, strict=True) if r < 0.8]
        held = (f"; in the windows under 0.80 it held the CPU {min(slow):.2f}-{max(slow):.2f} of "
                "the time" if slow else "")
        print(f"process {k + 1} on CPU {pinned[k]}: {len(counts)} windows; slowest "
              f"{ordered[0]:.2f}, 10th percentile {ordered[len(ordered) // 10]:.2f}; {runs}{held}")


if __name__ == "__main__":
    main()
