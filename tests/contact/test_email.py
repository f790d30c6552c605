"""Email in and out, over real connections: the `govcx smtpd` listener, a test SMTP server
receiving the agent's reply, and a real Dovecot IMAP server for `govcx imap_poll`."""

from __future__ import annotations

import imaplib
import os
import shutil
import smtplib
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from govcx.contact.attachments import DOCX, IncomingFile, attachments_accept
from govcx.contact.channels.email import email_receive
from govcx.contact.management.commands.smtpd import Command as SmtpdCommand
from govcx.contact.models import Attachment, Case, CaseEvent, Contact
from govcx.contact.services import case_reply
from tests.conftest import MailServer, free_port

INBOX = "help@benefits.example.gov"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


@pytest.fixture
def inboxes(settings: Any) -> None:
    settings.CONTACT_INBOXES = {INBOX: "benefits-agency"}


def _start_listener(*args: str) -> tuple[int, SmtpdCommand, threading.Thread]:
    port = free_port()
    cmd = SmtpdCommand()
    errors: list[BaseException] = []

    def run() -> None:
        try:
            call_command(cmd, "--host", "127.0.0.1", "--port", str(port), *args)
        except BaseException as exc:
            errors.append(exc)
            cmd.ready.set()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert cmd.ready.wait(10), "the listener did not start"
    assert not errors, errors
    return port, cmd, thread


@pytest.fixture
def listener(transactional_db: Any, inboxes: None) -> Iterator[int]:
    """The real `govcx smtpd` command, in a thread, against the test database."""
    port, cmd, thread = _start_listener()
    yield port
    cmd.stopped.set()
    thread.join(10)


def _mail(subject: str, body: str, *, sender: str = "Maria Lopez <maria@example.org>",
          to: str = INBOX, msgid: str = "", in_reply_to: str = "",
          **headers: str) -> EmailMessage:
    m = EmailMessage()
    m["From"], m["To"], m["Subject"] = sender, to, subject
    if msgid:
        m["Message-ID"] = msgid
    if in_reply_to:
        m["In-Reply-To"] = in_reply_to
        m["References"] = in_reply_to
    for k, v in headers.items():
        m[k.replace("_", "-")] = v
    m.set_content(body)
    return m


def _send(port: int, msg: EmailMessage, envelope_from: str | None = None) -> None:
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as s:
        s.send_message(msg, from_addr=envelope_from)


def _wait(cond: Any, seconds: float = 10) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if cond():
            return
        time.sleep(0.05)
    raise AssertionError("timed out")


# --- the whole exchange -----------------------------------------------------------------------

def test_mail_becomes_case_reply_goes_out_and_customer_reply_threads_back(
        centre: Any, listener: int, smtp: MailServer) -> None:
    first = _mail("My payment is late", "My March payment has not arrived.",
                  msgid="<first-1@example.org>")
    first.add_attachment(PDF, maintype="application", subtype="pdf", filename="letter.pdf")
    first.add_attachment(EXE, maintype="application", subtype="pdf", filename="invoice.pdf.exe")
    _send(listener, first)  # smtplib returns only after our 250: it is stored

    case = Case.objects.get()
    contact = case.contacts.get()
    assert case.agency == centre["a"] and case.channel == "email"
    assert case.subject == "My payment is late" and case.queue == centre["general"]
    assert contact.sender == "maria@example.org"
    assert contact.body.strip() == "My March payment has not arrived."
    assert contact.message_id == "<first-1@example.org>"
    assert [(a.name, a.content_type, bytes(a.data)) for a in contact.attachments.all()] == [
        ("letter.pdf", "application/pdf", PDF)]
    refused = CaseEvent.objects.get(case=case, kind="attachments_refused")
    assert refused.detail["files"][0]["name"] == "invoice.pdf.exe"
    assert "not accepted" in refused.detail["files"][0]["reason"]

    reply = case_reply(case=case, author=case.assignee, body="We have found your payment.")
    _wait(lambda: smtp.raw_messages)
    mail_from, rcpts, raw = smtp.raw_messages[0]
    sent = BytesParser(policy=default_policy).parsebytes(raw)
    assert rcpts == ["maria@example.org"] and mail_from == INBOX
    assert INBOX in str(sent["From"]) and "Benefits Agency" in str(sent["From"])
    assert str(sent["Subject"]) == f"[Case {case.pk}] My payment is late"
    assert str(sent["In-Reply-To"]).strip() == "<first-1@example.org>"
    assert "<first-1@example.org>" in str(sent["References"])
    reply.refresh_from_db()
    assert str(sent["Message-ID"]).strip() == reply.message_id

    answer = _mail(f"Re: [Case {case.pk}] My payment is late", "Thank you, it arrived.",
                   msgid="<answer-2@example.org>", in_reply_to=reply.message_id)
    _send(listener, answer)
    assert Case.objects.count() == 1
    assert list(case.contacts.filter(direction="in").values_list("body", flat=True)
                .order_by("at")) == ["My March payment has not arrived.",
                                     "Thank you, it arrived."]
    case.refresh_from_db()
    assert case.customer_contacts == 2


def test_reply_without_headers_threads_by_case_number_only_for_its_customer(
        centre: Any, listener: int) -> None:
    _send(listener, _mail("Address change", "I moved.", msgid="<a-1@example.org>"))
    case = Case.objects.get()
    lost = _mail(f"RE: [Case {case.pk}] Address change", "Here is my new address.",
                 msgid="<a-2@example.org>")
    _send(listener, lost)
    assert Case.objects.count() == 1 and case.contacts.count() == 2

    stranger = _mail(f"[Case {case.pk}] Address change", "Let me in on this case.",
                     sender="someone@elsewhere.example", msgid="<s-1@elsewhere.example>")
    _send(listener, stranger)
    assert case.contacts.count() == 2  # a stranger cannot post to Maria's case
    other = Case.objects.exclude(pk=case.pk).get()
    assert other.contacts.get().sender == "someone@elsewhere.example"


def test_unknown_inbox_is_refused_with_550(centre: Any, listener: int) -> None:
    with pytest.raises(smtplib.SMTPRecipientsRefused) as err:
        _send(listener, _mail("Hello", "Anyone?", to="nobody@benefits.example.gov"))
    code, text = err.value.recipients["nobody@benefits.example.gov"]
    assert code == 550 and b"no such inbox" in text
    assert not Contact.objects.exists()


def test_default_agency_takes_other_addresses(centre: Any, transactional_db: Any,
                                              inboxes: None) -> None:
    port, cmd, thread = _start_listener("--agency", "tax-agency")
    try:
        _send(port, _mail("Refund", "Where is my refund?", to="refunds@tax.example.gov"))
        _send(port, _mail("Payment", "And my benefit?", msgid="<b-1@example.org>"))
    finally:
        cmd.stopped.set()
        thread.join(10)
    assert Case.objects.get(subject="Refund").agency == centre["b"]
    assert Case.objects.get(subject="Payment").agency == centre["a"]


def test_auto_replies_and_bounces_open_no_case(centre: Any, listener: int) -> None:
    _send(listener, _mail("Out of office", "I am away until Monday.",
                          Auto_Submitted="auto-replied"))
    _send(listener, _mail("Undelivered Mail Returned to Sender", "Delivery failed.",
                          sender="MAILER-DAEMON@mx.example.org"), envelope_from="")
    _send(listener, _mail("Loop", "From ourselves.", sender=INBOX))
    assert not Contact.objects.exists() and not Case.objects.exists()


def test_same_message_twice_is_one_contact(centre: Any, listener: int) -> None:
    msg = _mail("Twice", "Sent twice by a retrying server.", msgid="<dup-1@example.org>")
    _send(listener, msg)
    _send(listener, msg)
    assert Contact.objects.count() == 1 and Case.objects.count() == 1


def test_oversized_message_is_refused(centre: Any, transactional_db: Any,
                                      inboxes: None) -> None:
    port, cmd, thread = _start_listener("--max-bytes", "20000")
    try:
        big = _mail("Big", "x" * 40000)
        with pytest.raises(smtplib.SMTPException) as err:
            _send(port, big)
        assert "552" in str(err.value) or getattr(err.value, "smtp_code", 0) == 552
    finally:
        cmd.stopped.set()
        thread.join(10)
    assert not Contact.objects.exists()


def test_unknown_default_agency_stops_the_command(db: Any) -> None:
    with pytest.raises(CommandError, match="No agency with slug 'nope'"):
        call_command("smtpd", "--port", str(free_port()), "--agency", "nope")


# --- parsing and attachments -----------------------------------------------------------------

def test_html_only_mail_is_read_as_text_without_scripts(centre: Any, inboxes: None) -> None:
    m = EmailMessage()
    m["From"], m["To"], m["Subject"] = "ana@example.org", INBOX, "HTML"
    m.set_content("<html><head><style>p{color:red}</style></head><body><p>Hello &amp; "
                  "thanks</p><script>alert(1)</script><p>Line two</p></body></html>",
                  subtype="html")
    received = email_receive(agency=centre["a"], raw=m.as_bytes())
    assert received is not None
    assert received.contact.body == "Hello & thanks\n\nLine two"


def test_attachment_rules_are_plain_and_shared(settings: Any) -> None:
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    settings.CONTACT_ATTACHMENT_MAX_BYTES = 1024
    settings.CONTACT_ATTACHMENTS_MAX_TOTAL_BYTES = 1100
    files = [
        IncomingFile("../../etc/form.docx", "application/octet-stream", buf.getvalue()),
        IncomingFile("photo.png", "image/png", b"not really a png"),
        IncomingFile("notes.txt", "text/plain", "Notas: año".encode()),
        IncomingFile("scan.pdf", "application/pdf", b"%PDF-" + b"0" * 2000),
        IncomingFile("more.txt", "text/plain", b"y" * 1000),
    ]
    accepted, rejected = attachments_accept(files)
    assert [(f.name, f.content_type) for f in accepted] == [("form.docx", DOCX),
                                                            ("notes.txt", "text/plain")]
    reasons = {r.name: r.reason for r in rejected}
    assert "not accepted" in reasons["photo.png"] and "PDF" in reasons["photo.png"]
    assert reasons["scan.pdf"] == "The file is larger than 1 KB."
    assert reasons["more.txt"].startswith("All files together may not be larger than")


# --- IMAP against a real Dovecot ---------------------------------------------------------------

DOVECOT = shutil.which("dovecot") or ("/usr/sbin/dovecot" if os.path.exists("/usr/sbin/dovecot")
                                      else None)


@pytest.fixture
def dovecot() -> Iterator[dict[str, Any]]:
    """Debian's Dovecot (installed by `make mail-deps`), on free ports, with a temporary
    configuration, a passwd-file user and a self-signed certificate for IMAPS."""
    if DOVECOT is None or os.geteuid() != 0:
        pytest.skip("needs Debian dovecot-imapd and root (make mail-deps)")
    root = Path(tempfile.mkdtemp(prefix="govcx-dovecot-"))
    root.chmod(0o755)
    (root / "home").mkdir()
    (root / "state").mkdir()
    shutil.chown(root / "home", "dovecot", "dovecot")
    (root / "passwd").write_text(f"{INBOX}:{{PLAIN}}imap-test-pw::::::\n")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(root / "key.pem"), "-out", str(root / "cert.pem")],
                   check=True, capture_output=True)
    plain, tls = free_port(), free_port()
    (root / "dovecot.conf").write_text(f"""
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
ssl = yes
ssl_cert = <{root}/cert.pem
ssl_key = <{root}/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:~/Maildir
first_valid_uid = 1
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid=dovecot gid=dovecot home={root}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {plain}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {tls}
  }}
}}
service pop3-login {{
  inet_listener pop3 {{
    port = 0
  }}
}}
service submission-login {{
  inet_listener submission {{
    port = 0
  }}
}}
""")
    server = subprocess.Popen([DOVECOT, "-F", "-c", str(root / "dovecot.conf")])
    try:
        _wait(lambda: _can_connect(plain) and _can_connect(tls))
        yield {"plain": plain, "tls": tls, "cafile": str(root / "cert.pem"), "root": root}
    finally:
        server.terminate()
        server.wait(10)
        shutil.rmtree(root, ignore_errors=True)


def _can_connect(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


def _imap(port: int) -> imaplib.IMAP4:
    c = imaplib.IMAP4("127.0.0.1", port)
    c.login(INBOX, "imap-test-pw")
    c.select("INBOX")
    return c


def _unseen(port: int) -> int:
    c = _imap(port)
    try:
        _typ, data = c.uid("SEARCH", "UNSEEN")
        return len(data[0].split())
    finally:
        c.logout()


def test_imap_poll_stores_each_message_once_and_marks_it_seen(
        centre: Any, inboxes: None, dovecot: dict[str, Any], monkeypatch: Any) -> None:
    port = dovecot["plain"]
    crashed = _mail("Stored before a crash", "Stored, but never marked seen.",
                    msgid="<crash-1@example.org>")
    fresh = _mail("Form question", "Which form do I need?", msgid="<fresh-1@example.org>")
    fresh.add_attachment(b"\x7fELF" + b"\x00" * 50, maintype="application",
                         subtype="octet-stream", filename="tool.bin")
    bounce = _mail("Delivery Status Notification", "Could not deliver.",
                   sender="mailer-daemon@mx.example.org", Auto_Submitted="auto-replied")
    c = _imap(port)
    for m in (crashed, fresh, bounce):
        c.append("INBOX", "", imaplib.Time2Internaldate(time.time()), m.as_bytes())
    c.logout()
    # The crash: a poll stored this message, then died before it set \Seen.
    assert email_receive(agency=centre["a"], raw=crashed.as_bytes()) is not None
    monkeypatch.setenv("GOVCX_TEST_IMAP_PW", "imap-test-pw")
    out = _run_poll("--port", str(port))
    assert "stored 1, already stored 1, auto-replies/bounces 1, not stored 0" in out
    assert _unseen(port) == 0
    assert Contact.objects.filter(message_id="<crash-1@example.org>").count() == 1
    case = Case.objects.get(subject="Form question")
    assert case.agency == centre["a"] and case.contacts.get().sender == "maria@example.org"
    assert CaseEvent.objects.get(case=case, kind="attachments_refused").detail["files"][0][
        "name"] == "tool.bin"
    assert not Attachment.objects.exists()
    assert Case.objects.count() == 2

    again = _run_poll("--port", str(port))
    assert "stored 0, already stored 0" in again and Case.objects.count() == 2


def test_imap_poll_over_tls(centre: Any, inboxes: None, dovecot: dict[str, Any],
                            monkeypatch: Any) -> None:
    c = _imap(dovecot["plain"])
    c.append("INBOX", "", imaplib.Time2Internaldate(time.time()),
             _mail("Over TLS", "Sent through IMAPS.", msgid="<tls-1@example.org>").as_bytes())
    c.logout()
    monkeypatch.setenv("GOVCX_TEST_IMAP_PW", "imap-test-pw")
    with pytest.raises(CommandError, match=r"CERTIFICATE_VERIFY_FAILED|certificate verify"):
        _run_poll("--port", str(dovecot["tls"]), "--ssl")  # not trusted: nothing fetched
    assert not Contact.objects.exists()
    out = _run_poll("--port", str(dovecot["tls"]), "--ssl", "--cafile", dovecot["cafile"])
    assert "stored 1" in out and Case.objects.get().subject == "Over TLS"


def test_imap_poll_refuses_a_missing_password(db: Any) -> None:
    with pytest.raises(CommandError, match="GOVCX_NO_SUCH_VAR is not set"):
        call_command("imap_poll", "--host", "127.0.0.1", "--user", INBOX,
                     "--password-env", "GOVCX_NO_SUCH_VAR", "--once")


def _run_poll(*args: str) -> str:
    import io

    out = io.StringIO()
    call_command("imap_poll", "--host", "127.0.0.1", "--user", INBOX,
                 "--password-env", "GOVCX_TEST_IMAP_PW", "--once", *args, stdout=out,
                 stderr=io.StringIO())
    return out.getvalue()


def test_malformed_mail_with_nul_characters_is_kept_not_a_crash(centre: Any,
                                                                  inboxes: None) -> None:
    raw = (b"From: not an address <<>>\r\nSubject: bad\x00 subject =?utf-8?q?=ZZ?=\r\n"
           b"Message-ID: broken\r\nContent-Type: text/plain; charset=x-unknown\r\n\r\n"
           b"Hello\x00 there \xff\xfe\r\n")
    received = email_receive(agency=centre["a"], raw=raw)
    assert received is not None and received.case is not None
    contact = received.contact
    assert "\x00" not in contact.body and "Hello" in contact.body
    assert "\x00" not in contact.subject and contact.sender == ""
    assert received.case.customer is None  # nobody to match; staff still see the message
