"""Incremental rollups that every dashboard reads instead of raw responses."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from govcx.core.models import Agency, Service

DRIVER_FIELDS = ("effectiveness", "ease", "efficiency", "transparency", "humanity", "employee",
                 "other")


class ResponseDaily(models.Model):
    """Counts and sums per touchpoint per day (in the agency's reporting time zone).

    Counted shortly after each response is stored or offer recorded (`feedback.services.
    response_rollups_catch_up`, `offer_rollups_catch_up`; every reader runs
    `metrics.services.rollups_current()` first, so it is never stale when read), and rebuilt
    exactly by `govcx rollups_rebuild`.
    Quarantined responses are not counted until released.
    """

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE)
    service = models.ForeignKey(Service, on_delete=models.CASCADE)
    touchpoint_id = models.BigIntegerField()
    channel = models.CharField(max_length=20)
    day = models.DateField()
    responses = models.IntegerField(default=0)
    offered = models.IntegerField(default=0)
    trust_n = models.IntegerField(default=0)
    trust_pos = models.IntegerField(default=0)
    score_n = models.IntegerField(default=0)
    score_sum = models.IntegerField(default=0)
    score_sumsq = models.IntegerField(default=0)
    pos_effectiveness = models.IntegerField(default=0)
    pos_ease = models.IntegerField(default=0)
    pos_efficiency = models.IntegerField(default=0)
    pos_transparency = models.IntegerField(default=0)
    pos_humanity = models.IntegerField(default=0)
    pos_employee = models.IntegerField(default=0)
    pos_other = models.IntegerField(default=0)
    neg_effectiveness = models.IntegerField(default=0)
    neg_ease = models.IntegerField(default=0)
    neg_efficiency = models.IntegerField(default=0)
    neg_transparency = models.IntegerField(default=0)
    neg_humanity = models.IntegerField(default=0)
    neg_employee = models.IntegerField(default=0)
    neg_other = models.IntegerField(default=0)
    lang_es = models.IntegerField(default=0)
    # CSAT (role "csat", or the legacy "satisfaction" item; 1-5): answers, 4-5 answers, sums
    csat_n = models.IntegerField(default=0)
    csat_pos = models.IntegerField(default=0)
    csat_sum = models.IntegerField(default=0)
    csat_sumsq = models.IntegerField(default=0)
    # customer effort (role "effort"; 1-5 agreement that it was easy)
    ces_n = models.IntegerField(default=0)
    ces_pos = models.IntegerField(default=0)
    ces_sum = models.IntegerField(default=0)
    ces_sumsq = models.IntegerField(default=0)
    # NPS (role "nps"; 0-10): answers, promoters (9-10), detractors (0-6)
    nps_n = models.IntegerField(default=0)
    nps_promoters = models.IntegerField(default=0)
    nps_detractors = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["touchpoint_id", "day"], name="one_rollup_per_tp_day")
        ]
        indexes = [models.Index(fields=["service", "day"])]


class Target(models.Model):
    """A goal for one KPI of one service over a period ("trust ≥ 75% in FY2027 Q1").

    `kpi` is a key of `govcx.metrics.kpi.KPIS` (documented in docs/metrics.md). Status (met,
    on track, at risk, missed) is computed at read time from the KPI's value, never stored.
    """

    class Direction(models.TextChoices):
        AT_LEAST = "at_least", "At least"
        AT_MOST = "at_most", "At most"

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="targets")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="targets")
    kpi = models.CharField(max_length=40)
    start = models.DateField()
    end = models.DateField()
    value = models.FloatField()
    direction = models.CharField(max_length=10, choices=Direction.choices,
                                 default=Direction.AT_LEAST)
    public = models.BooleanField(default=False, help_text="Shown on the public dashboard")
    note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["service_id", "kpi", "start"]
        indexes = [models.Index(fields=["service", "kpi", "start"])]


class Alert(models.Model):
    """A measure outside its statistical control limits for one service and period.

    Raised by `govcx.metrics.alerts` (never by a fixed threshold): a drop in trust or a
    driver, a spike in a negative theme, volume or wait time beyond the limits computed from
    the service's own baseline (`govcx.metrics.control`). One alert per (service, signal,
    period); each notifies the service's owners and opens an insight.
    """

    class Kind(models.TextChoices):
        TRUST_DROP = "trust_drop", "Drop in trust"
        DRIVER_DROP = "driver_drop", "Drop in a driver"
        THEME_SPIKE = "theme_spike", "Spike in a negative theme"
        VOLUME = "volume", "Volume beyond control limits"
        WAIT = "wait", "Wait time beyond control limits"

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="alerts")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    signal = models.CharField(max_length=80)  # "trust", "driver:ease", "theme:12", "cases", …
    period_start = models.DateField()
    period_end = models.DateField()
    value = models.FloatField()
    center = models.FloatField()
    lower = models.FloatField(null=True, blank=True)
    upper = models.FloatField(null=True, blank=True)
    n = models.IntegerField(default=0)
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                        on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-period_start", "-id"]
        constraints = [models.UniqueConstraint(fields=["service", "signal", "period_start"],
                                               name="one_alert_per_signal_period")]


class ProcessingDaily(models.Model):
    """Completed journeys of a service per day of completion (docs/metrics.md, processing
    time): how many, and the sum and sum of squares of their durations in seconds.

    Kept by `govcx kpi_refresh` (govcx.metrics.services.processing_refresh), which only
    recomputes the journeys that received events since its watermark."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    n = models.IntegerField(default=0)
    seconds_sum = models.FloatField(default=0)
    seconds_sumsq = models.FloatField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["service", "day"],
                                               name="one_processing_row_per_service_day")]
        indexes = [models.Index(fields=["agency", "day"])]


class ProcessingContribution(models.Model):
    """What one journey (agency, case key) of one service last added to ProcessingDaily: its
    completed episodes as [[day, seconds], …]. A journey that grows, moves to another key or
    disappears is subtracted exactly; `end_event_id` (its last end event) tells a refresh that
    the journey's events were moved or deleted."""

    agency_id = models.BigIntegerField()
    case_key = models.CharField(max_length=120)
    service_id = models.BigIntegerField()
    episodes = models.JSONField(default=list)
    end_event_id = models.BigIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency_id", "case_key", "service_id"],
                                               name="one_contribution_per_journey_service")]


class AssistDaily(models.Model):
    """Assistant conversations per agency and day they started, and how many of them were
    handed over to a person. Fed at write time by govcx.assist.conversation (one call each in
    conversation_start and conversation_handover); rebuilt by `govcx kpi_refresh --rebuild`."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    conversations = models.IntegerField(default=0)
    handed_over = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "day"],
                                               name="one_assist_row_per_agency_day")]


class Watermark(models.Model):
    """The last row id an incremental refresh has seen (one row per refresh)."""

    name = models.CharField(max_length=40, unique=True)
    value = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)


class PublishedFigure(models.Model):
    """A count cell of the public transparency tables as it was first published (the
    ledger of `govcx.metrics.public`): once a cell has been shown or hidden, later
    publications keep that status and, for a shown cell, that value, so that no
    combination of publications made at different dates gives away a hidden figure."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    fiscal_year = models.PositiveSmallIntegerField()
    cell = models.CharField(max_length=200)
    value = models.BigIntegerField()
    status = models.CharField(max_length=16)
    published_on = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "fiscal_year", "cell"],
                                               name="one_published_figure_per_cell")]

    def __str__(self) -> str:
        return f"{self.agency_id} FY{self.fiscal_year} {self.cell}={self.value} ({self.status})"


class PublishedMonth(models.Model):
    """The monthly counters of one agency as they were when the month was first published
    on the public transparency dashboard. Published months are final: later changes to
    that month (a late import, a released quarantined response) stay in govcx's internal
    figures but never reach the public pages, so comparing two publications cannot reveal
    the size of a correction."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    month = models.CharField(max_length=7)  # "YYYY-MM", as govcx.metrics.public.month_key
    data = models.JSONField()  # {"resp": [[key…, {counter: n}], …], "calls": …, …}
    published_on = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "month"],
                                               name="one_published_month_per_agency")]
