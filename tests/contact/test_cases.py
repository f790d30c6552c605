"""Receiving contacts, threading, reopening, routing, assignment, SLA clocks, merge/split."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from govcx.contact import services as cs
from govcx.contact import sla
from govcx.contact.models import Case, CaseEvent, Contact
from govcx.core.models import AuditEvent

NY = ZoneInfo("America/New_York")


def at(y: int, m: int, d: int, h: int = 10, mi: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, h, mi, tzinfo=NY)


def test_email_thread_lands_on_its_case_and_a_new_email_opens_a_new_case(centre: Any) -> None:
    a = centre["a"]
    first = cs.contact_receive(agency=a, channel="email", identity=("email", "Ana@Example.org"),
                               subject="Lost card", body="I lost my card",
                               message_id="<m1@example.org>", at=at(2026, 11, 2))
    assert first.new_case and first.case.queue == centre["general"]
    reply = cs.contact_receive(agency=a, channel="email", identity=("email", "ana@example.org"),
                               subject="Re: Lost card", body="Any news?",
                               message_id="<m2@example.org>", in_reply_to="<m1@example.org>",
                               at=at(2026, 11, 2, 11))
    assert reply.case.pk == first.case.pk and not reply.new_case
    assert reply.case.customer_contacts == 2 and reply.contact.customer_id == first.case.customer_id
    other = cs.contact_receive(agency=a, channel="email", identity=("email", "ana@example.org"),
                               subject="Address change", message_id="<m3@example.org>",
                               at=at(2026, 11, 2, 12))
    assert other.new_case and other.case.customer_id == first.case.customer_id


def test_resolved_case_reopens_within_the_window_not_after(centre: Any, settings: Any) -> None:
    settings.CASE_REOPEN_DAYS = 7
    a = centre["a"]
    r = cs.contact_receive(agency=a, channel="sms", identity=("phone", "202-555-0101"),
                           body="When is my payment?", at=at(2026, 11, 2))
    cs.case_resolve(case=r.case, actor=None, at=at(2026, 11, 3))
    back = cs.contact_receive(agency=a, channel="sms", identity=("phone", "(202) 555-0101"),
                              body="Still no payment", at=at(2026, 11, 9))
    assert back.reopened and back.case.pk == r.case.pk
    case = Case.objects.get(pk=r.case.pk)
    assert case.status == "open" and case.reopen_count == 1 and case.resolved_at is None
    cs.case_resolve(case=case, actor=None, at=at(2026, 11, 10))
    late = cs.contact_receive(agency=a, channel="sms", identity=("phone", "2025550101"),
                              body="New question", at=at(2026, 11, 30))
    assert late.new_case and late.case.pk != case.pk
    kinds = list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds.count("reopened") == 1 and kinds[0] == "opened"


def test_routing_priority_and_assignment(centre: Any) -> None:
    a = centre["a"]
    agents = centre["agents"]
    rr = [cs.contact_receive(agency=a, channel="web", body=f"q{i}", at=at(2026, 11, 2, 9, i))
          .case for i in range(7)]
    # round-robin over three agents with capacity 2 each: 6 assigned, the 7th waits
    assert [c.assignee_id for c in rr[:6]] == [u.pk for u in agents] * 2
    assert rr[6].assignee_id is None
    es = cs.contact_receive(agency=a, channel="web", language="es", body="hola",
                            at=at(2026, 11, 2, 9, 30)).case
    assert es.queue == centre["spanish"] and es.priority == "high"
    # least loaded: all three carry 2 open general cases; the lowest id wins the tie
    assert es.assignee_id == agents[0].pk
    cs.case_resolve(case=rr[1], actor=None)
    es2 = cs.contact_receive(agency=a, channel="web", language="es", body="hola",
                             at=at(2026, 11, 2, 9, 31)).case
    assert es2.assignee_id == agents[1].pk  # agent1 has one case fewer now


def test_sla_clock_runs_in_business_hours_and_skips_holidays(centre: Any) -> None:
    cal = centre["cal"]
    # Friday 16:00 + 120 business minutes = Monday 10:00
    assert sla.add_business_minutes(at(2026, 11, 20, 16), 120, cal) == at(2026, 11, 23, 10)
    # Thursday Dec 24 16:30 + 60 min: Dec 25 is a holiday -> Dec 26 is Saturday -> Mon 28 09:30
    assert sla.add_business_minutes(at(2026, 12, 24, 16, 30), 60, cal) == at(2026, 12, 28, 9, 30)
    assert sla.business_seconds_between(at(2026, 11, 20, 16), at(2026, 11, 23, 10), cal) == 7200
    assert sla.add_business_minutes(at(2026, 11, 20, 16), 120, None) == at(2026, 11, 20, 18)
    case = cs.contact_receive(agency=centre["a"], channel="web", body="x",
                              at=at(2026, 11, 20, 16)).case
    assert case.first_response_due == at(2026, 11, 23, 10)
    assert case.resolution_due == at(2026, 11, 24, 16)  # 16 business hours


def test_status_rules_reply_and_note(centre: Any, settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    case = cs.contact_receive(agency=centre["a"], channel="email",
                              identity=("email", "b@example.org"), subject="Help",
                              message_id="<x1@example.org>", at=at(2026, 11, 2)).case
    agent = centre["agents"][0]
    with pytest.raises(cs.CaseError, match="cannot become closed"):
        cs.case_status_set(case=case, status="closed", actor=agent)
    out = cs.case_reply(case=case, author=agent, body="We are on it.", at=at(2026, 11, 2, 11))
    case.refresh_from_db()
    assert case.status == "open" and case.first_response_at == at(2026, 11, 2, 11)
    assert out.direction == "out" and out.message_id.startswith("<")
    from django.core import mail

    sent = mail.outbox[-1]
    assert sent.to == ["b@example.org"] and sent.extra_headers["In-Reply-To"] == "<x1@example.org>"
    cs.case_note(case=case, author=agent, text="Called the bank")
    assert CaseEvent.objects.filter(case=case, kind="note").get().detail["text"] == "Called the bank"
    with pytest.raises(cs.CaseError, match="needs some text"):
        cs.case_reply(case=case, author=agent, body="  ")


def test_merge_and_split_keep_every_contact(centre: Any) -> None:
    a = centre["a"]
    c1 = cs.contact_receive(agency=a, channel="web", body="one", at=at(2026, 11, 2)).case
    c2 = cs.contact_receive(agency=a, channel="web", body="two", at=at(2026, 11, 2, 11)).case
    cs.case_merge(source=c2, target=c1, actor=None)
    c2.refresh_from_db()
    assert c2.status == "closed" and c2.merged_into_id == c1.pk
    assert Contact.objects.filter(case=c1).count() == 2
    # a contact sent to the merged case follows it to the surviving case
    r = cs.contact_receive(agency=a, channel="chat", body="three", case=c2, at=at(2026, 11, 3))
    assert r.case.pk == c1.pk
    moved = list(Contact.objects.filter(case=c1, body="two").values_list("pk", flat=True))
    new = cs.case_split(case=c1, contact_ids=moved, actor=None, subject="Second need")
    assert Contact.objects.filter(case=new).count() == 1
    assert Contact.objects.filter(case=c1).count() == 2
    with pytest.raises(cs.CaseError, match="at least one contact"):
        cs.case_split(case=new, contact_ids=moved, actor=None)


def test_customer_merge_is_audited(centre: Any) -> None:
    a = centre["a"]
    x = cs.contact_receive(agency=a, channel="email", identity=("email", "p@example.org"),
                           at=at(2026, 11, 2)).case.customer
    y = cs.contact_receive(agency=a, channel="sms", identity=("phone", "2025550199"),
                           at=at(2026, 11, 2)).case.customer
    assert x is not None and y is not None and x.pk != y.pk
    y_pk = y.pk
    cs.customer_merge(keep=x, merge=y, actor=centre["agents"][0])
    assert Case.objects.filter(customer=x).count() == 2
    again = cs.contact_receive(agency=a, channel="sms", identity=("phone", "2025550199"),
                               at=at(2026, 11, 3))
    assert again.case.customer_id == x.pk  # the phone now matches the kept record
    ev = AuditEvent.objects.get(action="customer.merge")
    assert ev.detail["merged"] == y_pk and ev.detail["cases"] == 1
    # one person, one journey: the merged record's journey events now carry the kept key
    from govcx.journeys.models import JourneyEvent

    assert ev.detail["journey_events"] >= 2  # contact received + case opened of y
    assert not JourneyEvent.objects.filter(case_key=f"customer:{y_pk}").exists()
    assert JourneyEvent.objects.filter(case_key=f"customer:{x.pk}", channel="sms").exists()


def test_a_stranger_cannot_join_a_case_by_its_message_id(centre: Any) -> None:
    a = centre["a"]
    first = cs.contact_receive(agency=a, channel="email", identity=("email", "ana@example.org"),
                               subject="Benefits", message_id="<t1@example.org>",
                               at=at(2026, 11, 2))
    stranger = cs.contact_receive(agency=a, channel="email",
                                  identity=("email", "eve@example.net"), subject="Re: Benefits",
                                  in_reply_to="<t1@example.org>", at=at(2026, 11, 2, 11))
    assert stranger.new_case and stranger.case.pk != first.case.pk
    assert Contact.objects.filter(case=first.case).count() == 1


def test_next_response_clock_starts_when_the_person_writes_again(centre: Any) -> None:
    a, agent = centre["a"], centre["agents"][0]
    case = cs.contact_receive(agency=a, channel="web", identity=("email", "n@example.org"),
                              body="Question", at=at(2026, 11, 2, 9)).case
    assert case.next_response_due is None
    cs.case_reply(case=case, author=agent, body="Answer", at=at(2026, 11, 2, 10), send=False)
    # Friday 15:00 + 240 business minutes (9-17 weekdays) = Monday 11:00
    back = cs.contact_receive(agency=a, channel="web", case=case, body="One more thing",
                              at=at(2026, 11, 6, 15)).case
    assert back.next_response_due == at(2026, 11, 9, 11)
    from govcx.contact import selectors

    assert selectors.case_breach_state(back, now=at(2026, 11, 9, 12)) == "breached"
    cs.case_reply(case=back, author=agent, body="Done", at=at(2026, 11, 9, 10), send=False)
    back.refresh_from_db()
    assert back.next_response_due is None
