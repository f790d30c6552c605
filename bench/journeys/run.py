"""govcx.journeys versus PM4Py, end to end, on generated benefits-application journeys.

    .venv/bin/python bench/journeys/run.py [--sizes 100000,1000000,5000000] [--workdir DIR]

For each size a CSV log is generated (``govcx.journeys.synthetic``: online application,
document re-request loops, web error → phone call, slow decision, payments; rows of many cases
interleaved, as an export would be). Then each engine runs in its own child process, so peak
memory (the child's ``ru_maxrss``) is its own:

* ``pm4py``: ``pd.read_csv`` → ``pm4py.format_dataframe`` → ``discover_dfg`` (with start and
  end activities) → ``discover_performance_dfg(perf_aggregation_key="all")`` (mean and median
  in one call) → ``get_variants`` → ``get_all_case_durations``;
* ``govcx``: ``eventlog.read_log(attributes=False)`` (reads the three needed columns, as
  ``govcx journeys analyze`` does) → ``mining.analyze(top=None)`` → ``mining.case_durations``;
* ``govcx-all``: the same, reading every column.

"work" is the time from the start of reading to the last result, after imports; "total" adds
the child's interpreter start and imports. The parent checks that every engine gave the same
outputs (counts equal, seconds within 1e-6 relative) and prints times and ratios.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
ENGINES = ("pm4py", "govcx", "govcx-all")


# ------------------------------------------------------------------ children


def child_pm4py(path: Path) -> dict[str, Any]:
    os.environ["PM4PY_SHOW_PROGRESS_BAR"] = "False"
    os.environ["PM4PY_SHOW_INTERNAL_WARNINGS"] = "False"
    import warnings

    warnings.simplefilter("ignore")
    import pandas as pd
    import pm4py

    t0 = time.perf_counter()
    df = pd.read_csv(path)
    df = pm4py.format_dataframe(df, case_id="case:concept:name", activity_key="concept:name",
                                timestamp_key="time:timestamp")
    dfg, start, end = pm4py.discover_dfg(df)
    perf, _, _ = pm4py.discover_performance_dfg(df, perf_aggregation_key="all")
    variants = pm4py.get_variants(df)
    durations = pm4py.get_all_case_durations(df)
    work = time.perf_counter() - t0
    return {
        "work": work,
        "dfg": sorted([s, t, int(c), float(perf[(s, t)]["mean"]), float(perf[(s, t)]["median"])]
                      for (s, t), c in dfg.items()),
        "start": {k: int(v) for k, v in start.items()},
        "end": {k: int(v) for k, v in end.items()},
        "variants": sorted([list(k), int(v)] for k, v in variants.items()),
        "durations": [float(d) for d in durations],
        "events": len(df),
    }


def child_govcx(path: Path, attributes: bool) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT))
    from govcx.journeys import eventlog, mining

    t0 = time.perf_counter()
    log = eventlog.read_log(path, attributes=attributes)
    stats = mining.analyze(log, top=None)
    durations = mining.case_durations(log)
    work = time.perf_counter() - t0
    return {
        "work": work,
        "dfg": sorted([a.source, a.target, a.count, a.mean_seconds, a.median_seconds]
                      for a in stats.dfg),
        "start": stats.start,
        "end": stats.end,
        "variants": sorted([list(v.activities), v.count] for v in stats.variants),
        "durations": durations.to_list(),
        "events": stats.events,
    }


def child_main(engine: str, path: Path, out: Path) -> None:
    result = child_pm4py(path) if engine == "pm4py" else child_govcx(path, engine == "govcx-all")
    result["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out.write_text(json.dumps(result))


# ------------------------------------------------------------------ parent


def run_child(engine: str, path: Path, workdir: Path) -> dict[str, Any]:
    out = workdir / f"{engine}-{path.stem}.json"
    t0 = time.perf_counter()
    subprocess.run([sys.executable, __file__, "--child", engine, str(path), str(out)], check=True,
                   cwd=ROOT, stdout=subprocess.DEVNULL)
    result: dict[str, Any] = json.loads(out.read_text())
    result["total"] = time.perf_counter() - t0
    return result


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)


def same(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    problems = []
    if [r[:3] for r in a["dfg"]] != [r[:3] for r in b["dfg"]]:
        problems.append("frequency DFG")
    elif not all(close(x[3], y[3]) and close(x[4], y[4]) for x, y in zip(a["dfg"], b["dfg"],
                                                                         strict=True)):
        problems.append("performance DFG")
    for key in ("start", "end", "variants", "events"):
        if a[key] != b[key]:
            problems.append(key)
    if len(a["durations"]) != len(b["durations"]) or not all(
            close(x, y) for x, y in zip(a["durations"], b["durations"], strict=True)):
        problems.append("case durations")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000,5000000")
    parser.add_argument("--workdir", help="keep generated logs here (default: a temp dir)")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_main(args.child[0], Path(args.child[1]), Path(args.child[2]))
        return

    sys.path.insert(0, str(ROOT))
    from govcx.journeys import synthetic

    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    tmp = None if args.workdir else tempfile.TemporaryDirectory(prefix="govcx-journeys-bench-")
    workdir = Path(args.workdir or (tmp.name if tmp else "."))
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"{'events':>9} {'engine':>9} {'work s':>8} {'total s':>8} {'peak MB':>8} "
          f"{'speed-up':>8} {'(total)':>8} {'memory':>7}  same outputs")
    ok = True
    try:
        for size in sizes:
            path = workdir / f"journeys-{size}.csv"
            if not path.exists():
                synthetic.write_csv(path, size)
            load = " ".join(f"{x:.2f}" for x in os.getloadavg())
            results = {engine: run_child(engine, path, workdir) for engine in ENGINES}
            load += " → " + " ".join(f"{x:.2f}" for x in os.getloadavg())
            print(f"# {size} events, load average (1, 5, 15 min) before → after: {load}")
            ref = results["pm4py"]
            for engine in ENGINES:
                r = results[engine]
                problems = same(r, ref) if engine != "pm4py" else []
                ok = ok and not problems
                speed = ref["work"] / r["work"]
                speed_total = ref["total"] / r["total"]
                mem = r["maxrss_mb"] / ref["maxrss_mb"]
                verdict = ("reference" if engine == "pm4py"
                           else "yes" if not problems else "NO: " + ", ".join(problems))
                print(f"{r['events']:>9} {engine:>9} {r['work']:>8.2f} {r['total']:>8.2f} "
                      f"{r['maxrss_mb']:>8.0f} {speed:>7.1f}× {speed_total:>7.1f}× {mem:>6.2f}  "
                      f"{verdict}", flush=True)
    finally:
        if tmp is not None:
            tmp.cleanup()
    if not ok:
        sys.exit("outputs differ from PM4Py")


if __name__ == "__main__":
    main()
