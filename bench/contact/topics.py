"""Topic-suggestion accuracy on BANKING77, with the product's own pipeline.

    GOVCX_DEV=1 .venv/bin/python bench/contact/topics.py            # + the calibrated-SVM comparison
    GOVCX_DEV=1 .venv/bin/python bench/contact/topics.py --no-compare

Reads ../shared/data/banking77/train.csv (columns text,category; 10,003 rows, 77 topics),
holds out a stratified 20% (seed 42), trains `govcx.contact.topics.build_pipeline()` (the
pipeline the product trains per agency; imported, not copied) on the rest, and prints
accuracy, macro-F1, training seconds and per-query latency (p50/p95 of one
`predict_proba` per held-out text, as `topic_suggest` does), beside the published BERT figure
on BANKING77 (93.7%: fine-tuned BERT, Casanueva et al. 2020, trained on all 10,003 texts and
tested on the official 3,080-text test set, so the ratio is indicative, not a like-for-like)
as a ratio. With the comparison (default), the same features with a LinearSVC calibrated by
CalibratedClassifierCV (sigmoid, 3 folds) are measured in the same run: the figures behind
the model choice in govcx/contact/topics.py.
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "data" / "banking77" / "train.csv"
BERT_ACCURACY = 0.937
SEED = 42
sys.path.insert(0, str(ROOT))


def measure(name: str, pipeline: Any, x_train: list[str], y_train: list[str],
            x_test: list[str], y_test: list[str], queries: int) -> dict[str, Any]:
    from sklearn.metrics import accuracy_score, f1_score

    started = time.perf_counter()
    pipeline.fit(x_train, y_train)
    train_s = time.perf_counter() - started
    predicted = pipeline.predict(x_test)
    lat = []
    for text in x_test[:queries]:
        t = time.perf_counter()
        pipeline.predict_proba([text])
        lat.append((time.perf_counter() - t) * 1000)
    lat.sort()
    return {
        "name": name, "accuracy": accuracy_score(y_test, predicted),
        "macro_f1": f1_score(y_test, predicted, average="macro"), "train_s": train_s,
        "p50": statistics.median(lat), "p95": lat[int(0.95 * (len(lat) - 1))],
        "queries": len(lat),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--queries", type=int, default=1000, help="held-out texts timed one by one")
    ap.add_argument("--no-compare", action="store_true", help="skip the calibrated LinearSVC")
    args = ap.parse_args()
    if not args.data.exists():
        print(f"SKIPPED: BANKING77 not found at {args.data} (expected ../shared/data/banking77/"
              "train.csv beside the project folder, columns text,category).")
        return 0
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govcx.settings")
    import django

    django.setup()
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.model_selection import train_test_split
    from sklearn.svm import LinearSVC

    from govcx.contact.topics import build_pipeline

    with args.data.open(newline="", encoding="utf-8") as f:
        rows = [(r["text"], r["category"]) for r in csv.DictReader(f)]
    texts, labels = [t for t, _ in rows], [c for _, c in rows]
    x_tr, x_te, y_tr, y_te = train_test_split(texts, labels, test_size=0.2, stratify=labels,
                                              random_state=SEED)
    print(f"BANKING77: {len(rows):,} texts, {len(set(labels))} topics; "
          f"train {len(x_tr):,}, held out {len(x_te):,} (stratified 20%, seed {SEED})")
    results = [measure("govcx (TF-IDF words+chars, LogisticRegression)", build_pipeline(),
                       x_tr, y_tr, x_te, y_te, args.queries)]
    if not args.no_compare:
        svm = build_pipeline()
        svm.set_params(model=CalibratedClassifierCV(LinearSVC(C=0.5), method="sigmoid", cv=3,
                                                    ensemble=False))
        results.append(measure("same features, LinearSVC calibrated (sigmoid, 3-fold)", svm,
                               x_tr, y_tr, x_te, y_te, args.queries))
    print()
    print("| model | accuracy | macro-F1 | vs BERT 93.7% | train (s) | query p50 / p95 (ms) |")
    print("|---|---:|---:|---:|---:|---:|")
    for r in results:
        print(f"| {r['name']} | {r['accuracy']:.1%} | {r['macro_f1']:.1%} | "
              f"{r['accuracy'] / BERT_ACCURACY:.3f} | {r['train_s']:.1f} | "
              f"{r['p50']:.2f} / {r['p95']:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
