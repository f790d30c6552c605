"""Customer volumes of a service per fiscal quarter: the A-11 "volume of customers".

Anyone with dashboard.view on the service's agency sees them; an administrator or a
performance manager (a11.prepare) enters one quarter at a time or imports a CSV file. A file
with any wrong row stores nothing and lists every wrong field by line. Every change, and every
refused attempt, is audited ("core.service.volumes")."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from govcx.core.models import Service
from govcx.core.selectors import agency_ids_for, service_get
from govcx.core.services import audit_record, service_quarter_volumes_save
from govcx.core.volumes import (
    COLUMNS,
    MAX_BYTES,
    RowError,
    Volume,
    volume_parse,
    volumes_read,
)

TEMPLATE = "core/service_volumes.html"


def _context(service: Service, can_edit: bool) -> dict[str, Any]:
    channels = service.channels or list(Service.Channel.values)
    labels = dict(Service.Channel.choices)
    return {
        "service": service, "can_edit": can_edit, "columns": COLUMNS,
        "volumes": service.quarter_volumes.order_by("-fiscal_year", "-quarter", "channel"),
        "channels": [(c, labels.get(c, c)) for c in channels],
        "entered": {}, "field_errors": {}, "row_errors": [], "error": "",
    }


def _enter(request: HttpRequest, service: Service, ctx: dict[str, Any]) -> HttpResponse:
    values = {k: request.POST.get(k, "")[:100] for k in COLUMNS}
    volume, errors = volume_parse(service, values)
    if volume is None:
        ctx.update(entered=values, field_errors={e.field: e.message for e in errors},
                   error=_("The volume was not saved: correct the fields marked below."))
        return render(request, TEMPLATE, ctx, status=400)
    service_quarter_volumes_save(service=service, volumes=[volume], source="entered",
                                 request=request)
    messages.success(request, _("Saved: %(n)s customers in FY%(year)s Q%(quarter)s.") % {
        "n": f"{volume.customers:,}", "year": volume.fiscal_year, "quarter": volume.quarter})
    return redirect("core:service_volumes", service.pk)


def _import(request: HttpRequest, service: Service, ctx: dict[str, Any]) -> HttpResponse:
    upload = request.FILES.get("file")
    if upload is None:
        errors = [RowError(0, "file", _("Choose a CSV file to import."))]
        volumes: list[Volume] = []
    else:
        volumes, errors = volumes_read(service, upload.read(MAX_BYTES + 1))
    if errors:
        ctx.update(row_errors=errors, error=_(
            "Nothing was imported: correct these rows and import the file again."))
        return render(request, TEMPLATE, ctx, status=400)
    n = service_quarter_volumes_save(service=service, volumes=volumes, source="imported",
                                     request=request)
    messages.success(request, ngettext("Imported %(n)s volume.", "Imported %(n)s volumes.", n)
                     % {"n": n})
    return redirect("core:service_volumes", service.pk)


@login_required
@require_http_methods(["GET", "POST"])
def service_volumes(request: HttpRequest, service_id: int) -> HttpResponse:
    try:
        service = service_get(request.user, service_id, "dashboard.view")
    except Service.DoesNotExist as exc:
        raise Http404(_("No such service.")) from exc
    can_edit = service.agency_id in agency_ids_for(request.user, "a11.prepare")
    ctx = _context(service, can_edit)
    if request.method == "POST":
        if not can_edit:
            audit_record(action="core.service.volumes", request=request,
                         agency=service.agency_id, object_type="service",
                         object_id=service.pk, outcome="denied")
            ctx["error"] = _("Only an administrator or a performance manager of the agency can "
                             "change customer volumes.")
            return render(request, TEMPLATE, ctx, status=403)
        if request.POST.get("action") == "import":
            return _import(request, service, ctx)
        return _enter(request, service, ctx)
    return render(request, TEMPLATE, ctx)
