"""Agency-scoped reads of the contact centre: the agent workspace lists, one case, a person's
whole history across channels, queue health for supervisors.

Isolation lives here: every read starts from `agency_ids_for(user, capability)`, so a view
that forgets to check still cannot show another agency's cases.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone

from govcx.contact.models import CannedReply, Case, CaseEvent, Contact, Queue, QueueMember, SlaPolicy
from govcx.core.models import Agency, Service
from govcx.core.selectors import AnyUser, agency_ids_for
from govcx.customers.models import Customer, Identity

OPEN_STATUSES = (Case.Status.NEW, Case.Status.OPEN, Case.Status.PENDING)
WAITING_STATUSES = (Case.Status.NEW, Case.Status.OPEN)
DEFAULT_WARN_MINUTES = 60
TABS = ("mine", "queue", "unassigned", "breaching")
# sort key -> ORDER BY; every order ends on the primary key so pages are stable
SORTS: dict[str, tuple[str, ...]] = {
    "opened": ("opened_at", "id"),
    "-opened": ("-opened_at", "-id"),
    "due": ("resolution_due", "id"),
    "-due": ("-resolution_due", "-id"),
    "updated": ("updated_at", "id"),
    "-updated": ("-updated_at", "-id"),
}


@dataclass(frozen=True)
class CaseFilter:
    tab: str = "mine"
    sort: str = "opened"
    status: str = ""  # blank: the open statuses (new, open, pending)
    queue: int | None = None

    def normalised(self) -> CaseFilter:
        return CaseFilter(
            tab=self.tab if self.tab in TABS else "mine",
            sort=self.sort if self.sort in SORTS else "opened",
            status=self.status if self.status in Case.Status.values else "",
            queue=self.queue,
        )


def _breaching_q(agency_ids: set[int], now: dt.datetime) -> Q:
    """First response or resolution due within the policy's warning time, or already past."""
    def due_within(minutes: int) -> Q:
        limit = now + dt.timedelta(minutes=minutes)
        return (Q(first_response_at__isnull=True, first_response_due__lte=limit)
                | Q(next_response_due__lte=limit) | Q(resolution_due__lte=limit))

    q = Q(sla_policy__isnull=True) & due_within(DEFAULT_WARN_MINUTES)
    for pk, warn in SlaPolicy.objects.filter(agency_id__in=agency_ids).values_list(
            "pk", "warn_before_minutes"):
        q |= Q(sla_policy_id=pk) & due_within(warn)
    return q


def cases_for(user: AnyUser, capability: str = "cases.view",
              filters: CaseFilter | None = None) -> QuerySet[Case]:
    """Cases the user may see with this capability, for one workspace tab, sorted.

    Queries are shaped for the Case indexes: (agency, status, opened_at) for the
    unassigned / breaching tabs, (assignee, status) for "my cases" and (queue, status) for
    the queue tab.
    """
    f = (filters or CaseFilter()).normalised()
    agency_ids = agency_ids_for(user, capability)
    qs = Case.objects.filter(agency_id__in=agency_ids, merged_into__isnull=True)
    qs = qs.filter(status=f.status) if f.status else qs.filter(status__in=OPEN_STATUSES)
    if f.tab == "mine":
        qs = qs.filter(assignee_id=user.pk) if user.pk is not None else qs.none()
    elif f.tab == "queue":
        queue_ids = list(QueueMember.objects.filter(
            user_id=user.pk or 0, queue__agency_id__in=agency_ids).values_list("queue_id", flat=True))
        qs = qs.filter(queue_id__in=queue_ids)
    elif f.tab == "unassigned":
        qs = qs.filter(assignee__isnull=True)
    elif f.tab == "breaching":
        qs = qs.filter(_breaching_q(agency_ids, timezone.now()))
    if f.queue is not None:
        qs = qs.filter(queue_id=f.queue)
    return qs.select_related("queue", "assignee", "service").order_by(*SORTS[f.sort])


def case_breach_state(case: Case, now: dt.datetime | None = None) -> str:
    """'breached', 'soon' or '' for the nearest open clock of a case."""
    if case.status not in OPEN_STATUSES:
        return ""
    now = now or timezone.now()
    dues = [d for d in (case.first_response_due if case.first_response_at is None else None,
                        case.next_response_due, case.resolution_due) if d is not None]
    if not dues:
        return ""
    nearest = min(dues)
    warn = case.sla_policy.warn_before_minutes if case.sla_policy else DEFAULT_WARN_MINUTES
    if nearest <= now:
        return "breached"
    if nearest <= now + dt.timedelta(minutes=warn):
        return "soon"
    return ""


def case_get(user: AnyUser, case_id: int, capability: str = "cases.view") -> Case:
    """The case, or Case.DoesNotExist when the user may not see it (views turn it to 404)."""
    return (Case.objects.select_related("agency", "queue", "assignee", "service", "customer",
                                        "sla_policy", "merged_into")
            .get(pk=case_id, agency_id__in=agency_ids_for(user, capability)))


def case_conversation(case: Case) -> QuerySet[Contact]:
    return (Contact.objects.filter(case=case).select_related("author")
            .prefetch_related("attachments").order_by("at", "id"))


def case_events(case: Case) -> QuerySet[CaseEvent]:
    return CaseEvent.objects.filter(case=case).select_related("actor").order_by("at", "id")


def canned_replies_for(case: Case) -> QuerySet[CannedReply]:
    return CannedReply.objects.filter(agency_id=case.agency_id).order_by("language", "name")


def queues_for(user: AnyUser, capability: str = "cases.work") -> QuerySet[Queue]:
    return Queue.objects.filter(agency_id__in=agency_ids_for(user, capability)).order_by("name")


def assignable_agents(case: Case) -> list[Any]:
    """Staff of the case's agency who may work cases (the only people it can be given to)."""
    from django.contrib.auth import get_user_model

    from govcx.core.models import Membership
    from govcx.core.permissions import CAPABILITIES

    user_ids = Membership.objects.filter(
        agency_id=case.agency_id, role__in=CAPABILITIES["cases.work"]).values_list(
        "user_id", flat=True)
    return list(get_user_model().objects.filter(pk__in=user_ids, is_active=True)
                .order_by("username"))


def customer_get(user: AnyUser, customer_id: int, capability: str = "cases.view") -> Customer:
    """The customer, or Customer.DoesNotExist when the user may not see them."""
    return Customer.objects.select_related("agency").get(
        pk=customer_id, agency_id__in=agency_ids_for(user, capability))


@dataclass
class CustomerHistory:
    customer: Customer
    identities: list[Identity] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)
    responses: list[Any] = field(default_factory=list)  # feedback Response rows

    @property
    def channels(self) -> list[str]:
        return sorted({c.channel for c in self.contacts})


def customer_history(user: AnyUser, customer: Customer, *, limit: int = 200) -> CustomerHistory:
    """Every contact, case and survey answer of this person, on every channel, newest first.

    Raises Customer.DoesNotExist when the user may not see the customer's agency.
    """
    from govcx.feedback.models import Response

    if customer.agency_id not in agency_ids_for(user, "cases.view"):
        raise Customer.DoesNotExist("No such customer.")
    return CustomerHistory(
        customer=customer,
        identities=list(Identity.objects.filter(customer=customer).order_by("kind", "pk")),
        contacts=list(Contact.objects.filter(customer=customer, agency_id=customer.agency_id)
                      .select_related("case", "author").order_by("-at", "-id")[:limit]),
        cases=list(Case.objects.filter(customer=customer, agency_id=customer.agency_id)
                   .select_related("queue", "assignee").order_by("-opened_at", "-id")[:limit]),
        responses=list(Response.objects.filter(customer=customer, agency_id=customer.agency_id)
                       .select_related("touchpoint", "service")
                       .order_by("-submitted_at", "-id")[:limit]),
    )


@dataclass
class AgentLoad:
    member: QueueMember
    open_cases: int


@dataclass
class QueueHealth:
    queue: Queue
    waiting: int
    oldest_waiting: dt.datetime | None
    breaching_soon: int
    breached: int
    agents: list[AgentLoad]

    @property
    def oldest_age(self) -> dt.timedelta | None:
        return timezone.now() - self.oldest_waiting if self.oldest_waiting else None

    @property
    def available(self) -> int:
        return sum(1 for a in self.agents if a.member.available)


def queue_health(user: AnyUser, capability: str = "cases.view") -> list[QueueHealth]:
    """Per queue: waiting (new/open, unassigned), the oldest wait, SLA risk, agents and load."""
    agency_ids = agency_ids_for(user, capability)
    queues = list(Queue.objects.filter(agency_id__in=agency_ids).order_by("agency__name", "name"))
    if not queues:
        return []
    qids = [q.pk for q in queues]
    now = timezone.now()
    waiting = {r["queue_id"]: r for r in Case.objects.filter(
        queue_id__in=qids, status__in=WAITING_STATUSES, assignee__isnull=True,
        merged_into__isnull=True).values("queue_id").annotate(n=Count("id"),
                                                             oldest=Min("opened_at"))}
    open_qs = Case.objects.filter(queue_id__in=qids, status__in=OPEN_STATUSES,
                                  merged_into__isnull=True)
    breached_q = (Q(first_response_at__isnull=True, first_response_due__lte=now)
                  | Q(next_response_due__lte=now) | Q(resolution_due__lte=now))
    breached = dict(open_qs.filter(breached_q).values_list("queue_id").annotate(n=Count("id"))
                    .values_list("queue_id", "n"))
    risky = dict(open_qs.filter(_breaching_q(agency_ids, now)).exclude(breached_q)
                 .values_list("queue_id").annotate(n=Count("id")).values_list("queue_id", "n"))
    members = list(QueueMember.objects.filter(queue_id__in=qids).select_related("user")
                   .order_by("user__username"))
    load = dict(Case.objects.filter(assignee_id__in={m.user_id for m in members},
                                    agency_id__in=agency_ids, status__in=OPEN_STATUSES)
                .values_list("assignee_id").annotate(n=Count("id"))
                .values_list("assignee_id", "n"))
    out = []
    for q in queues:
        w = waiting.get(q.pk, {})
        out.append(QueueHealth(
            queue=q, waiting=w.get("n", 0), oldest_waiting=w.get("oldest"),
            breaching_soon=risky.get(q.pk, 0), breached=breached.get(q.pk, 0),
            agents=[AgentLoad(member=m, open_cases=load.get(m.user_id, 0))
                    for m in members if m.queue_id == q.pk]))
    return out


def queue_member_get(user: AnyUser, queue_id: int, user_id: int,
                     capability: str = "cases.supervise") -> QueueMember:
    """A membership row of a queue the user may supervise, or QueueMember.DoesNotExist."""
    return QueueMember.objects.select_related("queue", "user").get(
        queue_id=queue_id, user_id=user_id,
        queue__agency_id__in=agency_ids_for(user, capability))


# --- public ---------------------------------------------------------------------------------

def agency_public(slug: str) -> Agency | None:
    """The agency whose public contact form lives at /contact/<slug>/, or None."""
    return Agency.objects.filter(slug=slug).first()


def services_public(agency: Agency) -> QuerySet[Service]:
    return Service.objects.filter(agency=agency).order_by("name")
