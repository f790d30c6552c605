"""axe-core (WCAG 2.0/2.1 A and AA) on the assistant's chat widget: closed, open and empty,
and open with every kind of message (answer with rating buttons, hand-over, crisis
information, an agent's reply), on a plain third-party page and on the help centre."""

from __future__ import annotations

from typing import Any

import pytest

from govcx.assist.models import Conversation
from govcx.contact import services as cs
from tests.assist.assistant_fixtures import _model_cache_cleared  # noqa: F401 (autouse)
from tests.browser.conftest import assert_clean
from tests.browser.test_assistant_e2e import ask, chat_page, chat_world  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser




def fill_conversation(page: Any, w: dict[str, Any], lang: str) -> None:
    q = {"en": ("How do I apply for benefits?", "I want to hurt myself"),
         "es": ("¿Cómo solicito beneficios?", "Quiero quitarme la vida")}[lang]
    ask(page, q[0], 0)
    page.locator("govcx-chat .rt button").nth(1).click()  # "not helpful": offers a person
    page.locator("govcx-chat .m[data-kind=offer]").wait_for()
    ask(page, q[1], 3)
    conv = Conversation.objects.order_by("-id").first()
    assert conv is not None and conv.case is not None
    cs.case_reply(case=conv.case, author=w["agent"], body="Hello, this is Ana from the agency.")
    page.locator("govcx-chat [role=log] .m.t").wait_for(timeout=15_000)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_widget_on_a_third_party_page(axe_page: Any, live_server: Any, host_site: Any,
                                      chat_world: dict[str, Any], lang: str) -> None:  # noqa: F811
    host_site.pages["/"] = chat_page(live_server.url, lang=lang)
    axe_page.goto(host_site.url("/"))
    axe_page.locator("govcx-chat button.l").wait_for()
    assert_clean(axe_page, f"page with the chat launcher ({lang})")
    axe_page.locator("govcx-chat button.l").click()
    axe_page.locator("govcx-chat [role=dialog]").wait_for()
    assert_clean(axe_page, f"chat open, empty ({lang})")
    fill_conversation(axe_page, chat_world, lang)
    kinds = axe_page.eval_on_selector_all(
        "govcx-chat >> [role=log] .m", "els => els.map(e => e.dataset.kind)")
    assert {"person", "answer", "offer", "crisis", "handover", "agent"} <= set(kinds), kinds
    assert_clean(axe_page, f"chat open with messages ({lang})")


def test_widget_on_the_help_centre(axe_page: Any, live_server: Any,
                                   chat_world: dict[str, Any]) -> None:  # noqa: F811
    url = f"{live_server.url}/help/benefits-agency/"
    r = axe_page.goto(url)
    assert r is not None and r.status == 200
    # the help centre's own layout embeds the widget
    axe_page.locator("govcx-chat button.l").wait_for()
    axe_page.locator("govcx-chat button.l").click()
    axe_page.locator("govcx-chat [role=dialog]").wait_for()
    fill_conversation(axe_page, chat_world, "en")
    assert_clean(axe_page, "help centre with the chat open")
