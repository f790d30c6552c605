"""Closing the loop: a survey on resolution, answers linked to cases, follow-up, trust slices."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from django.utils import timezone

from govcx.contact import loop
from govcx.contact import services as cs
from govcx.contact.models import Case, CaseEvent
from govcx.customers.services import consent_record
from govcx.feedback import services as fb
from govcx.feedback.models import Invitation, Response
from tests.conftest import MailServer, make_touchpoint


@pytest.fixture
def desk(centre: dict[str, Any]) -> dict[str, Any]:
    """The benefits service offers the A-11 survey by email and by text after cases."""
    sa = centre["sa"]
    email_tp = make_touchpoint(sa, name="Benefits email", channel="email")
    sms_tp = make_touchpoint(sa, name="Benefits texts", channel="sms")
    return {**centre, "email_tp": email_tp, "sms_tp": sms_tp}


def email_case(desk: dict[str, Any], who: str = "maria@example.org", **kw: Any) -> Case:
    got = cs.contact_receive(agency=desk["a"], channel="email", subject="Where is my payment?",
                             body="My benefit payment did not arrive this month.",
                             identity=("email", who), verified=True, service=desk["sa"], **kw)
    return got.case


def resolve(case: Case, actor: Any, capture: Any) -> None:
    with capture(execute=True):
        cs.case_resolve(case=case, actor=actor)


def link_token(raw: str) -> str:
    m = re.search(r"http://[^\s]+/s/i/([A-Za-z0-9_\-]+)/", raw.replace("=\n", ""))
    assert m, raw
    return m.group(1)


def events(case: Case, kind: str) -> list[CaseEvent]:
    return list(CaseEvent.objects.filter(case=case, kind=kind))


def test_resolving_an_email_case_sends_a_survey_whose_answer_is_linked(
        desk: dict[str, Any], smtp: MailServer, client: Any,
        django_capture_on_commit_callbacks: Any) -> None:
    case = email_case(desk)
    resolve(case, desk["agents"][0], django_capture_on_commit_callbacks)
    assert len(smtp.messages) == 1
    _sender, rcpts, raw = smtp.messages[0]
    assert rcpts == ["maria@example.org"] and "How did we do?" in raw
    sent = events(case, "survey_sent")
    assert len(sent) == 1 and sent[0].detail["channel"] == "email"
    assert sent[0].detail["touchpoint"] == desk["email_tp"].pk

    token = link_token(raw)
    assert client.get(f"/s/i/{token}/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(f"/s/i/{token}/", {"trust": "up", "lang": "en"})
    assert r.status_code == 302
    response = Response.objects.get()
    assert response.invitation.external_id == f"case:{case.pk}"
    assert response.touchpoint_id == desk["email_tp"].pk and response.customer_id == case.customer_id
    answered = events(case, "survey_answered")
    assert len(answered) == 1 and answered[0].detail == {"response": response.pk,
                                                         "trust_positive": True}
    assert Case.objects.count() == 1  # a positive answer opens nothing

    # reopened and resolved again: one survey per case, not a second one
    cs.case_status_set(case=case, status="open", actor=desk["agents"][0])
    resolve(Case.objects.get(pk=case.pk), desk["agents"][0], django_capture_on_commit_callbacks)
    assert len(smtp.messages) == 1 and Invitation.objects.count() == 1


def test_sms_case_gets_a_text_message_survey(desk: dict[str, Any], settings: Any, tmp_path: Any,
                                            django_capture_on_commit_callbacks: Any) -> None:
    settings.SMS_FILE_PATH = tmp_path
    got = cs.contact_receive(agency=desk["a"], channel="sms", body="When is my appointment?",
                             identity=("phone", "(202) 555-0147"), service=desk["sa"])
    resolve(got.case, None, django_capture_on_commit_callbacks)
    sent = [json.loads(line) for line in (tmp_path / "outbox.jsonl").read_text().splitlines()]
    assert len(sent) == 1 and "/s/i/" in json.dumps(sent[0])
    assert Invitation.objects.get().channel == "sms"
    assert events(got.case, "survey_sent")[0].detail["touchpoint"] == desk["sms_tp"].pk


def test_opted_out_customer_gets_no_survey(desk: dict[str, Any], smtp: MailServer,
                                           django_capture_on_commit_callbacks: Any) -> None:
    case = email_case(desk)
    consent_record(customer=case.customer, purpose="surveys", granted=True, source="web")
    consent_record(customer=case.customer, purpose="surveys", granted=False, source="email")
    resolve(case, None, django_capture_on_commit_callbacks)
    assert smtp.messages == [] and Invitation.objects.count() == 0
    assert events(case, "survey_skipped")[0].detail == {"reason": "the person opted out of surveys"}


def test_sampling_rate_zero_sends_none_and_sampling_is_stable(
        desk: dict[str, Any], smtp: MailServer, settings: Any,
        django_capture_on_commit_callbacks: Any) -> None:
    settings.CASE_SURVEY_SAMPLE_RATE = 0
    case = email_case(desk)
    resolve(case, None, django_capture_on_commit_callbacks)
    assert smtp.messages == [] and Invitation.objects.count() == 0
    assert events(case, "survey_skipped")[0].detail == {"reason": "not in the survey sample"}
    half = [i for i in range(1, 2001) if loop.sampled(i, 0.5)]
    assert 900 < len(half) < 1100
    assert half == [i for i in range(1, 2001) if loop.sampled(i, 0.5)]


def test_no_touchpoint_for_the_channel_no_survey(centre: dict[str, Any], smtp: MailServer,
                                                 django_capture_on_commit_callbacks: Any) -> None:
    got = cs.contact_receive(agency=centre["a"], channel="email", body="Hello",
                             identity=("email", "x@example.org"), service=centre["sa"])
    resolve(got.case, None, django_capture_on_commit_callbacks)
    assert smtp.messages == []
    assert "no survey touchpoint" in events(got.case, "survey_skipped")[0].detail["reason"]


def answer(desk: dict[str, Any], case: Case, smtp: MailServer, client: Any, trust: str,
           capture: Any) -> None:
    resolve(case, desk["agents"][1], capture)
    token = link_token(smtp.messages[-1][2])
    with capture(execute=True):
        assert client.post(f"/s/i/{token}/", {"trust": trust, "lang": "en"}).status_code == 302


def test_negative_answer_with_consent_opens_a_follow_up_case(
        desk: dict[str, Any], smtp: MailServer, client: Any,
        django_capture_on_commit_callbacks: Any) -> None:
    case = email_case(desk)
    cs.case_assign(case=case, user=desk["agents"][1], actor=desk["agents"][1])
    consent_record(customer=case.customer, purpose="follow_up", granted=True, source="web")
    answer(desk, case, smtp, client, "down", django_capture_on_commit_callbacks)
    response = Response.objects.get()
    follow = Case.objects.exclude(pk=case.pk).get()
    assert follow.priority == "high" and follow.topic == "follow-up"
    assert follow.customer_id == case.customer_id and follow.channel == "email"
    assert follow.status == "new" and follow.assignee == desk["agents"][1]
    assert follow.subject == "Follow-up: Where is my payment?"
    assert follow.customer_contacts == 0  # agency-initiated: not a customer re-contact
    linked = events(case, "follow_up_opened")
    assert linked[0].detail == {"follow_up_case": follow.pk, "response": response.pk}
    assert events(follow, "opened")[0].detail["follow_up_of"] == case.pk
    # the same answer handled twice (a retried task) opens no second case
    loop.on_survey_answer(response.pk)
    assert Case.objects.count() == 2


def test_follow_up_consent_on_the_case_is_enough(
        desk: dict[str, Any], smtp: MailServer, client: Any,
        django_capture_on_commit_callbacks: Any) -> None:
    case = email_case(desk)
    Case.objects.filter(pk=case.pk).update(follow_up_consent=True)
    case.refresh_from_db()
    answer(desk, case, smtp, client, "down", django_capture_on_commit_callbacks)
    assert Case.objects.filter(topic="follow-up").count() == 1


def test_negative_answer_without_consent_opens_nothing(
        desk: dict[str, Any], smtp: MailServer, client: Any,
        django_capture_on_commit_callbacks: Any) -> None:
    case = email_case(desk)
    consent_record(customer=case.customer, purpose="follow_up", granted=False, source="web")
    answer(desk, case, smtp, client, "down", django_capture_on_commit_callbacks)
    assert Case.objects.count() == 1
    skipped = events(case, "follow_up_skipped")
    assert len(skipped) == 1 and "did not agree to be contacted" in skipped[0].detail["reason"]


def test_case_trust_by_queue_matches_hand_computed_shares(
        desk: dict[str, Any], settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    a, b = desk["a"], desk["b"]
    now = timezone.now()

    def surveyed(n: int, queue: Any, trust: str, *, when: dt.datetime = now,
                 agency: Any = a) -> None:
        got = cs.contact_receive(agency=agency, channel="email", body="Help",
                                 identity=("email", f"p{n}@example.org"),
                                 service=desk["sa"] if agency == a else desk["sb"])
        if queue is not None:
            cs.case_update(case=got.case, actor=None, queue=queue)
        cs.case_resolve(case=got.case, actor=None)
        if agency != a:  # agency B sends by its own touchpoint
            make_touchpoint(desk["sb"], name=f"B email {n}", channel="email")
        inv = loop.on_case_resolved(got.case.pk)
        assert inv is not None
        res = fb.response_submit(touchpoint=inv.touchpoint, answers={"trust": trust},
                                 source="invitation", invitation=inv, submitted_at=when)
        assert res.ok, res.errors

    general, spanish = desk["general"], desk["spanish"]
    surveyed(1, general, "up")
    surveyed(2, general, "up")
    surveyed(3, general, "down")
    surveyed(4, spanish, "down")
    surveyed(5, spanish, "up")
    surveyed(6, spanish, "down")
    surveyed(7, spanish, "down")
    surveyed(8, general, "down", when=now - dt.timedelta(days=60))  # outside the period
    surveyed(9, None, "up", agency=b)  # another agency
    rows = loop.case_trust(agency_ids=[a.pk], by="queue", start=now.date() - dt.timedelta(days=7),
                           end=now.date())
    got = {r["label"]: (r["responses"], r["positive"], r["share"]) for r in rows}
    assert got == {"Español": (4, 1, 0.25), "General": (3, 2, pytest.approx(2 / 3))}
    by_topic = loop.case_trust(agency_ids=[a.pk], by="topic", start=now.date() - dt.timedelta(days=7),
                               end=now.date())
    assert [(r["key"], r["responses"], r["positive"]) for r in by_topic] == [(None, 7, 3)]
    with pytest.raises(ValueError, match="by must be"):
        loop.case_trust(agency_ids=[a.pk], by="colour", start=now, end=now)  # type: ignore[arg-type]
