"""The survey engine: schema validation, templates, versions, PRA expiry."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from govcx.feedback import services as fb
from govcx.feedback import survey_templates
from govcx.feedback.schema import answers_clean, schema_validate
from tests.conftest import make_agency, make_service, make_touchpoint


def test_every_template_is_valid_and_bilingual() -> None:
    for name in survey_templates.TEMPLATES:
        schema = schema_validate(survey_templates.build(name, agency="Agency", service="Service"))
        for q in schema.questions:
            assert q.text["en"] and q.text["es"], (name, q.id)


def test_a11_requires_effectiveness_and_ease() -> None:
    with pytest.raises(ValueError, match="ease"):
        survey_templates.a11(agency="A", service="S", drivers=("effectiveness", "efficiency"))


def _a11_without(role: str, driver: str) -> dict[str, Any]:
    schema = survey_templates.a11(agency="A", service="S")
    q = next(q for q in schema["questions"] if q["role"] == role)
    q["choices"] = [c for c in q["choices"] if c["value"] != driver]
    return schema


@pytest.mark.parametrize(("role", "driver", "fragment"), [
    ("drivers_positive", "ease", "'What went well?' must offer ease"),
    ("drivers_negative", "effectiveness", "'What didn't go so well?' must offer effectiveness"),
])
def test_an_a11_survey_edited_to_drop_a_mandatory_driver_is_refused(
        db: Any, role: str, driver: str, fragment: str) -> None:
    """Not only the template builder: a schema sent by an editor or the API is held to it."""
    agency = make_agency("mandatory")
    survey = fb.survey_create(agency=agency, name="a11",
                              schema=survey_templates.a11(agency="A", service="S"))
    with pytest.raises(fb.SurveyError, match="not valid") as exc:
        fb.survey_version_edit(survey=survey, schema=_a11_without(role, driver))
    assert fragment in str(exc.value)
    assert survey.versions.count() == 1  # nothing stored
    with pytest.raises(fb.SurveyError, match="mandatory drivers"):
        fb.survey_create(agency=agency, name="b", schema=_a11_without(role, driver))
    # the same questions as a custom survey are allowed: the rule is A-11's
    custom = {**_a11_without(role, driver), "template": "custom"}
    assert fb.survey_create(agency=agency, name="c", schema=custom).template == "custom"


def test_an_a11_survey_needs_its_trust_question_on_thumbs_or_five_points(db: Any) -> None:
    schema = survey_templates.a11(agency="A", service="S", scale="scale5")
    schema["questions"][0]["type"] = "stars"  # branches stay valid: stars answer 1-5 too
    with pytest.raises(fb.SurveyError, match="trust question answered by thumbs"):
        fb.survey_create(agency=make_agency("trust-type"), name="a11", schema=schema)


def test_a11_five_point_branches_on_agreement() -> None:
    schema = schema_validate(survey_templates.a11(agency="A", service="S", scale="scale5"))
    clean, errors = answers_clean(schema, {"trust": "2", "went_poorly": ["efficiency"],
                                           "went_well": ["ease"]})
    assert errors == {} and clean == {"trust": 2, "went_poorly": ["efficiency"]}


@pytest.mark.parametrize(
    ("schema", "fragment"),
    [
        ({"questions": []}, "at least 1"),
        ({"questions": [{"id": "q", "type": "single", "text": {"en": "Q", "es": "P"}}]},
         "needs at least one choice"),
        ({"questions": [{"id": "q", "type": "thumbs", "text": {"en": "Q"}}]}, "missing: es"),
        ({"questions": [{"id": "a", "type": "thumbs", "text": {"en": "Q", "es": "P"},
                         "show_if": {"question": "b", "in": ["up"]}}]}, "earlier question"),
        ({"questions": [{"id": "a", "type": "thumbs", "text": {"en": "Q", "es": "P"}},
                        {"id": "b", "type": "yesno", "text": {"en": "Q", "es": "P"},
                         "show_if": {"question": "a", "in": ["maybe"]}}]}, "cannot have"),
        ({"questions": [{"id": "a", "type": "wheel", "text": {"en": "Q", "es": "P"}}]},
         "questions.0.type"),
    ],
)
def test_bad_schemas_are_refused_with_the_reason(db: Any, schema: dict, fragment: str) -> None:
    agency = make_agency("x")
    with pytest.raises(fb.SurveyError, match="not valid") as exc:
        fb.survey_create(agency=agency, name="bad", schema=schema)
    assert fragment in str(exc.value)


def test_every_question_type_validates(db: Any) -> None:
    t = {"en": "Q", "es": "P"}
    ch = [{"value": "a", "text": t}, {"value": "b", "text": t}]
    schema = schema_validate({"questions": [
        {"id": "th", "type": "thumbs", "text": t}, {"id": "sc", "type": "scale5", "text": t},
        {"id": "st", "type": "stars", "text": t},
        {"id": "si", "type": "single", "text": t, "choices": ch, "other": True},
        {"id": "mu", "type": "multi", "text": t, "choices": ch},
        {"id": "yn", "type": "yesno", "text": t}, {"id": "sh", "type": "short_text", "text": t},
        {"id": "lo", "type": "long_text", "text": t}, {"id": "em", "type": "email", "text": t},
        {"id": "ph", "type": "phone", "text": t}, {"id": "da", "type": "date", "text": t},
        {"id": "hi", "type": "hidden", "text": t},
    ]})
    good = {"th": "up", "sc": "5", "st": 3, "si": "other", "si_other": "x", "mu": ["a", "b"],
            "yn": "no", "sh": "short", "lo": "long", "em": "a@example.gov",
            "ph": "(202) 555-0123", "da": "2026-02-28", "hi": "campaign-7"}
    clean, errors = answers_clean(schema, good)
    assert errors == {}
    assert clean["sc"] == 5 and clean["ph"] == "2025550123" and clean["si_other"] == "x"
    bad = {"th": "meh", "sc": "9", "st": "x", "si": "z", "mu": ["z"], "yn": "maybe",
           "sh": "s" * 501, "em": "not-an-email", "ph": "12", "da": "2026-02-30"}
    _, errors = answers_clean(schema, bad)
    assert set(errors) == set(bad)
    assert "YYYY-MM-DD" in errors["da"] and "name@example.com" in errors["em"]


def test_published_version_is_immutable_and_edits_make_a_new_version(db: Any) -> None:
    agency = make_agency("v")
    survey = fb.survey_create(agency=agency, name="s",
                              schema=survey_templates.csat(agency="A", service="S"))
    v1 = survey.current_version
    assert v1 is not None and v1.number == 1
    with pytest.raises(fb.SurveyError, match="already published"):
        fb.survey_version_publish(version=v1)
    edited = survey_templates.csat(agency="A", service="S")
    edited["questions"][1]["required"] = True
    v2 = fb.survey_version_edit(survey=survey, schema=edited)
    assert v2.number == 2 and v2.published_at is None
    v1.refresh_from_db()
    assert v1.schema["questions"][1].get("required", False) is False
    assert survey.current_version == v1  # the draft is not live until published
    fb.survey_version_publish(version=v2)
    assert survey.current_version == v2


def test_expired_pra_approval_stops_answers_and_says_why(db: Any, client: Any) -> None:
    agency = make_agency("pra")
    survey = fb.survey_create(
        agency=agency, name="s", schema=survey_templates.a11(agency="A", service="S"),
        omb_control_number="1234-5678", pra_expiration=dt.date(2020, 1, 31))
    tp = make_touchpoint(make_service(agency), survey=survey)
    page = client.get(f"/s/{tp.public_id}/")
    assert "1234-5678" in page.content.decode() and "expired on 2020-01-31" in page.content.decode()
    r = client.post(f"/api/v1/touchpoints/{tp.public_id}/responses",
                    data={"answers": {"trust": "up"}}, content_type="application/json")
    assert r.status_code == 409 and "expired" in r.json()["message"]
