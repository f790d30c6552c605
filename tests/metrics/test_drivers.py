"""Key drivers: planted effects are found, null effects are not, per quarter, with cases."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from govcx.contact import services as cs
from govcx.core.models import Role
from govcx.feedback import services as fb
from govcx.feedback.selectors import fiscal_quarter_bounds, fiscal_quarter_of
from govcx.metrics import drivers as kd
from tests.conftest import login, make_survey, make_touchpoint


def _quarter_days(today: dt.date, back: int) -> tuple[dt.date, dt.date]:
    fy, q = fiscal_quarter_of(today)
    for _ in range(back):
        fy, q = (fy, q - 1) if q > 1 else (fy - 1, 4)
    return fiscal_quarter_bounds(fy, q)


def _at(day: dt.date, i: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9)) + dt.timedelta(minutes=i))


def _legacy(world: dict[str, Any], n: int, rng: random.Random, days: list[dt.date],
            p_trust: Any) -> None:
    """n legacy answers: every driver item random 1–5; trust drawn from p_trust(items)."""
    tp = make_touchpoint(world["sa"], survey=make_survey(world["a"], "a11_legacy"),
                         name="Legacy web", channel="email")
    for i in range(n):
        items = {d: rng.choice((1, 2, 3, 4, 5)) for d in kd.LEGACY_DRIVERS}
        trust = 5 if rng.random() < p_trust(items) else 2
        res = fb.response_submit(touchpoint=tp, answers={"satisfaction": 4, "trust": trust,
                                                         **items},
                                 submitted_at=_at(days[i % len(days)], i))
        assert res.ok, res.errors


def _page(world: dict[str, Any], client: Client, **params: Any) -> Any:
    login(client, world["staff"][("benefits-agency", Role.CX_ANALYST)])
    url = reverse("drivers:drivers", args=[world["sa"].pk])
    return client.get(url, params)


@pytest.mark.django_db
def test_planted_driver_ranks_first_and_null_driver_includes_zero(world: dict[str, Any],
                                                                    client: Client,
                                                                    today: dt.date) -> None:
    rng = random.Random(3)
    # ease decides trust (with a little noise); the other items do nothing
    _legacy(world, 600, rng, [today - dt.timedelta(days=d) for d in range(20)],
            lambda items: 0.9 if items["ease"] >= 4 else 0.1)
    result = kd.key_drivers(service_id=world["sa"].pk, agency_id=world["a"].pk)
    model = result.pooled.drivers
    assert model is not None and model.n == 600
    top = model.effects[0]
    assert top.key == "ease"
    assert top.low > 0.5  # about 80 points, interval well away from zero
    for e in model.effects[1:]:
        assert e.low < 0 < e.high, e  # no effect: the interval includes zero
        assert e.weight < top.weight

    r = _page(world, client)
    assert r.status_code == 200
    text = r.content.decode()
    assert "Ease matters most" in text
    assert 'id="driver-table"' in text
    assert "600" in text  # n used is shown


@pytest.mark.django_db
def test_quarters_show_a_growing_effect(world: dict[str, Any], client: Client,
                                        today: dt.date) -> None:
    rng = random.Random(5)
    old_start, _ = _quarter_days(today, 2)
    new_start, _ = _quarter_days(today, 0)
    # two quarters ago effectiveness barely mattered; this quarter it decides trust
    _legacy(world, 300, rng, [old_start + dt.timedelta(days=d) for d in range(10)],
            lambda items: 0.55 if items["effectiveness"] >= 4 else 0.45)
    _legacy(world, 300, rng, [min(new_start + dt.timedelta(days=d), today) for d in range(3)],
            lambda items: 0.95 if items["effectiveness"] >= 4 else 0.05)
    result = kd.key_drivers(service_id=world["sa"].pk, agency_id=world["a"].pk, quarters=4)
    def name(day: dt.date) -> str:
        fy, q = fiscal_quarter_of(day)
        return f"FY{fy} Q{q}"

    assert [w.label for w in result.quarters][-1] == name(today)
    by_label = {w.label: w for w in result.quarters}
    old, new = by_label[name(old_start)], by_label[name(today)]
    assert old.drivers is not None and new.drivers is not None
    e_old = next(e for e in old.drivers.effects if e.key == "effectiveness")
    e_new = next(e for e in new.drivers.effects if e.key == "effectiveness")
    assert e_new.effect > e_old.high  # clearly larger now
    assert result.change("driver", "effectiveness") == "grew"
    # the quarter in between had no answers: it says so instead of inventing a figure
    assert sum(1 for w in result.quarters if w.drivers is None) == 2

    text = _page(world, client, quarters=4).content.decode()
    assert "grew since" in text
    assert 'id="driver-trend-table"' in text


@pytest.mark.django_db
def test_operational_measure_from_linked_cases(world: dict[str, Any], client: Client,
                                               today: dt.date) -> None:
    rng = random.Random(8)
    agent = world["staff"][("benefits-agency", Role.AGENT)]
    tp = make_touchpoint(world["sa"], name="Case email", channel="email")
    for i in range(220):
        opened = _at(today - dt.timedelta(days=30), i)
        received = cs.contact_receive(agency=world["a"], channel="email", body="help",
                                      service=world["sa"], at=opened,
                                      sender=f"p{i}@example.org")
        days = rng.choice((0.2, 0.5, 1, 2, 4, 8, 12, 20))
        cs.case_status_set(case=received.case, status="resolved", actor=agent,
                           at=opened + dt.timedelta(days=days))
        # slow resolution loses trust
        up = rng.random() < (0.9 if days <= 2 else 0.15)
        res = fb.response_submit(touchpoint=tp, answers={"trust": "up" if up else "down"},
                                 submitted_at=opened + dt.timedelta(days=days, hours=1),
                                 external_id=f"case:{received.case.pk}")
        assert res.ok, res.errors
    result = kd.key_drivers(service_id=world["sa"].pk, agency_id=world["a"].pk)
    model = result.pooled.operational
    assert model is not None and model.n == 220
    top = model.effects[0]
    assert top.key == "resolution_days"
    assert top.high < 0  # longer resolution, less trust, interval excludes zero
    # the A-11 2023 answers give the descriptive reasons table, not a model
    assert result.pooled.drivers is None
    text = _page(world, client).content.decode()
    assert "Resolution time matters most" in text
    assert "less likely to trust" in text
    assert 'id="reasons-table"' in text


@pytest.mark.django_db
def test_too_few_answers_is_a_plain_message(world: dict[str, Any], client: Client,
                                            today: dt.date) -> None:
    _legacy(world, 12, random.Random(1), [today], lambda items: 0.5)
    r = _page(world, client)
    assert r.status_code == 200
    text = r.content.decode()
    assert 'id="driver-none"' in text and 'id="op-none"' in text
    assert "at least 100" in text


@pytest.mark.django_db
def test_bad_quarters_parameter_is_explained(world: dict[str, Any], client: Client) -> None:
    r = _page(world, client, quarters="ninety")
    assert r.status_code == 200
    assert "whole number from 2 to 8" in r.content.decode()


@pytest.mark.django_db
def test_other_agency_gets_404(world: dict[str, Any], client: Client) -> None:
    login(client, world["staff"][("tax-agency", Role.ADMINISTRATOR)])
    r = client.get(reverse("drivers:drivers", args=[world["sa"].pk]))
    assert r.status_code == 404
    client.logout()
    r = client.get(reverse("drivers:drivers", args=[world["sa"].pk]))
    assert r.status_code == 302  # sign in first
