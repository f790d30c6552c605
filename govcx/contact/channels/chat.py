"""Chat: the assistant hands a conversation to the contact centre, and the person's later
messages land on the same case.

The assistant (a server-side component, next issue) calls the API with a shared secret
(header X-Govcx-Chat-Key; see govcx/contact/api.py). A handoff becomes one inbound chat
contact whose body is the formatted transcript, on a new case (routed like any other), plus a
"handoff" case event carrying the detected intent and the candidate articles, so the agent
sees what the assistant understood and already offered.
"""

from __future__ import annotations

import datetime as dt
import hmac
import os
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from govcx.contact.models import Case, Channel, Contact
from govcx.contact.services import Received, case_event, contact_receive
from govcx.core.models import Agency
from govcx.feedback.schema import no_nul

KEY_ENV = "GOVCX_CHAT_KEY"
SPEAKERS = {"person": "Person", "assistant": "Assistant"}


def chat_key() -> str:
    """The shared secret of the assistant's calls: setting CHAT_HANDOFF_KEY or the
    environment variable GOVCX_CHAT_KEY; empty means chat handoff is switched off."""
    return str(getattr(settings, "CHAT_HANDOFF_KEY", "") or os.environ.get(KEY_ENV, ""))


def chat_key_valid(given: str | None) -> bool:
    expected = chat_key()
    if not expected or not given:
        return False
    return hmac.compare_digest(given.encode(), expected.encode())


@dataclass(frozen=True)
class Line:
    speaker: str  # "person" or "assistant"
    text: str
    at: dt.datetime


def transcript_format(lines: Sequence[Line]) -> str:
    """One paragraph per line: "Person (2026-11-02 15:04 UTC): text"."""
    out = []
    for line in lines:
        when = line.at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        out.append(f"{SPEAKERS.get(line.speaker, line.speaker)} ({when}): "
                   f"{no_nul(line.text).strip()}")
    return "\n\n".join(out)


def chat_handoff_receive(
    *, agency: Agency, lines: Sequence[Line], intent: str = "",
    articles: Sequence[str] = (), language: str = "en",
    identity: tuple[str, str] | None = None, verified: bool = False,
    conversation_id: str = "",
) -> tuple[Received | None, Contact | None]:
    """Open a case from the assistant's conversation. Returns (received, None), or
    (None, the contact already stored) when this conversation id was handed off before."""
    conversation_id = no_nul(conversation_id).strip()[:120]
    if conversation_id:
        earlier = Contact.objects.filter(agency=agency, channel=Channel.CHAT,
                                         external_id=conversation_id).first()
        if earlier is not None:
            return None, earlier
    first = next((ln.text for ln in lines if ln.speaker == "person" and ln.text.strip()),
                 intent or "Chat")
    at = max((ln.at for ln in lines), default=timezone.now())
    try:
        with transaction.atomic():
            got = contact_receive(
                agency=agency, channel=Channel.CHAT, body=transcript_format(lines),
                subject=no_nul(first).strip().splitlines()[0][:120], identity=identity,
                verified=verified, language=language, at=at, external_id=conversation_id,
            )
            case_event(case=got.case, kind="handoff", at=at, intent=no_nul(intent)[:120],
                       articles=[no_nul(a)[:500] for a in articles],
                       conversation=conversation_id, lines=len(lines))
    except IntegrityError:  # the same conversation handed off concurrently
        return None, Contact.objects.get(agency=agency, channel=Channel.CHAT,
                                         external_id=conversation_id)
    return got, None


def chat_message_receive(*, case: Case, text: str, at: dt.datetime | None = None,
                         message_id: str = "") -> tuple[Received | None, Contact | None]:
    """The person's follow-up message in the chat: a contact on the same case (reopened if
    it was resolved within the reopen window). Same (None, earlier) convention as above."""
    message_id = no_nul(message_id).strip()[:120]
    if message_id:
        earlier = Contact.objects.filter(agency_id=case.agency_id, channel=Channel.CHAT,
                                         external_id=message_id).first()
        if earlier is not None:
            return None, earlier
    try:
        got = contact_receive(agency=case.agency, channel=Channel.CHAT, case=case,
                              customer=case.customer, body=no_nul(text).strip(),
                              subject=case.subject, at=at, external_id=message_id)
    except IntegrityError:
        return None, Contact.objects.get(agency_id=case.agency_id, channel=Channel.CHAT,
                                         external_id=message_id)
    return got, None
