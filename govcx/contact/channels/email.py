"""Email: replies out through Django's SMTP backend, threaded by Message-ID."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.message import make_msgid

from govcx.contact.models import Contact


def email_reply_send(contact: Contact) -> None:
    from govcx.contact.outbound import _address

    to = _address(contact, "email")
    case = contact.case
    previous = (Contact.objects.filter(case=case).exclude(message_id="").exclude(pk=contact.pk)
                .order_by("at", "id")) if case is not None else Contact.objects.none()
    refs = [c.message_id for c in previous]
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(">") or "govcx.localhost"
    msgid = make_msgid(idstring=f"case{contact.case_id}", domain=domain)
    subject = contact.subject or (case.subject if case else "")
    if case is not None:
        subject = f"[Case {case.pk}] {subject}".strip()
    headers = {"Message-ID": msgid}
    if refs:
        headers["In-Reply-To"] = refs[-1]
        headers["References"] = " ".join(refs)
    EmailMessage(subject=subject, body=contact.body, to=[to], headers=headers).send()
    Contact.objects.filter(pk=contact.pk).update(message_id=msgid)
    contact.message_id = msgid
