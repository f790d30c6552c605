"""The public help centre: only published public articles, English and Spanish (with the
English fallback), search logging and clicks, content gaps, "Was this helpful?"."""

from __future__ import annotations

from typing import Any

from django.test import Client

from govcx.assist import knowledge as kn
from govcx.assist.models import Article, ArticleFeedback, SearchLog
from govcx.core.models import Role
from tests.conftest import login

S = Article.Status
HELP = "/help/benefits-agency/"


def editor(w: dict[str, Any]) -> Any:
    return w["staff"][("benefits-agency", Role.KNOWLEDGE_EDITOR)]


def published(w: dict[str, Any], slug: str, **kw: Any) -> Article:
    ed = editor(w)
    article = kn.article_create(
        agency=w["a"], actor=ed, slug=slug,
        text=kn.VersionText(title_en=kw.pop("title", slug.title()),
                            body_en=kw.pop("body", "Body text."), **kw.pop("text", {})), **kw)
    kn.article_transition(article=article, actor=ed, to_status=S.IN_REVIEW)
    kn.article_transition(article=article, actor=ed, to_status=S.PUBLISHED)
    article.refresh_from_db()
    return article


def test_home_category_and_article(kb: dict[str, Any], client: Client) -> None:
    home = client.get(HELP)
    assert home.status_code == 200
    page = home.content.decode()
    assert "Benefits Agency help centre" in page and "Payments and cards" in page
    assert 'role="search"' in page
    cat = client.get(HELP + "c/payments/").content.decode()
    assert "Payment dates" in cat and "Replace a lost or stolen benefits card" in cat
    art = client.get(HELP + "a/payment-dates/")
    body = art.content.decode()
    assert art.status_code == 200 and "<strong>3rd business day</strong>" in body
    assert "Was this helpful?" in body and 'name="csrfmiddlewaretoken"' in body
    assert client.get("/help/no-such-agency/").status_code == 404
    assert client.get(HELP + "c/nope/").status_code == 404
    assert client.get(HELP + "a/nope/").status_code == 404


def test_public_never_sees_drafts_internal_or_archived(kb: dict[str, Any],
                                                       client: Client) -> None:
    ed = editor(kb)
    draft = kn.article_create(agency=kb["a"], actor=ed, slug="secret-draft",
                              text=kn.VersionText(title_en="Zebra draft", body_en="Zebra"))
    live = Article.objects.get(agency=kb["a"], slug="payment-dates")
    kn.article_edit(article=live, actor=ed,
                    text=kn.VersionText(title_en="Payment dates", body_en="UNPUBLISHED EDIT"))
    archived = Article.objects.get(agency=kb["a"], slug="office-appointments")
    kn.article_transition(article=archived, actor=ed, to_status=S.ARCHIVED)
    internal = Article.objects.get(agency=kb["a"], slug="agent-identity-check")
    assert internal.audience == "internal" and internal.published_version is not None
    for slug in (draft.slug, archived.slug, internal.slug):
        assert client.get(HELP + f"a/{slug}/").status_code == 404, slug
    # an edited published article keeps showing its published version
    page = client.get(HELP + "a/payment-dates/").content.decode()
    assert "3rd business day" in page and "UNPUBLISHED EDIT" not in page
    everything = "".join(client.get(u).content.decode() for u in (
        HELP, HELP + "c/account/", HELP + "c/apply/", HELP + "search/?q=zebra",
        HELP + "search/?q=verifying+caller+identity", HELP + "search/?q=field+office"))
    for hidden in ("Zebra", "Agent guide", "Visit a field office"):
        assert hidden not in everything, hidden
    # another agency's articles are not in this help centre
    assert client.get(HELP + "a/refund-status/").status_code == 404


def test_spanish_and_fallback(kb: dict[str, Any], client: Client) -> None:
    page = client.get(HELP + "a/payment-dates/?lang=es").content.decode()
    assert '<html lang="es">' in page and "Fechas de pago" in page
    assert "¿Le resultó útil?" in page and "Was this helpful?" not in page
    assert 'id="language-notice"' not in page
    assert 'lang="en" href="?lang=en"' in page  # switch back to English
    published(kb, "english-only", title="English only article", body="Only English here.")
    page = client.get(HELP + "a/english-only/?lang=es").content.decode()
    assert 'id="language-notice"' in page and "Only English here." in page
    assert '<article lang="en">' in page  # the English text is marked as English
    home = client.get(HELP + "?lang=es").content.decode()
    assert "Pagos y tarjetas" in home and "?lang=es" in home
    bogus = client.get(HELP + "?lang=xx")
    assert bogus.status_code == 200 and '<html lang="en">' in bogus.content.decode()


def test_search_logs_clicks_and_gaps(kb: dict[str, Any], client: Client) -> None:
    r = client.get(HELP + "search/", {"q": "aplly for benfits"})
    page = r.content.decode()
    assert r.status_code == 200 and "Apply for benefits" in page
    log = SearchLog.objects.get()
    assert (log.query, log.results, log.source, log.clicked) == ("aplly for benfits", 1,
                                                                 "help", None)
    link = page.split('href="/help/benefits-agency/a/apply-for-benefits/?from_search=')[1]
    token = link.split('"')[0].replace("&amp;", "&")
    client.get(HELP + f"a/apply-for-benefits/?from_search={token}")
    log.refresh_from_db()
    assert log.clicked.slug == "apply-for-benefits"
    # a forged token marks nothing; another article cannot re-mark it
    client.get(HELP + "a/payment-dates/?from_search=1:forged")
    client.get(HELP + f"a/payment-dates/?from_search={token}")
    log.refresh_from_db()
    assert log.clicked.slug == "apply-for-benefits"
    # no result: a gap, with a way to contact the agency; personal data is not logged
    for _ in range(2):
        gap = client.get(HELP + "search/", {"q": "Pizza recipe  ana@example.org"})
        assert "No articles matched your search" in gap.content.decode()
        assert "/contact/benefits-agency/" in gap.content.decode()
    client.get(HELP + "search/", {"q": "payment dates", "lang": "es"})  # found, not opened
    assert client.get(HELP + "search/", {"q": "x" * 301}).status_code == 400
    assert SearchLog.objects.filter(results=0).count() == 2
    assert not SearchLog.objects.filter(query__contains="ana@example.org").exists()
    analyst = login(Client(), kb["staff"][("benefits-agency", Role.CX_ANALYST)])
    report = analyst.get("/staff/knowledge/gaps/").content.decode()
    assert "pizza recipe [email]" in report
    row = report.split("pizza recipe [email]")[1].split("</tr>")[0]
    assert "<td>2</td><td>2</td><td>0</td>" in row.replace("\n", "")
    assert "payment dates" in report and "aplly for benfits" not in report
    outsider = login(Client(), kb["staff"][("tax-agency", Role.ADMINISTRATOR)])
    assert "pizza" not in outsider.get("/staff/knowledge/gaps/").content.decode()


def test_was_this_helpful(kb: dict[str, Any], client: Client) -> None:
    url = HELP + "a/payment-dates/"
    r = client.post(url, {"helpful": "no", "comment": "My SSN 123-45-6789 did not work",
                          "lang": "es"})
    assert r.status_code == 302 and r["Location"].endswith("?thanks=no&lang=es#feedback")
    fb = ArticleFeedback.objects.get()
    assert (fb.helpful, fb.language, fb.version_id) == (False, "es",
                                                        fb.article.published_version_id)
    assert "123-45-6789" not in fb.comment and "did not work" in fb.comment
    assert 'id="feedback-thanks"' in client.get(r["Location"]).content.decode()
    bad = client.post(url, {"comment": "no choice"})
    assert bad.status_code == 400 and "Choose yes or no." in bad.content.decode()
    assert "no choice" in bad.content.decode()  # what was typed is kept
    long = client.post(url, {"helpful": "yes", "comment": "x" * 1001})
    assert long.status_code == 400
    client.post(url, {"helpful": "yes"})
    assert ArticleFeedback.objects.count() == 2
    analyst = login(Client(), kb["staff"][("benefits-agency", Role.CX_ANALYST)])
    report = analyst.get("/staff/knowledge/gaps/").content.decode()
    assert "payment-dates" in report.split('id="gap-unhelpful"')[1]


def test_feedback_is_rate_limited(kb: dict[str, Any], client: Client, settings: Any) -> None:
    settings.RATELIMIT_SUBMIT_PER_CLIENT = "2/m"
    url = HELP + "a/payment-dates/"
    codes = [client.post(url, {"helpful": "yes"}).status_code for _ in range(3)]
    assert codes == [302, 302, 429]
    assert ArticleFeedback.objects.count() == 2
    assert "Too many answers" in client.post(url, {"helpful": "yes"}).content.decode()


def test_search_is_rate_limited(kb: dict[str, Any], client: Client, monkeypatch: Any) -> None:
    from govcx.assist import views_help

    monkeypatch.setattr(views_help, "SEARCH_QUERY_RATE", "2/m")
    codes = [client.get(HELP + "search/", {"q": "payment"}).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert "Too many searches" in client.get(HELP + "search/", {"q": "x"}).content.decode()
    assert client.get(HELP + "search/").status_code == 200  # the empty search page still opens


def test_csrf_is_required(kb: dict[str, Any]) -> None:
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(HELP + "a/payment-dates/", {"helpful": "yes"}).status_code == 403
    assert not ArticleFeedback.objects.exists()
