"""The public transparency dashboard in headless Chromium: axe-core (WCAG 2.0/2.1 A and AA)
in English and Spanish on the list of agencies, an agency, a service (by month and by
quarter) and a missing page; tables and links reachable with the keyboard; the period form
works without a mouse."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from govcx.contact.models import CallDaily
from govcx.improve.models import Action
from govcx.metrics.models import Target
from tests.browser.conftest import assert_clean
from tests.metrics.test_public_pages import FY, add_responses, month

pytestmark = pytest.mark.browser


@pytest.fixture
def dashboard(transactional_db: Any, world: dict[str, Any]) -> dict[str, Any]:
    a, sa, tp = world["a"], world["sa"], world["ta"]
    for i in range(12):
        add_responses(tp, month(i), 6 if i == 2 else 25, trusting=18,
                      went_well=("ease", "effectiveness"))
        CallDaily.objects.create(agency=a, day=month(i), service_id=sa.pk,
                                 offered=9 if i == 4 else 50, answered=45 if i != 4 else 8,
                                 wait_seconds_sum=45 * 40)
    Target.objects.create(agency=a, service=sa, kpi="trust", start=dt.date(2025, 10, 1),
                          end=dt.date(2026, 9, 30), value=70, public=True)
    Action.objects.create(agency=a, service=sa, title="Shorter form", status="done",
                          public_title_en="Shorter form", public_title_es="Formulario más corto",
                          public=True, completed_on=dt.date(2026, 4, 1),
                          you_said_en="The form was too long", you_said_es="El formulario era largo",
                          we_did_en="We removed 12 questions", we_did_es="Quitamos 12 preguntas")
    return world


def test_pages_are_accessible_in_english_and_spanish(axe_page: Any, live_server: Any,
                                                     dashboard: dict[str, Any]) -> None:
    base = f"{live_server.url}/transparency/"
    for lang in ("en", "es"):
        for what, url in (
            ("agencies", f"{base}?fy={FY}&lang={lang}"),
            ("agency", f"{base}benefits-agency/?fy={FY}&lang={lang}"),
            ("service by month", f"{base}benefits-agency/benefits/?fy={FY}&lang={lang}"),
            ("service by quarter",
             f"{base}benefits-agency/benefits/?fy={FY}&grain=quarter&lang={lang}"),
            ("missing service", f"{base}benefits-agency/nothing-here/?lang={lang}"),
        ):
            axe_page.goto(url)
            assert axe_page.locator("html").get_attribute("lang") == lang
            assert_clean(axe_page, f"{what} ({lang})")
    axe_page.goto(f"{base}benefits-agency/benefits/?fy={FY}&lang=es")
    assert "Quitamos 12 preguntas" in axe_page.content()
    hidden = axe_page.locator("#trust-table .govcx-suppressed").all_inner_texts()
    assert hidden and all(t for t in hidden)


def _tab_to(page: Any, predicate: str, limit: int = 400) -> dict[str, Any]:
    """Press Tab until the focused element matches `predicate` (a JS expression on `el`)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        info = page.evaluate(f"""() => {{ const el = document.activeElement;
            return {{ match: !!({predicate}), tag: el.tagName, id: el.id,
                      href: el.getAttribute('href') || '', text: el.innerText || '' }}; }}""")
        if info["match"]:
            return dict(info)
    raise AssertionError(f"never reached {predicate} with the keyboard")


def test_keyboard_reaches_tables_links_and_the_period_form(page: Any, live_server: Any,
                                                           dashboard: dict[str, Any]) -> None:
    page.goto(f"{live_server.url}/transparency/benefits-agency/?fy={FY}")
    link = _tab_to(page, "el.closest('#services-table') && el.tagName === 'A'")
    assert "/transparency/benefits-agency/benefits/" in link["href"]
    page.keyboard.press("Enter")
    page.wait_for_url("**/transparency/benefits-agency/benefits/**")
    # every scrollable table region takes focus, so its rows can be scrolled with the keys
    for table in ("trust-table", "channel-table", "ops-table", "targets-table"):
        got = _tab_to(page, f"el.querySelector && el.querySelector('#{table}') "
                            "&& el.getAttribute('tabindex') === '0'")
        assert got["tag"] == "DIV"
    # the period form: choose quarters with the keyboard and submit
    page.goto(f"{live_server.url}/transparency/benefits-agency/benefits/?fy={FY}")
    _tab_to(page, "el.id === 'grain-month'")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.id") == "grain-quarter"
    page.keyboard.press("Enter")
    page.wait_for_url("**grain=quarter**")
    assert page.locator("#trust-table tbody tr").count() == 5  # 4 quarters and the year
    # the language switch
    _tab_to(page, "el.getAttribute('lang') === 'es'")
    page.keyboard.press("Enter")
    page.wait_for_url("**lang=es**")
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.locator("#trust-table tbody tr").count() == 5
