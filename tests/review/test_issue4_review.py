"""Second reading of issue 4 (help centre + assistant): one regression test per defect found.

Each test names what went wrong before the fix; see the review report for the severity."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from govcx.assist import knowledge as kn
from govcx.assist.model import OOS
from govcx.assist.models import Article, Category, Conversation, Message
from govcx.assist.search import search, search_index_invalidate
from govcx.contact import services as cs
from govcx.contact.models import Channel
from govcx.core.models import AuditEvent, Role
from tests.browser.conftest import browser, host_site, page  # noqa: F401 (fixtures)
from tests.conftest import login

S = Article.Status


def editor(w: dict[str, Any], agency: str = "benefits-agency") -> Any:
    return w["staff"][(agency, Role.KNOWLEDGE_EDITOR)]


def published(w: dict[str, Any], title: str = "Replace a lost card",
              body: str = "Call the card line to replace a lost card.") -> Article:
    ed = editor(w)
    article = kn.article_create(agency=w["a"], actor=ed, text=kn.VersionText(
        title_en=title, body_en=body, summary_en=body))
    kn.article_transition(article=article, actor=ed, to_status=S.IN_REVIEW)
    kn.article_transition(article=article, actor=ed, to_status=S.PUBLISHED)
    article.refresh_from_db()
    return article


def json_post(client: Client, url: str, body: str) -> Any:
    return client.post(url, body, content_type="application/json")


# --- 1. chat API: a lone surrogate in JSON was a 500 -------------------------------------------

@pytest.mark.parametrize("field", ["text", "page"])
def test_chat_text_with_lone_surrogate_is_400_not_500(world: dict[str, Any],
                                                      field: str) -> None:
    """'\\ud800' is valid JSON but cannot be encoded as UTF-8: the INSERT raised
    UnicodeEncodeError -> 500 (and the person's message was lost)."""
    client = Client(raise_request_exception=False)
    base = "/assist/benefits-agency/chat/"
    if field == "page":
        r = json_post(client, base, '{"language": "en", "page": "https://x.example/\\ud800"}')
        assert r.status_code == 400 and "not allowed" in r.json()["message"]
        return
    pid = json_post(client, base, "{}").json()["id"]
    r = json_post(client, f"{base}{pid}/messages/", '{"text": "my card \\udc00 is lost"}')
    assert r.status_code == 400 and "not allowed" in r.json()["message"]
    assert not Message.objects.filter(conversation__public_id=pid).exists()


# --- 2. lifecycle: a live article with an edit in progress could not be taken down --------------

def test_live_article_with_an_edit_in_draft_can_be_archived(world: dict[str, Any]) -> None:
    """Editing a published article moves it to draft while the published version stays live;
    from draft the only move was "submit for review", so a publisher who needed the live text
    off the help centre (wrong, outdated) had to publish the unfinished edit first."""
    search_index_invalidate()
    article = published(world)
    ed = editor(world)
    kn.article_edit(article=article, actor=ed, text=kn.VersionText(
        title_en="Replace a lost card", body_en="Work in progress"))
    article.refresh_from_db()
    assert article.status == S.DRAFT and article.published_version_id is not None
    anon = Client()
    url = f"/help/benefits-agency/a/{article.slug}/"
    assert anon.get(url).status_code == 200
    assert [h.slug for h in search(agency=world["a"], query="lost card").hits] == [article.slug]
    # an editor without knowledge.publish does not get the button; a publisher does
    analyst = world["staff"][("benefits-agency", Role.CX_ANALYST)]
    assert S.ARCHIVED not in kn.transitions_allowed(article, analyst)
    assert S.ARCHIVED in kn.transitions_allowed(article, ed)
    staff = login(Client(), ed)
    html = staff.get(f"/staff/knowledge/{article.pk}/").content.decode()
    assert 'data-to="archived"' in html
    r = staff.post(f"/staff/knowledge/{article.pk}/transition/", {"to": "archived"})
    assert r.status_code == 302
    article.refresh_from_db()
    assert (article.status, article.published_version) == (S.ARCHIVED, None)
    assert anon.get(url).status_code == 404
    assert search(agency=world["a"], query="lost card").hits == []
    # the same from "in review"; and it comes back through draft as usual
    kn.article_transition(article=article, actor=ed, to_status=S.DRAFT)
    kn.article_transition(article=article, actor=ed, to_status=S.IN_REVIEW)
    kn.article_transition(article=article, actor=ed, to_status=S.PUBLISHED)
    kn.article_edit(article=article, actor=ed, text=kn.VersionText(
        title_en="Replace a lost card", body_en="Another edit"))
    kn.article_transition(article=article, actor=ed, to_status=S.IN_REVIEW)
    kn.article_transition(article=article, actor=ed, to_status=S.ARCHIVED)
    article.refresh_from_db()
    assert (article.status, article.published_version) == (S.ARCHIVED, None)
    # a draft that was never published still cannot be "archived"
    fresh = kn.article_create(agency=world["a"], actor=ed, text=kn.VersionText(
        title_en="Never published", body_en="x"))
    with pytest.raises(kn.KnowledgeError):
        kn.article_transition(article=fresh, actor=ed, to_status=S.ARCHIVED)
    search_index_invalidate()


# --- 3. agent assist: the draft reply linked the staff host, not the public site ---------------

def test_agent_draft_reply_links_the_public_site(world: dict[str, Any], settings: Any) -> None:
    """The draft reply is sent to the person; its link was built from the host the agent used
    for the staff pages (request.build_absolute_uri), e.g. an internal host name."""
    search_index_invalidate()
    settings.PUBLIC_BASE_URL = "https://help.example.gov"
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "staff.internal"]
    article = published(world, title="When payments arrive",
                        body="Payments are made on the 3rd business day of each month.")
    got = cs.contact_receive(agency=world["a"], channel=Channel.WEB,
                             subject="When do payments arrive?",
                             body="When will my payment arrive this month?",
                             identity=("email", "ana@example.org"))
    agent = login(Client(), world["staff"][("benefits-agency", Role.AGENT)])
    html = agent.get(f"/staff/cases/{got.case.pk}/?draft=assist",
                     HTTP_HOST="staff.internal").content.decode()
    assert f"https://help.example.gov/help/benefits-agency/a/{article.slug}/" in html
    assert "staff.internal/help/" not in html
    search_index_invalidate()


# --- 4. feedback report: the raw ?helpful= went into the audit event --------------------------

def test_feedback_report_audits_the_filter_not_the_raw_parameter(world: dict[str, Any]) -> None:
    """detail={"helpful": <raw query parameter>}: arbitrary text (a NUL cannot be stored in
    PostgreSQL jsonb -> 500 on the feedback report)."""
    article = published(world)
    kn.article_feedback_record(article=article, helpful=False, comment="Confusing")
    client = login(Client(), editor(world))
    for raw, shown in (("a\x00b", "all"), ("x" * 5000, "all"), ("no", "no")):
        AuditEvent.objects.all().delete()
        r = client.get("/staff/knowledge/feedback/", {"helpful": raw})
        assert r.status_code == 200
        event = AuditEvent.objects.get(action="knowledge.feedback.view")
        assert event.detail["helpful"] == shown


# --- 5. categories: an unbounded position overflowed the column on PostgreSQL -----------------

def test_category_position_is_bounded(world: dict[str, Any]) -> None:
    """position accepted any integer up to 2**63-1; PostgreSQL's PositiveIntegerField is a
    32-bit integer -> DataError -> 500 on the categories page."""
    client = login(Client(), editor(world))
    r = client.post("/staff/knowledge/categories/", {
        "name_en": "Payments", "position": str(2**62)})
    assert r.status_code == 302
    assert Category.objects.get(slug="payments").position <= 2**31 - 1


# --- 6. assistant report: people's own words shown without an audit event ---------------------

def test_report_listing_out_of_scope_messages_is_audited(world: dict[str, Any]) -> None:
    """The report lists the people's out-of-scope messages verbatim (redacted), like a
    transcript does; the transcript page was audited, the report was not."""
    for agency, words in ((world["a"], "can my dog eat chocolate"),
                          (world["b"], "where is my tax refund")):
        conv = Conversation.objects.create(agency=agency, public_id=f"p-{agency.slug}")
        Message.objects.create(conversation=conv, speaker=Message.Speaker.PERSON, text=words,
                               intent=OOS)
    client = login(Client(), world["staff"][("benefits-agency", Role.ADMINISTRATOR)])
    html = client.get("/staff/assistant/").content.decode()
    assert "can my dog eat chocolate" in html and "tax refund" not in html
    events = list(AuditEvent.objects.filter(action="assistant.report.view"))
    assert [(e.agency_id, e.detail["rows"]) for e in events] == [(world["a"].pk, 1)]
    # nothing listed: nothing to audit
    AuditEvent.objects.all().delete()
    Message.objects.all().delete()
    assert client.get("/staff/assistant/").status_code == 200
    assert not AuditEvent.objects.filter(action="assistant.report.view").exists()


# --- 7. the chat widget showed the API's English errors on Spanish pages ----------------------

@pytest.mark.browser
def test_spanish_widget_shows_spanish_errors(page: Any, live_server: Any,  # noqa: F811
                                             host_site: Any,  # noqa: F811
                                             transactional_db: Any) -> None:
    """chat.js displayed the API's `message` (English) for every error: a Spanish page that
    was rate-limited or not set up for the assistant told the person so in English."""
    from tests.browser.test_assistant_e2e import chat_page
    from tests.conftest import make_agency

    make_agency("benefits-agency", "Benefits Agency")  # no touchpoint lists the host site
    host_site.pages["/"] = chat_page(live_server.url, lang="es")
    page.goto(host_site.url("/"))
    page.locator("govcx-chat button.l").click()
    box = page.locator("govcx-chat textarea")
    box.fill("¿Cómo solicito beneficios?")
    box.press("Enter")
    status = page.locator("govcx-chat #gc-s")
    status.filter(has_text="El asistente no está disponible").wait_for()
    assert "not set up" not in status.inner_text()
