"""Writes for agencies, services, staff and the audit trail."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.http import HttpRequest

from govcx.core.models import Agency, AuditEvent, Membership, Service, ServiceQuarterVolume


def client_ip(request: HttpRequest) -> str | None:
    raw = request.META.get(settings.CLIENT_IP_HEADER) or request.META.get("REMOTE_ADDR")
    if not raw:
        return None
    return str(raw).split(",")[0].strip() or None


def audit_record(
    *,
    action: str,
    actor: AbstractBaseUser | AnonymousUser | None = None,
    request: HttpRequest | None = None,
    agency: Agency | int | None = None,
    object_type: str = "",
    object_id: str | int = "",
    outcome: str = AuditEvent.Outcome.SUCCESS,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Record who did what, when, from where, with what outcome."""
    if actor is None and request is not None:
        actor = request.user
    user: Any = actor if actor is not None and actor.is_authenticated else None
    agency_id = agency.pk if isinstance(agency, Agency) else agency
    return AuditEvent.objects.create(
        actor=user,
        actor_label=user.get_username() if user is not None else "anonymous",
        agency_id=agency_id,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        ip_address=client_ip(request) if request is not None else None,
        user_agent=(request.META.get("HTTP_USER_AGENT", "")[:300] if request is not None else ""),
        outcome=outcome,
        detail=detail or {},
    )


def agency_create(
    *, name: str, slug: str, acronym: str = "", kind: str = Agency.Kind.DEPARTMENT,
    parent: Agency | None = None, record_ip_addresses: bool = False,
) -> Agency:
    agency = Agency(
        name=name, slug=slug, acronym=acronym, kind=kind, parent=parent,
        record_ip_addresses=record_ip_addresses,
    )
    agency.full_clean()
    agency.save()
    return agency


def service_create(
    *, agency: Agency, name: str, slug: str, description: str = "",
    channels: list[str] | None = None, stages: list[str] | None = None,
    annual_customer_volume: int = 0, is_hisp: bool = False,
) -> Service:
    valid = set(Service.Channel.values)
    bad = [c for c in channels or [] if c not in valid]
    if bad:
        raise ValueError(f"Unknown channel(s): {', '.join(bad)}; use one of {sorted(valid)}")
    service = Service(
        agency=agency, name=name, slug=slug, description=description,
        channels=channels or [], stages=stages or [],
        annual_customer_volume=annual_customer_volume, is_hisp=is_hisp,
    )
    service.full_clean()
    service.save()
    return service


def service_quarter_volume_set(
    *, service: Service, fiscal_year: int, quarter: int, customers: int, channel: str = "",
    source: str = "entered",
) -> ServiceQuarterVolume:
    if quarter not in (1, 2, 3, 4):
        raise ValueError("Quarter must be 1, 2, 3 or 4.")
    if customers < 0:
        raise ValueError("Customer volume cannot be negative.")
    obj, _ = ServiceQuarterVolume.objects.update_or_create(
        service=service, fiscal_year=fiscal_year, quarter=quarter, channel=channel,
        defaults={"customers": customers, "source": source},
    )
    return obj


def staff_create(
    *, username: str, email: str, password: str, agency: Agency, role: str,
    first_name: str = "", last_name: str = "",
) -> AbstractBaseUser:
    user_model = get_user_model()
    user = user_model.objects.create_user(
        username=username, email=email, password=password,
        first_name=first_name, last_name=last_name,
    )
    Membership.objects.create(user=user, agency=agency, role=role)
    return user


def membership_set(*, user: AbstractBaseUser, agency: Agency, role: str) -> Membership:
    m, _ = Membership.objects.update_or_create(user=user, agency=agency, defaults={"role": role})
    return m
