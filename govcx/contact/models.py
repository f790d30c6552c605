"""Contacts on every channel, cases, queues, routing, SLAs, canned replies, case events.

A *contact* is one interaction (an email, a text, a call, a web-form message, a chat) in or
out. A *case* groups the contacts about one need of one person. FCR and the other measures
in docs/metrics.md are computed from these rows (and kept in rollups by `contact.metrics`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from govcx.core.models import Agency, Service
from govcx.customers.models import Customer


class Channel(models.TextChoices):
    WEB = "web", _("Web form")
    EMAIL = "email", _("Email")
    SMS = "sms", _("Text message")
    PHONE = "phone", _("Phone")
    CHAT = "chat", _("Chat")


class BusinessCalendar(models.Model):
    """Opening hours and holidays, for SLA clocks that run in business time."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="calendars")
    name = models.CharField(max_length=100)
    timezone = models.CharField(max_length=50, default="America/New_York")
    # {"0": [["09:00", "17:00"]], …} keyed by weekday (0 = Monday); missing days are closed.
    hours = models.JSONField(default=dict)
    holidays = models.JSONField(default=list)  # ["2026-12-25", …]

    def __str__(self) -> str:
        return self.name


class SlaPolicy(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="sla_policies")
    name = models.CharField(max_length=100)
    priority = models.CharField(max_length=10, blank=True, help_text="Blank: any priority")
    first_response_minutes = models.PositiveIntegerField(null=True, blank=True)
    next_response_minutes = models.PositiveIntegerField(null=True, blank=True)
    resolution_minutes = models.PositiveIntegerField(null=True, blank=True)
    warn_before_minutes = models.PositiveIntegerField(default=60)
    calendar = models.ForeignKey(BusinessCalendar, null=True, blank=True,
                                 on_delete=models.SET_NULL,
                                 help_text="Blank: the clock runs around the clock")

    def __str__(self) -> str:
        return self.name


class Queue(models.Model):
    class Assignment(models.TextChoices):
        MANUAL = "manual", _("Agents pick")
        ROUND_ROBIN = "round_robin", _("Round-robin")
        LEAST_LOADED = "least_loaded", _("Least loaded")

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="queues")
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=60)
    assignment = models.CharField(max_length=20, choices=Assignment.choices,
                                  default=Assignment.MANUAL)
    sla_policy = models.ForeignKey(SlaPolicy, null=True, blank=True, on_delete=models.SET_NULL)
    last_assigned = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "slug"], name="queue_slug")]

    def __str__(self) -> str:
        return self.name


class QueueMember(models.Model):
    queue = models.ForeignKey(Queue, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="queue_memberships")
    capacity = models.PositiveSmallIntegerField(default=10, help_text="Open cases at most")
    available = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["queue", "user"], name="one_member_row")]


class RoutingRule(models.Model):
    """First matching rule (lowest position) sends a new case to a queue; blank matches any."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="routing_rules")
    position = models.PositiveIntegerField(default=100)
    channel = models.CharField(max_length=10, choices=Channel.choices, blank=True)
    service = models.ForeignKey(Service, null=True, blank=True, on_delete=models.CASCADE)
    topic = models.CharField(max_length=80, blank=True)
    language = models.CharField(max_length=8, blank=True)
    queue = models.ForeignKey(Queue, on_delete=models.CASCADE)
    priority = models.CharField(max_length=10, blank=True, help_text="Set this priority")

    class Meta:
        ordering = ["position", "id"]


class Case(models.Model):
    class Status(models.TextChoices):
        NEW = "new", _("New")
        OPEN = "open", _("Open")
        PENDING = "pending", _("Pending (waiting on the customer)")
        RESOLVED = "resolved", _("Resolved")
        CLOSED = "closed", _("Closed")

    class Priority(models.TextChoices):
        LOW = "low", _("Low")
        NORMAL = "normal", _("Normal")
        HIGH = "high", _("High")
        URGENT = "urgent", _("Urgent")

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="cases")
    service = models.ForeignKey(Service, null=True, blank=True, on_delete=models.SET_NULL)
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="cases")
    subject = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    priority = models.CharField(max_length=10, choices=Priority.choices,
                                default=Priority.NORMAL)
    topic = models.CharField(max_length=80, blank=True)
    language = models.CharField(max_length=8, default="en")
    channel = models.CharField(max_length=10, choices=Channel.choices)  # where it began
    queue = models.ForeignKey(Queue, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="cases")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="assigned_cases")
    sla_policy = models.ForeignKey(SlaPolicy, null=True, blank=True, on_delete=models.SET_NULL)
    opened_at = models.DateTimeField()
    first_response_at = models.DateTimeField(null=True, blank=True)
    first_response_due = models.DateTimeField(null=True, blank=True)
    next_response_due = models.DateTimeField(null=True, blank=True)
    resolution_due = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    reopen_count = models.PositiveIntegerField(default=0)
    customer_contacts = models.PositiveIntegerField(default=0)  # inbound, customer-initiated
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="merged_cases")
    follow_up_consent = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["agency", "status", "opened_at"]),
            models.Index(fields=["queue", "status"]),
            models.Index(fields=["assignee", "status"]),
            models.Index(fields=["customer", "opened_at"]),
            # the workspace's "Breaching soon" tab: open cases of an agency by due time
            models.Index(fields=["agency", "status", "resolution_due"]),
            models.Index(fields=["agency", "status", "first_response_due"]),
        ]

    def __str__(self) -> str:
        return f"Case {self.pk}: {self.subject}"


class Contact(models.Model):
    class Direction(models.TextChoices):
        INBOUND = "in", _("Inbound")
        OUTBOUND = "out", _("Outbound")

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="contacts")
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="contacts")
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="contacts")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    direction = models.CharField(max_length=3, choices=Direction.choices)
    at = models.DateTimeField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    sender = models.CharField(max_length=254, blank=True)  # address / number as received
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True)
    # email threading
    message_id = models.CharField(max_length=300, blank=True, db_index=True)
    in_reply_to = models.CharField(max_length=300, blank=True)
    references = models.TextField(blank=True)
    # phone call detail record
    queue_entered_at = models.DateTimeField(null=True, blank=True)
    answered = models.BooleanField(null=True)
    abandoned = models.BooleanField(null=True)
    wait_seconds = models.PositiveIntegerField(null=True, blank=True)
    talk_seconds = models.PositiveIntegerField(null=True, blank=True)
    hold_seconds = models.PositiveIntegerField(null=True, blank=True)
    disposition = models.CharField(max_length=60, blank=True)
    transferred = models.BooleanField(default=False)
    routed_to_agent = models.BooleanField(null=True)
    # the queue a call entered (abandoned calls have no case, but belong to a queue)
    queue = models.ForeignKey("Queue", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="calls")
    external_id = models.CharField(max_length=120, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["agency", "at"]),
            models.Index(fields=["customer", "at"]),
            models.Index(fields=["case", "at"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["agency", "channel", "external_id"],
                                    name="one_contact_per_external_id",
                                    condition=~models.Q(external_id="")),
        ]


class Attachment(models.Model):
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="attachments")
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    data = models.BinaryField()


class CaseEvent(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=30)  # opened, assigned, status, note, reply, merged, …
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]


class CannedReply(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="canned_replies")
    name = models.CharField(max_length=100)
    language = models.CharField(max_length=8, default="en")
    # Placeholders: {customer_name}, {case_id}, {agent_name}, {agency}, {service}
    body = models.TextField()

    def __str__(self) -> str:
        return self.name


# --- metrics rollups (written only by contact.metrics_rollups; see docs/metrics.md) ----------

class CaseCounters(models.Model):
    """The case counters of docs/metrics.md, kept per rollup row. `open_now` … `reported_pos`
    describe the cases' present state (backlog, linked survey answers), not their history."""

    cases = models.BigIntegerField(default=0)
    resolved = models.BigIntegerField(default=0)
    ever_resolved = models.BigIntegerField(default=0)
    fcr_eligible = models.BigIntegerField(default=0)
    fcr_yes = models.BigIntegerField(default=0)
    recontacted = models.BigIntegerField(default=0)
    reopened = models.BigIntegerField(default=0)
    first_response_n = models.BigIntegerField(default=0)
    first_response_seconds_sum = models.BigIntegerField(default=0)
    resolution_n = models.BigIntegerField(default=0)
    resolution_seconds_sum = models.BigIntegerField(default=0)
    resolution_business_seconds_sum = models.BigIntegerField(default=0)
    open_now = models.BigIntegerField(default=0)  # new, open or pending now
    open_opened_epoch_sum = models.BigIntegerField(default=0)  # their opened_at, epoch seconds
    reported_n = models.BigIntegerField(default=0)  # linked A-11 answers
    reported_pos = models.BigIntegerField(default=0)  # … that say the need was addressed

    class Meta:
        abstract = True


class CallCounters(models.Model):
    offered = models.BigIntegerField(default=0)
    answered = models.BigIntegerField(default=0)
    abandoned = models.BigIntegerField(default=0)
    routed_to_agent = models.BigIntegerField(default=0)
    answered_by_agent = models.BigIntegerField(default=0)
    wait_seconds_sum = models.BigIntegerField(default=0)
    answered_within_target = models.BigIntegerField(default=0)
    handle_n = models.BigIntegerField(default=0)
    handle_seconds_sum = models.BigIntegerField(default=0)

    class Meta:
        abstract = True


class CaseDaily(CaseCounters):
    """Case counters per agency, day the case was opened and dimension (0 / "" = none)."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    channel = models.CharField(max_length=10)
    queue_id = models.BigIntegerField(default=0)
    agent_id = models.BigIntegerField(default=0)
    topic = models.CharField(max_length=80, blank=True)
    service_id = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["agency", "day", "channel", "queue_id", "agent_id", "topic", "service_id"],
            name="one_case_daily_row")]


class CaseDayService(CaseCounters):
    """`CaseDaily` summed over queue, agent and topic: what pages read when they neither
    filter nor group by those (its size depends on days × channels × services only)."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    channel = models.CharField(max_length=10)
    service_id = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["agency", "day", "channel", "service_id"], name="one_case_day_service_row")]


class CallDaily(CallCounters):
    """Phone call counters per agency, day of the call and dimension of its case."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    queue_id = models.BigIntegerField(default=0)
    agent_id = models.BigIntegerField(default=0)
    topic = models.CharField(max_length=80, blank=True)
    service_id = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["agency", "day", "queue_id", "agent_id", "topic", "service_id"],
            name="one_call_daily_row")]


class CallDayService(CallCounters):
    """`CallDaily` summed over queue, agent and topic."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    service_id = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["agency", "day", "service_id"], name="one_call_day_service_row")]


class RollupContribution(models.Model):
    """What one case (with its calls), or one call without a case, last added to the rollups,
    so that it can be subtracted when the case changes or a re-contact arrives."""

    key = models.CharField(max_length=40, unique=True)  # "case:<id>" or "call:<contact id>"
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    rows = models.JSONField(default=list)
