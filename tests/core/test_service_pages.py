"""An agency's administrator adds a service and changes its channels, journey stages,
estimated annual customers and HISP flag; other roles and agencies cannot; mistakes are
explained and nothing is stored; a stage a touchpoint stands at cannot be removed; every
change is audited."""

from __future__ import annotations

from typing import Any

import pytest

from govcx.core.models import AuditEvent, Role, Service
from tests.browser.conftest import _govcx_static, browser
from tests.conftest import login

__all__ = ["_govcx_static", "browser"]  # fixtures used by the browser test


def _admin(world: dict[str, Any], slug: str = "benefits-agency") -> Any:
    return world["staff"][(slug, Role.ADMINISTRATOR)]


def test_an_administrator_adds_a_service_with_its_fields(world: dict[str, Any],
                                                         client: Any) -> None:
    login(client, _admin(world))
    page = client.get("/staff/").content.decode()
    assert 'id="service-new"' in page and f"/staff/services/{world['sa'].pk}/edit/" in page
    r = client.post("/staff/services/new/", {
        "agency": str(world["a"].pk), "name": "Renew a benefit card",
        "description": "Replace a lost or expired card.", "channels": ["web", "phone", "fax"],
        "stages": "Learn\nApply\n\nApply\nReceive", "annual_customer_volume": "250,000",
        "is_hisp": "1"}, REMOTE_ADDR="10.0.0.5")
    service = Service.objects.get(name="Renew a benefit card")
    assert r.status_code == 302 and r["Location"] == f"/staff/services/{service.pk}/dashboard/"
    assert (service.agency_id, service.slug, service.channels, service.stages,
            service.annual_customer_volume, service.is_hisp) == (
        world["a"].pk, "renew-a-benefit-card", ["web", "phone"], ["Learn", "Apply", "Receive"],
        250000, True)
    ev = AuditEvent.objects.get(action="core.service.create")
    assert (ev.actor_id, ev.agency_id, ev.object_id, ev.ip_address) == (
        _admin(world).pk, world["a"].pk, str(service.pk), "10.0.0.5")
    # the same name again in the same agency is refused; the form keeps what was typed
    r = client.post("/staff/services/new/", {"agency": str(world["a"].pk),
                                             "name": "Renew a benefit card"})
    assert r.status_code == 400
    assert "This agency already has a service with this name." in r.content.decode()
    assert Service.objects.filter(name="Renew a benefit card").count() == 1


def test_an_edit_changes_the_fields_and_is_audited_with_what_changed(
        world: dict[str, Any], client: Any) -> None:
    sa = world["sa"]
    login(client, _admin(world))
    url = f"/staff/services/{sa.pk}/edit/"
    assert f'value="{sa.name}"' in client.get(url).content.decode()
    r = client.post(url, {"name": sa.name, "description": "", "channels": ["web", "sms"],
                          "stages": "Apply\nDecision", "annual_customer_volume": "1200000"},
                    follow=True)
    assert "Saved." in r.content.decode()
    sa.refresh_from_db()
    assert (sa.channels, sa.stages, sa.annual_customer_volume, sa.is_hisp) == (
        ["web", "sms"], ["Apply", "Decision"], 1200000, False)
    ev = AuditEvent.objects.get(action="core.service.edit")
    assert ev.detail == {"changed": ["channels", "stages", "annual_customer_volume"]}
    r = client.post(url, {"name": sa.name, "channels": ["web", "sms"],
                          "stages": "Apply\nDecision", "annual_customer_volume": "1200000"},
                    follow=True)
    assert "Nothing changed." in r.content.decode()
    assert AuditEvent.objects.filter(action="core.service.edit").count() == 1


def test_a_stage_in_use_cannot_be_removed_and_bad_values_are_explained(
        world: dict[str, Any], client: Any) -> None:
    sa, ta = world["sa"], world["ta"]
    sa.stages = ["Apply", "Decision"]
    sa.save()
    ta.stage = "Decision"
    ta.save()
    login(client, _admin(world))
    url = f"/staff/services/{sa.pk}/edit/"
    r = client.post(url, {"name": sa.name, "stages": "Apply", "channels": ["web"]})
    assert r.status_code == 400
    assert "Touchpoints stand at Decision: keep those stages" in r.content.decode()
    r = client.post(url, {"name": "", "stages": "\n".join(f"s{i}" for i in range(21)),
                          "annual_customer_volume": "lots"})
    page = r.content.decode()
    assert r.status_code == 400
    for text in ("Name the service as the public knows it.", "at most 20 stages",
                 "Enter the estimated customers a year as a whole number"):
        assert text in page
    assert 'value="lots"' in page
    sa.refresh_from_db()
    assert sa.stages == ["Apply", "Decision"] and sa.name == "Apply for benefits"
    assert not AuditEvent.objects.filter(action="core.service.edit").exists()


@pytest.mark.parametrize("role", [Role.CX_ANALYST, Role.PERFORMANCE_MANAGER, Role.VIEWER])
def test_only_administrators_add_or_change_services(world: dict[str, Any], client: Any,
                                                    role: str) -> None:
    login(client, world["staff"][("benefits-agency", role)])
    assert 'id="service-new"' not in client.get("/staff/").content.decode()
    assert client.get("/staff/services/new/").status_code == 404
    assert client.post("/staff/services/new/", {"agency": str(world["a"].pk),
                                                "name": "X"}).status_code == 404
    url = f"/staff/services/{world['sa'].pk}/edit/"
    assert client.post(url, {"name": "Renamed"}).status_code == 404
    world["sa"].refresh_from_db()
    assert world["sa"].name == "Apply for benefits"


def test_another_agencys_administrator_cannot_touch_the_service(world: dict[str, Any],
                                                                client: Any) -> None:
    login(client, _admin(world, "tax-agency"))
    url = f"/staff/services/{world['sa'].pk}/edit/"
    assert client.get(url).status_code == 404
    assert client.post(url, {"name": "Renamed"}).status_code == 404
    r = client.post("/staff/services/new/", {"agency": str(world["a"].pk), "name": "Sneaky"})
    assert r.status_code == 400 and "Choose one of the agencies you administer." in \
        r.content.decode()
    assert not Service.objects.filter(name__in=["Renamed", "Sneaky"]).exists()


@pytest.mark.browser
def test_service_pages_are_accessible(browser: Any, live_server: Any,
                                      world: dict[str, Any]) -> None:
    from tests.browser.conftest import assert_clean, staff_context

    context = staff_context(browser, live_server, _admin(world))
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        for lang in ("es", "en"):  # the switch is remembered: English last
            for path in ("/staff/services/new/", f"/staff/services/{world['sa'].pk}/edit/"):
                page.goto(f"{live_server.url}{path}?lang={lang}")
                page.locator("h1").first.wait_for()
                assert page.locator("html").get_attribute("lang") == lang
                assert_clean(page, f"{path} ({lang})")
        page.goto(f"{live_server.url}/staff/services/new/")
        page.locator("button[type=submit]", has_text="Add the service").click()
        page.locator("#service-errors").wait_for()
        assert_clean(page, "new service with errors")
    finally:
        context.close()
