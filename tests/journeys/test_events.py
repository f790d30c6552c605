"""Journey events recorded as things happen: the contact centre, the assistant, the help
centre; survey answers read from the feedback tables (no write on the submission path)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from govcx.assist import conversation as cv
from govcx.contact import services as cs
from govcx.core.models import Role
from govcx.feedback import services as fb
from govcx.journeys import services as js
from govcx.journeys import sources
from govcx.journeys.eventlog import ACTIVITY, CASE
from govcx.journeys.models import JourneyEvent
from tests.assist.assistant_fixtures import _model_cache_cleared, assistant_world  # noqa: F401
from tests.conftest import make_staff

pytestmark = pytest.mark.django_db


def acts(key: str) -> list[str]:
    return list(JourneyEvent.objects.filter(case_key=key).order_by("at", "seq", "id")
                .values_list("activity", flat=True))


def test_contact_received_on_each_channel(world: dict[str, Any]) -> None:
    a, sa = world["a"], world["sa"]
    got = cs.contact_receive(agency=a, channel="phone", identity=("phone", "+12025550100"),
                             subject="Card", service=sa)
    key = f"customer:{got.case.customer_id}"
    assert acts(key) == ["Case opened", "Phone call"]
    ev = JourneyEvent.objects.get(case_key=key, activity="Phone call")
    assert (ev.channel, ev.service_id, ev.customer_id, ev.source) == (
        "phone", sa.pk, got.case.customer_id, "contact")
    assert ev.attributes == {"case": got.case.pk, "language": "en"}
    cs.contact_receive(agency=a, channel="email", identity=("phone", "+12025550100"),
                       subject="Again", service=sa)
    assert acts(key)[-1] == "Email received"


def test_case_without_customer_then_resolved_and_reopened(world: dict[str, Any]) -> None:
    a = world["a"]
    agent = make_staff(a, Role.AGENT, "agent-j")
    got = cs.contact_receive(agency=a, channel="web", subject="Anonymous", body="hi")
    key = f"case:{got.case.pk}"
    assert acts(key) == ["Case opened", "Web form received"]
    cs.case_assign(case=got.case, user=agent, actor=agent)
    cs.case_resolve(case=got.case, actor=agent)
    assert acts(key)[-2:] == ["Case assigned", "Case resolved"]
    cs.case_status_set(case=got.case, status="open", actor=agent)
    assert acts(key)[-1] == "Case reopened"
    # the person writes again, identified: the case's journey joins the person's
    again = cs.contact_receive(agency=a, channel="email", case=got.case,
                               identity=("email", "ana@example.org"))
    assert not JourneyEvent.objects.filter(case_key=key).exists()
    person = f"customer:{again.case.customer_id}"
    assert acts(person) == ["Case opened", "Web form received", "Case assigned",
                            "Case resolved", "Case reopened", "Email received"]
    assert set(JourneyEvent.objects.filter(case_key=person)
               .values_list("customer_id", flat=True)) == {again.case.customer_id}


def test_reopened_by_a_new_contact(world: dict[str, Any]) -> None:
    a = world["a"]
    agent = make_staff(a, Role.AGENT, "agent-k")
    got = cs.contact_receive(agency=a, channel="sms", identity=("phone", "+12025550111"))
    cs.case_resolve(case=got.case, actor=agent)
    cs.contact_receive(agency=a, channel="sms", identity=("phone", "+12025550111"))
    assert acts(f"customer:{got.case.customer_id}") == [
        "Case opened", "Text message received", "Case resolved", "Text message received",
        "Case reopened"]  # the message reopens the case: same instant, recorded in that order


def test_assistant_handover_joins_the_case(world: dict[str, Any]) -> None:
    c = cv.conversation_start(agency=world["a"], language="es")
    assert acts(f"conversation:{c.pk}") == ["Assistant conversation started"]
    cv.message_receive(conversation=c, text="I want to talk to a person")
    c.refresh_from_db()
    assert c.case_id is not None
    assert not JourneyEvent.objects.filter(case_key=f"conversation:{c.pk}").exists()
    key = f"case:{c.case_id}"
    assert acts(key) == ["Assistant conversation started", "Handed over to a person",
                         "Case opened", "Chat message received"]
    handover = JourneyEvent.objects.get(case_key=key, activity="Handed over to a person")
    assert handover.attributes["reason"] == "asked_for_human"
    assert handover.attributes["language"] == "es" and handover.source == "assist"


def test_assistant_answer(world: dict[str, Any], _model_cache_cleared: Any) -> None:  # noqa: F811
    assistant_world(world["a"])
    c = cv.conversation_start(agency=world["a"])
    cv.message_receive(conversation=c, text="How do I apply for benefits?")
    assert acts(f"conversation:{c.pk}") == ["Assistant conversation started",
                                             "Assistant answered"]
    ev = JourneyEvent.objects.get(case_key=f"conversation:{c.pk}", activity="Assistant answered")
    assert ev.attributes["intent"] == "apply" and ev.attributes["article"] == "how-to-apply"


def test_help_article_view(world: dict[str, Any], client: Any) -> None:
    from tests.assist.assistant_fixtures import make_article

    art = make_article(world["a"], "lost-card", "Lost card", "Call us.")
    art.services.add(world["sa"])
    url = f"/help/{world['a'].slug}/a/lost-card/"
    assert client.get(url).status_code == 200
    assert client.get(url + "?lang=es").status_code == 200
    events = list(JourneyEvent.objects.filter(activity="Help article viewed"))
    assert len(events) == 2
    assert events[0].case_key == events[1].case_key and events[0].case_key.startswith("visitor:")
    assert events[0].service_id == world["sa"].pk
    assert [e.attributes["language"] for e in events] == ["en", "es"]
    other = type(client)()
    other.get(url)
    assert JourneyEvent.objects.filter(activity="Help article viewed").values(
        "case_key").distinct().count() == 2


def test_survey_answers_are_read_not_written(world: dict[str, Any]) -> None:
    from govcx.customers.services import customer_match_or_create

    person = customer_match_or_create(agency=world["a"], kind="email", value="p@example.org")
    before = JourneyEvent.objects.count()
    r = fb.response_submit(touchpoint=world["ta"], answers={"trust": "down"}).response
    assert r is not None
    r.customer = person
    r.save(update_fields=["customer"])
    fb.response_submit(touchpoint=world["ta"], answers={"trust": "up"})  # anonymous
    assert JourneyEvent.objects.count() == before  # no write on the submission path
    now = timezone.now()
    frame = sources.survey_frame(agency_id=world["a"].pk, service_id=world["sa"].pk,
                                 start=now - dt.timedelta(days=1), end=now + dt.timedelta(1))
    assert frame.height == 1
    row = frame.row(0, named=True)
    assert (row[CASE], row[ACTIVITY], row["trust"], row["channel"]) == (
        f"customer:{person.pk}", js.SURVEY_ANSWERED, "negative", "web")


def test_record_validates(world: dict[str, Any]) -> None:
    now = timezone.now()
    with pytest.raises(js.JourneyError, match="activity"):
        js.journey_event_record(agency=world["a"], activity=" ", at=now, case_key="x",
                                source="import")
    with pytest.raises(js.JourneyError, match="time zone"):
        js.journey_event_record(agency=world["a"], activity="A", at=dt.datetime(2024, 1, 1),
                                case_key="x", source="import")
    with pytest.raises(js.JourneyError, match="source"):
        js.journey_event_record(agency=world["a"], activity="A", at=now, case_key="x",
                                source="nope")
    n = js.journey_events_record(events=(
        js.EventIn(agency_id=world["a"].pk, activity=f"A{i}", at=now, case_key="k",
                   source="import", seq=i) for i in range(5)), batch_size=2)
    assert n == 5 and acts("k") == ["A0", "A1", "A2", "A3", "A4"]
