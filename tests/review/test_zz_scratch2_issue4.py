from __future__ import annotations
import json
from typing import Any
from django.test import Client
from tests.assist.conftest import kb  # noqa: F401
from govcx.assist.models import Conversation


def test_chat_fuzz(kb: dict[str, Any], settings, capsys) -> None:
    settings.RATELIMIT_ENABLE = False
    a, b = kb["a"], kb["b"]
    c = Client(raise_request_exception=False)
    r = c.post(f"/assist/{a.slug}/chat/", json.dumps({"language": "en"}), content_type="application/json")
    assert r.status_code == 201, r.content
    pid = r.json()["id"]
    base = f"/assist/{a.slug}/chat/"
    bodies = ["", "null", "[]", "1", '"x"', "{", '{"text": null}', '{"text": 1}', '{"text": ["a"]}',
              '{"text": "\\u0000"}', '{"text": "\\ud800"}', json.dumps({"text": "é" * 2000}),
              json.dumps({"text": "x" * 2001}), json.dumps({"language": {"a": 1}}), json.dumps({"page": 5}),
              json.dumps({"helpful": "yes"}), json.dumps({"helpful": True}), b"\xff\xfe", '{"text": "1 ' + "a " * 900 + '"}',
              json.dumps({"text": "hello", "language": "es"})]
    urls = [base, base + pid + "/messages/", base + pid + "/messages/1/rating/",
            base + pid + "/messages/99999999999999999999/rating/", base + pid + "/handover/",
            base + pid + "/close/", base + "x" * 64 + "/messages/", f"/assist/{b.slug}/chat/{pid}/messages/",
            f"/assist/nope/chat/{pid}/messages/"]
    fails = []
    for u in urls:
        for body in bodies:
            for ct in ("application/json", "application/x-www-form-urlencoded", "text/plain",
                       "application/json; charset=utf-16", "application/JSON"):
                r = c.generic("POST", u, body, content_type=ct)
                if r.status_code >= 500:
                    fails.append((u, body[:30], ct, r.status_code))
        for q in ("", "?after=-1", "?after=99999999999999999999", "?after=%00", "?agent_after=x", "?after=١٢"):
            r = c.get(u + q)
            if r.status_code >= 500:
                fails.append(("GET", u, q, r.status_code))
        for m in ("PUT", "DELETE", "OPTIONS", "PATCH", "HEAD"):
            r = c.generic(m, u)
            if r.status_code >= 500:
                fails.append((m, u, r.status_code))
    with capsys.disabled():
        for f in fails:
            print(f)
    assert not fails
