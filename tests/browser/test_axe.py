"""axe-core (WCAG 2.0/2.1 A and AA) finds no violations on public and staff pages."""

from __future__ import annotations

from typing import Any

import pytest

from govcx.feedback import services as fb
from govcx.feedback.models import Response
from tests.browser.conftest import assert_clean, staff_context, widget_page
from tests.conftest import make_touchpoint

pytestmark = pytest.mark.browser




def test_hosted_survey(axe_page: Any, live_server: Any, world: dict[str, Any]) -> None:
    url = f"{live_server.url}/s/{world['ta'].public_id}/"
    for suffix in ("", "?lang=es"):
        axe_page.goto(url + suffix)
        assert_clean(axe_page, "hosted survey " + (suffix or "(en)"))
    axe_page.goto(url)
    axe_page.locator("form.usa-form button[type=submit]").click()
    axe_page.locator("#error-summary").wait_for()
    assert_clean(axe_page, "hosted survey with errors")


def test_widget_dialog(axe_page: Any, live_server: Any, host_site: Any,
                       world: dict[str, Any]) -> None:
    tp = make_touchpoint(world["sa"], allowed_origins=[host_site.origin])
    host_site.pages["/"] = widget_page(live_server.url, tp.public_id)
    axe_page.goto(host_site.url("/"))
    axe_page.locator("govcx-widget button.l").click()
    axe_page.locator("govcx-widget form").wait_for()
    assert_clean(axe_page, "open widget dialog")
    axe_page.locator("govcx-widget button[type=submit]").click()
    axe_page.locator("govcx-widget [role=alert]").wait_for()
    assert_clean(axe_page, "widget dialog with errors")



def test_staff_pages(browser: Any, live_server: Any, world: dict[str, Any]) -> None:
    for answers in ({"trust": "up", "went_well": ["ease", "effectiveness"], "comments": "Quick"},
                    {"trust": "down", "went_poorly": ["efficiency"], "comments": "Slow"},
                    {"trust": "up"}):
        fb.response_submit(touchpoint=world["ta"], answers=answers, language="en",
                           source=Response.Source.WEB)
    assert Response.objects.filter(service=world["sa"]).count() == 3
    context = staff_context(browser, live_server, world["staff"][("benefits-agency",
                                                                   "administrator")])
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto(f"{live_server.url}/staff/responses/")
        assert "Slow" in page.content()
        assert_clean(page, "staff responses list")
        page.goto(f"{live_server.url}/staff/services/{world['sa'].pk}/dashboard/")
        assert page.locator("h1").count() == 1
        assert_clean(page, "service dashboard")
    finally:
        context.close()
