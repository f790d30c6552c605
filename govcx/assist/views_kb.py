"""Staff knowledge base: /staff/knowledge/… — article list, create, edit (a new version),
version history with diffs, lifecycle buttons, categories, the content-gap report and the
"Was this helpful?" feedback report.

Thin: every read goes through govcx/assist/selectors.py (scoped to the user's agencies by
capability; another agency's article is a 404), every write through
govcx/assist/knowledge.py (which checks the capability again). Reading feedback comments
(free text typed by the public) is an audit event.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from govcx.assist import knowledge, selectors
from govcx.assist.markdown import markdown_render
from govcx.assist.models import Article, ArticleVersion, Category
from govcx.core.models import Agency, Service
from govcx.core.params import id_param
from govcx.core.selectors import agencies_for, agency_ids_for
from govcx.core.services import audit_record_per_agency
from govcx.feedback.schema import no_nul

TEXT_FIELDS = ("title_en", "summary_en", "body_en", "title_es", "summary_es", "body_es")
FIELD_LABELS = {"title_en": "Title (English)", "summary_en": "Summary (English)",
                "body_en": "Text (English)", "title_es": "Title (Spanish)",
                "summary_es": "Summary (Spanish)", "body_es": "Text (Spanish)"}


def _article_or_404(request: HttpRequest, article_id: int,
                    capability: str = "knowledge.view") -> Article:
    try:
        return selectors.article_get(request.user, article_id, capability)
    except Article.DoesNotExist as exc:
        raise Http404("No such article.") from exc


def _latest_or_404(article: Article) -> ArticleVersion:
    try:
        return knowledge.article_latest(article)
    except knowledge.KnowledgeError as exc:  # an article made outside the services
        raise Http404("This article has no version.") from exc


def _title(article: Article) -> str:
    v = article.versions.order_by("-number").values_list("title_en", flat=True).first()
    return v or article.slug


# --- list -------------------------------------------------------------------------------------

@login_required
@require_GET
def kb_list(request: HttpRequest) -> HttpResponse:
    status = no_nul(request.GET.get("status", ""))[:12]
    status = status if status in Article.Status.values else ""
    articles = list(selectors.articles_for(request.user, "knowledge.view", status)
                    .order_by("agency__name", "slug"))
    titles = dict(ArticleVersion.objects.filter(article__in=articles)
                  .order_by("article_id", "number").values_list("article_id", "title_en"))
    today = timezone.localdate()
    rows = [{"a": a, "title": titles.get(a.pk, a.slug),
             "overdue": a.review_by is not None and a.review_by < today} for a in articles]
    return render(request, "assist/kb/list.html", {
        "rows": rows, "status": status, "statuses": Article.Status.choices,
        "can_edit": bool(agency_ids_for(request.user, "knowledge.edit")),
        "multi_agency": len({a.agency_id for a in articles}) > 1,
    })


# --- create and edit --------------------------------------------------------------------------

def _choices(request: HttpRequest) -> dict[str, Any]:
    ids = agency_ids_for(request.user, "knowledge.edit")
    return {
        "agencies": list(Agency.objects.filter(id__in=ids).order_by("name")),
        "categories": list(Category.objects.filter(agency_id__in=ids)
                           .select_related("agency").order_by("agency__name", "position")),
        "services": list(Service.objects.filter(agency_id__in=ids)
                         .select_related("agency").order_by("agency__name", "name")),
        "audiences": Article.Audience.choices,
    }


def _parse(request: HttpRequest, agency_ids: set[int]) -> tuple[dict[str, Any], dict[str, str],
                                                                dict[str, Any]]:
    """(values as typed, errors by field, cleaned values)."""
    p = request.POST
    values: dict[str, Any] = {k: no_nul(str(p.get(k, ""))) for k in
                              (*TEXT_FIELDS, "slug", "note", "agency", "category", "audience",
                               "review_by")}
    values["services"] = [s for s in p.getlist("services") if id_param(s)]
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    agency_id = id_param(values["agency"])
    clean["agency"] = (Agency.objects.filter(pk=agency_id, id__in=agency_ids).first()
                       if agency_id else None)
    cat_id = id_param(values["category"])
    clean["category"] = (Category.objects.filter(pk=cat_id, agency_id__in=agency_ids).first()
                         if cat_id else None)
    if cat_id and clean["category"] is None:
        errors["category"] = "Choose one of the categories listed."
    if values["audience"] not in Article.Audience.values:
        errors["audience"] = "Choose who the article is for."
    clean["review_by"] = None
    if values["review_by"].strip():
        try:
            clean["review_by"] = dt.date.fromisoformat(values["review_by"].strip())
        except ValueError:
            errors["review_by"] = "Enter the review date as YYYY-MM-DD."
    clean["services"] = list(Service.objects.filter(
        pk__in=[int(s) for s in values["services"]], agency_id__in=agency_ids))
    clean["text"] = knowledge.VersionText(**{k: values[k] for k in TEXT_FIELDS})
    try:
        clean["text"].cleaned()
    except knowledge.KnowledgeError as exc:
        errors["text"] = str(exc)
    return values, errors, clean


@login_required
@require_http_methods(["GET", "POST"])
def kb_create(request: HttpRequest) -> HttpResponse:
    ids = agency_ids_for(request.user, "knowledge.edit")
    if not ids:
        raise Http404("You cannot write articles.")
    values: dict[str, Any] = {"audience": Article.Audience.PUBLIC, "services": []}
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        values, errors, clean = _parse(request, ids)
        if clean["agency"] is None:
            if len(ids) == 1:
                clean["agency"] = Agency.objects.get(pk=next(iter(ids)))
            else:
                errors["agency"] = "Choose the agency the article belongs to."
        if not errors:
            try:
                article = knowledge.article_create(
                    agency=clean["agency"], actor=request.user, text=clean["text"],
                    slug=values["slug"], category=clean["category"],
                    audience=values["audience"], review_by=clean["review_by"],
                    services=clean["services"], note=values["note"])
            except (knowledge.KnowledgeError, knowledge.KnowledgeDenied) as exc:
                errors["form"] = str(exc)
            else:
                messages.success(request, "Article saved as a draft.")
                return redirect("assist:kb_article", article.pk)
        status = 400
    return render(request, "assist/kb/form.html", {
        **_choices(request), "values": values, "errors": errors, "article": None,
        "labels": FIELD_LABELS}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def kb_edit(request: HttpRequest, article_id: int) -> HttpResponse:
    article = _article_or_404(request, article_id, "knowledge.edit")
    latest = _latest_or_404(article)
    values: dict[str, Any] = {k: getattr(latest, k) for k in TEXT_FIELDS}
    values.update({"category": str(article.category_id or ""), "audience": article.audience,
                   "review_by": article.review_by.isoformat() if article.review_by else "",
                   "services": [str(s) for s in article.services.values_list("pk", flat=True)],
                   "note": ""})
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        values, errors, clean = _parse(request, {article.agency_id})
        if not errors:
            try:
                version = knowledge.article_edit(
                    article=article, actor=request.user, text=clean["text"],
                    note=values["note"], category=clean["category"],
                    audience=values["audience"], review_by=clean["review_by"],
                    services=clean["services"])
            except (knowledge.KnowledgeError, knowledge.KnowledgeDenied) as exc:
                errors["form"] = str(exc)
            else:
                messages.success(request, f"Saved as version {version.number}.")
                return redirect("assist:kb_article", article.pk)
        status = 400
    return render(request, "assist/kb/form.html", {
        **_choices(request), "values": values, "errors": errors, "article": article,
        "title": _title(article), "labels": FIELD_LABELS}, status=status)


# --- one article ------------------------------------------------------------------------------

@login_required
@require_GET
def kb_article(request: HttpRequest, article_id: int) -> HttpResponse:
    article = _article_or_404(request, article_id)
    latest = _latest_or_404(article)
    return render(request, "assist/kb/article.html", {
        "article": article, "v": latest, "title": latest.title_en,
        "body_en": mark_safe(markdown_render(latest.body_en)),  # sanitised by nh3
        "body_es": mark_safe(markdown_render(latest.body_es)),  # sanitised by nh3
        "transitions": article.transitions.select_related("actor", "version")[:50],
        "allowed": [(s, Article.Status(s).label) for s in
                    knowledge.transitions_allowed(article, request.user)],
        "can_edit": article.agency_id in agency_ids_for(request.user, "knowledge.edit"),
        "services": list(article.services.all()),
        "feedback": Counter(article.feedback.values_list("helpful", flat=True)),
    })


@login_required
@require_POST
def kb_transition(request: HttpRequest, article_id: int) -> HttpResponse:
    article = _article_or_404(request, article_id)
    to = no_nul(str(request.POST.get("to", "")))[:12]
    try:
        knowledge.article_transition(article=article, actor=request.user, to_status=to,
                                     note=no_nul(str(request.POST.get("note", "")))[:300])
    except knowledge.KnowledgeDenied as exc:
        return render(request, "assist/kb/denied.html", {"article": article, "reason": str(exc)},
                      status=403)
    except knowledge.KnowledgeError as exc:
        messages.error(request, str(exc))
        return redirect("assist:kb_article", article.pk)
    messages.success(request, f"The article is now {Article.Status(to).label.lower()}.")
    return redirect("assist:kb_article", article.pk)


@login_required
@require_GET
def kb_versions(request: HttpRequest, article_id: int) -> HttpResponse:
    article = _article_or_404(request, article_id)
    versions = list(selectors.article_versions(article))
    by_number = {v.number: v for v in versions}
    new = by_number.get(id_param(request.GET.get("b")) or 0) or (versions[0] if versions else None)
    default_old = new.number - 1 if new is not None else 0
    old = by_number.get(id_param(request.GET.get("a")) or default_old)
    diff = knowledge.version_diff(old, new) if old is not None and new is not None else []
    return render(request, "assist/kb/versions.html", {
        "article": article, "title": _title(article), "versions": versions, "old": old,
        "new": new, "diff": [(FIELD_LABELS[f], lines) for f, lines in diff],
    })


# --- categories ---------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def kb_categories(request: HttpRequest) -> HttpResponse:
    edit_ids = agency_ids_for(request.user, "knowledge.edit")
    errors: dict[str, str] = {}
    values: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        values = {k: no_nul(str(request.POST.get(k, ""))) for k in
                  ("agency", "name_en", "name_es", "slug", "description_en", "description_es",
                   "position")}
        agency_id = id_param(values["agency"])
        if agency_id is None and len(edit_ids) == 1:
            agency_id = next(iter(edit_ids))
        agency = Agency.objects.filter(pk=agency_id, id__in=edit_ids).first() if agency_id else None
        if agency is None:
            errors["agency"] = "Choose one of your agencies."
        else:
            try:
                knowledge.category_create(
                    agency=agency, actor=request.user, name_en=values["name_en"],
                    name_es=values["name_es"], slug=values["slug"],
                    description_en=values["description_en"],
                    description_es=values["description_es"],
                    position=id_param(values["position"]) or 0)
            except (knowledge.KnowledgeError, knowledge.KnowledgeDenied) as exc:
                errors["form"] = str(exc)
            else:
                messages.success(request, "Category added.")
                return redirect("assist:kb_categories")
        status = 400
    return render(request, "assist/kb/categories.html", {
        "categories": selectors.categories_for(request.user).order_by("agency__name",
                                                                      "position"),
        "agencies": agencies_for(request.user, "knowledge.edit").order_by("name"),
        "values": values, "errors": errors}, status=status)


# --- reports ----------------------------------------------------------------------------------

@login_required
@require_GET
def kb_gaps(request: HttpRequest) -> HttpResponse:
    days = id_param(request.GET.get("days")) or 90
    days = min(days, 3650)
    return render(request, "assist/kb/gaps.html", {
        "gaps": selectors.content_gaps(request.user, days=days),
        "unhelpful": selectors.unhelpful_articles(request.user, days=days), "days": days})


@login_required
@require_GET
def kb_feedback(request: HttpRequest) -> HttpResponse:
    helpful_raw = request.GET.get("helpful", "")
    helpful = {"yes": True, "no": False}.get(helpful_raw)
    rows = list(selectors.feedback_for(request.user, helpful=helpful)[:200])
    with_comment = [r for r in rows if r.comment]
    audit_record_per_agency(
        rows_by_agency=dict(Counter(r.article.agency_id for r in with_comment)),
        action="knowledge.feedback.view", request=request, object_type="article_feedback",
        # only the filter as understood: the raw parameter is arbitrary text (a NUL in it
        # cannot be stored in PostgreSQL's jsonb)
        detail={"helpful": helpful_raw if helpful is not None else "all"})
    return render(request, "assist/kb/feedback.html", {"rows": rows, "helpful": helpful_raw})
