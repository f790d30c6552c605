"""axe-core (WCAG 2.0/2.1 A and AA): the public contact form (English, Spanish, after an
error) and the agent workspace list and case page."""

from __future__ import annotations

from typing import Any

import pytest

from govcx.contact import services as cs
from govcx.contact.models import CannedReply
from tests.browser.conftest import assert_clean, staff_context
from tests.contact.conftest import centre  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser



def test_public_contact_form(axe_page: Any, live_server: Any,
                             centre: dict[str, Any]) -> None:  # noqa: F811
    url = f"{live_server.url}/contact/{centre['a'].slug}/"
    for suffix in ("", "?lang=es"):
        axe_page.goto(url + suffix)
        assert_clean(axe_page, "contact form " + (suffix or "(en)"))
    axe_page.goto(url)
    axe_page.fill("#c-message", "My card never arrived")
    axe_page.locator("form.usa-form button[type=submit]").click()
    axe_page.locator("#error-summary").wait_for()
    assert axe_page.input_value("#c-message") == "My card never arrived"
    assert_clean(axe_page, "contact form with errors")
    axe_page.fill("#c-name", "Ana")
    axe_page.fill("#c-email", "ana@example.org")
    axe_page.select_option("#c-service", str(centre["sa"].pk))
    axe_page.locator("form.usa-form button[type=submit]").click()
    axe_page.locator("#case-number").wait_for()
    assert_clean(axe_page, "contact form confirmation")


def test_workspace_and_case_page(browser: Any, live_server: Any,
                                 centre: dict[str, Any]) -> None:  # noqa: F811
    received = cs.contact_receive(agency=centre["a"], channel="web",
                                  identity=("email", "ana@example.org"),
                                  sender='"Ana" <ana@example.org>', subject="Card",
                                  body="My card never arrived.")
    cs.case_note(case=received.case, author=centre["agents"][0], text="Checked")
    CannedReply.objects.create(agency=centre["a"], name="Hello", body="Hello {customer_name}")
    context = staff_context(browser, live_server, centre["agents"][0])
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto(f"{live_server.url}/staff/cases/")
        assert page.locator(f'tr[data-case="{received.case.pk}"]').count() == 1
        assert_clean(page, "workspace list")
        page.keyboard.press("j")
        assert page.evaluate("document.activeElement.textContent") == str(received.case.pk)
        page.keyboard.press("Enter")
        page.wait_for_url(f"**/staff/cases/{received.case.pk}/")
        assert_clean(page, "case page")
        page.goto(f"{live_server.url}/staff/cases/queues/")
        assert_clean(page, "queue health")
    finally:
        context.close()
