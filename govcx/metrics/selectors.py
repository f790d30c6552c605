"""Dashboard figures, read from the daily rollups (cost independent of response count)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet, Sum
from django.db.models.functions import TruncMonth, TruncWeek

from govcx.metrics.models import DRIVER_FIELDS, ResponseDaily
from govcx.metrics.services import COUNTERS, rollups_current
from govcx.metrics.stats import mean_ci, wilson


@dataclass
class Figures:
    """Everything one slice of the dashboard shows."""

    responses: int = 0
    offered: int = 0
    trust_n: int = 0
    trust_pos: int = 0
    score_n: int = 0
    score_sum: int = 0
    score_sumsq: int = 0
    lang_es: int = 0
    pos: dict[str, int] = field(default_factory=dict)
    neg: dict[str, int] = field(default_factory=dict)

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Figures:
        g = lambda k: int(row.get(k) or 0)  # noqa: E731
        return cls(
            responses=g("responses"), offered=g("offered"), trust_n=g("trust_n"),
            trust_pos=g("trust_pos"), score_n=g("score_n"), score_sum=g("score_sum"),
            score_sumsq=g("score_sumsq"), lang_es=g("lang_es"),
            pos={d: g(f"pos_{d}") for d in DRIVER_FIELDS},
            neg={d: g(f"neg_{d}") for d in DRIVER_FIELDS},
        )

    @property
    def trust_share(self) -> float | None:
        return self.trust_pos / self.trust_n if self.trust_n else None

    @property
    def trust_ci(self) -> tuple[float, float] | None:
        return wilson(self.trust_pos, self.trust_n)

    @property
    def score_mean_ci(self) -> tuple[float, float, float] | None:
        return mean_ci(self.score_sum, self.score_sumsq, self.score_n)

    @property
    def response_rate(self) -> float | None:
        return self.responses / self.offered if self.offered else None

    def driver_rows(self) -> list[dict[str, Any]]:
        n = self.trust_n
        return [
            {"driver": d, "positive": self.pos[d], "negative": self.neg[d],
             "positive_share": self.pos[d] / n if n else None,
             "negative_share": self.neg[d] / n if n else None}
            for d in DRIVER_FIELDS
        ]

    def as_dict(self) -> dict[str, Any]:
        ci = self.trust_ci
        m = self.score_mean_ci
        return {
            "responses": self.responses, "offered": self.offered,
            "response_rate": self.response_rate, "trust_n": self.trust_n,
            "trust_share": self.trust_share, "trust_ci": list(ci) if ci else None,
            "score_mean": m[0] if m else None, "score_ci": [m[1], m[2]] if m else None,
            "drivers": self.driver_rows(),
        }


_SUMS = {c: Sum(c) for c in COUNTERS}


def _rollups(
    *, agency_ids: set[int], service_id: int | None, start: dt.date, end: dt.date,
    touchpoint_id: int | None = None, channel: str = "",
) -> QuerySet[ResponseDaily]:
    rollups_current()
    qs = ResponseDaily.objects.filter(agency_id__in=agency_ids, day__gte=start, day__lte=end)
    if service_id:
        qs = qs.filter(service_id=service_id)
    if touchpoint_id:
        qs = qs.filter(touchpoint_id=touchpoint_id)
    if channel:
        qs = qs.filter(channel=channel)
    return qs


def dashboard_figures(
    *, agency_ids: set[int], service_id: int | None, start: dt.date, end: dt.date,
    touchpoint_id: int | None = None, channel: str = "",
) -> dict[str, Any]:
    """Totals, weekly and monthly trends, and comparisons across touchpoints and channels."""
    qs = _rollups(agency_ids=agency_ids, service_id=service_id, start=start, end=end,
                  touchpoint_id=touchpoint_id, channel=channel)
    total = Figures.from_row(qs.aggregate(**_SUMS))
    weekly = [
        (r["period"], Figures.from_row(r))
        for r in qs.annotate(period=TruncWeek("day")).values("period").annotate(**_SUMS)
        .order_by("period")
    ]
    monthly = [
        (r["period"], Figures.from_row(r))
        for r in qs.annotate(period=TruncMonth("day")).values("period").annotate(**_SUMS)
        .order_by("period")
    ]
    by_tp = [
        (r["touchpoint_id"], Figures.from_row(r))
        for r in qs.values("touchpoint_id").annotate(**_SUMS).order_by("touchpoint_id")
    ]
    by_channel = [
        (r["channel"], Figures.from_row(r))
        for r in qs.values("channel").annotate(**_SUMS).order_by("channel")
    ]
    return {"total": total, "weekly": weekly, "monthly": monthly, "by_touchpoint": by_tp,
            "by_channel": by_channel}


EARLIEST = dt.date(2000, 1, 1)
LATEST = dt.date(2100, 12, 31)


def period_clean(
    start: dt.date | None, end: dt.date | None, today: dt.date, default_days: int = 364
) -> tuple[dt.date, dt.date, list[str]]:
    """A dashboard period within 2000–2100 (the default: the year to today), with
    plain-language notes on anything that was changed."""
    problems: list[str] = []
    if end is not None and not EARLIEST <= end <= LATEST:
        problems.append(f"The end date must be between {EARLIEST} and {LATEST}; "
                        "today was used.")
        end = None
    if start is not None and not EARLIEST <= start <= LATEST:
        problems.append(f"The start date must be between {EARLIEST} and {LATEST}; "
                        "the default was used.")
        start = None
    end = end or today
    start = start or max(EARLIEST, end - dt.timedelta(days=default_days))
    if start > end:
        problems.append("The start date is after the end date; they were swapped.")
        start, end = end, start
    return start, end, problems
