"""Dashboard figures: hand-computed trust, confidence intervals, drivers, response rate;
incremental rollups equal a rebuild from raw rows; quarantine release moves the numbers."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from govcx.core.models import Role
from govcx.feedback import services as fb
from govcx.feedback.models import Response
from govcx.metrics.models import ResponseDaily
from govcx.metrics.selectors import dashboard_figures
from govcx.metrics.services import COUNTERS, rollups_current, rollups_rebuild
from govcx.metrics.stats import mean_ci, wilson
from tests.conftest import login, make_survey, make_touchpoint


def _at(days_ago: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days_ago)


def test_wilson_interval_matches_reference_values() -> None:
    lo, hi = wilson(8, 10)  # type: ignore[misc]
    assert (round(lo, 4), round(hi, 4)) == (0.4902, 0.9433)  # standard Wilson 95% values
    assert wilson(0, 0) is None
    m, _lo2, hi2 = mean_ci(3 + 4 + 5, 9 + 16 + 25, 3)  # type: ignore[misc]
    assert m == 4 and round(hi2 - m, 4) == round(1.959963984540054 * 1 / 3 ** 0.5, 4)


def test_figures_are_what_a_person_would_count(world: Any, today: dt.date) -> None:
    tp = world["ta"]
    for trust, went_well, went_poorly, days in [
        ("up", ["ease", "effectiveness"], None, 1), ("up", ["ease"], None, 2),
        ("up", ["employee"], None, 40), ("down", None, ["efficiency", "ease"], 3),
    ]:
        answers: dict[str, Any] = {"trust": trust}
        if went_well:
            answers["went_well"] = went_well
        if went_poorly:
            answers["went_poorly"] = went_poorly
        assert fb.response_submit(touchpoint=tp, answers=answers, submitted_at=_at(days)).ok
    fb.offer_record(touchpoint=tp, source="widget", count=16)
    figs = dashboard_figures(agency_ids={world["a"].pk}, service_id=world["sa"].pk,
                             start=today - dt.timedelta(days=365), end=today)
    t = figs["total"]
    assert (t.responses, t.trust_n, t.trust_pos) == (4, 4, 3)
    assert t.trust_share == 0.75 and t.response_rate == 4 / 16
    drivers = {d["driver"]: d for d in t.driver_rows()}
    assert drivers["ease"]["positive_share"] == 0.5 and drivers["ease"]["negative_share"] == 0.25
    assert drivers["efficiency"]["negative"] == 1 and drivers["humanity"]["positive"] == 0
    assert sum(f.responses for _, f in figs["monthly"]) == 4
    assert len(figs["monthly"]) in (2, 3)  # 40 days ago is another month
    # another agency's ids see nothing
    other = dashboard_figures(agency_ids={world["b"].pk}, service_id=world["sa"].pk,
                              start=today - dt.timedelta(days=365), end=today)
    assert other["total"].responses == 0


def test_scale_survey_mean_and_agreement(world: Any, today: dt.date) -> None:
    from govcx.feedback import survey_templates

    survey = fb.survey_create(agency=world["a"], name="likert",
                              schema=survey_templates.a11(agency="A", service="S",
                                                          scale="scale5"))
    tp = make_touchpoint(world["sa"], survey=survey, name="phone", channel="phone")
    for score in (5, 4, 2, 1, 3):
        fb.response_submit(touchpoint=tp, answers={"trust": score})
    t = dashboard_figures(agency_ids={world["a"].pk}, service_id=world["sa"].pk,
                          start=today, end=today, channel="phone")["total"]
    assert t.score_n == 5 and t.score_mean_ci[0] == 3.0
    assert t.trust_pos == 2  # 4 and 5 agree


def test_incremental_rollups_equal_a_rebuild(world: Any) -> None:
    tp = world["ta"]
    tp2 = make_touchpoint(world["sa"], survey=make_survey(world["a"], "a11_legacy"),
                          name="paper", channel="paper")
    for i in range(30):
        fb.response_submit(touchpoint=tp, answers={
            "trust": "up" if i % 3 else "down",
            "went_well" if i % 3 else "went_poorly": ["ease", "efficiency"][: 1 + i % 2],
        }, language="es" if i % 4 == 0 else "en", submitted_at=_at(i * 5))
        fb.response_submit(touchpoint=tp2, answers={
            "satisfaction": 1 + i % 5, "trust": 1 + (i * 2) % 5, "ease": 1 + i % 5,
        }, submitted_at=_at(i * 3))
    fb.offer_record(touchpoint=tp, source="page", count=7)
    rollups_current()
    before = sorted(ResponseDaily.objects.values_list("touchpoint_id", "day", *COUNTERS))
    rollups_rebuild()
    after = sorted(ResponseDaily.objects.values_list("touchpoint_id", "day", *COUNTERS))
    assert before == after and len(before) > 10


def test_quarantine_release_counts_the_response(world: Any, client: Any) -> None:
    tp = world["ta"]
    r = fb.response_submit(touchpoint=tp, answers={"trust": "up"}, honeypot="bot").response
    assert r is not None and r.quarantined
    analyst = world["staff"][("benefits-agency", Role.CX_ANALYST)]
    login(client, analyst)
    listing = client.get("/staff/responses/?quarantined=1").content.decode()
    assert f"/staff/responses/{r.pk}/" in listing
    client.post(f"/staff/responses/{r.pk}/action/", {"action": "release"})
    rollups_current()
    assert ResponseDaily.objects.get(touchpoint_id=tp.pk).responses == 1
    client.post(f"/staff/responses/{r.pk}/action/", {"action": "tag", "tag": "follow-up"})
    client.post(f"/staff/responses/{r.pk}/action/", {"action": "status", "status": "reviewed"})
    r.refresh_from_db()
    assert r.status == "reviewed" and [t.name for t in r.tags.all()] == ["follow-up"]
    # a viewer may not change responses
    login(client, world["staff"][("benefits-agency", Role.VIEWER)])
    assert client.post(f"/staff/responses/{r.pk}/action/",
                       {"action": "status", "status": "closed"}).status_code == 404
    r.refresh_from_db()
    assert r.status == "reviewed"


def test_dashboard_page_has_a_table_for_every_chart(world: Any, client: Any) -> None:
    fb.response_submit(touchpoint=world["ta"], answers={"trust": "up", "went_well": ["ease"]})
    login(client, world["staff"][("benefits-agency", Role.VIEWER)])
    html = client.get(f"/staff/services/{world['sa'].pk}/dashboard/?start=bad").content.decode()
    assert "is not a date" in html
    assert 'id="monthly-table"' in html and "<svg" in html and 'id="drivers-table"' in html
    assert 'id="kpi-trust">100.0%' in html


@pytest.mark.parametrize("n", [31])
def test_per_client_rate_limit(world: Any, client: Any, n: int, settings: Any) -> None:
    # an hourly window: django-ratelimit's windows are aligned to the clock, so a per-minute
    # window could reset in the middle of the burst on a slow machine
    settings.RATELIMIT_SUBMIT_PER_CLIENT = "30/h"
    url = f"/api/v1/touchpoints/{world['ta'].public_id}/responses"
    codes = [client.post(url, data={"answers": {"trust": "up"}},
                         content_type="application/json").status_code for _ in range(n)]
    assert codes[:30] == [201] * 30 and codes[30] == 429
    assert Response.objects.count() == 30


def test_rollups_rebuild_command_repairs_a_damaged_rollup(world: Any) -> None:
    from django.core.management import CommandError, call_command

    fb.response_submit(touchpoint=world["ta"], answers={"trust": "up"})
    ResponseDaily.objects.update(responses=99, trust_pos=0)  # damaged (e.g. a bad restore)
    call_command("rollups_rebuild", "--service", str(world["sa"].pk))
    day = ResponseDaily.objects.get(touchpoint_id=world["ta"].pk)
    assert (day.responses, day.trust_pos) == (1, 1)
    with pytest.raises(CommandError, match="No service with id 999999"):
        call_command("rollups_rebuild", "--service", "999999")
