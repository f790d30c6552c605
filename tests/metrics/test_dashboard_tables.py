"""The service dashboard's tables: by week, by channel and by touchpoint show the counts,
trust shares, 95% intervals and response rates a person would work out from the responses;
a 5-point trust question shows its mean with a 95% interval and its share agreeing; and the
page reads the rollups (a raw row changed behind the services' back shows only after a
rebuild)."""

from __future__ import annotations

import datetime as dt
import html as htmllib
import re
import statistics
from collections import defaultdict
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from scipy.stats import binomtest

from govcx.core.models import Role
from govcx.feedback import services as fb
from govcx.feedback import survey_templates
from govcx.feedback.models import Response
from govcx.metrics.services import rollups_current, rollups_rebuild
from tests.conftest import login, make_service, make_touchpoint


def _noon(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


def pct(share: float) -> str:
    return f"{share * 100:.1f}%"


def wilson_text(pos: int, n: int) -> str:
    """The 95% Wilson interval as the page writes it, computed by SciPy."""
    ci = binomtest(pos, n).proportion_ci(confidence_level=0.95, method="wilson")
    return f"{ci.low * 100:.1f}–{ci.high * 100:.1f}%"


def table_rows(page: str, table_id: str) -> list[list[str]]:
    """The body rows of one table, as the text of each cell."""
    m = re.search(rf'<table[^>]*id="{table_id}".*?<tbody>(.*?)</tbody>', page, re.S)
    assert m, f"no table {table_id}"
    return [[htmllib.unescape(re.sub(r"<[^>]+>", "", c)).strip()
             for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", m.group(1), re.S)]


@pytest.fixture
def two_weeks(world: dict[str, Any], today: dt.date) -> dict[str, Any]:
    """Two touchpoints of the benefits service on different channels, with responses and
    offers on days of the last two whole weeks (and one the day before, outside them)."""
    web = world["ta"]
    phone = make_touchpoint(world["sa"], name="Benefits phone line", channel="phone")
    week2 = today - dt.timedelta(days=7 + today.weekday())  # Monday of last week
    week1 = week2 - dt.timedelta(days=7)
    # (touchpoint, day, trust)
    rows = [
        (web, week1 + dt.timedelta(days=1), "up"), (web, week1 + dt.timedelta(days=2), "up"),
        (web, week1 + dt.timedelta(days=4), "down"), (web, week2 + dt.timedelta(days=3), "up"),
        (phone, week1, "down"), (phone, week2 + dt.timedelta(days=1), "up"),
        (phone, week2 + dt.timedelta(days=2), "down"),
        (phone, week2 + dt.timedelta(days=5), "down"),
        (phone, week2 + dt.timedelta(days=6), "down"),
    ]
    for tp, day, trust in rows:
        assert fb.response_submit(touchpoint=tp, answers={"trust": trust},
                                  submitted_at=_noon(day)).ok
    # outside the period asked for: the Sunday before
    assert fb.response_submit(touchpoint=web, answers={"trust": "down"},
                              submitted_at=_noon(week1 - dt.timedelta(days=1))).ok
    offers = [(web, week1 + dt.timedelta(days=1), 7), (web, week2 + dt.timedelta(days=1), 3),
              (phone, week2 + dt.timedelta(days=2), 20)]
    for tp, day, n in offers:
        fb.offer_record(touchpoint=tp, source="page", count=n, day=day)
    return {**world, "web": web, "phone": phone, "week1": week1, "week2": week2,
            "rows": rows, "offers": offers}


def _dashboard(client: Client, service_id: int, query: str = "") -> str:
    page = client.get(f"/staff/services/{service_id}/dashboard/?{query}")
    assert page.status_code == 200
    return page.content.decode()


def test_weekly_channel_and_touchpoint_tables_count_what_was_submitted(
        two_weeks: dict[str, Any], client: Client) -> None:
    d = two_weeks
    login(client, d["staff"][("benefits-agency", Role.VIEWER)])
    end = d["week2"] + dt.timedelta(days=6)
    page = _dashboard(client, d["sa"].pk, f"start={d['week1']}&end={end}")

    def tally(key: Any) -> dict[Any, list[int]]:
        out: dict[Any, list[int]] = defaultdict(lambda: [0, 0])
        for tp, day, trust in d["rows"]:
            out[key(tp, day)][0] += 1
            out[key(tp, day)][1] += trust == "up"
        return out

    offered: dict[int, int] = defaultdict(int)
    for tp, _day, n in d["offers"]:
        offered[tp.pk] += n

    by_week = tally(lambda tp, day: day - dt.timedelta(days=day.weekday()))
    assert sorted(by_week) == [d["week1"], d["week2"]]
    assert table_rows(page, "weekly-table") == [
        [week.isoformat(), str(n), pct(pos / n), wilson_text(pos, n)]
        for week, (n, pos) in sorted(by_week.items())
    ]
    by_tp = tally(lambda tp, day: tp)
    assert table_rows(page, "touchpoint-table") == [
        [tp.name, str(n), pct(pos / n), wilson_text(pos, n), pct(n / offered[tp.pk])]
        for tp, (n, pos) in sorted(by_tp.items(), key=lambda kv: kv[0].pk)
    ]
    by_channel = tally(lambda tp, day: tp.channel)
    offered_by_channel = {tp.channel: offered[tp.pk] for tp in by_tp}
    assert len(by_channel) == 2
    assert table_rows(page, "channel-table") == [
        [channel, str(n), pct(pos / n), wilson_text(pos, n),
         pct(n / offered_by_channel[channel])]
        for channel, (n, pos) in sorted(by_channel.items())
    ]
    total = sum(n for n, _ in by_tp.values())
    assert f'id="kpi-responses">{total}<' in page
    # the response before the period is on the dashboard only when the period includes it
    wider = _dashboard(client, d["sa"].pk, f"start={d['week1'] - dt.timedelta(days=1)}"
                                           f"&end={end}")
    assert f'id="kpi-responses">{total + 1}<' in wider
    assert len(table_rows(wider, "weekly-table")) == 3


def test_a_five_point_trust_question_shows_its_mean_and_share_agreeing(
        world: dict[str, Any], client: Client, today: dt.date) -> None:
    service = make_service(world["a"], "licences", name="Renew a licence")
    survey = fb.survey_create(agency=world["a"], name="A-11, 5-point",
                              schema=survey_templates.a11(agency="Benefits Agency",
                                                          service="Renew a licence",
                                                          scale="scale5"))
    tp = make_touchpoint(service, survey=survey, name="Licence counter", channel="in_person")
    scores = [5, 4, 4, 2, 1, 3]
    for score in scores:
        assert fb.response_submit(touchpoint=tp, answers={"trust": score},
                                  submitted_at=_noon(today)).ok
    login(client, world["staff"][("benefits-agency", Role.VIEWER)])
    page = _dashboard(client, service.pk)
    n, agree = len(scores), sum(s >= 4 for s in scores)
    mean = statistics.fmean(scores)
    half = statistics.NormalDist().inv_cdf(0.975) * statistics.stdev(scores) / n ** 0.5
    assert f'<p class="govcx-kpi">{mean:.2f}</p>' in page
    assert f"95% CI {mean - half:.2f}–{mean + half:.2f} · n={n}" in page
    assert f'id="kpi-trust">{pct(agree / n)}<' in page
    assert f"95% CI {wilson_text(agree, n)} · n={n}" in page
    assert table_rows(page, "touchpoint-table")[0][:3] == [tp.name, str(n), pct(agree / n)]


def test_the_dashboard_reads_the_rollups_not_the_raw_rows(world: dict[str, Any],
                                                         client: Client) -> None:
    tp = world["ta"]
    stored = [fb.response_submit(touchpoint=tp, answers={"trust": t}).response
              for t in ("up", "up", "up", "down")]
    rollups_current()  # what the background worker does shortly after each submission
    login(client, world["staff"][("benefits-agency", Role.VIEWER)])
    assert 'id="kpi-trust">75.0%<' in _dashboard(client, world["sa"].pk)

    first = stored[0]
    assert first is not None and first.trust_positive
    # behind the services' back: the raw row changes, the rollups do not know
    Response.objects.filter(pk=first.pk).update(trust_positive=False)
    raw = Response.objects.filter(touchpoint=tp)
    assert raw.filter(trust_positive=True).count() == 2 and raw.count() == 4
    page = _dashboard(client, world["sa"].pk)
    assert 'id="kpi-trust">75.0%<' in page  # still the rolled-up figure
    assert table_rows(page, "touchpoint-table")[0][:3] == [tp.name, "4", "75.0%"]

    rollups_rebuild()  # recounts from the raw rows
    page = _dashboard(client, world["sa"].pk)
    assert 'id="kpi-trust">50.0%<' in page
    assert table_rows(page, "touchpoint-table")[0][:3] == [tp.name, "4", "50.0%"]
