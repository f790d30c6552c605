"""Reads of insights, research notes, actions and maturity assessments, scoped to the agencies
the acting user may see (agency_ids_for), plus the public "you said, we did" entries.

Priority of opportunities (documented on the page too): score = impact ÷ effort, both 1–5, so
a high-impact, low-effort opportunity (5 ÷ 1 = 5.0) comes first and a low-impact, high-effort
one (1 ÷ 5 = 0.2) last; equal scores are ordered by people affected (more first), then by the
higher impact, then the older insight. Quadrants of the impact/effort view split each scale at
its middle: impact 3–5 is "higher impact", effort 1–2 is "lower effort"."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from govcx.core.selectors import AnyUser, agency_ids_for
from govcx.improve import maturity
from govcx.improve.models import (
    Action,
    ActionMaturityItem,
    Insight,
    MaturityAssessment,
    MaturityScore,
    ResearchNote,
)


def insights_for(user: AnyUser, capability: str = "insights.view") -> QuerySet[Insight]:
    return (Insight.objects.filter(agency_id__in=agency_ids_for(user, capability))
            .select_related("agency", "service"))


def insight_get(user: AnyUser, insight_id: int, capability: str = "insights.view") -> Insight:
    """The insight, or Insight.DoesNotExist when the user may not see it (views: 404)."""
    return insights_for(user, capability).get(pk=insight_id)


def research_notes_for(user: AnyUser, capability: str = "insights.view",
                       ) -> QuerySet[ResearchNote]:
    return (ResearchNote.objects.filter(agency_id__in=agency_ids_for(user, capability))
            .defer("attachment_data").select_related("agency", "service"))


def research_note_get(user: AnyUser, note_id: int, capability: str = "insights.view",
                      ) -> ResearchNote:
    return (ResearchNote.objects.filter(agency_id__in=agency_ids_for(user, capability))
            .select_related("agency", "service").get(pk=note_id))


def actions_for(user: AnyUser, capability: str = "insights.view") -> QuerySet[Action]:
    return (Action.objects.filter(agency_id__in=agency_ids_for(user, capability))
            .select_related("agency", "service", "owner"))


def action_get(user: AnyUser, action_id: int, capability: str = "insights.view") -> Action:
    return actions_for(user, capability).get(pk=action_id)


def assessments_for(user: AnyUser, capability: str = "insights.view",
                    ) -> QuerySet[MaturityAssessment]:
    return (MaturityAssessment.objects.filter(agency_id__in=agency_ids_for(user, capability))
            .select_related("agency", "assessor").prefetch_related("scores"))


# --- priority ----------------------------------------------------------------------------------

def priority_score(impact: int | None, effort: int | None) -> float | None:
    """impact ÷ effort (both 1–5); None until both are set."""
    if not impact or not effort:
        return None
    return impact / effort


def quadrant(impact: int | None, effort: int | None) -> str:
    """"quick_win", "big_bet", "fill_in" or "reconsider"; "" until both are set."""
    if not impact or not effort:
        return ""
    high, low_effort = impact >= 3, effort <= 2
    if high:
        return "quick_win" if low_effort else "big_bet"
    return "fill_in" if low_effort else "reconsider"


QUADRANTS = {"quick_win": _("Quick win (higher impact, lower effort)"),
             "big_bet": _("Big bet (higher impact, higher effort)"),
             "fill_in": _("Fill-in (lower impact, lower effort)"),
             "reconsider": _("Reconsider (lower impact, higher effort)")}


QUADRANT_NAMES = {"quick_win": _("Quick wins"), "big_bet": _("Big bets"),
                  "fill_in": _("Fill-ins"), "reconsider": _("Reconsider")}


def priority_key(i: Insight) -> tuple[Any, ...]:
    score = priority_score(i.impact, i.effort)
    return (score is None, -(score or 0.0), -(i.people_affected or 0), -(i.impact or 0),
            i.created_at, i.pk)


def opportunities_ranked(qs: QuerySet[Insight]) -> list[Insight]:
    """Opportunities best first (see the module's docstring for the order)."""
    rows = list(qs.filter(status=Insight.Status.OPPORTUNITY))
    return sorted(rows, key=priority_key)


# --- actions -----------------------------------------------------------------------------------

def actions_for_items(agency_ids: set[int]) -> dict[str, list[Action]]:
    """Actions of these agencies linked to each maturity item."""
    out: dict[str, list[Action]] = {}
    links = (ActionMaturityItem.objects.filter(action__agency_id__in=agency_ids)
             .select_related("action", "action__owner").order_by("action__due_on", "action_id"))
    for link in links:
        out.setdefault(link.item, []).append(link.action)
    return out


def you_said_we_did(*, agency_id: int, service_id: int | None = None,
                    limit: int = 20) -> list[dict[str, Any]]:
    """Done actions the agency chose to show publicly, newest first, in the active language
    (Spanish text when the page is Spanish and it was written, else English). Public data:
    no user scoping; only actions with public=True, status done and English text. "title" is
    the public title (public_title_*, set under transparency.publish), never the internal
    Action.title."""
    qs = (Action.objects.filter(agency_id=agency_id, public=True, status=Action.Status.DONE)
          .exclude(public_title_en="").exclude(you_said_en="").exclude(we_did_en="")
          .select_related("service")
          .order_by("-completed_on", "-id"))
    if service_id is not None:
        qs = qs.filter(service_id=service_id)
    spanish = (translation.get_language() or "en").lower().startswith("es")
    out = []
    for a in qs[:max(0, limit)]:
        out.append({
            "title": (a.public_title_es if spanish and a.public_title_es.strip()
                      else a.public_title_en),
            "you_said": (a.you_said_es if spanish and a.you_said_es.strip() else a.you_said_en),
            "we_did": (a.we_did_es if spanish and a.we_did_es.strip() else a.we_did_en),
            "completed_on": a.completed_on,
            "service_id": a.service_id,
            "service_name": a.service.name if a.service else "",
        })
    return out


# --- maturity ----------------------------------------------------------------------------------

@dataclass
class MaturityRow:
    item: maturity.Item
    scores: list[tuple[MaturityAssessment, MaturityScore | None]]  # oldest first
    latest: MaturityScore | None
    change: int | None  # latest minus the previous score of this item
    actions: list[Action]


def maturity_history(agency_id: int) -> tuple[list[MaturityAssessment], list[MaturityRow]]:
    """The agency's assessments (oldest first) and, per item, its scores over time and the
    actions linked to it."""
    assessments = list(MaturityAssessment.objects.filter(agency_id=agency_id)
                       .select_related("assessor")
                       .prefetch_related(Prefetch("scores"))
                       .order_by("assessed_on", "id"))
    linked = actions_for_items({agency_id})
    rows = []
    for item in maturity.ITEMS:
        series = [(a, next((s for s in a.scores.all() if s.item == item.code), None))
                  for a in assessments]
        scored = [s for _a, s in series if s is not None]
        latest = scored[-1] if scored else None
        change = scored[-1].score - scored[-2].score if len(scored) >= 2 else None
        rows.append(MaturityRow(item=item, scores=series, latest=latest, change=change,
                                actions=linked.get(item.code, [])))
    return assessments, rows
