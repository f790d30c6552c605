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
    # how many people the evidence says are affected (breaks ties between equal scores);
    # taken from evidence["people"] when the producer gives it, analysts may correct it
    people_affected = models.PositiveIntegerField(null=True, blank=True)
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
    # the public heading; the internal `title` never goes public (it has no Spanish and
    # anyone with insights.manage may rename it)
    public_title_en = models.CharField(max_length=200, blank=True)
    public_title_es = models.CharField(max_length=200, blank=True)
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


class ActionMaturityItem(models.Model):
    """An action in the CX maturity action plan: it is meant to raise this maturity item
    (a code of govcx.improve.maturity.ITEMS, e.g. "a11.measurement")."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="maturity_links")
    item = models.CharField(max_length=60)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["action", "item"],
                                               name="one_link_per_action_item")]
        indexes = [models.Index(fields=["item"])]


class ResearchNote(models.Model):
    """What staff learned from an interview, focus group, usability test or survey: a summary,
    the participants' words (one quote a line), tags, and an optional attachment (kept in the
    database like contact attachments, type checked from the bytes)."""

    class Method(models.TextChoices):
        INTERVIEW = "interview", _("Interview")
        FOCUS_GROUP = "focus_group", _("Focus group")
        USABILITY_TEST = "usability_test", _("Usability test")
        SURVEY = "survey", _("Survey")
        OTHER = "other", _("Other")

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="research_notes")
    service = models.ForeignKey(Service, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="research_notes")
    title = models.CharField(max_length=200)
    method = models.CharField(max_length=20, choices=Method.choices)
    held_on = models.DateField()
    participants = models.PositiveIntegerField(default=0)
    tags = models.JSONField(default=list, blank=True)  # lower-case words
    summary = models.TextField(blank=True)
    quotes = models.JSONField(default=list, blank=True)
    attachment_name = models.CharField(max_length=200, blank=True)
    attachment_type = models.CharField(max_length=100, blank=True)
    attachment_size = models.PositiveIntegerField(default=0)
    attachment_data = models.BinaryField(null=True, blank=True)
    insight = models.ForeignKey(Insight, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["agency", "held_on"])]


class MaturityAssessment(models.Model):
    """One CX maturity self-assessment of an agency on a date: a score 1–5 and a note per
    item of the A-11 §280 capacity domains and the CXPA competencies."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE,
                               related_name="maturity_assessments")
    assessed_on = models.DateField()
    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-assessed_on", "-id"]
        indexes = [models.Index(fields=["agency", "assessed_on"])]


class MaturityScore(models.Model):
    assessment = models.ForeignKey(MaturityAssessment, on_delete=models.CASCADE,
                                   related_name="scores")
    item = models.CharField(max_length=60)  # a code of govcx.improve.maturity.ITEMS
    score = models.PositiveSmallIntegerField()  # 1 … 5
    note = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assessment", "item"],
                                               name="one_score_per_assessment_item")]
