"""Delivery on every channel: invitations by real SMTP and by SMS, single use; QR codes."""

from __future__ import annotations

import json
import re
import time
from typing import Any

import pytest

from govcx.feedback import services as fb
from govcx.feedback.models import Invitation, OfferCount, Response
from tests.conftest import MailServer


def _link(text: str) -> str:
    m = re.search(r"http://[^\s]+/s/i/([A-Za-z0-9_\-]+)/", text)
    assert m, text
    return m.group(1)


def test_email_invitation_over_real_smtp_is_single_use(world: Any, smtp: MailServer, client: Any) -> None:
    tp = world["ta"]
    fb.invitation_send(touchpoint=tp, channel="email", to="Maria@Example.org", language="es")
    for _ in range(50):
        if smtp.messages:
            break
        time.sleep(0.05)
    _sender, rcpts, raw = smtp.messages[0]
    assert rcpts == ["Maria@Example.org"]
    assert "=?utf-8?" in raw or "experiencia" in raw  # Spanish subject, encoded
    token = _link(raw.replace("=\n", ""))
    page = client.get(f"/s/i/{token}/?lang=es")
    assert page.status_code == 200 and "Según mi experiencia" in page.content.decode()
    r = client.post(f"/s/i/{token}/", {"trust": "up", "went_well": ["ease"], "lang": "es"})
    assert r.status_code == 302
    resp = Response.objects.get()
    assert resp.source == "invitation" and resp.language == "es" and resp.customer_id
    again = client.post(f"/s/i/{token}/", {"trust": "down", "lang": "en"})
    assert "already been used" in again.content.decode()
    assert Response.objects.count() == 1
    assert Invitation.objects.get().used_at is not None
    assert OfferCount.objects.get(touchpoint=tp, source="invite_email").count == 1


def test_sms_invitation_through_the_development_backend(world: Any, settings: Any,
                                                          tmp_path: Any, client: Any) -> None:
    settings.SMS_FILE_PATH = tmp_path
    fb.invitation_send(touchpoint=world["ta"], channel="sms", to="(202) 555-0147")
    sent = [json.loads(line) for line in (tmp_path / "outbox.jsonl").read_text().splitlines()]
    assert sent[0]["to"] == "+12025550147"
    token = _link(sent[0]["body"])
    assert client.get(f"/s/i/{token}/").status_code == 200
    with pytest.raises(fb.SurveyError, match="not a phone number"):
        fb.invitation_send(touchpoint=world["ta"], channel="sms", to="call me")


def test_unknown_invitation_token_is_a_clear_404(db: Any, client: Any) -> None:
    r = client.get("/s/i/not-a-real-token/")
    assert r.status_code == 404 and "not valid" in r.content.decode()


def test_qr_code_downloads(world: Any, client: Any) -> None:
    tp = world["ta"]
    png = client.get(f"/s/{tp.public_id}/qr.png")
    assert png.status_code == 200 and png.content[:8] == b"\x89PNG\r\n\x1a\n"
    svg = client.get(f"/s/{tp.public_id}/qr.svg")
    assert svg["Content-Type"] == "image/svg+xml" and b"<svg" in svg.content


def test_hosted_page_view_counts_as_an_offer_once(world: Any, client: Any) -> None:
    tp = world["ta"]
    client.get(f"/s/{tp.public_id}/")
    client.get(f"/s/{tp.public_id}/")
    assert OfferCount.objects.get(touchpoint=tp, source="page").count == 1
