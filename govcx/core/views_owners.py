"""Service owners: who answers for a service (alerts about it reach them, in-app and by email).

Anyone with dashboard.view on the service's agency sees the owners; an administrator
(agency.manage) chooses them among the agency's staff — members of the agency or of a
department above it. Every change is audited ("core.service.owners"). Without owners,
alerts go to the agency's administrators (govcx.metrics.alerts)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from govcx.core.models import Agency, Membership, Service
from govcx.core.selectors import agency_ids_for, service_get
from govcx.core.services import audit_record, service_owners_set

MAX_OWNERS = 50


class OwnersError(ValueError):
    """A bad choice of owners, with a message for the person who made it."""


def _staff_agency_ids(agency: Agency) -> list[int]:
    """The agency and the departments above it (their members are its staff)."""
    ids: list[int] = []
    current: Agency | None = agency
    while current is not None and current.pk not in ids:
        ids.append(current.pk)
        current = current.parent
    return ids


def _staff(service: Service) -> list[Any]:
    """Active staff who may own the service, by user name."""
    ids = Membership.objects.filter(agency_id__in=_staff_agency_ids(service.agency)
                                    ).values_list("user_id", flat=True)
    return list(get_user_model().objects.filter(pk__in=ids, is_active=True)
                .order_by("username"))


def _chosen(request: HttpRequest, staff: list[Any]) -> list[Any]:
    raw = request.POST.getlist("owner")
    if len(raw) > MAX_OWNERS:
        raise OwnersError(_("Choose at most %(n)s owners.") % {"n": MAX_OWNERS})
    ids: list[int] = []
    for value in raw:
        value = value.strip()
        if not value.isdigit() or len(value) > 12:
            raise OwnersError(_("Choose the owners from the list of staff."))
        ids.append(int(value))
    by_id = {u.pk: u for u in staff}
    strangers = [i for i in ids if i not in by_id]
    if strangers:
        raise OwnersError(_("Only staff of this service's agency (or of a department above it) "
                            "can own it; %(n)s of the people chosen are not.")
                          % {"n": len(set(strangers))})
    return [by_id[i] for i in dict.fromkeys(ids)]


@login_required
@require_http_methods(["GET", "POST"])
def service_owners(request: HttpRequest, service_id: int) -> HttpResponse:
    try:
        service = service_get(request.user, service_id, "dashboard.view")
    except Service.DoesNotExist as exc:
        raise Http404(_("No such service.")) from exc
    can_manage = service.agency_id in agency_ids_for(request.user, "agency.manage")
    staff = _staff(service) if can_manage else []
    owners = list(service.owners.order_by("username"))
    ctx: dict[str, Any] = {"service": service, "owners": owners, "staff": staff,
                           "chosen": {u.pk for u in owners}, "can_manage": can_manage,
                           "error": ""}
    if request.method == "POST":
        if not can_manage:
            audit_record(action="core.service.owners", request=request,
                         agency=service.agency_id, object_type="service",
                         object_id=service.pk, outcome="denied")
            ctx["error"] = _("Only an administrator of the agency can change who owns this "
                             "service.")
            return render(request, "core/service_owners.html", ctx, status=403)
        try:
            users = _chosen(request, staff)
            service_owners_set(service=service, users=users, request=request)
        except OwnersError as exc:
            ctx["error"] = str(exc)
            ctx["chosen"] = {int(v) for v in request.POST.getlist("owner")
                             if v.strip().isdigit() and len(v.strip()) <= 12}
            return render(request, "core/service_owners.html", ctx, status=400)
        except ValueError:  # a member who left between the page and the save
            ctx["error"] = _("Only staff of this service's agency (or of a department above "
                             "it) can own it.")
            return render(request, "core/service_owners.html", ctx, status=400)
        if users:
            messages.success(request, _("Owners saved: %(names)s.") % {
                "names": ", ".join(u.get_username() for u in users)})
        else:
            messages.success(request, _("This service has no owner now: its alerts go to the "
                                        "agency's administrators."))
        return redirect("core:service_owners", service.pk)
    return render(request, "core/service_owners.html", ctx)
