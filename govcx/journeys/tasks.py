"""Background work for journeys, run by `govcx db_worker` (django-tasks, database backend).

Enqueued only after the transaction that created the work commits (`transaction.on_commit`).
"""

from __future__ import annotations

from django_tasks import task

from govcx.journeys.imports import journey_import_run


@task()
def journey_import_task(job_id: int) -> str:
    """Import the upload kept on JourneyImport `job_id`; returns its final status."""
    job = journey_import_run(job_id=job_id)
    return job.status if job is not None else "skipped"
