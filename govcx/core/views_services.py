"""An agency's services: an administrator (agency.manage) adds one or changes its name,
description, channels, journey stages, estimated annual customers and High-Impact Service
Provider flag. Audited ("core.service.create", "core.service.edit"). Quarterly customer
volumes have their own page (views_volumes)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from govcx.core.models import Service
from govcx.core.selectors import agencies_for, service_get
from govcx.core.services import audit_record, service_create, service_update
from govcx.core.volumes import MAX_CUSTOMERS

TEMPLATE = "core/service_form.html"
MAX_STAGES = 20


def _read(request: HttpRequest) -> tuple[dict[str, Any], dict[str, Any], dict[str, str]]:
    """The form's values (typed), what was typed (to show again) and the errors by field."""
    p = request.POST
    entered: dict[str, Any] = {
        "name": p.get("name", "").strip()[:200],
        "description": p.get("description", "").strip()[:2000],
        "stages": p.get("stages", "")[:3000],
        "annual_customer_volume": p.get("annual_customer_volume", "").strip()[:20],
        "agency": p.get("agency", "")[:12],
    }
    errors: dict[str, str] = {}
    if not entered["name"]:
        errors["name"] = _("Name the service as the public knows it.")
    channels = [c for c in p.getlist("channels") if c in Service.Channel.values]
    stages = list(dict.fromkeys(s.strip()[:80] for s in entered["stages"].splitlines()
                                if s.strip()))
    if len(stages) > MAX_STAGES:
        errors["stages"] = _("A service can have at most %(n)s stages.") % {"n": MAX_STAGES}
    raw = entered["annual_customer_volume"].replace(",", "")
    volume = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 13 else None
    if raw and (volume is None or volume > MAX_CUSTOMERS):
        errors["annual_customer_volume"] = _("Enter the estimated customers a year as a whole "
                                             "number, like 250000.")
    values = {"name": entered["name"], "description": entered["description"],
              "channels": channels, "stages": stages,
              "annual_customer_volume": volume or 0, "is_hisp": p.get("is_hisp") == "1"}
    return values, {**entered, "channels": channels, "is_hisp": values["is_hisp"]}, errors


def _render(request: HttpRequest, ctx: dict[str, Any], status: int = 200) -> HttpResponse:
    ctx.setdefault("channel_choices", Service.Channel.choices)
    return render(request, TEMPLATE, ctx, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def service_new(request: HttpRequest) -> HttpResponse:
    agencies = list(agencies_for(request.user, "agency.manage").order_by("name"))
    if not agencies:
        raise Http404(_("Only an agency's administrators can add its services."))
    ctx: dict[str, Any] = {"agencies": agencies, "service": None, "entered": {}, "errors": {}}
    if request.method == "GET":
        return _render(request, ctx)
    values, entered, errors = _read(request)
    agency = next((a for a in agencies if str(a.pk) == entered["agency"]), None)
    if agency is None:
        errors["agency"] = _("Choose one of the agencies you administer.")
    slug = slugify(values["name"])[:80] or "service"
    if agency is not None and Service.objects.filter(agency=agency, slug=slug).exists():
        errors["name"] = _("This agency already has a service with this name.")
    if errors or agency is None:
        ctx.update(entered=entered, errors=errors)
        return _render(request, ctx, status=400)
    service = service_create(agency=agency, slug=slug, **values)
    audit_record(action="core.service.create", request=request, agency=agency.pk,
                 object_type="service", object_id=service.pk)
    messages.success(request, _("Service added: %(name)s.") % {"name": service.name})
    return redirect("metrics:dashboard", service.pk)


@login_required
@require_http_methods(["GET", "POST"])
def service_edit(request: HttpRequest, service_id: int) -> HttpResponse:
    try:
        service = service_get(request.user, service_id, "agency.manage")
    except Service.DoesNotExist as exc:
        raise Http404(_("No such service, or you do not administer its agency.")) from exc
    ctx: dict[str, Any] = {"agencies": [service.agency], "service": service, "errors": {},
                           "entered": {"name": service.name, "description": service.description,
                                       "channels": service.channels,
                                       "stages": "\n".join(service.stages),
                                       "annual_customer_volume": service.annual_customer_volume,
                                       "is_hisp": service.is_hisp}}
    if request.method == "GET":
        return _render(request, ctx)
    values, entered, errors = _read(request)
    if not errors:
        try:
            changed = service_update(service=service, request=request, **values)
        except (ValueError, ValidationError) as exc:
            errors["form"] = "; ".join(exc.messages) if isinstance(exc, ValidationError) \
                else str(exc)
    if errors:
        service.refresh_from_db()
        ctx.update(entered=entered, errors=errors)
        return _render(request, ctx, status=400)
    messages.success(request, _("Saved.") if changed else _("Nothing changed."))
    return redirect("core:service_edit", service.pk)
