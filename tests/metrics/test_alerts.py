"""Alerts: signals judged against the service's own control limits, owners told by email
(through a real SMTP server) and in the app, an insight opened, the staff page."""

from __future__ import annotations

import datetime as dt
import itertools
import math
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from govcx.contact import services as cs
from govcx.contact.channels.phone import cdr_import
from govcx.core.models import Notification, Role
from govcx.feedback import services as fb
from govcx.improve.models import Insight
from govcx.metrics.alerts import alerts_check, check_period
from govcx.metrics.models import Alert
from govcx.metrics.services import rollups_rebuild
from tests.conftest import login, make_staff

NY = ZoneInfo("America/New_York")
TODAY = dt.date(2026, 11, 18)  # a Wednesday: the checked week is Mon 9 – Sun 15 November
WEEK = dt.date(2026, 11, 9)
BASELINE = [WEEK - dt.timedelta(days=7 * k) for k in range(12, 0, -1)]
STABLE = [80, 78, 82, 79, 81, 80, 77, 83, 80, 79, 81, 80]  # positive of 100, sum 960


def noon(day: dt.date, hour: int = 12) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), NY)


def load_weeks(tp: Any, positives: list[int], n: int = 100,
               neg_driver: list[int] | None = None) -> None:
    """n responses a week (baseline then the checked week), positives[i] of them trusting;
    of the others, neg_driver[i] say ease did not go well. Spread over the days of the week."""
    items = []
    for w, (monday, pos) in enumerate(zip([*BASELINE, WEEK], positives, strict=True)):
        for i in range(n):
            answers: dict[str, Any] = {"trust": "up" if i < pos else "down"}
            if neg_driver is not None and pos <= i < pos + neg_driver[w]:
                answers["went_poorly"] = ["ease"]
            items.append((answers, "en", noon(monday + dt.timedelta(days=i % 7))))
    stored, bad = fb.responses_load(touchpoint=tp, items=items)
    assert not bad and stored == len(items)
    rollups_rebuild(service_ids=[tp.service_id])


@pytest.fixture
def owned(world: dict[str, Any]) -> dict[str, Any]:
    owner = make_staff(world["a"], Role.CX_ANALYST, "owner-a")
    world["sa"].owners.add(owner)
    return {**world, "owner": owner}


def run(capture: Any, **kw: Any) -> list[Alert]:
    """alerts_check with the after-commit work (the emails) run, as outside a test."""
    with capture(execute=True):
        return alerts_check(today=TODAY, **kw)


def test_the_checked_week_and_its_baseline() -> None:
    start, end, baseline = check_period(TODAY)
    assert (start, end) == (WEEK, dt.date(2026, 11, 15))
    assert baseline == BASELINE and baseline[0] == dt.date(2026, 8, 17)
    # on the Monday itself the week just ended is checked, not the one begun
    assert check_period(dt.date(2026, 11, 16))[0] == WEEK


def test_a_stable_service_raises_nothing(owned: Any, smtp: Any,
                                         django_capture_on_commit_callbacks: Any) -> None:
    load_weeks(owned["ta"], [*STABLE, 79])
    assert run(django_capture_on_commit_callbacks) == []
    assert not Alert.objects.exists() and not Notification.objects.exists()
    assert smtp.messages == []


def test_a_trust_drop_alerts_the_owner_once(owned: Any, smtp: Any,
                                            django_capture_on_commit_callbacks: Any) -> None:
    load_weeks(owned["ta"], [*STABLE, 55])
    raised = run(django_capture_on_commit_callbacks)
    assert [(a.kind, a.signal) for a in raised] == [("trust_drop", "trust")]
    alert = raised[0]
    # p = 960 / 1200 = 0.8; limits 0.8 ± 3 * sqrt(0.8 * 0.2 / 100) = 0.68 … 0.92
    p = sum(STABLE) / 1200
    half = 3 * math.sqrt(p * (1 - p) / 100)
    assert alert.center == pytest.approx(p)
    assert alert.lower == pytest.approx(p - half) and alert.upper == pytest.approx(p + half)
    assert (alert.value, alert.n) == (0.55, 100)
    assert (alert.period_start, alert.period_end) == (WEEK, dt.date(2026, 11, 15))
    summary = alert.detail["summary"]
    assert "Trust fell to 55%" in summary and "lower control limit of 68%" in summary
    assert "previous 12 weeks (n = 100)" in summary

    # the owner: an email through the real SMTP server and an in-app notification
    assert len(smtp.messages) == 1
    _from, to, raw = smtp.messages[0]
    assert to == [owned["owner"].email]
    assert "Apply for benefits" in raw and "lower control limit of 68%" in raw
    assert f"/staff/alerts/?service={owned['sa'].pk}" in raw
    note = Notification.objects.get()
    assert (note.user, note.agency, note.kind) == (owned["owner"], owned["a"], "alert")
    assert "Trust fell to 55%" in note.title

    # and an insight on the board with the figures behind it
    insight = Insight.objects.get()
    assert (insight.source, insight.source_ref, insight.service) == (
        "alert", f"alert:{alert.pk}", owned["sa"])
    assert insight.summary == summary
    ev = insight.evidence
    assert ev["lower"] == pytest.approx(p - half) and ev["n"] == 100 and ev["value"] == 0.55
    assert ev["period"] == ["2026-11-09", "2026-11-15"]

    # running again changes nothing: no second alert, email, notification or insight
    assert run(django_capture_on_commit_callbacks) == []
    assert (Alert.objects.count(), Notification.objects.count(), Insight.objects.count(),
            len(smtp.messages)) == (1, 1, 1, 1)


def test_no_fixed_threshold_a_naturally_low_but_steady_trust_is_fine(
        owned: Any, django_capture_on_commit_callbacks: Any) -> None:
    load_weeks(owned["ta"], [30, 32, 28, 31, 29, 30, 33, 27, 30, 31, 29, 30, 29])
    assert run(django_capture_on_commit_callbacks) == []


def test_a_driver_named_as_going_badly_more_often(owned: Any,
                                                  django_capture_on_commit_callbacks: Any
                                                  ) -> None:
    load_weeks(owned["ta"], [80] * 13,
               neg_driver=[5, 4, 6, 5, 5, 6, 4, 5, 5, 6, 4, 5, 20])
    raised = run(django_capture_on_commit_callbacks)
    assert [(a.kind, a.signal) for a in raised] == [("driver_drop", "driver:ease")]
    a = raised[0]
    p = 60 / 1200
    assert a.upper == pytest.approx(p + 3 * math.sqrt(p * (1 - p) / 100))
    assert a.value == 0.2 and "Ease" in a.detail["summary"]


def test_few_answers_beyond_the_p_chart_limit_by_chance_are_not_an_alert(
        owned: Any, django_capture_on_commit_callbacks: Any) -> None:
    """9 of 60 naming ease when 3 of 60 is usual: above the p-chart's upper limit (0.134),
    but the exact binomial chance of it (0.28%) is well above three-sigma's 0.135%."""
    load_weeks(owned["ta"], [48] * 13, n=60, neg_driver=[3] * 12 + [9])
    assert run(django_capture_on_commit_callbacks) == []


def test_without_owners_the_agency_administrators_are_told(
        world: Any, smtp: Any, django_capture_on_commit_callbacks: Any) -> None:
    load_weeks(world["ta"], [*STABLE, 50])
    run(django_capture_on_commit_callbacks)
    admin = world["staff"][("benefits-agency", Role.ADMINISTRATOR)]
    assert list(Notification.objects.values_list("user_id", flat=True)) == [admin.pk]
    assert [m[1] for m in smtp.messages] == [[admin.email]]


def test_only_the_given_agencies_are_checked(owned: Any,
                                             django_capture_on_commit_callbacks: Any) -> None:
    load_weeks(owned["ta"], [*STABLE, 50])
    assert run(django_capture_on_commit_callbacks, agency_ids={owned["b"].pk}) == []
    assert len(run(django_capture_on_commit_callbacks, agency_ids={owned["a"].pk})) == 1


def test_too_little_history_raises_nothing(owned: Any,
                                           django_capture_on_commit_callbacks: Any) -> None:
    # only the checked week and three before it: fewer than four baseline weeks
    items = [({"trust": "up" if i < 10 else "down"}, "en", noon(w))
             for w in [*BASELINE[-3:]] for i in range(100)]
    items += [({"trust": "down"}, "en", noon(WEEK)) for _ in range(100)]
    fb.responses_load(touchpoint=owned["ta"], items=items)
    rollups_rebuild(service_ids=[owned["sa"].pk])
    assert run(django_capture_on_commit_callbacks) == []


# --- contact centre: cases and speed of answer from the contact rollups ------------------------

def test_a_surge_of_cases_is_a_volume_alert(owned: Any,
                                            django_capture_on_commit_callbacks: Any) -> None:
    weekly = [5, 6] * 6 + [20]
    for w, (monday, count) in enumerate(zip([*BASELINE, WEEK], weekly, strict=True)):
        for i in range(count):
            cs.contact_receive(agency=owned["a"], channel="web", service=owned["sa"],
                               identity=("email", f"person{w}-{i}@example.org"),
                               subject="Where is my payment?", body="Please help.",
                               at=noon(monday + dt.timedelta(days=i % 5), 9 + i % 8))
    raised = run(django_capture_on_commit_callbacks)
    assert [(a.kind, a.signal) for a in raised] == [("volume", "cases")]
    a = raised[0]
    # c = 5.5; c-chart 5.5 ± 3 * sqrt(5.5) is wider than the individuals chart here
    assert a.center == pytest.approx(5.5) and a.value == 20
    assert a.upper == pytest.approx(5.5 + 3 * math.sqrt(5.5))
    assert "Contact-centre cases rose to 20" in a.detail["summary"]


def test_a_longer_wait_to_answer_is_a_wait_alert(owned: Any,
                                                 django_capture_on_commit_callbacks: Any
                                                 ) -> None:
    asa = [30, 34, 29, 33, 31, 35, 30, 32, 28, 33, 31, 30, 120]
    records = []
    for w, (monday, wait) in enumerate(zip([*BASELINE, WEEK], asa, strict=True)):
        for i in range(4):
            start = noon(monday + dt.timedelta(days=i), 10)
            records.append({
                "call_id": f"w{w}c{i}", "caller": f"+1202555{w:02d}{i:02d}",
                "started_at": start.isoformat(), "answered": True, "resolved": True,
                "wait_seconds": wait, "talk_seconds": 240, "routed_to_agent": True,
                "service": owned["sa"].slug})
    result = cdr_import(agency=owned["a"], records=records)
    assert not result.errors and result.imported == len(records)
    raised = run(django_capture_on_commit_callbacks)
    assert [(a.kind, a.signal) for a in raised] == [("wait", "asa")]
    a = raised[0]
    base = asa[:-1]
    mean = sum(base) / 12
    sigma = sum(abs(y - x) for x, y in itertools.pairwise(base)) / 11 / 1.128
    assert a.center == pytest.approx(mean) and a.upper == pytest.approx(mean + 3 * sigma)
    assert (a.value, a.n) == (120, 4)
    assert "120 seconds" in a.detail["summary"] and "4 answered calls" in a.detail["summary"]


# --- the command and the task ------------------------------------------------------------------

def test_command_checks_and_reports(owned: Any, capsys: Any,
                                    django_capture_on_commit_callbacks: Any) -> None:
    load_weeks(owned["ta"], [*STABLE, 55])
    with django_capture_on_commit_callbacks(execute=True):
        call_command("alerts", "check", "--agency", "benefits-agency", "--date", "2026-11-18")
    out = capsys.readouterr().out
    assert "1 new alert(s)" in out and "Trust fell to 55%" in out
    call_command("alerts", "check", "--date", "2026-11-18")
    assert "0 new alert(s)" in capsys.readouterr().out


@pytest.mark.parametrize("args,message", [
    (["--date", "18/11/2026"], "not a date"),
    (["--date", "1999-01-01"], "between"),
    (["--agency", "no-such-agency"], "No agency with slug no-such-agency"),
])
def test_command_rejects_bad_options(db: Any, args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("alerts", "check", *args)


def test_the_check_runs_by_itself_from_staff_activity(owned: Any, client: Any, settings: Any,
                                                       today: dt.date,
                                                       django_capture_on_commit_callbacks: Any
                                                       ) -> None:
    """A staff page enqueues the background check (at most hourly); with the immediate task
    backend it runs at once, for the last complete week before today."""
    from govcx.core import soon
    from govcx.metrics import alerts

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    start, _end, baseline = check_period(today)
    items = []
    for monday, pos in zip([*baseline, start], [*STABLE, 40], strict=True):
        items += [({"trust": "up" if i < pos else "down"}, "en", noon(monday + dt.timedelta(
            days=i % 7))) for i in range(100)]
    fb.responses_load(touchpoint=owned["ta"], items=items)
    rollups_rebuild(service_ids=[owned["sa"].pk])
    soon.forget("alerts")
    login(client, owned["owner"])
    with django_capture_on_commit_callbacks(execute=True):
        assert client.get("/staff/notifications/").status_code == 200
    assert Alert.objects.filter(signal="trust", period_start=start).count() == 1
    # within the hour a page view does not check again
    assert alerts.alerts_check_soon() is False


# --- the staff page ----------------------------------------------------------------------------

@pytest.fixture
def raised(owned: Any, django_capture_on_commit_callbacks: Any) -> dict[str, Any]:
    load_weeks(owned["ta"], [*STABLE, 55])
    tb_service = owned["sb"]
    load_weeks(owned["tb"], [*STABLE, 50])
    alerts = run(django_capture_on_commit_callbacks)
    mine = next(a for a in alerts if a.service_id == owned["sa"].pk)
    theirs = next(a for a in alerts if a.service_id == tb_service.pk)
    return {**owned, "alert": mine, "foreign": theirs}


def test_page_shows_the_alert_with_chart_and_table(raised: Any, client: Any) -> None:
    login(client, raised["staff"][("benefits-agency", Role.VIEWER)])
    page = client.get("/staff/alerts/")
    body = page.content.decode()
    assert page.status_code == 200
    a = raised["alert"]
    assert f'id="alert-{a.pk}"' in body and "Trust fell to 55%" in body
    assert "<svg" in body and "lower limit" in body and f'id="alert-{a.pk}-table"' in body
    assert "2026-11-09" in body and "checked week" in body
    assert "68.0%" in body  # the lower limit in the table caption
    # another agency's alert is not shown; a viewer may not acknowledge
    assert f'id="alert-{raised["foreign"].pk}"' not in body and "File a return" not in body
    assert f"/staff/alerts/{a.pk}/acknowledge/" not in body
    login(client, raised["staff"][("benefits-agency", Role.CX_ANALYST)])
    assert f"/staff/alerts/{a.pk}/acknowledge/" in client.get("/staff/alerts/").content.decode()


def test_filters(raised: Any, client: Any) -> None:
    login(client, raised["staff"][("benefits-agency", Role.CX_ANALYST)])
    a = raised["alert"]
    assert f"alert-{a.pk}" in client.get(f"/staff/alerts/?service={a.service_id}&kind="
                                          "trust_drop&acknowledged=no").content.decode()
    assert "No alerts match" in client.get("/staff/alerts/?kind=wait").content.decode()
    assert "No alerts match" in client.get("/staff/alerts/?acknowledged=yes").content.decode()


@pytest.mark.parametrize("query,status,message", [
    ("kind=bogus", 400, "is not a kind of alert"),
    ("service=abc", 400, "is not a service id"),
    ("service=-3", 400, "is not a service id"),
    ("acknowledged=maybe", 400, "must be yes, no or empty"),
    ("page=x", 400, "whole number"),
])
def test_bad_filters_are_a_clear_400(raised: Any, client: Any, query: str, status: int,
                                     message: str) -> None:
    login(client, raised["staff"][("benefits-agency", Role.CX_ANALYST)])
    r = client.get(f"/staff/alerts/?{query}")
    assert r.status_code == status and message in r.content.decode()


def test_another_agencys_service_in_the_filter_is_404(raised: Any, client: Any) -> None:
    login(client, raised["staff"][("benefits-agency", Role.CX_ANALYST)])
    assert client.get(f"/staff/alerts/?service={raised['sb'].pk}").status_code == 404


def test_acknowledge(raised: Any, client: Any) -> None:
    a = raised["alert"]
    url = f"/staff/alerts/{a.pk}/acknowledge/"
    login(client, raised["staff"][("benefits-agency", Role.VIEWER)])
    assert client.post(url).status_code == 403  # reads alerts, does not manage insights
    analyst = raised["staff"][("benefits-agency", Role.CX_ANALYST)]
    login(client, analyst)
    assert client.get(url).status_code == 405
    r = client.post(url, {"next": "/staff/alerts/?acknowledged=no"})
    assert r.status_code == 302 and r["Location"] == f"/staff/alerts/?acknowledged=no#alert-{a.pk}"
    a.refresh_from_db()
    assert a.acknowledged_by == analyst and a.acknowledged_at is not None
    page = client.get("/staff/alerts/?acknowledged=yes").content.decode()
    assert f"alert-{a.pk}" in page and "acknowledged by" in page
    # an unsafe "next" is ignored
    assert client.post(url, {"next": "https://evil.example/"})["Location"] == "/staff/alerts/"


def test_another_agency_sees_none_and_cannot_acknowledge(raised: Any, client: Any) -> None:
    outsider = raised["staff"][("tax-agency", Role.ADMINISTRATOR)]
    login(client, outsider)
    body = client.get("/staff/alerts/").content.decode()
    assert f'id="alert-{raised["alert"].pk}"' not in body and "Apply for benefits" not in body
    assert f'id="alert-{raised["foreign"].pk}"' in body
    assert client.post(f"/staff/alerts/{raised['alert'].pk}/acknowledge/").status_code == 404
    raised["alert"].refresh_from_db()
    assert raised["alert"].acknowledged_at is None
    assert client.post("/staff/alerts/999999999/acknowledge/").status_code == 404


def test_signed_out_is_sent_to_sign_in(db: Any, client: Any) -> None:
    r = client.get("/staff/alerts/")
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]


# --- negative themes (govcx/feedback/themes.py) ---------------------------------------------

def test_a_spike_in_a_negative_theme(owned: Any, django_capture_on_commit_callbacks: Any
                                     ) -> None:
    """Comments in a negative theme per comment that week (u-chart); a positive theme that
    grows as much is not an alert."""
    from govcx.feedback.models import Comment, Theme

    a, sa = owned["a"], owned["sa"]
    late = Theme.objects.create(agency=a, name="card not arrived")
    thanks = Theme.objects.create(agency=a, name="thank you helpful")
    in_late = [4, 5, 4, 6, 5, 4, 5, 4, 6, 5, 4, 5, 20]
    in_thanks = [5] * 12 + [15]
    rows = []
    for w, monday in enumerate([*BASELINE, WEEK]):
        plan = ([(late, "negative")] * in_late[w] + [(thanks, "positive")] * in_thanks[w])
        plan += [(None, "neutral")] * (40 - len(plan))
        for i, (theme, sentiment) in enumerate(plan):
            rows.append(Comment(agency=a, service=sa, source="response",
                                source_id=w * 100 + i, created_at=noon(monday + dt.timedelta(
                                    days=i % 5)), text_redacted="…", sentiment=sentiment,
                                theme=theme))
    Comment.objects.bulk_create(rows)
    raised = run(django_capture_on_commit_callbacks)
    assert [(x.kind, x.signal) for x in raised] == [("theme_spike", f"theme:{late.pk}")]
    alert = raised[0]
    u = sum(in_late[:-1]) / (12 * 40)
    assert alert.center == pytest.approx(u)
    assert alert.upper == pytest.approx(u + 3 * math.sqrt(u / 40))
    assert (alert.value, alert.n) == (0.5, 40)
    assert "“card not arrived” rose to 50% of all comments" in alert.detail["summary"]
    assert "(20 of 40)" in alert.detail["summary"]
