from __future__ import annotations
import json
import itertools
from typing import Any
import pytest
from django.test import Client
from tests.conftest import login
from govcx.assist.models import Article, Intent, Conversation

from tests.assist.conftest import kb  # noqa: F401

ODD = ["", "x", "\x00", "a\x00b", "é" * 5000, "9" * 40, "-1", "0", "1e9", "%00", "<script>alert(1)</script>",
       "\ud800" if False else "𝔘𝔫𝔦", "[]", "{}", "null", "  "]
PARAMS = ["q", "lang", "from_search", "thanks", "status", "helpful", "days", "a", "b", "agency",
          "start", "end", "reason", "page", "draft", "after", "agent_after", "comment", "to", "note",
          "name", "title", "kind", "article", "active", "text", "language", "category", "audience",
          "review_by", "services", "slug", "position", "name_en", "title_en", "body_en"]


def test_fuzz(kb: dict[str, Any], capsys) -> None:
    a = kb["a"]
    art = Article.objects.filter(agency=a, published_version__isnull=False).first()
    cat = art.category
    intent = Intent.objects.filter(agency=a).first()
    from govcx.assist.conversation import conversation_start, message_receive
    conv = conversation_start(agency=a)
    message_receive(conversation=conv, text="hello")
    urls_pub = [f"/help/{a.slug}/", f"/help/{a.slug}/search/", f"/help/{a.slug}/c/{cat.slug if cat else 'x'}/",
                f"/help/{a.slug}/a/{art.slug}/", "/help/nope/", f"/help/{a.slug}/a/nope/",
                f"/help/{a.slug}/c/nope/"]
    urls_staff = ["/staff/knowledge/", "/staff/knowledge/new/", "/staff/knowledge/categories/",
                  "/staff/knowledge/gaps/", "/staff/knowledge/feedback/", f"/staff/knowledge/{art.pk}/",
                  f"/staff/knowledge/{art.pk}/edit/", f"/staff/knowledge/{art.pk}/versions/",
                  f"/staff/knowledge/{art.pk}/transition/", "/staff/assistant/",
                  "/staff/assistant/conversations/", f"/staff/assistant/conversations/{conv.pk}/",
                  "/staff/assistant/intents/", "/staff/assistant/intents/new/",
                  f"/staff/assistant/intents/{intent.pk}/", f"/staff/assistant/intents/{intent.pk}/examples/",
                  "/staff/assistant/models/", "/staff/knowledge/99999999999999999999/",
                  "/staff/assistant/conversations/99999999999999999999/",
                  "/staff/assistant/intents/99999999999999999999/",
                  ]
    fails = []
    from govcx.core.models import Role
    users = [None, kb["staff"][(a.slug, "administrator")], kb["staff"][(a.slug, "viewer")], kb["staff"][(kb["b"].slug, "administrator")]]
    for user in users:
        c = Client(raise_request_exception=False)
        if user is not None:
            login(c, user)
        for url in (urls_pub + (urls_staff if user else [])):
            for v in ODD:
                for method in ("get", "post"):
                    r = getattr(c, method)(url, {p: v for p in PARAMS})
                    if r.status_code >= 500:
                        fails.append((getattr(user, "username", None), method, url, "ALL", v[:20], r.status_code))
            for p in PARAMS:
                for v in ["\x00", "9" * 40, "é" * 5000, "-1", "<b>"]:
                    for method in ("get", "post"):
                        r = getattr(c, method)(url, {p: v})
                        if r.status_code >= 500:
                            fails.append((getattr(user, "username", None), method, url, p, v[:20], r.status_code))
            # multi-valued
            r = c.post(url, "junk", content_type="application/json")
            if r.status_code >= 500:
                fails.append((getattr(user, "username", None), "post-json", url, r.status_code))
    with capsys.disabled():
        for f in fails[:80]:
            print(f)
        print(len(fails))
    assert not fails
