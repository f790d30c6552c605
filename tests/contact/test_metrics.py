"""FCR, re-contact, reopen and call figures against hand-computed cases (docs/metrics.md),
the incremental rollups against the raw computation after every step, the metrics pages,
drill-down, CSV export and agency isolation."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from govcx.contact import metrics as m
from govcx.contact import services as cs
from govcx.contact.metrics_rollups import (
    contact_rollups_apply_case,
    contact_rollups_apply_contact,
    contact_rollups_rebuild,
    report_rollups,
    state_rollups,
)
from govcx.contact.models import (
    CallDaily,
    CallDayService,
    Case,
    CaseDaily,
    CaseDayService,
    RollupContribution,
)
from govcx.core.models import AuditEvent, Role
from tests.conftest import login

NY = ZoneInfo("America/New_York")


def at(d: int, h: int = 10, mi: int = 0, month: int = 11) -> dt.datetime:
    return dt.datetime(2026, month, d, h, mi, tzinfo=NY)


def only(agency: Any, **kw: Any) -> m.MetricFilter:
    return m.MetricFilter(agency_ids=frozenset({agency.pk}), **kw)


def receive(**kw: Any) -> cs.Received:
    """contact_receive followed by the rollup hook, as the lead wires it in services."""
    r = cs.contact_receive(**kw)
    contact_rollups_apply_contact(r.contact.pk)
    return r


def resolve(case: Case, when: dt.datetime) -> Case:
    case = cs.case_resolve(case=Case.objects.get(pk=case.pk), actor=None, at=when)
    contact_rollups_apply_case(case.pk)
    return case


def reply(case: Case, agent: Any, when: dt.datetime) -> None:
    cs.case_reply(case=Case.objects.get(pk=case.pk), author=agent, body="Done for you.",
                  at=when, send=False)
    contact_rollups_apply_case(case.pk)


def _table(model: Any, key: tuple[str, ...]) -> dict[tuple[Any, ...], dict[str, int]]:
    names = [x.name for x in model._meta.concrete_fields if x.name not in ("id", *key)]
    out: dict[tuple[Any, ...], dict[str, int]] = {}
    for row in model.objects.values(*key, *names):
        k = tuple(row.pop(n) for n in key)
        acc = out.setdefault(k, dict.fromkeys(names, 0))
        for n in names:
            acc[n] += row[n]
    return {k: v for k, v in out.items() if any(v.values())}


def _summed(model: Any, key: tuple[str, ...]) -> dict[tuple[Any, ...], dict[str, int]]:
    """The fine table summed to the coarse table's key."""
    names = [x.name for x in model._meta.concrete_fields
             if x.name not in ("id", "agency", "day", "channel", "queue_id", "agent_id",
                               "topic", "service_id")]
    out: dict[tuple[Any, ...], dict[str, int]] = {}
    for row in model.objects.values(*key, *names):
        k = tuple(row.pop(n) for n in key)
        acc = out.setdefault(k, dict.fromkeys(names, 0))
        for n in names:
            acc[n] += row[n]
    return {k: v for k, v in out.items() if any(v.values())}


def assert_state_equal_raw(f: m.MetricFilter, now: dt.datetime | None = None) -> None:
    """Backlog and reported FCR from the rollups equal their raw computation."""
    now = now or dt.datetime.now(tz=NY)
    backlog, reported = state_rollups(f, now=now)
    assert backlog == m.backlog(f, now=now)
    assert reported == m.reported_fcr(f)[0]


def assert_rollups_equal_raw(f: m.MetricFilter) -> None:
    for dim in (None, *m.DIMENSIONS):
        raw = {g: t for g, t in m.report_raw(f, dim).totals.items() if any(t.values())}
        assert report_rollups(f, dim).totals == raw, dim
    # the coarse tables are the fine ones summed over queue, agent and topic
    assert _table(CaseDayService, ("agency", "day", "channel", "service_id")) == _summed(
        CaseDaily, ("agency", "day", "channel", "service_id"))
    assert _table(CallDayService, ("agency", "day", "service_id")) == _summed(
        CallDaily, ("agency", "day", "service_id"))
    assert_state_equal_raw(f)
    assert_state_equal_raw(dataclasses.replace(f, topic="card"))  # read from the fine table


def fig(f: m.MetricFilter, name: str, dim: str | None = None, group: Any = "all") -> Any:
    return m.report_raw(f, dim).figures[group][name].value


@pytest.fixture
def story(centre: Any, settings: Any) -> dict[str, Any]:
    """Seven hand-computed cases opened 2-12 November 2026 (2 Nov is a Monday)."""
    settings.FCR_WINDOW_DAYS = 7
    settings.CASE_REOPEN_DAYS = 7
    a, agent = centre["a"], centre["agents"][0]
    f = only(a)
    c: dict[str, Case] = {}

    # A: one web contact, answered after 1 h, resolved after 2 h -> FCR yes
    r = receive(agency=a, channel="web", identity=("email", "ana@example.org"),
                subject="Payment date", topic="payments", at=at(2))
    c["A"] = r.case
    reply(r.case, agent, at(2, 11))
    resolve(r.case, at(2, 12))
    assert_rollups_equal_raw(f)

    # B: two customer emails on the thread -> FCR no
    r = receive(agency=a, channel="email", identity=("email", "ben@example.org"),
                subject="Address", message_id="<b1@example.org>", at=at(2))
    c["B"] = r.case
    r2 = receive(agency=a, channel="email", identity=("email", "ben@example.org"),
                 subject="Re: Address", message_id="<b2@example.org>",
                 in_reply_to="<b1@example.org>", at=at(2, 11))
    assert r2.case.pk == r.case.pk
    resolve(r.case, at(3, 10))
    assert_rollups_equal_raw(f)

    # C: resolved on the web, then a text from the same person on the same topic 3 days
    # later -> a new SMS case, and the web case is a re-contact (FCR no)
    r = receive(agency=a, channel="web", identity=("phone", "+12025550103"),
                subject="Card", topic="card", at=at(2))
    c["C1"] = r.case
    resolve(r.case, at(2, 11))
    assert fig(f, "fcr") == 66.67  # A, C1 yes so far; B no
    r = receive(agency=a, channel="sms", identity=("phone", "(202) 555-0103"),
                body="My card still has not come", topic="card", at=at(5, 11))
    assert r.new_case and r.case.channel == "sms"
    c["C2"] = r.case
    assert_rollups_equal_raw(f)

    # D: the same, but the text comes 10 days after resolution -> not a re-contact
    r = receive(agency=a, channel="web", identity=("phone", "+12025550104"),
                subject="Card", topic="card", at=at(2))
    c["D1"] = r.case
    resolve(r.case, at(2, 11))
    r = receive(agency=a, channel="sms", identity=("phone", "+12025550104"),
                body="Another card question", topic="card", at=at(12, 11))
    c["D2"] = r.case
    assert_rollups_equal_raw(f)

    # E: resolved, the person texts again the next day -> reopened, resolved again
    r = receive(agency=a, channel="sms", identity=("phone", "+12025550105"),
                body="Where is my refund", at=at(2))
    c["E"] = r.case
    resolve(r.case, at(3, 10))
    back = receive(agency=a, channel="sms", identity=("phone", "+12025550105"),
                   body="Still nothing", at=at(4, 10))
    assert back.reopened and back.case.pk == r.case.pk
    resolve(r.case, at(5, 10))
    assert_rollups_equal_raw(f)
    return {**centre, "cases": c, "f": f}


def test_fcr_recontact_and_reopen_match_hand_computation(story: Any) -> None:
    f, c = story["f"], story["cases"]
    t = m.report_raw(f).totals["all"]
    # 7 cases; 5 resolved (A, B, C1, D1, E); FCR yes: A and D1 only
    assert (t["cases"], t["resolved"], t["fcr_eligible"], t["fcr_yes"]) == (7, 5, 5, 2)
    figures = m.report_raw(f).figures["all"]
    assert figures["fcr"].value == 40.0
    # re-contacts: C1 (SMS 3 days after a web case) and E (came back and reopened it)
    assert figures["repeat_contact_rate"].value == 40.0
    assert figures["reopen_rate"].value == 20.0  # E of 5 resolved
    num, den = m.case_ids_behind(f, "fcr")
    assert num == sorted([c["A"].pk, c["D1"].pk])
    assert den == sorted(c[k].pk for k in ("A", "B", "C1", "D1", "E"))
    num, _ = m.case_ids_behind(f, "repeat_contact_rate")
    assert num == sorted([c["C1"].pk, c["E"].pk])
    # by channel: web cases A, C1, D1 -> 2 of 3; email B -> 0; sms E -> 0 (C2, D2 still open)
    by_channel = m.report_raw(f, "channel").figures
    assert round(by_channel["web"]["fcr"].value, 2) == 66.67
    assert by_channel["email"]["fcr"].value == 0.0
    assert by_channel["sms"]["fcr"].value == 0.0
    # by topic: "card" cases C1 (no) and D1 (yes)
    assert m.report_raw(f, "topic").figures["card"]["fcr"].value == 50.0
    assert_rollups_equal_raw(f)


def test_times_calendar_and_business(story: Any) -> None:
    f, c = story["f"], story["cases"]
    one = m.report_raw(m.MetricFilter(agency_ids=f.agency_ids, topic="payments")).figures
    assert one["all"]["first_response_hours"].value == 1.0
    assert one["all"]["resolution_hours"].value == 2.0
    # B: opened Mon 10:00, resolved Tue 10:00 = 24 h calendar; open 9-17 -> 7 h + 1 h
    facts = {x.case_id: x for x in m.case_facts(m.cases_filtered(f))}
    assert facts[c["B"].pk].resolution_seconds == 24 * 3600
    assert facts[c["B"].pk].resolution_business_seconds == 8 * 3600


def test_the_window_follows_the_setting(story: Any, settings: Any) -> None:
    settings.FCR_WINDOW_DAYS = 14  # now D2 (10 days later) is a re-contact of D1
    f, c = story["f"], story["cases"]
    num, _ = m.case_ids_behind(f, "fcr")
    assert num == [c["A"].pk]


def test_a_later_case_on_another_topic_is_not_a_recontact(centre: Any) -> None:
    a = centre["a"]
    r = receive(agency=a, channel="web", identity=("email", "zoe@example.org"),
                topic="payments", at=at(2))
    resolve(r.case, at(2, 11))
    receive(agency=a, channel="phone", identity=("phone", "+12025550199"), at=at(3))
    receive(agency=a, channel="email", identity=("email", "zoe@example.org"),
            topic="address", at=at(3))
    assert fig(only(a, topic="payments"), "fcr") == 100.0
    # with no topic on either, any new case of the same person within N days counts
    r = receive(agency=a, channel="web", identity=("email", "yan@example.org"), at=at(2))
    resolve(r.case, at(2, 11))
    receive(agency=a, channel="chat", identity=("email", "yan@example.org"), at=at(6))
    assert fig(only(a, topic=""), "fcr") == 0.0
    assert_rollups_equal_raw(only(a))


def test_rollups_follow_a_later_change_and_rebuild_gives_the_same(story: Any) -> None:
    f, c = story["f"], story["cases"]
    before = report_rollups(f).totals
    contact_rollups_rebuild()
    assert report_rollups(f).totals == before
    # the SMS case C2 is merged away: C1 is no longer re-contacted by a live case
    cs.case_merge(source=Case.objects.get(pk=c["C2"].pk),
                  target=Case.objects.get(pk=c["D2"].pk), actor=None)
    contact_rollups_apply_case(c["C2"].pk)
    contact_rollups_apply_case(c["D2"].pk)
    contact_rollups_apply_case(c["C1"].pk)
    assert_rollups_equal_raw(f)
    assert report_rollups(f).figures["all"]["cases"].value == 6


def test_calls_abandonment_speed_of_answer_service_level_level_of_service(centre: Any) -> None:
    a = centre["a"]
    f = only(a, start=dt.date(2026, 11, 3), end=dt.date(2026, 11, 3))
    receive(agency=a, channel="phone", identity=("phone", "+12025550201"), at=at(3),
            answered=True, abandoned=False, wait_seconds=30, talk_seconds=300,
            hold_seconds=60, routed_to_agent=True)
    receive(agency=a, channel="phone", identity=("phone", "+12025550202"), at=at(3, 11),
            answered=True, abandoned=False, wait_seconds=90, talk_seconds=200,
            hold_seconds=0, routed_to_agent=True)
    receive(agency=a, channel="phone", identity=("phone", "+12025550203"), at=at(3, 12),
            answered=False, abandoned=True, wait_seconds=45, routed_to_agent=True,
            open_case=False)
    # self-service in the phone tree: answered, never routed to an agent
    receive(agency=a, channel="phone", identity=("phone", "+12025550204"), at=at(3, 13),
            answered=True, abandoned=False, wait_seconds=0, routed_to_agent=False,
            open_case=False)
    figs = m.report_raw(f).figures["all"]
    assert figs["offered"].value == 4
    assert figs["abandonment_rate"].value == 25.0  # 1 of 4 offered
    assert figs["average_speed_of_answer"].value == 40.0  # (30 + 90 + 0) / 3 answered
    # service level: answered within 60 s / answered = 2 of 3 (30 s and 0 s; not 90 s)
    assert round(figs["service_level"].value, 2) == 66.67
    # IRS level of service: answered by agents / routed to agents = 2 of 3
    assert (figs["level_of_service"].numerator, figs["level_of_service"].denominator) == (2, 3)
    # handle time (talk + hold) of answered calls that had any: (360 + 200) / 2 s
    assert figs["handle_minutes"].value == round(280 / 60, 2)
    assert_rollups_equal_raw(f)
    by_channel = report_rollups(f, "channel").figures
    assert by_channel["phone"]["abandonment_rate"].value == 25.0
    assert "web" not in by_channel
    assert m.report_raw(only(a, channel="web")).totals == {}


def test_service_level_of_the_brief_example(centre: Any) -> None:
    """Answered in 30 s and 90 s, one abandoned: 50 % of answered calls within 60 s,
    abandonment 1 of 3, level of service 2 of 3 (all three were routed to agents)."""
    a = centre["a"]
    for i, (wait, answered) in enumerate(((30, True), (90, True), (20, False))):
        receive(agency=a, channel="phone", identity=("phone", f"+1202555030{i}"), at=at(9),
                answered=answered, abandoned=not answered, wait_seconds=wait,
                routed_to_agent=True, talk_seconds=100 if answered else None)
    figs = report_rollups(only(a)).figures["all"]
    assert figs["service_level"].value == 50.0
    assert round(figs["abandonment_rate"].value, 2) == 33.33
    assert round(figs["level_of_service"].value, 2) == 66.67
    assert figs["average_speed_of_answer"].value == 60.0


def test_another_agency_sees_none_of_it(story: Any) -> None:
    b = story["b"]
    assert m.report_raw(only(b)).totals == {}
    assert report_rollups(only(b)).totals == {}
    assert m.case_ids_behind(only(b), "fcr") == ([], [])
    assert not CaseDaily.objects.filter(agency=b).exists()


def test_backlog_and_age(story: Any) -> None:
    f, c = story["f"], story["cases"]
    bl = m.backlog(f, now=at(13, 11))
    assert bl.count == 2
    assert list(m.backlog_cases(f).values_list("id", flat=True)) == [c["C2"].pk, c["D2"].pk]
    assert bl.oldest_age_hours == 8 * 24 and bl.average_age_hours == (8 * 24 + 24) / 2


# --- pages -----------------------------------------------------------------------------------

def test_metrics_page_numbers_link_to_their_cases(story: Any, client: Any) -> None:
    a, c = story["a"], story["cases"]
    login(client, story["staff"][(a.slug, Role.ADMINISTRATOR)])
    r = client.get(reverse("contact:metrics"), {"by": "channel", "start": "2026-11-01",
                                                "end": "2026-11-30"})
    assert r.status_code == 200
    body = r.content.decode()
    assert "66.67" in body and "First-contact resolution" in body
    assert "measure=fcr" in body
    r = client.get(reverse("contact:metrics_cases"), {"measure": "fcr", "start": "2026-11-01",
                                                      "end": "2026-11-30"})
    assert r.status_code == 200
    body = r.content.decode()
    assert f">{c['A'].pk}<" in body and f">{c['B'].pk}<" in body
    assert AuditEvent.objects.filter(action="cases.metrics.view", agency=a).exists()
    # the web cell of the FCR column: A, C1, D1 behind it, A and D1 counted
    r = client.get(reverse("contact:metrics_cases"), {"measure": "fcr", "by": "channel",
                                                      "group": "web"})
    assert _case_cells(r.content.decode()) == [str(c[k].pk) for k in ("A", "C1", "D1")]
    assert "2 of 3 cases" in r.content.decode()
    assert client.post(reverse("contact:metrics")).status_code == 405


def test_bad_input_is_a_clear_400(story: Any, client: Any) -> None:
    login(client, story["staff"][(story["a"].slug, Role.ADMINISTRATOR)])
    r = client.get(reverse("contact:metrics"), {"by": "colour"})
    assert r.status_code == 400 and b"dimension" in r.content
    r = client.get(reverse("contact:metrics"), {"start": "2026-13-01"})
    assert r.status_code == 400 and b"YYYY-MM-DD" in r.content
    r = client.get(reverse("contact:metrics_cases"), {"measure": "vibes"})
    assert r.status_code == 400
    r = client.get(reverse("contact:metrics"), {"queue": "x\x00"})
    assert r.status_code == 400


def test_csv_export_one_row_per_case_neutralised_and_audited(story: Any, client: Any) -> None:
    a, c = story["a"], story["cases"]
    Case.objects.filter(pk=c["A"].pk).update(topic="=HYPERLINK(1)")
    contact_rollups_apply_case(c["A"].pk)
    login(client, story["staff"][(a.slug, Role.CX_ANALYST)])
    r = client.get(reverse("contact:metrics_export"), {"start": "2026-11-01"})
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(r.streaming_content).decode())))
    assert len(rows) == 7
    by_id = {int(x["case_id"]): x for x in rows}
    assert by_id[c["A"].pk]["topic"] == "'=HYPERLINK(1)"
    assert by_id[c["A"].pk]["fcr"] == "yes" and by_id[c["C1"].pk]["fcr"] == "no"
    assert by_id[c["C1"].pk]["recontacted"] == "yes"
    assert by_id[c["E"].pk]["reopened"] == "yes"
    assert by_id[c["B"].pk]["customer_contacts"] == "2"
    assert by_id[c["B"].pk]["resolution_business_seconds"] == str(8 * 3600)
    ev = AuditEvent.objects.get(action="cases.export")
    assert ev.agency_id == a.pk and ev.detail["rows"] == 7


def test_roles_and_agencies(story: Any, client: Any) -> None:
    a, b = story["a"], story["b"]
    login(client, story["staff"][(a.slug, Role.VIEWER)])
    assert client.get(reverse("contact:metrics")).status_code == 403
    login(client, story["staff"][(a.slug, Role.AGENT)])
    assert client.get(reverse("contact:metrics")).status_code == 200
    assert client.get(reverse("contact:metrics_export")).status_code == 403
    login(client, story["staff"][(b.slug, Role.ADMINISTRATOR)])
    r = client.get(reverse("contact:metrics"), {"start": "2026-11-01"})
    assert r.status_code == 200 and "66.67" not in r.content.decode()
    r = client.get(reverse("contact:metrics_cases"), {"measure": "fcr"})
    assert str(story["cases"]["A"].pk) not in _case_cells(r.content.decode())
    r = client.get(reverse("contact:metrics_export"))
    assert len(b"".join(r.streaming_content).decode().strip().splitlines()) == 1  # header
    assert RollupContribution.objects.filter(agency=b).count() == 0


def _case_cells(body: str) -> list[str]:
    import re

    return re.findall(r'data-case="(\d+)"', body)


def test_reported_fcr_from_linked_a11_answers(story: Any) -> None:
    """Answers linked to cases through Invitation.external_id = "case:<id>": need addressed
    (effectiveness went well) in 1 of 2 linked answers; an unlinked answer is ignored."""
    from django.utils import timezone

    from govcx.feedback import services as fb
    from govcx.feedback.models import Invitation, Response

    c, ta = story["cases"], story["ta"]
    answers = [({"trust": "up", "went_well": ["effectiveness", "ease"]}, c["A"].pk),
               ({"trust": "down", "went_poorly": ["effectiveness"]}, c["B"].pk),
               ({"trust": "up", "went_well": ["effectiveness"]}, None)]
    for i, (a, case_id) in enumerate(answers):
        resp = fb.response_submit(touchpoint=ta, answers=a).response
        assert resp is not None
        if case_id is not None:
            inv = Invitation.objects.create(
                touchpoint=ta, channel="email", token_hash=f"{i:064d}",
                external_id=f"case:{case_id}", expires_at=timezone.now())
            Response.objects.filter(pk=resp.pk).update(invitation=inv)
    figure, ids = m.reported_fcr(story["f"])
    assert (figure.value, figure.numerator, figure.denominator) == (50.0, 1, 2)
    assert ids == sorted([c["A"].pk, c["B"].pk])
    assert m.reported_fcr(only(story["b"]))[0].value is None


def _linked_answer(ta: Any, case_id: int, answers: dict[str, Any], i: int,
                   capture: Any) -> None:
    """A survey answer through its single-use invitation linked to a case, committed."""
    from django.utils import timezone

    from govcx.feedback import services as fb
    from govcx.feedback.models import Invitation

    inv = Invitation.objects.create(
        touchpoint=ta, channel="email", token_hash=f"{i:064d}", external_id=f"case:{case_id}",
        expires_at=timezone.now() + dt.timedelta(days=3))
    with capture(execute=True):
        assert fb.response_submit(touchpoint=ta, answers=answers, invitation=inv).response


def test_backlog_and_reported_fcr_from_rollups_follow_every_change(
        story: Any, django_capture_on_commit_callbacks: Any) -> None:
    """The page's backlog and reported FCR come from the rollups; after status changes,
    merge, split and linked answers they equal the raw computation, and a rebuild agrees."""
    f, c, ta, a = story["f"], story["cases"], story["ta"], story["a"]
    assert_state_equal_raw(f, now=at(13, 11))
    assert state_rollups(f, now=at(13, 11))[0].count == 2  # C2 and D2 are open

    _linked_answer(ta, c["A"].pk, {"trust": "up", "went_well": ["effectiveness"]}, 1,
                   django_capture_on_commit_callbacks)
    _linked_answer(ta, c["C2"].pk, {"trust": "down", "went_poorly": ["effectiveness"]}, 2,
                   django_capture_on_commit_callbacks)
    _linked_answer(ta, c["A"].pk, {"trust": "up"}, 3, django_capture_on_commit_callbacks)
    reported = state_rollups(f)[1]
    assert (reported.value, reported.numerator, reported.denominator) == (33.33, 1, 3)
    assert_rollups_equal_raw(f)
    # an imported answer carries the link itself (no invitation); applying it twice counts once
    from govcx.contact.metrics_rollups import contact_rollups_apply_answer
    from govcx.feedback import services as fb
    with django_capture_on_commit_callbacks(execute=True):
        imported = fb.response_submit(touchpoint=ta, external_id=f"case:{c['B'].pk}",
                                      answers={"trust": "up", "went_well": ["effectiveness"]})
    assert imported.response is not None
    contact_rollups_apply_answer(imported.response.pk)
    reported = state_rollups(f)[1]
    assert (reported.value, reported.numerator, reported.denominator) == (50.0, 2, 4)
    assert_rollups_equal_raw(f)

    # status changes keep the answers and move the case in and out of the backlog
    cs.case_status_set(case=Case.objects.get(pk=c["C2"].pk), status="pending", actor=None)
    assert_rollups_equal_raw(f)
    resolve(c["C2"], at(13, 9))
    assert state_rollups(f, now=at(13, 11))[0].count == 1
    assert_rollups_equal_raw(f)
    cs.case_status_set(case=Case.objects.get(pk=c["C2"].pk), status="open", actor=None)
    assert_rollups_equal_raw(f)
    cs.case_status_set(case=Case.objects.get(pk=c["A"].pk), status="closed", actor=None)
    assert_rollups_equal_raw(f)

    # a new case, split and merged: the merged-away one leaves the backlog
    r = receive(agency=a, channel="web", identity=("email", "zoe@example.org"),
                subject="Two things", topic="card", at=at(14))
    receive(agency=a, channel="web", identity=("email", "zoe@example.org"),
            subject="Two things", topic="card", at=at(14, 11))
    second = r.case.contacts.order_by("-at").first()
    if second is not None and r.case.contacts.count() > 1:
        cs.case_split(case=Case.objects.get(pk=r.case.pk), contact_ids=[second.pk], actor=None)
    assert_rollups_equal_raw(f)
    cs.case_merge(source=Case.objects.get(pk=c["D2"].pk),
                  target=Case.objects.get(pk=r.case.pk), actor=None)
    assert_rollups_equal_raw(f)
    assert_state_equal_raw(f, now=at(20))

    # an unlinked answer changes nothing
    with django_capture_on_commit_callbacks(execute=True):
        fb.response_submit(touchpoint=ta, answers={"trust": "up", "went_well": ["ease"]})
    assert state_rollups(f)[1] == reported

    before = (_table(CaseDaily, ("agency", "day", "channel", "queue_id", "agent_id", "topic",
                                 "service_id")),
              _table(CaseDayService, ("agency", "day", "channel", "service_id")))
    contact_rollups_rebuild()
    assert (_table(CaseDaily, ("agency", "day", "channel", "queue_id", "agent_id", "topic",
                               "service_id")),
            _table(CaseDayService, ("agency", "day", "channel", "service_id"))) == before
    assert_state_equal_raw(f, now=at(20))


def test_rebuild_command_names_unknown_agencies(db):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="No agency with slug nope"):
        call_command("contact_rollups_rebuild", "--agency", "nope")


def test_abandoned_calls_count_in_their_queue(centre: Any) -> None:
    """An abandoned call opens no case, but it entered a queue: abandonment by queue sees it."""
    from govcx.contact.channels.phone import cdr_import

    a = centre["a"]
    records = [
        {"call_id": "q1", "caller": "+12025550301", "started_at": "2026-11-03T10:00:00-05:00",
         "queue": "general", "answered": True, "wait_seconds": 20, "talk_seconds": 100,
         "routed_to_agent": True},
        {"call_id": "q2", "caller": "+12025550302", "started_at": "2026-11-03T10:05:00-05:00",
         "queue": "general", "abandoned": True, "wait_seconds": 300, "routed_to_agent": True},
        {"call_id": "q3", "caller": "+12025550303", "started_at": "2026-11-03T10:06:00-05:00",
         "queue": "es", "abandoned": True, "wait_seconds": 200, "routed_to_agent": True},
    ]
    result = cdr_import(agency=a, records=records)
    assert not result.errors
    f = only(a, start=dt.date(2026, 11, 3), end=dt.date(2026, 11, 3))
    by_queue = m.report_raw(f, "queue").figures
    general, spanish = centre["general"].pk, centre["spanish"].pk
    assert by_queue[general]["abandonment_rate"].value == 50.0
    assert by_queue[spanish]["abandonment_rate"].value == 100.0
    assert report_rollups(f, "queue").figures[spanish]["offered"].value == 1
    assert_rollups_equal_raw(f)
