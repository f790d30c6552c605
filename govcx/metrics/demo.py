"""Demo data for the KPI engine: targets for the demo services, and the KPI rollups that
bulk demo loads bypass (processing time from journey events, assistant containment).

Called by `govcx seed_demo` after the journeys demo: `metrics_demo_seed(agencies=…)`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from govcx.core.models import Agency, Service
from govcx.metrics.models import Target
from govcx.metrics.services import assist_rollups_rebuild, processing_rebuild, target_create

# (kpi, value in the KPI's unit, public, note)
DEMO_TARGETS: list[tuple[str, float, bool, str]] = [
    ("trust", 65.0, True, "Agency priority goal: trust in the service"),
    ("driver_ease", 50.0, False, ""),
    ("fcr", 70.0, True, "Resolve at first contact"),
    ("resolution_time", 72.0, False, "Three days at most, on average"),
    ("abandonment", 10.0, True, "Fewer callers giving up on hold"),
    ("processing_time", 30.0, True, "Decisions within a month"),
]


def fiscal_year(today: dt.date) -> tuple[dt.date, dt.date]:
    """The US federal fiscal year containing `today` (1 October – 30 September)."""
    start_year = today.year if today.month >= 10 else today.year - 1
    return dt.date(start_year, 10, 1), dt.date(start_year + 1, 9, 30)


def metrics_demo_seed(*, agencies: Iterable[Agency], today: dt.date | None = None
                      ) -> dict[str, Any]:
    """Targets for this fiscal year for every service of the agencies that has none yet,
    then rebuild the processing-time and containment rollups. Idempotent."""
    agencies = list(agencies)
    start, end = fiscal_year(today or timezone.localdate())
    made = 0
    for service in Service.objects.filter(agency__in=agencies).order_by("id"):
        if Target.objects.filter(service=service).exists():
            continue
        for kpi, value, public, note in DEMO_TARGETS:
            target_create(service=service, kpi=kpi, start=start, end=end, value=value,
                          public=public, note=note)
            made += 1
    ids = [a.pk for a in agencies]
    rows = processing_rebuild(agency_ids=ids)
    conv = assist_rollups_rebuild(agency_ids=ids)
    return {"targets": made, "processing_rows": rows, "assistant_rows": conv}
