"""Chat: the assistant's handoff opens a case with the transcript; follow-ups land on it."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from govcx.contact.models import Case, CaseEvent, Contact
from govcx.customers.services import customer_match_or_create

KEY = "s3cret-chat-key-for-tests"
HANDOFF = "/api/v1/contact/chat/handoffs"


@pytest.fixture
def chat_on(centre: dict[str, Any], monkeypatch: Any) -> dict[str, Any]:
    monkeypatch.setenv("GOVCX_CHAT_KEY", KEY)
    return centre


def handoff(slug: str, **kw: Any) -> dict[str, Any]:
    return {
        "agency": slug,
        "transcript": [
            {"from": "person", "text": "My refund has not arrived", "at": "2026-11-02T10:00:00-05:00"},
            {"from": "assistant", "text": "Refunds take 21 days. See the article.",
             "at": "2026-11-02T10:00:05-05:00"},
            {"from": "person", "text": "It has been 40 days, I need a person",
             "at": "2026-11-02T10:01:00-05:00"},
        ],
        "detected_intent": "refund_status",
        "candidate_articles": ["https://help.example.gov/refunds"],
        "language": "en",
        "customer": {"kind": "email", "value": "Pat@Example.org"},
        **kw,
    }


def send(client: Client, url: str, data: dict[str, Any], key: str | None = KEY) -> Any:
    headers = {"HTTP_X_GOVCX_CHAT_KEY": key} if key is not None else {}
    return client.post(url, data, content_type="application/json", **headers)


def test_handoff_needs_the_shared_key(chat_on: Any, client: Client, monkeypatch: Any) -> None:
    data = handoff(chat_on["a"].slug)
    assert send(client, HANDOFF, data, key=None).status_code == 401
    assert send(client, HANDOFF, data, key="wrong").status_code == 401
    monkeypatch.delenv("GOVCX_CHAT_KEY")
    assert send(client, HANDOFF, data).status_code == 401  # no key configured: all refused
    assert Contact.objects.count() == 0


def test_handoff_opens_a_case_with_transcript_and_follow_up_lands_on_it(
        chat_on: Any, client: Client) -> None:
    a = chat_on["a"]
    r = send(client, HANDOFF, handoff(a.slug, conversation_id="conv-1"))
    assert r.status_code == 201, r.content
    out = r.json()
    case = Case.objects.get(pk=out["case_id"])
    assert case.channel == "chat" and case.agency == a and out["new_case"]
    assert case.queue == chat_on["general"]  # routed like any other new case
    assert case.customer == customer_match_or_create(agency=a, kind="email",
                                                     value="pat@example.org")
    contact = Contact.objects.get(pk=out["contact_id"])
    assert contact.body.startswith("Person (2026-11-02 15:00 UTC): My refund has not arrived")
    assert "Assistant (2026-11-02 15:00 UTC): Refunds take 21 days" in contact.body
    assert case.subject == "My refund has not arrived"
    event = CaseEvent.objects.get(case=case, kind="handoff")
    assert event.detail["intent"] == "refund_status"
    assert event.detail["articles"] == ["https://help.example.gov/refunds"]

    # the assistant retries the same handoff: stored once
    again = send(client, HANDOFF, handoff(a.slug, conversation_id="conv-1"))
    assert again.status_code == 200 and again.json()["case_id"] == case.pk
    assert Case.objects.count() == 1

    url = f"/api/v1/contact/chat/cases/{case.pk}/messages"
    r = send(client, url, {"agency": a.slug, "text": "Any update?", "message_id": "m-1",
                           "at": "2026-11-02T11:00:00-05:00"})
    assert r.status_code == 201 and r.json()["case_id"] == case.pk
    assert send(client, url, {"agency": a.slug, "text": "Any update?",
                              "message_id": "m-1"}).status_code == 200
    case.refresh_from_db()
    assert case.customer_contacts == 2
    assert list(case.contacts.order_by("at").values_list("body", flat=True))[-1] == "Any update?"


def test_follow_up_for_another_agencys_case_is_404(chat_on: Any, client: Client) -> None:
    case_id = send(client, HANDOFF, handoff(chat_on["a"].slug)).json()["case_id"]
    url = f"/api/v1/contact/chat/cases/{case_id}/messages"
    r = send(client, url, {"agency": chat_on["b"].slug, "text": "hello"})
    assert r.status_code == 404 and "refund" not in r.content.decode()
    assert send(client, "/api/v1/contact/chat/cases/999999/messages",
                {"agency": chat_on["a"].slug, "text": "x"}).status_code == 404
    assert Contact.objects.count() == 1


def test_bad_handoffs_get_clear_4xx(chat_on: Any, client: Client) -> None:
    a = chat_on["a"].slug
    assert send(client, HANDOFF, handoff("no-such-agency")).status_code == 404
    only_assistant = handoff(a, transcript=[{"from": "assistant", "text": "Hi",
                                             "at": "2026-11-02T10:00:00Z"}])
    r = send(client, HANDOFF, only_assistant)
    assert r.status_code == 400 and "person" in r.json()["message"]
    r = send(client, HANDOFF, handoff(a, candidate_articles=["javascript:alert(1)"]))
    assert r.status_code == 400
    naive = handoff(a, transcript=[{"from": "person", "text": "Hi", "at": "2026-11-02T10:00:00"}])
    assert send(client, HANDOFF, naive).status_code == 422
    bad_phone = handoff(a, customer={"kind": "phone", "value": "call me"})
    assert send(client, HANDOFF, bad_phone).status_code == 400
    assert Contact.objects.count() == 0 and Case.objects.count() == 0


def test_anonymous_handoff_without_identity(chat_on: Any, client: Client) -> None:
    data = handoff(chat_on["a"].slug)
    del data["customer"]
    data["transcript"][0]["text"] = "Hola\x00"
    r = send(client, HANDOFF, data)
    assert r.status_code == 201
    case = Case.objects.get()
    assert case.customer is None and "\x00" not in case.contacts.get().body
