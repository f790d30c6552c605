"""Staff pages of the assistant: the report, intents and their example phrasings, training,
conversations and their (redacted) transcripts.

Thin: parse, authorise through selectors (scoped to the user's agencies), call a service,
render. Reading a transcript is audited; a refused read is audited as denied and answered 404.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from govcx.assist import intents as intent_services
from govcx.assist import selectors_assistant as sel
from govcx.assist.models import Article, AssistantModel, Conversation, Intent, IntentExample
from govcx.assist.training import TrainingError, assistant_train_request
from govcx.core.selectors import agencies_for, agency_ids_for
from govcx.core.services import audit_record, audit_record_per_agency
from govcx.feedback.schema import no_nul

MAX_ID = 2**63 - 1
DEFAULT_DAYS = 30
PAGE_SIZE = 50


class BadInput(ValueError):
    pass


def _int(raw: Any) -> int | None:
    raw = no_nul(str(raw or "")).strip()
    if not raw:
        return None
    if not raw.isdigit() or int(raw) > MAX_ID:
        raise BadInput(_("Choose an agency from the list."))
    return int(raw)


def _date(raw: str | None, label: str) -> dt.date | None:
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(no_nul(raw).strip())
    except ValueError:
        raise BadInput(_("The %(name)s date must be in the form YYYY-MM-DD.") % {"name": label}
                       ) from None


def _filter(request: HttpRequest) -> tuple[sel.ConversationFilter, str]:
    """The period and agency chosen in the query string (the last 30 days by default)."""
    g = request.GET
    error = ""
    today = timezone.localdate()
    try:
        start = _date(g.get("start"), _("start"))
        end = _date(g.get("end"), _("end"))
        agency = _int(g.get("agency"))
    except BadInput as exc:
        error, start, end, agency = str(exc), None, None, None
    if start is None and end is None:
        start, end = today - dt.timedelta(days=DEFAULT_DAYS - 1), today
    if start and end and start > end:
        error = _("The start date must be on or before the end date.")
        start, end = end, start
    status = no_nul(g.get("status", ""))[:20]
    reason = no_nul(g.get("reason", ""))[:20]
    return sel.ConversationFilter(agency=agency, start=start, end=end, status=status,
                                  reason=reason), error


def _nav(request: HttpRequest) -> dict[str, bool]:
    return {"can_manage": bool(agency_ids_for(request.user, "assistant.manage")),
            "can_report": bool(agency_ids_for(request.user, "assistant.report"))}


# --- report -----------------------------------------------------------------------------------

@login_required
@require_GET
def report(request: HttpRequest) -> HttpResponse:
    if not agency_ids_for(request.user, "assistant.report"):
        raise Http404(_("You cannot see the assistant's report."))
    f, error = _filter(request)
    r = sel.assistant_report(request.user, f)
    if r.out_of_scope_by_agency:  # people's own words (redacted), as in a transcript
        audit_record_per_agency(rows_by_agency=r.out_of_scope_by_agency,
                                action="assistant.report.view", request=request,
                                object_type="conversation_message",
                                detail={"shown": "top_out_of_scope"})
    return render(request, "assist/assistant/report.html", {
        "f": f, "r": r, "error": error, "agencies": sel.report_agencies(request.user),
        "nav": _nav(request), "active": "report"}, status=400 if error else 200)


# --- conversations ----------------------------------------------------------------------------

@login_required
@require_GET
def conversations(request: HttpRequest) -> HttpResponse:
    if not agency_ids_for(request.user, "assistant.report"):
        raise Http404(_("You cannot see the assistant's conversations."))
    f, error = _filter(request)
    page = Paginator(sel.conversations_for(request.user, f), PAGE_SIZE).get_page(
        request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "assist/assistant/conversations.html", {
        "f": f, "error": error, "page": page, "query": query.urlencode(),
        "agencies": sel.report_agencies(request.user), "statuses": Conversation.Status.choices,
        "reasons": Conversation.Reason.choices, "nav": _nav(request),
        "active": "conversations"}, status=400 if error else 200)


@login_required
@require_GET
def conversation(request: HttpRequest, conversation_id: int) -> HttpResponse:
    try:
        conv = sel.conversation_get(request.user, conversation_id)
    except Conversation.DoesNotExist as exc:
        audit_record(action="assistant.conversation.view", request=request,
                     object_type="conversation", object_id=conversation_id, outcome="denied")
        raise Http404(_("No such conversation.")) from exc
    audit_record(action="assistant.conversation.view", request=request, agency=conv.agency_id,
                 object_type="conversation", object_id=conv.pk)
    can_see_case = conv.case_id is not None and conv.agency_id in agency_ids_for(
        request.user, "cases.view")
    return render(request, "assist/assistant/conversation.html", {
        "c": conv, "messages_list": list(sel.conversation_messages(conv)),
        "can_see_case": can_see_case, "nav": _nav(request), "active": "conversations"})


# --- intents ----------------------------------------------------------------------------------

def _manage_or_404(request: HttpRequest) -> None:
    if not agency_ids_for(request.user, "assistant.manage"):
        raise Http404(_("You cannot manage the assistant."))


def _intent_or_404(request: HttpRequest, intent_id: int) -> Intent:
    try:
        return sel.intent_get(request.user, intent_id)
    except Intent.DoesNotExist as exc:
        raise Http404(_("No such intent.")) from exc


def _articles(agency_ids: set[int]) -> list[Article]:
    return list(Article.objects.filter(agency_id__in=agency_ids)
                .select_related("agency", "published_version").order_by("agency__name", "slug"))


def _form_values(request: HttpRequest) -> dict[str, Any]:
    p = request.POST
    return {k: no_nul(str(p.get(k, "")))[:300] for k in ("agency", "name", "title", "kind",
                                                         "article")} | {
        "active": p.get("active") == "on"}


def _article_choice(raw: str, agency_id: int) -> Article | None:
    if not raw:
        return None
    if not raw.isdigit() or int(raw) > MAX_ID:
        raise intent_services.IntentError(_("Choose an article from the list."))
    found = Article.objects.filter(pk=int(raw), agency_id=agency_id).first()
    if found is None:
        raise intent_services.IntentError(_("Choose an article of the same agency."))
    return found


@login_required
@require_GET
def intents(request: HttpRequest) -> HttpResponse:
    _manage_or_404(request)
    rows = list(sel.intents_for(request.user))
    return render(request, "assist/assistant/intents.html", {
        "intents": rows, "nav": _nav(request), "active": "intents"})


@login_required
@require_http_methods(["GET", "POST"])
def intent_new(request: HttpRequest) -> HttpResponse:
    _manage_or_404(request)
    agencies = list(agencies_for(request.user, "assistant.manage").order_by("name"))
    values: dict[str, Any] = {"kind": Intent.Kind.ANSWER, "active": True,
                              "agency": str(agencies[0].pk) if len(agencies) == 1 else ""}
    error = ""
    if request.method == "POST":
        values = _form_values(request)
        agency = next((a for a in agencies if str(a.pk) == values["agency"]), None)
        try:
            if agency is None:
                raise intent_services.IntentError(_("Choose an agency from the list."))
            intent = intent_services.intent_create(
                agency=agency, actor=request.user, name=values["name"], title=values["title"],
                kind=values["kind"], article=_article_choice(values["article"], agency.pk),
                active=values["active"])
        except intent_services.IntentError as exc:
            error = str(exc)
        else:
            messages.success(request, _("Intent created. Add example phrasings, then train."))
            return redirect("assist:assistant_intent", intent_id=intent.pk)
    return render(request, "assist/assistant/intent_form.html", {
        "values": values, "error": error, "agencies": agencies, "intent": None,
        "articles": _articles({a.pk for a in agencies}), "kinds": Intent.Kind.choices,
        "nav": _nav(request), "active": "intents"}, status=400 if error else 200)


@login_required
@require_http_methods(["GET", "POST"])
def intent_edit(request: HttpRequest, intent_id: int) -> HttpResponse:
    intent = _intent_or_404(request, intent_id)
    values: dict[str, Any] = {"name": intent.name, "title": intent.title, "kind": intent.kind,
                              "article": str(intent.article_id or ""), "active": intent.active}
    error = ""
    if request.method == "POST":
        values = _form_values(request)
        try:
            intent_services.intent_update(
                intent=intent, actor=request.user, name=values["name"], title=values["title"],
                kind=values["kind"], article=_article_choice(values["article"],
                                                              intent.agency_id),
                active=values["active"])
        except intent_services.IntentError as exc:
            error = str(exc)
        else:
            messages.success(request, _("Intent saved. Train the assistant to use the change."))
            return redirect("assist:assistant_intent", intent_id=intent.pk)
    return render(request, "assist/assistant/intent_form.html", {
        "values": values, "error": error, "intent": intent,
        "examples": intent.examples.order_by("language", "id"),
        "articles": _articles({intent.agency_id}), "kinds": Intent.Kind.choices,
        "languages": [("en", _("English")), ("es", _("Spanish"))],
        "nav": _nav(request), "active": "intents"}, status=400 if error else 200)


@login_required
@require_POST
def intent_example_add(request: HttpRequest, intent_id: int) -> HttpResponse:
    intent = _intent_or_404(request, intent_id)
    try:
        intent_services.intent_example_add(
            intent=intent, actor=request.user, text=str(request.POST.get("text", ""))[:2000],
            language=no_nul(str(request.POST.get("language", "en")))[:5])
    except intent_services.IntentError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Example added."))
    return redirect("assist:assistant_intent", intent_id=intent.pk)


@login_required
@require_POST
def intent_example_remove(request: HttpRequest, intent_id: int, example_id: int) -> HttpResponse:
    intent = _intent_or_404(request, intent_id)
    example = IntentExample.objects.filter(pk=example_id, intent=intent).first()
    if example is None:
        raise Http404(_("No such example."))
    intent_services.intent_example_remove(example=example, actor=request.user)
    messages.success(request, _("Example removed."))
    return redirect("assist:assistant_intent", intent_id=intent.pk)


# --- training ---------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def models(request: HttpRequest) -> HttpResponse:
    _manage_or_404(request)
    agencies = list(agencies_for(request.user, "assistant.manage").order_by("name"))
    if request.method == "POST":
        raw = no_nul(str(request.POST.get("agency", "")))
        agency = next((a for a in agencies if str(a.pk) == raw), None)
        kind = no_nul(str(request.POST.get("kind", "default")))[:10]
        if agency is None:
            raise Http404(_("Choose one of your agencies."))
        try:
            assistant_train_request(agency=agency, kind=kind, user=request.user)
        except TrainingError as exc:
            messages.error(request, str(exc))
        else:
            audit_record(action="assistant.train", request=request, agency=agency,
                         object_type="assistant_model", detail={"kind": kind})
            messages.success(request, _("Training queued. This page shows its progress."))
        return redirect("assist:assistant_models")
    rows = sel.models_for(request.user)
    busy = any(m.status in (AssistantModel.Status.QUEUED, AssistantModel.Status.TRAINING)
               for m in rows)
    return render(request, "assist/assistant/models.html", {
        "rows": rows, "agencies": agencies, "kinds": AssistantModel.Kind.choices, "busy": busy,
        "nav": _nav(request), "active": "models"})

