"""A-11 quarterly submission pages: list and prepare, detail, workflow actions, CSV downloads."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from govcx.core.models import AuditEvent, Service
from govcx.core.selectors import agency_ids_for, services_for
from govcx.core.services import audit_record
from govcx.feedback import a11, selectors
from govcx.feedback.models import A11Submission


def _list_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    this_fy, this_q = selectors.fiscal_quarter_of(timezone.localdate())
    ctx: dict[str, Any] = {
        "submissions": selectors.a11_submissions_for(request.user).order_by(
            "-fiscal_year", "-quarter", "service__name"),
        "services": services_for(request.user, "a11.prepare"),
        "fiscal_years": list(range(this_fy, a11.FIRST_FISCAL_YEAR - 1, -1)),
        "quarters": [1, 2, 3, 4],
        "form": {"service": "", "fiscal_year": str(this_fy), "quarter": str(this_q)},
        "errors": {},
    }
    ctx.update(extra)
    return ctx


@login_required
@require_GET
def a11_list(request: HttpRequest) -> HttpResponse:
    return render(request, "feedback/a11_list.html", _list_context(request))


@login_required
@require_POST
def a11_prepare(request: HttpRequest) -> HttpResponse:
    form = {k: request.POST.get(k, "").strip() for k in ("service", "fiscal_year", "quarter")}
    errors: dict[str, str] = {}
    values: dict[str, int] = {}
    for key, label in (("service", "a service"), ("fiscal_year", "a fiscal year"),
                       ("quarter", "a quarter")):
        try:
            values[key] = int(form[key])
        except ValueError:
            errors[key] = f"Choose {label}."
    if errors:
        return render(request, "feedback/a11_list.html",
                      _list_context(request, form=form, errors=errors), status=400)
    try:
        service = services_for(request.user, "dashboard.view").get(pk=values["service"])
    except Service.DoesNotExist as exc:
        raise Http404("No such service.") from exc
    try:
        sub = a11.a11_submission_prepare(service=service, fiscal_year=values["fiscal_year"],
                                         quarter=values["quarter"], actor=request.user)
    except a11.A11Forbidden as exc:
        return HttpResponseForbidden(str(exc))
    except a11.A11Error as exc:
        return render(request, "feedback/a11_list.html",
                      _list_context(request, form=form, errors={"form": str(exc)}),
                      status=400)
    messages.success(request, "The draft's figures were prepared.")
    return redirect("feedback:a11_detail", submission_id=sub.pk)


def _get(request: HttpRequest, submission_id: int) -> A11Submission:
    try:
        return selectors.a11_submissions_for(request.user).select_related(
            "created_by", "submitted_by", "published_by").get(pk=submission_id)
    except A11Submission.DoesNotExist as exc:
        raise Http404("No such A-11 submission.") from exc


@login_required
@require_GET
def a11_detail(request: HttpRequest, submission_id: int) -> HttpResponse:
    sub = _get(request, submission_id)
    start, end = selectors.fiscal_quarter_bounds(sub.fiscal_year, sub.quarter)
    prepare_ids = agency_ids_for(request.user, "a11.prepare")
    history = AuditEvent.objects.filter(
        object_type="a11_submission", object_id=str(sub.pk),
        action__in=["a11.prepare", "a11.submit", "a11.publish", "a11.reopen"],
    ).order_by("at", "id")
    return render(request, "feedback/a11_detail.html", {
        "sub": sub, "start": start, "end": end, "history": history,
        "can_prepare": sub.agency_id in prepare_ids,
        "can_publish": sub.agency_id in agency_ids_for(request.user, "a11.publish"),
        "has_legacy": any(r.get("survey_type") == "legacy" for r in sub.collection),
        "columns": a11.COLLECTION_COLUMNS[:-2],
    })


@login_required
@require_POST
def a11_action(request: HttpRequest, submission_id: int) -> HttpResponse:
    sub = _get(request, submission_id)
    action = request.POST.get("action", "")
    try:
        if action == "submit":
            a11.a11_submission_submit(submission=sub, actor=request.user)
            messages.success(request, "Submitted.")
        elif action == "publish":
            a11.a11_submission_publish(submission=sub, actor=request.user)
            messages.success(request, "Published.")
        elif action == "reopen":
            a11.a11_submission_reopen(submission=sub, actor=request.user)
            messages.success(request, "Reopened as a draft.")
        elif action == "refresh":
            a11.a11_submission_prepare(service=sub.service, fiscal_year=sub.fiscal_year,
                                       quarter=sub.quarter, actor=request.user)
            messages.success(request, "The draft's figures were refreshed.")
        else:
            return HttpResponse("Unknown action: use submit, publish, reopen or refresh.",
                                status=400, content_type="text/plain; charset=utf-8")
    except a11.A11Forbidden as exc:
        audit_record(action=f"a11.{action}", request=request, agency=sub.agency_id,
                     object_type="a11_submission", object_id=sub.pk, outcome="denied")
        return HttpResponseForbidden(str(exc))
    except a11.A11Error as exc:
        messages.error(request, str(exc))
    return redirect("feedback:a11_detail", submission_id=sub.pk)


@login_required
@require_GET
def a11_download(request: HttpRequest, submission_id: int, kind: str) -> HttpResponse:
    sub = _get(request, submission_id)
    if kind not in a11.EXPORTS:
        raise Http404("No such download: use collection, responses or legacy.")
    if kind != "collection" and sub.agency_id not in (
        agency_ids_for(request.user, "a11.prepare")
        | agency_ids_for(request.user, "responses.export")
    ):
        audit_record(action="a11.export", request=request, agency=sub.agency_id,
                     object_type="a11_submission", object_id=sub.pk, outcome="denied",
                     detail={"kind": kind})
        return HttpResponseForbidden("Response-level A-11 downloads need a role that may "
                                     "prepare A-11 submissions or export responses.")
    body = a11.a11_export(sub, kind)
    rows = sum(1 for _ in csv.reader(io.StringIO(body))) - 1
    audit_record(action="a11.export", request=request, agency=sub.agency_id,
                 object_type="a11_submission", object_id=sub.pk,
                 detail={"kind": kind, "rows": rows})
    name = f"a11-{sub.service.slug}-FY{sub.fiscal_year}-Q{sub.quarter}-{kind}.csv"
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
