"""Staff channel pages: the touchpoints page gives each of the agency's touchpoints its embed
code and QR code downloads; a personal invitation sent from it goes out by email (real SMTP)
or text message, is audited, and its link works once; a touchpoint cannot be placed at a
journey stage the service does not have."""

from __future__ import annotations

import email
import email.policy
import html as htmllib
import json
import re
import time
from pathlib import Path
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from govcx.core.models import AuditEvent, Role
from govcx.feedback import services as fb
from govcx.feedback.models import Invitation, Response, Touchpoint
from tests.conftest import MailServer, login


def _touchpoints_page(client: Client) -> str:
    page = client.get("/staff/touchpoints/")
    assert page.status_code == 200
    return page.content.decode()


def test_touchpoints_page_gives_embed_code_and_qr_downloads(world: dict[str, Any],
                                                          client: Client) -> None:
    tp, other_agency = world["ta"], world["tb"]
    login(client, world["staff"][("benefits-agency", Role.CX_ANALYST)])
    page = _touchpoints_page(client)
    assert str(other_agency.public_id) not in page  # only the staff member's agency

    box = re.search(rf'<textarea[^>]*id="embed-{tp.pk}"[^>]*>(.*?)</textarea>', page, re.S)
    assert box, "no embed code for the touchpoint"
    embed = htmllib.unescape(box.group(1)).strip()
    scripts = re.findall(r"<script\b([^>]*)>\s*</script>", embed)
    assert len(scripts) == 1 and embed.count("<script") == 1, embed
    attrs = dict(re.findall(r'([\w-]+)="([^"]*)"', scripts[0]))
    assert attrs["data-govcx-touchpoint"] == str(tp.public_id)
    assert attrs["src"].startswith("http://testserver/static/") and "defer" in scripts[0]
    assert finders.find(attrs["src"].removeprefix("http://testserver/static/"))  # it exists

    hrefs = set(re.findall(r'href="([^"]+)"', page))
    for fmt, ctype in (("svg", "image/svg+xml"), ("png", "image/png")):
        link = f"/s/{tp.public_id}/qr.{fmt}"
        assert link in hrefs
        qr = client.get(link)
        assert qr.status_code == 200 and qr["Content-Type"] == ctype
        assert f"qr.{fmt}" in qr["Content-Disposition"]
        if fmt == "png":
            assert qr.content.startswith(b"\x89PNG\r\n\x1a\n")
        else:
            assert b"<svg" in qr.content


def _email_link(smtp: MailServer) -> tuple[str, str]:
    """(recipient, invitation path) of the one message the SMTP server received."""
    for _ in range(100):  # the server hands the message over on its own thread
        if smtp.raw_messages:
            break
        time.sleep(0.05)
    assert len(smtp.raw_messages) == 1
    _sender, rcpts, raw = smtp.raw_messages[0]
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    body = msg.get_body(preferencelist=("plain",))
    assert body is not None
    m = re.search(r"https?://[^\s/]+(/s/i/[A-Za-z0-9_\-]+/)", body.get_content())
    assert m, body.get_content()
    return rcpts[0], m.group(1)


def _sms_link(outbox: Path) -> tuple[str, str]:
    sent = [json.loads(line) for line in (outbox / "outbox.jsonl").read_text().splitlines()]
    assert len(sent) == 1
    m = re.search(r"https?://[^\s/]+(/s/i/[A-Za-z0-9_\-]+/)", sent[0]["body"])
    assert m, sent[0]
    return sent[0]["to"], m.group(1)


@pytest.mark.parametrize(("channel", "to", "delivered_to"), [
    ("email", "maria@example.org", "maria@example.org"),
    ("sms", "(202) 555-0147", "+12025550147"),
])
def test_an_invitation_from_the_page_is_sent_audited_and_works_once(
        world: dict[str, Any], client: Client, smtp: MailServer, settings: Any, tmp_path: Path,
        channel: str, to: str, delivered_to: str) -> None:
    settings.SMS_FILE_PATH = tmp_path  # the development SMS backend's outbox
    tp = world["ta"]
    agent = world["staff"][("benefits-agency", Role.AGENT)]
    login(client, agent)
    sent = client.post(f"/staff/touchpoints/{tp.pk}/invite/",
                       {"channel": channel, "to": to, "language": "en"}, follow=True)
    assert sent.status_code == 200
    assert f"Invitation sent by {channel}." in sent.content.decode()

    rcpt, path = _email_link(smtp) if channel == "email" else _sms_link(tmp_path)
    assert rcpt == delivered_to
    if channel == "email":
        assert not (tmp_path / "outbox.jsonl").exists()
    else:
        assert not smtp.raw_messages

    event = AuditEvent.objects.get(action="invitation.send")
    assert (event.actor_id, event.agency_id, event.object_id) == (agent.pk, world["a"].pk,
                                                                   str(tp.pk))
    assert event.detail == {"channel": channel}

    person = Client()
    assert "I trust Benefits Agency" in person.get(path).content.decode()
    answered = person.post(path, {"trust": "up", "went_well": ["ease"], "lang": "en"})
    assert answered.status_code == 302
    again = person.post(path, {"trust": "down", "lang": "en"})
    assert "This invitation link has already been used" in again.content.decode()
    stored = Response.objects.get(touchpoint=tp)
    assert stored.source == "invitation" and stored.trust_positive is True
    assert Invitation.objects.get(touchpoint=tp).used_at is not None


def test_a_bad_number_or_a_role_without_invitations_is_refused(
        world: dict[str, Any], client: Client, smtp: MailServer, settings: Any,
        tmp_path: Path) -> None:
    settings.SMS_FILE_PATH = tmp_path
    tp = world["ta"]
    login(client, world["staff"][("benefits-agency", Role.CX_ANALYST)])
    bad = client.post(f"/staff/touchpoints/{tp.pk}/invite/",
                      {"channel": "sms", "to": "call me", "language": "en"}, follow=True)
    assert "is not a phone number we can text" in bad.content.decode()
    login(client, world["staff"][("benefits-agency", Role.VIEWER)])
    refused = client.post(f"/staff/touchpoints/{tp.pk}/invite/",
                          {"channel": "email", "to": "maria@example.org", "language": "en"})
    assert refused.status_code == 404
    time.sleep(0.2)  # long enough for a message to reach the server, had one been sent
    assert not smtp.raw_messages and not (tmp_path / "outbox.jsonl").exists()
    assert not Invitation.objects.filter(sent_at__isnull=False).exists()
    assert not AuditEvent.objects.filter(action="invitation.send").exists()


def test_a_touchpoint_must_be_at_one_of_the_services_stages(world: dict[str, Any],
                                                           client: Client) -> None:
    service, survey = world["sa"], world["ta"].survey
    before = Touchpoint.objects.count()
    with pytest.raises(fb.SurveyError) as refused:
        fb.touchpoint_create(service=service, survey=survey, name="Appeals desk",
                             channel="in_person", stage="appeal")
    message = str(refused.value)
    assert "'appeal' is not a stage of Apply for benefits" in message
    assert all(stage in message for stage in service.stages)  # says which stages there are
    assert Touchpoint.objects.count() == before
    ok = fb.touchpoint_create(service=service, survey=survey, name="Decision letter",
                              channel="paper", stage=service.stages[1])
    login(client, world["staff"][("benefits-agency", Role.CX_ANALYST)])
    page = _touchpoints_page(client)
    assert f"stage: {service.stages[1]}" in page and f'id="embed-{ok.pk}"' in page
