"""The bench's ceiling: one INSERT of the raw request body (no validation, no idempotency, no
rollups), as a Django view (`ceiling_view`, routed by bench/ingest/urls.py behind the product's
middleware) and, through bench/ingest/ceiling.py, as a bare WSGI function. Bench-only."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse

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
