"""Size of the embeddable widget as a partner page downloads it.

Usage: python bench/widget_size.py
Prints raw and gzipped (level 9, as a CDN or whitenoise would serve it) bytes of
govcx/static/govcx/widget.js, the compression ratio, and the 10 KB gzipped budget.
"""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

WIDGET = Path(__file__).resolve().parents[1] / "govcx" / "static" / "govcx" / "widget.js"
BUDGET = 10 * 1024


def main() -> int:
    raw = WIDGET.read_bytes()
    packed = len(gzip.compress(raw, compresslevel=9))
    print(f"widget.js raw:     {len(raw):>7,} bytes")
    print(f"widget.js gzipped: {packed:>7,} bytes ({packed / len(raw):.0%} of raw)")
    print(f"budget (gzipped):  {BUDGET:>7,} bytes; used {packed / BUDGET:.0%}")
    return 0 if packed < BUDGET else 1


if __name__ == "__main__":
    sys.exit(main())
