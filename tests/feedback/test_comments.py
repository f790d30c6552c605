"""Comments for text insight: collected off the public path, stored redacted; staff without
personal_data.view see survey comments redacted on the responses pages and exports."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.core.management import call_command
from django.utils import timezone
from openpyxl import load_workbook

from govcx.assist.models import Conversation, Message
from govcx.contact.models import Contact
from govcx.feedback import services as fb
from govcx.feedback.comments import comments_collect
from govcx.feedback.models import Comment
from tests.conftest import login

SSN = "123-45-6789"
TEXT = f"The form kept failing. My SSN is {SSN} and my name is Rosa Delgado, please call."


def _submit(world: dict[str, Any], text: str = TEXT, tp: str = "ta") -> Any:
    r = fb.response_submit(touchpoint=world[tp], answers={"trust": "down", "comments": text})
    assert r.response is not None
    return r.response


def test_survey_comment_with_ssn_is_stored_redacted(world: dict[str, Any]) -> None:
    r = _submit(world)
    assert Comment.objects.count() == 0  # nothing on the public path
    result = comments_collect()
    assert result.created["response"] == 1
    c = Comment.objects.get(source="response", source_id=r.pk)
    assert SSN not in c.text_redacted and "Rosa" not in c.text_redacted
    assert "[SSN]" in c.text_redacted and "[NAME]" in c.text_redacted
    assert set(c.kinds_found) == {"ssn", "name"}
    assert c.agency_id == world["a"].pk and c.service_id == world["sa"].pk
    assert c.sentiment == "negative"
    r.refresh_from_db()
    assert SSN in r.comment  # the original stays in its source row only
    # idempotent: collecting again copies nothing twice
    assert comments_collect().total == 0
    assert comments_collect(since_ids={"response": 0}).total == 0
    assert Comment.objects.count() == 1


def test_contact_and_chat_sources(world: dict[str, Any]) -> None:
    a = world["a"]
    now = timezone.now()
    inbound = Contact.objects.create(agency=a, channel="email", direction="in", at=now,
                                     body="Call me at (202) 555-0123, the portal is broken.")
    Contact.objects.create(agency=a, channel="email", direction="out", at=now,
                           body="Agent reply: we are looking into it.")
    conv = Conversation.objects.create(agency=a, public_id="p-1", language="es")
    person = Message.objects.create(conversation=conv, speaker=Message.Speaker.PERSON,
                                    text="El sitio no funciona, es pésimo.")
    Message.objects.create(conversation=conv, speaker=Message.Speaker.ASSISTANT,
                           text="Lo siento.")
    out = io.StringIO()
    call_command("comments", "collect", stdout=out)
    assert "2 comments collected" in out.getvalue()
    c = Comment.objects.get(source="contact")
    assert c.source_id == inbound.pk and "[PHONE]" in c.text_redacted
    assert "555-0123" not in c.text_redacted
    chat = Comment.objects.get(source="chat")
    assert chat.source_id == person.pk and chat.language == "es"
    assert chat.sentiment == "negative"


def test_analyst_sees_comment_redacted_admin_sees_original(world: dict[str, Any],
                                                           client: Any) -> None:
    r = _submit(world)
    analyst = world["staff"][("benefits-agency", "cx_analyst")]
    admin = world["staff"][("benefits-agency", "administrator")]
    login(client, analyst)
    page = client.get("/staff/responses/").content.decode()
    assert SSN not in page and "[SSN]" in page
    detail = client.get(f"/staff/responses/{r.pk}/").content.decode()
    assert SSN not in detail and "Rosa Delgado" not in detail and "[SSN]" in detail
    exported = client.get("/staff/responses/?format=csv")  # analysts export
    assert exported.status_code == 200
    body = b"".join(exported.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(body)))
    assert rows and SSN not in body and "[SSN]" in rows[0]["comment"]
    xlsx = client.get("/staff/responses/?format=xlsx")
    cells = [str(c) for row in load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(
        values_only=True) for c in row]
    assert not any(SSN in c for c in cells) and any("[SSN]" in c for c in cells)
    api = client.get("/api/v1/staff/responses")  # the staff API too
    assert api.status_code == 200 and SSN not in api.content.decode()
    assert "[SSN]" in api.json()[0]["comment"]
    r.refresh_from_db()
    assert SSN in r.comment  # showing it redacted did not change the row
    client.logout()
    login(client, admin)
    assert SSN in client.get("/staff/responses/").content.decode()
    assert SSN in client.get(f"/staff/responses/{r.pk}/").content.decode()
    body = b"".join(client.get("/staff/responses/?format=csv").streaming_content).decode()
    assert SSN in body
    assert SSN in client.get("/api/v1/staff/responses").json()[0]["comment"]


def test_export_redacted_for_a_role_that_exports_without_personal_data(world: dict[str, Any],
                                                                      client: Any) -> None:
    from govcx.core.permissions import CAPABILITIES

    _submit(world)
    exporters = CAPABILITIES["responses.export"] - CAPABILITIES["personal_data.view"]
    assert exporters, "some role exports without personal_data.view"
    role = sorted(exporters)[0]
    login(client, world["staff"][("benefits-agency", role)])
    body = b"".join(client.get("/staff/responses/?format=csv").streaming_content).decode()
    assert SSN not in body and "[SSN]" in body


def test_search_for_personal_data_is_ignored_without_the_role(world: dict[str, Any],
                                                             client: Any) -> None:
    _submit(world)
    _submit(world, text="Everything was fine, thanks.")
    login(client, world["staff"][("benefits-agency", "cx_analyst")])
    for probe in ("123-45", "rosa delgado", "@example"):
        page = client.get("/staff/responses/", {"q": probe}).content.decode()
        assert "the search was ignored" in page and "2 responses" in page, probe
    page = client.get("/staff/responses/", {"q": "failing"}).content.decode()
    assert "1 response" in page and "the search was ignored" not in page
    client.logout()
    login(client, world["staff"][("benefits-agency", "administrator")])
    page = client.get("/staff/responses/", {"q": "123-45"}).content.decode()
    assert "1 response" in page and "the search was ignored" not in page


def test_themes_page_enqueues_collection_run_by_the_worker(
        world: dict[str, Any], client: Any, django_capture_on_commit_callbacks: Any) -> None:
    from django_tasks_db.models import DBTaskResult

    from govcx.core import soon
    from tests.feedback.test_import_background import run_worker

    _submit(world)
    soon.forget("comments")
    login(client, world["staff"][("benefits-agency", "cx_analyst")])
    with django_capture_on_commit_callbacks(execute=True):
        assert client.get("/staff/themes/").status_code == 200
    assert DBTaskResult.objects.count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        client.get("/staff/themes/")  # not again within COLLECT_EVERY_SECONDS
    assert DBTaskResult.objects.count() == 1
    run_worker()
    c = Comment.objects.get(source="response")
    assert "[SSN]" in c.text_redacted and SSN not in c.text_redacted


def test_quarantine_keeps_spam_out_of_comments_and_release_brings_it_in(
    world: dict[str, Any],
) -> None:
    """A response quarantined when comments are collected is left out; releasing it later
    (after the watermark passed it) adds its comment; quarantining it again removes it."""
    admin = world["staff"][("benefits-agency", "administrator")]
    r = _submit(world, text="The office was closed when the website said it was open.")
    fb.response_quarantine(response=r, reason="looks automated", actor=admin)
    comments_collect()
    assert not Comment.objects.filter(source="response", source_id=r.pk).exists()
    fb.response_quarantine_release(response=r, actor=admin)
    c = Comment.objects.get(source="response", source_id=r.pk)
    assert "office was closed" in c.text_redacted
    fb.response_quarantine(response=r, reason="spam after all", actor=admin)
    assert not Comment.objects.filter(source="response", source_id=r.pk).exists()


def test_search_matches_redacted_text_without_the_role(world: dict[str, Any],
                                                       client: Any) -> None:
    """An analyst's "comment contains" search runs on the redacted text: a planted surname or
    street finds nothing (before and after collection), ordinary words still find the
    response; an administrator searches the original."""
    text = "The portal failed again. My name is Keanu Okonkwo, I live at 45 Main St."
    _submit(world, text=text)
    _submit(world, text="Everything was fine, thanks.")
    analyst = world["staff"][("benefits-agency", "cx_analyst")]
    admin = world["staff"][("benefits-agency", "administrator")]
    for collected in (False, True):
        if collected:
            assert comments_collect().created["response"] == 2
        login(client, analyst)
        for probe in ("Okonkwo", "keanu", "Main St"):
            page = client.get("/staff/responses/", {"q": probe}).content.decode()
            table = page[page.index('id="responses-table"'):]
            assert "0 responses" in table and "Okonkwo" not in table, (probe, collected)
        page = client.get("/staff/responses/", {"q": "portal failed"}).content.decode()
        assert "1 response" in page and "Okonkwo" not in page and "[NAME]" in page
        client.logout()
        login(client, admin)
        for probe in ("Okonkwo", "Main St"):
            page = client.get("/staff/responses/", {"q": probe}).content.decode()
            table = page[page.index('id="responses-table"'):]
            assert "1 response" in table and "Okonkwo" in table, (probe, collected)
        client.logout()
