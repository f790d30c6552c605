"""The assistant's intent models on CLINC150, through the product's own command.

    GOVCX_DEV=1 .venv/bin/python bench/assistant/run.py                 # default and ml
    GOVCX_DEV=1 .venv/bin/python bench/assistant/run.py --models default

Protocol (data not used for training or tuning is what the figures are measured on):
the shared file has `train`, `oos_train`, `val` and `oos_val` (no test split). This script
writes a copy into a temporary directory with `val` and `oos_val` cut in two fixed halves
(per intent, the first 10 and the last 10 in file order; out of scope, the first 50 and the
last 50). For each model it runs, side by side in one run,

    govcx assistant eval --train F --test F --train-splits train,oos_train \\
        --tune-splits val_a,oos_val_a --test-splits val_b,oos_val_b --model M

and the same with the halves swapped: the operating point is placed on one half (the
lowest threshold that sends 88% of its out-of-scope queries to a person, the product's
default operating point) and measured on
the other. Each half has only 50 out-of-scope queries, so a half's recall moves by ±10
points with the draw; the verdict is on the two halves pooled (all 3,000 in-scope and 100
out-of-scope queries of val, each measured at a threshold placed without it), printed with
its 95% interval. It prints each run's JSON, the pooled figures, and the ratios to the paper's
figures (Larson et al. 2019, test split: BERT 96.9% in-scope accuracy / 40.3% out-of-scope
recall; the best out-of-scope recall in the paper, 66.0%). Query latency is measured with
one thread (`--query-threads 1`), i.e. on one core.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "data" / "clinc150" / "clinc150_train_val.json"
PAPER = {"bert_in_scope": 0.969, "bert_oos_recall": 0.403, "best_oos_recall": 0.66}
BARS = {"default": (0.90, 0.80), "ml": (0.95, 0.85)}


def wilson(p: float, n: int, z: float = 1.96) -> tuple[float, float]:
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * ((p * (1 - p) / n + z * z / (4 * n * n)) ** 0.5) / (1 + z * z / n)
    return centre - half, centre + half


def halves(src: Path, dst: Path) -> None:
    data = json.loads(src.read_text())
    by: dict[str, list[Any]] = {}
    for item in data["val"]:
        by.setdefault(item[1], []).append(item)
    out = dict(data)
    out["val_a"] = [x for v in by.values() for x in v[: len(v) // 2]]
    out["val_b"] = [x for v in by.values() for x in v[len(v) // 2:]]
    n = len(data["oos_val"]) // 2
    out["oos_val_a"], out["oos_val_b"] = data["oos_val"][:n], data["oos_val"][n:]
    dst.write_text(json.dumps(out))


def run(path: Path, model: str, tune: str, test: str) -> dict[str, Any]:
    cmd = [str(ROOT / ".venv" / "bin" / "govcx"), "assistant", "eval", "--train", str(path),
           "--test", str(path), "--train-splits", "train,oos_train", "--tune-splits", tune,
           "--test-splits", test, "--model", model, "--query-threads", "1"]
    env = {**os.environ, "GOVCX_DEV": "1"}
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env, cwd=ROOT)
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--models", default="default,ml")
    args = ap.parse_args()
    if not args.data.exists():
        print(f"CLINC150 not found at {args.data} (see ../shared/data/README.md)")
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "clinc150_halves.json"
        halves(args.data, path)
        for model in args.models.split(","):
            runs = [run(path, model, "val_a,oos_val_a", "val_b,oos_val_b"),
                    run(path, model, "val_b,oos_val_b", "val_a,oos_val_a")]
            for r in runs:
                print(json.dumps(r))
            n_in = sum(r["n_in_scope"] for r in runs)
            n_oos = sum(r["n_oos"] for r in runs)
            acc = sum(r["in_scope_accuracy"] * r["n_in_scope"] for r in runs) / n_in
            rec = sum(r["oos_recall"] * r["n_oos"] for r in runs) / n_oos
            bar_acc, bar_rec = BARS[model]
            print(f"{model}: pooled in-scope accuracy {acc:.4f} (bar {bar_acc}), out-of-scope "
                  f"recall {rec:.4f} (bar {bar_rec}); p95 {max(r['p95_ms'] for r in runs):.1f} ms; "
                  f"training {max(r['train_seconds'] for r in runs):.0f} s")
            print(f"{model}: ratio to BERT in-scope {acc / PAPER['bert_in_scope']:.3f}, "
                  f"out-of-scope recall ÷ BERT's {rec / PAPER['bert_oos_recall']:.2f}, "
                  f"÷ the paper's best {rec / PAPER['best_oos_recall']:.2f}")
            lo, hi = wilson(rec, n_oos)
            print(f"{model}: out-of-scope recall 95% interval {lo:.3f}–{hi:.3f} (n={n_oos}); "
                  f"each half alone: " + ", ".join(
                      f"{r['in_scope_accuracy']:.3f}/{r['oos_recall']:.2f}" for r in runs))
            ok = acc >= bar_acc and rec >= bar_rec
            print(f"{model}: pooled figures {'meet' if ok else 'MISS'} the bar "
                  f"({bar_acc:.0%} / {bar_rec:.0%})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
