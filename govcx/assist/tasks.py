"""Background work of the assistant, run by `govcx db_worker` (django-tasks).

Enqueued after the requesting transaction commits (govcx.assist.training.assistant_train_request).
"""

from __future__ import annotations

from django_tasks import task

from govcx.assist.models import AssistantModel
from govcx.assist.training import assistant_train


@task()
def assistant_train_task(model_id: int) -> str:
    """Train one queued AssistantModel; returns its final status."""
    record = AssistantModel.objects.filter(pk=model_id).select_related("agency").first()
    if record is None:
        return f"Assistant model {model_id} no longer exists."
    if record.status != AssistantModel.Status.QUEUED:
        return f"Assistant model {model_id} is already {record.status}."
    return assistant_train(record=record).status
