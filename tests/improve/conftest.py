"""Factories for the improve tests: insights, actions and research notes made through
govcx.improve.services, as the pages make them."""

from __future__ import annotations

from typing import Any

from govcx.core.models import Agency, Role, Service
from govcx.improve import services as svc
from govcx.improve.models import Action, Insight


def make_insight(agency: Agency, title: str, *, service: Service | None = None,
                 source: str = "staff", impact: int | None = None, effort: int | None = None,
                 status: str = "new", people: int | None = None, **kw: Any) -> Insight:
    insight = svc.insight_open(agency=agency, source=source, title=title, service=service,
                               **kw)
    if impact is not None or effort is not None or status != "new" or people is not None:
        svc.insight_update(insight=insight, impact=impact, effort=effort, status=status,
                           people_affected=people)
    return insight


def make_action(world: dict[str, Any], title: str = "Fix the form", **kw: Any) -> Action:
    kw.setdefault("owner", world["staff"][("benefits-agency", Role.PERFORMANCE_MANAGER)])
    return svc.action_create(agency=world["a"], title=title, **kw)


def analyst(world: dict[str, Any], slug: str = "benefits-agency") -> Any:
    return world["staff"][(slug, Role.CX_ANALYST)]
