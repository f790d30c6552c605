"""What a web worker has done when `govcx.wsgi` is loaded, before its first request.

Every view is imported (the URLconf), and what start-up created is frozen out of the garbage
collector's reach (`GC_FREEZE`, default on): a full collection then walks only what requests
created since, instead of some 240,000 start-up objects, for which it held the GIL and
stopped the worker for 100-170 ms under load (docs/benchmarks.md, "Ingest": the trace).
Checked in a new process, as a worker starts; no server or database is needed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import python_in_new_process

PROBE = (
    "import gc, json, sys\n"
    "import govcx.wsgi\n"
    "print(json.dumps({'frozen': gc.get_freeze_count(), 'tracked': len(gc.get_objects()),"
    " 'views_loaded': 'govcx.feedback.views_public' in sys.modules}))\n"
)


def _worker_start(tmp_path: Path, gc_freeze: str | None) -> dict[str, int]:
    out = python_in_new_process(PROBE, GC_FREEZE=gc_freeze, ROOT_URLCONF=None, CACHE_URL=None,
                                DATABASE_URL=f"sqlite:///{tmp_path / 'unused.sqlite3'}")
    result: dict[str, int] = json.loads(out.strip().splitlines()[-1])
    return result


@pytest.mark.parametrize("gc_freeze", [None, "1"])
def test_start_up_objects_are_out_of_the_collectors_reach(tmp_path: Path,
                                                          gc_freeze: str | None) -> None:
    worker = _worker_start(tmp_path, gc_freeze)
    assert worker["views_loaded"]
    assert worker["frozen"] > 100_000
    # What a full collection still walks: a small fraction of what start-up made.
    assert worker["tracked"] < worker["frozen"] // 20


def test_gc_freeze_0_leaves_every_object_to_the_collector(tmp_path: Path) -> None:
    worker = _worker_start(tmp_path, "0")
    assert worker["views_loaded"]
    assert worker["frozen"] == 0
    assert worker["tracked"] > 100_000
