"""Knowledge-base fixtures: the demo help-centre content seeded into both test agencies."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from govcx.assist import training
from govcx.assist.demo import assist_demo_seed
from govcx.assist.search import search_index_invalidate


@pytest.fixture
def kb(world: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Demo categories, articles and intents for agency A (benefits) and B (tax). The
    per-process caches start empty: test databases reuse primary keys."""
    search_index_invalidate()
    training._cache.clear()
    made = assist_demo_seed(agencies=[world["a"], world["b"]])
    yield {**world, "made": made}
    search_index_invalidate()
    training._cache.clear()
