"""Every write in the contact centre: receiving contacts, cases and their life cycle.

`contact_receive` is the one door for inbound contacts from every channel (web form, email,
SMS, call records, chat handoff): it matches the person, finds or reopens the case (email
threads, an SMS conversation, an explicit case) or opens a new one, routes it, starts the
SLA clocks, assigns it, and records a case event for each change.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from govcx.contact import sla
from govcx.contact.metrics_rollups import contact_rollups_apply_case, contact_rollups_apply_contact
from govcx.contact.models import (
    Case,
    CaseEvent,
    Channel,
    Contact,
    Queue,
    QueueMember,
    RoutingRule,
    SlaPolicy,
)
from govcx.core.models import Agency, Service
from govcx.core.services import audit_record
from govcx.customers.models import Customer
from govcx.customers.services import customer_match_or_create
from govcx.journeys.services import (
    case_key_for,
    journey_case_customer_set,
    journey_case_event_record,
    journey_contact_received_record,
    journey_events_rekey,
)

OPEN_STATUSES = (Case.Status.NEW, Case.Status.OPEN, Case.Status.PENDING)


class CaseError(ValueError):
    """A case cannot change as asked; the message says why."""


def case_event(*, case: Case, kind: str, actor: Any = None, at: dt.datetime | None = None,
               **detail: Any) -> CaseEvent:
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    event = CaseEvent.objects.create(case=case, kind=kind, actor=user, at=at or timezone.now(),
                                     detail=detail)
    journey_case_event_record(case=case, kind=kind, at=event.at, detail=detail)
    return event


# --- routing, SLA, assignment ---------------------------------------------------------------

def route(*, agency: Agency, channel: str, service: Service | None, topic: str,
          language: str) -> RoutingRule | None:
    """The first rule (by position) whose set fields all match; blank fields match any."""
    for rule in RoutingRule.objects.filter(agency=agency).select_related("queue"):
        if rule.channel and rule.channel != channel:
            continue
        if rule.service_id and (service is None or rule.service_id != service.pk):
            continue
        if rule.topic and rule.topic != topic:
            continue
        if rule.language and rule.language != language:
            continue
        return rule
    return None


def sla_policy_for(case: Case) -> SlaPolicy | None:
    if case.queue is not None and case.queue.sla_policy_id:
        return case.queue.sla_policy
    return (SlaPolicy.objects.filter(agency_id=case.agency_id)
            .filter(Q(priority=case.priority) | Q(priority="")).order_by("-priority", "id")
            .first())


def sla_start(case: Case, at: dt.datetime) -> None:
    policy = sla_policy_for(case)
    case.sla_policy = policy
    if policy is None:
        return
    cal = policy.calendar
    if policy.first_response_minutes and case.first_response_at is None:
        case.first_response_due = sla.add_business_minutes(at, policy.first_response_minutes,
                                                           cal)
    if policy.resolution_minutes:
        case.resolution_due = sla.add_business_minutes(at, policy.resolution_minutes, cal)


def assignee_pick(queue: Queue) -> Any | None:
    """Round-robin or least-loaded among available members with spare capacity."""
    if queue.assignment == Queue.Assignment.MANUAL:
        return None
    members = list(
        QueueMember.objects.filter(queue=queue, available=True, user__is_active=True)
        .select_related("user").order_by("user_id")
    )
    if not members:
        return None
    load = dict(
        Case.objects.filter(assignee_id__in=[m.user_id for m in members],
                            status__in=OPEN_STATUSES)
        .values_list("assignee_id").annotate(n=Count("id")).values_list("assignee_id", "n")
    )
    free = [m for m in members if load.get(m.user_id, 0) < m.capacity]
    if not free:
        return None
    if queue.assignment == Queue.Assignment.LEAST_LOADED:
        chosen = min(free, key=lambda m: (load.get(m.user_id, 0), m.user_id))
    else:  # round-robin: the next member after the last one assigned
        after = [m for m in free if queue.last_assigned_id is not None
                 and m.user_id > queue.last_assigned_id]
        chosen = (after or free)[0]
    Queue.objects.filter(pk=queue.pk).update(last_assigned=chosen.user)
    return chosen.user


# --- receiving ---------------------------------------------------------------------------------

@dataclass
class Received:
    contact: Contact
    case: Case
    new_case: bool
    reopened: bool


def _thread_case(agency: Agency, in_reply_to: str, references: str) -> Case | None:
    ids = [i for i in [in_reply_to, *references.split()] if i]
    if not ids:
        return None
    found = (Contact.objects.filter(agency=agency, message_id__in=ids, case__isnull=False)
             .select_related("case").order_by("-at").first())
    return found.case if found else None


def contact_receive(
    *, agency: Agency, channel: str, body: str = "", subject: str = "",
    sender: str = "", identity: tuple[str, str] | None = None, verified: bool = False,
    customer: Customer | None = None, case: Case | None = None, at: dt.datetime | None = None,
    service: Service | None = None, language: str = "en", topic: str = "",
    message_id: str = "", in_reply_to: str = "", references: str = "",
    external_id: str = "", open_case: bool = True, **call: Any,
) -> Received:
    """Record one inbound contact and put it on the right case (see the module docstring).

    `identity` is (kind, value), e.g. ("email", "a@b.org") or ("phone", "+12025550100"):
    the person is matched by the keyed hash of it. Call-record fields (queue_entered_at,
    answered, abandoned, wait_seconds, talk_seconds, hold_seconds, disposition,
    transferred, routed_to_agent) go in **call.
    """
    if channel not in Channel.values:
        raise CaseError(f"Unknown channel '{channel}'.")
    at = at or timezone.now()
    if customer is None and identity is not None:
        try:
            customer = customer_match_or_create(agency=agency, kind=identity[0],
                                                value=identity[1], verified=verified,
                                                language=language)
        except ValueError as exc:
            raise CaseError(str(exc)) from exc
    with transaction.atomic():
        if case is None and channel == Channel.EMAIL:
            case = _thread_case(agency, in_reply_to, references)
            # a thread joins a case only from that case's own customer: knowing a
            # Message-ID must not let a stranger write into someone else's case
            if (case is not None and case.customer_id is not None
                    and (customer is None or customer.pk != case.customer_id)):
                case = None
        if case is None and channel == Channel.SMS and customer is not None:
            case = (Case.objects.filter(agency=agency, customer=customer, channel=Channel.SMS)
                    .order_by("-opened_at").first())
        if case is not None and case.merged_into_id:
            case = Case.objects.get(pk=case.merged_into_id)
        reopened = new_case = False
        if case is not None and case.status in (Case.Status.RESOLVED, Case.Status.CLOSED):
            window = dt.timedelta(days=settings.CASE_REOPEN_DAYS)
            ended = case.resolved_at or case.closed_at or case.opened_at
            if case.status == Case.Status.RESOLVED and at - ended <= window:
                reopened = True
            else:
                case = None  # a new need: a new case (FCR still sees the re-contact)
        if case is None and open_case:
            case = _case_open(agency=agency, channel=channel, subject=subject, at=at,
                              customer=customer, service=service, language=language,
                              topic=topic)
            new_case = True
        contact = Contact.objects.create(
            agency=agency, case=case, customer=customer or (case.customer if case else None),
            channel=channel, direction=Contact.Direction.INBOUND, at=at, sender=sender[:254],
            subject=subject[:300], body=body, message_id=message_id[:300],
            in_reply_to=in_reply_to[:300], references=references, external_id=external_id,
            **call,
        )
        journey_contact_received_record(contact=contact, case=case, service=service,
                                        language=language)
        if case is not None:
            updates: dict[str, Any] = {"customer_contacts": case.customer_contacts + 1}
            if case.customer_id is None and customer is not None:
                updates["customer"] = customer
                journey_case_customer_set(case=case, customer=customer)
            if reopened:
                updates.update(status=Case.Status.OPEN, reopen_count=case.reopen_count + 1,
                               resolved_at=None)
                case_event(case=case, kind="reopened", at=at, channel=channel)
            elif case.status == Case.Status.PENDING:
                updates["status"] = Case.Status.OPEN
                case_event(case=case, kind="status", at=at, old="pending", new="open",
                           reason="customer replied")
            policy = case.sla_policy
            if (not new_case and case.first_response_at is not None
                    and case.next_response_due is None and policy is not None
                    and policy.next_response_minutes):
                # the person wrote again after our answer: the next-response clock starts
                updates["next_response_due"] = sla.add_business_minutes(
                    at, policy.next_response_minutes, policy.calendar)
            for k, v in updates.items():
                setattr(case, k, v)
            case.save()
            case_event(case=case, kind="contact", at=at, channel=channel,
                       contact_id=contact.pk, direction="in")
        contact_rollups_apply_contact(contact.pk)
    return Received(contact=contact, case=case, new_case=new_case,  # type: ignore[arg-type]
                    reopened=reopened)


def _case_open(*, agency: Agency, channel: str, subject: str, at: dt.datetime,
               customer: Customer | None, service: Service | None, language: str,
               topic: str) -> Case:
    case = Case(agency=agency, channel=channel, subject=subject[:300], opened_at=at,
                customer=customer, service=service, language=language, topic=topic,
                customer_contacts=0)
    rule = route(agency=agency, channel=channel, service=service, topic=topic,
                 language=language)
    if rule is not None:
        case.queue = rule.queue
        if rule.priority:
            case.priority = rule.priority
    sla_start(case, at)
    case.save()
    case_event(case=case, kind="opened", at=at, channel=channel,
               queue=case.queue.name if case.queue else None,
               rule=rule.pk if rule else None)
    if case.queue is not None:
        user = assignee_pick(case.queue)
        if user is not None:
            case.assignee = user
            case.save(update_fields=["assignee"])
            case_event(case=case, kind="assigned", at=at, to=user.get_username(),
                       how=case.queue.assignment)
    return case


# --- staff actions ----------------------------------------------------------------------------

def case_reply(*, case: Case, author: Any, body: str, channel: str | None = None,
               at: dt.datetime | None = None, send: bool = True) -> Contact:
    """An agent's reply to the person: an outbound contact, sent on the case's channel."""
    body = body.strip()
    if not body:
        raise CaseError("A reply needs some text.")
    at = at or timezone.now()
    channel = channel or case.channel
    with transaction.atomic():
        contact = Contact.objects.create(
            agency_id=case.agency_id, case=case, customer=case.customer, channel=channel,
            direction=Contact.Direction.OUTBOUND, at=at, author=author, body=body,
            subject=case.subject,
        )
        if case.first_response_at is None:
            case.first_response_at = at
        policy = case.sla_policy
        if policy is not None and policy.next_response_minutes:
            case.next_response_due = None  # restarts when the person writes again
        if case.status == Case.Status.NEW:
            case.status = Case.Status.OPEN
        case.save()
        case_event(case=case, kind="reply", actor=author, at=at, channel=channel,
                   contact_id=contact.pk)
        contact_rollups_apply_case(case.pk)
    if send:
        from govcx.contact.outbound import NotSent, outbound_send

        try:
            outbound_send(contact)
        except NotSent as exc:  # the reply is kept on the case, marked as not sent
            case_event(case=case, kind="not_sent", actor=author, contact_id=contact.pk,
                       reason=str(exc))
            raise
    return contact


def case_note(*, case: Case, author: Any, text: str) -> CaseEvent:
    text = text.strip()
    if not text:
        raise CaseError("A note needs some text.")
    return case_event(case=case, kind="note", actor=author, text=text[:5000])


TRANSITIONS = {
    Case.Status.NEW: {Case.Status.OPEN, Case.Status.PENDING, Case.Status.RESOLVED},
    Case.Status.OPEN: {Case.Status.PENDING, Case.Status.RESOLVED},
    Case.Status.PENDING: {Case.Status.OPEN, Case.Status.RESOLVED},
    Case.Status.RESOLVED: {Case.Status.OPEN, Case.Status.CLOSED},
    Case.Status.CLOSED: set(),
}


def case_status_set(*, case: Case, status: str, actor: Any,
                    at: dt.datetime | None = None) -> Case:
    if status not in Case.Status.values:
        raise CaseError(f"Unknown status '{status}'.")
    if status == case.status:
        return case
    if status not in TRANSITIONS[Case.Status(case.status)]:
        raise CaseError(f"A {case.get_status_display().lower()} case cannot become "
                        f"{Case.Status(status).label.lower()}.")
    at = at or timezone.now()
    old = case.status
    case.status = status
    if status == Case.Status.RESOLVED:
        case.resolved_at = at
    elif status == Case.Status.CLOSED:
        case.closed_at = at
    elif old == Case.Status.RESOLVED and status == Case.Status.OPEN:
        case.resolved_at = None
        case.reopen_count += 1
    with transaction.atomic():
        case.save()
        case_event(case=case, kind="status", actor=actor, at=at, old=old, new=status)
        contact_rollups_apply_case(case.pk)
    if status == Case.Status.RESOLVED:
        transaction.on_commit(lambda: _after_resolve(case.pk))
    return case


def _after_resolve(case_id: int) -> None:
    """Hook for closing the loop (A-11 survey on resolution): see contact.loop."""
    from govcx.contact import loop

    loop.on_case_resolved(case_id)


def case_resolve(*, case: Case, actor: Any, at: dt.datetime | None = None) -> Case:
    return case_status_set(case=case, status=Case.Status.RESOLVED, actor=actor, at=at)


def case_assign(*, case: Case, user: Any | None, actor: Any) -> Case:
    """Assign to a member of the case's agency (agent or administrator), or unassign."""
    if user is not None:
        from govcx.core.selectors import agency_ids_for

        if case.agency_id not in agency_ids_for(user, "cases.work"):
            raise CaseError(f"{user.get_username()} cannot work this agency's cases.")
    old = case.assignee.get_username() if case.assignee else None
    case.assignee = user
    case.save(update_fields=["assignee", "updated_at"])
    case_event(case=case, kind="assigned", actor=actor, old=old,
               to=user.get_username() if user else None)
    contact_rollups_apply_case(case.pk)
    return case


def case_update(*, case: Case, actor: Any, **fields: Any) -> Case:
    """Change priority, topic, queue or service; each change is a case event."""
    allowed = {"priority", "topic", "queue", "service", "subject"}
    bad = set(fields) - allowed
    if bad:
        raise CaseError(f"Cannot change {', '.join(sorted(bad))} here.")
    if "priority" in fields and fields["priority"] not in Case.Priority.values:
        raise CaseError(f"Unknown priority '{fields['priority']}'.")
    for name, value in fields.items():
        if name in ("queue", "service") and value is not None and value.agency_id != case.agency_id:
            raise CaseError(f"That {name} belongs to another agency.")
        old = getattr(case, name)
        if old == value:
            continue
        setattr(case, name, value)
        case_event(case=case, kind="changed", actor=actor, field=name,
                   old=str(old) if old is not None else None,
                   new=str(value) if value is not None else None)
    case.save()
    contact_rollups_apply_case(case.pk)
    return case


def case_merge(*, source: Case, target: Case, actor: Any) -> Case:
    """Move every contact of `source` to `target`; `source` is closed and points at it."""
    if source.pk == target.pk:
        raise CaseError("A case cannot be merged into itself.")
    if source.agency_id != target.agency_id:
        raise CaseError("Cases of different agencies cannot be merged.")
    with transaction.atomic():
        moved = Contact.objects.filter(case=source).update(case=target)
        target.customer_contacts += source.customer_contacts
        target.save()
        source.merged_into = target
        source.status = Case.Status.CLOSED
        source.closed_at = timezone.now()
        source.save()
        case_event(case=source, kind="merged", actor=actor, into=target.pk, contacts=moved)
        case_event(case=target, kind="merged", actor=actor, source=source.pk, contacts=moved)
        contact_rollups_apply_case(source.pk)
        contact_rollups_apply_case(target.pk)
    return target


def case_split(*, case: Case, contact_ids: list[int], actor: Any, subject: str = "") -> Case:
    """Move some contacts of a case to a new case (a second need in the same thread)."""
    with transaction.atomic():
        contacts = list(Contact.objects.filter(case=case, pk__in=contact_ids).order_by("at"))
        if not contacts or len(contacts) != len(set(contact_ids)):
            raise CaseError("Choose contacts of this case to split off.")
        if Contact.objects.filter(case=case).exclude(pk__in=contact_ids).count() == 0:
            raise CaseError("Leave at least one contact on the original case.")
        first = contacts[0]
        new = Case.objects.create(
            agency_id=case.agency_id, service=case.service, customer=case.customer,
            subject=subject or first.subject or case.subject, channel=first.channel,
            opened_at=first.at, language=case.language, queue=case.queue,
            priority=case.priority,
            customer_contacts=sum(1 for c in contacts
                                  if c.direction == Contact.Direction.INBOUND),
        )
        Contact.objects.filter(pk__in=[c.pk for c in contacts]).update(case=new)
        case.customer_contacts = max(0, case.customer_contacts - new.customer_contacts)
        case.save()
        case_event(case=case, kind="split", actor=actor, into=new.pk,
                   contacts=[c.pk for c in contacts])
        case_event(case=new, kind="opened", actor=actor, split_from=case.pk)
        contact_rollups_apply_case(case.pk)
        contact_rollups_apply_case(new.pk)
    return new


def customer_merge(*, keep: Customer, merge: Customer, actor: Any, request: Any = None) -> Customer:
    """One person, one history: move cases, contacts, identities, survey responses and journey
    events to `keep`. Audited."""
    from govcx.customers.models import Identity

    if keep.pk == merge.pk or keep.agency_id != merge.agency_id:
        raise CaseError("Only two different records of the same agency can be merged.")
    with transaction.atomic():
        moved = {
            "cases": Case.objects.filter(customer=merge).update(customer=keep),
            "contacts": Contact.objects.filter(customer=merge).update(customer=keep),
            "identities": Identity.objects.filter(customer=merge).update(customer=keep),
        }
        from govcx.feedback.models import Response

        moved["responses"] = Response.objects.filter(customer=merge).update(customer=keep)
        # the two journeys become one (events are moved before the record they point at goes)
        moved["journey_events"] = journey_events_rekey(
            agency=keep.agency_id, old_key=case_key_for(customer_id=merge.pk),
            new_key=case_key_for(customer_id=keep.pk))
        audit_record(action="customer.merge", actor=actor, request=request,
                     agency=keep.agency_id, object_type="customer", object_id=keep.pk,
                     detail={"merged": merge.pk, **moved})
        merge.delete()
        for case_id in Case.objects.filter(customer=keep).values_list("pk", flat=True):
            contact_rollups_apply_case(case_id)
    return keep


