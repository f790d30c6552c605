"""Contact-centre fixtures: queues with agents, a business calendar, an SLA policy."""

from __future__ import annotations

from typing import Any

import pytest

from govcx.contact.models import BusinessCalendar, Queue, QueueMember, RoutingRule, SlaPolicy
from govcx.core.models import Role
from tests.conftest import make_staff


@pytest.fixture
def centre(world: dict[str, Any]) -> dict[str, Any]:
    a = world["a"]
    cal = BusinessCalendar.objects.create(
        agency=a, name="Weekdays 9-17", timezone="America/New_York",
        hours={str(d): [["09:00", "17:00"]] for d in range(5)}, holidays=["2026-12-25"])
    policy = SlaPolicy.objects.create(agency=a, name="Standard", first_response_minutes=120,
                                      next_response_minutes=240, resolution_minutes=960,
                                      calendar=cal)
    general = Queue.objects.create(agency=a, name="General", slug="general",
                                   assignment=Queue.Assignment.ROUND_ROBIN, sla_policy=policy)
    spanish = Queue.objects.create(agency=a, name="Español", slug="es",
                                   assignment=Queue.Assignment.LEAST_LOADED)
    agents = [make_staff(a, Role.AGENT, f"agent{i}") for i in range(3)]
    for u in agents:
        QueueMember.objects.create(queue=general, user=u, capacity=2)
        QueueMember.objects.create(queue=spanish, user=u, capacity=5)
    RoutingRule.objects.create(agency=a, position=10, language="es", queue=spanish,
                               priority="high")
    RoutingRule.objects.create(agency=a, position=20, queue=general)
    return {**world, "cal": cal, "policy": policy, "general": general, "spanish": spanish,
            "agents": agents}
