"""Background work for feedback, run by `govcx db_worker` (django-tasks, database backend).

Enqueue only after the transaction that created the work commits (`transaction.on_commit`),
so the worker never looks for a row that is not there yet.
"""

from __future__ import annotations

from django_tasks import task

from govcx.feedback.imports import import_job_run


@task()
def import_job_task(job_id: int) -> str:
    """Import a staff upload kept on ImportJob `job_id`; returns the job's final state."""
    job = import_job_run(job_id=job_id)
    return job.state if job is not None else "skipped"


@task()
def comments_collect_task() -> int:
    """Copy new comments (redacted, scored, themed) for analysis; returns how many."""
    from govcx.feedback.comments import comments_collect

    return comments_collect().total


@task()
def rollups_catch_up_task() -> int:
    """Count newly stored responses and recorded offers into the rollups; returns how many
    responses."""
    from govcx.feedback.services import rollups_catch_up

    return rollups_catch_up()[0]
