"""The demo's benefits-application journey in a real browser: the friction page shows the
document re-requests, the switch to the phone after a web error and the slow decision step;
the persona page shows three or more persona cards; axe-core finds no WCAG 2.0/2.1 A or AA
violation on either page (English and Spanish)."""

from __future__ import annotations

from typing import Any

import pytest

from govcx.core.models import Role
from govcx.journeys.demo import journeys_demo_seed
from tests.browser.conftest import assert_clean, staff_context

pytestmark = pytest.mark.browser


def test_demo_friction_and_personas(browser: Any, live_server: Any,
                                    world: dict[str, Any]) -> None:
    assert journeys_demo_seed(agencies=[world["a"]], journeys=1200)["personas"] >= 3
    analyst = world["staff"][("benefits-agency", Role.CX_ANALYST)]
    context = staff_context(browser, live_server, analyst)
    page = context.new_page()
    page.set_default_timeout(20_000)
    try:
        page.goto(f"{live_server.url}/staff/journeys/{world['sa'].pk}/friction/")
        points = page.locator("#friction-points")
        points.wait_for()
        text = points.inner_text()
        # the slow decision step is the worst point
        first = page.locator("li.friction-point").first
        assert first.get_attribute("data-kind") == "bottleneck"
        assert "Eligibility review → Decision made" in first.inner_text()
        # document re-requests: the documents step done again right after a re-request
        assert "'Upload documents' had to be done again" in text
        assert "right after 'Documents re-requested'" in text
        # channel switching to the phone after a web error
        assert "from Website to Phone right after 'Web error'" in text
        assert page.locator("a.friction-action").count() >= 6
        assert_clean(page, "friction page")
        page.goto(f"{live_server.url}/staff/journeys/{world['sa'].pk}/friction/?lang=es")
        page.locator("#friction-points").wait_for()
        assert_clean(page, "friction page (es)")
        page.locator("a.friction-action").first.click()
        page.locator("#action-preview").wait_for()
        assert_clean(page, "propose an action")

        page.goto(f"{live_server.url}/staff/journeys/personas/")
        cards = page.locator("li.persona-card")
        cards.first.wait_for()
        assert cards.count() >= 3
        names = " | ".join(cards.locator("h3").all_inner_texts())
        assert "Spanish speakers" in names and "Phone-reliant" in names, names
        assert page.locator(".persona-quote").count() >= 3
        assert_clean(page, "persona page")
        page.goto(f"{live_server.url}/staff/journeys/personas/?lang=es")
        page.locator("li.persona-card").first.wait_for()
        assert_clean(page, "persona page (es)")
        page.locator(".usa-card__footer a").first.click()
        page.locator("#p-name").wait_for()
        assert_clean(page, "rename a persona")
    finally:
        context.close()
