"""The assistant end to end in a real browser: the chat widget on a third-party page answers
a routine question with the approved answer and its link, hands an out-of-scope question
over; an agent signs in, opens the case and sees the whole transcript; the person's
follow-up lands on the same case, and the agent's reply reaches the person in the chat."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

import pytest

from govcx.assist.models import Conversation
from govcx.contact.models import Case, Contact
from tests.assist.assistant_fixtures import _model_cache_cleared, assistant_world  # noqa: F401
from tests.conftest import PASSWORD, make_agency, make_service, make_staff, make_touchpoint

pytestmark = pytest.mark.browser

CHAT = Path(__file__).resolve().parents[2] / "govcx" / "assist" / "static" / "assist" / "chat.js"
ACTIVE = """() => { const r = document.querySelector('govcx-chat').shadowRoot;
  const a = r.activeElement; const d = r.querySelector('[role=dialog]');
  return a ? {tag: a.tagName.toLowerCase(), id: a.id, cls: a.className,
    inDialog: !!(d && d.contains(a))} : null; }"""


def chat_page(live_server_url: str, *, lang: str = "en", agency: str = "benefits-agency") -> str:
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>Partner site</title></head><body><main><h1>Partner site</h1>"
        f'<p>Some content.</p><p><a href="#top">A link on the page</a></p></main>'
        f'<script src="{live_server_url}/static/assist/chat.js" '
        f'data-govcx-agency="{agency}" data-lang="{lang}" defer></script></body></html>'
    )


@pytest.fixture
def chat_world(transactional_db: Any, host_site: Any) -> dict[str, Any]:
    agency = make_agency("benefits-agency", "Benefits Agency")
    service = make_service(agency, "benefits", name="Apply for benefits")
    make_touchpoint(service, allowed_origins=[host_site.origin])
    agent = make_staff(agency, "agent", "ana-agent")
    return {"a": agency, "agent": agent, **assistant_world(agency)}


def ask(page: Any, text: str, n_before: int) -> Any:
    """Type a question, send it with Enter, wait for the assistant's reply; the last reply."""
    box = page.locator("govcx-chat textarea")
    box.fill(text)
    box.press("Enter")
    msgs = page.locator("govcx-chat [role=log] .m:not(.p)")
    msgs.nth(n_before).wait_for()
    return msgs.nth(msgs.count() - 1)


def test_answer_handover_agent_transcript_and_follow_up(
        browser: Any, page: Any, live_server: Any, host_site: Any,
        chat_world: dict[str, Any]) -> None:
    host_site.pages["/"] = chat_page(live_server.url)
    page.goto(host_site.url("/"))
    launcher = page.locator("govcx-chat button.l")
    launcher.wait_for()
    assert launcher.inner_text() == "Ask a question"
    launcher.click()
    dialog = page.locator("govcx-chat [role=dialog]")
    dialog.wait_for()
    assert dialog.get_attribute("aria-modal") == "true"
    assert page.evaluate(ACTIVE)["id"] == "gc-q"  # focus moved into the dialog, on the input

    # 1. a routine question: the approved answer, with its link
    answer = ask(page, "How do I apply for benefits?", 0)
    assert "Apply online at benefits.example.gov" in answer.inner_text()
    link = answer.locator("a")
    assert link.inner_text() == "How to apply for benefits"
    assert link.get_attribute("href") == f"{live_server.url}/help/benefits-agency/a/how-to-apply/"
    assert answer.locator("button[aria-label='Yes, this answer helped']").count() == 1

    # 2. out of scope: handed over, told what happens next and the reference number
    handover = ask(page, "Can my dog eat chocolate? I live at 12 Oak Rd", 1)
    conv = Conversation.objects.get()
    assert conv.status == Conversation.Status.HANDED_OVER and conv.case_id
    text = handover.inner_text()
    assert f"Your reference number is {conv.case_id}" in text
    assert "within one business day" in text
    assert "[ADDRESS]" in conv.messages.filter(speaker="person").last().text  # type: ignore[union-attr]

    # 3. an agent signs in, opens the case and sees the whole transcript
    staff = browser.new_context()
    agent_page = staff.new_page()
    agent_page.set_default_timeout(10_000)
    try:
        agent_page.goto(f"{live_server.url}/accounts/login/?next=/staff/cases/{conv.case_id}/")
        agent_page.fill("#id_username", "ana-agent")
        agent_page.fill("#id_password", PASSWORD)
        agent_page.locator("form.usa-form button[type=submit]").click()
        agent_page.wait_for_url(f"**/staff/cases/{conv.case_id}/")
        transcript = agent_page.locator("#conversation").inner_text()
        assert "How do I apply for benefits?" in transcript
        assert "Apply online at benefits.example.gov" in transcript
        assert "/help/benefits-agency/a/how-to-apply/" in transcript
        assert "Can my dog eat chocolate? I live at 12 Oak Rd" in transcript  # the real words
        events = agent_page.locator("#case-events").inner_text()
        assert "handoff" in events and "how-to-apply" in events

        # 4. the person's follow-up lands on the same case
        follow = ask(page, "It ate a whole bar an hour ago", 2)
        assert f"case {conv.case_id}" in follow.inner_text()
        assert Case.objects.count() == 1
        assert Contact.objects.filter(case_id=conv.case_id).count() == 2
        agent_page.reload()
        assert "It ate a whole bar an hour ago" in agent_page.locator("#conversation").inner_text()

        # 5. the agent's reply (chat channel) reaches the person in the widget
        agent_page.select_option("#reply-channel", "chat")
        agent_page.fill("#reply-body", "Please call your vet right away.")
        agent_page.locator("#reply-form button[type=submit]").click()
        agent_page.wait_for_load_state()
        reply = page.locator("govcx-chat [role=log] .m.t")
        reply.wait_for(timeout=15_000)
        assert "Please call your vet right away." in reply.inner_text()
    finally:
        staff.close()

    # keyboard: Escape closes the dialog and focus returns to the launcher
    page.keyboard.press("Escape")
    assert dialog.count() == 0
    assert page.evaluate(ACTIVE)["cls"] == "l"


def test_focus_is_trapped_and_spanish(page: Any, live_server: Any, host_site: Any,
                                      chat_world: dict[str, Any]) -> None:
    host_site.pages["/es"] = chat_page(live_server.url, lang="es")
    page.goto(host_site.url("/es"))
    page.locator("govcx-chat button.l").click()
    page.locator("govcx-chat [role=dialog]").wait_for()
    assert page.locator("govcx-chat h2").inner_text() == "Asistente virtual"
    for _ in range(8):  # Tab around: focus never leaves the dialog
        page.keyboard.press("Tab")
        assert page.evaluate(ACTIVE)["inDialog"]
    for _ in range(8):
        page.keyboard.press("Shift+Tab")
        assert page.evaluate(ACTIVE)["inDialog"]
    page.locator("govcx-chat textarea").focus()
    answer = ask(page, "¿Cómo solicito beneficios?", 0)
    assert "Solicite en línea" in answer.inner_text()
    assert answer.locator("a").inner_text() == "Cómo solicitar beneficios"
    # crisis: emergency information first, prominently, with numbers to call
    crisis = ask(page, "Quiero quitarme la vida", 1)
    crisis = page.locator("govcx-chat [role=log] .m.c")
    assert "988" in crisis.inner_text() and "oprima 2" in crisis.inner_text()
    assert crisis.locator("a[href='tel:988']").count() == 1
    conv = Conversation.objects.get()
    assert conv.case is not None and conv.case.priority == "urgent"


def test_text_is_never_parsed_as_html(page: Any, live_server: Any, host_site: Any,
                                      chat_world: dict[str, Any]) -> None:
    host_site.pages["/"] = chat_page(live_server.url)
    page.goto(host_site.url("/"))
    page.locator("govcx-chat button.l").click()
    ask(page, '<img src=x onerror="window.pwned=1">talk to a person', 0)
    person = page.locator("govcx-chat [role=log] .m.p")
    assert "<img src=x" in person.inner_text()
    assert page.evaluate("window.pwned") is None
    assert page.locator("govcx-chat img").count() == 0


def test_size() -> None:
    raw = CHAT.read_bytes()
    gz = len(gzip.compress(raw, 9))
    print(f"chat.js: {len(raw)} bytes, {gz} bytes gzipped")
    assert gz < 8_000
    assert "innerHTML" not in raw.decode()
