"""The per-process cache of touchpoints on the public submission path."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from govcx.feedback.models import Response
from govcx.feedback.selectors import public_cache_clear


def _submit(client: Any, tp: Any, key: str) -> Any:
    return client.post(f"/api/v1/touchpoints/{tp.public_id}/responses",
                       data=json.dumps({"answers": {"trust": "up"}}),
                       content_type="application/json", HTTP_IDEMPOTENCY_KEY=key)


@pytest.mark.django_db(transaction=True)  # autocommit, as in production: no test savepoints
def test_cached_submission_path_costs_only_its_writes(world: Any, client: Any, settings: Any) -> None:
    settings.PUBLIC_CACHE_SECONDS = 60
    tp = world["ta"]
    assert _submit(client, tp, "warm").status_code == 201
    with CaptureQueriesContext(connection) as q:
        assert _submit(client, tp, "second").status_code == 201
    sql = [x["sql"].split()[0].upper() for x in q.captured_queries]
    assert "SELECT" not in sql, q.captured_queries  # touchpoint, version, key check: none
    # one statement: the response itself (its rollup is counted later by the catch-up, whose
    # task was queued by the first submission and is not queued again within seconds)
    assert sql == ["INSERT"], q.captured_queries
    # a retry still finds the stored response through the unique constraint
    again = _submit(client, tp, "second")
    assert again.status_code == 200 and again.json()["replayed"] is True
    assert Response.objects.filter(idempotency_key="second").count() == 1


def test_deactivation_is_seen_after_the_cache_expires(world: Any, client: Any,
                                                       settings: Any) -> None:
    settings.PUBLIC_CACHE_SECONDS = 60
    tp = world["ta"]
    assert _submit(client, tp, "a").status_code == 201
    tp.active = False
    tp.save()
    assert _submit(client, tp, "b").status_code == 201  # still cached in this process
    public_cache_clear()  # what expiry (PUBLIC_CACHE_SECONDS) does after at most that time
    assert _submit(client, tp, "c").status_code == 404
    settings.PUBLIC_CACHE_SECONDS = 0
    tp.active = True
    tp.save()
    assert _submit(client, tp, "d").status_code == 201  # cache off: seen at once


def test_a_submission_maintains_only_the_indexes_the_product_reads(db: Any) -> None:
    """Every index is work on each public submission: the responses table has these and no
    others, on both databases (the old foreign-key indexes were dropped by name)."""
    with connection.cursor() as cur:
        found = connection.introspection.get_constraints(cur, Response._meta.db_table)
    indexed = sorted(tuple(c["columns"]) for c in found.values()
                     if (c["index"] or c["unique"]) and not c["primary_key"])
    assert indexed == sorted([
        ("agency_id", "submitted_at"), ("service_id", "submitted_at"),
        ("touchpoint_id", "submitted_at"),
        ("touchpoint_id", "idempotency_key"),  # partial: keys given
        ("invitation_id",),  # one response per invitation
        ("id",),  # partial: rollup_pending
        ("customer_id",),  # partial: customer known
    ])
