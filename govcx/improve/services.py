"""Writes for insights, research notes, actions and CX maturity assessments. Every caller
(alerts, themes, friction points, staff pages, the demo) goes through these functions.

Who may call them is decided by the caller's selectors (agency_ids_for with insights.manage,
maturity.assess, transparency.publish); these functions keep the data's own rules: impact and
effort 1–5, an owner from the action's agency, evidence from the same agency, the status
workflow, and the dates it sets."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from govcx.core.models import Agency, Notification, Service
from govcx.improve import maturity
from govcx.improve.models import (
    Action,
    ActionMaturityItem,
    Insight,
    MaturityAssessment,
    MaturityScore,
    ResearchNote,
)

MAX_QUOTES = 50
MAX_TAGS = 20


class ImproveError(ValueError):
    """Input that breaks a rule; the message is plain words for the person who typed it."""


def _people(evidence: dict[str, Any] | None) -> int | None:
    raw = (evidence or {}).get("people")
    try:
        value = int(raw) if raw is not None else None
    except (TypeError, ValueError):
        return None
    return value if value is not None and 0 <= value < 2**31 else None


def insight_open(
    *, agency: Agency, source: str, title: str, service: Service | None = None,
    source_ref: str = "", summary: str = "", evidence: dict[str, Any] | None = None,
    by: User | None = None,
) -> Insight:
    """Open an insight, or return the one already open for the same source reference (an
    alert checked twice, a friction point proposed twice) so the board has no duplicates.

    Evidence is {"figures": [{"label", "value"}…], "quotes": [str…], "people": int, …}
    (quotes already redacted by the producer); "people" also fills people_affected."""
    if source_ref:
        existing = (Insight.objects.filter(agency=agency, source=source, source_ref=source_ref)
                    .exclude(status=Insight.Status.DISMISSED).first())
        if existing is not None:
            return existing
    return Insight.objects.create(
        agency=agency, service=service, source=source, source_ref=source_ref, title=title[:200],
        summary=summary, evidence=evidence or {}, people_affected=_people(evidence),
        created_by=by,
    )


def _scale(value: int | None, what: str) -> int | None:
    if value is None:
        return None
    if not 1 <= value <= 5:
        raise ImproveError(_("%(what)s must be a whole number from 1 to 5.") % {"what": what})
    return value


def insight_update(
    *, insight: Insight, impact: int | None, effort: int | None, status: str,
    people_affected: int | None = None, by: User | None = None,
) -> Insight:
    """An analyst's assessment: impact and effort (1–5, or blank), status, people affected.
    An opportunity needs both impact and effort, so it can be prioritised."""
    impact, effort = _scale(impact, _("Impact")), _scale(effort, _("Effort"))
    if status not in Insight.Status.values:
        raise ImproveError(_("Choose a status from the list."))
    if status == Insight.Status.OPPORTUNITY and (impact is None or effort is None):
        raise ImproveError(_("Set impact and effort before making this an opportunity, so it "
                             "can be prioritised."))
    if people_affected is not None and not 0 <= people_affected < 2**31:
        raise ImproveError(_("People affected must be a whole number, 0 or more."))
    insight.impact, insight.effort, insight.status = impact, effort, status
    insight.people_affected = people_affected
    insight.save(update_fields=["impact", "effort", "status", "people_affected", "updated_at"])
    return insight


# --- research notes ----------------------------------------------------------------------------

def tags_parse(raw: str) -> list[str]:
    """Tags typed as "wait times, Spanish; forms" → ["forms", "spanish", "wait times"]."""
    parts = [" ".join(t.split()).lower()[:40] for t in raw.replace(";", ",").split(",")]
    return sorted({t for t in parts if t})[:MAX_TAGS]


def quotes_parse(raw: str) -> list[str]:
    """One quote a line; blank lines dropped."""
    return [line.strip()[:1000] for line in raw.splitlines() if line.strip()][:MAX_QUOTES]


@dataclass(frozen=True)
class Upload:
    name: str
    content_type: str
    data: bytes


def attachment_check(file: Any) -> Upload:
    """The uploaded file's checked bytes, by the same rules as contact attachments (type from
    the bytes and the name, size limit); ImproveError with the reason when refused."""
    from govcx.contact.attachments import attachments_accept

    accepted, rejected = attachments_accept([file])
    if rejected or not accepted:
        reason = rejected[0].reason if rejected else _("The file could not be read.")
        name = rejected[0].name if rejected else str(getattr(file, "name", ""))
        raise ImproveError(_("The attachment %(name)s was not accepted: %(reason)s")
                           % {"name": name, "reason": reason})
    f = accepted[0]
    return Upload(name=f.name, content_type=f.content_type, data=f.data)


@transaction.atomic
def research_note_create(
    *, agency: Agency, title: str, method: str, held_on: dt.date, participants: int = 0,
    service: Service | None = None, tags: Sequence[str] = (), summary: str = "",
    quotes: Sequence[str] = (), attachment: Upload | None = None,
    by: User | None = None,
) -> ResearchNote:
    """Store a research note and open its insight (source "research"); the quotes are the
    insight's evidence. Research notes are staff-entered: no redaction is applied."""
    title = " ".join(title.split())[:200]
    if not title:
        raise ImproveError(_("Give the note a title."))
    if method not in ResearchNote.Method.values:
        raise ImproveError(_("Choose a research method from the list."))
    if held_on > timezone.localdate():
        raise ImproveError(_("The research date cannot be in the future."))
    if not 0 <= participants <= 100_000:
        raise ImproveError(_("Participants must be a whole number from 0 to 100,000."))
    if service is not None and service.agency_id != agency.pk:
        raise ImproveError(_("Choose a service of the same agency."))
    note = ResearchNote.objects.create(
        agency=agency, service=service, title=title, method=method, held_on=held_on,
        participants=participants, tags=list(tags), summary=summary[:20_000],
        quotes=list(quotes), created_by=by,
        attachment_name=attachment.name[:200] if attachment else "",
        attachment_type=attachment.content_type[:100] if attachment else "",
        attachment_size=len(attachment.data) if attachment else 0,
        attachment_data=attachment.data if attachment else None,
    )
    method_label = str(ResearchNote.Method(method).label)
    note.insight = insight_open(
        agency=agency, service=service, source=Insight.Source.RESEARCH,
        source_ref=f"research:{note.pk}", title=title, summary=summary[:20_000], by=by,
        evidence={"figures": [{"label": "method", "value": method_label},
                              {"label": "date", "value": held_on.isoformat()},
                              {"label": "participants", "value": participants}],
                  "quotes": list(quotes), "tags": list(tags), "people": participants,
                  "url": reverse("improve:research_detail", args=[note.pk])},
    )
    note.save(update_fields=["insight"])
    return note


# --- actions -----------------------------------------------------------------------------------

def _ancestors(agency: Agency) -> list[int]:
    ids, seen = [], set()
    current: Agency | None = agency
    while current is not None and current.pk not in seen:
        seen.add(current.pk)
        ids.append(current.pk)
        current = current.parent
    return ids


def agency_staff_ids(agency: Agency) -> set[int]:
    """Users who are staff of the agency: a membership in it or in a department above it."""
    from govcx.core.models import Membership

    return set(Membership.objects.filter(agency_id__in=_ancestors(agency))
               .values_list("user_id", flat=True))


def kpi_keys() -> list[str]:
    """The KPI keys an action may target (govcx.metrics.kpi.KPIS)."""
    from govcx.metrics.kpi import KPIS

    return list(KPIS)


def _notify_owner(action: Action, by: User | None) -> None:
    if action.owner_id is None or (by is not None and by.pk == action.owner_id):
        return
    Notification.objects.create(
        user_id=action.owner_id, agency_id=action.agency_id, kind="action_assigned",
        title=(_("Action assigned to you: %(title)s") % {"title": action.title})[:200],
        body=(_("Due %(date)s.") % {"date": action.due_on.isoformat()}) if action.due_on else "",
        url=reverse("improve:action_detail", args=[action.pk]),
    )


def _check_action(
    *, agency: Agency, title: str, owner: User | None, service: Service | None,
    target_kpi: str, maturity_items: Iterable[str], insights: Sequence[Insight],
) -> str:
    title = " ".join(title.split())[:200]
    if not title:
        raise ImproveError(_("Give the action a title."))
    if owner is not None and owner.pk not in agency_staff_ids(agency):
        raise ImproveError(_("The owner must be a staff member of %(agency)s.")
                           % {"agency": agency.name})
    if service is not None and service.agency_id != agency.pk:
        raise ImproveError(_("Choose a service of the same agency."))
    if target_kpi and target_kpi not in kpi_keys():
        raise ImproveError(_("Choose a target measure from the list."))
    unknown = [c for c in maturity_items if c not in maturity.ITEM_BY_CODE]
    if unknown:
        raise ImproveError(_("Choose maturity items from the list."))
    if any(i.agency_id != agency.pk for i in insights):
        raise ImproveError(_("The evidence must be insights of the same agency."))
    return title


@transaction.atomic
def action_create(
    *, agency: Agency, title: str, insights: Sequence[Insight] = (),
    description: str = "", owner: User | None = None,
    due_on: dt.date | None = None, service: Service | None = None, target_kpi: str = "",
    maturity_items: Sequence[str] = (), by: User | None = None,
) -> Action:
    """A proposed action, with the insights that prompted it (they become "acted on") and
    the maturity items it serves; the owner is notified."""
    title = _check_action(agency=agency, title=title, owner=owner, service=service,
                          target_kpi=target_kpi, maturity_items=maturity_items,
                          insights=insights)
    if service is None:
        services = {i.service_id for i in insights if i.service_id}
        if len(services) == 1:
            service = Service.objects.get(pk=services.pop())
    action = Action.objects.create(
        agency=agency, service=service, title=title, description=description[:20_000],
        owner=owner, due_on=due_on, target_kpi=target_kpi, created_by=by)
    if insights:
        action.insights.set(insights)
        Insight.objects.filter(pk__in=[i.pk for i in insights]).exclude(
            status=Insight.Status.DISMISSED).update(status=Insight.Status.ACTED_ON,
                                                    updated_at=timezone.now())
    ActionMaturityItem.objects.bulk_create(
        [ActionMaturityItem(action=action, item=c) for c in sorted(set(maturity_items))])
    _notify_owner(action, by)
    return action


@transaction.atomic
def action_update(
    *, action: Action, title: str, description: str = "",
    owner: User | None = None, due_on: dt.date | None = None,
    service: Service | None = None, target_kpi: str = "", maturity_items: Sequence[str] = (),
    public_title_en: str = "", public_title_es: str = "",
    you_said_en: str = "", you_said_es: str = "", we_did_en: str = "", we_did_es: str = "",
    by: User | None = None,
) -> Action:
    """Edit an action; a new owner is notified. A public entry keeps its English text.
    The public heading (public_title_*) is separate from the internal title: renaming the
    action never changes what the public sees. Views let only transparency.publish change
    the public text of a public entry."""
    agency = action.agency
    title = _check_action(agency=agency, title=title, owner=owner, service=service,
                          target_kpi=target_kpi, maturity_items=maturity_items, insights=())
    if action.public and not (public_title_en.strip() and you_said_en.strip()
                              and we_did_en.strip()):
        raise ImproveError(_("This action is on the public dashboard: keep its English "
                             "public title, \"you said\" and \"we did\" text, or withdraw "
                             "it first."))
    new_owner = owner is not None and owner.pk != action.owner_id
    action.title, action.description = title, description[:20_000]
    action.owner, action.due_on, action.service = owner, due_on, service
    action.target_kpi = target_kpi
    action.public_title_en = public_title_en.strip()[:200]
    action.public_title_es = public_title_es.strip()[:200]
    action.you_said_en, action.you_said_es = you_said_en[:5000], you_said_es[:5000]
    action.we_did_en, action.we_did_es = we_did_en[:5000], we_did_es[:5000]
    action.save()
    wanted = set(maturity_items)
    action.maturity_links.exclude(item__in=wanted).delete()
    have = set(action.maturity_links.values_list("item", flat=True))
    ActionMaturityItem.objects.bulk_create(
        [ActionMaturityItem(action=action, item=c) for c in sorted(wanted - have)])
    if new_owner:
        _notify_owner(action, by)
    return action


S = Action.Status
TRANSITIONS: dict[str, set[str]] = {
    S.PROPOSED: {S.PLANNED, S.IN_PROGRESS, S.DROPPED},
    S.PLANNED: {S.IN_PROGRESS, S.DROPPED, S.PROPOSED},
    S.IN_PROGRESS: {S.DONE, S.DROPPED, S.PLANNED},
    S.DONE: {S.IN_PROGRESS},  # reopened: the completion date is cleared
    S.DROPPED: {S.PROPOSED},
}


def action_status_set(
    *, action: Action, status: str, on: dt.date | None = None,
    by: User | None = None,
) -> Action:
    """Move an action along proposed → planned → in progress → done / dropped.

    Starting work sets started_on (the first time), finishing sets completed_on; both on
    `on` (default today, never in the future). A done action is withdrawn from the public
    dashboard if it is reopened or dropped."""
    today = timezone.localdate()
    on = on or today
    if status not in S.values:
        raise ImproveError(_("Choose a status from the list."))
    if on > today:
        raise ImproveError(_("The date cannot be in the future."))
    if status == action.status:
        return action
    if status not in TRANSITIONS[action.status]:
        raise ImproveError(_("An action that is %(now)s cannot become %(next)s.") % {
            "now": S(action.status).label, "next": S(status).label})
    if status == S.IN_PROGRESS and action.started_on is None:
        action.started_on = on
    if status == S.DONE:
        started = action.started_on or on
        if on < started:
            raise ImproveError(_("The completion date cannot be before the start date "
                                 "(%(date)s).") % {"date": started.isoformat()})
        action.started_on, action.completed_on = started, on
    if action.status == S.DONE:
        action.completed_on = None
        action.public = False
    action.status = status
    action.save(update_fields=["status", "started_on", "completed_on", "public", "updated_at"])
    return action


def action_public_set(*, action: Action, public: bool,
                      by: User | None = None) -> Action:
    """Show (or withdraw) a done action as a "you said, we did" entry on the public
    dashboard. Callers check transparency.publish first."""
    if public:
        if action.status != S.DONE:
            raise ImproveError(_("Only a done action can be shown on the public dashboard."))
        if not (action.public_title_en.strip() and action.you_said_en.strip()
                and action.we_did_en.strip()):
            raise ImproveError(_("Write the English public title, \"you said\" and "
                                 "\"we did\" text first."))
    action.public = public
    action.save(update_fields=["public", "updated_at"])
    return action


# --- CX maturity -------------------------------------------------------------------------------

@transaction.atomic
def maturity_assessment_record(
    *, agency: Agency, assessed_on: dt.date, scores: dict[str, tuple[int, str]],
    note: str = "", assessor: User | None = None,
) -> MaturityAssessment:
    """One self-assessment: a score 1–5 and a note for each item scored (items left blank
    are not scored this time). At least one item must be scored."""
    if assessed_on > timezone.localdate():
        raise ImproveError(_("The assessment date cannot be in the future."))
    if not scores:
        raise ImproveError(_("Score at least one item."))
    for code, (score, _note) in scores.items():
        if code not in maturity.ITEM_BY_CODE:
            raise ImproveError(_("Choose maturity items from the list."))
        if not 1 <= score <= 5:
            raise ImproveError(_("Scores must be whole numbers from 1 to 5 (%(item)s).")
                               % {"item": maturity.item_label(code)})
    assessment = MaturityAssessment.objects.create(agency=agency, assessed_on=assessed_on,
                                                   assessor=assessor, note=note[:20_000])
    MaturityScore.objects.bulk_create([
        MaturityScore(assessment=assessment, item=code, score=score, note=text[:5000])
        for code, (score, text) in scores.items()])
    return assessment
