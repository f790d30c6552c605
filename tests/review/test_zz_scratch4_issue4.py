from __future__ import annotations
import json
from typing import Any
from django.test import Client
from govcx.assist import knowledge as kn
from govcx.assist.models import Article, Conversation
from govcx.assist.search import search
from govcx.core.models import Role
from tests.conftest import login


def ed(w, ag="benefits-agency"):
    return w["staff"][(ag, Role.KNOWLEDGE_EDITOR)]


def mk(w, title="Lost card help", body="Replace a lost card by phone."):
    a = kn.article_create(agency=w["a"], actor=ed(w), text=kn.VersionText(title_en=title, body_en=body, summary_en=body))
    kn.article_transition(article=a, actor=ed(w), to_status="in_review")
    kn.article_transition(article=a, actor=ed(w), to_status="published")
    a.refresh_from_db()
    return a


def test_probe_lifecycle(world, capsys) -> None:
    a = mk(world)
    kn.article_edit(article=a, actor=ed(world), text=kn.VersionText(title_en="Lost card help", body_en="new text"))
    a.refresh_from_db()
    with capsys.disabled():
        print("status", a.status, "pub", a.published_version_id, "allowed", kn.transitions_allowed(a, ed(world)))
        c = Client()
        print("public page", c.get(f"/help/benefits-agency/a/{a.slug}/").status_code)
        print("search", [h.slug for h in search(agency=world["a"], query="lost card").hits])
        # audience -> internal via edit
        kn.article_edit(article=a, actor=ed(world), text=kn.VersionText(title_en="Lost card help", body_en="x"), audience="internal")
        print("after internal: search", [h.slug for h in search(agency=world["a"], query="lost card").hits],
              c.get(f"/help/benefits-agency/a/{a.slug}/").status_code)


def test_probe_chat(world, capsys, settings) -> None:
    mk(world)
    c = Client()
    r = c.post("/assist/benefits-agency/chat/", {"language": "en"})
    with capsys.disabled():
        print("form start", r.status_code)
        r = c.post("/assist/benefits-agency/chat/", json.dumps({}), content_type="application/json")
        pid = r.json()["id"]
        print("cross-agency", c.get(f"/assist/tax-agency/chat/{pid}/messages/").status_code)
        print("form msg", c.post(f"/assist/benefits-agency/chat/{pid}/messages/", {"text": "hi"}).status_code)
        print("text/plain", c.post(f"/assist/benefits-agency/chat/{pid}/messages/", json.dumps({"text": "hi"}), content_type="text/plain").status_code)
        codes = [c.post(f"/assist/benefits-agency/chat/{pid}/messages/", json.dumps({"text": "hi"}), content_type="application/json").status_code for _ in range(40)]
        print("rate", codes)
        codes = [c.get(f"/help/benefits-agency/search/?q=card+{i}").status_code for i in range(3)]
