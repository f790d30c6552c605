"""Public submission defences: a busy touchpoint is limited (429 with a message) without
stopping other touchpoints; no IP address is kept unless the agency opts in; the honeypot
and link-stuffed comments quarantine a response (kept, not counted on the dashboard); a
double-posted form is stored once; a form with a mistake comes back with the answers."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client

from govcx.core.models import Role
from govcx.feedback.models import Response, Touchpoint
from govcx.metrics.models import ResponseDaily
from tests.conftest import login, make_agency, make_service, make_touchpoint

BUSY = "This survey is receiving too many answers right now. Please try again shortly."


def api_post(client: Client, tp: Touchpoint, answers: dict[str, Any], **meta: Any) -> Any:
    return client.post(f"/api/v1/touchpoints/{tp.public_id}/responses",
                       data=json.dumps({"answers": answers}),
                       content_type="application/json", **meta)


def form_post(client: Client, tp: Touchpoint, data: dict[str, Any], **meta: Any) -> Any:
    return client.post(f"/s/{tp.public_id}/", {"lang": "en", **data}, **meta)


def form_key(client: Client, tp: Touchpoint) -> str:
    """The idempotency key the hosted page puts in its form."""
    page = client.get(f"/s/{tp.public_id}/").content.decode()
    m = re.search(r'name="idempotency_key" value="([^"]+)"', page)
    assert m, "the hosted form carries no idempotency key"
    return m.group(1)


@pytest.fixture
def second_tp(world: dict[str, Any]) -> Touchpoint:
    """Another touchpoint of the same service."""
    return make_touchpoint(world["sa"], name="Benefits phone line", channel="phone")


# --- rate limits ------------------------------------------------------------------------------

def test_a_busy_touchpoint_gets_429_while_another_still_accepts(
        world: dict[str, Any], second_tp: Touchpoint, client: Client, settings: Any) -> None:
    # an hourly window: the windows are aligned to the clock, so a per-minute one could reset
    # in the middle of the burst on a slow machine
    settings.RATELIMIT_SUBMIT_PER_TOUCHPOINT = "3/h"
    tp = world["ta"]
    # each from a different address: the limit is on the touchpoint, not on one person
    codes = [api_post(client, tp, {"trust": "up"}, REMOTE_ADDR=f"198.51.100.{i}").status_code
             for i in range(1, 4)]
    assert codes == [201, 201, 201]
    over = api_post(client, tp, {"trust": "up"}, REMOTE_ADDR="198.51.100.4")
    assert over.status_code == 429 and over.json()["message"] == BUSY
    other = api_post(client, second_tp, {"trust": "up"}, REMOTE_ADDR="198.51.100.5")
    assert other.status_code == 201
    # the hosted page of the busy touchpoint says so too, and keeps nothing
    page = form_post(client, tp, {"trust": "down", "comments": "my words stay here"},
                     REMOTE_ADDR="198.51.100.6")
    assert page.status_code == 429
    html = page.content.decode()
    assert BUSY in html and "my words stay here" in html
    assert Response.objects.filter(touchpoint=tp).count() == 3
    assert Response.objects.filter(touchpoint=second_tp).count() == 1


def test_the_limit_can_be_switched_off(world: dict[str, Any], client: Client,
                                       settings: Any) -> None:
    settings.RATELIMIT_SUBMIT_PER_TOUCHPOINT = "3/h"
    settings.RATELIMIT_ENABLE = False
    codes = [api_post(client, world["ta"], {"trust": "up"}).status_code for _ in range(5)]
    assert codes == [201] * 5
    assert Response.objects.filter(touchpoint=world["ta"]).count() == 5


# --- IP addresses -----------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["api", "hosted form"])
@pytest.mark.parametrize("opted_in", [False, True])
def test_ip_address_is_kept_only_when_the_agency_opts_in(
        world: dict[str, Any], client: Client, path: str, opted_in: bool) -> None:
    if opted_in:
        agency = make_agency("records-ips", "Records IPs Agency", record_ip_addresses=True)
        tp = make_touchpoint(make_service(agency, "permits", name="Get a permit"))
    else:
        tp = world["ta"]
        assert not tp.agency.record_ip_addresses  # the default
    if path == "api":
        r = api_post(client, tp, {"trust": "up"}, REMOTE_ADDR="203.0.113.9")
        assert r.status_code == 201, r.content
    else:
        r = form_post(client, tp, {"trust": "up"}, REMOTE_ADDR="203.0.113.9")
        assert r.status_code == 302, r.content
    stored = Response.objects.get(touchpoint=tp)
    assert stored.ip_address == ("203.0.113.9" if opted_in else None)


# --- quarantine -------------------------------------------------------------------------------

def test_the_honeypot_quarantines_a_form_answer_and_the_dashboard_leaves_it_out(
        world: dict[str, Any], client: Client) -> None:
    tp = world["ta"]
    bot = form_post(client, tp, {"trust": "down", "website": "http://spam.example"})
    person = form_post(client, tp, {"trust": "up"})
    assert bot.status_code == person.status_code == 302  # the bot is not told
    kept = {r.trust_positive: r for r in Response.objects.filter(touchpoint=tp)}
    assert set(kept) == {True, False}  # both stored
    assert kept[False].quarantined and "honeypot" in kept[False].quarantine_reason
    assert not kept[True].quarantined
    login(client, world["staff"][("benefits-agency", Role.VIEWER)])
    html = client.get(f"/staff/services/{world['sa'].pk}/dashboard/").content.decode()
    assert 'id="kpi-responses">1<' in html and 'id="kpi-trust">100.0%' in html
    day = ResponseDaily.objects.get(touchpoint_id=tp.pk)
    assert (day.responses, day.trust_n, day.trust_pos) == (1, 1, 1)


@pytest.mark.parametrize(("links", "quarantined"), [(2, False), (3, True)])
def test_a_comment_with_three_links_is_quarantined(world: dict[str, Any], client: Client,
                                                   links: int, quarantined: bool) -> None:
    urls = ["https://a.example/x", "http://b.example/y", "www.c.example"][:links]
    r = form_post(client, world["ta"], {"trust": "up", "comments": "see " + " and ".join(urls)})
    assert r.status_code == 302
    stored = Response.objects.get(touchpoint=world["ta"])
    assert stored.quarantined is quarantined
    assert ("three or more links" in stored.quarantine_reason) is quarantined


# --- the hosted form --------------------------------------------------------------------------

def test_a_double_posted_form_is_stored_once(world: dict[str, Any], client: Client) -> None:
    tp = world["ta"]
    key = form_key(client, tp)
    answers = {"trust": "up", "went_well": ["ease"], "idempotency_key": key}
    first, again = form_post(client, tp, answers), form_post(client, tp, answers)
    assert first.status_code == again.status_code == 302  # both land on the thanks page
    assert Response.objects.filter(touchpoint=tp).count() == 1
    # a new visit gets a new key, so another person's identical answers are not lost
    other_key = form_key(Client(), tp)
    assert other_key != key
    assert form_post(client, tp, {**answers, "idempotency_key": other_key}).status_code == 302
    assert Response.objects.filter(touchpoint=tp).count() == 2


def test_a_form_with_a_mistake_comes_back_with_the_answers(world: dict[str, Any],
                                                          client: Client) -> None:
    tp = world["ta"]
    key = form_key(client, tp)
    data = {"trust": "up", "went_well": ["ease", "other"], "idempotency_key": key,
            "comments": "the upload step timed out twice"}
    r = form_post(client, tp, data)  # "Other" chosen without saying what
    assert r.status_code == 400
    html = r.content.decode()
    assert "Please check your answers" in html and "Please tell us what" in html
    assert 'value="up" checked' in html
    assert 'value="ease" checked' in html and 'value="other" checked' in html
    assert "the upload step timed out twice</textarea>" in html
    assert f'name="idempotency_key" value="{key}"' in html  # fixing it is still one answer
    assert not Response.objects.exists()
    fixed = form_post(client, tp, {**data, "went_well_other": "the chat"})
    assert fixed.status_code == 302
    stored = Response.objects.get(touchpoint=tp)
    assert stored.answers["went_well"] == ["ease", "other"]
    assert stored.comment == "the upload step timed out twice"
