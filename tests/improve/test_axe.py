"""axe-core (WCAG 2.0/2.1 A and AA) on the improve pages, filled by the demo seed: the insight
board, opportunities (2×2 grid), research notes, an action with its effect, the maturity page
and the assessment form, in English and Spanish."""

from __future__ import annotations

from typing import Any

import pytest

from govcx.core.models import Role
from govcx.improve.demo import improve_demo_seed
from govcx.improve.models import Action, ResearchNote
from tests.browser.conftest import _govcx_static, assert_clean, browser, staff_context
from tests.conftest import make_agency, make_service, make_staff

pytestmark = pytest.mark.browser
__all__ = ["_govcx_static", "browser"]  # fixtures used by this module


def test_improve_pages_are_accessible(browser: Any, live_server: Any, db: Any) -> None:
    agency = make_agency("benefits", "Department of Benefits")
    for slug in ("apply", "appeals", "offices"):
        make_service(agency, slug)
    lead = make_staff(agency, Role.ADMINISTRATOR, "lead")
    improve_demo_seed(agencies=[agency])
    action = Action.objects.filter(status="done").first()
    note = ResearchNote.objects.first()
    assert action is not None and note is not None
    context = staff_context(browser, live_server, lead)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        for path, what in (("/staff/insights/", "insight board"),
                           ("/staff/insights/?source=gossip", "insight board, bad filter"),
                           ("/staff/insights/opportunities/", "opportunities"),
                           ("/staff/research/", "research notes"),
                           (f"/staff/research/{note.pk}/", "research note"),
                           ("/staff/research/new/", "research upload form"),
                           (f"/staff/insights/{note.insight_id}/", "insight"),
                           ("/staff/actions/", "actions"),
                           (f"/staff/actions/{action.pk}/", "action"),
                           (f"/staff/actions/{action.pk}/edit/", "action form"),
                           ("/staff/maturity/", "maturity"),
                           ("/staff/maturity/new/", "maturity assessment form"),
                           ("/staff/maturity/?lang=es", "maturity (es)"),
                           ("/staff/insights/?lang=es", "insight board (es)")):
            page.goto(f"{live_server.url}{path}")
            page.locator("h1").first.wait_for()
            assert_clean(page, what)
    finally:
        context.close()


def test_friction_action_page_is_accessible(browser: Any, live_server: Any,
                                            world: dict[str, Any]) -> None:
    import datetime as dt
    import re

    from django.test import Client
    from django.utils import timezone

    from govcx.journeys.services import EventIn, journey_events_record

    base = timezone.now() - dt.timedelta(days=40)
    journey_events_record(events=[
        EventIn(agency_id=world["a"].pk, service_id=world["sa"].pk, case_key=f"app-{i}",
                activity=activity, source="import", seq=seq, channel=channel,
                at=base + dt.timedelta(hours=hours + i))
        for i in range(6)
        for seq, (activity, hours, channel) in enumerate(
            [("Start application", 0, "web"), ("Web error", 1, "web"),
             ("Call contact centre", 3, "phone"), ("Decision", 24 * 20, "")])])
    analyst = world["staff"][("benefits-agency", Role.CX_ANALYST)]
    client = Client()
    client.force_login(analyst)
    body = client.get(f"/staff/journeys/{world['sa'].pk}/friction/").content.decode()
    link = re.search(r'href="(/staff/journeys/\d+/friction/[^"/]+/action/[^"]*)"', body)
    assert link is not None
    context = staff_context(browser, live_server, analyst)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto(f"{live_server.url}{link.group(1).replace('&amp;', '&')}")
        page.locator("#action-preview").wait_for()
        assert_clean(page, "propose an action")
        page.locator("#open-insight button").click()
        page.locator("input[name=title]").wait_for()
        assert "/staff/actions/new/" in page.url
        assert_clean(page, "new action from a friction point")
    finally:
        context.close()
