"""Insights (what staff learned), opportunities and the actions taken on them.

An insight comes from a theme of comments, a journey friction point, an alert or a research
note; an action records who does what by when, the evidence that prompted it (its insights)
and the KPI it means to move, so its before/after effect can be measured. Completed actions
with public text are the "you said, we did" entries of the public dashboard.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from govcx.core.models import Agency, Service


class Insight(models.Model):
    class Source(models.TextChoices):
        THEME = "theme", _("Comment theme")
        FRICTION = "friction", _("Journey friction point")
        ALERT = "alert", _("Alert")
        RESEARCH = "research", _("Research note")
        STAFF = "staff", _("Staff observation")

    class Status(models.TextChoices):
        NEW = "new", _("New")
        OPPORTUNITY = "opportunity", _("Opportunity")
        ACTED_ON = "acted_on", _("Acted on")
        DISMISSED = "dismissed", _("Dismissed")

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="insights")
    service = models.ForeignKey(Service, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="insights")
    source = models.CharField(max_length=20, choices=Source.choices)
    # what it came from, e.g. "theme:12", "friction:bottleneck-…", "alert:7", "research:3";
    # one open insight per source reference
    source_ref = models.CharField(max_length=120, blank=True)
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    evidence = models.JSONField(default=dict, blank=True)  # figures and quotes (redacted)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW)
    impact = models.PositiveSmallIntegerField(null=True, blank=True)  # 1 (low) … 5 (high)
    effort = models.PositiveSmallIntegerField(null=True, blank=True)  # 1 (small) … 5 (large)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["agency", "status"]),
                   models.Index(fields=["agency", "source", "source_ref"])]


class Action(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        DROPPED = "dropped", _("Dropped")

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="actions")
    service = models.ForeignKey(Service, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="actions")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="cx_actions")
    due_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PROPOSED)
    started_on = models.DateField(null=True, blank=True)
    completed_on = models.DateField(null=True, blank=True)
    insights = models.ManyToManyField(Insight, blank=True, related_name="actions")
    # the KPI (a key of govcx.metrics.kpi.KPIS) it means to move; blank: none
    target_kpi = models.CharField(max_length=40, blank=True)
    # "you said, we did": shown on the public dashboard once done, if `public`
    public = models.BooleanField(default=False)
    you_said_en = models.TextField(blank=True)
    you_said_es = models.TextField(blank=True)
    we_did_en = models.TextField(blank=True)
    we_did_es = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["agency", "status"])]
