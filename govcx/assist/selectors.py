"""Knowledge-base reads: staff (scoped to the user's agencies by capability) and public
(only published, not archived, public articles of one agency)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from govcx.assist.models import Article, ArticleFeedback, ArticleVersion, Category, SearchLog
from govcx.core.models import Agency
from govcx.core.selectors import AnyUser, agency_ids_for

# --- staff ----------------------------------------------------------------------------------


def articles_for(user: AnyUser, capability: str = "knowledge.view",
                 status: str = "") -> QuerySet[Article]:
    qs = Article.objects.filter(agency_id__in=agency_ids_for(user, capability))
    if status in Article.Status.values:
        qs = qs.filter(status=status)
    return qs.select_related("agency", "category", "owner", "published_version")


def article_get(user: AnyUser, article_id: int, capability: str = "knowledge.view") -> Article:
    """The article, or Article.DoesNotExist when the user may not see it (views: 404)."""
    return articles_for(user, capability).get(pk=article_id)


def article_versions(article: Article) -> QuerySet[ArticleVersion]:
    return article.versions.select_related("created_by").order_by("-number")


def categories_for(user: AnyUser, capability: str = "knowledge.view") -> QuerySet[Category]:
    return (Category.objects.filter(agency_id__in=agency_ids_for(user, capability))
            .select_related("agency").annotate(n_articles=Count("articles")))


@dataclass(frozen=True)
class GapRow:
    agency: str
    query: str
    language: str
    searches: int
    no_results: int
    no_click: int
    last: dt.datetime


@dataclass(frozen=True)
class UnhelpfulRow:
    article: Article
    unhelpful: int
    helpful: int

    @property
    def share_unhelpful(self) -> int:
        total = self.unhelpful + self.helpful
        return round(100 * self.unhelpful / total) if total else 0


def content_gaps(user: AnyUser, days: int = 90, limit: int = 200) -> list[GapRow]:
    """Searches that found nothing (any source), or found something in the help centre that
    nobody opened, grouped by normalised query and language, most frequent first."""
    since = timezone.now() - dt.timedelta(days=days)
    gap = Q(results=0) | Q(source=SearchLog.Source.HELP, clicked__isnull=True)
    rows = (SearchLog.objects
            .filter(agency_id__in=agency_ids_for(user, "knowledge.view"), created_at__gte=since)
            .filter(gap)
            .values("agency__name", "query", "language")
            .annotate(searches=Count("id"), no_results=Count("id", filter=Q(results=0)),
                      no_click=Count("id", filter=Q(results__gt=0)),
                      last=Max("created_at"))
            .order_by("-searches", "-last")[:limit])
    return [GapRow(agency=r["agency__name"], query=r["query"], language=r["language"],
                   searches=r["searches"], no_results=r["no_results"], no_click=r["no_click"],
                   last=r["last"]) for r in rows]


def unhelpful_articles(user: AnyUser, days: int = 90, limit: int = 50) -> list[UnhelpfulRow]:
    """Articles that people said did not help, most "no" answers first."""
    since = timezone.now() - dt.timedelta(days=days)
    qs = (articles_for(user, "knowledge.view")
          .annotate(unhelpful=Count("feedback", filter=Q(feedback__helpful=False,
                                                         feedback__created_at__gte=since)),
                    helpful=Count("feedback", filter=Q(feedback__helpful=True,
                                                       feedback__created_at__gte=since)))
          .filter(unhelpful__gt=0).order_by("-unhelpful", "slug")[:limit])
    return [UnhelpfulRow(article=a, unhelpful=a.unhelpful, helpful=a.helpful) for a in qs]


def feedback_for(user: AnyUser, article: Article | None = None,
                 helpful: bool | None = None) -> QuerySet[ArticleFeedback]:
    qs = ArticleFeedback.objects.filter(
        article__agency_id__in=agency_ids_for(user, "knowledge.view"))
    if article is not None:
        qs = qs.filter(article=article)
    if helpful is not None:
        qs = qs.filter(helpful=helpful)
    return qs.select_related("article", "article__agency", "version").order_by("-created_at",
                                                                               "-id")


# --- public -----------------------------------------------------------------------------------

def agency_public(slug: str) -> Agency | None:
    """The agency whose help centre lives at /help/<slug>/, or None."""
    return Agency.objects.filter(slug=slug).first()


def articles_public(agency: Agency) -> QuerySet[Article]:
    """Published (not archived) public articles: all the public ever sees."""
    return (Article.objects.filter(agency=agency, audience=Article.Audience.PUBLIC,
                                   published_version__isnull=False)
            .exclude(status=Article.Status.ARCHIVED)
            .select_related("published_version", "category"))


def article_public(agency: Agency, slug: str) -> Article | None:
    return articles_public(agency).filter(slug=slug).first()


def categories_public(agency: Agency) -> list[Category]:
    """The agency's categories that hold at least one public article, in order."""
    visible = articles_public(agency).values("category_id")
    return list(Category.objects.filter(agency=agency, id__in=visible)
                .annotate(n_articles=Count("articles", filter=Q(
                    articles__in=articles_public(agency)))))


def category_public(agency: Agency, slug: str) -> Category | None:
    return Category.objects.filter(agency=agency, slug=slug).first()
