"""The assistant's public JSON API: start, send, poll, rate, hand over, close; validation,
CORS, rate limits and agency isolation."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from govcx.assist.models import Conversation, Message
from govcx.contact import services as cs
from govcx.contact.models import Case
from tests.assist.assistant_fixtures import _model_cache_cleared, assistant_world  # noqa: F401

A = "/assist/benefits-agency/chat/"
B = "/assist/tax-agency/chat/"
PARTNER = "https://partner.example.org"  # listed on agency A's touchpoint (tests/conftest.py)


@pytest.fixture
def aw(world: dict[str, Any]) -> dict[str, Any]:
    return {**world, **assistant_world(world["a"])}


def post(client: Client, url: str, data: Any = None, **kw: Any) -> Any:
    body = data if isinstance(data, (str, bytes)) else json.dumps(data or {})
    return client.post(url, body, content_type=kw.pop("content_type", "application/json"), **kw)


def started(client: Client, lang: str = "en") -> str:
    r = post(client, A, {"language": lang, "page": "https://partner.example.org/apply"})
    assert r.status_code == 201, r.content
    return str(r.json()["id"])


def test_conversation_round_trip(aw: dict[str, Any], client: Client) -> None:
    cid = started(client)
    r = post(client, f"{A}{cid}/messages/", {"text": "How do I apply for benefits? SSN 123-45-6789"})
    assert r.status_code == 201
    d = r.json()
    assert d["message"]["text"] == "How do I apply for benefits? SSN [SSN]"
    [answer] = d["replies"]
    assert answer["kind"] == "answer" and answer["link"]["url"].endswith("/a/how-to-apply/")
    assert d["status"] == "open" and d["case"] is None

    r = post(client, f"{A}{cid}/messages/{answer['id']}/rating/", {"helpful": True})
    assert r.status_code == 200 and r.json()["status"] == "contained"

    r = client.get(f"{A}{cid}/messages/?after=0")
    assert r.status_code == 200
    kinds = [m["kind"] for m in r.json()["messages"]]
    assert kinds == ["person", "answer", "info"]
    assert r.json()["messages"][1]["rating"] is True
    r = client.get(f"{A}{cid}/messages/?after={answer['id']}")
    assert [m["kind"] for m in r.json()["messages"]] == ["info"]


def test_handover_poll_and_agent_reply(aw: dict[str, Any], client: Client) -> None:
    cid = started(client, "es")
    r = post(client, f"{A}{cid}/messages/", {"text": "Quiero hablar con una persona"})
    d = r.json()
    assert d["status"] == "handed_over" and d["case"]
    assert d["replies"][0]["kind"] == "handover"
    assert f"Su número de referencia es {d['case']}" in d["replies"][0]["text"]
    case = Case.objects.get(pk=d["case"])
    agent = aw["staff"][("benefits-agency", "agent")]
    reply = cs.case_reply(case=case, author=agent, body="Hola, soy Ana. ¿En qué le ayudo?")
    poll = client.get(f"{A}{cid}/messages/?after=0&agent_after=0").json()
    assert [m["text"] for m in poll["agent"]] == ["Hola, soy Ana. ¿En qué le ayudo?"]
    poll = client.get(f"{A}{cid}/messages/?after=0&agent_after={reply.pk}").json()
    assert poll["agent"] == []


def test_not_helpful_offers_and_hands_over(aw: dict[str, Any], client: Client) -> None:
    cid = started(client)
    r = post(client, f"{A}{cid}/handover/")
    assert r.status_code == 400 and "question first" in r.json()["message"]
    answer = post(client, f"{A}{cid}/messages/", {"text": "I lost my EBT card"}).json()["replies"][0]
    r = post(client, f"{A}{cid}/messages/{answer['id']}/rating/", {"helpful": False})
    assert r.json()["offer_handover"] is True and r.json()["replies"][0]["kind"] == "offer"
    r = post(client, f"{A}{cid}/handover/")
    assert r.status_code == 201 and r.json()["reason"] == "not_helpful"


def test_close(aw: dict[str, Any], client: Client) -> None:
    cid = started(client)
    post(client, f"{A}{cid}/messages/", {"text": "when will I get my payment"})
    r = post(client, f"{A}{cid}/close/")
    assert r.status_code == 200 and r.json()["status"] == "contained"


@pytest.mark.parametrize("body,content_type,status,message", [
    ({"language": "fr"}, "application/json", 400, "'language' must be"),
    ("{not json", "application/json", 400, "not valid JSON"),
    ("[1, 2]", "application/json", 400, "JSON object"),
    ({"language": "en"}, "text/plain", 415, "application/json"),
    ("language=en", "application/x-www-form-urlencoded", 415, "application/json"),
    ({"page": 12}, "application/json", 400, "'page' must be text"),
    ({"page": "x" * 1001}, "application/json", 400, "at most 1,000"),
    ({"page": "a\x00b"}, "application/json", 400, "not allowed"),
    ("x" * 20_000, "application/json", 413, "too large"),
])
def test_bad_start_requests(aw: dict[str, Any], client: Client, body: Any, content_type: str,
                            status: int, message: str) -> None:
    r = post(client, A, body, content_type=content_type)
    assert r.status_code == status and message in r.json()["message"], r.content
    assert not Conversation.objects.exists()


@pytest.mark.parametrize("body,message", [
    ({}, "'text' is required"), ({"text": "   "}, "'text' is required"),
    ({"text": 5}, "must be text"), ({"text": "hi\x00"}, "not allowed"),
    ({"text": "x" * 2001}, "at most 2,000"),
])
def test_bad_messages(aw: dict[str, Any], client: Client, body: Any, message: str) -> None:
    cid = started(client)
    r = post(client, f"{A}{cid}/messages/", body)
    assert r.status_code == 400 and message in r.json()["message"]
    assert not Message.objects.exists()


def test_bad_ids_and_methods(aw: dict[str, Any], client: Client) -> None:
    cid = started(client)
    assert client.get(A).status_code == 405 and "Use POST" in client.get(A).json()["message"]
    assert post(client, "/assist/no-such-agency/chat/").status_code == 404
    assert post(client, f"{A}not-a-real-conversation-id/messages/", {"text": "hi"}).status_code == 404
    assert post(client, f"{A}short/messages/", {"text": "hi"}).status_code == 404
    assert client.get(f"{A}{cid}/messages/?after=abc").status_code == 400
    assert client.get(f"{A}{cid}/messages/?after=99999999999999999999").status_code == 400
    assert post(client, f"{A}{cid}/messages/1/rating/", {"helpful": "yes"}).status_code == 400
    assert post(client, f"{A}{cid}/messages/999999/rating/", {"helpful": True}).status_code == 404


def test_other_agencys_conversation_is_not_found(aw: dict[str, Any], client: Client) -> None:
    cid = started(client)
    r = post(client, f"{B}{cid}/messages/", {"text": "How do I apply?"})
    assert r.status_code == 404 and r.json()["message"] == "No conversation with this id."
    assert client.get(f"{B}{cid}/messages/?after=0").status_code == 404
    assert post(client, f"{B}{cid}/close/").status_code == 404
    assert not Message.objects.exists()
    # and a message of one conversation cannot be rated through another
    other = started(client)
    answer = post(client, f"{A}{cid}/messages/", {"text": "How do I apply for benefits?"}).json()
    r = post(client, f"{A}{other}/messages/{answer['replies'][0]['id']}/rating/",
             {"helpful": True})
    assert r.status_code == 404


def test_cors(aw: dict[str, Any], client: Client) -> None:
    r = client.options(A, HTTP_ORIGIN=PARTNER,
                       HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST")
    assert r.status_code == 204 and r["Access-Control-Allow-Origin"] == PARTNER
    assert "Content-Type" in r["Access-Control-Allow-Headers"]
    r = post(client, A, {"language": "en"}, HTTP_ORIGIN=PARTNER)
    assert r.status_code == 201 and r["Access-Control-Allow-Origin"] == PARTNER
    r = post(client, A, {"language": "en"}, HTTP_ORIGIN="https://evil.example.com")
    assert r.status_code == 403 and "not set up" in r.json()["message"]
    # agency B's pages are not agency A's
    r = post(client, B, {"language": "en"}, HTTP_ORIGIN=PARTNER)
    assert r.status_code == 403
    assert Conversation.objects.count() == 1


def test_rate_limited_per_client(aw: dict[str, Any], client: Client, settings: Any) -> None:
    settings.RATELIMIT_CHAT_PER_CLIENT = "3/m"
    cid = started(client)
    for _ in range(2):
        assert post(client, f"{A}{cid}/messages/", {"text": "hello"}).status_code == 201
    r = post(client, f"{A}{cid}/messages/", {"text": "hello"})
    assert r.status_code == 429 and "Too many" in r.json()["message"]
    # another address is not affected
    assert post(client, A, {}, REMOTE_ADDR="10.1.2.3").status_code == 201
