"""Writes for insights and actions. Every caller (alerts, themes, friction points, staff
pages) goes through these functions."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User

from govcx.core.models import Agency, Service
from govcx.improve.models import Insight


def insight_open(
    *, agency: Agency, source: str, title: str, service: Service | None = None,
    source_ref: str = "", summary: str = "", evidence: dict[str, Any] | None = None,
    by: User | None = None,
) -> Insight:
    """Open an insight, or return the one already open for the same source reference (an
    alert checked twice, a friction point proposed twice) so the board has no duplicates."""
    if source_ref:
        existing = (Insight.objects.filter(agency=agency, source=source, source_ref=source_ref)
                    .exclude(status=Insight.Status.DISMISSED).first())
        if existing is not None:
            return existing
    return Insight.objects.create(
        agency=agency, service=service, source=source, source_ref=source_ref, title=title[:200],
        summary=summary, evidence=evidence or {},
        created_by=by,
    )
