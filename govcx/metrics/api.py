"""Staff API for dashboard figures (JSON twin of the dashboard page)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Status
from ninja.security import django_auth

from govcx.core.models import Service
from govcx.core.selectors import agency_ids_for, services_for
from govcx.metrics.selectors import dashboard_figures, period_clean

router = Router(tags=["staff"], auth=django_auth)


@router.get("/services/{service_id}/dashboard", response={200: dict, 404: dict})
def service_dashboard(
    request: HttpRequest, service_id: int, start: dt.date | None = None,
    end: dt.date | None = None,
) -> Any:
    try:
        service = services_for(request.user).get(id=service_id)
    except Service.DoesNotExist:
        return Status(404, {"message": "No such service."})
    start, end, problems = period_clean(start, end, timezone.localdate())
    figs = dashboard_figures(agency_ids=agency_ids_for(request.user), service_id=service.pk,
                             start=start, end=end)
    return {
        "service": service.name, "start": start.isoformat(), "end": end.isoformat(),
        "notes": problems,
        "total": figs["total"].as_dict(),
        "monthly": [{"period": p.isoformat(), **f.as_dict()} for p, f in figs["monthly"]],
        "weekly": [{"period": p.isoformat(), **f.as_dict()} for p, f in figs["weekly"]],
        "by_channel": [{"channel": c, **f.as_dict()} for c, f in figs["by_channel"]],
        "by_touchpoint": [{"touchpoint_id": t, **f.as_dict()} for t, f in figs["by_touchpoint"]],
    }
