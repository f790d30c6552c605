"""Knowledge base: lifecycle and who may move it, immutable versions and diffs, sanitised
Markdown, agency isolation, and the staff pages that drive it."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from govcx.assist import knowledge as kn
from govcx.assist.markdown import markdown_render, markdown_text
from govcx.assist.models import Article, ArticleTransition, ArticleVersion, Category
from govcx.core.models import AuditEvent, Role
from tests.conftest import login

S = Article.Status


def staff(w: dict[str, Any], role: str, agency: str = "benefits-agency") -> Any:
    return w["staff"][(agency, role)]


def text(title: str = "Apply for food help", body: str = "Apply **online**.",
         **kw: str) -> kn.VersionText:
    return kn.VersionText(title_en=title, body_en=body, summary_en=kw.pop("summary_en",
                                                                            "Apply online."),
                          **kw)


def make_article(w: dict[str, Any], **kw: Any) -> Article:
    kw.setdefault("text", text())
    return kn.article_create(agency=w["a"], actor=staff(w, Role.KNOWLEDGE_EDITOR), **kw)


def test_lifecycle_and_capabilities(world: dict[str, Any]) -> None:
    editor, analyst, agent = (staff(world, r) for r in
                              (Role.KNOWLEDGE_EDITOR, Role.CX_ANALYST, Role.AGENT))
    with pytest.raises(kn.KnowledgeDenied):  # an agent reads articles, never writes them
        kn.article_create(agency=world["a"], actor=agent, text=text())
    article = kn.article_create(agency=world["a"], actor=analyst, text=text())
    assert (article.status, article.owner, article.published_version) == (S.DRAFT, analyst, None)
    assert article.versions.get().number == 1
    with pytest.raises(kn.KnowledgeError):  # no skipping review
        kn.article_transition(article=article, actor=editor, to_status=S.PUBLISHED)
    kn.article_transition(article=article, actor=analyst, to_status=S.IN_REVIEW)
    # an analyst may edit and submit, but not publish; an agent may do neither
    for who in (analyst, agent):
        with pytest.raises(kn.KnowledgeDenied):
            kn.article_transition(article=article, actor=who, to_status=S.PUBLISHED)
    assert kn.transitions_allowed(Article.objects.get(pk=article.pk), agent) == []
    kn.article_transition(article=article, actor=editor, to_status=S.PUBLISHED, note="ok")
    article.refresh_from_db()
    assert article.status == S.PUBLISHED
    assert article.published_version == article.versions.get(number=1)
    kn.article_transition(article=article, actor=editor, to_status=S.ARCHIVED)
    article.refresh_from_db()
    assert (article.status, article.published_version) == (S.ARCHIVED, None)
    kn.article_transition(article=article, actor=analyst, to_status=S.DRAFT)
    moves = list(ArticleTransition.objects.filter(article=article).order_by("id")
                 .values_list("from_status", "to_status", "actor__username"))
    assert moves == [
        (S.DRAFT, S.DRAFT, analyst.get_username()),
        (S.DRAFT, S.IN_REVIEW, analyst.get_username()),
        (S.IN_REVIEW, S.PUBLISHED, editor.get_username()),
        (S.PUBLISHED, S.ARCHIVED, editor.get_username()),
        (S.ARCHIVED, S.DRAFT, analyst.get_username()),
    ]


def test_editor_of_another_agency_cannot_touch(world: dict[str, Any]) -> None:
    article = make_article(world)
    other = staff(world, Role.KNOWLEDGE_EDITOR, "tax-agency")
    with pytest.raises(kn.KnowledgeDenied):
        kn.article_edit(article=article, actor=other, text=text(title="Hacked"))
    with pytest.raises(kn.KnowledgeDenied):
        kn.article_transition(article=article, actor=other, to_status=S.IN_REVIEW)
    cat_b = Category.objects.create(agency=world["b"], slug="x", name_en="X")
    with pytest.raises(kn.KnowledgeError):  # a category of another agency
        make_article(world, slug="other", category=cat_b)
    with pytest.raises(kn.KnowledgeError):  # a service of another agency
        make_article(world, slug="other2", services=[world["sb"]])
    client = login(Client(), other)
    for url in (f"/staff/knowledge/{article.pk}/", f"/staff/knowledge/{article.pk}/edit/",
                f"/staff/knowledge/{article.pk}/versions/"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/staff/knowledge/{article.pk}/transition/",
                       {"to": "in_review"}).status_code == 404
    assert client.post(f"/staff/knowledge/{article.pk}/edit/",
                       {"title_en": "Hacked", "body_en": "x",
                        "audience": "public"}).status_code == 404
    article.refresh_from_db()
    assert article.status == S.DRAFT and article.versions.count() == 1
    assert "Apply for food help" not in client.get("/staff/knowledge/").content.decode()


def test_versions_are_immutable_and_diffed(world: dict[str, Any]) -> None:
    editor = staff(world, Role.KNOWLEDGE_EDITOR)
    article = make_article(world, text=text(body="Line one.\nLine two.\nLine three."))
    kn.article_transition(article=article, actor=editor, to_status=S.IN_REVIEW)
    kn.article_transition(article=article, actor=editor, to_status=S.PUBLISHED)
    v1 = ArticleVersion.objects.get(article=article, number=1)
    v2 = kn.article_edit(article=article, actor=editor, note="clearer",
                         text=text(body="Line one.\nLine 2, clearer.\nLine three.",
                                   title_es="Solicitar ayuda", body_es="Solicite en línea."))
    article.refresh_from_db()
    # the edit is a new version; the old one is unchanged and stays live until published
    assert v2.number == 2 and article.versions.count() == 2
    assert ArticleVersion.objects.get(pk=v1.pk).body_en == "Line one.\nLine two.\nLine three."
    assert article.status == S.DRAFT and article.published_version_id == v1.pk
    diff = dict(kn.version_diff(v1, v2))
    assert set(diff) == {"body_en", "title_es", "body_es"}
    kinds = [(d.kind, d.text) for d in diff["body_en"] if d.kind in ("add", "del")]
    assert kinds == [("del", "Line two."), ("add", "Line 2, clearer.")]
    client = login(Client(), editor)
    page = client.get(f"/staff/knowledge/{article.pk}/versions/?a=1&b=2").content.decode()
    assert "<del>- Line two.</del>" in page and "<ins>+ Line 2, clearer.</ins>" in page
    # publishing again makes version 2 the live one
    kn.article_transition(article=article, actor=editor, to_status=S.IN_REVIEW)
    kn.article_transition(article=article, actor=editor, to_status=S.PUBLISHED)
    article.refresh_from_db()
    assert article.published_version_id == v2.pk


def test_spanish_needs_a_title_and_text(world: dict[str, Any]) -> None:
    with pytest.raises(kn.KnowledgeError):
        make_article(world, text=text(body_es="Solo texto"))
    with pytest.raises(kn.KnowledgeError):
        make_article(world, text=text(title="", body="x"))


def test_markdown_is_sanitised() -> None:
    html = markdown_render(
        "# Title\n\nHello <script>alert(1)</script> **bold**\n\n"
        '<a href="javascript:alert(2)" onclick="steal()">click</a> '
        "[bad](javascript:alert(3)) [good](https://example.gov/x)\n\n"
        '<img src="x" onerror="alert(4)"> <div style="color:red">styled</div>')
    for bad in ("<script", "alert(1)", "onclick", "steal", 'href="javascript', "onerror",
                "<img", "style="):
        assert bad not in html, bad
    assert "<h2>Title</h2>" in html  # the page's own <h1> is the title
    assert "<strong>bold</strong>" in html
    assert '<a href="https://example.gov/x" class="usa-link" rel="noopener noreferrer">good</a>' in html
    assert markdown_text("Pay **now** &amp; [here](https://x.gov)") == "Pay now & here"


def test_staff_pages_create_edit_publish(world: dict[str, Any]) -> None:
    editor = staff(world, Role.KNOWLEDGE_EDITOR)
    client = login(Client(), editor)
    r = client.post("/staff/knowledge/categories/", {"name_en": "Payments",
                                                     "name_es": "Pagos"})
    assert r.status_code == 302
    cat = Category.objects.get(agency=world["a"], slug="payments")
    assert client.post("/staff/knowledge/categories/", {"name_en": ""}).status_code == 400
    r = client.post("/staff/knowledge/new/", {
        "title_en": "Payment dates", "summary_en": "Third business day.",
        "body_en": "We pay on the **3rd** business day.", "audience": "public",
        "category": str(cat.pk), "review_by": "2027-01-31", "services": [str(world["sa"].pk)],
    })
    assert r.status_code == 302, r.content.decode()[:2000]
    article = Article.objects.get(agency=world["a"], slug="payment-dates")
    assert article.category == cat and list(article.services.all()) == [world["sa"]]
    assert r["Location"] == f"/staff/knowledge/{article.pk}/"
    bad = client.post("/staff/knowledge/new/", {"title_en": "", "body_en": "",
                                                "audience": "public"})
    assert bad.status_code == 400 and "English title" in bad.content.decode()
    page = client.get(f"/staff/knowledge/{article.pk}/").content.decode()
    assert "<strong>3rd</strong>" in page and 'data-to="in_review"' in page
    r = client.post(f"/staff/knowledge/{article.pk}/edit/", {
        "title_en": "Payment dates", "summary_en": "Third business day.",
        "body_en": "We pay on the **3rd** business day of each month.", "audience": "public",
        "category": str(cat.pk), "note": "month"})
    assert r.status_code == 302 and article.versions.count() == 2
    for to in ("in_review", "published"):
        assert client.post(f"/staff/knowledge/{article.pk}/transition/",
                           {"to": to}).status_code == 302
    article.refresh_from_db()
    assert article.status == S.PUBLISHED and article.published_version.number == 2
    listing = client.get("/staff/knowledge/?status=published").content.decode()
    assert "Payment dates" in listing
    assert "Payment dates" not in client.get("/staff/knowledge/?status=draft").content.decode()
    # an agent sees the article but has no buttons, and a forged publish is refused
    agent = login(Client(), staff(world, Role.AGENT))
    page = agent.get(f"/staff/knowledge/{article.pk}/").content.decode()
    assert "data-to=" not in page and "Edit (new version)" not in page
    assert agent.post(f"/staff/knowledge/{article.pk}/transition/",
                      {"to": "archived"}).status_code == 403
    assert agent.get("/staff/knowledge/new/").status_code == 404
    article.refresh_from_db()
    assert article.status == S.PUBLISHED


def test_feedback_report_is_audited(world: dict[str, Any]) -> None:
    editor = staff(world, Role.KNOWLEDGE_EDITOR)
    article = make_article(world)
    kn.article_transition(article=article, actor=editor, to_status=S.IN_REVIEW)
    kn.article_transition(article=article, actor=editor, to_status=S.PUBLISHED)
    article.refresh_from_db()
    kn.article_feedback_record(article=article, helpful=False,
                               comment="Confusing. Call me on 202-555-0123")
    client = login(Client(), staff(world, Role.CX_ANALYST))
    page = client.get("/staff/knowledge/feedback/").content.decode()
    assert "Confusing." in page and "202-555-0123" not in page
    ev = AuditEvent.objects.get(action="knowledge.feedback.view")
    assert ev.agency_id == world["a"].pk and ev.detail["rows"] == 1
    outsider = login(Client(), staff(world, Role.ADMINISTRATOR, "tax-agency"))
    assert "Confusing." not in outsider.get("/staff/knowledge/feedback/").content.decode()


def test_demo_content(kb: dict[str, Any]) -> None:
    from govcx.assist.demo import assist_demo_seed
    from govcx.assist.models import Intent

    for agency in (kb["a"], kb["b"]):
        arts = Article.objects.filter(agency=agency)
        public = arts.filter(audience="public")
        assert public.count() >= 11 and arts.filter(audience="internal").exists()
        assert all(a.status == S.PUBLISHED and a.published_version is not None for a in arts)
        assert all(a.published_version.title_es and a.published_version.summary_es
                   for a in public)
        assert Category.objects.filter(agency=agency).count() >= 3
        intents = Intent.objects.filter(agency=agency)
        assert intents.filter(name="talk_to_person", kind="handover").exists()
        for intent in intents:
            langs = set(intent.examples.values_list("language", flat=True))
            assert langs == {"en", "es"} and intent.examples.count() >= 15, intent.name
            if intent.kind == "answer":
                assert intent.article is not None and intent.article.audience == "public"
    assert Intent.objects.filter(agency=kb["a"], kind="handover").count() >= 3
    again = assist_demo_seed(agencies=[kb["a"], kb["b"]])
    assert again == {"categories": 0, "articles": 0, "intents": 0, "examples": 0}
