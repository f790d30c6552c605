"""axe-core (WCAG 2.0/2.1 A and AA): the public help centre in English and Spanish — home,
a category, search results (found and not found), an article (also shown in English to a
Spanish reader), the "Was this helpful?" form with an error and after sending — and the
staff knowledge-base pages."""

from __future__ import annotations

from typing import Any

import pytest

from govcx.assist import knowledge as kn
from govcx.core.models import Role
from tests.assist.conftest import kb  # noqa: F401  (fixture)
from tests.browser.conftest import assert_clean, staff_context

pytestmark = pytest.mark.browser



def test_help_centre_pages(axe_page: Any, live_server: Any,
                           kb: dict[str, Any]) -> None:  # noqa: F811
    editor = kb["staff"][("benefits-agency", Role.KNOWLEDGE_EDITOR)]
    article = kn.article_create(agency=kb["a"], actor=editor, slug="english-only",
                                text=kn.VersionText(title_en="English only",
                                                    body_en="Only in *English*."))
    kn.article_transition(article=article, actor=editor, to_status="in_review")
    kn.article_transition(article=article, actor=editor, to_status="published")
    base = f"{live_server.url}/help/{kb['a'].slug}/"
    for lang in ("", "?lang=es"):
        amp = "&" if lang else "?"
        for what, url in (
            ("home", base + lang),
            ("category", base + "c/payments/" + lang),
            ("search results", base + "search/" + lang + amp + "q=aplly+for+benfits"),
            ("search without results", base + "search/" + lang + amp + "q=pizza+recipe"),
            ("article", base + "a/payment-dates/" + lang),
            ("article in English only", base + "a/english-only/" + lang),
        ):
            axe_page.goto(url)
            assert_clean(axe_page, f"{what} {lang or '(en)'}")
    axe_page.goto(base + "search/?q=aplly+for+benfits")
    axe_page.locator("#search-results a").first.click()
    axe_page.wait_for_url("**/a/apply-for-benefits/**")
    axe_page.goto(base + "a/payment-dates/?lang=es")
    axe_page.locator("#feedback-form button[type=submit]").click()
    axe_page.locator("#error-summary").wait_for()
    assert_clean(axe_page, "feedback form with an error (es)")
    axe_page.locator("label[for=helpful-no]").click()
    axe_page.fill("#feedback-comment", "No entiendo la fecha")
    axe_page.locator("#feedback-form button[type=submit]").click()
    axe_page.locator("#feedback-thanks").wait_for()
    assert_clean(axe_page, "feedback sent (es)")


def test_staff_knowledge_pages(browser: Any, live_server: Any,
                               kb: dict[str, Any]) -> None:  # noqa: F811
    editor = kb["staff"][("benefits-agency", Role.KNOWLEDGE_EDITOR)]
    article = kb["a"].articles.get(slug="payment-dates")
    kn.article_edit(article=article, actor=editor, note="clearer",
                    text=kn.VersionText(title_en="Payment dates", body_en="We pay on the 3rd."))
    context = staff_context(browser, live_server, editor)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        for what, path in (("list", ""), ("article", f"{article.pk}/"),
                           ("edit", f"{article.pk}/edit/"), ("versions", f"{article.pk}/versions/"),
                           ("new", "new/"), ("categories", "categories/"), ("gaps", "gaps/"),
                           ("feedback", "feedback/")):
            page.goto(f"{live_server.url}/staff/knowledge/{path}")
            assert_clean(page, f"knowledge {what}")
    finally:
        context.close()
