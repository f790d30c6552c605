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
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse

from govcx.wsgi import application as govcx_application

TABLE_SQL = {
    "sqlite": "CREATE TABLE IF NOT EXISTS bench_ceiling "
              "(id integer PRIMARY KEY AUTOINCREMENT, body text NOT NULL)",
    "postgresql": "CREATE TABLE IF NOT EXISTS bench_ceiling "
                  "(id bigserial PRIMARY KEY, body text NOT NULL)",
}


def table_create() -> None:
    """Create the ceiling table (run once by the bench, before the server starts)."""
    with connection.cursor() as cur:
        cur.execute(TABLE_SQL[connection.vendor])
        cur.execute("DELETE FROM bench_ceiling")


def ceiling_view(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return HttpResponse(status=405)
    with connection.cursor() as cur:
        cur.execute("INSERT INTO bench_ceiling (body) VALUES (%s)",
                    [request.body.decode("utf-8", "replace")])
    return JsonResponse({"ok": True}, status=201)


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
