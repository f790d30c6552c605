"""axe-core (WCAG 2.0/2.1 A and AA): the alerts page (with control charts, a failing filter)
and the notifications page."""

from __future__ import annotations

from typing import Any

import pytest

from govcx.core.models import Role
from tests.browser.conftest import assert_clean, staff_context

pytestmark = pytest.mark.browser


def test_alerts_and_notifications_pages(browser: Any, live_server: Any,
                                        world: dict[str, Any]) -> None:
    from govcx.metrics.alerts import alerts_check
    from tests.metrics.test_alerts import STABLE, TODAY, load_weeks

    owner = world["staff"][("benefits-agency", Role.CX_ANALYST)]
    world["sa"].owners.add(owner)
    load_weeks(world["ta"], [*STABLE, 55])
    assert len(alerts_check(today=TODAY)) == 1
    context = staff_context(browser, live_server, owner)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto(f"{live_server.url}/staff/alerts/")
        assert page.locator("svg.govcx-control-chart[role=img]").count() == 1
        assert_clean(page, "alerts")
        page.goto(f"{live_server.url}/staff/alerts/?kind=bogus")
        assert_clean(page, "alerts with a bad filter")
        page.goto(f"{live_server.url}/staff/notifications/")
        assert page.locator(".usa-collection__item").count() == 1
        assert_clean(page, "notifications")
    finally:
        context.close()
