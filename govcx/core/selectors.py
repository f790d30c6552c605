"""Reads shared across apps. Agency isolation lives here, not in views."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet

from govcx.core.models import Agency, AuditEvent, Membership, Service
from govcx.core.permissions import CAPABILITIES

AnyUser = AbstractBaseUser | AnonymousUser


def agency_ids_for(user: AnyUser, capability: str = "dashboard.view") -> set[int]:
    """Agencies the user may act on with this capability.

    A membership in a department covers its components (and theirs) too.
    Superusers get no implicit access: agency data is seen through memberships only.
    """
    if not user.is_authenticated:
        return set()
    roles = CAPABILITIES[capability]
    direct = set(
        Membership.objects.filter(user_id=user.pk, role__in=roles).values_list(
            "agency_id", flat=True
        )
    )
    result = set(direct)
    frontier = direct
    while frontier:
        children = set(
            Agency.objects.filter(parent_id__in=frontier).values_list("id", flat=True)
        ) - result
        result |= children
        frontier = children
    return result


def agencies_for(user: AnyUser, capability: str = "dashboard.view") -> QuerySet[Agency]:
    return Agency.objects.filter(id__in=agency_ids_for(user, capability))


def services_for(user: AnyUser, capability: str = "dashboard.view") -> QuerySet[Service]:
    return Service.objects.filter(agency_id__in=agency_ids_for(user, capability)).select_related(
        "agency"
    )


def service_get(user: AnyUser, service_id: int, capability: str = "dashboard.view") -> Service:
    """The service, or Service.DoesNotExist when the user may not see it (views turn it to 404)."""
    return services_for(user, capability).get(id=service_id)


def audit_events_for(user: AnyUser) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(agency_id__in=agency_ids_for(user, "agency.manage"))
