"""The assistant's conversation services: answer from published content, hand over with the
whole transcript, crises, redaction, ratings and containment (real trained model)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from govcx.assist import conversation as cv
from govcx.assist import safety
from govcx.assist.models import Article, Conversation, Message
from govcx.assist.training import model_for_agency
from govcx.contact import services as cs
from govcx.contact.models import Case, CaseEvent, Contact, SlaPolicy
from tests.assist.assistant_fixtures import _model_cache_cleared, assistant_world  # noqa: F401

SSN = "123-45-6789"
OUT_OF_SCOPE = "can my dog eat chocolate"


@pytest.fixture
def aw(world: dict[str, Any]) -> dict[str, Any]:
    return {**world, **assistant_world(world["a"])}


def start(w: dict[str, Any], lang: str = "en") -> Conversation:
    return cv.conversation_start(agency=w["a"], language=lang, page="https://x.example/p")


def say(c: Conversation, text: str) -> list[dict[str, Any]]:
    out = [r.as_dict() for r in cv.message_receive(conversation=c, text=text)]
    c.refresh_from_db()
    return out


def test_public_id_is_unguessable(aw: dict[str, Any]) -> None:
    a, b = start(aw), start(aw)
    assert a.public_id != b.public_id and len(a.public_id) >= 32


def test_routine_question_gets_the_published_answer_and_link(aw: dict[str, Any]) -> None:
    c = start(aw)
    [reply] = say(c, "How do I apply for benefits?")
    assert reply["kind"] == "answer" and reply["rateable"]
    assert reply["text"].startswith("Apply online at benefits.example.gov")
    assert reply["link"] == {"url": "/help/benefits-agency/a/how-to-apply/",
                             "title": "How to apply for benefits"}
    assert c.status == Conversation.Status.OPEN and c.intent == "apply" and c.case_id is None
    person = c.messages.get(speaker="person")
    assert person.intent == "apply" and person.confidence and person.confidence > 0.5


def test_spanish_answer_and_english_fallback(aw: dict[str, Any]) -> None:
    c = start(aw, "es")
    [reply] = say(c, "¿Cómo solicito beneficios?")
    assert reply["text"].startswith("Solicite en línea")
    assert reply["link"]["title"] == "Cómo solicitar beneficios"
    [reply] = say(c, "cuando recibo mi pago")  # the article has no Spanish version
    assert reply["text"].startswith("Payments are made on the 3rd")


def test_out_of_scope_hands_over_with_transcript(aw: dict[str, Any]) -> None:
    c = start(aw)
    say(c, "How do I apply for benefits?")
    [reply] = say(c, f"{OUT_OF_SCOPE}? my SSN is {SSN}")
    assert reply["kind"] == "handover" and reply["case"] == c.case_id
    assert c.status == Conversation.Status.HANDED_OVER
    assert c.handover_reason == Conversation.Reason.OUT_OF_SCOPE
    assert f"Your reference number is {c.case_id}" in reply["text"]
    assert "within one business day" in reply["text"]
    case = Case.objects.get(pk=c.case_id)
    assert case.channel == "chat" and case.agency_id == aw["a"].pk
    contact = case.contacts.get()
    # the agent sees what the person wrote, the answer given and its source
    assert "How do I apply for benefits?" in contact.body
    assert f"my SSN is {SSN}" in contact.body
    assert "Apply online at benefits.example.gov" in contact.body
    assert "/help/benefits-agency/a/how-to-apply/" in contact.body
    assert contact.external_id == c.public_id
    event = CaseEvent.objects.get(case=case, kind="handoff")
    assert event.detail["conversation"] == c.public_id
    assert any("how-to-apply" in a for a in event.detail["articles"])
    assert event.detail["intent"]
    # stored redacted; the original only in the case
    texts = list(c.messages.values_list("text", "text_private"))
    assert all(SSN not in t and p == "" for t, p in texts)
    assert c.messages.get(speaker="person", text__contains="[SSN]").redacted == ["ssn"]


def test_text_private_kept_only_until_handover(aw: dict[str, Any]) -> None:
    c = start(aw)
    say(c, "How do I apply? call me at 202-555-0123")
    person = c.messages.get(speaker="person")
    assert "[PHONE]" in person.text and person.redacted == ["phone"]
    assert person.text_private == "How do I apply? call me at 202-555-0123"
    say(c, "talk to a person")
    assert not c.messages.exclude(text_private="").exists()
    assert "202-555-0123" in Contact.objects.get(case_id=c.case_id).body
    assert cv.conversation_private_expire() == 0


def test_original_text_of_an_idle_conversation_expires(aw: dict[str, Any]) -> None:
    c = start(aw)
    say(c, "How do I apply? call me at 202-555-0123")
    assert c.messages.exclude(text_private="").count() == 1
    assert cv.conversation_private_expire() == 0  # still fresh
    Conversation.objects.filter(pk=c.pk).update(
        last_at=timezone.now() - dt.timedelta(hours=cv.PRIVATE_TEXT_HOURS + 1))
    out = io.StringIO()
    call_command("assistant", "expire", stdout=out)
    assert "Cleared the original text of 1 chat messages" in out.getvalue()
    assert not c.messages.exclude(text_private="").exists()
    assert "[PHONE]" in c.messages.get(speaker="person").text  # the redacted text stays


def test_follow_up_lands_on_the_same_case(aw: dict[str, Any]) -> None:
    c = start(aw)
    say(c, OUT_OF_SCOPE)
    case_id = c.case_id
    [reply] = say(c, "also my card 4111 1111 1111 1111 was charged")
    assert reply["kind"] == "followup" and reply["case"] == case_id
    assert str(case_id) in reply["text"]
    c.refresh_from_db()
    assert c.case_id == case_id and Case.objects.count() == 1
    bodies = list(Contact.objects.filter(case_id=case_id).order_by("id")
                  .values_list("body", flat=True))
    assert len(bodies) == 2 and "4111 1111 1111 1111" in bodies[1]
    last = c.messages.filter(speaker="person").last()
    assert last is not None and "[CARD]" in last.text and last.text_private == ""


def test_follow_up_after_case_closed_opens_a_new_case(aw: dict[str, Any]) -> None:
    c = start(aw)
    say(c, OUT_OF_SCOPE)
    case = Case.objects.get(pk=c.case_id)
    agent = aw["staff"][("benefits-agency", "agent")]
    cs.case_status_set(case=case, status="resolved", actor=agent)
    cs.case_status_set(case=case, status="closed", actor=agent)
    [reply] = say(c, "one more question please")
    assert reply["kind"] == "followup" and c.case_id != case.pk
    assert Contact.objects.filter(case_id=c.case_id).count() == 1


def test_agent_replies_are_visible_to_the_person(aw: dict[str, Any]) -> None:
    c = start(aw)
    say(c, OUT_OF_SCOPE)
    assert cv.agent_replies(c) == []
    case = Case.objects.get(pk=c.case_id)
    agent = aw["staff"][("benefits-agency", "agent")]
    reply = cs.case_reply(case=case, author=agent, body="Dogs must not eat chocolate.")
    cs.case_reply(case=case, author=agent, body="Sent by email", channel="web", send=False)
    got = cv.agent_replies(c)
    assert [r["text"] for r in got] == ["Dogs must not eat chocolate."]
    assert cv.agent_replies(c, after=reply.pk) == []


@pytest.mark.parametrize("text,kind,lang,expect", [
    ("I want to kill myself", safety.SELF_HARM, "en", "988"),
    ("I don’t want to live anymore", safety.SELF_HARM, "en", "988"),
    ("Quiero quitarme la vida", safety.SELF_HARM, "es", "oprima 2"),
    ("my husband hits me and I need food stamps", safety.ABUSE, "en", "1-800-799-7233"),
    ("mi pareja me golpea", safety.ABUSE, "es", "1-800-799-7233"),
    ("this is an emergency, my mom can't breathe", safety.EMERGENCY, "en", "911"),
])
def test_crisis_gets_emergency_info_and_an_urgent_case(aw: dict[str, Any], text: str, kind: str,
                                                       lang: str, expect: str) -> None:
    c = start(aw, lang)
    replies = say(c, text)
    assert [r["kind"] for r in replies] == ["crisis", "handover"]
    assert expect in replies[0]["text"]
    assert any(line["number"] in ("988", "911") for line in replies[0]["crisis"])
    assert c.handover_reason == Conversation.Reason.CRISIS
    case = Case.objects.get(pk=c.case_id)
    assert case.priority == Case.Priority.URGENT
    assert c.messages.get(speaker="person").intent == f"crisis:{kind}"


def test_crisis_after_handover_makes_the_case_urgent(aw: dict[str, Any]) -> None:
    c = start(aw)
    say(c, OUT_OF_SCOPE)
    assert Case.objects.get(pk=c.case_id).priority == Case.Priority.NORMAL
    replies = say(c, "I am going to end my life")
    assert [r["kind"] for r in replies] == ["crisis", "followup"]
    assert Case.objects.get(pk=c.case_id).priority == Case.Priority.URGENT
    assert Contact.objects.filter(case_id=c.case_id).count() == 2


def test_urgent_case_uses_the_urgent_sla(aw: dict[str, Any]) -> None:
    SlaPolicy.objects.create(agency=aw["a"], name="Urgent", priority="urgent",
                             first_response_minutes=30)
    SlaPolicy.objects.create(agency=aw["a"], name="Normal", priority="normal",
                             first_response_minutes=60 * 24)
    c = start(aw)
    replies = say(c, "I want to kill myself")
    case = Case.objects.get(pk=c.case_id)
    assert case.sla_policy is not None and case.sla_policy.name == "Urgent"
    assert case.first_response_due is not None
    assert (case.first_response_due - case.opened_at).total_seconds() == 30 * 60
    assert "Someone will reply by" in replies[1]["text"]


@pytest.mark.parametrize("text,lang", [
    ("Can I talk to a person?", "en"), ("I need a REPRESENTATIVE", "en"),
    ("agent please", "en"), ("Quiero hablar con una persona", "es"),
    ("¿Puedo hablar con alguien?", "es"),
])
def test_asking_for_a_person_hands_over(aw: dict[str, Any], text: str, lang: str) -> None:
    c = start(aw, lang)
    [reply] = say(c, text)
    assert reply["kind"] == "handover"
    assert c.handover_reason == Conversation.Reason.ASKED_FOR_HUMAN
    if lang == "es":
        assert "Su número de referencia es" in reply["text"]


def test_sensitive_topics_hand_over(aw: dict[str, Any]) -> None:
    c = start(aw)
    say(c, "I want to report fraud by my landlord")
    assert c.handover_reason == Conversation.Reason.SENSITIVE
    c = start(aw)
    say(c, "I want to appeal the decision")  # an intent of kind HANDOVER
    assert c.handover_reason == Conversation.Reason.SENSITIVE
    assert CaseEvent.objects.get(case_id=c.case_id, kind="handoff").detail["intent"] == "appeal"


def test_unpublished_article_is_never_answered(aw: dict[str, Any]) -> None:
    c = start(aw)
    replies = say(c, "what time does the office open")
    assert [r["kind"] for r in replies] == ["handover"]
    assert "DRAFT" not in replies[0]["text"]
    assert c.messages.get(speaker="person").intent == "office-hours"
    # archiving the answer's article stops the answers too
    art = aw["articles"]["replace_card"]
    Article.objects.filter(pk=art.pk).update(status=Article.Status.ARCHIVED)
    c = start(aw)
    [reply] = say(c, "I lost my EBT card")
    assert reply["kind"] == "handover"


def test_low_confidence_is_told_apart_from_out_of_scope(aw: dict[str, Any]) -> None:
    model = model_for_agency(aw["a"])
    assert model is not None
    saved = model.threshold
    model.threshold = 0.99  # above the answer's confidence: the intent wins, not surely enough
    try:
        c = start(aw)
        say(c, "How do I apply for benefits?")
    finally:
        model.threshold = saved
    assert c.handover_reason == Conversation.Reason.LOW_CONFIDENCE
    assert c.messages.get(speaker="person").intent == "oos"
    c = start(aw)
    say(c, OUT_OF_SCOPE)
    assert c.handover_reason == Conversation.Reason.OUT_OF_SCOPE


def test_no_model_hands_everything_over(world: dict[str, Any]) -> None:
    assistant_world(world["a"], train=False)
    c = cv.conversation_start(agency=world["a"])
    say(c, "How do I apply for benefits?")
    assert c.status == Conversation.Status.HANDED_OVER


def test_ratings_and_containment(aw: dict[str, Any]) -> None:
    c = start(aw)
    [answer] = say(c, "How do I apply for benefits?")
    msg = Message.objects.get(pk=answer["id"])
    [thanks] = cv.message_rate(message=msg, helpful=True)
    c.refresh_from_db()
    assert c.status == Conversation.Status.CONTAINED and thanks.kind == "info"
    msg.refresh_from_db()
    assert msg.rating is True
    with pytest.raises(cv.ConversationError):
        cv.message_rate(message=c.messages.get(speaker="person"), helpful=True)

    c = start(aw)
    [answer] = say(c, "I lost my EBT card")
    [offer] = cv.message_rate(message=Message.objects.get(pk=answer["id"]), helpful=False)
    assert offer.kind == "offer"
    reply = cv.conversation_handover(conversation=c, reason=Conversation.Reason.NOT_HELPFUL)
    c.refresh_from_db()
    assert reply.kind == "handover" and c.handover_reason == "not_helpful"
    assert "Replace a lost or stolen card" in CaseEvent.objects.get(
        case_id=c.case_id, kind="handoff").detail["articles"][0]


def test_close_after_an_answer_is_contained(aw: dict[str, Any]) -> None:
    c = start(aw)
    say(c, "when will I get my payment")
    assert cv.conversation_close(conversation=c).status == Conversation.Status.CONTAINED
    c = start(aw)
    assert cv.conversation_close(conversation=c).status == Conversation.Status.OPEN


def test_empty_and_too_long_messages_are_refused(aw: dict[str, Any]) -> None:
    c = start(aw)
    with pytest.raises(cv.ConversationError):
        cv.message_receive(conversation=c, text="   ")
    with pytest.raises(cv.ConversationError):
        cv.message_receive(conversation=c, text="x" * (cv.MAX_TEXT + 1))
    assert not c.messages.exists()


@pytest.mark.parametrize("text", [
    "How do I get emergency food assistance?", "Department of Health and Human Services",
    "The agency decision hurt my family's budget", "my agenda for the appointment",
    "Which office handles the dead end road repair?",
])
def test_ordinary_text_is_not_a_crisis_or_a_request_for_a_person(text: str) -> None:
    assert safety.crisis_kind(text) is None
    assert not safety.asks_for_human(text)
