"""The assistant's conversations: answer from approved content, or hand over to a person.

`message_receive` handles one message from the person, in this order:

1. redact it (govcx.core.redact): `Message.text` holds the redacted text, the only text
   analytics, reports and training ever see;
2. a crisis phrase (govcx.assist.safety): emergency information (988, 911, the National
   Domestic Violence Hotline) at once, and a hand-over to an *urgent* case;
3. a request for a person, or a sensitive topic: hand-over;
4. a conversation already handed over: the message goes to the same case
   (`chat_message_receive`), and the person is told the team has it;
5. otherwise the agency's intent model (`model_for_agency`) classifies it. No intent → hand-over:
   `out_of_scope` when the model prefers "none of these" to its best intent (confidence
   under 0.5: the out-of-scope class, or every intent's classifier, says no), else
   `low_confidence` (the best intent wins but stays under the model's threshold). An intent of kind HANDOVER →
   hand-over (sensitive). An intent of kind ANSWER whose article is published for the
   public → the published version's summary in the conversation's language (English when
   there is no Spanish) with a link to the article. Anything else (no article, a draft, an
   archived or internal article) → hand-over: the assistant never answers unapproved content.

Hand-over (`conversation_handover`) opens a chat contact and case through the contact
centre's `chat_handoff_receive` with the whole transcript as the person typed it, the detected
intent and the candidate articles, and tells the person what happens next, by when (the case's
first-response due time when its SLA sets one, else "within one business day") and the
reference number (the case number).

**Where the original text lives.** `Message.text_private` keeps what the person typed only
while the conversation is open with the assistant, so that a hand-over can give the agent the
real words. At hand-over the transcript goes into the case (where staff access is controlled
and audited) and `text_private` is cleared; messages after the hand-over are stored redacted
only (the original goes straight to the case). Conversations that never reach a person lose
their private text after PRIVATE_TEXT_HOURS (`conversation_private_expire`, run by
`govcx assistant` maintenance or any scheduler).

**Reply kinds.** The assistant's own messages carry their kind in `Message.intent`
("answer", "handover", "crisis", "followup", "offer", "info"); the person's messages carry
the detected intent name, or "oos" when the model found none. `Message.article` is the
article an answer cites.
"""

from __future__ import annotations

import datetime as dt
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone, translation

from govcx.assist import safety
from govcx.assist.model import OOS
from govcx.assist.models import Article, Conversation, Language, Message
from govcx.contact.channels.chat import Line, chat_handoff_receive, chat_message_receive
from govcx.contact.models import Case, Channel, Contact
from govcx.contact.services import case_update, sla_start
from govcx.core.models import Agency
from govcx.core.redact import redact
from govcx.feedback.schema import no_nul
from govcx.journeys import services as journeys
from govcx.metrics.services import assist_rollup_add

MAX_TEXT = 2000
NONE_OF_THESE = 0.5  # a confidence under this: the model itself prefers "out of scope"
PRIVATE_TEXT_HOURS = 24
CANDIDATES = 3

R = Conversation.Reason

# What the assistant says. Kept here (not in the .po catalogue) because the public chat is
# always answered in the conversation's own language, whatever the server's locale.
TEXT: dict[str, dict[str, str]] = {
    "en": {
        "answer_more": "Read more: {title}",
        "handover": "I'm passing your conversation to a member of our team so you don't have "
                    "to start over. {when} Your reference number is {ref}. You can keep "
                    "writing here; your messages will be added to the same case.",
        "when_due": "Someone will reply by {due}.",
        "when_default": "Someone will reply within one business day.",
        "why_out_of_scope": "I can't answer that question from our approved information.",
        "why_low_confidence": "I'm not sure I understood your question.",
        "why_asked_for_human": "Of course.",
        "why_sensitive": "This is something a person on our team should help you with.",
        "why_crisis": "",
        "why_not_helpful": "I'm sorry that didn't help.",
        "followup": "Thank you. Your message was added to case {ref}; our team has it.",
        "offer": "I'm sorry that didn't help. Would you like to talk to a person?",
        "thanks": "Thank you for telling us.",
    },
    "es": {
        "answer_more": "Más información: {title}",
        "handover": "Voy a pasar su conversación a un miembro de nuestro equipo para que no "
                    "tenga que empezar de nuevo. {when} Su número de referencia es {ref}. "
                    "Puede seguir escribiendo aquí; sus mensajes se agregarán al mismo caso.",
        "when_due": "Alguien le responderá a más tardar el {due}.",
        "when_default": "Alguien le responderá dentro de un día hábil.",
        "why_out_of_scope": "No puedo responder esa pregunta con nuestra información "
                            "aprobada.",
        "why_low_confidence": "No estoy seguro de haber entendido su pregunta.",
        "why_asked_for_human": "Con gusto.",
        "why_sensitive": "Es mejor que una persona de nuestro equipo le ayude con esto.",
        "why_crisis": "",
        "why_not_helpful": "Lamento que no le haya servido.",
        "followup": "Gracias. Su mensaje se agregó al caso {ref}; nuestro equipo lo tiene.",
        "offer": "Lamento que no le haya servido. ¿Quiere hablar con una persona?",
        "thanks": "Gracias por decírnoslo.",
    },
}


class ConversationError(ValueError):
    """A request that cannot be done as asked (the message is shown to the person)."""


def _t(lang: str, key: str, **kw: Any) -> str:
    table = TEXT.get(lang) or TEXT["en"]
    return table[key].format(**kw) if kw else table[key]


def article_path(agency_slug: str, article_slug: str) -> str:
    """The public help-centre page of an article, /help/<agency>/a/<slug>/."""
    try:
        return reverse("assist:help_article",
                       kwargs={"agency_slug": agency_slug, "article_slug": article_slug})
    except NoReverseMatch:
        return f"/help/{agency_slug}/a/{article_slug}/"


def article_url(agency_slug: str, article_slug: str) -> str:
    return settings.PUBLIC_BASE_URL.rstrip("/") + article_path(agency_slug, article_slug)


def _answerable(article: Article | None) -> bool:
    """Published for the public (and not archived): the only content the assistant cites."""
    return (article is not None and article.audience == Article.Audience.PUBLIC
            and article.published_version_id is not None
            and article.status != Article.Status.ARCHIVED)


def _title(article: Article, lang: str) -> str:
    v = article.published_version
    assert v is not None
    return (v.title_es if lang == "es" and v.title_es else v.title_en)


@dataclass
class Reply:
    """One assistant message as the widget shows it."""

    message: Message
    kind: str  # answer, handover, crisis, followup, offer, info
    link: dict[str, str] | None = None
    crisis: list[dict[str, str]] = field(default_factory=list)
    rateable: bool = False
    case: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.message.pk, "speaker": "assistant", "kind": self.kind,
                "text": self.message.text, "link": self.link, "crisis": self.crisis,
                "rateable": self.rateable, "rating": self.message.rating,
                "case": self.case, "at": self.message.at.isoformat()}


def reply_of(message: Message, agency_slug: str) -> dict[str, Any]:
    """A stored message as the widget shows it (for the poll and for a reloaded page)."""
    conv = message.conversation
    if message.speaker == Message.Speaker.PERSON:
        return {"id": message.pk, "speaker": "person", "kind": "person", "text": message.text,
                "at": message.at.isoformat()}
    kind = message.intent or "info"
    link = None
    if message.article is not None and message.article.published_version_id:
        link = {"url": article_path(agency_slug, message.article.slug),
                "title": _title(message.article, conv.language)}
    crisis: list[dict[str, str]] = []
    if kind.startswith("crisis"):
        ckind = kind.partition(":")[2] or safety.EMERGENCY
        crisis = [{"label": a, "number": b}
                  for a, b in safety.crisis_info(ckind, conv.language).lines]
        kind = "crisis"
    return Reply(message=message, kind=kind, link=link, crisis=crisis,
                 rateable=kind == "answer", case=conv.case_id).as_dict()


# --- writes -----------------------------------------------------------------------------------

_expired_at = [0.0]  # when this process last cleared expired original text (monotonic)
EXPIRE_EVERY_SECONDS = 600


def conversation_start(*, agency: Agency, language: str = "en", page: str = "") -> Conversation:
    """A new conversation. Also clears expired original text (conversation_private_expire)
    at most every EXPIRE_EVERY_SECONDS per process, so no scheduler is needed; `govcx
    assistant expire` does the same from cron."""
    now = time.monotonic()
    if now - _expired_at[0] > EXPIRE_EVERY_SECONDS:
        _expired_at[0] = now
        conversation_private_expire()
    lang = language if language in Language.values else Language.EN
    conversation = Conversation.objects.create(
        agency=agency, public_id=secrets.token_urlsafe(24), language=lang,
        page=redact(no_nul(page).strip()[:300])[0][:300])
    journeys.journey_conversation_record(conversation=conversation,
                                         activity=journeys.ASSISTANT_STARTED,
                                         at=conversation.started_at)
    assist_rollup_add(agency_id=conversation.agency_id, started_at=conversation.started_at,
                      conversations=1)
    return conversation


def _say(conversation: Conversation, kind: str, text: str, *,
         article: Article | None = None, confidence: float | None = None) -> Message:
    return Message.objects.create(conversation=conversation, speaker=Message.Speaker.ASSISTANT,
                                  text=text, intent=kind, article=article,
                                  confidence=confidence)


def _clean_text(text: str) -> str:
    text = no_nul(str(text)).strip()
    if not text:
        raise ConversationError("Type a message first.")
    if len(text) > MAX_TEXT:
        raise ConversationError(f"A message can be at most {MAX_TEXT:,} characters.")
    return text


def message_receive(*, conversation: Conversation, text: str) -> list[Reply]:
    """The person's message; returns the assistant's replies (see the module docstring)."""
    raw = _clean_text(text)
    clean, kinds = redact(raw)
    lang = conversation.language
    handed = conversation.status == Conversation.Status.HANDED_OVER and conversation.case_id
    person = Message.objects.create(
        conversation=conversation, speaker=Message.Speaker.PERSON, text=clean,
        text_private="" if handed else raw, redacted=kinds)
    replies: list[Reply] = []

    crisis = safety.crisis_kind(raw)
    if crisis is not None:
        info = safety.crisis_info(crisis, lang)
        msg = _say(conversation, f"crisis:{crisis}", info.text)
        replies.append(Reply(message=msg, kind="crisis",
                             crisis=[{"label": a, "number": b} for a, b in info.lines]))
        person.intent = f"crisis:{crisis}"[:80]
        person.save(update_fields=["intent"])
        if handed:
            replies.append(_followup(conversation, person, raw))
            _urgent(conversation.case)
        else:
            replies.append(conversation_handover(conversation=conversation, reason=R.CRISIS))
        return _with_case(replies, conversation)

    if handed:
        return [_followup(conversation, person, raw)]

    if safety.asks_for_human(raw):
        return [conversation_handover(conversation=conversation, reason=R.ASKED_FOR_HUMAN)]
    if safety.is_sensitive(raw):
        return [conversation_handover(conversation=conversation, reason=R.SENSITIVE)]

    from govcx.assist.training import intents_active, model_for_agency

    model = model_for_agency(conversation.agency_id)
    if model is None:
        person.intent = OOS
        person.save(update_fields=["intent"])
        return [conversation_handover(conversation=conversation, reason=R.OUT_OF_SCOPE)]
    pred = model.predict(clean)
    person.confidence = pred.confidence
    person.intent = (pred.intent or OOS)[:80]
    person.save(update_fields=["intent", "confidence"])
    active = intents_active(conversation.agency)
    candidates = [active[name] for name, _c in pred.candidates if name in active]
    if pred.intent is None or pred.intent not in active:
        near = pred.confidence >= NONE_OF_THESE
        reason = R.LOW_CONFIDENCE if (pred.intent is None and near) else R.OUT_OF_SCOPE
        guess = ", ".join(f"{n} {c:.2f}" for n, c in pred.candidates)
        return [conversation_handover(conversation=conversation, reason=reason,
                                      candidates=[i.article for i in candidates],
                                      intent=f"{reason} (best guesses: {guess})")]
    intent = active[pred.intent]
    conversation.intent = intent.name
    conversation.save(update_fields=["intent", "last_at"])
    if intent.kind == intent.Kind.HANDOVER:
        return [conversation_handover(conversation=conversation, reason=R.SENSITIVE,
                                      candidates=[i.article for i in candidates],
                                      intent=intent.name)]
    article = intent.article
    if article is None or not _answerable(article):
        return [conversation_handover(conversation=conversation, reason=R.OUT_OF_SCOPE,
                                      candidates=[i.article for i in candidates],
                                      intent=f"{intent.name} (no published answer)")]
    v = article.published_version
    assert v is not None
    title = _title(article, lang)
    summary = (v.summary_es if lang == "es" and v.summary_es else v.summary_en) or title
    msg = _say(conversation, "answer", summary, article=article, confidence=pred.confidence)
    journeys.journey_conversation_record(conversation=conversation,
                                         activity=journeys.ASSISTANT_ANSWERED, at=msg.at,
                                         attributes={"intent": intent.name,
                                                     "article": article.slug})
    return [Reply(message=msg, kind="answer", rateable=True,
                  link={"url": article_path(conversation.agency.slug, article.slug),
                        "title": title})]


def _with_case(replies: list[Reply], conversation: Conversation) -> list[Reply]:
    for r in replies:
        r.case = conversation.case_id
    return replies


def _urgent(case: Case | None) -> None:
    """A crisis: the case becomes urgent and its SLA clocks follow the urgent policy."""
    if case is None or case.priority == Case.Priority.URGENT:
        return
    case_update(case=case, actor=None, priority=Case.Priority.URGENT)
    if case.first_response_at is None:
        sla_start(case, case.opened_at)
        case.save()


def _followup(conversation: Conversation, person: Message, raw: str) -> Reply:
    """After a hand-over: the person's message lands on the same case."""
    case = conversation.case
    assert case is not None
    got, earlier = chat_message_receive(case=case, text=raw,
                                        message_id=f"{conversation.public_id}:{person.pk}")
    now_case = got.case if got is not None else (earlier.case if earlier else case)
    if now_case is not None and now_case.pk != case.pk:  # the old case was closed: a new one
        conversation.case = now_case
        conversation.save(update_fields=["case", "last_at"])
    ref = conversation.case_id
    msg = _say(conversation, "followup", _t(conversation.language, "followup", ref=ref))
    return Reply(message=msg, kind="followup", case=ref)


def _when(case: Case, lang: str) -> str:
    due = case.first_response_due
    if due is None or case.first_response_at is not None:
        return _t(lang, "when_default")
    with translation.override(lang):
        shown = formats.date_format(timezone.localtime(due), "DATETIME_FORMAT")
        tzname = timezone.localtime(due).tzname() or ""
    return _t(lang, "when_due", due=f"{shown} {tzname}".strip())


def _transcript(conversation: Conversation) -> list[Line]:
    lines = []
    for m in conversation.messages.all().order_by("at", "id"):
        speaker = "person" if m.speaker == Message.Speaker.PERSON else "assistant"
        text = (m.text_private or m.text) if m.speaker == Message.Speaker.PERSON else m.text
        if m.article_id and m.speaker == Message.Speaker.ASSISTANT and m.article is not None:
            text += f" ({article_url(conversation.agency.slug, m.article.slug)})"
        lines.append(Line(speaker, text, m.at))
    return lines


def conversation_handover(*, conversation: Conversation, reason: str,
                          candidates: list[Article | None] | None = None,
                          intent: str = "") -> Reply:
    """Hand the conversation to a person: a chat case with the whole transcript (see the
    module docstring). Calling it again on a handed-over conversation just repeats where the
    case is."""
    if reason not in R.values:
        raise ConversationError(f"Unknown hand-over reason '{reason}'.")
    lang = conversation.language
    slug = conversation.agency.slug
    if conversation.status == Conversation.Status.HANDED_OVER and conversation.case_id:
        case = conversation.case
        assert case is not None
        text = _t(lang, "handover", when=_when(case, lang), ref=case.pk)
        return Reply(message=_say(conversation, "handover", text), kind="handover",
                     case=case.pk)
    arts: list[Article] = []
    for a in [*(candidates or []),
              *[m.article for m in conversation.messages.filter(article__isnull=False)
                .select_related("article", "article__published_version")]]:
        if a is not None and _answerable(a) and a not in arts:
            arts.append(a)
    articles = [f"{_title(a, 'en')} <{article_url(slug, a.slug)}>" for a in arts[:CANDIDATES + 2]]
    with transaction.atomic():
        got, earlier = chat_handoff_receive(
            agency=conversation.agency, lines=_transcript(conversation),
            intent=intent or conversation.intent or reason, articles=articles, language=lang,
            conversation_id=conversation.public_id)
        case = got.case if got is not None else (earlier.case if earlier else None)
        if case is None:  # pragma: no cover - a chat contact always opens a case
            raise ConversationError("The hand-over could not open a case.")
        if reason == R.CRISIS:
            _urgent(case)
        conversation.case = case
        conversation.status = Conversation.Status.HANDED_OVER
        conversation.handover_reason = reason
        conversation.save(update_fields=["case", "status", "handover_reason", "last_at"])
        assist_rollup_add(agency_id=conversation.agency_id, started_at=conversation.started_at,
                          handed_over=1)
        journeys.journey_conversation_handover_record(conversation=conversation, case=case,
                                                      reason=reason)
        conversation.messages.exclude(text_private="").update(text_private="")
        why = _t(lang, f"why_{reason}")
        text = " ".join(p for p in (why, _t(lang, "handover", when=_when(case, lang),
                                                  ref=case.pk)) if p)
        msg = _say(conversation, "handover", text)
    return Reply(message=msg, kind="handover", case=case.pk)


def message_rate(*, message: Message, helpful: bool) -> list[Reply]:
    """The person's thumbs on an answer. Helpful: the conversation is contained. Not
    helpful: the assistant offers a person (the widget's button calls the hand-over)."""
    if message.speaker != Message.Speaker.ASSISTANT or message.article_id is None:
        raise ConversationError("Only the assistant's answers can be rated.")
    message.rating = helpful
    message.save(update_fields=["rating"])
    conv = message.conversation
    if helpful:
        if conv.status == Conversation.Status.OPEN:
            conv.status = Conversation.Status.CONTAINED
            conv.save(update_fields=["status", "last_at"])
        return [Reply(message=_say(conv, "info", _t(conv.language, "thanks")), kind="info")]
    if conv.status == Conversation.Status.HANDED_OVER:
        return []
    return [Reply(message=_say(conv, "offer", _t(conv.language, "offer")), kind="offer")]


def conversation_close(*, conversation: Conversation) -> Conversation:
    """The person closed the chat. After an answer and without a hand-over it was contained."""
    if conversation.status == Conversation.Status.OPEN and conversation.messages.filter(
            speaker=Message.Speaker.ASSISTANT, article__isnull=False).exists():
        conversation.status = Conversation.Status.CONTAINED
        conversation.save(update_fields=["status", "last_at"])
    return conversation


def conversation_private_expire(*, older_than: dt.timedelta | None = None) -> int:
    """Clear the original text of conversations idle for longer than PRIVATE_TEXT_HOURS."""
    cutoff = timezone.now() - (older_than or dt.timedelta(hours=PRIVATE_TEXT_HOURS))
    return (Message.objects.filter(conversation__last_at__lt=cutoff)
            .exclude(text_private="").update(text_private=""))


def agent_replies(conversation: Conversation, after: int = 0) -> list[dict[str, Any]]:
    """The agents' chat replies on the conversation's case, newer than contact id `after`."""
    if conversation.case_id is None:
        return []
    rows = (Contact.objects.filter(case_id=conversation.case_id, channel=Channel.CHAT,
                                   direction=Contact.Direction.OUTBOUND, pk__gt=after)
            .order_by("id")[:100])
    return [{"id": c.pk, "speaker": "agent", "kind": "agent", "text": c.body,
             "at": c.at.isoformat()} for c in rows]
