"""Staff pages to author surveys and touchpoints (capability surveys.manage: administrators
and CX analysts).

- `/staff/surveys/`: the agency's surveys; a new one starts from a template (A-11, A-11
  legacy, CSAT, customer effort, NPS) as a draft.
- `/staff/surveys/<id>/`: its versions; the questions are edited as the validated JSON schema
  (docs/architecture.md, "Survey schema"). A published version never changes: saving makes
  (or updates) the next draft, and publishing it makes it the version people answer.
- `/staff/touchpoints/new/`: a touchpoint offers a survey at a service, a journey stage and a
  channel.

Every change is audited (survey.create, survey.edit, survey.publish, touchpoint.create)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from govcx.core.models import Service
from govcx.core.params import id_param
from govcx.core.selectors import agencies_for, services_for
from govcx.core.services import audit_record
from govcx.feedback import selectors, services, survey_templates
from govcx.feedback.models import Survey, SurveyVersion
from govcx.feedback.schema import no_nul

MAX_SCHEMA_BYTES = 200_000


def _date(raw: str, field: str, errors: dict[str, str]) -> dt.date | None:
    raw = raw.strip()
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        errors[field] = _("Enter the date as YYYY-MM-DD.")
        return None


def _post(request: HttpRequest, name: str, limit: int) -> str:
    return no_nul(request.POST.get(name, "")).strip()[:limit]


@login_required
@require_http_methods(["GET", "POST"])
def surveys(request: HttpRequest) -> HttpResponse:
    agencies = list(agencies_for(request.user, "surveys.manage").order_by("name"))
    rows = (selectors.surveys_for(request.user).select_related("agency")
            .prefetch_related("versions").order_by("agency__name", "name"))
    ctx: dict[str, Any] = {"surveys": rows, "agencies": agencies, "entered": {}, "errors": {}}
    if request.method == "GET":
        return render(request, "feedback/surveys.html", ctx)
    if not agencies:
        raise Http404(_("You may not create surveys."))
    entered = {k: _post(request, k, 200) for k in (
        "agency", "name", "template", "service_name", "scale", "omb_control_number",
        "pra_expiration")}
    errors: dict[str, str] = {}
    agency = next((a for a in agencies if str(a.pk) == entered["agency"]), None)
    if agency is None:
        errors["agency"] = _("Choose one of your agencies.")
    if not entered["name"]:
        errors["name"] = _("Give the survey a name staff will recognise.")
    if entered["template"] not in survey_templates.TEMPLATES:
        errors["template"] = _("Choose a template.")
    pra = _date(entered["pra_expiration"], "pra_expiration", errors)
    if entered["template"] in ("a11", "csat", "ces", "nps") and not entered["service_name"]:
        errors["service_name"] = _("Name the service as the public knows it: the questions "
                                   "mention it.")
    survey = None
    if not errors and agency is not None:
        kwargs: dict[str, Any] = {"agency": agency.name, "service": entered["service_name"]}
        if entered["template"] == "a11":
            kwargs["scale"] = "scale5" if entered["scale"] == "scale5" else "thumbs"
        try:
            survey = services.survey_create(
                agency=agency, name=entered["name"],
                schema=survey_templates.build(entered["template"], **kwargs),
                omb_control_number=entered["omb_control_number"][:20], pra_expiration=pra,
                publish=False)
        except (services.SurveyError, ValueError) as exc:
            errors["template"] = str(exc)
    if survey is None:
        ctx.update(entered=entered, errors=errors)
        return render(request, "feedback/surveys.html", ctx, status=400)
    audit_record(action="survey.create", request=request, agency=survey.agency_id,
                 object_type="survey", object_id=survey.pk,
                 detail={"template": survey.template})
    messages.success(request, _("Survey created as a draft: check its questions, then "
                                "publish it."))
    return redirect("feedback:survey_detail", survey.pk)


def _survey(request: HttpRequest, survey_id: int) -> Survey:
    try:
        return selectors.surveys_for(request.user).select_related("agency").get(pk=survey_id)
    except Survey.DoesNotExist as exc:
        raise Http404(_("No such survey.")) from exc


def _detail(request: HttpRequest, survey: Survey, status: int = 200,
            **extra: Any) -> HttpResponse:
    versions = list(survey.versions.order_by("-number"))
    latest = versions[0] if versions else None
    ctx: dict[str, Any] = {
        "survey": survey, "versions": versions, "latest": latest,
        "draft": latest if latest is not None and latest.published_at is None else None,
        "schema_text": json.dumps(latest.schema if latest else {}, indent=2,
                                  ensure_ascii=False),
        "touchpoints": survey.touchpoints.select_related("service").order_by("name"),
        "errors": {}, **extra,
    }
    return render(request, "feedback/survey_detail.html", ctx, status=status)


def _publish(request: HttpRequest, survey: Survey) -> HttpResponse:
    version = SurveyVersion.objects.filter(
        survey=survey, pk=id_param(request.POST.get("version")) or 0).first()
    if version is None:
        raise Http404(_("No such version."))
    try:
        services.survey_version_publish(version=version)
    except services.SurveyError as exc:
        messages.error(request, str(exc))
        return redirect("feedback:survey_detail", survey.pk)
    audit_record(action="survey.publish", request=request, agency=survey.agency_id,
                 object_type="survey", object_id=survey.pk, detail={"version": version.number})
    messages.success(request, _("Version %(n)s is published: it is what people answer now.")
                     % {"n": version.number})
    return redirect("feedback:survey_detail", survey.pk)


@login_required
@require_http_methods(["GET", "POST"])
def survey_detail(request: HttpRequest, survey_id: int) -> HttpResponse:
    survey = _survey(request, survey_id)
    if request.method == "GET":
        return _detail(request, survey)
    if request.POST.get("action") == "publish":
        return _publish(request, survey)
    raw = no_nul(request.POST.get("schema", ""))
    errors: dict[str, str] = {}
    pra = _date(_post(request, "pra_expiration", 20), "pra_expiration", errors)
    schema: Any = None
    version: SurveyVersion | None = None
    if len(raw.encode()) > MAX_SCHEMA_BYTES:
        errors["schema"] = _("The questions are longer than 200 KB.")
    else:
        try:
            schema = json.loads(raw)
        except json.JSONDecodeError as exc:
            errors["schema"] = _("The questions are not valid JSON: %(why)s (line %(line)s, "
                                 "column %(col)s).") % {"why": exc.msg, "line": exc.lineno,
                                                       "col": exc.colno}
        except RecursionError:
            errors["schema"] = _("The questions are nested too deeply to read.")
    if not errors:
        try:
            version = services.survey_version_edit(
                survey=survey, schema=schema,
                omb_control_number=_post(request, "omb_control_number", 20),
                pra_expiration=pra)
        except services.SurveyError as exc:
            errors["schema"] = str(exc)
    if errors or version is None:
        return _detail(request, survey, status=400, errors=errors, schema_text=raw,
                       entered={"omb_control_number": _post(request, "omb_control_number", 20),
                                "pra_expiration": _post(request, "pra_expiration", 20)})
    audit_record(action="survey.edit", request=request, agency=survey.agency_id,
                 object_type="survey", object_id=survey.pk, detail={"version": version.number})
    messages.success(request, _("Saved as draft version %(n)s. People keep answering the "
                                "published version until you publish this one.")
                     % {"n": version.number})
    return redirect("feedback:survey_detail", survey.pk)


@login_required
@require_http_methods(["GET", "POST"])
def touchpoint_new(request: HttpRequest) -> HttpResponse:
    service_rows = list(services_for(request.user, "surveys.manage").order_by("agency__name",
                                                                              "name"))
    survey_rows = list(selectors.surveys_for(request.user).order_by("name"))
    ctx: dict[str, Any] = {"services": service_rows, "surveys": survey_rows,
                           "channels": Service.Channel.choices, "entered": {}, "errors": {}}
    if request.method == "GET":
        return render(request, "feedback/touchpoint_new.html", ctx)
    if not service_rows:
        raise Http404(_("You may not create touchpoints."))
    entered = {k: _post(request, k, 1000) for k in (
        "service", "survey", "name", "channel", "stage", "transaction_point",
        "allowed_origins")}
    errors: dict[str, str] = {}
    service = next((s for s in service_rows if str(s.pk) == entered["service"]), None)
    survey = next((s for s in survey_rows if str(s.pk) == entered["survey"]), None)
    if service is None:
        errors["service"] = _("Choose one of your agencies' services.")
    if survey is None:
        errors["survey"] = _("Choose one of your agencies' surveys.")
    if not entered["name"]:
        errors["name"] = _("Give the touchpoint a name staff will recognise.")
    tp = None
    if not errors and service is not None and survey is not None:
        try:
            tp = services.touchpoint_create(
                service=service, survey=survey, name=entered["name"][:200],
                channel=entered["channel"], stage=entered["stage"][:80],
                transaction_point=entered["transaction_point"][:200],
                allowed_origins=[o.strip() for o in entered["allowed_origins"].split()
                                 if o.strip()])
        except services.SurveyError as exc:
            errors["form"] = str(exc)
    if tp is None:
        ctx.update(entered=entered, errors=errors)
        return render(request, "feedback/touchpoint_new.html", ctx, status=400)
    audit_record(action="touchpoint.create", request=request, agency=tp.agency_id,
                 object_type="touchpoint", object_id=tp.pk, detail={"channel": tp.channel})
    messages.success(request, _("Touchpoint created: its hosted page, QR code and embed code "
                                "are below."))
    return redirect(f"{reverse('feedback:touchpoints')}#tp-{tp.pk}")
