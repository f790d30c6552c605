"""Service owners page: an administrator chooses who answers for a service among its
agency's staff (and its departments' staff); everyone on the dashboard sees who it is; the
change is audited; alerts then reach the owners, not the administrators."""

from __future__ import annotations

from typing import Any

import pytest

from govcx.core.models import Agency, AuditEvent, Role
from govcx.metrics.alerts import alert_recipients
from tests.browser.conftest import _govcx_static, browser
from tests.conftest import login, make_agency, make_service, make_staff

__all__ = ["_govcx_static", "browser"]  # fixtures used by the browser test


def _url(service: Any) -> str:
    return f"/staff/services/{service.pk}/owners/"


def test_an_administrator_sets_owners_and_alerts_follow(world: dict[str, Any],
                                                        client: Any) -> None:
    sa = world["sa"]
    admin = world["staff"][("benefits-agency", Role.ADMINISTRATOR)]
    analyst = world["staff"][("benefits-agency", Role.CX_ANALYST)]
    manager = world["staff"][("benefits-agency", Role.PERFORMANCE_MANAGER)]
    assert alert_recipients(sa) == [admin]  # no owner yet: the administrators
    login(client, admin)
    page = client.get(_url(sa)).content.decode()
    assert "No owner: alerts go to the agency" in page
    assert f'id="owner-{analyst.pk}"' in page and "csrfmiddlewaretoken" in page
    # agency B's staff are not offered
    assert f'id="owner-{world["staff"][("tax-agency", Role.CX_ANALYST)].pk}"' not in page
    r = client.post(_url(sa), {"owner": [str(analyst.pk), str(manager.pk)]},
                    REMOTE_ADDR="10.1.2.3", follow=True)
    assert r.status_code == 200 and "Owners saved" in r.content.decode()
    assert set(sa.owners.all()) == {analyst, manager}
    assert alert_recipients(sa) == sorted([analyst, manager], key=lambda u: u.pk)
    ev = AuditEvent.objects.get(action="core.service.owners")
    assert (ev.actor_id, ev.agency_id, ev.object_id, ev.ip_address, ev.outcome) == (
        admin.pk, world["a"].pk, str(sa.pk), "10.1.2.3", "success")
    assert ev.detail["added"] == sorted([analyst.pk, manager.pk]) and ev.detail["removed"] == []
    # the list shows them to everyone on the dashboard; a viewer cannot change them
    viewer = world["staff"][("benefits-agency", Role.VIEWER)]
    login(client, viewer)
    page = client.get(_url(sa)).content.decode()
    assert analyst.get_username() in page and manager.get_username() in page
    assert 'name="owner"' not in page and "Only an administrator" in page
    r = client.post(_url(sa), {"owner": [str(viewer.pk)]})
    assert r.status_code == 403 and "Only an administrator" in r.content.decode()
    assert set(sa.owners.all()) == {analyst, manager}
    assert AuditEvent.objects.filter(action="core.service.owners", outcome="denied",
                                     actor=viewer).exists()
    # clearing them sends alerts back to the administrators, and says so
    login(client, admin)
    r = client.post(_url(sa), {}, follow=True)
    assert "no owner now" in r.content.decode()
    assert not sa.owners.exists() and alert_recipients(sa) == [admin]
    last = AuditEvent.objects.filter(action="core.service.owners").latest("id")
    assert last.detail["removed"] == sorted([analyst.pk, manager.pk])


def test_department_staff_may_own_a_component_service(db: Any, client: Any) -> None:
    dept = make_agency("dept", "Department")
    component = make_agency("component", "Component", kind=Agency.Kind.COMPONENT, parent=dept)
    service = make_service(component, "apply")
    admin = make_staff(component, Role.ADMINISTRATOR, "comp-admin")
    dept_analyst = make_staff(dept, Role.CX_ANALYST, "dept-analyst")
    login(client, admin)
    assert f'id="owner-{dept_analyst.pk}"' in client.get(_url(service)).content.decode()
    assert client.post(_url(service), {"owner": [str(dept_analyst.pk)]}).status_code == 302
    assert list(service.owners.all()) == [dept_analyst]


def test_another_agency_and_non_members(world: dict[str, Any], client: Any) -> None:
    sa = world["sa"]
    # another agency's administrator: the service does not exist for them
    login(client, world["staff"][("tax-agency", Role.ADMINISTRATOR)])
    assert client.get(_url(sa)).status_code == 404
    assert client.post(_url(sa), {"owner": []}).status_code == 404
    assert client.get("/staff/services/999999999/owners/").status_code == 404
    # agency A's administrator choosing someone who is not its staff: 400 with a reason
    login(client, world["staff"][("benefits-agency", Role.ADMINISTRATOR)])
    stranger = world["staff"][("tax-agency", Role.CX_ANALYST)]
    r = client.post(_url(sa), {"owner": [str(stranger.pk)]})
    assert r.status_code == 400
    assert "Only staff of this service&#x27;s agency" in r.content.decode()
    assert not sa.owners.exists()
    for bad in ("abc", "-1", "9" * 40):
        r = client.post(_url(sa), {"owner": [bad]})
        assert r.status_code == 400 and "Choose the owners from the list" in r.content.decode()
    r = client.post(_url(sa), {"owner": [str(i) for i in range(60)]})
    assert r.status_code == 400 and "at most 50" in r.content.decode()
    assert not sa.owners.exists()
    assert client.put(_url(sa)).status_code == 405


def test_the_form_needs_its_csrf_token(world: dict[str, Any]) -> None:
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    login(client, world["staff"][("benefits-agency", Role.ADMINISTRATOR)])
    analyst = world["staff"][("benefits-agency", Role.CX_ANALYST)]
    assert client.post(_url(world["sa"]), {"owner": [str(analyst.pk)]}).status_code == 403
    assert not world["sa"].owners.exists()


@pytest.mark.browser
def test_owners_page_is_accessible(browser: Any, live_server: Any,
                                   world: dict[str, Any]) -> None:
    from tests.browser.conftest import assert_clean, staff_context

    admin = world["staff"][("benefits-agency", Role.ADMINISTRATOR)]
    world["sa"].owners.set([world["staff"][("benefits-agency", Role.CX_ANALYST)]])
    context = staff_context(browser, live_server, admin)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        # Spanish first: the switch is remembered (language cookie), so English comes last
        for query, what in (("?lang=es", "service owners (es)"), ("?lang=en", "service owners")):
            page.goto(f"{live_server.url}{_url(world['sa'])}{query}")
            page.locator("h1").first.wait_for()
            assert_clean(page, what)
        # saving shows the new owners (and the confirmation) accessibly too
        page.goto(f"{live_server.url}{_url(world['sa'])}")
        page.locator(f"label[for=owner-{admin.pk}]").click()  # USWDS hides the box
        page.locator("button[type=submit]", has_text="Save the owners").click()
        page.locator("#current-owners").wait_for()
        assert admin.get_username() in page.locator("#current-owners").inner_text()
        assert_clean(page, "service owners after saving")
    finally:
        context.close()
