"""Staff pages of the assistant: report, conversations (audited, redacted), intents and
examples, training; isolation between agencies."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from govcx.assist import conversation as cv
from govcx.assist.models import AssistantModel, Conversation, Intent, IntentExample, Message
from govcx.core.models import AuditEvent, Role
from tests.assist.assistant_fixtures import (  # noqa: F401 (autouse fixture)
    _model_cache_cleared,
    assistant_world,
    make_article,
)
from tests.conftest import login

SSN = "123-45-6789"


@pytest.fixture
def aw(world: dict[str, Any]) -> dict[str, Any]:
    w = {**world, **assistant_world(world["a"])}
    a = world["a"]
    # contained: answer rated helpful
    c1 = cv.conversation_start(agency=a)
    [ans] = cv.message_receive(conversation=c1, text="How do I apply for benefits?")
    cv.message_rate(message=ans.message, helpful=True)
    # handed over: out of scope, with an SSN typed
    c2 = cv.conversation_start(agency=a)
    cv.message_receive(conversation=c2, text=f"can my dog eat chocolate {SSN}")
    # handed over: asked for a person; answer rated not helpful first
    c3 = cv.conversation_start(agency=a, language="es")
    [ans3] = cv.message_receive(conversation=c3, text="perdí mi tarjeta")
    cv.message_rate(message=ans3.message, helpful=False)
    cv.message_receive(conversation=c3, text="hablar con una persona")
    # started but nothing typed: not counted
    cv.conversation_start(agency=a)
    # agency B's conversation
    cb = cv.conversation_start(agency=world["b"])
    cv.message_receive(conversation=cb, text="ZQXB tax question")
    return {**w, "c1": c1, "c2": c2, "c3": c3, "cb": cb}


def staff(w: dict[str, Any], slug: str, role: str) -> Any:
    return w["staff"][(slug, role)]


def test_report_figures_and_redaction(aw: dict[str, Any], client: Client) -> None:
    login(client, staff(aw, "benefits-agency", Role.CX_ANALYST))
    r = client.get("/staff/assistant/")
    assert r.status_code == 200
    r_ = r.context["r"]
    assert r_.conversations == 3 and r_.contained == 1 and r_.handed_over == 2
    assert r_.containment == 33.3 and r_.handover_rate == 66.7
    reasons = {v: n for v, _label, n in r_.by_reason}
    assert reasons["out_of_scope"] == 1 and reasons["asked_for_human"] == 1
    assert r_.rated == 2 and r_.helpful == 1 and r_.helpful_share == 50.0
    assert ("apply", "Apply", 1) in r_.top_intents
    html = r.content.decode()
    assert "can my dog eat chocolate [SSN]" in html and SSN not in html
    assert "ZQXB" not in html  # agency B's conversation
    assert "33.3%" in html


def test_report_filters_and_bad_input(aw: dict[str, Any], client: Client) -> None:
    login(client, staff(aw, "benefits-agency", Role.ADMINISTRATOR))
    r = client.get("/staff/assistant/?start=2001-01-01&end=2001-12-31")
    assert r.status_code == 200 and r.context["r"].conversations == 0
    r = client.get("/staff/assistant/?start=not-a-date")
    assert r.status_code == 400 and "YYYY-MM-DD" in r.content.decode()
    r = client.get(f"/staff/assistant/?agency={aw['b'].pk}")  # not theirs: nothing
    assert r.status_code == 200 and r.context["r"].conversations == 0
    r = client.get("/staff/assistant/?agency=x\x00")
    assert r.status_code == 400


def test_report_needs_the_capability(aw: dict[str, Any], client: Client) -> None:
    login(client, staff(aw, "benefits-agency", Role.AGENT))
    assert client.get("/staff/assistant/").status_code == 404
    assert client.get("/staff/assistant/intents/").status_code == 404
    client.logout()
    assert client.get("/staff/assistant/").status_code == 302


def test_conversation_list_and_transcript_audited(aw: dict[str, Any], client: Client) -> None:
    user = staff(aw, "benefits-agency", Role.PERFORMANCE_MANAGER)
    login(client, user)
    r = client.get("/staff/assistant/conversations/?status=handed_over")
    assert r.status_code == 200 and r.context["page"].paginator.count == 2
    c2 = aw["c2"]
    r = client.get(f"/staff/assistant/conversations/{c2.pk}/")
    html = r.content.decode()
    assert r.status_code == 200 and "[SSN]" in html and SSN not in html
    assert AuditEvent.objects.filter(action="assistant.conversation.view", actor=user,
                                     object_id=str(c2.pk), outcome="success").exists()
    # the raw text is only in the case
    c2.refresh_from_db()
    assert c2.case is not None and SSN in c2.case.contacts.get().body
    assert not Message.objects.filter(text__contains=SSN).exists()
    assert not Message.objects.filter(text_private__contains=SSN).exists()


def test_other_agency_cannot_see_conversations(aw: dict[str, Any], client: Client) -> None:
    outsider = staff(aw, "tax-agency", Role.ADMINISTRATOR)
    login(client, outsider)
    r = client.get(f"/staff/assistant/conversations/{aw['c2'].pk}/")
    assert r.status_code == 404
    assert AuditEvent.objects.filter(action="assistant.conversation.view", actor=outsider,
                                     outcome="denied").exists()
    html = client.get("/staff/assistant/conversations/").content.decode()
    assert f'data-conversation="{aw["c2"].pk}"' not in html
    assert f'data-conversation="{aw["cb"].pk}"' in html
    r = client.get("/staff/assistant/")
    assert r.context["r"].conversations == 1 and "chocolate" not in r.content.decode()


def test_intents_management(aw: dict[str, Any], client: Client) -> None:
    editor = staff(aw, "benefits-agency", Role.KNOWLEDGE_EDITOR)
    login(client, editor)
    r = client.get("/staff/assistant/intents/")
    assert r.status_code == 200 and "Replace Card" in r.content.decode()
    art = make_article(aw["a"], "office-move", "Our office moved", "We moved to Main St.")
    r = client.post("/staff/assistant/intents/new/", {
        "agency": aw["a"].pk, "name": "office-move", "title": "Office moved",
        "kind": "answer", "article": art.pk, "active": "on"})
    intent = Intent.objects.get(agency=aw["a"], name="office-move")
    assert r.status_code == 302 and r["Location"] == f"/staff/assistant/intents/{intent.pk}/"
    assert intent.article == art and intent.active
    # duplicates and bad names are refused with a message
    r = client.post("/staff/assistant/intents/new/", {
        "agency": aw["a"].pk, "name": "office-move", "title": "Again", "kind": "answer"})
    assert r.status_code == 400 and "already has an intent" in r.content.decode()
    r = client.post("/staff/assistant/intents/new/", {
        "agency": aw["a"].pk, "name": "Bad Name!", "title": "x", "kind": "answer"})
    assert r.status_code == 400
    # examples are redacted on save
    url = f"/staff/assistant/intents/{intent.pk}/"
    client.post(url + "examples/", {"text": "did the office move? call 202-555-0123",
                                    "language": "en"})
    client.post(url + "examples/", {"text": "¿se mudó la oficina?", "language": "es"})
    texts = list(intent.examples.values_list("text", flat=True))
    assert "did the office move? call [PHONE]" in texts and len(texts) == 2
    r = client.post(url + "examples/", {"text": "¿se mudó la oficina?", "language": "es"},
                    follow=True)
    assert "already has that example" in r.content.decode()
    assert intent.examples.count() == 2
    # edit: hand over instead, deactivate
    r = client.post(url, {"name": "office-move", "title": "Office moved", "kind": "handover",
                          "article": "", "active": ""})
    intent.refresh_from_db()
    assert r.status_code == 302 and intent.kind == "handover" and not intent.active
    ex = intent.examples.first()
    assert ex is not None
    client.post(f"{url}examples/{ex.pk}/delete/")
    assert intent.examples.count() == 1


def test_intents_isolated(aw: dict[str, Any], client: Client) -> None:
    intent = aw["intents"]["apply"]
    ex = IntentExample.objects.filter(intent=intent).first()
    assert ex is not None
    login(client, staff(aw, "tax-agency", Role.KNOWLEDGE_EDITOR))
    url = f"/staff/assistant/intents/{intent.pk}/"
    assert client.get(url).status_code == 404
    assert client.post(url, {"name": "x", "title": "x", "kind": "answer"}).status_code == 404
    assert client.post(url + "examples/", {"text": "hack"}).status_code == 404
    assert client.post(f"{url}examples/{ex.pk}/delete/").status_code == 404
    assert IntentExample.objects.filter(pk=ex.pk).exists()
    # cannot create an intent in agency A, nor link A's article from B
    r = client.post("/staff/assistant/intents/new/", {
        "agency": aw["a"].pk, "name": "sneaky", "title": "x", "kind": "answer"})
    assert r.status_code == 400 and not Intent.objects.filter(name="sneaky").exists()
    r = client.post("/staff/assistant/intents/new/", {
        "agency": aw["b"].pk, "name": "sneaky", "title": "x", "kind": "answer",
        "article": aw["articles"]["apply"].pk})
    assert r.status_code == 400 and not Intent.objects.filter(name="sneaky").exists()
    assert "Apply" not in client.get("/staff/assistant/intents/").content.decode()


def test_train_now_and_model_list(aw: dict[str, Any], client: Client) -> None:
    login(client, staff(aw, "benefits-agency", Role.KNOWLEDGE_EDITOR))
    r = client.get("/staff/assistant/models/")
    assert r.status_code == 200 and "threshold" in r.content.decode()
    before = AssistantModel.objects.count()
    r = client.post("/staff/assistant/models/", {"agency": aw["a"].pk, "kind": "default"})
    assert r.status_code == 302
    assert AssistantModel.objects.count() == before + 1
    queued = AssistantModel.objects.order_by("-id").first()
    assert queued is not None and queued.status == "queued" and queued.agency == aw["a"]
    r = client.get("/staff/assistant/models/")
    assert "A training is queued or running." in r.content.decode()
    r = client.post("/staff/assistant/models/", {"agency": aw["a"].pk, "kind": "bogus"},
                    follow=True)
    assert "Unknown model kind" in r.content.decode()
    # another agency's editor cannot train agency A
    client.logout()
    login(client, staff(aw, "tax-agency", Role.KNOWLEDGE_EDITOR))
    r = client.post("/staff/assistant/models/", {"agency": aw["a"].pk, "kind": "default"})
    assert r.status_code == 404
    assert "Benefits Agency" not in client.get("/staff/assistant/models/").content.decode()


def test_spanish_staff_pages_render(aw: dict[str, Any], client: Client) -> None:
    login(client, staff(aw, "benefits-agency", Role.ADMINISTRATOR))
    for url in ("/staff/assistant/", "/staff/assistant/conversations/",
                "/staff/assistant/intents/", "/staff/assistant/intents/new/",
                f"/staff/assistant/intents/{aw['intents']['apply'].pk}/",
                "/staff/assistant/models/",
                f"/staff/assistant/conversations/{aw['c3'].pk}/"):
        assert client.get(url, HTTP_ACCEPT_LANGUAGE="es").status_code == 200, url
    assert Conversation.objects.filter(agency=aw["a"]).count() == 4
