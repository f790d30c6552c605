"""Knowledge-base writes: categories, articles and their immutable versions, the lifecycle,
"Was this helpful?" feedback and the help-centre search log.

Lifecycle (ALLOWED below)::

    draft ──submit──► in_review ──publish──► published ──archive──► archived
      ▲                  │                                             │
      └──── back to draft┴──────────────────── back to draft ─────────┘

- submitting, and sending back to draft, need `knowledge.edit`; publishing and archiving
  need `knowledge.publish` — always in the article's own agency;
- every edit is a new `ArticleVersion` (versions are never changed after they are saved);
- publishing points `Article.published_version` at the newest version; that is what the
  public (or staff, for internal articles) reads;
- editing a published article moves it back to draft with the new version, while the public
  keeps reading the version that was published until the new one is published;
- archiving takes the article off the help centre (`published_version` is cleared); an
  article whose edit is in draft or in review while an earlier version is live may be
  archived too (otherwise the live text could only come down by publishing the edit).
Every move is an `ArticleTransition` row; publishing and archiving refresh the search index.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.signing import BadSignature, Signer
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.text import slugify

from govcx.assist.models import (
    Article,
    ArticleFeedback,
    ArticleTransition,
    ArticleVersion,
    Category,
    SearchLog,
)
from govcx.core.models import Agency, Service
from govcx.core.redact import redact
from govcx.core.selectors import AnyUser, agency_ids_for
from govcx.feedback.schema import no_nul

S = Article.Status
ALLOWED: dict[str, dict[str, str]] = {
    # from: {to: capability}
    S.DRAFT: {S.IN_REVIEW: "knowledge.edit"},
    S.IN_REVIEW: {S.PUBLISHED: "knowledge.publish", S.DRAFT: "knowledge.edit"},
    S.PUBLISHED: {S.ARCHIVED: "knowledge.publish"},
    S.ARCHIVED: {S.DRAFT: "knowledge.edit"},
}
MAX_COMMENT = 1000
MAX_POSITION = 32_767  # fits every database's PositiveIntegerField
MAX_QUERY = 300
VERSION_FIELDS = ("title_en", "summary_en", "body_en", "title_es", "summary_es", "body_es")


class KnowledgeError(ValueError):
    """A write that cannot be done as asked (the message is shown to the person)."""


class KnowledgeDenied(PermissionError):
    """The actor lacks the capability in the article's agency (views answer 403/404)."""


def redact_text(text: str) -> tuple[str, list[str]]:
    """Personal data (SSN, phone, email, card numbers, addresses) replaced by placeholders."""
    out, kinds = redact(text)
    return str(out), list(kinds)


def _require(actor: AnyUser, agency_id: int, capability: str) -> None:
    if agency_id not in agency_ids_for(actor, capability):
        raise KnowledgeDenied(f"You may not do this in this agency ({capability}).")


def _clean(value: str, limit: int) -> str:
    return no_nul(str(value or "")).strip()[:limit]


# --- categories -------------------------------------------------------------------------------

def category_create(*, agency: Agency, actor: AnyUser, name_en: str, slug: str = "",
                    name_es: str = "", description_en: str = "", description_es: str = "",
                    position: int = 0) -> Category:
    _require(actor, agency.pk, "knowledge.edit")
    name_en = _clean(name_en, 120)
    if not name_en:
        raise KnowledgeError("Give the category an English name.")
    slug = slugify(slug or name_en)[:80]
    if not slug:
        raise KnowledgeError("Give the category a web address made of letters and numbers.")
    if Category.objects.filter(agency=agency, slug=slug).exists():
        raise KnowledgeError(f"This agency already has a category at “{slug}”.")
    return Category.objects.create(
        agency=agency, slug=slug, name_en=name_en, name_es=_clean(name_es, 120),
        description_en=_clean(description_en, 300), description_es=_clean(description_es, 300),
        position=min(max(0, int(position)), MAX_POSITION))


# --- articles and versions --------------------------------------------------------------------

@dataclass(frozen=True)
class VersionText:
    title_en: str
    body_en: str
    summary_en: str = ""
    title_es: str = ""
    summary_es: str = ""
    body_es: str = ""

    def cleaned(self) -> VersionText:
        v = VersionText(title_en=_clean(self.title_en, 200), body_en=no_nul(self.body_en or ""),
                        summary_en=_clean(self.summary_en, 500),
                        title_es=_clean(self.title_es, 200),
                        summary_es=_clean(self.summary_es, 500),
                        body_es=no_nul(self.body_es or ""))
        if not v.title_en:
            raise KnowledgeError("Give the article an English title.")
        if not v.body_en.strip():
            raise KnowledgeError("Write the English text of the article.")
        if len(v.body_en) > 100_000 or len(v.body_es) > 100_000:
            raise KnowledgeError("The article text must be 100,000 characters or fewer.")
        if (v.summary_es or v.body_es) and not v.title_es:
            raise KnowledgeError("Give the Spanish version a title too.")
        if v.title_es and not v.body_es.strip():
            raise KnowledgeError("Write the Spanish text, or leave the Spanish title blank.")
        return v


def _settings(article: Article, *, agency_id: int, category: Category | None,
              audience: str | None, review_by: dt.date | Any | None, owner: Any) -> None:
    if category is not None and category.agency_id != agency_id:
        raise KnowledgeError("That category belongs to another agency.")
    if audience is not None:
        if audience not in Article.Audience.values:
            raise KnowledgeError("Choose who the article is for: public or internal.")
        article.audience = audience
    article.category = category
    if review_by is not ...:
        article.review_by = review_by
    if owner is not ...:
        article.owner = owner


def _services_set(article: Article, services: Iterable[Service] | None) -> None:
    if services is None:
        return
    chosen = list(services)
    if any(s.agency_id != article.agency_id for s in chosen):
        raise KnowledgeError("A related service belongs to another agency.")
    article.services.set(chosen)


def article_create(*, agency: Agency, actor: AnyUser, text: VersionText, slug: str = "",
                   category: Category | None = None, audience: str = Article.Audience.PUBLIC,
                   review_by: dt.date | None = None, services: Iterable[Service] | None = None,
                   note: str = "") -> Article:
    """A new draft article with its first version. The actor becomes its owner."""
    _require(actor, agency.pk, "knowledge.edit")
    t = text.cleaned()
    slug = slugify(slug or t.title_en)[:120]
    if not slug:
        raise KnowledgeError("Give the article a web address made of letters and numbers.")
    owner: Any = actor if actor.is_authenticated else None
    article = Article(agency=agency, slug=slug, status=S.DRAFT)
    _settings(article, agency_id=agency.pk, category=category, audience=audience,
              review_by=review_by, owner=owner)
    try:
        with transaction.atomic():
            article.save()
    except IntegrityError as exc:
        raise KnowledgeError(f"This agency already has an article at “{slug}”.") from exc
    _services_set(article, services)
    version = ArticleVersion.objects.create(article=article, number=1,
                                            note=_clean(note, 300) or "First version",
                                            created_by=owner, **t.__dict__)
    ArticleTransition.objects.create(article=article, version=version, from_status=S.DRAFT,
                                     to_status=S.DRAFT, actor=owner, note="created")
    return article


def article_latest(article: Article) -> ArticleVersion:
    version = article.versions.order_by("-number").first()
    if version is None:  # every article made by article_create has one
        raise KnowledgeError("This article has no version yet.")
    return version


@transaction.atomic
def article_edit(*, article: Article, actor: AnyUser, text: VersionText, note: str = "",
                 category: Category | Any | None = ..., audience: str | None = None,
                 review_by: dt.date | Any | None = ...,
                 services: Iterable[Service] | None = None) -> ArticleVersion:
    """Save an edit as a new, immutable version (the previous ones stay as they were).

    An edit of a published or archived article moves it to draft; the public keeps reading
    the published version until this one is published."""
    _require(actor, article.agency_id, "knowledge.edit")
    article = Article.objects.select_for_update().get(pk=article.pk)
    t = text.cleaned()
    latest = article.versions.aggregate(n=Max("number"))["n"] or 0
    user: Any = actor if actor.is_authenticated else None
    version = ArticleVersion.objects.create(article=article, number=latest + 1,
                                            note=_clean(note, 300), created_by=user,
                                            **t.__dict__)
    _settings(article, agency_id=article.agency_id,
              category=article.category if category is ... else category,
              audience=audience, review_by=review_by, owner=...)
    _services_set(article, services)
    if article.status in (S.PUBLISHED, S.ARCHIVED):
        ArticleTransition.objects.create(article=article, version=version,
                                         from_status=article.status, to_status=S.DRAFT,
                                         actor=user, note="edited")
        article.status = S.DRAFT
    article.save()
    return version


def _moves(article: Article) -> dict[str, str]:
    """ALLOWED for the article's status; an article whose edit is in draft or in review while
    an earlier version is still live may also be archived (taken off the help centre at once,
    without publishing the unfinished edit first)."""
    moves = dict(ALLOWED.get(article.status, {}))
    if article.status in (S.DRAFT, S.IN_REVIEW) and article.published_version_id is not None:
        moves[S.ARCHIVED] = "knowledge.publish"
    return moves


def transitions_allowed(article: Article, actor: AnyUser) -> list[str]:
    """The statuses this actor may move the article to now."""
    out = []
    for to, capability in _moves(article).items():
        if article.agency_id in agency_ids_for(actor, capability):
            out.append(to)
    return out


@transaction.atomic
def article_transition(*, article: Article, actor: AnyUser, to_status: str,
                       note: str = "") -> ArticleTransition:
    article = Article.objects.select_for_update().get(pk=article.pk)
    capability = _moves(article).get(to_status)
    if capability is None:
        raise KnowledgeError(
            f"An article that is {article.get_status_display().lower()} cannot move to "
            f"“{to_status}”.")
    _require(actor, article.agency_id, capability)
    version = article_latest(article)
    user: Any = actor if actor.is_authenticated else None
    row = ArticleTransition.objects.create(article=article, version=version,
                                           from_status=article.status, to_status=to_status,
                                           actor=user, note=_clean(note, 300))
    article.status = to_status
    if to_status == S.PUBLISHED:
        article.published_version = version
    elif to_status == S.ARCHIVED:
        article.published_version = None
    article.save()
    if to_status in (S.PUBLISHED, S.ARCHIVED):
        from govcx.assist.search import search_index_invalidate

        agency_id = article.agency_id
        transaction.on_commit(lambda: search_index_invalidate(agency_id))
    return row


# --- diff ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class DiffLine:
    kind: str  # "add", "del", "same", "gap"
    text: str


def version_diff(old: ArticleVersion, new: ArticleVersion,
                 context: int = 3) -> list[tuple[str, list[DiffLine]]]:
    """Per field that changed, the unified diff lines (difflib) from `old` to `new`."""
    out: list[tuple[str, list[DiffLine]]] = []
    for name in VERSION_FIELDS:
        a = (getattr(old, name) or "").splitlines()
        b = (getattr(new, name) or "").splitlines()
        if a == b:
            continue
        lines: list[DiffLine] = []
        for raw in difflib.unified_diff(a, b, lineterm="", n=context):
            if raw.startswith(("---", "+++")):
                continue
            if raw.startswith("@@"):
                lines.append(DiffLine("gap", raw))
            elif raw.startswith("+"):
                lines.append(DiffLine("add", raw[1:]))
            elif raw.startswith("-"):
                lines.append(DiffLine("del", raw[1:]))
            else:
                lines.append(DiffLine("same", raw[1:]))
        out.append((name, lines))
    return out


# --- public feedback and searches -----------------------------------------------------------

def article_feedback_record(*, article: Article, helpful: bool, comment: str = "",
                            language: str = "en") -> ArticleFeedback:
    """A "Was this helpful?" answer on a published article; the comment is stored redacted."""
    if article.published_version_id is None or article.status == S.ARCHIVED:
        raise KnowledgeError("This article is not published.")
    comment = no_nul(comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise KnowledgeError(f"Your comment must be {MAX_COMMENT:,} characters or fewer.")
    comment, _kinds = redact_text(comment)
    return ArticleFeedback.objects.create(
        article=article, version_id=article.published_version_id, helpful=bool(helpful),
        comment=comment, language=language if language in ("en", "es") else "en")


def query_normalise(query: str) -> str:
    """Lower case, accents kept, punctuation to spaces, spaces collapsed: one form per query
    for grouping the content-gap report."""
    q = unicodedata.normalize("NFC", no_nul(query or "")).lower()
    q = re.sub(r"[^\w\s'\[\]-]+", " ", q)  # redaction placeholders such as [EMAIL] stay
    return re.sub(r"\s+", " ", q).strip()[:MAX_QUERY]


def search_log_record(*, agency: Agency | int, query: str, language: str = "en",
                      source: str = SearchLog.Source.HELP, results: int = 0,
                      top_score: float | None = None) -> SearchLog:
    """Log one search (redacted, normalised) for the content-gap report."""
    text, _kinds = redact_text(no_nul(query or "")[:MAX_QUERY * 2])
    agency_id = agency if isinstance(agency, int) else agency.pk
    return SearchLog.objects.create(
        agency_id=agency_id, query=query_normalise(text),
        language=language if language in ("en", "es") else "en",
        source=source if source in SearchLog.Source.values else SearchLog.Source.HELP,
        results=max(0, int(results)), top_score=top_score)


_signer = Signer(salt="govcx.assist.search-click")


def search_click_token(log: SearchLog) -> str:
    """What a result link carries (?from_search=…): the log id, signed so a click cannot be
    attributed to someone else's search by editing the address."""
    return _signer.sign(str(log.pk))


def search_click_record(*, token: str, article: Article) -> bool:
    """Mark the search as opened (its first click); False for a bad or foreign token."""
    try:
        log_id = int(_signer.unsign(str(token)[:100]))
    except (BadSignature, ValueError):
        return False
    return bool(SearchLog.objects.filter(pk=log_id, agency_id=article.agency_id,
                                         clicked__isnull=True).update(clicked=article))
