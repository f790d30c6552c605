"""Responses are stored with one INSERT and counted into the rollups afterwards.

`response_rollups_catch_up` counts pending responses exactly once, whatever happens around
it: quarantine and release before or after it, a rebuild, several catch-ups at once; and a
submission queues the background catch-up by itself, at most once per interval.
"""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.db import connection  # noqa: F401 (read by the skipif conditions)

from govcx.core import soon
from govcx.feedback import services as fb
from govcx.feedback.models import Response
from govcx.metrics.models import ResponseDaily
from govcx.metrics.services import COUNTERS, rollups_current, rollups_rebuild
from tests.conftest import make_survey, make_touchpoint, thread_on_own_connection


def rows() -> list[tuple[Any, ...]]:
    return sorted(ResponseDaily.objects.values_list("touchpoint_id", "day", *COUNTERS))


def rebuilt() -> list[tuple[Any, ...]]:
    rollups_rebuild()
    return rows()


def submit(tp: Any, i: int, **kw: Any) -> Response:
    r = fb.response_submit(touchpoint=tp, answers={
        "trust": "up" if i % 3 else "down",
        "went_well" if i % 3 else "went_poorly": ["ease", "efficiency"][: 1 + i % 2],
    }, language="es" if i % 4 == 0 else "en", **kw)
    assert r.response is not None, r.errors
    return r.response


def test_a_submission_is_pending_until_the_catch_up_counts_it(world: Any) -> None:
    tp = world["ta"]
    r = submit(tp, 1)
    assert Response.objects.get(pk=r.pk).rollup_pending is True
    assert fb.response_rollups_pending()
    assert not ResponseDaily.objects.exists()  # not counted at submission
    assert fb.response_rollups_catch_up() == 1
    assert Response.objects.get(pk=r.pk).rollup_pending is None
    assert not fb.response_rollups_pending()
    day = ResponseDaily.objects.get(touchpoint_id=tp.pk)
    assert (day.responses, day.trust_n, day.trust_pos) == (1, 1, 1)
    assert fb.response_rollups_catch_up() == 0  # nothing counted twice


def test_batches_count_each_response_once_and_equal_a_rebuild(world: Any) -> None:
    tp = world["ta"]
    legacy = make_touchpoint(world["sa"], make_survey(world["a"], "a11_legacy"), name="paper",
                             channel="paper")
    for i in range(23):
        submit(tp, i, submitted_at=dt.datetime(2026, 10, 1 + i, 12, tzinfo=dt.UTC))
        fb.response_submit(touchpoint=legacy, answers={"satisfaction": 1 + i % 5, "trust": 4})
    assert fb.response_rollups_catch_up(batch=5, max_batches=2) == 10  # bounded work
    assert fb.response_rollups_pending()
    assert fb.response_rollups_catch_up(batch=5) == 36
    counted = rows()
    assert sum(r[2] for r in counted) == 46  # responses column
    assert rebuilt() == counted


@pytest.mark.parametrize("order", [
    "quarantine, catch up, release, catch up",
    "catch up, quarantine, catch up, release",
    "quarantine, release, catch up",
    "catch up, quarantine, release",
    "honeypot, catch up, release",
    "honeypot, release, catch up",
])
def test_quarantine_and_release_in_any_order_with_the_catch_up(world: Any, order: str) -> None:
    tp = world["ta"]
    admin = world["staff"][("benefits-agency", "administrator")]
    submit(tp, 2)  # one ordinary response alongside
    r = submit(tp, 1, honeypot="bot" if order.startswith("honeypot") else "")
    for step in order.split(", "):
        if step == "catch up":
            fb.response_rollups_catch_up()
        elif step == "quarantine":
            fb.response_quarantine(response=r, reason="test", actor=admin)
        elif step == "release":
            fb.response_quarantine_release(response=r, actor=admin)
    rollups_current()
    counted = rows()
    assert sum(x[2] for x in counted) == 2  # both responses count once, neither twice
    assert rebuilt() == counted


def test_a_quarantined_response_is_never_counted(world: Any) -> None:
    tp = world["ta"]
    submit(tp, 1, honeypot="bot")
    assert fb.response_rollups_catch_up() == 1  # taken, marked, not counted
    assert not ResponseDaily.objects.exists()


def test_a_rebuild_counts_pending_responses_and_the_catch_up_then_does_not(world: Any) -> None:
    tp = world["ta"]
    for i in range(5):
        submit(tp, i)
    rollups_rebuild()
    assert not fb.response_rollups_pending()
    assert fb.response_rollups_catch_up() == 0
    assert sum(x[2] for x in rows()) == 5


@pytest.mark.skipif("connection.vendor != 'sqlite'",
                    reason="SQLite's rebuild recounts outside its transaction; PostgreSQL's "
                           "holds a lock that catch-ups skip on (next test)")
def test_a_response_counted_while_a_rebuild_recounts_is_not_lost(
        world: Any, monkeypatch: Any) -> None:
    from govcx.metrics import services as ms

    tp = world["ta"]
    for i in range(4):
        submit(tp, i)
    real = ms._rollups_count

    def meanwhile(*args: Any, **kw: Any) -> Any:
        acc = real(*args, **kw)
        submit(tp, 5)  # stored and counted by a catch-up after the recount, before the swap
        assert fb.response_rollups_catch_up() >= 1
        return acc

    monkeypatch.setattr(ms, "_rollups_count", meanwhile)
    rollups_rebuild()
    monkeypatch.undo()
    assert fb.response_rollups_pending()  # the swap dropped its increment: pending again
    rollups_current()
    counted = rows()
    assert sum(x[2] for x in counted) == 5
    assert rebuilt() == counted


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL advisory lock")
def test_catch_ups_wait_out_a_rebuild_in_progress() -> None:
    """While a rebuild holds its lock, a catch-up leaves pending responses to it."""
    from django.db import connections

    from govcx.metrics.services import ROLLUP_LOCK
    from tests.conftest import make_agency, make_service

    agency = make_agency("during-rebuild")
    tp = make_touchpoint(make_service(agency), make_survey(agency))
    submit(tp, 1)
    holding, release = threading.Event(), threading.Event()

    def rebuild_in_progress() -> None:
        from django.db import transaction

        try:
            with transaction.atomic(), connections["default"].cursor() as cur:
                cur.execute("SELECT pg_advisory_xact_lock(%s)", [ROLLUP_LOCK])
                holding.set()
                release.wait(30)
        finally:
            connections["default"].close()

    t = threading.Thread(target=rebuild_in_progress)
    t.start()
    try:
        assert holding.wait(30)
        assert fb.response_rollups_catch_up() == 0
        assert fb.response_rollups_pending()
    finally:
        release.set()
        t.join(30)
    assert fb.response_rollups_catch_up() == 1


def test_readers_see_a_response_the_moment_it_is_stored(world: Any, today: dt.date) -> None:
    from govcx.metrics import kpi

    tp = world["ta"]
    submit(tp, 1)
    submit(tp, 3)
    v = kpi.kpi_values(agency_ids={world["a"].pk}, service_id=world["sa"].pk, start=today,
                       end=today, keys=["trust"])["trust"]
    assert (v.num, v.den) == (1, 2)


def test_a_submission_queues_the_background_catch_up_at_most_once_per_interval(
        world: Any, settings: Any, django_capture_on_commit_callbacks: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.ROLLUP_CATCH_UP_SECONDS = 3600
    soon.forget("rollups_catch_up")
    tp = world["ta"]
    with django_capture_on_commit_callbacks(execute=True) as queued:
        submit(tp, 1)
    assert len(queued) == 1  # the task ran (immediate backend) and counted it
    assert not fb.response_rollups_pending()
    assert ResponseDaily.objects.get(touchpoint_id=tp.pk).responses == 1
    with django_capture_on_commit_callbacks(execute=True) as queued:
        submit(tp, 2)
    assert queued == []  # within the interval: the next reader or run counts it
    assert fb.response_rollups_pending()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'",
                    reason="SQLite runs one writer at a time (transaction_mode IMMEDIATE)")
def test_concurrent_catch_ups_and_submissions_count_each_response_once() -> None:
    from tests.conftest import make_agency, make_service

    agency = make_agency("concurrent")
    service = make_service(agency)
    tps = [make_touchpoint(service, make_survey(agency), name=f"tp{k}", channel=ch)
           for k, ch in enumerate(("web", "email", "sms"))]
    days = [dt.datetime(2026, 10, d, 15, tzinfo=dt.UTC) for d in (1, 2, 3, 4)]

    def submit_mixed(i: int) -> None:  # many touchpoint-days per batch, in changing order
        submit(tps[(i * 7) % 3], i, submitted_at=days[(i * 5) % 4])

    for i in range(60):
        submit_mixed(i)
    errors: list[BaseException] = []

    def submitter() -> None:
        for i in range(60, 120):
            submit_mixed(i)

    threads = [thread_on_own_connection(lambda: fb.response_rollups_catch_up(batch=7), errors)
               for _ in range(4)]
    threads.append(thread_on_own_connection(submitter, errors))
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    fb.response_rollups_catch_up()
    counted = rows()
    assert sum(x[2] for x in counted) == 120
    assert rebuilt() == counted
