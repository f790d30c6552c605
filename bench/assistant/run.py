"""The assistant's intent models on CLINC150, through the product's own command.

    GOVCX_DEV=1 .venv/bin/python bench/assistant/run.py                 # default and ml
    GOVCX_DEV=1 .venv/bin/python bench/assistant/run.py --models default

Protocol (figures are measured on queries not used for training or for placing the operating
point): the shared file has `train`, `oos_train`, `val` and `oos_val`, no test split. Each model
is trained once on `train` + `oos_train`; then

    govcx assistant eval --train F --test F --train-splits train,oos_train \\
        --test-splits val,oos_val --cross-fit 100 --model M --query-threads 1

cuts `val` + `oos_val` 100 times into two random halves (per intent; out of scope 50/50),
places the operating point on one half (the product's default: the threshold that hands over
86% of the half's out-of-scope queries, Harrell-Davis quantile) and measures the other, then
swaps: 200 folds, each measured at a threshold placed without it. It prints the JSON, the
mean figures against the bars, the share of single folds that meet both, and the ratios to the
paper's figures (Larson et al. 2019, test split: BERT 96.9% in-scope accuracy / 40.3%
out-of-scope recall; the best out-of-scope recall in the paper, 66.0%). Query latency is one
query at a time with one thread, i.e. on one core.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "data" / "clinc150" / "clinc150_train_val.json"
PAPER = {"bert_in_scope": 0.969, "bert_oos_recall": 0.403, "best_oos_recall": 0.66}
BARS = {"default": (0.90, 0.80), "ml": (0.95, 0.85)}


def run(path: Path, model: str, repeats: int) -> dict[str, Any]:
    cmd = [str(ROOT / ".venv" / "bin" / "govcx"), "assistant", "eval", "--train", str(path),
           "--test", str(path), "--train-splits", "train,oos_train",
           "--test-splits", "val,oos_val", "--cross-fit", str(repeats), "--model", model,
           "--query-threads", "1"]
    env = {**os.environ, "GOVCX_DEV": "1"}
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env, cwd=ROOT)
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--models", default="default,ml")
    ap.add_argument("--repeats", type=int, default=100)
    args = ap.parse_args()
    if not args.data.exists():
        print(f"CLINC150 not found at {args.data} (see ../shared/data/README.md)")
        return 2
    for model in args.models.split(","):
        r = run(args.data, model, args.repeats)
        print(json.dumps(r))
        acc, rec = r["in_scope_accuracy"], r["oos_recall"]
        bar_acc, bar_rec = BARS[model]
        cf = r["cross_fit"]
        print(f"{model}: in-scope accuracy {acc:.4f} (bar {bar_acc}), out-of-scope recall "
              f"{rec:.4f} (bar {bar_rec}), precision {r['oos_precision']:.3f}; single folds "
              f"{cf['in_scope_accuracy_range']} / {cf['oos_recall_range']}; "
              f"query p50 {r['p50_ms']:.1f} ms, p95 {r['p95_ms']:.1f} ms; "
              f"training {r['train_seconds']:.0f} s")
        print(f"{model}: ratio to BERT in-scope {acc / PAPER['bert_in_scope']:.3f}, "
              f"out-of-scope recall ÷ BERT's {rec / PAPER['bert_oos_recall']:.2f}, "
              f"÷ the paper's best {rec / PAPER['best_oos_recall']:.2f}")
        ok = acc >= bar_acc and rec >= bar_rec and r["p95_ms"] <= 30 and r["train_seconds"] < 600
        print(f"{model}: {'meets' if ok else 'MISSES'} the bars (accuracy, recall, p95 ≤ 30 ms, "
              "training < 10 min)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
