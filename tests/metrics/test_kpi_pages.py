"""The KPI pages: the agency overview and one service's KPIs with targets, change,
benchmarks, chart and table; isolation and bad input."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.urls import reverse

from govcx.feedback import services as fb
from govcx.metrics.services import target_create
from tests.conftest import login, make_service, make_touchpoint


def submit(tp: Any, answer: str, when: dt.datetime) -> None:
    assert fb.response_submit(touchpoint=tp, answers={"trust": answer},
                              submitted_at=when).response


def noon(d: dt.date) -> dt.datetime:
    return dt.datetime.combine(d, dt.time(12), dt.UTC)


@pytest.fixture
def measured(world: dict[str, Any], today: dt.date, settings: Any) -> dict[str, Any]:
    """Service A: trust 3/10 in the previous 30 days, 9/10 in the last 30; service B
    (another agency) 5/10 and a third service of agency A 8/10 in the last 30 days."""
    settings.KPI_BENCHMARK_MIN_N = 5
    last = today - dt.timedelta(days=5)
    prev = today - dt.timedelta(days=40)
    for i in range(10):
        submit(world["ta"], "up" if i < 3 else "down", noon(prev))
        submit(world["ta"], "up" if i < 9 else "down", noon(last))
        submit(world["tb"], "up" if i < 5 else "down", noon(last))
    permits = make_service(world["a"], "permits", name="Permits")
    tp = make_touchpoint(permits, name="Permits web")
    for i in range(10):
        submit(tp, "up" if i < 8 else "down", noon(last))
    target_create(service=world["sa"], kpi="trust", start=today - dt.timedelta(days=29),
                  end=today + dt.timedelta(days=60), value=80)
    return {**world, "permits": permits, "start": today - dt.timedelta(days=29), "end": today}


def cell(body: str, row_id: str) -> str:
    m = re.search(rf'<tr id="{row_id}">(.*?)</tr>', body, re.S)
    assert m, row_id
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", m.group(1)))


def test_service_page_value_target_change_and_benchmark(measured: dict[str, Any],
                                                        client: Any) -> None:
    login(client, measured["staff"][("benefits-agency", "viewer")])
    url = reverse("metrics:service_kpis", args=[measured["sa"].pk])
    r = client.get(url, {"start": measured["start"].isoformat(),
                         "end": measured["end"].isoformat()})
    assert r.status_code == 200
    body = r.content.decode()
    trust = cell(body, "kpi-trust")
    assert "90.0%" in trust and " 10 " in trust  # value and n
    assert "On track" in trust and "80.0%" in trust  # target ≥ 80%
    assert "30.0%" in trust  # the previous 30 days
    assert "up 60.0 points, unlikely to be chance (p &lt; 0.01)" in trust
    # percentile among the agency's own 2 services (9/10, 8/10): the other agency's one
    # service (5/10) is left out, or the quartiles would give its figure away
    assert " 100 " in trust and "2 services" in trust
    assert "82.5% / 85.0% / 87.5%" in trust  # quartiles of 80, 90 (linear)
    assert "Other agencies are left out" in body
    # the other agency's service is never named
    assert "File a return" not in body and "Tax Agency" not in body
    # the chart has its table
    assert '<svg role="img"' in body and 'id="series-table"' in body
    assert reverse("metrics:service_kpis", args=[measured["sa"].pk]) in client.get(
        reverse("metrics:dashboard", args=[measured["sa"].pk])).content.decode()


def test_overview_lists_the_agencies_services_only(measured: dict[str, Any],
                                                   client: Any) -> None:
    login(client, measured["staff"][("benefits-agency", "cx_analyst")])
    r = client.get(reverse("metrics:kpi_overview"), {"start": measured["start"].isoformat(),
                                                     "end": measured["end"].isoformat()})
    body = r.content.decode()
    assert r.status_code == 200
    assert "Apply for benefits" in body and "Permits" in body
    assert "File a return" not in body
    assert "90.0%" in body and "On track" in body
    login(client, measured["staff"][("tax-agency", "viewer")])
    body = client.get(reverse("metrics:kpi_overview")).content.decode()
    assert "File a return" in body and "Apply for benefits" not in body


def test_another_agency_gets_404(measured: dict[str, Any], client: Any) -> None:
    login(client, measured["staff"][("tax-agency", "administrator")])
    assert client.get(reverse("metrics:service_kpis",
                              args=[measured["sa"].pk])).status_code == 404
    assert client.get(reverse("metrics:service_kpis", args=[999999])).status_code == 404


@pytest.mark.parametrize(("params", "message"), [
    ({"start": "last tuesday"}, "is not a date"),
    ({"grain": "fortnight"}, "Choose week, month or quarter"),
    ({"kpi": "<script>"}, "cannot be charted"),
    ({"start": "2026-10-01", "end": "2026-09-01"}, "swapped"),
])
def test_bad_parameters_are_explained(measured: dict[str, Any], client: Any,
                                      params: dict[str, str], message: str) -> None:
    login(client, measured["staff"][("benefits-agency", "viewer")])
    r = client.get(reverse("metrics:service_kpis", args=[measured["sa"].pk]), params)
    assert r.status_code == 200 and message in r.content.decode()
    assert "<script>" not in r.content.decode()


def test_chart_of_another_measure_by_week(measured: dict[str, Any], client: Any) -> None:
    login(client, measured["staff"][("benefits-agency", "viewer")])
    r = client.get(reverse("metrics:service_kpis", args=[measured["sa"].pk]),
                   {"kpi": "csat", "grain": "week"})
    body = r.content.decode()
    assert r.status_code == 200 and "Satisfaction (CSAT) over time" in body


def test_login_required(client: Any, world: dict[str, Any]) -> None:
    r = client.get(reverse("metrics:kpi_overview"))
    assert r.status_code == 302 and "login" in r["Location"]


def test_benchmark_includes_other_agencies_only_with_enough_of_them(
        measured: dict[str, Any], client: Any) -> None:
    """With 5 services of 3 other agencies the pool takes them in (unnamed); with fewer,
    only the viewer's own agencies' services are ranked."""
    from tests.conftest import make_agency

    for n, (slug, count) in enumerate((("other-one", 2), ("other-two", 1), ("other-three", 1))):
        agency = make_agency(slug)
        for i in range(count):
            tp = make_touchpoint(make_service(agency, f"s{i}", name=f"Peer {n}{i}"),
                                 name=f"Peer web {n}{i}")
            for j in range(10):
                submit(tp, "up" if j < 6 else "down", noon(measured["end"] - dt.timedelta(days=3)))
    # now: 4 other-agency services besides the tax agency's one = 5 from 4 agencies
    login(client, measured["staff"][("benefits-agency", "viewer")])
    url = reverse("metrics:service_kpis", args=[measured["sa"].pk])
    body = client.get(url, {"start": measured["start"].isoformat(),
                            "end": measured["end"].isoformat()}).content.decode()
    trust = cell(body, "kpi-trust")
    assert "7 services" in trust and "Other agencies are left out" not in body
    assert "Peer 00" not in body and "File a return" not in body  # never named
