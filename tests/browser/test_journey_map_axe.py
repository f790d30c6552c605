"""axe-core (WCAG 2.0/2.1 A and AA): the journey map page (English and Spanish, with an intended
journey, filters that fail), drill-down, the intended-journey page, the import page and an
import's status page."""

from __future__ import annotations

from typing import Any

import pytest

from govcx.core.models import Role
from govcx.journeys import services
from govcx.journeys.models import JourneyImport
from tests.browser.conftest import assert_clean, staff_context
from tests.journeys.test_intended import STEPS, WITH_F
from tests.journeys.test_map import seed

pytestmark = pytest.mark.browser
PERIOD = "start=2025-03-01&end=2025-03-31"


def test_journey_map_pages(browser: Any, live_server: Any, world: dict[str, Any]) -> None:
    seed(world["a"], world["sa"], WITH_F)
    services.intended_journey_set(service=world["sa"], steps=STEPS)
    job = JourneyImport.objects.create(
        agency=world["a"], service=world["sa"], filename="system.csv", format="csv",
        status="done", rows_total=7, rows_read=7, rows_stored=4, error_count=1,
        errors=[{"row": 4, "where": "row 4", "message": "missing timestamp"}])
    context = staff_context(browser, live_server,
                             world["staff"][("benefits-agency", Role.CX_ANALYST)])
    page = context.new_page()
    page.set_default_timeout(10_000)
    base = f"{live_server.url}/staff/journeys/{world['sa'].pk}/"
    try:
        page.goto(f"{live_server.url}/staff/journeys/")
        assert_clean(page, "journey maps index")
        page.goto(f"{base}?{PERIOD}")
        assert page.locator("svg.journey-map[role=img]").count() == 1
        assert page.locator("#conformance-summary").count() == 1
        assert_clean(page, "journey map")
        page.goto(f"{base}?{PERIOD}&lang=es")
        assert_clean(page, "journey map (es)")
        page.goto(f"{base}?start=nope")
        page.locator("#map-error").wait_for()
        assert_clean(page, "journey map with a filter error")
        page.goto(f"{base}?{PERIOD}")
        page.locator("#journey-arrows a").first.click()
        page.locator("#journey-cases").wait_for()
        assert_clean(page, "drill-down")
        page.goto(f"{base}intended/")
        assert_clean(page, "intended journey")
        page.fill("#intended-steps", "A\nA")
        page.locator("form.usa-form button[type=submit]").first.click()
        page.locator("#intended-error").wait_for()
        assert_clean(page, "intended journey with an error")
        page.goto(f"{base}import/")
        assert_clean(page, "import")
        page.goto(f"{live_server.url}/staff/journeys/imports/{job.pk}/")
        assert_clean(page, "import status")
    finally:
        context.close()
