"""Second-reader findings, kept as regression tests: each test failed while its bug existed
(the docstrings describe the problem as found, and the fix).

Run on both backends:
  GOVCX_DEV=1 .venv/bin/python -m pytest -q -p no:cacheprovider tests/review
  GOVCX_DEV=1 scripts/with-postgres .venv/bin/python -m pytest -q -p no:cacheprovider tests/review
"""

from __future__ import annotations

import json

import pytest
from django.db import connection  # noqa: F401 - read by the skipif condition string
from django.test import Client

from govcx.core.models import AuditEvent
from govcx.core.selectors import audit_events_for
from govcx.feedback import services as fb
from govcx.feedback.models import Response
from tests.conftest import login, make_touchpoint

pg_only = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL-only bug")


def anon() -> Client:
    return Client(raise_request_exception=False)


def admin_a(world) -> Client:
    return login(anon(), world["staff"][("benefits-agency", "administrator")])


def api_post(client, tp, body, **headers):
    return client.post(f"/api/v1/touchpoints/{tp.public_id}/responses", data=json.dumps(body),
                       content_type="application/json", **headers)


# --- 1. public input -> 500 / header injection -----------------------------------------------

def test_qr_fmt_with_crlf_is_500(world):
    """PROBLEM: views_public.survey_qr puts the URL's <fmt> into Content-Disposition unchecked.
    A CR/LF (%0d%0a) in fmt raises BadHeaderError -> 500 on a public URL (anyone can trigger
    error-log noise/alerts). Fix: allow only fmt in {"svg", "png"}, else Http404."""
    r = anon().get(f"/s/{world['ta'].public_id}/qr.x%0d%0aSet-Cookie:a=b")
    assert r.status_code == 404


def test_qr_unknown_fmt_is_not_served_as_png(world):
    """PROBLEM: /s/<uuid>/qr.gif (or qr.anything, or qr.png";a=b) answers 200 with a PNG body
    and an attacker-chosen filename/extension and extra Content-Disposition parameters.
    Fix: 404 for anything but svg/png."""
    tp = world["ta"]
    assert anon().get(f"/s/{tp.public_id}/qr.gif").status_code == 404
    assert anon().get(f'/s/{tp.public_id}/qr.png";a=b').status_code == 404


@pg_only
def test_nul_in_comment_via_api_is_500_on_postgres(world):
    """PROBLEM (data loss): a NUL character in any text answer (\\u0000 in JSON) makes the raw
    INSERT fail on PostgreSQL (text/jsonb reject NUL) -> 500, and the respondent's answers are
    lost. Same for page_url and the Idempotency-Key header. SQLite stores it fine, so the
    suite never sees it. Fix: reject or strip "\\x00" in answers_clean (all text types,
    *_other) and in page_url / idempotency key before insert; answer 400."""
    tp = world["ta"]
    r = api_post(anon(), tp, {"answers": {"trust": "up", "comments": "paste\u0000d text"}})
    assert r.status_code in (201, 400), r.status_code
    r = api_post(anon(), tp, {"answers": {"trust": "up"}, "page_url": "https://x/\u0000"})
    assert r.status_code in (201, 400), r.status_code
    r = api_post(anon(), tp, {"answers": {"trust": "up"}}, HTTP_IDEMPOTENCY_KEY="k\x00")
    assert r.status_code in (201, 400), r.status_code


@pg_only
def test_nul_in_hosted_form_is_500_on_postgres(world):
    """PROBLEM (data loss, public): same NUL bug through the hosted page /s/<uuid>/: a person
    who pastes text containing a NUL gets "Server Error (500)" and loses every answer instead
    of the form coming back with their answers. Fix as above."""
    r = anon().post(f"/s/{world['ta'].public_id}/", {"trust": "up", "comments": "a\x00b"})
    assert r.status_code in (302, 400), r.status_code


def test_invitation_used_concurrently_is_500(world):
    """PROBLEM: two tabs of the same invitation link submitted at nearly the same time (each
    with its own idempotency key): both pass invitation_problem(), the second INSERT hits the
    one-to-one unique index on invitation_id *before* the `used_at` UPDATE, so the
    _InvitationUsed branch is never reached; IntegrityError is re-raised (no key to replay)
    -> 500. Simulated here with a stale Invitation object. Fix: in the IntegrityError handler,
    if invitation is not None and it is now used, return the 'already been used'
    closed_reason (or do the used_at UPDATE before the INSERT)."""
    tp = world["ta"]
    _inv, url = fb.invitation_send(touchpoint=tp, channel="email", to="pat@example.org")
    token = url.split("/s/i/")[1].split("/")[0]
    tab1 = fb.invitation_by_token(token)
    tab2 = fb.invitation_by_token(token)  # loaded before tab1 submits
    assert fb.response_submit(touchpoint=tp, answers={"trust": "up"}, invitation=tab1,
                              idempotency_key="tab-1").ok
    result = fb.response_submit(touchpoint=tp, answers={"trust": "up"}, invitation=tab2,
                                idempotency_key="tab-2")
    assert not result.ok and result.closed_reason


# --- 2. staff pages: bad query strings -> 500 ----------------------------------------------

@pytest.mark.parametrize("url", [
    "/staff/responses/?service=99999999999999999999",
    "/staff/responses/?touchpoint=99999999999999999999",
    "/api/v1/staff/responses?service=99999999999999999999",
])
def test_staff_filter_with_huge_id_is_500_on_sqlite(world, url):
    """PROBLEM: views_staff._int / the API accept any int; SQLite raises OverflowError
    ("Python int too large to convert to SQLite INTEGER") -> 500 on the responses list and
    the staff API (a bookmarked/edited URL). Fix: bound ids (e.g. 1..2**63-1) in _int and in
    ResponseQuery (Field(ge=1, le=2**63-1)), else ignore / 400."""
    assert admin_a(world).get(url).status_code < 500


@pg_only
@pytest.mark.parametrize("url", [
    "/staff/responses/?q=a%00b", "/staff/responses/?tag=a%00b",
    "/staff/responses/?driver=pos:a%00", "/api/v1/staff/responses?text=a%00b",
    "/staff/services/{sid}/dashboard/?channel=%00",
])
def test_staff_filter_with_nul_is_500_on_postgres(world, url):
    """PROBLEM: NUL in a free-text filter (q, tag, driver, channel, API text) reaches
    PostgreSQL -> psycopg ValueError/DataError -> 500. Fix: strip "\\x00" in
    filter_from_request / ResponseQuery / dashboard channel (or validate channel against
    Service.Channel)."""
    assert admin_a(world).get(url.format(sid=world["sa"].pk)).status_code < 500


@pytest.mark.parametrize("url", ["/staff/services/{sid}/dashboard/?end=0001-01-01",
                                 "/api/v1/staff/services/{sid}/dashboard?end=0001-01-01"])
def test_dashboard_early_end_date_is_500(world, url):
    """PROBLEM: metrics/views.py:37 (and metrics/api.py:27) compute the default start as
    end - 364/365 days eagerly; end=0001-01-01 -> OverflowError -> 500. Fix: catch
    OverflowError / clamp dates to a sane range (e.g. 2000-01-01..today+1y) with a message."""
    assert admin_a(world).get(url.format(sid=world["sa"].pk)).status_code < 500


# --- 3. data loss on the hosted page ---------------------------------------------------------

def test_long_hidden_value_from_link_blocks_the_whole_submission(world):
    """PROBLEM (data loss): hidden questions are pre-filled from the page's query string
    (views_public._render_survey `hidden`). A value longer than 500 characters (a long
    case reference / return URL) makes answers_clean return a 'too long' error on a field
    the person cannot see or edit, so every POST answers 400 and their answers are never
    stored. Fix: truncate hidden values to TEXT_LIMITS['hidden'] when reading them from the
    URL (and in the API, drop/truncate rather than reject hidden fields)."""
    schema = {"questions": [
        {"id": "trust", "type": "thumbs", "role": "trust", "required": True,
         "text": {"en": "Trust?", "es": "¿Confianza?"}},
        {"id": "ref", "type": "hidden", "text": {"en": "Ref", "es": "Ref"}},
    ]}
    survey = fb.survey_create(agency=world["a"], name="hidden", schema=schema)
    tp = make_touchpoint(world["sa"], survey, name="with hidden")
    c = anon()
    page = c.get(f"/s/{tp.public_id}/?ref={'x' * 600}").content.decode()
    assert 'name="ref" value="' + "x" * 500 + '"' in page  # cut to the hidden-field limit
    r = c.post(f"/s/{tp.public_id}/?ref={'x' * 600}", {"trust": "up", "ref": "x" * 600})
    assert r.status_code == 302, "respondent's answers were refused because of a hidden field"
    assert Response.objects.filter(touchpoint=tp).count() == 1


# --- 4. audit trail gaps -----------------------------------------------------------------

def test_staff_reads_of_responses_are_invisible_in_the_agency_audit_log(world):
    """PROBLEM: responses list views (/staff/responses/, /api/v1/staff/responses) and exports
    by a user with >1 agency record AuditEvent with agency=None, and audit_events_for()
    filters on agency_id, so the agency administrator never sees who read/exported their
    respondents' answers. Fix: record the agency ids read (one event per agency, or
    agency=the only agency and detail['agencies']=[...]) and make audit_events_for include
    events whose detail lists the agency."""
    c = admin_a(world)
    api_post(anon(), world["ta"], {"answers": {"trust": "up", "comments": "my story"}})
    assert c.get("/staff/responses/").status_code == 200
    assert c.get("/api/v1/staff/responses").status_code == 200
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert "responses.view" in actions
    visible = set(audit_events_for(world["staff"][("benefits-agency", "administrator")])
                  .values_list("action", flat=True))
    assert "responses.view" in visible


def test_lone_surrogate_in_api_answer_is_a_clear_400(world):
    """A JSON string with a lone surrogate (\\ud800, valid JSON, not encodable text) must get a
    4xx with a message, not a 500 that loses the answers (found by the issue 4 review in the
    chat API; the survey API is checked here)."""
    tp = world["ta"]
    body = '{"answers": {"trust": "up", "comments": "broken \\ud800 text"}}'
    r = anon().post(f"/api/v1/touchpoints/{tp.public_id}/responses", data=body,
                    content_type="application/json")
    assert r.status_code == 201, r.content
    from govcx.feedback.models import Response
    assert Response.objects.get(touchpoint=tp).comment == "broken ? text"
