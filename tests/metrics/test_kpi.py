"""The KPI engine (govcx/metrics/kpi.py) against hand-computed values, built through the
services layer: survey responses, contacts and cases, journey events, assistant
conversations; the rollups against their rebuilds; period-over-period significance and
benchmarks (docs/metrics.md)."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from django.utils import timezone
from scipy import stats

from govcx.assist import conversation as conv
from govcx.contact import services as cs
from govcx.contact.models import Case
from govcx.feedback import services as fb
from govcx.journeys import services as js
from govcx.metrics import kpi as K
from govcx.metrics.models import AssistDaily, ProcessingDaily, ResponseDaily
from govcx.metrics.services import (
    COUNTERS,
    assist_rollups_rebuild,
    processing_rebuild,
    processing_refresh,
    rollups_current,
    rollups_rebuild,
)
from tests.conftest import make_service, make_survey, make_touchpoint

NY = ZoneInfo("America/New_York")


def at(d: int, h: int = 10, month: int = 11) -> dt.datetime:
    return dt.datetime(2026, month, d, h, tzinfo=NY)


def values(agency: Any, service: Any, start: dt.date, end: dt.date,
           *keys: str) -> dict[str, K.KpiValue]:
    return K.kpi_values(agency_ids={agency.pk}, service_id=service.pk if service else None,
                        start=start, end=end, keys=list(keys) or None)


def submit(tp: Any, answers: dict[str, Any], when: dt.datetime | None = None) -> None:
    r = fb.response_submit(touchpoint=tp, answers=answers, submitted_at=when)
    assert r.response is not None, r.errors


def rollup_rows() -> list[tuple[Any, ...]]:
    rollups_current()
    return sorted(ResponseDaily.objects.values_list(
        "agency_id", "service_id", "touchpoint_id", "channel", "day", *COUNTERS))


# --- surveys --------------------------------------------------------------------------------

@pytest.fixture
def surveyed(world: dict[str, Any]) -> dict[str, Any]:
    """Service A: A-11 (5 answers), CSAT (4), CES (3), NPS (5) answers today, 10 offers."""
    a, sa = world["a"], world["sa"]
    ta = world["ta"]  # A-11 thumbs
    for answers in ({"trust": "up", "went_well": ["ease", "effectiveness"]},
                    {"trust": "up", "went_well": ["ease"]},
                    {"trust": "up"},
                    {"trust": "down", "went_poorly": ["efficiency"]},
                    {"trust": "down", "went_poorly": ["ease"]}):
        submit(ta, answers)
    fb.offer_record(touchpoint=ta, source="web", count=10)
    t_csat = make_touchpoint(sa, make_survey(a, "csat"), name="CSAT")
    for score in (5, 4, 2, 1):
        submit(t_csat, {"csat": score})
    t_ces = make_touchpoint(sa, make_survey(a, "ces"), name="CES")
    for score in (5, 4, 3):
        submit(t_ces, {"effort": score})
    t_nps = make_touchpoint(sa, make_survey(a, "nps"), name="NPS")
    for score in (10, 9, 8, 5, 0):
        submit(t_nps, {"nps": f"s{score}"})
    return world


def test_survey_kpis_match_hand_computation(surveyed: dict[str, Any], today: dt.date) -> None:
    v = values(surveyed["a"], surveyed["sa"], today, today)
    assert (v["trust"].num, v["trust"].den) == (3, 5)
    assert v["trust"].value == pytest.approx(60.0)
    assert v["trust"].ci is not None and v["trust"].ci[0] < 60 < v["trust"].ci[1]
    # drivers: respondents naming it as going well / trust answers
    assert v["driver_ease"].value == pytest.approx(40.0)  # 2 of 5
    assert v["driver_effectiveness"].value == pytest.approx(20.0)
    assert v["driver_efficiency"].value == pytest.approx(0.0)
    # CSAT: 4-5 of 1-5 = 2 of 4
    assert (v["csat"].num, v["csat"].den, v["csat"].value) == (2, 4, pytest.approx(50.0))
    # CES: mean agreement (5 + 4 + 3) / 3 = 4, sd 1: CI 4 ± 1.96 / sqrt(3)
    assert v["ces"].value == pytest.approx(4.0)
    assert v["ces"].ci == pytest.approx((4 - 1.959964 / math.sqrt(3),
                                         4 + 1.959964 / math.sqrt(3)), abs=1e-4)
    # NPS: promoters 2 (10, 9), detractors 2 (5, 0) of 5 → 0 points
    assert (v["nps"].n, v["nps"].value) == (5, pytest.approx(0.0))
    # response rate: all 17 responses of the service / 10 offers is not a share; the A-11
    # touchpoint alone: 5 / 10
    ta_only = K.value_of(K.KPIS["response_rate"], {"responses": 5, "offered": 10})
    assert ta_only.value == pytest.approx(50.0)
    assert v["response_rate"].num == 17 and v["response_rate"].den == 10
    assert v["response_rate"].ci is None  # more responses than offers: no interval


def test_nps_counts_promoters_minus_detractors(world: dict[str, Any], today: dt.date) -> None:
    t = make_touchpoint(world["sa"], make_survey(world["a"], "nps"), name="NPS")
    for score in (10, 10, 9, 7, 3):
        submit(t, {"nps": f"s{score}"})
    v = values(world["a"], world["sa"], today, today, "nps")["nps"]
    assert v.value == pytest.approx((3 - 1) / 5 * 100)


def test_survey_rollups_equal_their_rebuild(surveyed: dict[str, Any]) -> None:
    before = rollup_rows()
    assert any(r[-1] for r in before)  # the NPS counters were fed at submission
    rollups_rebuild()
    assert rollup_rows() == before


def test_quarantine_takes_scores_out_and_release_puts_them_back(
        world: dict[str, Any], today: dt.date) -> None:
    t = make_touchpoint(world["sa"], make_survey(world["a"], "csat"), name="CSAT")
    submit(t, {"csat": 5})
    r = fb.response_submit(touchpoint=t, answers={"csat": 1})
    assert r.response is not None
    assert values(world["a"], world["sa"], today, today, "csat")["csat"].den == 2
    fb.response_quarantine(response=r.response, reason="test", actor=world["staff"][
        ("benefits-agency", "administrator")])
    v = values(world["a"], world["sa"], today, today, "csat")["csat"]
    assert (v.num, v.den) == (1, 1)
    fb.response_quarantine_release(response=r.response, actor=world["staff"][
        ("benefits-agency", "administrator")])
    assert values(world["a"], world["sa"], today, today, "csat")["csat"].den == 2


def test_series_by_month_and_quarter(world: dict[str, Any]) -> None:
    ta = world["ta"]
    submit(ta, {"trust": "up"}, at(3, month=9))
    submit(ta, {"trust": "down"}, at(4, month=9))
    submit(ta, {"trust": "up"}, at(10, month=10))
    s = K.kpi_series(agency_ids={world["a"].pk}, service_id=world["sa"].pk,
                     start=dt.date(2026, 8, 15), end=dt.date(2026, 10, 31), grain="month",
                     keys=["trust"])
    assert [b for b, _ in s] == [dt.date(2026, 8, 1), dt.date(2026, 9, 1), dt.date(2026, 10, 1)]
    assert [v["trust"].value for _, v in s] == [None, 50.0, 100.0]
    q = K.kpi_series(agency_ids={world["a"].pk}, service_id=world["sa"].pk,
                     start=dt.date(2026, 8, 15), end=dt.date(2026, 10, 31), grain="quarter",
                     keys=["trust"])
    assert [(b, v["trust"].num, v["trust"].den) for b, v in q] == [
        (dt.date(2026, 7, 1), 1, 2), (dt.date(2026, 10, 1), 1, 1)]
    with pytest.raises(ValueError, match="grain"):
        K.kpi_series(agency_ids={world["a"].pk}, service_id=None, start=dt.date(2026, 1, 1),
                     end=dt.date(2026, 2, 1), grain="year")


# --- contact centre -------------------------------------------------------------------------

def test_contact_kpis_match_hand_computation(world: dict[str, Any]) -> None:
    a, sa = world["a"], world["sa"]
    # A: web form, resolved 2 h later with one contact: first-contact resolution
    ra = cs.contact_receive(agency=a, channel="web", identity=("email", "a@example.org"),
                            at=at(2), service=sa, body="help")
    cs.case_resolve(case=ra.case, actor=None, at=at(2, 12))
    # B: email, a second message the next day, resolved 4 h after opening: not FCR
    rb = cs.contact_receive(agency=a, channel="email", identity=("email", "b@example.org"),
                            at=at(3), service=sa, body="help")
    cs.contact_receive(agency=a, channel="email", identity=("email", "b@example.org"),
                       at=at(3, 12), case=rb.case, body="again")
    cs.case_resolve(case=Case.objects.get(pk=rb.case.pk), actor=None, at=at(3, 14))
    # C: a phone call answered after 30 s, still open; D: a call abandoned after 50 s
    cs.contact_receive(agency=a, channel="phone", identity=("phone", "+12025550101"),
                       at=at(4), service=sa, answered=True, abandoned=False, wait_seconds=30,
                       routed_to_agent=True)
    cs.contact_receive(agency=a, channel="phone", identity=("phone", "+12025550102"),
                       at=at(4, 11), answered=False, abandoned=True, wait_seconds=50,
                       routed_to_agent=True, open_case=False)
    v = values(a, sa, dt.date(2026, 11, 1), dt.date(2026, 11, 10))
    assert (v["fcr"].num, v["fcr"].den) == (1, 2)
    assert v["recontact"].value == pytest.approx(0.0)
    assert v["resolution_time"].value == pytest.approx((2 + 4) / 2)  # hours
    assert (v["digital_adoption"].num, v["digital_adoption"].den) == (2, 3)  # web, email / all
    assert v["backlog"].value == 1  # C, now
    assert (v["answer_rate"].num, v["answer_rate"].den) == (1, 1)  # the service's call
    assert v["speed_of_answer"].value == pytest.approx(30.0)
    # the abandoned call opened no case, so it has no service: the agency's figures have it
    agency = values(a, None, dt.date(2026, 11, 1), dt.date(2026, 11, 10))
    assert (agency["abandonment"].num, agency["abandonment"].den) == (1, 2)
    assert agency["speed_of_answer"].value == pytest.approx(30.0)  # answered calls only
    assert agency["level_of_service"].value == pytest.approx(50.0)
    # another agency sees none of it
    assert values(world["b"], None, dt.date(2026, 11, 1), dt.date(2026, 11, 10),
                  "fcr", "backlog")["backlog"].value == 0


# --- journeys: processing time ---------------------------------------------------------------

def event(agency: Any, service: Any, key: str, activity: str, when: dt.datetime) -> None:
    js.journey_event_record(agency=agency, service=service, case_key=key, activity=activity,
                            at=when, source="import")


def processing_rows() -> list[tuple[Any, ...]]:
    return sorted(ProcessingDaily.objects.filter(n__gt=0).values_list(
        "service_id", "day", "n", "seconds_sum", "seconds_sumsq"))


def test_processing_time_from_journey_events(world: dict[str, Any]) -> None:
    a, sa = world["a"], world["sa"]
    event(a, sa, "j1", "Apply online", at(2))
    event(a, sa, "j1", "Case resolved", at(4))  # 2 days
    event(a, sa, "j2", "Apply online", at(3))
    event(a, sa, "j2", "Case resolved", at(4))  # 1 day
    event(a, sa, "j3", "Apply online", at(3))  # not finished
    processing_refresh()
    nov = (dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    v = values(a, sa, *nov, "processing_time")["processing_time"]
    assert (v.n, v.value) == (2, pytest.approx(1.5))
    # a reopening after the end does not undo the completed episode; it starts a new one,
    # which counts once it reaches the end again (the 5th to the 8th: 3 days)
    event(a, sa, "j1", "Case reopened", at(5))
    processing_refresh()
    v = values(a, sa, *nov, "processing_time")["processing_time"]
    assert (v.n, v.value) == (2, pytest.approx(1.5))
    event(a, sa, "j1", "Case resolved", at(8))
    processing_refresh()
    v = values(a, sa, *nov, "processing_time")["processing_time"]
    assert (v.n, v.value) == (3, pytest.approx((2 + 1 + 3) / 3))
    # an event stored late, inside a finished episode, changes it: j2 began on the 2nd
    event(a, sa, "j2", "Apply online", at(2))
    processing_refresh()
    v = values(a, sa, *nov, "processing_time")["processing_time"]
    assert (v.n, v.value) == (3, pytest.approx((2 + 2 + 3) / 3))
    # a journey moved to another key is counted once, under its new key
    js.journey_events_rekey(agency=a, old_key="j2", new_key="j2-moved")
    processing_refresh()
    assert values(a, sa, *nov, "processing_time")["processing_time"].n == 3
    incremental = processing_rows()
    processing_rebuild()
    assert processing_rows() == incremental


def test_intended_journey_sets_the_end_activity(world: dict[str, Any]) -> None:
    a, sa = world["a"], world["sa"]
    js.intended_journey_set(service=sa, steps=["Apply online", "Decision sent"])
    event(a, sa, "j1", "Apply online", at(2))
    event(a, sa, "j1", "Case resolved", at(3))  # not this service's end
    event(a, sa, "j1", "Decision sent", at(6, 22))  # 4 days 12 hours after the start
    processing_refresh()
    v = values(a, sa, dt.date(2026, 11, 1), dt.date(2026, 11, 30),
               "processing_time")["processing_time"]
    assert (v.n, v.value) == (1, pytest.approx(4.5))


# --- assistant: containment ------------------------------------------------------------------

def test_containment_counts_conversations_not_handed_over(world: dict[str, Any]) -> None:
    a = world["a"]
    convs = [conv.conversation_start(agency=a) for _ in range(3)]
    conv.conversation_handover(conversation=convs[0], reason="asked_for_human")
    conv.conversation_handover(conversation=convs[0], reason="asked_for_human")  # again
    today = timezone.localdate()
    v = values(a, None, today, today, "containment")["containment"]
    assert (v.num, v.den) == (2, 3)
    assert values(a, world["sa"], today, today, "containment")["containment"].value is None
    written = sorted(AssistDaily.objects.values_list("agency_id", "day", "conversations",
                                                     "handed_over"))
    assist_rollups_rebuild()
    assert sorted(AssistDaily.objects.values_list("agency_id", "day", "conversations",
                                                  "handed_over")) == written


# --- change between periods ------------------------------------------------------------------

def test_two_proportion_change_matches_a_chi_square_test() -> None:
    before = K.value_of(K.KPIS["trust"], {"trust_pos": 60, "trust_n": 100})
    after = K.value_of(K.KPIS["trust"], {"trust_pos": 75, "trust_n": 100})
    ch = K.kpi_change(before, after)
    _chi2, p, _dof, _exp = stats.chi2_contingency([[60, 40], [75, 25]], correction=False)
    assert ch.difference == pytest.approx(15.0)
    assert ch.p_value == pytest.approx(p)
    se = math.sqrt(0.6 * 0.4 / 100 + 0.75 * 0.25 / 100)
    assert ch.ci == pytest.approx((100 * (0.15 - 1.959964 * se), 100 * (0.15 + 1.959964 * se)),
                                  abs=1e-3)
    assert ch.significant and ch.better
    assert ch.words().startswith("up 15.0 points, unlikely to be chance (p = 0.02)")
    small = K.kpi_change(K.value_of(K.KPIS["trust"], {"trust_pos": 6, "trust_n": 10}),
                         K.value_of(K.KPIS["trust"], {"trust_pos": 7, "trust_n": 10}))
    assert not small.significant and "could be chance" in small.words()


def test_welch_change_matches_scipy_from_the_same_sums() -> None:
    a = [3, 4, 4, 5, 2, 4]
    b = [5, 5, 4, 5, 4, 5, 5, 4]

    def v(xs: list[int]) -> K.KpiValue:
        return K.value_of(K.KPIS["ces"], {"ces_sum": sum(xs), "ces_n": len(xs),
                                          "ces_sumsq": sum(x * x for x in xs)})

    ch = K.kpi_change(v(a), v(b))
    ref = stats.ttest_ind(b, a, equal_var=False)
    assert ch.test == "Welch t"
    assert ch.p_value == pytest.approx(ref.pvalue)
    assert ch.difference == pytest.approx(np.mean(b) - np.mean(a))
    assert ch.significant == (ref.pvalue < 0.05)


def test_change_of_a_duration_without_spread_is_not_tested() -> None:
    k = K.KPIS["resolution_time"]
    ch = K.kpi_change(K.value_of(k, {"c_resolution_seconds_sum": 14400, "c_resolution_n": 2}),
                      K.value_of(k, {"c_resolution_seconds_sum": 7200, "c_resolution_n": 2}))
    assert ch.difference == pytest.approx(-1.0) and ch.p_value is None
    assert ch.better is True  # shorter is better
    assert ch.words() == "down 1.0 hours, not tested for significance"
    none = K.kpi_change(K.KpiValue("trust", None), K.KpiValue("trust", 50.0, n=2))
    assert none.difference is None and "no comparison" in none.words()


def test_previous_period_is_the_same_length_just_before() -> None:
    assert K.previous_period(dt.date(2026, 10, 1), dt.date(2026, 10, 31)) == (
        dt.date(2026, 8, 31), dt.date(2026, 9, 30))


# --- benchmarks --------------------------------------------------------------------------------

def test_benchmark_percentile_and_quartiles_across_agencies(world: dict[str, Any]) -> None:
    a, b = world["a"], world["b"]
    extra = make_service(a, "permits", name="Permits")
    t_extra = make_touchpoint(extra, name="Permits web")
    day = at(5)
    for tp, ups in ((world["ta"], 2), (world["tb"], 3), (t_extra, 1)):
        for i in range(4):
            submit(tp, {"trust": "up" if i < ups else "down"}, day)
    everyone = K.kpi_values_by_service(start=day.date(), end=day.date(), keys=["trust",
                                                                               "backlog"])
    assert set(everyone) >= {world["sa"].pk, world["sb"].pk, extra.pk}
    bm = K.benchmark_of("trust", world["sa"].pk, everyone, min_n=1)
    shares = [25.0, 50.0, 75.0]
    assert bm.percentile == pytest.approx(50.0)  # better than 1 of the 2 others
    assert (bm.q1, bm.median, bm.q3) == pytest.approx(tuple(np.percentile(shares,
                                                                          [25, 50, 75])))
    assert K.benchmark_of("trust", world["sb"].pk, everyone, min_n=1).percentile == 100.0
    # services with fewer observations than the minimum are left out of the comparison
    assert K.benchmark_of("trust", world["sa"].pk, everyone, min_n=5).services == 0
    assert b.pk != a.pk


def test_percentile_follows_the_direction_of_the_measure() -> None:
    def vals(x: float) -> dict[str, K.KpiValue]:
        return {"backlog": K.KpiValue("backlog", x, n=20)}

    pool = {1: vals(5), 2: vals(10), 3: vals(20)}
    assert K.benchmark_of("backlog", 1, pool).percentile == 100.0  # smallest backlog
    assert K.benchmark_of("backlog", 3, pool).percentile == 0.0


def test_unknown_kpi_is_refused() -> None:
    with pytest.raises(ValueError, match="Unknown KPI"):
        K.kpi_values(agency_ids={1}, service_id=None, start=dt.date(2026, 1, 1),
                     end=dt.date(2026, 1, 2), keys=["happiness"])


def test_no_agencies_no_figures() -> None:
    v = K.kpi_values(agency_ids=set(), service_id=None, start=dt.date(2026, 1, 1),
                     end=dt.date(2026, 1, 2), keys=["trust", "backlog"])
    assert v["trust"].value is None and v["backlog"].value is None



# --- cost, commands, demo ------------------------------------------------------------------------

def test_reading_costs_the_same_queries_for_more_data(world: dict[str, Any]) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    a, sa, ta = world["a"], world["sa"], world["ta"]
    nov = (dt.date(2026, 11, 1), dt.date(2026, 11, 30))

    def count() -> int:
        rollups_current()  # counting new responses is the catch-up's cost, not the reading's
        with CaptureQueriesContext(connection) as ctx:
            values(a, sa, *nov)
            K.kpi_series(agency_ids={a.pk}, service_id=sa.pk, start=nov[0], end=nov[1])
        return len(ctx.captured_queries)

    submit(ta, {"trust": "up"}, at(2))
    few = count()
    for d in range(3, 20):
        submit(ta, {"trust": "down"}, at(d))
        cs.contact_receive(agency=a, channel="web", identity=("email", f"p{d}@example.org"),
                           at=at(d), service=sa, body="hi")
        event(a, sa, f"j{d}", "Case resolved", at(d))
    processing_refresh()
    assert count() == few


def test_legacy_satisfaction_item_counts_as_csat(world: dict[str, Any], today: dt.date) -> None:
    t = make_touchpoint(world["sa"], make_survey(world["a"], "a11_legacy"), name="Legacy")
    for sat in (5, 3):
        submit(t, {"satisfaction": sat, "trust": 4})
    v = values(world["a"], world["sa"], today, today, "csat", "trust")
    assert (v["csat"].num, v["csat"].den) == (1, 2)
    assert (v["trust"].num, v["trust"].den) == (2, 2)
    before = rollup_rows()
    rollups_rebuild(service_ids=[world["sa"].pk])
    assert rollup_rows() == before


def test_kpi_refresh_command(world: dict[str, Any]) -> None:
    from io import StringIO

    from django.core.management import call_command

    a, sa = world["a"], world["sa"]
    event(a, sa, "j1", "Apply online", at(2))
    event(a, sa, "j1", "Case resolved", at(3))
    out = StringIO()
    call_command("kpi_refresh", stdout=out)
    assert "Refreshed 1 journeys" in out.getvalue()
    out = StringIO()
    call_command("kpi_refresh", stdout=out)  # nothing new (the overlap re-reads j1 only)
    assert processing_rows()[0][2] == 1
    call_command("kpi_refresh", "--rebuild", stdout=out)
    assert "Rebuilt 1 processing-time rows" in out.getvalue()
    assert processing_rows()[0][2] == 1


def test_demo_targets(world: dict[str, Any]) -> None:
    from govcx.metrics.demo import DEMO_TARGETS, fiscal_year, metrics_demo_seed
    from govcx.metrics.models import Target

    got = metrics_demo_seed(agencies=[world["a"]], today=dt.date(2026, 11, 22))
    assert got["targets"] == len(DEMO_TARGETS)
    assert metrics_demo_seed(agencies=[world["a"]])["targets"] == 0  # idempotent
    t = Target.objects.get(service=world["sa"], kpi="trust")
    assert (t.start, t.end) == fiscal_year(dt.date(2026, 11, 22)) == (
        dt.date(2026, 10, 1), dt.date(2027, 9, 30))
    assert not Target.objects.filter(service=world["sb"]).exists()


def test_backlog_kpi_from_rollups_follows_status_changes(world: dict[str, Any]) -> None:
    """The backlog KPI (rollup `open_now`) equals the live count of open cases after each
    status change, per service, for the agency and in the per-service table."""
    a, sa = world["a"], world["sa"]
    start, end = dt.date(2026, 11, 1), dt.date(2026, 11, 10)

    def live(service: Any) -> int:
        qs = Case.objects.filter(agency=a, status__in=("new", "open", "pending"),
                                 merged_into__isnull=True)
        return qs.filter(service=service).count() if service else qs.count()

    def check() -> None:
        assert values(a, sa, start, end, "backlog")["backlog"].value == live(sa)
        assert values(a, None, start, end, "backlog")["backlog"].value == live(None)
        per = K.kpi_values_by_service(start=start, end=end, keys=["backlog"],
                                      agency_ids={a.pk})
        assert per[sa.pk]["backlog"].value == live(sa)

    cases = [cs.contact_receive(agency=a, channel="web", at=at(2 + i), service=sa, body="help",
                                identity=("email", f"p{i}@example.org")).case
             for i in range(3)]
    check()
    assert live(sa) == 3
    cs.case_status_set(case=Case.objects.get(pk=cases[0].pk), status="pending", actor=None)
    check()
    cs.case_resolve(case=Case.objects.get(pk=cases[1].pk), actor=None, at=at(6))
    check()
    cs.case_status_set(case=Case.objects.get(pk=cases[1].pk), status="open", actor=None)
    check()
    cs.case_merge(source=Case.objects.get(pk=cases[2].pk),
                  target=Case.objects.get(pk=cases[1].pk), actor=None)
    check()
    assert live(sa) == 2


def test_target_statuses_of_a_page_equal_each_targets_own(world: dict[str, Any],
                                                          today: dt.date) -> None:
    from govcx.metrics.services import target_create

    for ans in ("up", "up", "down"):
        assert fb.response_submit(touchpoint=world["ta"], answers={"trust": ans}).response
    start = today - dt.timedelta(days=30)
    made = [target_create(service=world["sa"], kpi=k, start=start, end=today + dt.timedelta(
        days=5), value=v) for k, v in (("trust", 50), ("csat", 80), ("backlog", 3))]
    made.append(target_create(service=world["sa"], kpi="trust", start=today + dt.timedelta(
        days=1), end=today + dt.timedelta(days=9), value=60))
    batch = K.target_statuses(made, today=today)
    for t in made:
        assert batch[t.pk] == K.target_status(t, today=today)
    assert batch[made[0].pk].status == "on_track"
    assert batch[made[-1].pk].status == "not_started"
