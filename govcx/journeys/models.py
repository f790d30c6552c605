"""Journey events from every app and from imports, intended journeys, personas.

A *journey event* is one thing that happened to one person or case: an activity at a time,
on a channel, for a service and stage, with attributes. `case_key` groups the events of one
journey (a customer's key for events recorded by govcx apps, the agency's own case id for
imported events); the mining engine (govcx/journeys/mining.py) reads them as an event log.
`seq` keeps the order of events with the same timestamp (the file order of an import, the
insertion order otherwise), as PM4Py does.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from govcx.core.models import Agency, Service
from govcx.customers.models import Customer


class JourneyImport(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="journey_imports")
    service = models.ForeignKey(Service, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="journey_imports")
    filename = models.CharField(max_length=255)
    format = models.CharField(max_length=10)  # csv, parquet, xes
    mapping = models.JSONField(default=dict, blank=True)  # {"case": col, "activity": col, ...}
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    rows_total = models.PositiveIntegerField(default=0)
    rows_read = models.PositiveIntegerField(default=0)
    rows_stored = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)  # [{"row": n, "message": "..."}], capped
    error_count = models.PositiveIntegerField(default=0)
    # case keys are f"{case_prefix}{the file's case id}"; "import:<id>:" unless kept as given
    case_prefix = models.CharField(max_length=60, blank=True)
    data = models.BinaryField(default=b"", blank=True, editable=False)  # the upload, until run
    failure = models.TextField(blank=True)  # why a failed import stopped
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)


class JourneyEvent(models.Model):
    class Source(models.TextChoices):
        FEEDBACK = "feedback", _("Surveys")
        CONTACT = "contact", _("Contact centre")
        ASSIST = "assist", _("Help centre and assistant")
        IMPORT = "import", _("Imported")

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="journey_events")
    service = models.ForeignKey(Service, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="journey_events")
    case_key = models.CharField(max_length=120)
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="journey_events")
    activity = models.CharField(max_length=200)
    at = models.DateTimeField()
    seq = models.BigIntegerField(default=0)  # tie order for equal timestamps within a case
    channel = models.CharField(max_length=20, blank=True)
    stage = models.CharField(max_length=80, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices)
    attributes = models.JSONField(default=dict, blank=True)
    journey_import = models.ForeignKey(JourneyImport, null=True, blank=True,
                                       on_delete=models.CASCADE, related_name="events")

    class Meta:
        indexes = [
            # covers the journey map's read (sources.py): the rows come from the index alone
            models.Index(fields=["agency", "service", "at", "case_key", "activity", "channel",
                                 "seq"], name="jev_service_map"),
            models.Index(fields=["agency", "case_key", "at", "seq"], name="jev_agency_case"),
        ]


class IntendedJourney(models.Model):
    """A service's designed journey: the activities in the order they are meant to happen."""

    service = models.OneToOneField(Service, on_delete=models.CASCADE,
                                   related_name="intended_journey")
    steps = models.JSONField(default=list)  # ["Apply online", "Upload documents", ...]
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)


class PersonaRun(models.Model):
    """One clustering of an agency's customers; its personas replace the previous run's."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="persona_runs")
    k = models.PositiveIntegerField()
    customers = models.PositiveIntegerField(default=0)
    scores = models.JSONField(default=dict, blank=True)  # {"2": silhouette, "3": ...}
    explanation = models.TextField(blank=True)  # why this number of groups, in plain words
    created_at = models.DateTimeField(auto_now_add=True)


class Persona(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="personas")
    run = models.ForeignKey(PersonaRun, on_delete=models.CASCADE, related_name="personas")
    number = models.PositiveIntegerField()  # the cluster number in its run
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    renamed = models.BooleanField(default=False)  # an analyst named it: keep across runs
    size = models.PositiveIntegerField(default=0)
    traits = models.JSONField(default=dict, blank=True)  # defining traits, channel mix, trust, ...
    pain_points = models.JSONField(default=list, blank=True)  # [{"text":..., "quote":...}]

    class Meta:
        ordering = ["agency", "-size"]


class PersonaMember(models.Model):
    """A person (or, for imported journeys without a customer record, a journey key) in a
    persona; `case_key` is what journey events carry, so a persona filters journeys."""

    persona = models.ForeignKey(Persona, on_delete=models.CASCADE, related_name="members")
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="personas")
    case_key = models.CharField(max_length=120)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["persona", "case_key"],
                                               name="persona_member_once")]
        indexes = [models.Index(fields=["case_key"], name="persona_member_key")]
