"""Targets per service and period: status rules, the pages (add, edit, delete), roles,
validation messages and agency isolation."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from govcx.core.models import AuditEvent
from govcx.feedback import services as fb
from govcx.metrics import kpi as K
from govcx.metrics.models import Target
from govcx.metrics.services import TargetError, target_create
from tests.conftest import login

TODAY = dt.date(2026, 6, 15)


def share(num: int, den: int) -> K.KpiValue:
    return K.value_of(K.KPIS["trust"], {"trust_pos": num, "trust_n": den})


@pytest.mark.parametrize(("value", "target", "period_end", "expected"), [
    (share(80, 100), 75.0, dt.date(2026, 3, 31), "met"),
    (share(70, 100), 75.0, dt.date(2026, 3, 31), "missed"),
    (share(80, 100), 75.0, dt.date(2026, 12, 31), "on_track"),
    (share(7, 10), 75.0, dt.date(2026, 12, 31), "at_risk"),  # CI 40-89% holds 75
    (share(500, 1000), 75.0, dt.date(2026, 12, 31), "off_track"),  # CI 47-53% does not
    (K.KpiValue("trust", None), 75.0, dt.date(2026, 12, 31), "no_data"),
])
def test_status_rules(value: K.KpiValue, target: float, period_end: dt.date,
                      expected: str) -> None:
    assert K.status_of(value=value, target=target, direction="at_least", period_end=period_end,
                       today=TODAY) == expected


def test_status_at_most_and_not_started() -> None:
    v = K.KpiValue("backlog", 12.0, n=12, num=12)
    assert K.status_of(value=v, target=10, direction="at_most", period_end=dt.date(2026, 1, 1),
                       today=TODAY) == "missed"
    assert K.status_of(value=v, target=15, direction="at_most", period_end=TODAY,
                       today=TODAY) == "on_track"
    assert K.status_of(value=v, target=15, direction="at_most", period_end=dt.date(2027, 1, 1),
                       today=TODAY, period_start=dt.date(2026, 7, 1)) == "not_started"


def test_target_status_reads_the_kpi_over_the_target_period(world: dict[str, Any],
                                                            today: dt.date) -> None:
    for ans in ("up", "up", "up", "down"):
        assert fb.response_submit(touchpoint=world["ta"], answers={"trust": ans}).response
    t = target_create(service=world["sa"], kpi="trust", start=today - dt.timedelta(days=30),
                      end=today + dt.timedelta(days=30), value=70)
    st = K.target_status(t, today=today)
    assert (st.value.num, st.value.den, st.status) == (3, 4, "on_track")
    t2 = target_create(service=world["sa"], kpi="trust", start=today - dt.timedelta(days=30),
                       end=today - dt.timedelta(days=1), value=70)
    assert K.target_status(t2, today=today).status == "no_data"  # nothing before today
    assert t.direction == "at_least"
    assert target_create(service=world["sa"], kpi="resolution_time", start=today, end=today,
                         value=8).direction == "at_most"


@pytest.mark.parametrize(("kw", "message"), [
    ({"kpi": "happiness"}, "Choose a measure"),
    ({"kpi": "containment"}, "whole agency"),
    ({"start": dt.date(2026, 2, 1), "end": dt.date(2026, 1, 1)}, "on or before"),
    ({"value": 150.0}, "between 0 and 100"),
    ({"value": float("nan")}, "number"),
    ({"kpi": "resolution_time", "value": -1.0}, "cannot be below 0"),
    ({"direction": "around"}, "at least or at most"),
    ({"note": "x" * 301}, "300 characters"),
])
def test_target_validation(world: dict[str, Any], kw: dict[str, Any], message: str) -> None:
    args: dict[str, Any] = {"service": world["sa"], "kpi": "trust",
                            "start": dt.date(2026, 1, 1), "end": dt.date(2026, 12, 31),
                            "value": 75.0, "direction": "at_least", **kw}
    with pytest.raises(TargetError, match=message):
        target_create(**args)


# --- pages ----------------------------------------------------------------------------------

def form(**kw: Any) -> dict[str, Any]:
    return {"kpi": "trust", "start": "2026-01-01", "end": "2026-12-31", "value": "75",
            "direction": "at_least", "note": "FY goal", **kw}


def test_add_edit_delete_a_target(world: dict[str, Any], client: Any) -> None:
    sa = world["sa"]
    login(client, world["staff"][("benefits-agency", "performance_manager")])
    url = reverse("metrics:targets", args=[sa.pk])
    r = client.post(url, form(public="on"))
    assert r.status_code == 302
    t = Target.objects.get(service=sa)
    assert (t.kpi, t.value, t.public, t.note, t.agency_id) == ("trust", 75.0, True, "FY goal",
                                                              sa.agency_id)
    page = client.get(url).content.decode()
    assert "Target added." in page and "75.0%" in page and "FY goal" in page
    assert AuditEvent.objects.filter(action="target.create", object_id=str(t.pk)).exists()
    edit = reverse("metrics:target_edit", args=[sa.pk, t.pk])
    assert 'value="75.0"' in client.get(edit).content.decode()
    r = client.post(edit, form(value="80", kpi="csat"))
    assert r.status_code == 302
    t.refresh_from_db()
    assert (t.kpi, t.value, t.public) == ("csat", 80.0, False)
    delete = reverse("metrics:target_delete", args=[sa.pk, t.pk])
    assert "Delete this target?" in client.get(delete).content.decode()
    assert client.post(delete).status_code == 302
    assert not Target.objects.filter(pk=t.pk).exists()
    assert AuditEvent.objects.filter(action="target.delete").exists()


@pytest.mark.parametrize(("data", "message"), [
    (form(value="lots"), "Enter the target as a number."),
    (form(start="2026-13-01"), "Enter a date as YYYY-MM-DD."),
    (form(start="2026-12-31", end="2026-01-01"), "The start of the period must be on or before"),
    (form(value="101"), "must be between 0 and 100"),
    (form(kpi="happiness"), "Select a valid choice"),
])
def test_bad_input_is_a_400_with_a_message_and_keeps_the_answers(
        world: dict[str, Any], client: Any, data: dict[str, Any], message: str) -> None:
    login(client, world["staff"][("benefits-agency", "cx_analyst")])
    r = client.post(reverse("metrics:targets", args=[world["sa"].pk]), data)
    assert r.status_code == 400
    body = r.content.decode()
    assert message in body
    assert 'value="FY goal"' in body
    assert not Target.objects.exists()


def test_roles_and_agencies(world: dict[str, Any], client: Any) -> None:
    sa = world["sa"]
    t = target_create(service=sa, kpi="trust", start=dt.date(2026, 1, 1),
                      end=dt.date(2026, 12, 31), value=75)
    urls = [reverse("metrics:targets", args=[sa.pk]),
            reverse("metrics:target_edit", args=[sa.pk, t.pk]),
            reverse("metrics:target_delete", args=[sa.pk, t.pk])]
    # another agency's administrator: nothing exists
    login(client, world["staff"][("tax-agency", "administrator")])
    for u in urls:
        assert client.get(u).status_code == 404
        assert client.post(u, form()).status_code == 404
    # a target of another service is not reachable through this one
    other = reverse("metrics:target_edit", args=[world["sb"].pk, t.pk])
    login(client, world["staff"][("tax-agency", "administrator")])
    assert client.get(other).status_code == 404
    # an agent of the agency sees the targets but cannot change them
    login(client, world["staff"][("benefits-agency", "agent")])
    page = client.get(urls[0]).content.decode()
    assert "75.0%" in page and "Add a target" not in page
    r = client.post(urls[0], form())
    assert r.status_code == 403 and "does not allow managing targets" in r.content.decode()
    assert client.post(urls[2]).status_code == 403
    assert Target.objects.count() == 1


def test_forms_need_csrf(world: dict[str, Any]) -> None:
    from django.test import Client

    c = Client(enforce_csrf_checks=True)
    login(c, world["staff"][("benefits-agency", "administrator")])
    r = c.post(reverse("metrics:targets", args=[world["sa"].pk]), form())
    assert r.status_code == 403
    assert not Target.objects.exists()


def test_only_publishers_put_a_target_on_the_public_dashboard(world: dict[str, Any],
                                                              client: Any) -> None:
    """A CX analyst manages targets but may not make one public or change a public one."""
    sa = world["sa"]
    login(client, world["staff"][("benefits-agency", "cx_analyst")])
    url = reverse("metrics:targets", args=[sa.pk])
    r = client.post(url, form(public="on"))
    assert r.status_code != 302 and "Only a performance manager" in r.content.decode()
    assert not Target.objects.filter(service=sa).exists()
    assert client.post(url, form()).status_code == 302  # a private target is fine
    private = Target.objects.get(service=sa)
    shown = target_create(service=sa, kpi="csat", start=dt.date(2026, 1, 1),
                          end=dt.date(2026, 12, 31), value=80, public=True)
    r = client.post(reverse("metrics:target_edit", args=[sa.pk, shown.pk]),
                    form(kpi="csat", value="60"))
    assert "Only a performance manager" in r.content.decode()
    shown.refresh_from_db()
    assert (shown.value, shown.public) == (80.0, True)
    r = client.post(reverse("metrics:target_edit", args=[sa.pk, private.pk]), form(value="70"))
    assert r.status_code == 302
