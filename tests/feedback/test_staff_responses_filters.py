"""Staff responses list: each filter (service, touchpoint, channel, period, trust, driver,
language, status, tag, comment text) lists exactly the responses that match it, on the
/staff/responses/ page and in the staff JSON API; reading the API is in the audit log."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from govcx.core.models import AuditEvent, Role
from govcx.feedback import services as fb
from govcx.feedback.comments import comments_collect
from govcx.feedback.models import Comment, Response
from tests.conftest import login, make_service, make_touchpoint

# marker (first word of the comment), touchpoint, trust, drivers chosen (went well when
# trust is up, didn't go well when down), language, days before today, status, tag, rest of
# the comment
ROWS: list[tuple[str, str, str, list[str], str, int, str, str, str]] = [
    ("apple", "web", "up", ["ease"], "en", 1, "new", "", "the parking was full"),
    ("banana", "web", "down", ["efficiency"], "es", 10, "reviewed", "urgent",
     "la espera fue larga"),
    ("cherry", "phone", "up", ["effectiveness"], "en", 20, "new", "urgent", "helpful call"),
    ("damson", "phone", "down", ["ease"], "en", 40, "closed", "", "no PARKING near the office"),
    ("elder", "email", "up", ["ease"], "es", 5, "follow_up", "later", "todo bien"),
    ("fig", "email", "down", [], "en", 60, "new", "", "slow reply"),
]
ALL = {row[0] for row in ROWS}


def _noon(day: dt.date) -> dt.datetime:
    """Midday local time: the day is the same in every time zone the filter might use."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


@pytest.fixture
def data(world: dict[str, Any], today: dt.date) -> dict[str, Any]:
    """Agency A: the benefits service on the web and by phone, a renewals service by email,
    six responses that differ in every filtered field; agency B: one response."""
    analyst = world["staff"][("benefits-agency", Role.CX_ANALYST)]
    renewals = make_service(world["a"], "renewals", name="Renew a licence")
    tps = {
        "web": world["ta"],
        "phone": make_touchpoint(world["sa"], name="Benefits phone line", channel="phone"),
        "email": make_touchpoint(renewals, name="Renewals email", channel="email"),
    }
    responses: dict[str, Response] = {}
    for marker, tp, trust, drivers, lang, days, status, tag, rest in ROWS:
        answers: dict[str, Any] = {"trust": trust, "comments": f"{marker} {rest}"}
        if drivers:
            answers["went_well" if trust == "up" else "went_poorly"] = drivers
        r = fb.response_submit(touchpoint=tps[tp], answers=answers, language=lang,
                               submitted_at=_noon(today - dt.timedelta(days=days))).response
        assert r is not None
        if status != "new":
            fb.response_status_set(response=r, status=status, actor=analyst)
        if tag:
            fb.response_tag(response=r, name=tag, actor=analyst)
        responses[marker] = r
    grape = fb.response_submit(touchpoint=world["tb"],
                               answers={"trust": "up", "comments": "grape parking"},
                               submitted_at=_noon(today - dt.timedelta(days=1))).response
    assert grape is not None
    ids = {"sa": world["sa"].pk, "sb": world["sb"].pk, "renewals": renewals.pk,
           "phone": tps["phone"].pk, "web": tps["web"].pk,
           **{f"d{n}": (today - dt.timedelta(days=n)).isoformat() for n in (5, 10, 20, 40)}}
    return {**world, "analyst": analyst, "responses": responses, "ids": ids}


def listed_on_page(client: Client, query: str) -> set[str]:
    """The markers of the comments in the page's responses table."""
    page = client.get(f"/staff/responses/?{query}")
    assert page.status_code == 200
    table = page.content.decode().split('id="responses-table"', 1)[1].split("</table>", 1)[0]
    return set(re.findall(r'<td lang="[a-z]+">([a-z]+) ', table))


def listed_by_api(client: Client, query: str, responses: dict[str, Response]) -> set[str]:
    """The markers of the responses the staff API returns (identified by id)."""
    got = client.get(f"/api/v1/staff/responses?{query}")
    assert got.status_code == 200, got.content
    by_id = {r.pk: marker for marker, r in responses.items()}
    return {by_id.get(item["id"], f"unknown #{item['id']}") for item in got.json()}


# (query with {placeholders}, markers expected); the page calls the comment search `q`
FILTERS: list[tuple[str, set[str]]] = [
    ("service={sa}", {"apple", "banana", "cherry", "damson"}),
    ("service={renewals}", {"elder", "fig"}),
    ("service={sb}", set()),  # another agency's service shows nothing of it
    ("touchpoint={phone}", {"cherry", "damson"}),
    ("touchpoint={web}", {"apple", "banana"}),
    ("channel=email", {"elder", "fig"}),
    ("start={d10}&end={d5}", {"banana", "elder"}),  # both ends included
    ("start={d20}", {"apple", "banana", "cherry", "elder"}),
    ("end={d40}", {"damson", "fig"}),
    ("trust=positive", {"apple", "cherry", "elder"}),
    ("trust=negative", {"banana", "damson", "fig"}),
    ("driver=pos:ease", {"apple", "elder"}),
    ("driver=neg:ease", {"damson"}),
    ("driver=neg:efficiency", {"banana"}),
    ("language=es", {"banana", "elder"}),
    ("language=en", {"apple", "cherry", "damson", "fig"}),
    ("status=reviewed", {"banana"}),
    ("status=new", {"apple", "cherry", "fig"}),
    ("tag=urgent", {"banana", "cherry"}),
    ("tag=later", {"elder"}),
    ("q=parking", {"apple", "damson"}),  # any case; not agency B's "grape parking"
    ("service={sa}&trust=negative&language=es", {"banana"}),
]


@pytest.mark.parametrize(("query", "expected"), FILTERS)
def test_the_page_lists_exactly_the_matching_responses(data: dict[str, Any], client: Client,
                                                      query: str, expected: set[str]) -> None:
    login(client, data["analyst"])
    assert listed_on_page(client, "") == ALL  # unfiltered, every row of the agency is there
    assert expected != ALL
    assert listed_on_page(client, query.format(**data["ids"])) == expected


def _api_case(query: str, expected: set[str]) -> Any:
    return pytest.param(query.replace("q=", "text="), expected, id=query)


API_FILTERS = [_api_case(query, expected) for query, expected in FILTERS]


@pytest.mark.parametrize(("query", "expected"), API_FILTERS)
def test_the_staff_api_returns_exactly_the_matching_responses(
        data: dict[str, Any], client: Client, query: str, expected: set[str]) -> None:
    login(client, data["analyst"])
    assert listed_by_api(client, "", data["responses"]) == ALL
    assert listed_by_api(client, query.format(**data["ids"]), data["responses"]) == expected


@pytest.mark.parametrize("who", ["administrator", "analyst before collection",
                                 "analyst after collection"])
def test_comment_search_finds_the_same_responses_for_every_role(
        data: dict[str, Any], client: Client, who: str) -> None:
    """Administrators search the original comments; analysts (no personal data role) the
    redacted text, whether or not the comments have been collected for analysis yet."""
    role = Role.ADMINISTRATOR if who == "administrator" else Role.CX_ANALYST
    if who == "analyst after collection":
        comments_collect(themes=False)
        assert Comment.objects.filter(agency=data["a"]).count() == len(ROWS)
    login(client, data["staff"][("benefits-agency", role)])
    assert listed_on_page(client, "q=PARKING") == {"apple", "damson"}
    assert listed_on_page(client, "q=espera") == {"banana"}
    assert listed_on_page(client, "q=nowhere-to-be-found") == set()
    assert listed_by_api(client, "text=parking", data["responses"]) == {"apple", "damson"}


def test_reading_the_staff_api_alone_is_audited(data: dict[str, Any], client: Client) -> None:
    analyst = data["analyst"]
    login(client, analyst)
    assert not AuditEvent.objects.filter(action="responses.view").exists()
    got = client.get("/api/v1/staff/responses?trust=negative")
    assert got.status_code == 200 and len(got.json()) == 3
    events = list(AuditEvent.objects.filter(action="responses.view"))
    assert len(events) == 1
    event = events[0]
    assert (event.actor_id, event.agency_id, event.outcome) == (analyst.pk, data["a"].pk,
                                                                 "success")
    assert event.detail["rows"] == 3 and event.detail["filter"] == {"trust": "negative"}
    # a date filter is recorded as text (it once made this endpoint answer 500)
    got = client.get(f"/api/v1/staff/responses?start={data['ids']['d20']}&status=new")
    assert got.status_code == 200
    event = AuditEvent.objects.filter(action="responses.view").latest("id")
    assert event.detail["filter"] == {"start": data["ids"]["d20"], "status": "new"}


def test_quarantined_responses_are_listed_only_when_asked_for(data: dict[str, Any],
                                                              client: Client) -> None:
    login(client, data["analyst"])
    fb.response_quarantine(response=data["responses"]["banana"], reason="test",
                           actor=data["analyst"])
    assert listed_by_api(client, "", data["responses"]) == ALL - {"banana"}
    assert listed_by_api(client, "quarantined=true", data["responses"]) == {"banana"}
    assert listed_on_page(client, "") == ALL - {"banana"}
    assert listed_on_page(client, "quarantined=1") == {"banana"}
