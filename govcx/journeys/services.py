"""Every write of journey events and intended journeys.

Apps record a journey event as the thing happens, through :func:`journey_event_record` (or
:func:`journey_events_record` for many at once), with the one case key rule of this module:

* ``customer:<id>`` for anything that happened to a known person (customer record);
* ``case:<id>`` for a contact-centre case without a customer yet; ``contact:<id>`` for a
  contact stored without a case or a customer;
* ``conversation:<id>`` for the assistant's conversation (the primary key, never the person's
  public handle), re-keyed to its case's key when it is handed over, so the chat, the case and
  what followed read as one journey; a case's own ``case:<id>`` events are re-keyed to
  ``customer:<id>`` when the case gets its customer (:func:`journey_events_rekey`);
* ``visitor:<hmac>`` for help-centre article views: a keyed hash of the browser's CSRF
  secret, the only stable handle an anonymous reader has (no new cookie, nothing personal);
* imported events: ``<case_prefix><the file's case id>``, where the prefix is
  ``import:<import id>:`` unless the import keeps the ids as given (see imports.py).

Survey offers and answers are not written here: they are read from the feedback tables when
a journey is mined (govcx/journeys/sources.py), so the public survey submission path does no
extra write.

Hooks in other apps (kept to one call each): govcx/contact/services.py (`contact_receive`:
contact received, and re-key when a case gets its customer; `case_event`: case opened,
assigned, resolved, reopened), govcx/assist/conversation.py (conversation started, answered,
handed over) and govcx/assist/views_help.py (article viewed).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from govcx.core.models import Agency, Service
from govcx.customers.models import Customer
from govcx.journeys.models import IntendedJourney, JourneyEvent

if TYPE_CHECKING:
    from govcx.assist.models import Article, Conversation
    from govcx.contact.models import Case, Contact

MAX_ACTIVITY = 200
MAX_CASE_KEY = 120
MAX_CHANNEL = 20
MAX_STAGE = 80
MAX_STEPS = 30
BATCH = 2000

Source = JourneyEvent.Source

# Activity names recorded by govcx's own apps (data, stored in English like imported names).
CONTACT_ACTIVITY = {
    "web": "Web form received",
    "email": "Email received",
    "sms": "Text message received",
    "phone": "Phone call",
    "chat": "Chat message received",
}
CASE_OPENED = "Case opened"
CASE_ASSIGNED = "Case assigned"
CASE_RESOLVED = "Case resolved"
CASE_REOPENED = "Case reopened"
ASSISTANT_STARTED = "Assistant conversation started"
ASSISTANT_ANSWERED = "Assistant answered"
ASSISTANT_HANDOVER = "Handed over to a person"
ARTICLE_VIEWED = "Help article viewed"
SURVEY_OFFERED = "Survey offered"  # read-side (sources.py)
SURVEY_ANSWERED = "Survey answered"  # read-side (sources.py)


class JourneyError(ValueError):
    """A journey event or an intended journey is not valid; the message says why."""


# --- case keys ------------------------------------------------------------------------------

def case_key_for(*, customer_id: int | None = None, case_id: int | None = None,
                 contact_id: int | None = None) -> str:
    if customer_id is not None:
        return f"customer:{customer_id}"
    if case_id is not None:
        return f"case:{case_id}"
    if contact_id is not None:
        return f"contact:{contact_id}"
    raise JourneyError("A journey event needs a customer, a case or a contact.")


def visitor_key(secret: str) -> str:
    """A stable, non-reversible key for an anonymous browser (keyed hash of a secret)."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"journey-visitor:{secret}".encode(),
                      hashlib.sha256).hexdigest()
    return f"visitor:{digest[:24]}"


# --- recording ------------------------------------------------------------------------------

@dataclass
class EventIn:
    """One event to store in bulk (`journey_events_record`)."""

    agency_id: int
    activity: str
    at: dt.datetime
    case_key: str
    source: str
    service_id: int | None = None
    customer_id: int | None = None
    channel: str = ""
    stage: str = ""
    attributes: dict[str, Any] = field(default_factory=dict)
    seq: int = 0
    journey_import_id: int | None = None


def _clean(activity: str, case_key: str, source: str, at: dt.datetime, channel: str,
           stage: str) -> tuple[str, str, str, str]:
    activity = str(activity).replace("\x00", "").strip()
    case_key = str(case_key).replace("\x00", "").strip()
    if not activity:
        raise JourneyError("A journey event needs an activity.")
    if not case_key:
        raise JourneyError("A journey event needs a case key.")
    if len(activity) > MAX_ACTIVITY:
        raise JourneyError(f"An activity can be at most {MAX_ACTIVITY} characters.")
    if len(case_key) > MAX_CASE_KEY:
        raise JourneyError(f"A case key can be at most {MAX_CASE_KEY} characters.")
    if source not in Source.values:
        raise JourneyError(f"Unknown journey event source '{source}'.")
    if not isinstance(at, dt.datetime) or timezone.is_naive(at):
        raise JourneyError("A journey event needs a timestamp with a time zone.")
    return activity, case_key, str(channel or "")[:MAX_CHANNEL], str(stage or "")[:MAX_STAGE]


def journey_event_record(
    *, agency: Agency | int, activity: str, at: dt.datetime, case_key: str, source: str,
    service: Service | int | None = None, customer: Customer | int | None = None,
    channel: str = "", stage: str = "", attributes: dict[str, Any] | None = None, seq: int = 0,
) -> JourneyEvent:
    """Store one journey event (one INSERT)."""
    activity, case_key, channel, stage = _clean(activity, case_key, source, at, channel, stage)
    return JourneyEvent.objects.create(
        agency_id=agency.pk if isinstance(agency, Agency) else agency,
        service_id=service.pk if isinstance(service, Service) else service,
        customer_id=customer.pk if isinstance(customer, Customer) else customer,
        case_key=case_key, activity=activity, at=at, seq=seq, channel=channel, stage=stage,
        source=source, attributes=attributes or {},
    )


def journey_events_record(*, events: Iterable[EventIn], batch_size: int = BATCH,
                          progress: Callable[[int], None] | None = None) -> int:
    """Store many events with bulk INSERTs of `batch_size`, each batch in its own transaction
    (a long import shows progress and keeps what it stored). Returns how many were stored;
    `progress(stored so far)` is called after each batch."""
    stored = 0
    batch: list[JourneyEvent] = []

    def flush() -> None:
        nonlocal stored
        with transaction.atomic():
            JourneyEvent.objects.bulk_create(batch)
        stored += len(batch)
        batch.clear()
        if progress is not None:
            progress(stored)

    for e in events:
        activity, case_key, channel, stage = _clean(e.activity, e.case_key, e.source, e.at,
                                                    e.channel, e.stage)
        batch.append(JourneyEvent(
            agency_id=e.agency_id, service_id=e.service_id, customer_id=e.customer_id,
            case_key=case_key, activity=activity, at=e.at, seq=e.seq, channel=channel,
            stage=stage, source=e.source, attributes=e.attributes,
            journey_import_id=e.journey_import_id))
        if len(batch) >= batch_size:
            flush()
    if batch:
        flush()
    return stored


def journey_events_rekey(*, agency: Agency | int, old_key: str, new_key: str) -> int:
    """Move every event of one journey key to another (a case got its customer, a chat was
    handed over to a case); returns how many moved.

    Events are deleted and stored again under the new key (new ids, same times and order),
    never updated in place: the map's snapshots (sources.py) rely on stored events being
    immutable to notice any change by their ids."""
    if not old_key or not new_key or old_key == new_key:
        return 0
    agency_id = agency.pk if isinstance(agency, Agency) else agency
    customer_id = int(new_key.split(":", 1)[1]) if new_key.startswith("customer:") else None
    with transaction.atomic():
        moved = list(JourneyEvent.objects.select_for_update()
                     .filter(agency_id=agency_id, case_key=old_key).order_by("id"))
        if not moved:
            return 0
        JourneyEvent.objects.filter(pk__in=[e.pk for e in moved]).delete()
        for e in moved:
            e.pk = None
            e.case_key = new_key
            if customer_id is not None:
                e.customer_id = customer_id
        JourneyEvent.objects.bulk_create(moved)
    return len(moved)


# --- hooks called by other apps' services ---------------------------------------------------

def _case_key(case: Case) -> str:
    return case_key_for(customer_id=case.customer_id, case_id=case.pk)


def journey_contact_received_record(*, contact: Contact, case: Case | None,
                                    service: Service | None = None,
                                    language: str = "") -> None:
    """Contact centre: a person's inbound contact on a channel."""
    customer_id = contact.customer_id
    key = case_key_for(customer_id=customer_id, case_id=case.pk if case else None,
                       contact_id=contact.pk)
    service_id = (case.service_id if case is not None and case.service_id
                  else (service.pk if service is not None else None))
    attributes: dict[str, Any] = {"case": case.pk} if case is not None else {}
    if language or case is not None:
        attributes["language"] = language or (case.language if case else "")
    journey_event_record(
        agency=contact.agency_id, activity=CONTACT_ACTIVITY.get(contact.channel,
                                                                f"{contact.channel} contact"),
        at=contact.at, case_key=key, source=Source.CONTACT, service=service_id,
        customer=customer_id, channel=contact.channel, attributes=attributes)


def journey_case_event_record(*, case: Case, kind: str, at: dt.datetime,
                              detail: dict[str, Any]) -> None:
    """Contact centre: called by `contact.services.case_event` for every case event; records
    the ones that are journey steps (opened, assigned, resolved, reopened)."""
    activity = ""
    if kind == "opened":
        activity = CASE_OPENED
    elif kind == "assigned" and detail.get("to"):
        activity = CASE_ASSIGNED
    elif kind == "reopened":
        activity = CASE_REOPENED
    elif kind == "status":
        if detail.get("new") == "resolved":
            activity = CASE_RESOLVED
        elif detail.get("old") == "resolved" and detail.get("new") == "open":
            activity = CASE_REOPENED
    if not activity:
        return
    journey_event_record(
        agency=case.agency_id, activity=activity, at=at, case_key=_case_key(case),
        source=Source.CONTACT, service=case.service_id, customer=case.customer_id,
        channel=case.channel, attributes={"case": case.pk, "language": case.language})


def journey_case_customer_set(*, case: Case, customer: Customer) -> None:
    """Contact centre: a case without a customer got one; its journey joins the person's."""
    journey_events_rekey(agency=case.agency_id, old_key=case_key_for(case_id=case.pk),
                         new_key=case_key_for(customer_id=customer.pk))


def journey_conversation_record(*, conversation: Conversation, activity: str,
                                at: dt.datetime | None = None,
                                attributes: dict[str, Any] | None = None) -> None:
    """Assistant: conversation started, answered (no service: joined through the case key)."""
    journey_event_record(
        agency=conversation.agency_id, activity=activity, at=at or timezone.now(),
        case_key=f"conversation:{conversation.pk}", source=Source.ASSIST, channel="chat",
        attributes={"language": conversation.language, **(attributes or {})})


def journey_conversation_handover_record(*, conversation: Conversation, case: Case,
                                         reason: str) -> None:
    """Assistant: handed over to a person. The event is dated at the case's opening (and
    ordered just before its same-time case events, seq -1); the conversation's events move
    to the case's key so the chat and the case are one journey."""
    key = _case_key(case)
    journey_event_record(
        agency=conversation.agency_id, activity=ASSISTANT_HANDOVER, at=case.opened_at,
        case_key=f"conversation:{conversation.pk}", source=Source.ASSIST, channel="chat",
        customer=case.customer_id, seq=-1,
        attributes={"language": conversation.language, "reason": reason, "case": case.pk})
    journey_events_rekey(agency=conversation.agency_id,
                         old_key=f"conversation:{conversation.pk}", new_key=key)


def journey_article_view_record(*, agency: Agency, article: Article, language: str,
                                visitor: str) -> None:
    """Help centre: an article was read. One INSERT (and one small query for the article's
    service when it has exactly one); nothing when the browser has no handle yet."""
    if not visitor:
        return
    services = list(article.services.values_list("id", flat=True)[:2])
    journey_event_record(
        agency=agency, activity=ARTICLE_VIEWED, at=timezone.now(), case_key=visitor_key(visitor),
        source=Source.ASSIST, service=services[0] if len(services) == 1 else None,
        channel="web", attributes={"article": article.slug, "language": language})


# --- intended journeys ----------------------------------------------------------------------

def intended_journey_set(*, service: Service, steps: Sequence[str],
                         actor: Any = None) -> IntendedJourney:
    """Declare (or replace) a service's intended journey: activity names in order. Blank
    lines are dropped; a step may appear once."""
    cleaned = [str(s).replace("\x00", "").strip() for s in steps]
    cleaned = [s for s in cleaned if s]
    if not cleaned:
        raise JourneyError("List at least one step.")
    if len(cleaned) > MAX_STEPS:
        raise JourneyError(f"An intended journey can have at most {MAX_STEPS} steps.")
    too_long = [s for s in cleaned if len(s) > MAX_ACTIVITY]
    if too_long:
        raise JourneyError(f"A step can be at most {MAX_ACTIVITY} characters.")
    seen: set[str] = set()
    dupes = [s for s in cleaned if s in seen or seen.add(s)]  # type: ignore[func-returns-value]
    if dupes:
        raise JourneyError(f"Each step can appear once; repeated: {', '.join(dupes)}.")
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    intended, _created = IntendedJourney.objects.update_or_create(
        service=service, defaults={"steps": cleaned, "updated_by": user})
    return intended


def intended_journey_clear(*, service: Service) -> None:
    IntendedJourney.objects.filter(service=service).delete()
