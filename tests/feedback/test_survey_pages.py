"""Staff author surveys and touchpoints in the browser: a survey starts from a template as a
draft, its questions are edited as the validated schema (a published version never changes:
an edit makes the next draft), publishing makes it what people answer, and a touchpoint puts
it at a service, stage and channel with its own hosted page. Mistakes are explained and
nothing is stored; other agencies and roles without surveys.manage cannot do any of it; every
change is audited."""

from __future__ import annotations

import json
from typing import Any

import pytest

from govcx.core.models import AuditEvent, Role
from govcx.feedback.models import Survey, SurveyVersion, Touchpoint
from tests.browser.conftest import _govcx_static, browser
from tests.conftest import login

__all__ = ["_govcx_static", "browser"]  # fixtures used by the browser test


def _analyst(world: dict[str, Any], slug: str = "benefits-agency") -> Any:
    return world["staff"][(slug, Role.CX_ANALYST)]


def _create(client: Any, world: dict[str, Any], **kw: str) -> Any:
    data = {"agency": str(world["a"].pk), "name": "Benefits A-11", "template": "a11",
            "service_name": "applying for benefits", "scale": "scale5",
            "omb_control_number": "1505-0191", "pra_expiration": "2028-06-30", **kw}
    return client.post("/staff/surveys/", data)


def _actions() -> list[str]:
    return list(AuditEvent.objects.filter(action__startswith=("survey.")).order_by("id")
                .values_list("action", flat=True)) + list(
        AuditEvent.objects.filter(action="touchpoint.create").values_list("action", flat=True))


def test_an_analyst_creates_publishes_and_offers_a_survey(world: dict[str, Any],
                                                          client: Any) -> None:
    login(client, _analyst(world))
    r = _create(client, world)
    survey = Survey.objects.get(name="Benefits A-11")
    assert r.status_code == 302 and r["Location"] == f"/staff/surveys/{survey.pk}/"
    v1 = survey.versions.get()
    assert v1.published_at is None and v1.omb_control_number == "1505-0191"
    assert v1.schema["questions"][0]["type"] == "scale5"
    assert "applying for benefits" in v1.schema["questions"][0]["text"]["en"]
    page = client.get(r["Location"]).content.decode()
    assert "Publish version 1" in page and "&quot;went_well&quot;" in page
    r = client.post(r["Location"], {"action": "publish", "version": str(v1.pk)}, follow=True)
    assert "Version 1 is published" in r.content.decode()
    assert survey.current_version is not None
    # a touchpoint at the service's stage and channel, with its own hosted page
    world["sa"].stages = ["Apply", "Decision"]
    world["sa"].save()
    r = client.post("/staff/touchpoints/new/", {
        "service": str(world["sa"].pk), "survey": str(survey.pk), "name": "After applying",
        "channel": "web", "stage": "Apply", "transaction_point": "Online application",
        "allowed_origins": "https://benefits.example.gov\nhttps://apply.example.gov/"})
    tp = Touchpoint.objects.get(name="After applying")
    assert r.status_code == 302 and r["Location"].endswith(f"#tp-{tp.pk}")
    assert (tp.survey_id, tp.stage, tp.channel, tp.agency_id) == (
        survey.pk, "Apply", "web", world["a"].pk)
    assert tp.allowed_origins.split() == ["https://benefits.example.gov",
                                          "https://apply.example.gov"]
    hosted = client.get(f"/s/{tp.public_id}/").content.decode()
    assert "applying for benefits" in hosted and "1505-0191" in hosted
    assert _actions() == ["survey.create", "survey.publish", "touchpoint.create"]


def test_an_edit_makes_a_new_draft_and_the_published_version_stays(
        world: dict[str, Any], client: Any) -> None:
    login(client, _analyst(world))
    survey = world["ta"].survey  # published version 1, answered by the touchpoint
    v1 = survey.current_version
    schema = dict(v1.schema)
    schema["questions"] = [*schema["questions"], {
        "id": "contact_ok", "type": "yesno", "text": {"en": "May we contact you?",
                                                      "es": "¿Podemos contactarle?"}}]
    url = f"/staff/surveys/{survey.pk}/"
    r = client.post(url, {"action": "edit", "schema": json.dumps(schema),
                          "omb_control_number": "1505-0999", "pra_expiration": ""},
                    follow=True)
    assert "Saved as draft version 2" in r.content.decode()
    v1.refresh_from_db()
    assert [q["id"] for q in v1.schema["questions"]][-1] != "contact_ok"  # unchanged
    v2 = survey.versions.get(number=2)
    assert v2.published_at is None and v2.omb_control_number == "1505-0999"
    assert survey.current_version == v1  # people still answer version 1
    hosted = client.get(f"/s/{world['ta'].public_id}/").content.decode()
    assert "May we contact you?" not in hosted
    # saving again changes the same draft; publishing makes it current
    client.post(url, {"action": "edit", "schema": json.dumps(schema),
                      "omb_control_number": "1505-0998"})
    assert survey.versions.count() == 2
    client.post(url, {"action": "publish", "version": str(v2.pk)})
    assert survey.current_version == survey.versions.get(number=2)
    assert "May we contact you?" in client.get(f"/s/{world['ta'].public_id}/").content.decode()
    # a published version cannot be published (or changed) again
    r = client.post(url, {"action": "publish", "version": str(v2.pk)}, follow=True)
    assert "already published and cannot change" in r.content.decode()
    assert _actions() == ["survey.edit", "survey.edit", "survey.publish"]


@pytest.mark.parametrize(("schema_text", "pra", "messages"), [
    ('{"questions": [', "next year",
     ["The questions are not valid JSON: Expecting value (line 1, column 16)",
      "Enter the date as YYYY-MM-DD."]),
    (json.dumps({"questions": [{"id": "q", "type": "wheel", "text": {"en": "Q", "es": "P"}}]}),
     "", ["questions.0.type"]),
    (json.dumps({"questions": [{"id": "q", "type": "thumbs", "text": {"en": "Q"}}]}),
     "", ["missing: es"]),
])
def test_a_wrong_edit_is_explained_kept_on_the_page_and_not_stored(
        world: dict[str, Any], client: Any, schema_text: str, pra: str,
        messages: list[str]) -> None:
    login(client, _analyst(world))
    survey = world["ta"].survey
    r = client.post(f"/staff/surveys/{survey.pk}/", {"action": "edit", "schema": schema_text,
                                                     "pra_expiration": pra})
    page = r.content.decode()
    assert r.status_code == 400 and "Nothing was saved" in page
    for message in messages:
        assert message in page
    assert schema_text.replace('"', "&quot;") in page  # what was typed stays
    assert survey.versions.count() == 1
    assert not AuditEvent.objects.filter(action="survey.edit").exists()


def test_an_a11_edit_that_drops_a_mandatory_driver_is_refused_on_the_page(
        world: dict[str, Any], client: Any) -> None:
    login(client, _analyst(world))
    survey = world["ta"].survey
    schema = dict(survey.current_version.schema)
    for q in schema["questions"]:
        if q["id"] == "went_well":
            q["choices"] = [c for c in q["choices"] if c["value"] != "effectiveness"]
    r = client.post(f"/staff/surveys/{survey.pk}/", {"action": "edit",
                                                     "schema": json.dumps(schema)})
    assert r.status_code == 400
    assert "must offer effectiveness (mandatory drivers)" in r.content.decode()
    assert survey.versions.count() == 1


def test_new_survey_and_touchpoint_mistakes_are_explained(world: dict[str, Any],
                                                          client: Any) -> None:
    login(client, _analyst(world))
    r = _create(client, world, name="", service_name="", pra_expiration="30/06/2028",
                agency=str(world["b"].pk))
    page = r.content.decode()
    assert r.status_code == 400 and "The survey was not created" in page
    for text in ("Choose one of your agencies.", "Give the survey a name",
                 "Name the service as the public knows it", "Enter the date as YYYY-MM-DD."):
        assert text in page
    assert not Survey.objects.filter(agency=world["b"], name="").exists()
    world["sa"].stages = ["Apply"]
    world["sa"].save()
    count = Touchpoint.objects.count()
    for extra, message in (({"stage": "Renew"}, "&#x27;Renew&#x27; is not a stage of"),
                           ({"allowed_origins": "benefits.example.gov/path"},
                            "Not an origin (scheme://host[:port])"),
                           ({"survey": str(world["tb"].survey_id)},
                            "Choose one of your agencies&#x27; surveys.")):
        r = client.post("/staff/touchpoints/new/", {
            "service": str(world["sa"].pk), "survey": str(world["ta"].survey_id),
            "name": "X", "channel": "web", **extra})
        assert r.status_code == 400 and message in r.content.decode(), extra
        assert 'value="X"' in r.content.decode()  # the form keeps what was typed
    assert Touchpoint.objects.count() == count


@pytest.mark.parametrize("role", [Role.VIEWER, Role.PERFORMANCE_MANAGER, Role.AGENT])
def test_roles_without_surveys_manage_cannot_author(world: dict[str, Any], client: Any,
                                                    role: str) -> None:
    login(client, world["staff"][("benefits-agency", role)])
    page = client.get("/staff/surveys/").content.decode()
    assert "No survey you can manage yet." in page and 'name="template"' not in page
    assert _create(client, world).status_code == 404
    survey = world["ta"].survey
    assert client.get(f"/staff/surveys/{survey.pk}/").status_code == 404
    assert client.post(f"/staff/surveys/{survey.pk}/", {
        "action": "publish", "version": str(survey.current_version.pk)}).status_code == 404
    assert 'name="service"' not in client.get("/staff/touchpoints/new/").content.decode()
    assert client.post("/staff/touchpoints/new/", {
        "service": str(world["sa"].pk), "survey": str(survey.pk), "name": "X",
        "channel": "web"}).status_code == 404
    assert Survey.objects.count() == 2 and SurveyVersion.objects.count() == 2


def test_another_agencys_surveys_are_not_found(world: dict[str, Any], client: Any) -> None:
    login(client, _analyst(world, "tax-agency"))
    survey = world["ta"].survey
    assert "Benefits" not in client.get("/staff/surveys/").content.decode()
    assert client.get(f"/staff/surveys/{survey.pk}/").status_code == 404
    r = client.post(f"/staff/surveys/{survey.pk}/", {"action": "edit", "schema": "{}"})
    assert r.status_code == 404 and survey.versions.count() == 1
    r = client.post("/staff/touchpoints/new/", {
        "service": str(world["sa"].pk), "survey": str(world["tb"].survey_id), "name": "X",
        "channel": "web"})
    assert r.status_code == 400 and "Choose one of your agencies&#x27; services." in \
        r.content.decode()


@pytest.mark.browser
def test_survey_pages_are_accessible(browser: Any, live_server: Any,
                                     world: dict[str, Any]) -> None:
    from tests.browser.conftest import assert_clean, staff_context

    context = staff_context(browser, live_server, _analyst(world))
    page = context.new_page()
    page.set_default_timeout(10_000)
    base = live_server.url
    try:
        for lang in ("es", "en"):  # the switch is remembered: English last
            for path in ("/staff/surveys/", f"/staff/surveys/{world['ta'].survey_id}/",
                         "/staff/touchpoints/new/"):
                page.goto(f"{base}{path}?lang={lang}")
                page.locator("h1").first.wait_for()
                assert page.locator("html").get_attribute("lang") == lang
                assert_clean(page, f"{path} ({lang})")
        # a new survey from the keyboard-reachable form, then its page with errors
        page.goto(f"{base}/staff/surveys/")
        page.fill("#s-name", "Phone CSAT")
        page.select_option("#s-template", "csat")
        page.fill("#s-service", "the benefits phone line")
        page.locator("button[type=submit]", has_text="Create the draft survey").click()
        page.locator("#publish").wait_for()
        assert_clean(page, "new survey")
        page.fill("#q-schema", "{")
        page.locator("button[type=submit]", has_text="Save as draft").click()
        page.locator("#edit-errors").wait_for()
        assert_clean(page, "survey edit with errors")
    finally:
        context.close()


def test_an_edit_cannot_turn_an_a11_survey_into_another_kind(world: dict[str, Any],
                                                             client: Any) -> None:
    """Otherwise changing "template" would slip past A-11's mandatory drivers."""
    login(client, _analyst(world))
    survey = world["ta"].survey
    schema = dict(survey.current_version.schema)
    schema["template"] = "custom"
    for q in schema["questions"]:
        if q.get("choices"):
            q["choices"] = [c for c in q["choices"] if c["value"] not in ("ease",
                                                                          "effectiveness")]
    r = client.post(f"/staff/surveys/{survey.pk}/", {"action": "edit",
                                                     "schema": json.dumps(schema)})
    assert r.status_code == 400
    assert "This is a &#x27;a11&#x27; survey: its questions must keep" in r.content.decode()
    assert survey.versions.count() == 1


def test_deeply_nested_json_is_refused_with_a_message(world: dict[str, Any],
                                                      client: Any) -> None:
    login(client, _analyst(world))
    survey = world["ta"].survey
    r = client.post(f"/staff/surveys/{survey.pk}/", {
        "action": "edit", "schema": "[" * 50_000 + "]" * 50_000})
    assert r.status_code == 400
    assert "nested too deeply" in r.content.decode()


def test_a_version_stored_before_the_a11_rule_stays_readable_but_cannot_be_published(
        world: dict[str, Any], client: Any) -> None:
    """A-11's rules are checked when a schema is written, not when a stored one is read:
    a version saved before the rule (here written straight to the table) still serves its
    page and its counts; publishing it is refused with the reason."""
    from govcx.metrics.services import rollups_current

    survey = world["ta"].survey
    v1 = survey.current_version
    schema = json.loads(json.dumps(v1.schema))
    for q in schema["questions"]:
        if q.get("choices"):
            q["choices"] = [c for c in q["choices"] if c["value"] != "ease"]
    SurveyVersion.objects.filter(pk=v1.pk).update(schema=schema)
    draft = SurveyVersion.objects.create(survey=survey, number=2, schema=schema)
    hosted = client.get(f"/s/{world['ta'].public_id}/")
    assert hosted.status_code == 200
    from govcx.feedback import services as fb

    assert fb.response_submit(touchpoint=world["ta"], answers={"trust": "up"}).ok
    rollups_current()  # reads every version's schema
    login(client, _analyst(world))
    r = client.post(f"/staff/surveys/{survey.pk}/", {"action": "publish",
                                                     "version": str(draft.pk)}, follow=True)
    assert r.status_code == 200
    assert "Version 2 cannot be published" in r.content.decode()
    assert "must offer ease" in r.content.decode()
    draft.refresh_from_db()
    assert draft.published_at is None


def test_the_pra_expiration_is_kept_changed_or_removed_by_the_form(world: dict[str, Any],
                                                                  client: Any) -> None:
    import datetime as dt

    from govcx.feedback import services as fb

    login(client, _analyst(world))
    survey = world["ta"].survey
    url = f"/staff/surveys/{survey.pk}/"
    schema = json.dumps(survey.current_version.schema)
    client.post(url, {"action": "edit", "schema": schema, "pra_expiration": "2029-01-31"})
    draft = survey.versions.get(number=2)
    assert draft.pra_expiration == dt.date(2029, 1, 31)
    assert 'value="2029-01-31"' in client.get(url).content.decode()  # the form shows it
    fb.survey_version_edit(survey=survey, schema=json.loads(schema))  # a caller that keeps it
    draft.refresh_from_db()
    assert draft.pra_expiration == dt.date(2029, 1, 31)
    client.post(url, {"action": "edit", "schema": schema, "pra_expiration": ""})
    draft.refresh_from_db()
    assert draft.pra_expiration is None  # emptied on the form: no expiration
