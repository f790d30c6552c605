"""An agency's administrator decides whether survey responses keep the respondent's IP
address (off by default); the choice takes effect for the next submission and is audited;
nobody else can change it."""

from __future__ import annotations

import json
from typing import Any

import pytest

from govcx.core.models import AuditEvent, Role
from govcx.feedback.models import Response
from tests.browser.conftest import _govcx_static, browser
from tests.conftest import login

__all__ = ["_govcx_static", "browser"]  # fixtures used by the browser test


def _url(agency: Any) -> str:
    return f"/staff/agencies/{agency.pk}/settings/"


def _submit(client: Any, tp: Any) -> Response:
    r = client.post(f"/api/v1/touchpoints/{tp.public_id}/responses",
                    json.dumps({"answers": {"trust": "up"}}), content_type="application/json",
                    REMOTE_ADDR="198.51.100.23")
    assert r.status_code == 201, r.content
    return Response.objects.get(pk=r.json()["id"])


def test_an_administrator_turns_ip_addresses_on_and_off(world: dict[str, Any],
                                                        client: Any) -> None:
    from django.test import Client

    public = Client()
    assert _submit(public, world["ta"]).ip_address is None  # the default
    admin = world["staff"][("benefits-agency", Role.ADMINISTRATOR)]
    login(client, admin)
    assert f'href="{_url(world["a"])}"' in client.get("/staff/").content.decode()
    page = client.get(_url(world["a"])).content.decode()
    assert 'name="record_ip_addresses"' in page and " checked" not in page.split(
        'id="ag-ip"')[1].split(">")[0]
    r = client.post(_url(world["a"]), {"record_ip_addresses": "1"}, follow=True)
    assert "Saved." in r.content.decode()
    assert _submit(public, world["ta"]).ip_address == "198.51.100.23"
    assert _submit(public, world["tb"]).ip_address is None  # the other agency's choice
    ev = AuditEvent.objects.get(action="core.agency.settings")
    assert (ev.actor_id, ev.agency_id, ev.detail) == (admin.pk, world["a"].pk,
                                                      {"record_ip_addresses": True})
    client.post(_url(world["a"]), {})
    assert _submit(public, world["ta"]).ip_address is None
    r = client.post(_url(world["a"]), {}, follow=True)
    assert "Nothing changed." in r.content.decode()
    assert AuditEvent.objects.filter(action="core.agency.settings").count() == 2


@pytest.mark.parametrize("who", [("benefits-agency", Role.CX_ANALYST),
                                 ("benefits-agency", Role.PERFORMANCE_MANAGER),
                                 ("tax-agency", Role.ADMINISTRATOR)])
def test_nobody_else_can_change_it(world: dict[str, Any], client: Any,
                                   who: tuple[str, str]) -> None:
    login(client, world["staff"][who])
    assert client.get(_url(world["a"])).status_code == 404
    assert client.post(_url(world["a"]), {"record_ip_addresses": "1"}).status_code == 404
    world["a"].refresh_from_db()
    assert world["a"].record_ip_addresses is False


@pytest.mark.browser
def test_agency_settings_page_is_accessible(browser: Any, live_server: Any,
                                            world: dict[str, Any]) -> None:
    from tests.browser.conftest import assert_clean, staff_context

    admin = world["staff"][("benefits-agency", Role.ADMINISTRATOR)]
    context = staff_context(browser, live_server, admin)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        for lang in ("es", "en"):
            page.goto(f"{live_server.url}{_url(world['a'])}?lang={lang}")
            page.locator("h1").first.wait_for()
            assert page.locator("html").get_attribute("lang") == lang
            assert_clean(page, f"agency settings ({lang})")
    finally:
        context.close()
