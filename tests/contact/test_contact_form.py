"""The public web contact form: a message becomes a case; errors keep what was typed."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from govcx.contact.models import Attachment, Case, Contact

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def url(centre: dict[str, Any]) -> str:
    return f"/contact/{centre['a'].slug}/"


def post(client: Client, centre: dict[str, Any], **fields: Any) -> Any:
    data = {"name": "Ana Díaz", "email": "ana@example.org", "service": str(centre["sa"].pk),
            "topic": "Card never arrived", "message": "My benefits card never arrived."}
    data.update(fields)
    return client.post(url(centre), {k: v for k, v in data.items() if v is not None})


def test_form_in_english_and_spanish(centre: dict[str, Any], client: Client) -> None:
    page = client.get(url(centre)).content.decode()
    assert "Contact Benefits Agency" in page and "Apply for benefits" in page
    assert 'name="csrfmiddlewaretoken"' in page and 'for="c-message"' in page
    es = client.get(url(centre) + "?lang=es").content.decode()
    assert '<html lang="es">' in es and 'name="lang" value="es"' in es
    assert client.get("/contact/no-such-agency/").status_code == 404


def test_message_opens_a_case_and_confirms_the_number(centre: dict[str, Any],
                                                      client: Client) -> None:
    r = post(client, centre, phone="202-555-0100",
             attachments=SimpleUploadedFile("photo.png", PNG, content_type="image/png"))
    assert r.status_code == 302
    done = client.get(r["Location"])
    case = Case.objects.get()
    html = done.content.decode()
    assert f'<strong id="case-number">{case.pk}</strong>' in html
    assert "What happens next" in html and "reply to the email address" in html
    assert case.channel == "web" and case.service == centre["sa"]
    assert case.subject == "Card never arrived" and case.queue == centre["general"]
    contact = Contact.objects.get()
    assert contact.sender.endswith("<ana@example.org>")
    assert "My benefits card never arrived." in contact.body and "+12025550100" in contact.body
    att = Attachment.objects.get()
    assert (att.contact_id, att.content_type, att.size) == (contact.pk, "image/png", len(PNG))
    # the same person writing again is the same customer
    post(client, centre, message="Any news?", topic="")
    assert Case.objects.count() == 2
    assert Case.objects.values("customer_id").distinct().count() == 1


def test_spanish_message_goes_to_the_spanish_queue(centre: dict[str, Any],
                                                   client: Client) -> None:
    r = post(client, centre, lang="es", message="Mi tarjeta no llegó")
    assert r["Location"].endswith("?lang=es")
    case = Case.objects.get()
    assert case.language == "es" and case.queue == centre["spanish"]


def test_errors_keep_what_was_typed(centre: dict[str, Any], client: Client) -> None:
    r = post(client, centre, email="not-an-email", message="Keep this text\x00 please",
             service="")
    html = r.content.decode()
    assert r.status_code == 400 and not Case.objects.exists()
    assert "Enter an email address like name@example.com." in html
    assert "Choose the service your message is about." in html
    assert "Keep this text please</textarea>" in html and 'value="not-an-email"' in html
    assert 'value="Ana Díaz"' in html
    r = post(client, centre, email="", phone="")
    assert r.status_code == 400 and "Enter an email address or a phone number" in \
        r.content.decode()
    r = post(client, centre, message="x" * 5001)
    assert r.status_code == 400 and "5,000 characters or fewer" in r.content.decode()


def test_spanish_errors_and_phone_only(centre: dict[str, Any], client: Client) -> None:
    r = post(client, centre, email="", phone="12", lang="es")
    assert r.status_code == 400 and '<html lang="es">' in r.content.decode()
    r = post(client, centre, email="", phone="(202) 555-0199")
    assert r.status_code == 302
    assert Case.objects.get().customer.identities.get().value == "+12025550199"


def test_attachments_are_checked_by_content_and_size(centre: dict[str, Any], client: Client,
                                                     settings: Any) -> None:
    settings.CONTACT_ATTACHMENT_MAX_BYTES = 1024 * 1024
    settings.CONTACT_ATTACHMENTS_MAX_FILES = 2
    assert "Up to 2 files, 1 MB each: DOCX, JPEG, JPG, PDF, PNG, TXT." in client.get(
        url(centre)).content.decode()
    fake = SimpleUploadedFile("invoice.pdf", b"MZ\x90\x00 not a pdf",
                              content_type="application/pdf")
    r = post(client, centre, attachments=fake)
    html = r.content.decode()
    assert r.status_code == 400 and "“invoice.pdf” cannot be attached" in html
    assert "This type of file is not accepted." in html
    assert "My benefits card never arrived." in html and not Case.objects.exists()
    big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (1024 * 1024),
                             content_type="application/pdf")
    r = post(client, centre, attachments=big)
    assert r.status_code == 400 and "larger than 1 MB" in r.content.decode()
    files = [SimpleUploadedFile(f"n{i}.txt", b"hello", content_type="text/plain")
             for i in range(3)]
    r = post(client, centre, attachments=files)
    assert r.status_code == 400 and "Only 2 files can be attached" in r.content.decode()
    assert not Case.objects.exists()


def test_honeypot_keeps_nothing(centre: dict[str, Any], client: Client) -> None:
    r = post(client, centre, website="http://spam.example")
    assert r.status_code == 200 and not Case.objects.exists()
    assert "case-number" not in r.content.decode()


def test_rate_limit_per_client_keeps_the_text(centre: dict[str, Any], client: Client,
                                             settings: Any) -> None:
    settings.RATELIMIT_SUBMIT_PER_CLIENT = "2/m"
    assert post(client, centre).status_code == 302
    assert post(client, centre).status_code == 302
    r = post(client, centre, message="third message")
    assert r.status_code == 429 and "third message</textarea>" in r.content.decode()
    assert Case.objects.count() == 2
    # another connection is not held back by this one
    data = {"name": "Bo", "email": "bo@example.org", "service": str(centre["sa"].pk),
            "message": "hello"}
    assert client.post(url(centre), data, REMOTE_ADDR="10.9.9.9").status_code == 302


def test_csrf_is_required(centre: dict[str, Any]) -> None:
    strict = Client(enforce_csrf_checks=True)
    r = strict.post(url(centre), {"name": "A", "email": "a@example.org", "message": "hi",
                                  "service": str(centre["sa"].pk)})
    assert r.status_code == 403 and not Case.objects.exists()


def test_confirmation_page_needs_a_sent_message(centre: dict[str, Any], client: Client) -> None:
    r = client.get(url(centre) + "sent/")
    assert r.status_code == 302 and r["Location"].startswith(url(centre))


@pytest.mark.parametrize("bad", ["\x00", "<script>alert(1)</script>"])
def test_hostile_input_is_stored_as_text(centre: dict[str, Any], client: Client,
                                         bad: str) -> None:
    r = post(client, centre, name=f"Eve{bad}", topic=bad, message=f"hello {bad}")
    assert r.status_code == 302
    c = Contact.objects.get()
    assert "\x00" not in c.body and "\x00" not in c.subject


def test_the_form_speaks_spanish(world, client):
    html = client.get(f"/contact/{world['a'].slug}/?lang=es").content.decode()
    assert '<html lang="es">' in html
    assert "Su mensaje" in html and "Enviar mensaje" in html and "¿Cómo podemos" in html
    bad = client.post(f"/contact/{world['a'].slug}/?lang=es", {"lang": "es"}).content.decode()
    assert "Revise su mensaje" in bad and "Escriba su mensaje." in bad
