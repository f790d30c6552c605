"""Background work for the contact centre, run by `govcx db_worker` (django-tasks).

Enqueue only after the transaction that asked for the work commits (`transaction.on_commit`),
e.g. through `govcx.contact.topics.topics_train_enqueue`.
"""

from __future__ import annotations

from django_tasks import task

from govcx.contact.topics import topics_train
from govcx.core.models import Agency


@task()
def topics_train_task(agency_id: int) -> str:
    """Retrain one agency's topic model; returns the training summary."""
    agency = Agency.objects.filter(pk=agency_id).first()
    if agency is None:
        return f"Agency {agency_id} no longer exists."
    return topics_train(agency=agency).summary()
