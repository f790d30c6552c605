"""Incremental rollups that every dashboard reads instead of raw responses."""

from __future__ import annotations

from django.db import models

from govcx.core.models import Agency, Service

DRIVER_FIELDS = ("effectiveness", "ease", "efficiency", "transparency", "humanity", "employee",
                 "other")


class ResponseDaily(models.Model):
    """Counts and sums per touchpoint per day (in the agency's reporting time zone).

    Updated in the same transaction as each response (so never stale), and rebuilt exactly
    by `govcx rollups_rebuild`. Quarantined responses are not counted until released.
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

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["touchpoint_id", "day"], name="one_rollup_per_tp_day")
        ]
        indexes = [models.Index(fields=["service", "day"])]
