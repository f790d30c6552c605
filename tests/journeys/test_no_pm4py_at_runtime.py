"""PM4Py is AGPL: a dev-only reference, never imported by govcx/ (issue 5)."""

from __future__ import annotations

import re
from pathlib import Path

GOVCX = Path(__file__).resolve().parents[2] / "govcx"
IMPORT = re.compile(r"^\s*(from\s+pm4py\b|import\s+pm4py\b)|__import__\(\s*['\"]pm4py|"
                    r"import_module\(\s*['\"]pm4py", re.MULTILINE)


def test_govcx_never_imports_pm4py() -> None:
    offenders = [str(p.relative_to(GOVCX.parent)) for p in GOVCX.rglob("*.py")
                 if IMPORT.search(p.read_text(encoding="utf-8"))]
    assert offenders == [], f"pm4py imported at run time in: {offenders}"
