"""Agency-scoped reads of the assistant: intents, trained models, conversations, the report.

Every read starts from `agency_ids_for(user, capability)`: intents and models need
``assistant.manage``, conversations and the report ``assistant.report``.

Report definitions (one period, by the day a conversation started):

- *conversations*: conversations in which the person wrote at least one message;
- *containment*: conversations resolved by the assistant (status CONTAINED: the person rated
  an answer helpful, or closed the chat after an answer without a hand-over) ÷ conversations;
- *hand-over rate*: conversations handed over to a person ÷ conversations, and the count by
  reason;
- *ratings*: of the assistant's answers the person rated, the share rated helpful;
- *top intents*: the intents recognised in the person's messages;
- *top out-of-scope queries*: the person's messages the model could not place (redacted text).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet

from govcx.assist.model import OOS
from govcx.assist.models import AssistantModel, Conversation, Intent, Message
from govcx.core.selectors import AnyUser, agency_ids_for


def intents_for(user: AnyUser, capability: str = "assistant.manage") -> QuerySet[Intent]:
    return (Intent.objects.filter(agency_id__in=agency_ids_for(user, capability))
            .select_related("agency", "article").annotate(n_examples=Count("examples"))
            .order_by("agency__name", "name"))


def intent_get(user: AnyUser, intent_id: int, capability: str = "assistant.manage") -> Intent:
    """The intent, or Intent.DoesNotExist when the user may not manage it."""
    return (Intent.objects.select_related("agency", "article")
            .get(pk=intent_id, agency_id__in=agency_ids_for(user, capability)))


def models_for(user: AnyUser, capability: str = "assistant.manage",
               limit: int = 50) -> list[AssistantModel]:
    return list(AssistantModel.objects.filter(agency_id__in=agency_ids_for(user, capability))
                .select_related("agency", "requested_by").order_by("-created_at", "-id")[:limit])


@dataclass(frozen=True)
class ConversationFilter:
    agency: int | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    status: str = ""
    reason: str = ""


def conversations_for(user: AnyUser, f: ConversationFilter | None = None,
                      capability: str = "assistant.report") -> QuerySet[Conversation]:
    f = f or ConversationFilter()
    ids = agency_ids_for(user, capability)
    if f.agency is not None:
        ids = ids & {f.agency}
    qs = Conversation.objects.filter(agency_id__in=ids)
    if f.start:
        qs = qs.filter(started_at__date__gte=f.start)
    if f.end:
        qs = qs.filter(started_at__date__lte=f.end)
    if f.status in Conversation.Status.values:
        qs = qs.filter(status=f.status)
    if f.reason in Conversation.Reason.values:
        qs = qs.filter(handover_reason=f.reason)
    return (qs.select_related("agency").annotate(
        n_messages=Count("messages"),
        n_person=Count("messages", filter=Q(messages__speaker=Message.Speaker.PERSON)))
        .order_by("-started_at", "-id"))


def conversation_get(user: AnyUser, conversation_id: int,
                     capability: str = "assistant.report") -> Conversation:
    return (Conversation.objects.select_related("agency", "case")
            .get(pk=conversation_id, agency_id__in=agency_ids_for(user, capability)))


def conversation_messages(conversation: Conversation) -> QuerySet[Message]:
    return conversation.messages.select_related("article").order_by("at", "id")


def _pct(n: int, d: int) -> float | None:
    return round(100.0 * n / d, 1) if d else None


@dataclass
class Report:
    conversations: int = 0
    contained: int = 0
    handed_over: int = 0
    unresolved: int = 0
    containment: float | None = None
    handover_rate: float | None = None
    by_reason: list[tuple[str, str, int]] = field(default_factory=list)  # value, label, n
    answers: int = 0
    rated: int = 0
    helpful: int = 0
    helpful_share: float | None = None
    top_intents: list[tuple[str, str, int]] = field(default_factory=list)  # name, title, n
    top_out_of_scope: list[tuple[str, int]] = field(default_factory=list)  # redacted text, n
    # the people's messages listed in top_out_of_scope, by agency (for the audit log)
    out_of_scope_by_agency: dict[int, int] = field(default_factory=dict)
    agencies: int = 0


def assistant_report(user: AnyUser, f: ConversationFilter, top: int = 10) -> Report:
    base = conversations_for(user, ConversationFilter(agency=f.agency, start=f.start,
                                                      end=f.end))
    conv_ids = (Message.objects.filter(conversation__in=base.values("id"),
                                       speaker=Message.Speaker.PERSON)
                .values("conversation_id").distinct())
    convs = Conversation.objects.filter(id__in=conv_ids)
    r = Report()
    counts: dict[str, int] = dict(Conversation.objects.filter(id__in=conv_ids)
                                  .values_list("status").annotate(n=Count("id"))
                                  .values_list("status", "n"))
    r.conversations = sum(counts.values())
    r.contained = counts.get(Conversation.Status.CONTAINED, 0)
    r.handed_over = counts.get(Conversation.Status.HANDED_OVER, 0)
    r.unresolved = counts.get(Conversation.Status.OPEN, 0)
    r.containment = _pct(r.contained, r.conversations)
    r.handover_rate = _pct(r.handed_over, r.conversations)
    reasons = dict(Conversation.objects.filter(id__in=conv_ids,
                                               status=Conversation.Status.HANDED_OVER)
                   .values_list("handover_reason").annotate(n=Count("id"))
                   .values_list("handover_reason", "n"))
    labels = dict(Conversation.Reason.choices)
    r.by_reason = [(v, str(labels[v]), reasons.get(v, 0)) for v in Conversation.Reason.values]
    answers = Message.objects.filter(conversation_id__in=conv_ids,
                                     speaker=Message.Speaker.ASSISTANT, article__isnull=False)
    r.answers = answers.count()
    r.rated = answers.filter(rating__isnull=False).count()
    r.helpful = answers.filter(rating=True).count()
    r.helpful_share = _pct(r.helpful, r.rated)
    person = Message.objects.filter(conversation_id__in=conv_ids,
                                    speaker=Message.Speaker.PERSON)
    rows = (person.exclude(intent__in=["", OOS]).exclude(intent__startswith="crisis")
            .values_list("intent").annotate(n=Count("id")).order_by("-n", "intent")
            .values_list("intent", "n")[:top])
    titles: dict[str, str] = {}
    for name, title in Intent.objects.filter(
            agency_id__in=convs.values("agency_id"), name__in=[n for n, _ in rows]
    ).values_list("name", "title"):
        titles.setdefault(name, title)
    r.top_intents = [(n, titles.get(n, n), c) for n, c in rows]
    r.top_out_of_scope = list(person.filter(intent=OOS).values_list("text")
                              .annotate(n=Count("id")).order_by("-n", "text")
                              .values_list("text", "n")[:top * 2])
    if r.top_out_of_scope:
        shown = person.filter(intent=OOS, text__in=[t for t, _n in r.top_out_of_scope])
        r.out_of_scope_by_agency = dict(
            shown.values_list("conversation__agency_id").annotate(n=Count("id"))
            .values_list("conversation__agency_id", "n"))
    r.agencies = len({a for a in convs.values_list("agency_id", flat=True)})
    return r


def report_agencies(user: AnyUser) -> list[Any]:
    from govcx.core.selectors import agencies_for

    return list(agencies_for(user, "assistant.report").order_by("name"))
