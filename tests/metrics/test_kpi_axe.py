"""axe-core (WCAG 2.0/2.1 A and AA) on the KPI overview, a service's KPIs and its targets
(with a failing form)."""

from __future__ import annotations

from typing import Any

import pytest

from govcx.core.models import Role
from tests.browser.conftest import assert_clean, browser, staff_context  # noqa: F401
from tests.metrics.test_kpi_pages import measured  # noqa: F401

pytestmark = pytest.mark.browser


def test_kpi_and_target_pages_are_axe_clean(browser: Any, live_server: Any,  # noqa: F811
                                            measured: dict[str, Any]) -> None:  # noqa: F811
    user = measured["staff"][("benefits-agency", Role.PERFORMANCE_MANAGER)]
    sa = measured["sa"].pk
    context = staff_context(browser, live_server, user)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto(f"{live_server.url}/staff/kpis/")
        assert page.locator("#kpi-overview").count() == 1
        assert_clean(page, "KPI overview")
        page.goto(f"{live_server.url}/staff/services/{sa}/kpis/")
        assert page.locator("svg[role=img]").count() == 1
        assert_clean(page, "service KPIs")
        page.goto(f"{live_server.url}/staff/services/{sa}/targets/")
        assert_clean(page, "targets")
        page.fill("#t-value", "lots")
        page.click("#target-form button[type=submit]")
        assert page.locator(".usa-error-message").count() == 1
        assert_clean(page, "targets with a form error")
    finally:
        context.close()
