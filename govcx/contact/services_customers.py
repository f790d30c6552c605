"""Writes behind the agent workspace that are not case life-cycle: undoing a wrong customer
merge (split one identity off to its own record) and a supervisor setting an agent's
availability in a queue. Both audited."""

from __future__ import annotations

from email.utils import parseaddr
from typing import Any

from django.db import transaction

from govcx.contact.models import Case, Contact, QueueMember
from govcx.contact.services import CaseError
from govcx.core.services import audit_record
from govcx.customers.models import Customer, Identity
from govcx.customers.services import identity_normalize


def _sender_value(sender: str, kind: str) -> str:
    """The identity value a contact came from ("Ana <ana@x.org>" -> "ana@x.org")."""
    _name, addr = parseaddr(sender)
    try:
        return identity_normalize(kind, addr or sender)
    except ValueError:
        return ""


def customer_split_identity(*, customer: Customer, identity_id: int, actor: Any,
                            request: Any = None) -> Customer:
    """Unmerge: move one identity to a new customer record, with the contacts that came from
    it and the cases all of whose inbound contacts came from it. Returns the new record.

    Survey answers stay with the original record (they carry no identity to tell them apart).
    """
    with transaction.atomic():
        try:
            ident = Identity.objects.select_for_update().get(pk=identity_id, customer=customer)
        except Identity.DoesNotExist as exc:
            raise CaseError("That identity is not on this customer record.") from exc
        if Identity.objects.filter(customer=customer).count() < 2:
            raise CaseError("A record with one identity cannot be split; nothing to separate.")
        new = Customer.objects.create(agency_id=customer.agency_id,
                                      preferred_language=customer.preferred_language)
        ident.customer = new
        ident.save(update_fields=["customer"])
        contact_ids = [c.pk for c in Contact.objects.filter(customer=customer)
                       .exclude(sender="").only("pk", "sender")
                       if _sender_value(c.sender, ident.kind) == ident.value]
        Contact.objects.filter(pk__in=contact_ids).update(customer=new)
        case_ids = []
        for case in Case.objects.filter(customer=customer, contacts__pk__in=contact_ids).distinct():
            others = Contact.objects.filter(case=case, customer=customer,
                                            direction=Contact.Direction.INBOUND)
            if not others.exists():
                case_ids.append(case.pk)
        Case.objects.filter(pk__in=case_ids).update(customer=new)
        audit_record(action="customer.unmerge", actor=actor, request=request,
                     agency=customer.agency_id, object_type="customer", object_id=customer.pk,
                     detail={"new_customer": new.pk, "identity": ident.pk, "kind": ident.kind,
                             "contacts": len(contact_ids), "cases": len(case_ids)})
    return new


def queue_member_availability_set(*, member: QueueMember, available: bool, actor: Any,
                                  request: Any = None) -> QueueMember:
    """A supervisor marks an agent available (or not) for new assignments in a queue."""
    if member.available == available:
        return member
    member.available = available
    member.save(update_fields=["available"])
    audit_record(action="queue.availability", actor=actor, request=request,
                 agency=member.queue.agency_id, object_type="queue_member", object_id=member.pk,
                 detail={"queue": member.queue_id, "user": member.user.get_username(),
                         "available": available})
    return member
