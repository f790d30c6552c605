"""Background alert checks, run by `govcx db_worker` (django-tasks, database backend).

Enqueued by `govcx.metrics.alerts.alerts_check_soon` after the current transaction commits
(at most hourly; see the docstring of govcx/metrics/alerts.py for how it runs by itself).
"""

from __future__ import annotations

from django_tasks import task

from govcx.metrics.alerts import alerts_check


@task()
def alerts_check_task(agency_ids: list[int] | None = None) -> str:
    """Bring what the alerts read up to date, then check every service (of the given
    agencies, or all) for the last complete week: new comments are collected and themed
    first (so a theme spike is seen), and the processing-time rollup is refreshed."""
    from govcx.feedback.comments import comments_collect
    from govcx.metrics.services import processing_refresh

    comments_collect()
    processing_refresh()
    raised = alerts_check(agency_ids=set(agency_ids) if agency_ids is not None else None)
    return f"{len(raised)} new alert(s)"
