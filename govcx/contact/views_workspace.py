"""The agent workspace: case lists (with a JSON twin the page polls), the case page, the
customer page (merge and unmerge) and the supervisor's queue-health view.

Thin: parse, authorise through selectors (which scope every read to the user's agencies),
call a service, render. Every read of a case, a case list or a customer's history is an
audit event; a refused read is audited as denied and answered 404.
"""

from __future__ import annotations

import smtplib
from collections import Counter
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from govcx.assist.agent_assist import case_assist
from govcx.contact import selectors, topics
from govcx.contact import services as cs
from govcx.contact.canned import canned_reply_render
from govcx.contact.models import Case, Channel, Queue, QueueMember
from govcx.contact.outbound import NotSent
from govcx.contact.services_customers import (
    customer_split_identity,
    queue_member_availability_set,
)
from govcx.core.params import id_param
from govcx.core.selectors import agency_ids_for
from govcx.core.services import audit_record, audit_record_per_agency
from govcx.customers.models import Customer, Identity
from govcx.feedback.schema import no_nul

PAGE_SIZE = 25
TAB_LABELS = {"mine": "My cases", "queue": "My queues", "unassigned": "Unassigned",
              "breaching": "Breaching soon"}


def _text(request: HttpRequest, name: str, limit: int = 5000) -> str:
    return no_nul(str(request.POST.get(name, "")))[:limit]


# --- lists --------------------------------------------------------------------------------------

def _list_filter(request: HttpRequest) -> selectors.CaseFilter:
    g = request.GET
    return selectors.CaseFilter(tab=g.get("tab", "mine"), sort=g.get("sort", "opened"),
                                status=no_nul(g.get("status", ""))[:12],
                                queue=id_param(g.get("queue"))).normalised()


def _list_page(request: HttpRequest) -> tuple[selectors.CaseFilter, Page[Case]]:
    f = _list_filter(request)
    qs = selectors.cases_for(request.user, "cases.view", f).select_related("sla_policy")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    audit_record_per_agency(
        rows_by_agency=dict(Counter(c.agency_id for c in page.object_list)),
        action="cases.view", request=request, object_type="case",
        detail={"tab": f.tab, "page": page.number, "sort": f.sort})
    return f, page


def _row(case: Case, now: Any) -> dict[str, Any]:
    return {
        "id": case.pk, "url": f"/staff/cases/{case.pk}/", "subject": case.subject or "",
        "channel": case.get_channel_display(), "status": case.get_status_display(),
        "priority": case.get_priority_display(),
        "queue": case.queue.name if case.queue else "",
        "assignee": case.assignee.get_username() if case.assignee else "",
        "opened": timezone.localtime(case.opened_at).strftime("%Y-%m-%d %H:%M"),
        "due": (timezone.localtime(case.resolution_due).strftime("%Y-%m-%d %H:%M")
                if case.resolution_due else ""),
        "breach": selectors.case_breach_state(case, now),
    }


@login_required
@require_GET
def workspace(request: HttpRequest) -> HttpResponse:
    f, page = _list_page(request)
    now = timezone.now()
    query = request.GET.copy()
    query.pop("page", None)
    sort_query = request.GET.copy()
    sort_query.pop("sort", None)
    sort_query.pop("page", None)
    return render(request, "contact/workspace.html", {
        "f": f, "page": page, "rows": [_row(c, now) for c in page.object_list],
        "tabs": [(t, TAB_LABELS[t]) for t in selectors.TABS],
        "query": query.urlencode(), "sort_query": sort_query.urlencode(),
        "can_work": bool(agency_ids_for(request.user, "cases.work")),
        "updated": timezone.localtime(now).strftime("%H:%M:%S"),
    })


@login_required
@require_GET
def workspace_json(request: HttpRequest) -> JsonResponse:
    f, page = _list_page(request)
    now = timezone.now()
    return JsonResponse({
        "tab": f.tab, "sort": f.sort, "page": page.number, "pages": page.paginator.num_pages,
        "count": page.paginator.count, "rows": [_row(c, now) for c in page.object_list],
        "updated": timezone.localtime(now).strftime("%H:%M:%S"),
    })


# --- one case -------------------------------------------------------------------------------

def _case_or_404(request: HttpRequest, case_id: int, capability: str, action: str) -> Case:
    try:
        return selectors.case_get(request.user, case_id, capability)
    except Case.DoesNotExist as exc:
        audit_record(action=action, request=request, object_type="case", object_id=case_id,
                     outcome="denied")
        raise Http404("No such case.") from exc


def _reply_channels(case: Case, history: selectors.CustomerHistory | None) -> list[tuple[str, str]]:
    names = dict(Channel.choices)
    chosen = [case.channel]
    kinds = {i.kind for i in history.identities} if history else set()
    if "email" in kinds:
        chosen.append(Channel.EMAIL)
    if "phone" in kinds:
        chosen += [Channel.SMS, Channel.PHONE]
    out: list[tuple[str, str]] = []
    for c in chosen:
        if c not in [v for v, _ in out]:
            out.append((c, str(names[c])))
    return out


@login_required
@require_GET
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case_or_404(request, case_id, "cases.view", "case.view")
    return _case_page(request, case)


def _case_page(request: HttpRequest, case: Case, *, status: int = 200,
               typed: dict[str, str] | None = None) -> HttpResponse:
    audit_record(action="case.view", request=request, agency=case.agency_id,
                 object_type="case", object_id=case.pk)
    history = None
    if case.customer is not None:
        history = _history(request, case.customer, limit=50)
        audit_record(action="customer.view", request=request, agency=case.agency_id,
                     object_type="customer", object_id=case.customer.pk,
                     detail={"from_case": case.pk,
                             "comments_redacted": _comments_redacted(request, case.customer)})
    can_work = case.agency_id in agency_ids_for(request.user, "cases.work")
    typed = typed or {}
    reply_text = typed.get("reply", "")
    canned_problems: dict[str, list[str]] = {}
    canned_id = id_param(request.GET.get("canned"))
    canned = selectors.canned_replies_for(case)
    if canned_id is not None and not reply_text:
        chosen = canned.filter(pk=canned_id).first()
        if chosen is None:
            messages.error(request, "That canned reply does not exist for this agency.")
        else:
            rendered = canned_reply_render(chosen, case, request.user)
            reply_text = rendered.text
            canned_problems = {"unknown": rendered.unknown, "missing": rendered.missing}
    # the draft goes to the public: its links use the public address, not the one the
    # agent reached the staff pages by (an internal host name, a proxy, an IP address)
    assist = case_assist(case, base_url=settings.PUBLIC_BASE_URL) if can_work else None
    if assist is not None and assist.draft and request.GET.get("draft") == "assist" \
            and not reply_text:
        reply_text = assist.draft
    suggestions: list[dict[str, Any]] = []
    suggestion_problem = None
    if can_work and not case.topic:
        names = dict(Queue.objects.filter(agency_id=case.agency_id).values_list("id", "name"))
        suggestions = [{"topic": t, "queue_id": q, "queue": names.get(q or 0, ""),
                        "percent": round(c * 100)}
                       for t, q, c in topics.topics_suggest_for_case(case)]
        if not suggestions:
            suggestion_problem = topics.topic_model_problem(agency=case.agency)
    return render(request, "contact/case.html", {
        "topic_suggestions": suggestions, "topic_problem": suggestion_problem, "assist": assist,
        "case": case, "conversation": selectors.case_conversation(case),
        "events": selectors.case_events(case), "history": history,
        "can_work": can_work, "canned": canned, "canned_id": canned_id,
        "reply_text": reply_text, "note_text": typed.get("note", ""),
        "canned_problems": canned_problems,
        "reply_channels": _reply_channels(case, history),
        "statuses": Case.Status.choices, "priorities": Case.Priority.choices,
        "queues": Queue.objects.filter(agency_id=case.agency_id).order_by("name"),
        "agents": selectors.assignable_agents(case) if can_work else [],
        "breach": selectors.case_breach_state(case),
    }, status=status)


def _case_update(request: HttpRequest, case: Case) -> list[str]:
    """Apply the details form; returns what changed (for the confirmation message)."""
    changed: list[str] = []
    p = request.POST
    fields: dict[str, Any] = {}
    if "priority" in p and p["priority"] != case.priority:
        fields["priority"] = p["priority"]
    if "topic" in p and _text(request, "topic", 80).strip() != case.topic:
        fields["topic"] = _text(request, "topic", 80).strip()
    if "queue" in p:
        qid = id_param(p["queue"])
        queue = Queue.objects.filter(pk=qid, agency_id=case.agency_id).first() if qid else None
        if p["queue"] and queue is None:
            raise cs.CaseError("Choose one of this agency's queues.")
        if queue != case.queue:
            fields["queue"] = queue
    if fields:
        cs.case_update(case=case, actor=request.user, **fields)
        changed += list(fields)
    if "assignee" in p:
        uid = id_param(p["assignee"])
        if (uid or None) != case.assignee_id:
            user = get_user_model().objects.filter(pk=uid).first() if uid else None
            if uid and user is None:
                raise cs.CaseError("Choose a member of this agency's staff.")
            cs.case_assign(case=case, user=user, actor=request.user)
            changed.append("assignee")
    if p.get("status") and p["status"] != case.status:
        cs.case_status_set(case=case, status=p["status"], actor=request.user)
        changed.append("status")
    return changed


@login_required
@require_POST
def case_action(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case_or_404(request, case_id, "cases.work", "case.change")
    action = request.POST.get("action", "")
    back = redirect(f"/staff/cases/{case.pk}/")
    try:
        if action == "reply":
            channel = request.POST.get("channel") or case.channel
            history = (selectors.customer_history(request.user, case.customer, limit=1)
                       if case.customer else None)
            if channel not in [c for c, _ in _reply_channels(case, history)]:
                raise cs.CaseError("Choose a channel this person can be reached on.")
            try:
                cs.case_reply(case=case, author=request.user, body=_text(request, "body"),
                              channel=channel)
                messages.success(request, "Reply sent.")
            except (NotSent, smtplib.SMTPException, OSError) as exc:
                messages.error(request, f"The reply is saved on the case but was not sent: "
                                        f"{exc}")
        elif action == "note":
            cs.case_note(case=case, author=request.user, text=_text(request, "text"))
            messages.success(request, "Note added.")
        elif action == "update":
            with transaction.atomic():  # all of the form's changes, or none
                changed = _case_update(request, case)
            messages.success(request, "Changed: " + ", ".join(changed) if changed
                             else "Nothing changed.")
        elif action == "merge":
            target_id = id_param(request.POST.get("target"))
            target = None
            if target_id is not None:
                try:
                    target = selectors.case_get(request.user, target_id, "cases.work")
                except Case.DoesNotExist:
                    target = None
            if target is None:
                raise cs.CaseError("There is no case with that number in your agency.")
            cs.case_merge(source=case, target=target, actor=request.user)
            messages.success(request, f"Case {case.pk} was merged into case {target.pk}.")
            return redirect(f"/staff/cases/{target.pk}/")
        elif action == "split":
            ids = [i for i in (id_param(v) for v in request.POST.getlist("contacts")) if i]
            new = cs.case_split(case=case, contact_ids=ids, actor=request.user,
                                subject=_text(request, "subject", 300).strip())
            messages.success(request, f"The chosen messages are now case {new.pk}.")
        else:
            raise cs.CaseError("Unknown action.")
    except cs.CaseError as exc:
        # refused: the case page again with the reason, as a 400, keeping what was typed
        messages.error(request, str(exc))
        case.refresh_from_db()
        return _case_page(request, case, status=400,
                          typed={"reply": _text(request, "body") if action == "reply" else "",
                                 "note": _text(request, "text") if action == "note" else ""})
    return back


# --- customers ----------------------------------------------------------------------------------

def _customer_or_404(request: HttpRequest, customer_id: int, capability: str,
                     action: str) -> Customer:
    try:
        return selectors.customer_get(request.user, customer_id, capability)
    except Customer.DoesNotExist as exc:
        audit_record(action=action, request=request, object_type="customer",
                     object_id=customer_id, outcome="denied")
        raise Http404("No such customer.") from exc


@login_required
@require_GET
def customer_detail(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = _customer_or_404(request, customer_id, "cases.view", "customer.view")
    return _customer_page(request, customer)


def _comments_redacted(request: HttpRequest, customer: Customer) -> bool:
    """Survey comments on the customer history are shown redacted to staff without
    personal_data.view in the customer's agency (cases.view alone, e.g. CX analysts)."""
    return customer.agency_id not in agency_ids_for(request.user, "personal_data.view")


def _history(request: HttpRequest, customer: Customer,
             limit: int = 200) -> selectors.CustomerHistory:
    """The customer history for the page, its survey comments and free-text answers
    redacted in memory (the rows are unchanged) as on the responses pages."""
    from govcx.feedback.exports import redact_response

    history = selectors.customer_history(request.user, customer, limit=limit)
    if _comments_redacted(request, customer):
        for r in history.responses:
            redact_response(r)
    return history


def _customer_page(request: HttpRequest, customer: Customer, status: int = 200) -> HttpResponse:
    history = _history(request, customer)
    audit_record(action="customer.view", request=request, agency=customer.agency_id,
                 object_type="customer", object_id=customer.pk,
                 detail={"comments_redacted": _comments_redacted(request, customer)})
    return render(request, "contact/customer.html", {
        "customer": customer, "history": history,
        "can_merge": customer.agency_id in agency_ids_for(request.user, "customers.merge"),
    }, status=status)


@login_required
@require_POST
def customer_action(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = _customer_or_404(request, customer_id, "customers.merge", "customer.change")
    action = request.POST.get("action", "")
    try:
        if action == "merge":
            other_id = id_param(request.POST.get("other"))
            other = None
            if other_id is not None:
                try:
                    other = selectors.customer_get(request.user, other_id, "customers.merge")
                except Customer.DoesNotExist:
                    other = None
            if other is None or other.agency_id != customer.agency_id:
                raise cs.CaseError("There is no customer with that number in this agency.")
            cs.customer_merge(keep=customer, merge=other, actor=request.user, request=request)
            messages.success(request, f"Customer {other_id} was merged into this record.")
        elif action == "split":
            identity_id = id_param(request.POST.get("identity"))
            if identity_id is None or not Identity.objects.filter(
                    pk=identity_id, customer=customer).exists():
                raise cs.CaseError("Choose one of this customer's identities.")
            new = customer_split_identity(customer=customer, identity_id=identity_id,
                                          actor=request.user, request=request)
            messages.success(request, f"That identity is now customer {new.pk}.")
            return redirect(f"/staff/customers/{new.pk}/")
        else:
            raise cs.CaseError("Unknown action.")
    except cs.CaseError as exc:
        messages.error(request, str(exc))
        return _customer_page(request, customer, status=400)
    return redirect(f"/staff/customers/{customer.pk}/")


# --- supervisor -----------------------------------------------------------------------------

@login_required
@require_GET
def supervisor(request: HttpRequest) -> HttpResponse:
    health = selectors.queue_health(request.user, "cases.view")
    audit_record_per_agency(
        rows_by_agency=dict(Counter(h.queue.agency_id for h in health)),
        action="queues.view", request=request, object_type="queue")
    return render(request, "contact/supervisor.html", {
        "health": health,
        "supervised": agency_ids_for(request.user, "cases.supervise"),
    })


@login_required
@require_POST
def supervisor_availability(request: HttpRequest, queue_id: int) -> HttpResponse:
    user_id = id_param(request.POST.get("user"))
    try:
        member = selectors.queue_member_get(request.user, queue_id, user_id or 0)
    except QueueMember.DoesNotExist as exc:  # not a queue the user supervises
        audit_record(action="queue.availability", request=request, object_type="queue",
                     object_id=queue_id, outcome="denied")
        raise Http404("No such queue member.") from exc
    available = request.POST.get("available") == "1"
    queue_member_availability_set(member=member, available=available, actor=request.user,
                                  request=request)
    messages.success(request, f"{member.user.get_username()} is now "
                              f"{'available' if available else 'unavailable'} in "
                              f"{member.queue.name}.")
    return redirect("/staff/cases/queues/")

