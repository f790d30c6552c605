"""Writes for agencies, services, staff and the audit trail."""

from __future__ import annotations

import ipaddress
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.http import HttpRequest

from govcx.core.models import Agency, AuditEvent, Membership, Service, ServiceQuarterVolume
from govcx.core.volumes import Volume


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or behind a proxy the address the trusted proxy
    appended last to CLIENT_IP_HEADER (the leftmost entries are whatever the client sent).
    Anything that is not an IP address gives None."""
    raw = request.META.get(settings.CLIENT_IP_HEADER) or request.META.get("REMOTE_ADDR")
    if not raw:
        return None
    candidate = str(raw).split(",")[-1].strip()
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None


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


def audit_record_per_agency(
    *, rows_by_agency: dict[int, int], action: str, request: HttpRequest,
    object_type: str = "", detail: dict[str, Any] | None = None,
) -> None:
    """One audit event per agency whose personal data was read or exported, so each agency's
    administrators see it in their own audit log (a read that showed nothing: one event)."""
    if not rows_by_agency:
        audit_record(action=action, request=request, object_type=object_type,
                     detail={**(detail or {}), "rows": 0})
        return
    for agency_id, rows in sorted(rows_by_agency.items()):
        audit_record(action=action, request=request, agency=agency_id,
                     object_type=object_type, detail={**(detail or {}), "rows": rows})


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


def agency_settings_set(*, agency: Agency, request: HttpRequest,
                        record_ip_addresses: bool) -> bool:
    """Change an agency's settings; True when something changed (audited with the change)."""
    if agency.record_ip_addresses == record_ip_addresses:
        return False
    with transaction.atomic():
        Agency.objects.filter(pk=agency.pk).update(record_ip_addresses=record_ip_addresses)
        agency.record_ip_addresses = record_ip_addresses
        audit_record(action="core.agency.settings", request=request, agency=agency.pk,
                     object_type="agency", object_id=agency.pk,
                     detail={"record_ip_addresses": record_ip_addresses})
    from govcx.feedback.selectors import public_cache_clear  # the submit path caches agencies

    public_cache_clear()
    return True


def service_update(*, service: Service, request: HttpRequest, **fields: Any) -> list[str]:
    """Change a service's name, description, channels, stages, annual volume or HISP flag
    (what the staff form sends); returns the names of the fields that changed, audited as
    "core.service.edit". A stage a touchpoint stands at cannot be removed."""
    allowed = {"name", "description", "channels", "stages", "annual_customer_volume", "is_hisp"}
    if set(fields) - allowed:
        raise ValueError(f"Unknown service field(s): {', '.join(sorted(set(fields) - allowed))}")
    if "stages" in fields:
        in_use = sorted(set(service.touchpoints.exclude(stage="").exclude(
            stage__in=fields["stages"]).values_list("stage", flat=True)))
        if in_use:
            raise ValueError(f"Touchpoints stand at {', '.join(in_use)}: keep those stages, or "
                             "move the touchpoints first.")
    changed = [k for k, v in fields.items() if getattr(service, k) != v]
    for k in changed:
        setattr(service, k, fields[k])
    if changed:
        service.full_clean()
        service.save(update_fields=changed)
        audit_record(action="core.service.edit", request=request, agency=service.agency_id,
                     object_type="service", object_id=service.pk, detail={"changed": changed})
    return changed


def service_owners_set(
    *, service: Service, users: list[Any],
    actor: AbstractBaseUser | AnonymousUser | None = None, request: HttpRequest | None = None,
) -> None:
    """Who answers for the service (alerts about it reach them). Each must be a member of the
    service's agency or of a department above it. With an actor (or a request) the change is
    audited ("core.service.owners": who was added and removed)."""
    from govcx.core.selectors import agency_ids_for

    for user in users:
        if service.agency_id not in agency_ids_for(user):
            raise ValueError(f"{user} is not a member of {service.agency}.")
    before = set(service.owners.values_list("pk", flat=True))
    service.owners.set(users)
    after = {u.pk for u in users}
    if actor is not None or request is not None:
        audit_record(action="core.service.owners", actor=actor, request=request,
                     agency=service.agency_id, object_type="service", object_id=service.pk,
                     detail={"owners": sorted(after), "added": sorted(after - before),
                             "removed": sorted(before - after)})


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


def service_quarter_volumes_save(
    *, service: Service, volumes: list[Volume], source: str, request: HttpRequest,
) -> int:
    """Store customer volumes entered on the service's volumes page or imported from a CSV
    file (`core.volumes`), all or none, replacing the same quarter and channel; audited."""
    with transaction.atomic():
        for v in volumes:
            service_quarter_volume_set(service=service, fiscal_year=v.fiscal_year,
                                       quarter=v.quarter, channel=v.channel,
                                       customers=v.customers, source=source)
        audit_record(action="core.service.volumes", request=request, agency=service.agency_id,
                     object_type="service", object_id=service.pk,
                     detail={"source": source, "rows": len(volumes),
                             "quarters": sorted({f"FY{v.fiscal_year} Q{v.quarter}"
                                                 for v in volumes})})
    return len(volumes)


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
