"""The public submission endpoint keeps the contract its OpenAPI document publishes.

Requests to `POST /api/v1/touchpoints/<id>/responses` are served by a plain Django view
(`feedback.api.submit_direct`, routed first) rather than by django-ninja, for speed; these
tests hold it to what `/api/v1/openapi.json` says: the same schemas, status codes and error
shapes, and the same row the ORM would have written.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from django.db import IntegrityError, connection, connections
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import resolve

from govcx.core import group_commit
from govcx.feedback import api as feedback_api
from govcx.feedback import services as fb
from govcx.feedback.api import ErrorOut, SubmissionOut
from govcx.feedback.models import Response


def url(tp: Any) -> str:
    return f"/api/v1/touchpoints/{tp.public_id}/responses"


def post(client: Any, tp: Any, body: Any, **headers: Any) -> Any:
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(url(tp), data=data, content_type="application/json", **headers)


def test_the_direct_view_serves_the_documented_operation(world: Any, client: Any) -> None:
    tp = world["ta"]
    assert resolve(url(tp)).func is feedback_api.submit_direct
    spec = client.get("/api/v1/openapi.json").json()
    op = spec["paths"]["/api/v1/touchpoints/{public_id}/responses"]["post"]
    assert set(op["responses"]) == {"200", "201", "400", "403", "404", "409", "429"}
    body_ref = op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert body_ref.endswith("/SubmissionIn")
    schema = spec["components"]["schemas"]["SubmissionIn"]
    assert schema["required"] == ["answers"]
    assert set(schema["properties"]) == {"answers", "language", "page_url", "hp"}


def test_answers_are_stored_and_replayed_as_documented(world: Any, client: Any) -> None:
    tp = world["ta"]
    body = {"answers": {"trust": "up", "went_well": ["ease"]}, "language": "es",
            "page_url": "https://benefits.example.gov/apply"}
    first = post(client, tp, body, HTTP_IDEMPOTENCY_KEY="contract-1")
    again = post(client, tp, body, HTTP_IDEMPOTENCY_KEY="contract-1")
    assert (first.status_code, again.status_code) == (201, 200)
    out, out2 = SubmissionOut(**first.json()), SubmissionOut(**again.json())
    assert out.id == out2.id and not out.replayed and out2.replayed
    stored = Response.objects.get(pk=out.id)
    assert (stored.language, stored.page_url, stored.source) == (
        "es", "https://benefits.example.gov/apply", "api")


@pytest.mark.parametrize(("body", "status", "detail"), [
    ("{not json", 400, "Cannot parse request body"),
    ("", 422, ["body", "body"]),
    ({"answers": 5}, 422, ["body", "body", "answers"]),
    ({}, 422, ["body", "body", "answers"]),
    ({"answers": {"trust": "up"}, "language": "fr"}, 422, ["body", "body", "language"]),
    ({"answers": {"trust": "up"}, "page_url": "x" * 1001}, 422, ["body", "body", "page_url"]),
])
def test_a_bad_body_gets_django_ninjas_error_shape(world: Any, client: Any, body: Any,
                                                   status: int, detail: Any) -> None:
    r = post(client, world["ta"], body)
    assert r.status_code == status
    if isinstance(detail, str):
        assert r.json() == {"detail": detail}
    else:
        (err,) = r.json()["detail"]
        assert err["loc"] == detail and err["msg"] and "input" not in err
    assert not Response.objects.exists()


def test_refusals_carry_a_message_as_documented(world: Any, client: Any) -> None:
    tp = world["ta"]
    bad = post(client, tp, {"answers": {"trust": "sideways"}})
    assert bad.status_code == 400
    err = ErrorOut(**bad.json())
    assert err.errors and "trust" in err.errors
    unknown = client.post(f"/api/v1/touchpoints/{uuid.uuid4()}/responses",
                          data=json.dumps({"answers": {}}), content_type="application/json")
    assert unknown.status_code == 404 and ErrorOut(**unknown.json()).message
    assert unknown.json()["errors"] == {}  # as django-ninja serialised ErrorOut
    long_key = post(client, tp, {"answers": {"trust": "up"}}, HTTP_IDEMPOTENCY_KEY="k" * 101)
    assert long_key.status_code == 400 and "100 characters" in long_key.json()["message"]
    elsewhere = post(client, tp, {"answers": {"trust": "up"}},
                     HTTP_ORIGIN="https://not-allowed.example.com")
    assert elsewhere.status_code == 403
    assert elsewhere["Access-Control-Allow-Origin"] == "https://not-allowed.example.com"


def test_other_methods_and_the_preflight(world: Any, client: Any) -> None:
    tp = world["ta"]
    got = client.get(url(tp))
    assert got.status_code == 405 and got["Allow"] == "POST, OPTIONS"
    pre = client.options(url(tp), HTTP_ORIGIN="https://x.example.gov")
    assert pre.status_code == 204
    assert "Idempotency-Key" in pre["Access-Control-Allow-Headers"]
    # an id that is not a UUID never reaches the direct view: django-ninja answers 422
    assert client.post("/api/v1/touchpoints/not-a-uuid/responses", data="{}",
                       content_type="application/json").status_code == 422


def test_the_compiled_insert_sends_what_the_orm_would(world: Any) -> None:
    """`_insert_values` passes plain values through; the ORM's own conversion must agree."""
    tp = world["ta"]
    r = fb.response_submit(touchpoint=tp, answers={"trust": "down", "went_poorly": ["ease"],
                                                   "comments": "Slow"},
                           language="es", page_url="https://x.example.gov/p",
                           idempotency_key="orm-check", external_id="case:42").response
    assert r is not None
    stored = Response.objects.get(pk=r.pk)
    fields = [f for f in Response._meta.concrete_fields if not f.primary_key]

    def plain(values: list[Any]) -> list[Any]:  # psycopg's Jsonb wrapper compares by identity
        return [getattr(v, "obj", v) for v in values]

    assert plain(fb._insert_values(stored, connections["default"])) == plain([
        f.get_db_prep_save(getattr(stored, f.attname), connection) for f in fields])
    assert (stored.trust_positive, stored.drivers_negative, stored.comment) == (
        False, ["ease"], "Slow")
    assert stored.submitted_at == r.submitted_at and stored.answers == r.answers



def _stored_text(pk: int) -> tuple[Any, ...]:
    """The row as the database holds it (JSON as its text on SQLite), id and key aside."""
    cols = [f.column for f in Response._meta.concrete_fields
            if f.column not in ("id", "idempotency_key", "submitted_at")]
    with connection.cursor() as cur:
        cur.execute(f"SELECT {', '.join(cols)} FROM feedback_response WHERE id = %s",  # noqa: S608
                    [pk])
        return tuple(cur.fetchone())


@pytest.mark.django_db(transaction=True)  # autocommit, as on the public path in production
def test_the_driver_cursor_path_stores_what_the_django_cursor_path_stores(world: Any) -> None:
    """The INSERT goes to the driver's cursor unless queries are being logged; then through
    Django's (so that DEBUG and CaptureQueriesContext see it). Both store the same row, byte
    for byte, and a repeated key is Django's IntegrityError on both (the retry is a replay)."""
    tp = world["ta"]
    answers = {"trust": "down", "went_poorly": ["ease", "other"], "went_poorly_other": "Queue",
               "comments": "Slow «ñ» \u2028 \"line\""}

    def submit(key: str) -> Any:
        return fb.response_submit(touchpoint=tp, answers=answers, language="es",
                                  page_url="https://x.example.gov/p", idempotency_key=key,
                                  external_id="ext-1")

    with CaptureQueriesContext(connection) as seen:
        logged = submit("via-django").response
    assert "INSERT" in [q["sql"].split()[0] for q in seen.captured_queries]  # it was seen
    assert not connection.queries_logged and not connection.execute_wrappers  # driver path
    grouped = group_commit.shared.stats.rows
    direct = submit("via-driver").response
    # on SQLite, in autocommit, the driver path stores through the group committer
    assert group_commit.shared.stats.rows - grouped == (connection.vendor == "sqlite")
    assert logged is not None and direct is not None and direct.pk > logged.pk
    assert _stored_text(logged.pk) == _stored_text(direct.pk)
    stored = Response.objects.get(pk=direct.pk)
    assert stored.answers["comments"] == answers["comments"]
    assert stored.drivers_negative == ["ease", "other"]
    with CaptureQueriesContext(connection):  # a retry through Django's cursor
        again = submit("via-driver")
    assert again.replayed and again.response is not None and again.response.pk == direct.pk
    again = submit("via-django")  # and through the driver's
    assert again.replayed and again.response is not None and again.response.pk == logged.pk
    with pytest.raises(IntegrityError):  # the mapping itself: Django's exception class
        fb._response_insert(stored)
    with override_settings(SQLITE_GROUP_COMMIT=False):  # one commit per row, as on PostgreSQL
        grouped = group_commit.shared.stats.rows
        assert submit("no-group").response is not None
        assert group_commit.shared.stats.rows == grouped
        assert submit("no-group").replayed
    assert Response.objects.filter(idempotency_key__startswith="via-").count() == 2


def _prepared_statements() -> list[tuple[str, int]]:
    """What this session has prepared (every statement, not only the INSERT), with the number
    of times each was run (the plans PostgreSQL chose for it)."""
    with connection.cursor() as cur:
        cur.execute("SELECT statement, generic_plans + custom_plans FROM pg_prepared_statements")
        return [(row[0], row[1]) for row in cur.fetchall()]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL session's state")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("on", [True, False])  # DB_PREPARED_STATEMENTS: on (default), off
def test_the_insert_is_prepared_once_per_connection_on_postgresql(world: Any, on: bool) -> None:
    """On PostgreSQL the INSERT is parsed and planned once per connection, then only bound
    and run; with prepared statements off (an old PgBouncer) the same submissions are stored
    without any. Either way a retried key is a replay, not an error, and Django's own queries
    (the replay's SELECT, the health check) are never prepared."""
    tp = world["ta"]
    connection.close()  # a new session: nothing prepared in it yet
    with override_settings(DB_PREPARED_STATEMENTS=on):
        assert _prepared_statements() == []
        got = [fb.response_submit(touchpoint=tp, answers={"trust": "up"}, idempotency_key=key)
               for key in ("p-1", "p-2", "p-3", "p-1")]
        assert [g.replayed for g in got] == [False, False, False, True]
        assert got[3].response is not None and got[0].response is not None
        assert got[3].response.pk == got[0].response.pk
        prepared = _prepared_statements()
    if on:  # one statement, run for all four INSERTs (the retry's failed on its key)
        assert len(prepared) == 1 and prepared[0][1] == 4, prepared
        assert prepared[0][0].startswith('INSERT INTO "feedback_response"')
    else:
        assert prepared == []
    # psycopg is back to Django's setting: it counts no other query of the connection
    assert connection.connection.prepare_threshold is None
    assert Response.objects.filter(idempotency_key__startswith="p-").count() == 3


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="SQLite has no server to drop the connection")
@pytest.mark.django_db(transaction=True)
def test_a_dropped_database_connection_is_replaced_before_the_insert(
        world: Any, client: Any, settings: Any) -> None:
    """Persistent connections: when the server ends one between requests (restart, failover,
    idle timeout), the next submission reconnects (CONN_HEALTH_CHECKS), as Django's own
    cursor would, instead of failing. With the touchpoint cached, the INSERT is the request's
    first statement."""
    import psycopg

    settings.PUBLIC_CACHE_SECONDS = 60
    tp = world["ta"]
    assert post(client, tp, {"answers": {"trust": "up"}},
                HTTP_IDEMPOTENCY_KEY="before").status_code == 201
    pid = connection.connection.info.backend_pid
    with psycopg.connect(**connection.get_connection_params(), autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
    connection.health_check_done = False  # what Django's request_started does per request
    got = post(client, tp, {"answers": {"trust": "up"}}, HTTP_IDEMPOTENCY_KEY="after")
    assert got.status_code == 201, got.content
    assert connection.connection.info.backend_pid != pid
    assert Response.objects.filter(idempotency_key__in=["before", "after"]).count() == 2
