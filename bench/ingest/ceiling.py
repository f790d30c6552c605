"""Bench-only WSGI wrapper: `/bench/ceiling` is the "ceiling" durable write, all else is govcx.

The ceiling view stores the raw request body with one INSERT (autocommit: one committed
transaction per request, same database settings as the product) and does nothing else: no
validation, no middleware, no idempotency, no rollups. It is the fastest a durable write can
go through this server, database and Django's connection handling; the full submission path
is measured against it. It is never part of the product's URLs: point granian at
`bench.ingest.ceiling:application` only in the benchmark.
"""

from __future__ import annotations

import gc
import os
import sys
import time
from collections.abc import Callable, Iterable
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govcx.settings")

from django.core import signals
from django.core.handlers.wsgi import WSGIRequest

from bench.ingest.views import ceiling_view
from govcx.wsgi import application as govcx_application  # its start-up: URLconf, gc.freeze()

StartResponse = Callable[..., Any]


def application(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    if environ.get("PATH_INFO") != "/bench/ceiling":
        return govcx_application(environ, start_response)
    # Same connection life cycle as Django's handler (CONN_MAX_AGE, health checks).
    signals.request_started.send(sender=None, environ=environ)
    try:
        response = ceiling_view(WSGIRequest(environ))
    finally:
        signals.request_finished.send(sender=None)
    status = f"{response.status_code} {response.reason_phrase}"
    start_response(status, [*response.items()])
    return [response.content]


def _log_full_collections() -> None:
    """BENCH_GC_LOG=1 (bench/ingest/trace.py): log each full (generation 2) garbage collection of
    this worker, with its wall time, to the server's log."""
    started: list[float] = []

    def callback(phase: str, info: dict[str, int]) -> None:
        if info["generation"] != 2:
            return
        if phase == "start":
            started[:] = [time.perf_counter()]
        elif started:
            ms = (time.perf_counter() - started[0]) * 1000
            sys.stderr.write(f"GC2 pid={os.getpid()} t={time.time():.3f} ms={ms:.1f}\n")
            sys.stderr.flush()

    gc.callbacks.append(callback)


if os.environ.get("BENCH_GC_LOG"):
    _log_full_collections()
