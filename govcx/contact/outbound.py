"""Sending an outbound contact on its channel (email by SMTP, SMS by the provider)."""

from __future__ import annotations

from govcx.contact.models import Channel, Contact
from govcx.core.sms import sms_send
from govcx.customers.models import Identity


class NotSent(Exception):
    """The message could not go out; the contact is kept and the reason recorded."""


def _address(contact: Contact, kind: str) -> str:
    if contact.customer_id is None:
        raise NotSent("This case has no customer to write to.")
    ident = (Identity.objects.filter(customer_id=contact.customer_id, kind=kind)
             .order_by("-verified", "-created_at").first())
    if ident is None or not ident.value:
        raise NotSent(f"The customer has no {kind} on record.")
    return ident.value


def outbound_send(contact: Contact) -> None:
    """Send the contact; email replies thread (Message-ID / In-Reply-To / References)."""
    from govcx.contact.channels.email import email_reply_send

    if contact.channel == Channel.EMAIL:
        email_reply_send(contact)
    elif contact.channel == Channel.SMS:
        from govcx.contact.channels.sms import sms_allowed

        if not sms_allowed(contact.customer):
            raise NotSent("This person replied STOP to our texts; reply by another channel.")
        sms_send(to=_address(contact, "phone"), body=contact.body)
    # web, chat and phone replies are shown in the case (web form: by email when known)
