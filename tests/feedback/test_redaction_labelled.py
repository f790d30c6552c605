"""Redaction recall on the labelled CFPB set (bench/redaction): every kind ≥ 0.95."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "redaction"


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def test_recall_per_kind_on_planted_cfpb_narratives() -> None:
    build = _load("build")
    if not build.DATA.exists():
        pytest.skip(f"{build.DATA} is absent: the shared CFPB data set is not beside the repo")
    run = _load("run")
    docs = build.build(limit=300, seed=23)
    result = run.measure(docs)
    for kind in build.KINDS:
        n = result["planted"][kind]
        assert n >= 30, kind
        recall = result["found_kind"][kind] / n
        assert recall >= 0.95, (kind, recall, result["misses"][kind][:5])
    # and the redacted text keeps most of what nobody planted (CFPB masks aside)
    placeholders = sum(result["placeholders"].values())
    assert sum(result["right"].values()) / placeholders >= 0.8
