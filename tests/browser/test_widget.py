"""The embeddable widget in a real browser, on a third-party page from another origin."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

import pytest

from govcx.feedback import services as fb
from govcx.feedback.models import OfferCount, Response
from tests.browser.conftest import widget_page
from tests.conftest import make_agency, make_service, make_touchpoint

pytestmark = pytest.mark.browser

WIDGET = Path(__file__).resolve().parents[2] / "govcx" / "static" / "govcx" / "widget.js"

SCHEMA = {"template": "custom", "questions": [
    {"id": "trust", "type": "thumbs", "role": "trust", "required": True,
     "text": {"en": "I trust the agency.", "es": "Confío en la agencia."}},
    {"id": "went_well", "type": "multi", "role": "drivers_positive", "other": True,
     "show_if": {"question": "trust", "in": ["up"]},
     "text": {"en": "What went well?", "es": "¿Qué salió bien?"},
     "choices": [{"value": "ease", "text": {"en": "Easy", "es": "Fácil"}},
                 {"value": "efficiency", "text": {"en": "Quick", "es": "Rápido"}}]},
    {"id": "went_poorly", "type": "multi", "role": "drivers_negative",
     "show_if": {"question": "trust", "in": ["down"]},
     "text": {"en": "What went poorly?", "es": "¿Qué salió mal?"},
     "choices": [{"value": "ease", "text": {"en": "Hard", "es": "Difícil"}}]},
    {"id": "found", "type": "yesno", "text": {"en": "Did you find it?", "es": "¿Lo encontró?"}},
    {"id": "score", "type": "scale5", "text": {"en": "Rate it", "es": "Califique"},
     "scale_labels": {"en": "1 = bad, 5 = good", "es": "1 = malo, 5 = bueno"}},
    {"id": "email", "type": "email", "text": {"en": "Email", "es": "Correo"}},
    {"id": "comments", "type": "long_text", "role": "comment",
     "text": {"en": "Comments", "es": "Comentarios"}},
]}

ACTIVE = """() => { const r = document.querySelector('govcx-widget').shadowRoot;
  const a = r.activeElement; const d = r.querySelector('[role=dialog]');
  return a ? {tag: a.tagName.toLowerCase(), name: a.name || '', value: a.value || '',
    text: (a.textContent || '').trim(), cls: a.className, inDialog: !!(d && d.contains(a))}
    : null; }"""


@pytest.fixture
def widget_tp(transactional_db: Any, host_site: Any) -> Any:
    agency = make_agency("benefits-agency", "Benefits Agency")
    service = make_service(agency, "benefits", name="Apply for benefits")
    survey = fb.survey_create(agency=agency, name="Widget survey", schema=SCHEMA)
    return make_touchpoint(service, survey, allowed_origins=[host_site.origin])


def active(page: Any) -> dict[str, Any]:
    return page.evaluate(ACTIVE)


def press(page: Any, *keys: str) -> None:
    for k in keys:
        page.keyboard.press(k)


def test_keyboard_only_submission(page: Any, live_server: Any, host_site: Any,
                                  widget_tp: Any) -> None:
    host_site.pages["/"] = widget_page(live_server.url, widget_tp.public_id)
    page.goto(host_site.url("/"))
    launcher = page.locator("govcx-widget button.l")
    launcher.wait_for()
    for _ in range(5):  # Tab from the top of the page until the launcher has focus
        press(page, "Tab")
        if (active(page) or {}).get("cls") == "l":
            break
    assert active(page)["text"] == "Feedback"

    press(page, "Enter")
    dialog = page.locator("govcx-widget [role=dialog]")
    dialog.wait_for()
    assert dialog.get_attribute("aria-modal") == "true"
    assert page.locator("govcx-widget #gx-t").inner_text() == "Tell us about your experience"
    page.locator("govcx-widget form").wait_for()
    focused = active(page)
    assert (focused["inDialog"], focused["name"], focused["value"]) == (True, "trust", "up")

    # Tab and Shift+Tab never leave the dialog.
    for key in ["Tab"] * 12 + ["Shift+Tab"] * 15:
        press(page, key)
        assert active(page)["inDialog"], key
    press(page, "Escape")
    assert dialog.count() == 0
    assert active(page)["cls"] == "l"

    # Reopen (the survey is cached) and answer with the keyboard alone.
    press(page, "Enter")
    page.locator("govcx-widget form").wait_for()
    assert active(page)["name"] == "trust"
    assert not page.locator("govcx-widget [data-q=went_well]").is_visible()
    press(page, "Space")  # thumbs up -> "What went well?" appears
    assert page.locator("govcx-widget [data-q=went_well]").is_visible()
    assert not page.locator("govcx-widget [data-q=went_poorly]").is_visible()
    press(page, "Tab", "Space")  # Easy
    press(page, "Tab", "Tab", "Space")  # Other -> its text box appears
    press(page, "Tab")
    assert active(page)["name"] == "went_well_other"
    page.keyboard.type("Friendly staff")
    press(page, "Tab", "ArrowRight")  # yes/no group: arrow moves to and selects "No"
    assert (active(page)["name"], active(page)["value"]) == ("found", "no")
    press(page, "Tab", "ArrowRight", "ArrowRight", "ArrowRight", "ArrowRight")  # 1 -> 5
    assert active(page)["value"] == "5"
    press(page, "Tab")
    page.keyboard.type("not-an-email")
    press(page, "Tab")
    page.keyboard.type("Thank you!")
    press(page, "Tab")
    assert active(page)["text"] == "Submit"
    press(page, "Enter")

    # 400: a summary gets focus, the message sits by the question, answers are kept.
    alert = page.locator("govcx-widget [role=alert]")
    alert.wait_for()
    assert "Please check your answers" in alert.inner_text()
    assert "Enter an email address" in page.locator("govcx-widget #gx-email-e").inner_text()
    assert page.locator("govcx-widget #gx-email").get_attribute("aria-invalid") == "true"
    assert page.locator("govcx-widget #gx-comments").input_value() == "Thank you!"
    assert active(page)["cls"] == "al"
    press(page, "Tab", "Enter")  # the error link moves focus to the field
    assert active(page)["name"] == "email"
    press(page, "Control+A")
    page.keyboard.type("person@example.com")
    press(page, "Enter")  # implicit submission from a text field

    page.locator("govcx-widget h3").wait_for()
    assert page.locator("govcx-widget h3").inner_text() == "Thank you for your feedback"
    assert active(page)["tag"] == "h3"
    resp = Response.objects.get(touchpoint=widget_tp)
    assert resp.answers == {"trust": "up", "went_well": ["ease", "other"],
                            "went_well_other": "Friendly staff", "found": "no", "score": 5,
                            "email": "person@example.com", "comments": "Thank you!"}
    assert resp.source == Response.Source.WIDGET
    assert resp.trust_positive is True
    assert resp.page_url == host_site.url("/")
    assert sum(OfferCount.objects.filter(touchpoint=widget_tp).values_list("count", flat=True)) == 1
    press(page, "Escape")
    assert active(page)["cls"] == "l"


def test_spanish_and_forbidden_origin(page: Any, live_server: Any, host_site: Any,
                                      widget_tp: Any) -> None:
    host_site.pages["/es"] = widget_page(live_server.url, widget_tp.public_id, lang="es")
    page.goto(host_site.url("/es"))
    page.locator("govcx-widget button.l").click()
    page.locator("govcx-widget form").wait_for()
    assert page.locator("govcx-widget legend").first.inner_text().startswith("Confío")
    assert page.locator("govcx-widget .r").get_attribute("lang") == "es"

    widget_tp.allowed_origins = "https://elsewhere.example.org"
    widget_tp.save()
    page.locator("govcx-widget input[value=up]").check()
    page.locator("govcx-widget button[type=submit]").click()
    alert = page.locator("govcx-widget [role=alert]")
    alert.wait_for()
    # The API refuses a disallowed origin with a readable 403 (a message, no data): the widget
    # says the site is not set up for this survey and keeps the answers.
    assert "Este sitio web no está configurado" in alert.inner_text()
    assert page.locator("govcx-widget input[value=up]").is_checked()  # answers kept
    assert Response.objects.count() == 0


HOSTILE_CSS = """<style>
* { color: red !important; font-size: 40px !important; font-family: serif !important;
    line-height: 3 !important; padding: 9px !important; margin: 7px !important;
    background: yellow !important; border: 5px dotted green !important; }
button, input, legend, label { display: inline !important; width: 10px !important; }
govcx-widget { display: none !important; opacity: 0.1 !important; }
html { font-size: 40px !important; }
</style>"""

STYLE_PROBE = """() => { const r = document.querySelector('govcx-widget').shadowRoot;
  const props = ['color', 'font-size', 'font-family', 'line-height', 'padding-top', 'margin-top',
    'background-color', 'border-top-style', 'display', 'width', 'height'];
  const out = {};
  for (const sel of ['button.l', '[role=dialog]', 'h2', 'legend', 'label.op', 'input.x',
                     'textarea', 'button[type=submit]']) {
    const el = r.querySelector(sel); const cs = getComputedStyle(el);
    out[sel] = Object.fromEntries(props.map(p => [p, cs.getPropertyValue(p)]));
  }
  out.host = getComputedStyle(document.querySelector('govcx-widget')).display;
  return out; }"""


def test_host_page_css_does_not_leak_in(page: Any, live_server: Any, host_site: Any,
                                       widget_tp: Any) -> None:
    results = []
    for path, head in (("/plain", ""), ("/hostile", HOSTILE_CSS)):
        host_site.pages[path] = widget_page(live_server.url, widget_tp.public_id, head=head)
        page.goto(host_site.url(path))
        page.locator("govcx-widget button.l").click()
        page.locator("govcx-widget form").wait_for()
        results.append(page.evaluate(STYLE_PROBE))
        if not head:  # ...and the widget's styles do not leak out onto the host page
            assert page.evaluate("getComputedStyle(document.querySelector('h1')).color") \
                == "rgb(0, 0, 0)"
    plain, hostile = results
    assert plain == hostile
    assert plain["button.l"]["color"] == "rgb(255, 255, 255)"
    assert plain["button.l"]["font-size"] == "16px"
    assert plain["legend"]["color"] == "rgb(27, 27, 27)"


def test_widget_size_budget() -> None:
    raw = WIDGET.read_bytes()
    packed = len(gzip.compress(raw, compresslevel=9))
    print(f"widget.js: {len(raw)} bytes raw, {packed} bytes gzipped")
    assert packed < 10 * 1024


def test_retry_after_network_error_reuses_idempotency_key(
        page: Any, live_server: Any, host_site: Any, widget_tp: Any) -> None:
    host_site.pages["/"] = widget_page(live_server.url, widget_tp.public_id)
    keys: list[str] = []

    def flaky(route: Any) -> None:
        if route.request.method == "POST":
            keys.append(route.request.headers.get("idempotency-key", ""))
            if len(keys) == 1:
                route.abort("connectionreset")
                return
        route.continue_()

    page.route("**/responses", flaky)
    page.goto(host_site.url("/"))
    page.locator("govcx-widget button.l").click()
    page.locator("govcx-widget input[value=down]").check()
    page.locator("govcx-widget input[name=went_poorly]").check()
    submit = page.locator("govcx-widget button[type=submit]")
    submit.click()
    alert = page.locator("govcx-widget [role=alert]")
    alert.wait_for()
    assert "could not reach" in alert.inner_text()
    assert page.locator("govcx-widget input[name=went_poorly]").is_checked()
    submit.click()
    page.locator("govcx-widget h3").wait_for()
    assert len(keys) == 2 and keys[0] == keys[1] and len(keys[0]) == 32
    resp = Response.objects.get(touchpoint=widget_tp)
    assert resp.answers == {"trust": "down", "went_poorly": ["ease"]}
    assert resp.idempotency_key == keys[0]
