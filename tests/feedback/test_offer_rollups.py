"""Offers (the response-rate denominator) are recorded with one upsert of `OfferCount` and
counted into the rollups afterwards, like responses: exactly once, whatever runs meanwhile.

Before this, an offer was added to the rollups directly; one recorded while a rebuild was
recounting was dropped by the rebuild's swap, and the dashboard's response rate stayed too
high until the next rebuild.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from typing import Any

import pytest
from django.db import connection

from govcx.feedback import services as fb
from govcx.feedback.models import OfferCount
from govcx.metrics import services as ms
from govcx.metrics.models import ResponseDaily
from govcx.metrics.services import rollups_current, rollups_rebuild
from tests.conftest import (
    make_agency,
    make_service,
    make_survey,
    make_touchpoint,
    thread_on_own_connection,
)

D1, D2, D3 = dt.date(2026, 10, 5), dt.date(2026, 10, 6), dt.date(2026, 10, 7)


def offered() -> dict[tuple[int, dt.date], int]:
    """The rollups' offers by touchpoint-day (zero rows left out)."""
    return {(t, d): n for t, d, n in
            ResponseDaily.objects.values_list("touchpoint_id", "day", "offered") if n}


def recorded() -> dict[tuple[int, dt.date], int]:
    """The raw offer counts by touchpoint-day."""
    out: Counter[tuple[int, dt.date]] = Counter()
    for t, d, n in OfferCount.objects.values_list("touchpoint_id", "day", "count"):
        out[(t, d)] += n
    return {k: n for k, n in out.items() if n}


def test_an_offer_is_pending_until_a_catch_up_counts_it_once(world: Any) -> None:
    tp = world["ta"]
    fb.offer_record(touchpoint=tp, source="widget", count=3, day=D1)
    fb.offer_record(touchpoint=tp, source="page", day=D1)
    assert fb.offer_rollups_pending()
    assert offered() == {}  # not counted when recorded
    assert fb.offer_rollups_catch_up() == 4
    assert offered() == {(tp.pk, D1): 4}
    assert not fb.offer_rollups_pending()
    assert fb.offer_rollups_catch_up() == 0  # nothing counted twice
    fb.offer_record(touchpoint=tp, source="widget", count=2, day=D1)
    rollups_current()  # what every reader of the rollups runs first
    assert offered() == {(tp.pk, D1): 6} == recorded()
    rollups_rebuild()
    assert offered() == {(tp.pk, D1): 6}


def test_a_catch_up_takes_offers_in_bounded_batches(world: Any) -> None:
    tp = world["ta"]
    for day in range(1, 8):
        fb.offer_record(touchpoint=tp, source="page", count=day, day=dt.date(2026, 9, day))
    assert fb.offer_rollups_catch_up(batch=3) == sum(range(1, 8))
    assert offered() == recorded()


def test_the_catch_up_command_reports_responses_and_offers(world: Any) -> None:
    from io import StringIO

    from django.core.management import call_command

    tp = world["ta"]
    assert fb.response_submit(touchpoint=tp, answers={"trust": "up"}).response is not None
    fb.offer_record(touchpoint=tp, source="page", count=5, day=D1)
    out = StringIO()
    call_command("rollups_catch_up", stdout=out)
    assert "Counted 1 new responses and 5 offers" in out.getvalue()
    assert offered() == {(tp.pk, D1): 5}


@pytest.mark.django_db(transaction=True)
def test_an_offer_recorded_while_a_rebuild_recounts_is_counted_once(monkeypatch: Any) -> None:
    """Another connection records offers (one on an existing touchpoint-day, one on a new
    day) and runs a catch-up between the rebuild's recount and its swap."""
    agency = make_agency("offers-rebuild")
    tp = make_touchpoint(make_service(agency), make_survey(agency))
    fb.offer_record(touchpoint=tp, source="page", count=10, day=D1)
    rollups_current()
    caught: list[int] = []

    def elsewhere() -> None:
        try:
            fb.offer_record(touchpoint=tp, source="page", count=2, day=D1)
            fb.offer_record(touchpoint=tp, source="widget", count=3, day=D2)
            # SQLite: counts them (the swap then recounts them from OfferCount);
            # PostgreSQL: takes nothing while the rebuild holds its lock
            caught.append(fb.offer_rollups_catch_up())
        finally:
            connection.close()

    real = ms._rollups_count

    def meanwhile(*args: Any, **kw: Any) -> Any:
        acc = real(*args, **kw)
        t = threading.Thread(target=elsewhere)
        t.start()
        t.join(30)
        assert not t.is_alive()
        return acc

    monkeypatch.setattr(ms, "_rollups_count", meanwhile)
    rollups_rebuild()
    monkeypatch.undo()
    assert caught == [0 if connection.vendor == "postgresql" else 5]
    assert offered() == {(tp.pk, D1): 12, (tp.pk, D2): 3}
    assert not fb.offer_rollups_pending()
    assert fb.offer_rollups_catch_up() == 0
    rollups_rebuild()
    assert offered() == {(tp.pk, D1): 12, (tp.pk, D2): 3}


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'",
                    reason="the SQLite test database is shared-cache in memory, where a second "
                           "writer fails at once ('table is locked') instead of waiting")
def test_offers_catch_ups_and_rebuilds_at_once_count_every_offer_once() -> None:
    """Offers recorded from three connections while two others catch up and one rebuilds,
    over and over: afterwards the rollups hold exactly the recorded offers."""
    agency = make_agency("offers-concurrent")
    service = make_service(agency)
    tps = [make_touchpoint(service, make_survey(agency), name=f"tp{k}", channel=ch)
           for k, ch in enumerate(("web", "email", "sms"))]
    stop = threading.Event()
    errors: list[BaseException] = []

    def recorder(k: int) -> None:
        for i in range(40):
            fb.offer_record(touchpoint=tps[(i + k) % 3], source=("page", "widget")[i % 2],
                            count=1 + i % 3, day=(D1, D2, D3)[(i * 7 + k) % 3])

    def catcher() -> None:
        while not stop.is_set():
            fb.offer_rollups_catch_up(batch=2)

    def rebuilder() -> None:
        for _ in range(3):
            rollups_rebuild(service_ids=[service.pk])

    workers = [thread_on_own_connection(lambda k=k: recorder(k), errors) for k in range(3)]
    workers.append(thread_on_own_connection(rebuilder, errors))
    catchers = [thread_on_own_connection(catcher, errors) for _ in range(2)]
    for t in workers + catchers:
        t.start()
    for t in workers:
        t.join(120)
    stop.set()
    for t in catchers:
        t.join(60)
    assert not errors, errors
    rollups_current()
    assert sum(recorded().values()) == 3 * sum(1 + i % 3 for i in range(40))
    assert offered() == recorded()
    rollups_rebuild()
    assert offered() == recorded()
