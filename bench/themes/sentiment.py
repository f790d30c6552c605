"""What govcx's sentiment scoring says about the CFPB narratives (a weak, honest check).

    .venv/bin/python bench/themes/sentiment.py

No labelled sentiment set is available offline, so this measures what can be measured:

1. The narratives are complaints: the share scored negative / neutral / positive by
   govcx.feedback.sentiment (VADER for English) is printed; a working scorer should call
   most of them negative. Measured (764 narratives): 77.9% negative, 8.0% neutral, 14.1%
   positive; with VADER's lexicon unchanged (no DOMAIN_NEUTRAL) it was 48.6% / 5.0% /
   46.5%, mostly because VADER reads "credit" as praise. The first 3 sentences are scored
   separately too (long complaints mix polite phrases with the grievance).
2. Mean score by "Consumer disputed?" and by "Company response to consumer": weak proxies
   (a disputed outcome or no relief might follow angrier narratives); differences are
   printed with their 95% confidence intervals, not claimed as validation ("Consumer
   disputed?" is N/A for almost every recent complaint, so it says nothing).

Spanish is not measured here: there is no Spanish text in the shared data; the Spanish
lexicon is checked on clear sentences in tests/feedback/test_sentiment.py only.
"""

from __future__ import annotations

import csv
import math
import re
import statistics
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared" / "data" / "complaints" / "cfpb_complaints_dev.csv"


def main() -> None:
    from govcx.feedback.sentiment import sentiment_score

    if not DATA.exists():
        sys.exit(f"{DATA} is missing (the shared data sets sit beside the repository).")
    rows = [r for r in csv.DictReader(DATA.open(newline="", encoding="utf-8"))
            if (r.get("Consumer complaint narrative") or "").strip()]
    labels: Counter[str] = Counter()
    head_labels: Counter[str] = Counter()
    by: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for r in rows:
        text = r["Consumer complaint narrative"]
        score, label = sentiment_score(text, "en")
        labels[label] += 1
        head = " ".join(re.split(r"(?<=[.!?])\s+", text)[:3])
        head_labels[sentiment_score(head, "en")[1]] += 1
        by["Consumer disputed?"][r["Consumer disputed?"] or "(blank)"].append(score)
        by["Company response to consumer"][r["Company response to consumer"] or "(blank)"].append(
            score)
    n = len(rows)
    print(f"{n} CFPB narratives (all complaints), scored with VADER")
    for name, c in (("whole narrative", labels), ("first 3 sentences", head_labels)):
        print(f"  {name:<18} " + "  ".join(
            f"{k} {c[k] / n:.1%}" for k in ("negative", "neutral", "positive")))
    for col, groups in by.items():
        print(f"\nmean score by {col}:")
        for value, scores in sorted(groups.items(), key=lambda kv: -len(kv[1])):
            if len(scores) < 10:
                continue
            m = statistics.fmean(scores)
            half = 1.96 * statistics.stdev(scores) / math.sqrt(len(scores))
            print(f"  {value:<40} n={len(scores):<5} {m:+.3f} ± {half:.3f}")


if __name__ == "__main__":
    main()
