"""SMS: the inbound webhook in the Twilio-compatible form, keywords, and the outbound gate.

Configuration (settings, values from the environment)::

    SMS_NUMBERS = {
        "+12025550100": {"agency": "benefits-agency", "auth_token_env": "TWILIO_TOKEN_BENEFITS"},
    }

Each agency number (E.164) names its agency and the *name* of the environment variable that
holds the provider's auth token, so no secret sits in settings or in the database. The
provider POSTs form fields From, To, Body, MessageSid (NumMedia is recorded as a note) and
signs the request: ``X-Twilio-Signature = base64(HMAC-SHA1(token, URL + sorted key+value
pairs))``. The URL is the one the provider was given: the request's own absolute URL, or
PUBLIC_BASE_URL + path when govcx runs behind a proxy; either is accepted.

Carrier keywords (CTIA list, plus Spanish AYUDA) never open a case:
STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT record an SMS opt-out (consent purpose "sms",
granted False); START, YES, UNSTOP record an opt-in; HELP, INFO, AYUDA answer with help.
`sms_allowed(customer)` is False after an opt-out, and outbound SMS must check it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from django.conf import settings
from django.db import IntegrityError

from govcx.contact.models import Case, Channel, Contact
from govcx.contact.services import contact_receive
from govcx.core.models import Agency
from govcx.core.sms import normalize_phone
from govcx.customers.models import Consent, Customer
from govcx.customers.services import consent_record, customer_match_or_create
from govcx.feedback.schema import no_nul

CONSENT_PURPOSE = "sms"
OPT_OUT = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"})
OPT_IN = frozenset({"START", "YES", "UNSTOP"})
HELP = frozenset({"HELP", "INFO", "AYUDA"})
SPANISH = frozenset({"AYUDA"})

REPLIES = {
    "stop": ("{agency}: You are unsubscribed and will get no more text messages from us. "
             "Reply START to subscribe again."),
    "start": ("{agency}: You will get text messages from us again. Reply HELP for help, "
              "STOP to unsubscribe. Msg & data rates may apply."),
    "help": ("{agency}: Reply with your question and we will answer here. Reply STOP to "
             "unsubscribe. Msg & data rates may apply."),
    "help_es": ("{agency}: Responda con su pregunta y le contestaremos aquí. Responda STOP "
                "para darse de baja. Pueden aplicarse tarifas de mensajes y datos."),
}


class SmsError(ValueError):
    """The message cannot be accepted; the text says why."""


@dataclass(frozen=True)
class SmsNumber:
    number: str
    agency_slug: str
    auth_token_env: str
    help_text: str = ""


def sms_number_config(to: str) -> SmsNumber | None:
    """The configured agency number that `to` is (any common notation), or None."""
    try:
        wanted = normalize_phone(to)
    except ValueError:
        return None
    numbers: Mapping[str, Mapping[str, str]] = getattr(settings, "SMS_NUMBERS", {}) or {}
    for number, cfg in numbers.items():
        try:
            same = normalize_phone(number) == wanted
        except ValueError:
            continue
        if same:
            return SmsNumber(number=wanted, agency_slug=str(cfg.get("agency", "")),
                             auth_token_env=str(cfg.get("auth_token_env", "")),
                             help_text=str(cfg.get("help_text", "")))
    return None


def sms_auth_token(number: SmsNumber) -> str:
    """The provider auth token for the number, from the environment ("" when not set)."""
    return os.environ.get(number.auth_token_env, "") if number.auth_token_env else ""


def signature_compute(*, url: str, params: Mapping[str, Sequence[str]], token: str) -> str:
    """Twilio's request signature: base64 HMAC-SHA1 of the URL followed by every POST
    parameter's name and value, names sorted (repeated values sorted too)."""
    payload = url
    for name in sorted(params):
        for value in sorted(set(params[name])):
            payload += name + value
    digest = hmac.new(token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def signature_valid(*, urls: Iterable[str], params: Mapping[str, Sequence[str]], token: str,
                    signature: str) -> bool:
    if not token or not signature:
        return False
    return any(
        hmac.compare_digest(signature_compute(url=u, params=params, token=token).encode(),
                            signature.encode())
        for u in dict.fromkeys(urls)
    )


def keyword_of(body: str) -> str | None:
    """The carrier keyword the message is (one word, any case, punctuation ignored)."""
    word = re.sub(r"[^\w]", "", body.strip().upper(), flags=re.UNICODE)
    if word and word in OPT_OUT | OPT_IN | HELP and len(body.split()) <= 1:
        return word
    return None


def sms_allowed(customer: Customer | None) -> bool:
    """May we text this person? False after they replied STOP (until they reply START)."""
    if customer is None:
        return False
    last = (Consent.objects.filter(customer=customer, purpose=CONSENT_PURPOSE)
            .order_by("-at", "-id").first())
    return last is None or last.granted


def twiml(reply: str = "") -> str:
    if not reply:
        return '<?xml version="1.0" encoding="UTF-8"?><Response/>'
    return ('<?xml version="1.0" encoding="UTF-8"?><Response><Message>'
            f"{escape(reply)}</Message></Response>")


@dataclass
class SmsReceived:
    reply: str = ""
    keyword: str | None = None
    contact: Contact | None = None
    case: Case | None = None
    duplicate: bool = False


def sms_inbound_receive(*, agency: Agency, number: SmsNumber, sender: str, body: str,
                        message_sid: str, num_media: int = 0) -> SmsReceived:
    """Handle one verified inbound text: a keyword changes consent and is answered; any
    other text becomes a contact on the sender's SMS case. A provider retry (same
    MessageSid) is stored once."""
    body = no_nul(body)
    message_sid = no_nul(message_sid).strip()[:120]
    try:
        sender = normalize_phone(sender)
    except ValueError as exc:
        raise SmsError(f"The sender number '{sender[:40]}' is not a phone number.") from exc
    keyword = keyword_of(body)
    if keyword is not None:
        return _keyword(agency=agency, number=number, sender=sender, keyword=keyword,
                        message_sid=message_sid)
    if message_sid and Contact.objects.filter(agency=agency, channel=Channel.SMS,
                                              external_id=message_sid).exists():
        return SmsReceived(duplicate=True)
    if num_media > 0:
        body = f"{body}\n[{num_media} picture(s) or file(s) sent with this text; not stored]"
    subject = (body.strip().splitlines() or ["Text message"])[0][:80]
    try:
        got = contact_receive(agency=agency, channel=Channel.SMS, identity=("phone", sender),
                              sender=sender, body=body, subject=subject,
                              external_id=message_sid)
    except IntegrityError:  # the same MessageSid stored by a concurrent retry
        return SmsReceived(duplicate=True)
    return SmsReceived(contact=got.contact, case=got.case)


def _keyword(*, agency: Agency, number: SmsNumber, sender: str, keyword: str,
             message_sid: str) -> SmsReceived:
    name = agency.acronym or agency.name
    if keyword in HELP:
        text = number.help_text or REPLIES["help_es" if keyword in SPANISH else "help"]
        return SmsReceived(reply=text.format(agency=name), keyword=keyword)
    customer = customer_match_or_create(agency=agency, kind="phone", value=sender)
    granted = keyword in OPT_IN
    source = f"sms {keyword} {message_sid}".strip()[:80]
    retried = bool(message_sid) and Consent.objects.filter(
        customer=customer, purpose=CONSENT_PURPOSE, source=source).exists()
    if not retried:
        consent_record(customer=customer, purpose=CONSENT_PURPOSE, granted=granted,
                       source=source)
    reply = REPLIES["start" if granted else "stop"].format(agency=name)
    return SmsReceived(reply=reply, keyword=keyword, duplicate=retried)
