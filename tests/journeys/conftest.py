"""Shared helpers for the journeys tests: the shared event logs and PM4Py as the reference."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("PM4PY_SHOW_PROGRESS_BAR", "False")
os.environ.setdefault("PM4PY_SHOW_INTERNAL_WARNINGS", "False")

EVENTLOGS = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "eventlogs"
SHARED_LOGS = ["receipt.csv", "08_receipt.xes.gz", "roadtraffic100traces.xes", "helpdesk.xes.gz",
               "running-example.csv", "running-example.xes"]


@pytest.fixture
def eventlogs() -> Path:
    if not EVENTLOGS.is_dir():
        pytest.skip(f"shared event logs not found at {EVENTLOGS} (../shared/data/eventlogs/)")
    return EVENTLOGS
