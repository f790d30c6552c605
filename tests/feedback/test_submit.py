"""Submitting answers: validation, branching, idempotency, spam quarantine, rollups."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from govcx.feedback.models import Response
from govcx.metrics.models import ResponseDaily
from govcx.metrics.services import rollups_current


def _post(client: Client, tp, body: dict, key: str | None = None, **headers):
    h = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    h.update(headers)
    return client.post(f"/api/v1/touchpoints/{tp.public_id}/responses",
                       data=json.dumps(body), content_type="application/json", **h)


def test_api_submission_is_stored_once_per_idempotency_key(world, client):
    tp = world["ta"]
    body = {"answers": {"trust": "up", "went_well": ["ease", "effectiveness"],
                        "comments": "Quick and clear"}}
    first = _post(client, tp, body, key="k-1")
    again = _post(client, tp, body, key="k-1")
    assert first.status_code == 201, first.content
    assert again.status_code == 200
    assert first.json()["id"] == again.json()["id"] and again.json()["replayed"] is True
    assert Response.objects.filter(touchpoint=tp).count() == 1
    rollups_current()  # what every reader of the rollups does first
    day = ResponseDaily.objects.get(touchpoint_id=tp.pk)
    assert (day.responses, day.trust_n, day.trust_pos, day.pos_ease, day.neg_ease) == (1, 1, 1, 1, 0)


def test_branching_drops_answers_to_questions_not_shown(world, client):
    tp = world["ta"]
    r = _post(client, tp, {"answers": {"trust": "down", "went_well": ["ease"],
                                       "went_poorly": ["efficiency"]}})
    assert r.status_code == 201
    resp = Response.objects.get(pk=r.json()["id"])
    assert "went_well" not in resp.answers
    assert resp.drivers_negative == ["efficiency"] and resp.drivers_positive == []


@pytest.mark.parametrize(
    ("answers", "field", "fragment"),
    [
        ({}, "trust", "Please answer"),
        ({"trust": "sideways"}, "trust", "choose one of the options"),
        ({"trust": "up", "went_well": ["bribery"]}, "went_well", "choose one of the options"),
        ({"trust": "up", "went_well": ["other"]}, "went_well_other", "what 'Other' means"),
        ({"trust": "up", "comments": "x" * 5001}, "comments", "5000 characters"),
    ],
)
def test_bad_answers_get_specific_messages(world, client, answers, field, fragment):
    r = _post(client, world["ta"], {"answers": answers})
    assert r.status_code == 400
    assert fragment in r.json()["errors"][field]
    assert Response.objects.count() == 0


def test_spanish_messages(world, client):
    r = _post(client, world["ta"], {"answers": {}, "language": "es"})
    assert r.json()["errors"]["trust"] == "Por favor, responda esta pregunta."


def test_honeypot_quarantines_and_metrics_ignore_it(world, client):
    r = _post(client, world["ta"], {"answers": {"trust": "down"}, "hp": "http://spam"})
    assert r.status_code == 201 and r.json()["quarantined"] is True
    assert not ResponseDaily.objects.filter(touchpoint_id=world["ta"].pk).exists()


def test_disallowed_origin_is_refused_and_allowed_one_gets_cors(world, client):
    tp = world["ta"]
    bad = _post(client, tp, {"answers": {"trust": "up"}}, HTTP_ORIGIN="https://evil.example")
    assert bad.status_code == 403
    good = _post(client, tp, {"answers": {"trust": "up"}},
                 HTTP_ORIGIN="https://partner.example.org")
    assert good.status_code == 201
    assert good["Access-Control-Allow-Origin"] == "https://partner.example.org"


def test_hosted_form_keeps_answers_when_something_is_wrong(world, client):
    tp = world["ta"]
    page = client.get(f"/s/{tp.public_id}/")
    assert page.status_code == 200
    r = client.post(f"/s/{tp.public_id}/", {"trust": "up", "went_well": ["other"],
                                            "comments": "kept text", "lang": "en"})
    assert r.status_code == 400
    html = r.content.decode()
    assert "kept text" in html and "Please tell us what" in html
    assert 'value="other" checked' in html
    ok = client.post(f"/s/{tp.public_id}/", {"trust": "up", "went_well": ["other"],
                                             "went_well_other": "the map", "lang": "en"})
    assert ok.status_code == 302
    assert Response.objects.get().answers["went_well_other"] == "the map"


def test_hosted_page_speaks_spanish(world, client):
    html = client.get(f"/s/{world['ta'].public_id}/?lang=es").content.decode()
    assert '<html lang="es">' in html
    assert "Enviar" in html and "Según mi experiencia" in html and "¿Qué salió bien?" in html
    bad = client.post(f"/s/{world['ta'].public_id}/", {"lang": "es"}).content.decode()
    assert "Revise sus respuestas" in bad and "Por favor, responda esta pregunta." in bad
