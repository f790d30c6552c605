"""The insight board: filters, evidence, the analyst's assessment and the priority order of
opportunities (impact ÷ effort, ties by people affected)."""

from __future__ import annotations

import re
from typing import Any

from govcx.core.models import Role
from govcx.improve.models import Insight
from govcx.improve.selectors import priority_score
from tests.conftest import login, make_service
from tests.improve.conftest import analyst, make_insight


def _titles(body: str) -> list[str]:
    return re.findall(r'<a class="usa-link" href="/staff/insights/\d+/">([^<]+)</a>', body)


def test_board_filters_by_service_source_and_status(world: dict[str, Any], client: Any) -> None:
    other = make_service(world["a"], "appeals", name="Appeal a decision")
    make_insight(world["a"], "Long hold times", service=world["sa"], source="alert",
                 evidence={"figures": [{"label": "wait (minutes)", "value": 48}],
                           "quotes": ["I waited an hour"]})
    make_insight(world["a"], "Upload fails on phones", service=world["sa"], source="theme",
                 status="dismissed")
    make_insight(world["a"], "Hearing letters confuse people", service=other,
                 source="research")
    login(client, analyst(world))
    page = client.get("/staff/insights/")
    body = page.content.decode()
    assert page.status_code == 200
    assert set(_titles(body)) == {"Long hold times", "Upload fails on phones",
                                  "Hearing letters confuse people"}
    # evidence is on the board: figures and quotes
    assert "wait (minutes)" in body and "I waited an hour" in body
    by_service = client.get(f"/staff/insights/?service={other.pk}").content.decode()
    assert _titles(by_service) == ["Hearing letters confuse people"]
    by_source = client.get("/staff/insights/?source=alert").content.decode()
    assert _titles(by_source) == ["Long hold times"]
    by_status = client.get("/staff/insights/?status=dismissed").content.decode()
    assert _titles(by_status) == ["Upload fails on phones"]
    both = client.get(f"/staff/insights/?service={world['sa'].pk}&source=theme&status=new")
    assert _titles(both.content.decode()) == []


def test_board_bad_filters_are_400_with_a_message(world: dict[str, Any], client: Any) -> None:
    login(client, analyst(world))
    for query, message in (("service=abc", "Choose a service"),
                           (f"service={world['sb'].pk}", "Choose a service"),
                           ("source=gossip", "Choose a source"),
                           ("status=closed", "Choose a status")):
        r = client.get(f"/staff/insights/?{query}")
        assert r.status_code == 400, query
        assert message in r.content.decode(), query


def test_opportunities_are_ranked_by_impact_over_effort_then_people(
        world: dict[str, Any], client: Any) -> None:
    a = world["a"]
    specs = [("Small fix, small gain", 2, 2, 10), ("Quick win", 5, 1, 5),
             ("Big bet", 5, 4, 900), ("Tie, more people", 4, 2, 300),
             ("Tie, fewer people", 4, 2, 30), ("Money pit", 1, 5, 1000)]
    for title, impact, effort, people in specs:
        make_insight(a, title, impact=impact, effort=effort, people=people,
                     status="opportunity")
    make_insight(a, "Not an opportunity", impact=5, effort=1)  # still "new": not ranked
    login(client, analyst(world))
    page = client.get("/staff/insights/opportunities/")
    body = page.content.decode()
    assert page.status_code == 200
    table = body.split('id="priority-table"')[1].split("</table>")[0]
    shown = re.findall(r'href="/staff/insights/\d+/">([^<]+)</a>', table)
    expected = sorted(specs, key=lambda s: (-priority_score(s[1], s[2]), -s[3]))  # type: ignore[operator]
    assert shown == [s[0] for s in expected]
    assert shown[0] == "Quick win" and shown[-1] == "Money pit"
    assert shown.index("Tie, more people") < shown.index("Tie, fewer people")
    # the 2×2 view and its equal table
    assert "<svg" in body and 'id="matrix-table"' in body
    quadrants = body.split('id="matrix-table"')[1].split("</table>")[0]
    assert "Quick win (higher impact, lower effort)" in quadrants
    assert "Money pit (1/5)" in quadrants
    assert "impact ÷ effort" in body  # the rule is documented on the page


def test_analyst_sets_impact_effort_and_promotes(world: dict[str, Any], client: Any) -> None:
    insight = make_insight(world["a"], "Forms ask for the same thing twice",
                           service=world["sa"])
    login(client, analyst(world))
    url = f"/staff/insights/{insight.pk}/"
    # an opportunity needs impact and effort first
    r = client.post(url, {"status": "opportunity", "impact": "4"})
    assert r.status_code == 400 and "Set impact and effort" in r.content.decode()
    r = client.post(url, {"status": "opportunity", "impact": "9", "effort": "2"})
    assert r.status_code == 400 and "from 1 to 5" in r.content.decode()
    r = client.post(url, {"status": "opportunity", "impact": "4", "effort": "2",
                          "people": "1,200"})
    assert r.status_code == 302
    insight.refresh_from_db()
    assert (insight.status, insight.impact, insight.effort, insight.people_affected) == (
        "opportunity", 4, 2, 1200)
    assert "2.00" in client.get(url).content.decode()  # its score, 4 ÷ 2
    # a viewer reads it but cannot change it
    login(client, world["staff"][("benefits-agency", Role.VIEWER)])
    assert client.get(url).status_code == 200
    assert client.post(url, {"status": "dismissed"}).status_code == 404
    insight.refresh_from_db()
    assert insight.status == "opportunity"


def test_staff_observation_opens_an_insight(world: dict[str, Any], client: Any) -> None:
    login(client, analyst(world))
    r = client.post("/staff/insights/new/", {"title": "  Counter staff hear about IDs  ",
                                             "service": world["sa"].pk,
                                             "quotes": "Which ID do I bring?\n\n",
                                             "people": "40"})
    assert r.status_code == 302
    insight = Insight.objects.get(source="staff")
    assert (insight.title, insight.service_id, insight.people_affected) == (
        "Counter staff hear about IDs", world["sa"].pk, 40)
    assert insight.evidence["quotes"] == ["Which ID do I bring?"]
    bad = client.post("/staff/insights/new/", {"title": " ", "service": world["sa"].pk})
    assert bad.status_code == 400 and "Give the insight a title" in bad.content.decode()
    foreign = client.post("/staff/insights/new/", {"title": "x", "service": world["sb"].pk})
    assert foreign.status_code == 400 and "Choose a service" in foreign.content.decode()
    assert Insight.objects.filter(agency=world["b"]).count() == 0
