"""Bench-only WSGI wrapper: `/bench/ceiling` is the "ceiling" durable write, all else is govcx.

The ceiling view stores the raw request body with one INSERT (autocommit: one committed
transaction per request, same database settings as the product) and does nothing else: no
validation, no middleware, no idempotency, no rollups. It is the fastest a durable write can
go through this server, database and Django's connection handling; the full submission path
is measured against it. It is never part of the product's URLs: point granian at
`bench.ingest.ceiling:application` only in the benchmark.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govcx.settings")

from django.core import signals
from django.core.handlers.wsgi import WSGIRequest
from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

from bench.ingest.views import ceiling_view

govcx_application = get_wsgi_application()  # as govcx.wsgi, whose preload uses govcx.urls

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


# As in govcx/wsgi.py: every view imported while the worker starts, not in its first request.
get_resolver().url_patterns  # noqa: B018
