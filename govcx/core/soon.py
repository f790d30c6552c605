"""Upkeep that runs by itself, without a scheduler: a staff page view asks for a background
task (collecting comments, checking alerts) and it is enqueued at most once per interval,
per process and across processes that share the cache (`CACHE_URL`), after the current
transaction commits. `govcx db_worker` runs it; cron can run the matching command instead."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.core.cache import cache
from django.db import transaction

_last: dict[str, float] = {}  # when this process last enqueued each key (monotonic)


def _cache_key(key: str) -> str:
    return f"govcx:soon:{key}"


def enqueue_at_most_every(key: str, seconds: int, enqueue: Callable[[], object]) -> bool:
    """Run `enqueue` on commit unless `key` was enqueued in the last `seconds`; True when
    it was."""
    now = time.monotonic()
    if now - _last.get(key, -float("inf")) < seconds:
        return False
    _last[key] = now
    if not cache.add(_cache_key(key), 1, timeout=seconds):
        return False
    transaction.on_commit(enqueue, robust=True)
    return True


def forget(key: str) -> None:
    """Let the next request enqueue `key` again (tests; after a manual run)."""
    _last.pop(key, None)
    cache.delete(_cache_key(key))
