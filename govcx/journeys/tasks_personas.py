"""Background persona runs, executed by `govcx db_worker` (django-tasks).

Enqueued after the requesting transaction commits (govcx.journeys.personas.personas_build_enqueue);
the persona page reads the run's state from the task queue (personas.persona_run_states).
"""

from __future__ import annotations

from django_tasks import task

from govcx.core.models import Agency
from govcx.journeys.personas import PersonaError, personas_build


@task()
def personas_build_task(agency_id: int) -> str:
    """Build one agency's personas; returns what happened, in words."""
    agency = Agency.objects.filter(pk=agency_id).first()
    if agency is None:
        return f"Agency {agency_id} no longer exists."
    try:
        run = personas_build(agency=agency)
    except PersonaError as exc:
        return str(exc)
    return f"{run.k} personas from {run.customers} people."
