"""Agencies, services, staff roles and the audit trail."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Agency(models.Model):
    class Kind(models.TextChoices):
        DEPARTMENT = "department", _("Department")
        COMPONENT = "component", _("Component")
        STATE = "state", _("State")
        CITY = "city", _("City or county")

    name = models.CharField(max_length=200)
    acronym = models.CharField(max_length=20, blank=True)
    slug = models.SlugField(max_length=80, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.DEPARTMENT)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="components"
    )
    # Privacy: client IP addresses are stored with responses only when an agency opts in.
    record_ip_addresses = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "agencies"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Service(models.Model):
    class Channel(models.TextChoices):
        WEB = "web", _("Website")
        EMAIL = "email", _("Email")
        SMS = "sms", _("Text message")
        PHONE = "phone", _("Phone")
        IN_PERSON = "in_person", _("In person")
        PAPER = "paper", _("Paper / mail")
        CHAT = "chat", _("Chat")
        MOBILE = "mobile", _("Mobile app")

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="services")
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80)
    description = models.TextField(blank=True)
    channels = models.JSONField(default=list, blank=True, help_text="Channel codes the service is offered on")
    stages = models.JSONField(default=list, blank=True, help_text="Journey stages in order")
    annual_customer_volume = models.PositiveBigIntegerField(default=0)
    is_hisp = models.BooleanField("High-Impact Service Provider", default=False)
    # staff who answer for the service: alerts about it reach them (email and in-app)
    owners = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True,
                                    related_name="owned_services")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["agency__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "slug"], name="service_slug_per_agency")
        ]

    def __str__(self) -> str:
        return self.name


class ServiceQuarterVolume(models.Model):
    """Customers served in a fiscal quarter (entered or imported); the A-11 'volume of customers'."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="quarter_volumes")
    fiscal_year = models.PositiveSmallIntegerField()
    quarter = models.PositiveSmallIntegerField()
    channel = models.CharField(max_length=20, blank=True, help_text="Blank means all channels")
    customers = models.PositiveBigIntegerField()
    source = models.CharField(max_length=20, default="entered")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["service", "fiscal_year", "quarter", "channel"],
                name="one_volume_per_service_quarter_channel",
            ),
            models.CheckConstraint(
                condition=models.Q(quarter__gte=1, quarter__lte=4), name="quarter_1_to_4"
            ),
        ]


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrator")
    CX_ANALYST = "cx_analyst", _("CX analyst")
    PERFORMANCE_MANAGER = "performance_manager", _("Performance manager")
    AGENT = "agent", _("Agent")
    KNOWLEDGE_EDITOR = "knowledge_editor", _("Knowledge editor")
    VIEWER = "viewer", _("Viewer")


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=30, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "agency"], name="one_role_per_user_agency")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.agency} · {self.role}"


class AuditEvent(models.Model):
    class Outcome(models.TextChoices):
        SUCCESS = "success", _("Success")
        DENIED = "denied", _("Denied")
        ERROR = "error", _("Error")

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    actor_label = models.CharField(max_length=200, blank=True)
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.SET_NULL)
    action = models.CharField(max_length=80, db_index=True)
    object_type = models.CharField(max_length=80, blank=True)
    object_id = models.CharField(max_length=80, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.SUCCESS)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.outcome}"


class Notification(models.Model):
    """An in-app message to one staff member (an alert about a service they own, an action
    assigned to them). Shown in the header count and on /staff/notifications/."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="notifications")
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=40)  # "alert", "action_assigned", …
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at"])]
