"""`govcx imap_poll`: fetch unseen mail from an IMAP mailbox; each message becomes a contact.

    govcx imap_poll --host imap.example.gov --port 993 --ssl --user help@benefits.example.gov \\
        --password-env GOVCX_IMAP_PASSWORD [--folder INBOX] [--agency SLUG] [--once]

A message is marked \\Seen only after it is stored; one stored twice (after a crash) is
recognised by its Message-ID and not doubled. The agency is --agency, else the mailbox
user's entry in CONTACT_INBOXES, else the message's To/Cc/Delivered-To addresses.
The password is read from the named environment variable, never from the command line.
"""

from __future__ import annotations

import contextlib
import imaplib
import os
import signal
import ssl
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from govcx.contact.channels.email import (
    ParsedEmail,
    PollResult,
    imap_connect,
    imap_poll_once,
    inbox_agency,
)
from govcx.core.models import Agency


class Command(BaseCommand):
    help = "Poll an IMAP mailbox for unseen mail and store each message as a contact."

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stopped = threading.Event()

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", required=True)
        parser.add_argument("--port", type=int, default=None,
                            help="Default 993 with --ssl, else 143")
        parser.add_argument("--user", required=True)
        parser.add_argument("--password-env", required=True,
                            help="Name of the environment variable holding the password")
        parser.add_argument("--folder", default="INBOX")
        parser.add_argument("--agency", default=None, help="Agency slug for every message")
        parser.add_argument("--ssl", action="store_true", help="IMAP over TLS (port 993)")
        parser.add_argument("--starttls", action="store_true", help="Plain IMAP, then STARTTLS")
        parser.add_argument("--cafile", default=None,
                            help="CA certificates to trust for the server (default: system)")
        parser.add_argument("--once", action="store_true", help="Poll once and exit")
        parser.add_argument("--interval", type=float, default=60.0,
                            help="Seconds between polls (default 60)")

    def handle(self, *args: Any, **opts: Any) -> None:
        password = os.environ.get(opts["password_env"])
        if password is None:
            raise CommandError(f"The environment variable {opts['password_env']} is not set.")
        fixed: Agency | None = None
        if opts["agency"]:
            fixed = Agency.objects.filter(slug=opts["agency"]).first()
            if fixed is None:
                raise CommandError(f"No agency with slug '{opts['agency']}'.")
        mailbox_agency = fixed or inbox_agency(opts["user"])

        def agency_for(parsed: ParsedEmail) -> Agency | None:
            if mailbox_agency is not None:
                return mailbox_agency
            for addr in parsed.recipients:
                found = inbox_agency(addr)
                if found is not None:
                    return found
            return None

        context = ssl.create_default_context(cafile=opts["cafile"]) \
            if (opts["ssl"] or opts["starttls"]) else None
        port = opts["port"] or (993 if opts["ssl"] else 143)
        if not opts["once"] and threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                signal.signal(sig, lambda *_: self.stopped.set())
        failures = 0
        while True:
            try:
                conn = imap_connect(host=opts["host"], port=port, user=opts["user"],
                                    password=password, ssl=opts["ssl"],
                                    starttls=opts["starttls"], ssl_context=context)
                try:
                    result = imap_poll_once(conn, folder=opts["folder"], agency_for=agency_for)
                finally:
                    with contextlib.suppress(imaplib.IMAP4.error, OSError):
                        conn.logout()
            except (imaplib.IMAP4.error, OSError) as exc:
                if opts["once"]:
                    raise CommandError(f"IMAP {opts['host']}:{port}: {exc}") from exc
                self.stderr.write(f"IMAP {opts['host']}:{port}: {exc}; trying again")
            else:
                self._report(result)
                failures = len(result.failed)
            if opts["once"] or self.stopped.wait(opts["interval"]):
                break
        if opts["once"] and failures:
            raise CommandError(f"{failures} message(s) were not stored; they stay unseen.")

    def _report(self, r: PollResult) -> None:
        self.stdout.write(f"stored {r.stored}, already stored {r.duplicates}, "
                          f"auto-replies/bounces {r.ignored}, not stored {len(r.failed)}")
        for line in r.failed:
            self.stderr.write(f"  not stored: {line}")
