"""Email: inbound (SMTP listener and IMAP polling) and replies out by Django's SMTP backend.

Inbound mail is parsed with the standard library (`email`, policy=default) and handed to
`contact_receive`, the one door for every channel. Threads follow Message-ID /
In-Reply-To / References; a reply that lost its headers but kept "[Case N]" in the subject
lands on case N only when it comes from that case's customer. Each inbound message is
stored once per agency: its Message-ID (or, lacking one, a hash of the message) is the
contact's external id, which the database keeps unique, so a message fetched twice (an
IMAP poll that crashed before marking it seen) never makes a second contact.

Which agency: the recipient address, through the CONTACT_INBOXES setting
({"help@benefits.example.gov": "benefits-agency"}); the listener and the poller take a
default agency on the command line. Auto-replies, bounces and our own mail coming back
never open cases, so two robots cannot answer each other forever.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import imaplib
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from email.message import EmailMessage as ParsedMessage
from email.utils import getaddresses, parseaddr
from html.parser import HTMLParser
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.message import make_msgid
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from govcx.contact.attachments import IncomingFile, attachment_store, attachments_accept
from govcx.contact.models import Case, Channel, Contact
from govcx.contact.services import CaseError, Received, case_event, contact_receive
from govcx.core.models import Agency
from govcx.feedback.schema import no_nul

log = logging.getLogger(__name__)

CASE_TAG = re.compile(r"\[Case (\d{1,12})\]", re.IGNORECASE)
ROBOT_LOCALPARTS = {"mailer-daemon", "postmaster", "no-reply", "noreply", "do-not-reply",
                    "donotreply", "bounce", "bounces"}


# --- which agency -----------------------------------------------------------------------------

def inboxes() -> dict[str, str]:
    """CONTACT_INBOXES with lower-cased addresses: {address: agency slug}."""
    raw: dict[str, str] = getattr(settings, "CONTACT_INBOXES", {}) or {}
    return {addr.strip().lower(): slug for addr, slug in raw.items()}


def inbox_agency(address: str, default: str | None = None) -> Agency | None:
    """The agency whose inbox this address is (or the default agency); None if neither."""
    slug = inboxes().get(parseaddr(address)[1].strip().lower()) or default
    if not slug:
        return None
    return Agency.objects.filter(slug=slug).first()


def inbox_address(agency: Agency) -> str:
    """The agency's inbox for outbound mail ("Name <help@…>"), else DEFAULT_FROM_EMAIL."""
    for addr, slug in inboxes().items():
        if slug == agency.slug:
            return f'"{agency.name}" <{addr}>'
    return str(settings.DEFAULT_FROM_EMAIL)


# --- parsing ----------------------------------------------------------------------------------

class _TextFromHtml(HTMLParser):
    """Visible text of an HTML body: tags dropped, scripts and styles skipped, blocks split."""

    BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
              "pre", "table", "ul", "ol", "hr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "head", "title"):
            self.skip += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "head", "title"):
            self.skip = max(0, self.skip - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    parser = _TextFromHtml()
    parser.feed(html)
    parser.close()
    lines = [" ".join(line.split()) for line in "".join(parser.parts).splitlines()]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


@dataclass
class ParsedEmail:
    sender: str  # the From address, lower-cased; "" if none could be read
    sender_name: str
    subject: str
    body: str
    message_id: str
    in_reply_to: str
    references: str
    recipients: list[str]
    files: list[IncomingFile] = field(default_factory=list)
    robot: str = ""  # why this is an auto-reply/bounce; "" for a person's message


def _header(msg: ParsedMessage, name: str) -> str:
    try:
        value = msg.get(name)
    except (ValueError, IndexError, TypeError):  # a malformed header the policy cannot parse
        value = msg.get_all(name, failobj=[""])[0] if msg.get_all(name) else ""
    return no_nul(" ".join(str(value or "").split()))


def _msg_ids(value: str) -> list[str]:
    return re.findall(r"<[^<>\s]+>", value)


def _robot_reason(msg: ParsedMessage, sender: str, envelope_from: str | None) -> str:
    auto = _header(msg, "Auto-Submitted").lower()
    if auto and auto != "no":
        return f"Auto-Submitted: {auto}"
    if envelope_from is not None and envelope_from.strip() in ("", "<>"):
        return "empty envelope sender (a bounce)"
    if _header(msg, "Return-Path").strip() == "<>":
        return "empty Return-Path (a bounce)"
    local = sender.split("@", 1)[0]
    if local in ROBOT_LOCALPARTS:
        return f"sent by {sender}"
    if sender and sender in inboxes():
        return "sent by one of our own inboxes"
    if msg.get_content_type() == "multipart/report":
        return "a delivery or read report"
    if _header(msg, "Precedence").lower() in ("bulk", "junk", "auto_reply"):
        return f"Precedence: {_header(msg, 'Precedence').lower()}"
    for name in ("X-Autoreply", "X-Autorespond", "X-Auto-Reply"):
        if msg.get(name) is not None:
            return name
    return ""


def _decoded_text(part: ParsedMessage) -> str:
    try:
        return str(part.get_content())
    except (LookupError, UnicodeError, AssertionError):  # unknown charset / bad encoding
        payload = part.get_payload(decode=True)
        return payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""


def email_parse(raw: bytes, *, envelope_from: str | None = None) -> ParsedEmail:
    """Read the parts of one message that a case needs (see the module docstring)."""
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(msg, ParsedMessage)
    name, addr = parseaddr(_header(msg, "From"))
    addr = addr.strip().lower()
    try:
        validate_email(addr)
    except Exception:  # any unreadable address: we keep the mail, no identity
        addr = ""
    recipients = [a.lower() for _n, a in getaddresses(
        [_header(msg, h) for h in ("To", "Cc", "Delivered-To", "X-Original-To")]) if a]
    body_part = msg.get_body(preferencelist=("plain", "html"))
    body = ""
    if body_part is not None:
        text = _decoded_text(body_part)  # type: ignore[arg-type]
        body = html_to_text(text) if body_part.get_content_subtype() == "html" else text
    files: list[IncomingFile] = []
    for part in msg.iter_attachments():
        if part.get_content_maintype() == "multipart":
            continue
        data = part.get_payload(decode=True)
        if not isinstance(data, bytes):
            continue
        files.append(IncomingFile(name=part.get_filename() or "attachment",
                                  content_type=part.get_content_type(), data=data))
    return ParsedEmail(
        sender=addr, sender_name=no_nul(name)[:200], subject=_header(msg, "Subject")[:300],
        body=no_nul(body).strip(), message_id=(_msg_ids(_header(msg, "Message-ID")) or [""])[0],
        in_reply_to=(_msg_ids(_header(msg, "In-Reply-To")) or [""])[0],
        references=" ".join(_msg_ids(_header(msg, "References"))),
        recipients=recipients, files=files,
        robot=_robot_reason(msg, addr, envelope_from),
    )


# --- receiving --------------------------------------------------------------------------------

def _external_id(parsed: ParsedEmail, raw: bytes) -> str:
    """The contact's dedupe key: a hash of the Message-ID, or of the whole message."""
    key = parsed.message_id.encode() if parsed.message_id else raw
    return "mail:" + hashlib.sha256(key).hexdigest()


def _already(agency: Agency, external_id: str) -> Received | None:
    contact = (Contact.objects.filter(agency=agency, channel=Channel.EMAIL,
                                      external_id=external_id)
               .select_related("case").first())
    if contact is None:
        return None
    return Received(contact=contact, case=contact.case,  # type: ignore[arg-type]
                    new_case=False, reopened=False)


def _case_by_subject(agency: Agency, parsed: ParsedEmail) -> Case | None:
    """Case N from "[Case N]" in the subject, only if the sender is that case's customer."""
    from govcx.customers.models import Identity
    from govcx.customers.services import identity_hash

    m = CASE_TAG.search(parsed.subject)
    if m is None or not parsed.sender:
        return None
    case = Case.objects.filter(agency=agency, pk=int(m.group(1))).first()
    if case is None or case.customer_id is None:
        return None
    owns = Identity.objects.filter(agency=agency, kind="email", customer_id=case.customer_id,
                                   value_hash=identity_hash("email", parsed.sender)).exists()
    return case if owns else None


def _threaded(agency: Agency, parsed: ParsedEmail) -> bool:
    ids = [i for i in [parsed.in_reply_to, *parsed.references.split()] if i]
    return bool(ids) and Contact.objects.filter(agency=agency, message_id__in=ids,
                                                case__isnull=False).exists()


def email_receive(*, agency: Agency, raw: bytes, envelope_from: str | None = None) -> Received | None:
    """Turn one raw message into a contact on a case. None for auto-replies and bounces.

    Idempotent per agency: the same message received again returns the stored contact.
    Refused attachments are named, with the reason, in a case event.
    """
    parsed = email_parse(raw, envelope_from=envelope_from)
    if parsed.robot:
        log.info("email to %s not taken as a contact: %s", agency.slug, parsed.robot)
        return None
    external_id = _external_id(parsed, raw)
    done = _already(agency, external_id)
    if done is not None:
        return done
    accepted, rejected = attachments_accept(parsed.files)
    case = None if _threaded(agency, parsed) else _case_by_subject(agency, parsed)
    body = parsed.body
    if not body and not accepted:
        body = "(This email had no text.)"
    try:
        with transaction.atomic():
            received = contact_receive(
                agency=agency, channel=Channel.EMAIL, body=body, subject=parsed.subject,
                sender=parsed.sender,
                identity=("email", parsed.sender) if parsed.sender else None,
                case=case, message_id=parsed.message_id, in_reply_to=parsed.in_reply_to,
                references=parsed.references, external_id=external_id,
            )
            for f in accepted:
                attachment_store(contact=received.contact, name=f.name,
                                 content_type=f.content_type, data=f.data)
            if rejected and received.case is not None:
                case_event(case=received.case, kind="attachments_refused",
                           contact_id=received.contact.pk,
                           files=[{"name": r.name, "reason": r.reason} for r in rejected])
    except IntegrityError:  # the same message stored at the same moment by another worker
        done = _already(agency, external_id)
        if done is None:
            raise
        return done
    return received


# --- sending ----------------------------------------------------------------------------------

def email_reply_send(contact: Contact) -> None:
    """Send an agent's reply from the agency's inbox, "[Case N]" in the subject, threaded."""
    from govcx.contact.outbound import _address

    to = _address(contact, "email")
    case = contact.case
    previous = (Contact.objects.filter(case=case).exclude(message_id="").exclude(pk=contact.pk)
                .order_by("at", "id")) if case is not None else Contact.objects.none()
    refs = [c.message_id for c in previous]
    agency = Agency.objects.get(pk=contact.agency_id)
    from_email = inbox_address(agency)
    domain = parseaddr(from_email)[1].rsplit("@", 1)[-1] or "govcx.localhost"
    msgid = make_msgid(idstring=f"case{contact.case_id}", domain=domain)
    subject = contact.subject or (case.subject if case else "")
    subject = CASE_TAG.sub("", re.sub(r"^((re|fwd?|aw|sv)\s*:\s*)+", "", subject,
                                      flags=re.IGNORECASE)).strip()
    if case is not None:
        subject = f"[Case {case.pk}] {subject}".strip()
    headers = {"Message-ID": msgid, "X-Auto-Response-Suppress": "OOF, AutoReply"}
    if refs:
        headers["In-Reply-To"] = refs[-1]
        headers["References"] = " ".join(refs)
    EmailMessage(subject=subject, body=contact.body, from_email=from_email, to=[to],
                 headers=headers).send()
    Contact.objects.filter(pk=contact.pk).update(message_id=msgid)
    contact.message_id = msgid


# --- IMAP -------------------------------------------------------------------------------------

@dataclass
class PollResult:
    stored: int = 0
    duplicates: int = 0
    ignored: int = 0  # auto-replies, bounces
    failed: list[str] = field(default_factory=list)  # left unseen, tried again next poll


def imap_connect(*, host: str, port: int, user: str, password: str, ssl: bool = False,
                 starttls: bool = False, ssl_context: Any = None,
                 timeout: float = 30) -> imaplib.IMAP4:
    conn: imaplib.IMAP4
    if ssl:
        conn = imaplib.IMAP4_SSL(host, port, ssl_context=ssl_context, timeout=timeout)
    else:
        conn = imaplib.IMAP4(host, port, timeout=timeout)
        if starttls:
            conn.starttls(ssl_context=ssl_context)
    conn.login(user, password)
    return conn


def imap_poll_once(conn: imaplib.IMAP4, *, folder: str = "INBOX",
                   agency_for: Callable[[ParsedEmail], Agency | None]) -> PollResult:
    """Fetch every UNSEEN message, store it, and only then mark it \\Seen.

    A crash between storing and marking leaves the message unseen; the next poll fetches it
    again and finds it already stored (by Message-ID), so nothing is lost or doubled.
    """
    result = PollResult()
    typ, _ = conn.select(_quote(folder))
    if typ != "OK":
        raise imaplib.IMAP4.error(f"Cannot open folder {folder!r}.")
    typ, data = conn.uid("SEARCH", "UNSEEN")
    uids: Iterable[bytes] = data[0].split() if typ == "OK" and data and data[0] else []
    for uid in uids:
        typ, fetched = conn.uid("FETCH", uid.decode(), "(BODY.PEEK[])")
        raw = next((item[1] for item in fetched or [] if isinstance(item, tuple)), None)
        if typ != "OK" or not isinstance(raw, bytes):
            result.failed.append(f"{uid.decode()}: could not be fetched")
            continue
        try:
            parsed = email_parse(raw)
            agency = agency_for(parsed)
            if agency is None:
                result.failed.append(f"{uid.decode()}: no agency for {parsed.recipients}")
                continue
            ext = _external_id(parsed, raw)
            if _already(agency, ext) is not None:
                result.duplicates += 1
            elif email_receive(agency=agency, raw=raw) is None:
                result.ignored += 1
            else:
                result.stored += 1
        except CaseError as exc:
            result.failed.append(f"{uid.decode()}: {exc}")
            continue
        except Exception as exc:  # keep the message unseen; next poll retries
            log.exception("imap message %s not stored", uid)
            result.failed.append(f"{uid.decode()}: {exc}")
            continue
        conn.uid("STORE", uid.decode(), "+FLAGS", "(\\Seen)")
    return result


def _quote(folder: str) -> str:
    return folder if re.fullmatch(r"[A-Za-z0-9._/-]+", folder) else '"' + folder.replace(
        "\\", "\\\\").replace('"', '\\"') + '"'
