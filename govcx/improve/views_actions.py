"""Actions: list, create from insights, edit, move through the workflow, before/after effect,
and the public "you said, we did" switch (transparency.publish only)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from govcx.core.models import Agency
from govcx.core.params import id_param
from govcx.core.selectors import agency_ids_for, services_for
from govcx.core.services import audit_record
from govcx.improve import maturity, params
from govcx.improve import selectors as sel
from govcx.improve import services as svc
from govcx.improve.effect import action_effect, kpi_label
from govcx.improve.models import Action, Insight
from govcx.improve.services import TRANSITIONS, ImproveError

MAX_EVIDENCE = 50
# the public text of an entry: once it is public, only transparency.publish changes it
PUBLIC_TEXT = ("public_title_en", "public_title_es", "you_said_en", "you_said_es",
               "we_did_en", "we_did_es")
PUBLIC_TEXT_MAX = {"public_title_en": 200, "public_title_es": 200}


def _staff(agency: Agency) -> list[Any]:
    ids = svc.agency_staff_ids(agency)
    return list(get_user_model().objects.filter(pk__in=ids, is_active=True)
                .order_by("username"))


def _kpis() -> list[tuple[str, str]]:
    return [(k, kpi_label(k)) for k in svc.kpi_keys()]


def _items() -> list[tuple[str, list[tuple[str, str]]]]:
    return [(str(f.name), [(i.code, str(i.name)) for i in maturity.ITEMS if i.framework == code])
            for code, f in maturity.FRAMEWORKS.items()]


@login_required
@require_GET
def action_list(request: HttpRequest) -> HttpResponse:
    qs = sel.actions_for(request.user).prefetch_related("insights")
    status = params.text(request.GET, "status", 30).strip()
    ctx: dict[str, Any] = {"statuses": Action.Status.choices, "status": status, "error": "",
                           "mine": request.GET.get("mine") == "1",
                           "can_manage": bool(agency_ids_for(request.user, "insights.manage"))}
    if status and status not in Action.Status.values:
        ctx.update({"error": _("Choose a status from the list."), "actions": []})
        return render(request, "improve/actions.html", ctx, status=400)
    if status:
        qs = qs.filter(status=status)
    if ctx["mine"]:
        qs = qs.filter(owner_id=request.user.pk)
    ctx["actions"] = list(qs.order_by("status", "due_on", "id")[:500])
    return render(request, "improve/actions.html", ctx)


def _evidence(request: HttpRequest, data: Any) -> list[Insight]:
    ids = [id_param(v) for v in data.getlist("insight")][:MAX_EVIDENCE]
    if any(i is None for i in ids):
        raise ImproveError(_("Choose the evidence from the list of insights."))
    found = list(sel.insights_for(request.user, "insights.manage").filter(pk__in=ids))
    if len(found) != len(set(ids)):
        raise Http404("No such insight.")
    if len({i.agency_id for i in found}) > 1:
        raise ImproveError(_("An action's evidence must come from one agency; choose insights "
                             "of the same agency."))
    return found


def _form_ctx(agency: Agency, user: Any, chosen: list[Insight]) -> dict[str, Any]:
    others = list(Insight.objects.filter(agency=agency).exclude(
        status=Insight.Status.DISMISSED).exclude(pk__in=[i.pk for i in chosen])
        .order_by("-created_at")[:30])
    return {"agency": agency, "staff": _staff(agency), "kpis": _kpis(), "items": _items(),
            "services": services_for(user, "insights.manage").filter(agency=agency)
            .order_by("name"),
            "chosen": chosen, "others": others}


@login_required
@require_http_methods(["GET", "POST"])
def action_new(request: HttpRequest) -> HttpResponse:
    manage = agency_ids_for(request.user, "insights.manage")
    if not manage:
        raise Http404("No agency to add actions to.")
    data = request.POST if request.method == "POST" else request.GET
    try:
        chosen = _evidence(request, data)
        agency = (chosen[0].agency if chosen else
                  params.agency(data, "agency", request.user, "insights.manage"))
    except ImproveError as exc:
        return render(request, "improve/action_form.html", {
            "error": str(exc), "agencies": Agency.objects.filter(id__in=manage).order_by("name"),
            "pick_agency": True}, status=400)
    ctx = {**_form_ctx(agency, request.user, chosen), "error": "", "form": data,
           "chosen_items": data.getlist("item"), "new": True}
    if request.method == "POST":
        try:
            staff = ctx["staff"]
            action = svc.action_create(
                agency=agency, title=params.text(request.POST, "title", 1000), insights=chosen,
                description=params.text(request.POST, "description"),
                owner=params.owner(request.POST, "owner", staff),
                due_on=params.date(request.POST, "due_on", _("Due date")),
                service=params.service(request.POST, "service", request.user,
                                       "insights.manage", agency),
                target_kpi=params.choice(request.POST, "target_kpi", svc.kpi_keys(),
                                         _("a target measure")),
                maturity_items=request.POST.getlist("item"), by=params.staff_user(request))
        except ImproveError as exc:
            ctx["error"] = str(exc)
            return render(request, "improve/action_form.html", ctx, status=400)
        audit_record(action="improve.action.create", request=request, agency=agency,
                     object_type="action", object_id=action.pk,
                     detail={"insights": [i.pk for i in chosen], "owner": action.owner_id})
        messages.success(request, _("Action created."))
        return redirect("improve:action_detail", action.pk)
    return render(request, "improve/action_form.html", ctx)


def _action_or_404(request: HttpRequest, action_id: int, capability: str) -> Action:
    try:
        return sel.action_get(request.user, action_id, capability)
    except Action.DoesNotExist as exc:
        raise Http404("No such action.") from exc


def _render_detail(request: HttpRequest, action: Action, status: int = 200) -> HttpResponse:
    can_manage = action.agency_id in agency_ids_for(request.user, "insights.manage")
    can_publish = action.agency_id in agency_ids_for(request.user, "transparency.publish")
    labels = dict(Action.Status.choices)
    return render(request, "improve/action_detail.html", {
        "action": action, "can_manage": can_manage, "can_publish": can_publish,
        "insights": list(action.insights.order_by("-created_at")),
        "items": [(c, maturity.item_label(c)) for c in
                  action.maturity_links.order_by("item").values_list("item", flat=True)],
        "next_statuses": [(s, labels[s]) for s in Action.Status.values
                          if s in TRANSITIONS[action.status]],
        "effect": action_effect(action), "kpi_label": kpi_label(action.target_kpi)
        if action.target_kpi else ""}, status=status)


@login_required
@require_GET
def action_detail(request: HttpRequest, action_id: int) -> HttpResponse:
    return _render_detail(request, _action_or_404(request, action_id, "insights.view"))


@login_required
@require_http_methods(["GET", "POST"])
def action_edit(request: HttpRequest, action_id: int) -> HttpResponse:
    action = _action_or_404(request, action_id, "insights.manage")
    agency = action.agency
    data: Any = request.POST if request.method == "POST" else None
    items = list(action.maturity_links.values_list("item", flat=True))
    ctx = {**_form_ctx(agency, request.user, []), "error": "", "action": action, "new": False,
           "form": data or {}, "chosen_items": data.getlist("item") if data else items}
    if request.method == "POST":
        texts = {f: params.text(request.POST, f, 5000) for f in PUBLIC_TEXT}
        too_long = [f for f, n in PUBLIC_TEXT_MAX.items() if len(texts[f].strip()) > n]
        if too_long:
            ctx["error"] = _("The public title can be at most 200 characters.")
            return render(request, "improve/action_form.html", ctx, status=400)
        changed = [f for f in PUBLIC_TEXT if texts[f].strip() != getattr(action, f).strip()]
        if action.public and changed \
                and action.agency_id not in agency_ids_for(request.user, "transparency.publish"):
            ctx["error"] = _("This entry is on the public dashboard: only a performance manager "
                             "or administrator may change its public text.")
            return render(request, "improve/action_form.html", ctx, status=403)
        try:
            svc.action_update(
                action=action, title=params.text(request.POST, "title", 1000),
                description=params.text(request.POST, "description"),
                owner=params.owner(request.POST, "owner", ctx["staff"]),
                due_on=params.date(request.POST, "due_on", _("Due date")),
                service=params.service(request.POST, "service", request.user,
                                       "insights.manage", agency),
                target_kpi=params.choice(request.POST, "target_kpi", svc.kpi_keys(),
                                         _("a target measure")),
                maturity_items=request.POST.getlist("item"),
                **texts, by=params.staff_user(request))
        except ImproveError as exc:
            action.refresh_from_db()
            ctx["error"] = str(exc)
            return render(request, "improve/action_form.html", ctx, status=400)
        audit_record(action="improve.action.edit", request=request, agency=agency,
                     object_type="action", object_id=action.pk)
        messages.success(request, _("Saved."))
        return redirect("improve:action_detail", action.pk)
    return render(request, "improve/action_form.html", ctx)


@login_required
@require_POST
def action_status(request: HttpRequest, action_id: int) -> HttpResponse:
    action = _action_or_404(request, action_id, "insights.manage")
    try:
        svc.action_status_set(
            action=action, status=params.choice(request.POST, "status", Action.Status.values,
                                                _("a status"), required=True),
            on=params.date(request.POST, "on", _("Date")), by=params.staff_user(request))
    except ImproveError as exc:
        messages.error(request, str(exc))
        action.refresh_from_db()
        return _render_detail(request, action, status=400)
    audit_record(action="improve.action.status", request=request, agency=action.agency_id,
                 object_type="action", object_id=action.pk, detail={"status": action.status})
    messages.success(request, _("The action is now: %(status)s.")
                     % {"status": Action.Status(action.status).label})
    return redirect("improve:action_detail", action.pk)


@login_required
@require_POST
def action_public(request: HttpRequest, action_id: int) -> HttpResponse:
    action = _action_or_404(request, action_id, "transparency.publish")
    public = request.POST.get("public") == "1"
    try:
        svc.action_public_set(action=action, public=public, by=params.staff_user(request))
    except ImproveError as exc:
        messages.error(request, str(exc))
        action.refresh_from_db()
        return _render_detail(request, action, status=400)
    audit_record(action="improve.action.publish", request=request, agency=action.agency_id,
                 object_type="action", object_id=action.pk, detail={"public": public})
    messages.success(request, _("Shown on the public dashboard.") if public
                     else _("Withdrawn from the public dashboard."))
    return redirect("improve:action_detail", action.pk)
