"""Research notes: upload with an attachment checked by its bytes, a refused file with its
reason, tags, the note's insight, the audit trail and the download."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from govcx.core.models import AuditEvent, Role
from govcx.improve.models import Insight, ResearchNote
from tests.conftest import login
from tests.improve.conftest import analyst

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _form(world: dict[str, Any], **kw: Any) -> dict[str, Any]:
    data = {"service": world["sa"].pk, "title": "Usability test of the application",
            "method": "usability_test", "held_on": "2026-01-15", "participants": "8",
            "tags": "Online form, time-outs; documents",
            "summary": "Five of eight were signed out while finding records.",
            "quotes": "I had everything typed and it threw me out.\n\nWhere is my doctor's "
                      "address?\n"}
    data.update(kw)
    return data


def test_upload_stores_the_note_opens_an_insight_and_is_audited(world: dict[str, Any],
                                                                client: Any) -> None:
    user = analyst(world)
    login(client, user)
    r = client.post("/staff/research/new/", _form(world, attachment=SimpleUploadedFile(
        "findings.pdf", PDF, content_type="text/plain")), REMOTE_ADDR="10.9.8.7")
    assert r.status_code == 302
    note = ResearchNote.objects.get()
    assert note.tags == ["documents", "online form", "time-outs"]
    assert note.quotes == ["I had everything typed and it threw me out.",
                           "Where is my doctor's address?"]
    assert (note.participants, note.held_on, note.method) == (8, dt.date(2026, 1, 15),
                                                              "usability_test")
    # the type is what the bytes say, not what the browser claimed
    assert (note.attachment_name, note.attachment_type, note.attachment_size) == (
        "findings.pdf", "application/pdf", len(PDF))
    insight = Insight.objects.get(source="research")
    assert insight.source_ref == f"research:{note.pk}" and note.insight_id == insight.pk
    assert insight.evidence["quotes"] == note.quotes and insight.people_affected == 8
    ev = AuditEvent.objects.get(action="improve.research.upload")
    assert (ev.actor_id, ev.agency_id, ev.object_id, ev.ip_address, ev.outcome) == (
        user.pk, world["a"].pk, str(note.pk), "10.9.8.7", "success")
    # the note page, its insight on the board, the download (audited)
    page = client.get(f"/staff/research/{note.pk}/", REMOTE_ADDR="10.9.8.8").content.decode()
    assert "Where is my doctor&#x27;s address?" in page and "findings.pdf" in page
    # reading the note (it can hold interview data) is audited, like the download
    seen = AuditEvent.objects.get(action="improve.research.view")
    assert (seen.actor_id, seen.agency_id, seen.object_id, seen.ip_address, seen.outcome) == (
        user.pk, world["a"].pk, str(note.pk), "10.9.8.8", "success")
    board = client.get("/staff/insights/?source=research").content.decode()
    assert "Usability test of the application" in board and "threw me out" in board
    dl = client.get(f"/staff/research/{note.pk}/attachment/")
    assert dl.status_code == 200 and dl.content == PDF
    assert dl["Content-Type"] == "application/pdf" and "attachment" in dl["Content-Disposition"]
    assert AuditEvent.objects.filter(action="improve.research.download",
                                     object_id=str(note.pk)).exists()


def test_a_bad_file_is_refused_with_a_message_and_nothing_stored(world: dict[str, Any],
                                                                 client: Any) -> None:
    login(client, analyst(world))
    exe = SimpleUploadedFile("notes.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\xff\xff",
                             content_type="application/pdf")
    r = client.post("/staff/research/new/", _form(world, attachment=exe))
    body = r.content.decode()
    assert r.status_code == 400
    assert "notes.pdf was not accepted" in body and "This type of file is not accepted" in body
    assert "Usability test of the application" in body  # what they typed is kept
    assert not ResearchNote.objects.exists() and not Insight.objects.exists()
    assert AuditEvent.objects.filter(action="improve.research.upload",
                                     outcome="error").exists()


def test_too_large_and_bad_fields_are_400(world: dict[str, Any], client: Any,
                                          settings: Any) -> None:
    settings.CONTACT_ATTACHMENT_MAX_BYTES = 1024
    login(client, analyst(world))
    big = SimpleUploadedFile("big.txt", b"a" * 5000, content_type="text/plain")
    r = client.post("/staff/research/new/", _form(world, attachment=big))
    assert r.status_code == 400 and "larger than" in r.content.decode()
    for field, value, message in (("method", "seance", "Choose a research method"),
                                  ("held_on", "last week", "is not a date"),
                                  ("held_on", "2999-01-01", "cannot be in the future"),
                                  ("participants", "-3", "whole number"),
                                  ("title", "  ", "Give the note a title"),
                                  ("service", str(world["sb"].pk), "Choose a service")):
        r = client.post("/staff/research/new/", _form(world, **{field: value}))
        assert r.status_code == 400, field
        assert message in r.content.decode(), field
    assert not ResearchNote.objects.exists()


def test_tag_filter(world: dict[str, Any], client: Any) -> None:
    login(client, analyst(world))
    client.post("/staff/research/new/", _form(world, title="Note one", tags="spanish, letters"))
    client.post("/staff/research/new/", _form(world, title="Note two", tags="phone",
                                              method="interview"))
    page = client.get("/staff/research/?tag=spanish").content.decode()
    assert "Note one" in page and "Note two" not in page
    page = client.get("/staff/research/?method=interview").content.decode()
    assert "Note two" in page and "Note one" not in page
    r = client.get("/staff/research/?tag=unknown")
    assert r.status_code == 400 and "No note has the tag" in r.content.decode()
    # a viewer reads notes but cannot upload
    login(client, world["staff"][("benefits-agency", Role.VIEWER)])
    assert "Note one" in client.get("/staff/research/").content.decode()
    assert client.post("/staff/research/new/", _form(world)).status_code == 404
    assert ResearchNote.objects.count() == 2
