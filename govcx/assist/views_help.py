"""The public help centre: /help/<agency_slug>/ (English; Spanish with ?lang=es).

Only published, not archived, public articles are ever shown (selectors.articles_public).
Searches are logged (redacted) for the content-gap report, and a result link carries a
signed `from_search` token so opening it marks the search as clicked. "Was this helpful?"
is a plain form (works without JavaScript), rate-limited per client address.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django_ratelimit.core import is_ratelimited

from govcx.assist import knowledge, selectors
from govcx.assist.markdown import markdown_render
from govcx.assist.models import Article, ArticleVersion, Category
from govcx.assist.search import MAX_QUERY, search
from govcx.core.models import Agency
from govcx.core.services import client_ip
from govcx.feedback.schema import no_nul
from govcx.journeys.services import journey_article_view_record

SEARCH_RATE = "120/m"
SEARCH_QUERY_RATE = "300/m"  # searches per client address; over it, 429 (the page says why)


def _lang(request: HttpRequest) -> str:
    lang = request.POST.get("lang") or request.GET.get("lang") or "en"
    return lang if lang in ("en", "es") else "en"


def _agency(agency_slug: str) -> Agency:
    agency = selectors.agency_public(agency_slug)
    if agency is None:
        raise Http404("No help centre at this address.")
    return agency


def _limited(request: HttpRequest, group: str, rate: str) -> bool:
    if not settings.RATELIMIT_ENABLE:
        return False
    return is_ratelimited(request, group=group, key=lambda g, r: client_ip(r) or "unknown",
                          rate=rate, increment=True)


def category_name(cat: Category, lang: str) -> str:
    return (cat.name_es if lang == "es" and cat.name_es else cat.name_en)


def _categories(agency: Agency, lang: str) -> list[dict[str, Any]]:
    return [{"slug": c.slug, "name": category_name(c, lang),
             "description": (c.description_es if lang == "es" and c.description_es
                             else c.description_en),
             "count": getattr(c, "n_articles", 0)}
            for c in selectors.categories_public(agency)]


def localised(version: ArticleVersion, lang: str) -> dict[str, Any]:
    """The version's text in `lang`: Spanish falls back to English (flagged)."""
    spanish = lang == "es" and bool(version.title_es)
    return {
        "title": version.title_es if spanish else version.title_en,
        "summary": version.summary_es if spanish else version.summary_en,
        "body": version.body_es if spanish else version.body_en,
        "fallback": lang == "es" and not spanish,
        "text_lang": "es" if spanish else "en",
    }


def _article_rows(articles: list[Article], lang: str) -> list[dict[str, Any]]:
    rows = []
    for a in articles:
        assert a.published_version is not None
        t = localised(a.published_version, lang)
        rows.append({"slug": a.slug, "title": t["title"], "summary": t["summary"],
                     "text_lang": t["text_lang"]})
    rows.sort(key=lambda r: r["title"].lower())
    return rows


def _ctx(request: HttpRequest, agency: Agency, lang: str, **kw: Any) -> dict[str, Any]:
    other = "en" if lang == "es" else "es"
    query = request.GET.copy()
    query["lang"] = other
    for k in ("from_search", "thanks"):
        query.pop(k, None)
    return {"agency": agency, "lang": lang, "switch_lang": other,
            "switch_query": query.urlencode(), "help_base": f"/help/{agency.slug}/",
            "lang_q": "?lang=es" if lang == "es" else "", **kw}


@require_GET
def help_home(request: HttpRequest, agency_slug: str) -> HttpResponse:
    agency = _agency(agency_slug)
    lang = _lang(request)
    with translation.override(lang):
        uncategorised = list(selectors.articles_public(agency).filter(category__isnull=True))
        return render(request, "assist/help/home.html", _ctx(
            request, agency, lang, categories=_categories(agency, lang),
            uncategorised=_article_rows(uncategorised, lang)))


@require_GET
def help_category(request: HttpRequest, agency_slug: str, category_slug: str) -> HttpResponse:
    agency = _agency(agency_slug)
    lang = _lang(request)
    category = selectors.category_public(agency, category_slug)
    if category is None:
        raise Http404("No such category.")
    with translation.override(lang):
        articles = list(selectors.articles_public(agency).filter(category=category))
        if not articles:
            raise Http404("No such category.")
        return render(request, "assist/help/category.html", _ctx(
            request, agency, lang, category=category, name=category_name(category, lang),
            description=(category.description_es if lang == "es" and category.description_es
                         else category.description_en),
            articles=_article_rows(articles, lang)))


def _article_page(request: HttpRequest, agency: Agency, article: Article, lang: str, *,
                  status: int = 200, errors: dict[str, str] | None = None,
                  values: dict[str, str] | None = None, form_error: str = "") -> HttpResponse:
    version = article.published_version
    assert version is not None
    text = localised(version, lang)
    related = [s.name for s in article.services.all()]
    return render(request, "assist/help/article.html", _ctx(
        request, agency, lang, article=article, version=version, text=text,
        body_html=mark_safe(markdown_render(text["body"])),  # sanitised by nh3
        category_name=category_name(article.category, lang) if article.category else "",
        related=related, thanks=request.GET.get("thanks") in ("yes", "no"),
        errors=errors or {}, values=values or {}, form_error=form_error,
        max_comment=knowledge.MAX_COMMENT), status=status)


@require_http_methods(["GET", "POST"])
def help_article(request: HttpRequest, agency_slug: str, article_slug: str) -> HttpResponse:
    agency = _agency(agency_slug)
    lang = _lang(request)
    article = selectors.article_public(agency, article_slug)
    if article is None:
        raise Http404("No such article.")
    with translation.override(lang):
        if request.method == "GET":
            token = request.GET.get("from_search")
            if token:
                knowledge.search_click_record(token=token, article=article)
            get_token(request)  # the page's form needs it anyway; its secret keys the visitor
            journey_article_view_record(agency=agency, article=article, language=lang,
                                        visitor=request.META.get("CSRF_COOKIE", ""))
            return _article_page(request, agency, article, lang)
        # POST: "Was this helpful?"
        helpful_raw = request.POST.get("helpful", "")
        comment = no_nul(str(request.POST.get("comment", ""))).strip()
        values = {"helpful": helpful_raw, "comment": comment}
        errors: dict[str, str] = {}
        if helpful_raw not in ("yes", "no"):
            errors["helpful"] = _("Choose yes or no.")
        if len(comment) > knowledge.MAX_COMMENT:
            errors["comment"] = _("Your comment must be 1,000 characters or fewer.")
        if errors:
            return _article_page(request, agency, article, lang, status=400, errors=errors,
                                 values=values)
        if _limited(request, "help-feedback-client", settings.RATELIMIT_SUBMIT_PER_CLIENT):
            return _article_page(
                request, agency, article, lang, status=429, values=values,
                form_error=_("Too many answers from your connection. Please wait a minute and "
                             "send again."))
        try:
            knowledge.article_feedback_record(article=article, helpful=helpful_raw == "yes",
                                              comment=comment, language=lang)
        except knowledge.KnowledgeError as exc:
            return _article_page(request, agency, article, lang, status=400, values=values,
                                 form_error=str(exc))
        suffix = "&lang=es" if lang == "es" else ""
        return redirect(f"/help/{agency.slug}/a/{article.slug}/?thanks={helpful_raw}{suffix}"
                        "#feedback")


@require_GET
def help_search(request: HttpRequest, agency_slug: str) -> HttpResponse:
    agency = _agency(agency_slug)
    lang = _lang(request)
    raw = no_nul(str(request.GET.get("q", ""))).strip()
    with translation.override(lang):
        if len(raw) > MAX_QUERY:
            return render(request, "assist/help/search.html", _ctx(
                request, agency, lang, q=raw[:MAX_QUERY], hits=[], searched=False,
                error=_("Your search must be 300 characters or fewer.")), status=400)
        hits: list[dict[str, Any]] = []
        searched = bool(raw)
        if searched and _limited(request, "help-search-query", SEARCH_QUERY_RATE):
            return render(request, "assist/help/search.html", _ctx(
                request, agency, lang, q=raw, hits=[], searched=False,
                error=_("Too many searches from your connection. Wait a minute and try "
                        "again.")), status=429)
        if searched:
            result = search(agency=agency, query=raw, language=lang)
            token = ""
            if not _limited(request, "help-search-client", SEARCH_RATE):
                log = knowledge.search_log_record(agency=agency, query=raw, language=lang,
                                                  results=len(result.hits),
                                                  top_score=result.top_score)
                token = knowledge.search_click_token(log)
            params = {"lang": "es"} if lang == "es" else {}
            if token:
                params["from_search"] = token
            suffix = "?" + urlencode(params) if params else ""
            for h in result.hits:
                hits.append({"title": h.title, "summary": h.summary,
                             "text_lang": "en" if h.fallback else lang,
                             "url": f"/help/{agency.slug}/a/{h.slug}/{suffix}"})
        return render(request, "assist/help/search.html", _ctx(
            request, agency, lang, q=raw, hits=hits, searched=searched, error="",
            contact_link=format_html('<a class="usa-link" href="/contact/{}/{}">{}</a>',
                                     agency.slug, "?lang=es" if lang == "es" else "",
                                     _("contact us"))))
