"""`govcx smtpd`: the contact centre's SMTP listener; every message becomes a contact.

    govcx smtpd --host 127.0.0.1 --port 2525 [--agency SLUG]

The recipient picks the agency (CONTACT_INBOXES); --agency takes mail for any other
address. Without it, mail for an unknown address is refused with 550. Put it behind the
agency's mail server (a relay or transport to this port); it speaks plain SMTP on the
address it is given and does no authentication of its own.
"""

from __future__ import annotations

import signal
import threading
from typing import Any

from aiosmtpd.controller import Controller
from asgiref.sync import sync_to_async
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from govcx.contact.channels.email import email_receive, inbox_agency
from govcx.contact.services import CaseError
from govcx.core.models import Agency

MB = 1024 * 1024


def _agency_for(address: str, default: str | None) -> Agency | None:
    try:
        return inbox_agency(address, default)
    finally:
        connections.close_all()  # this worker thread's own connection


def _receive(agencies: list[Agency], raw: bytes, envelope_from: str) -> None:
    try:
        for agency in agencies:
            email_receive(agency=agency, raw=raw, envelope_from=envelope_from)
    finally:
        connections.close_all()


class InboundHandler:
    """aiosmtpd handler: RCPT checks the inbox, DATA stores the message (in a thread)."""

    def __init__(self, default_agency: str | None = None) -> None:
        self.default_agency = default_agency

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        agency = await sync_to_async(_agency_for, thread_sensitive=False)(
            address, self.default_agency)
        if agency is None:
            return f"550 5.1.1 <{address}>: no such inbox here"
        envelope.rcpt_tos.append(address)
        if not hasattr(envelope, "agencies"):
            envelope.agencies = {}
        envelope.agencies[agency.pk] = agency
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content
        agencies = list(getattr(envelope, "agencies", {}).values())
        try:
            await sync_to_async(_receive, thread_sensitive=False)(
                agencies, raw, envelope.mail_from or "")
        except CaseError as exc:
            return f"550 5.6.0 {str(exc)[:200]}"
        except Exception:  # a temporary failure: the sender's server retries
            import logging

            logging.getLogger(__name__).exception("inbound email not stored")
            return "451 4.3.0 The message could not be stored; please try again later"
        return "250 2.0.0 Message accepted"


def smtpd_controller(*, host: str, port: int, agency: str | None = None,
                     max_bytes: int | None = None) -> Controller:
    from django.conf import settings

    limit = max_bytes or int(getattr(settings, "CONTACT_EMAIL_MAX_BYTES", 36 * MB))
    return Controller(InboundHandler(agency), hostname=host, port=port,
                      data_size_limit=limit, enable_SMTPUTF8=True,
                      server_hostname="govcx")


class Command(BaseCommand):
    help = "Run the contact centre's SMTP listener: each message received becomes a contact."

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stopped = threading.Event()
        self.ready = threading.Event()

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=2525)
        parser.add_argument("--agency", default=None,
                            help="Agency slug for mail to addresses not in CONTACT_INBOXES")
        parser.add_argument("--max-bytes", type=int, default=None,
                            help="Largest message accepted (default CONTACT_EMAIL_MAX_BYTES)")

    def handle(self, *args: Any, **opts: Any) -> None:
        slug = opts["agency"]
        if slug and not Agency.objects.filter(slug=slug).exists():
            raise CommandError(f"No agency with slug '{slug}'.")
        controller = smtpd_controller(host=opts["host"], port=opts["port"], agency=slug,
                                      max_bytes=opts["max_bytes"])
        controller.start()
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                signal.signal(sig, lambda *_: self.stopped.set())
        self.stdout.write(f"govcx smtpd listening on {opts['host']}:{opts['port']}"
                          + (f" (default agency {slug})" if slug else ""))
        self.ready.set()
        try:
            self.stopped.wait()
        finally:
            controller.stop()
            self.stdout.write("govcx smtpd stopped")
