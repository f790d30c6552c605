"""CX maturity: recording an assessment, the history over time, the rubric and the actions
linked to each item."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from govcx.core.models import AuditEvent, Role
from govcx.improve import maturity
from govcx.improve import services as svc
from govcx.improve.models import MaturityAssessment
from govcx.improve.selectors import maturity_history
from tests.conftest import login
from tests.improve.conftest import analyst, make_action


def _row(body: str, code: str) -> str:
    return body.split(f'data-item="{code}"')[1].split("</tr>")[0]


def test_record_assessments_and_read_the_history(world: dict[str, Any], client: Any,
                                                 today: dt.date) -> None:
    user = analyst(world)
    login(client, user)
    first = today - dt.timedelta(days=365)
    form = client.get("/staff/maturity/new/").content.decode()
    # every item with its five levels, from both frameworks
    assert form.count('type="radio"') == len(maturity.ITEMS) * 6
    assert "OMB Circular A-11, Section 280" in form and "CXPA" in form
    r = client.post("/staff/maturity/new/", {
        "assessed_on": first.isoformat(), "score_a11.measurement": "2",
        "note_a11.measurement": "Surveys on two touchpoints only", "score_cxpa.voc": "1"})
    assert r.status_code == 302
    r = client.post("/staff/maturity/new/", {
        "assessed_on": today.isoformat(), "score_a11.measurement": "4",
        "score_cxpa.voc": "3", "score_a11.design": "2", "note": "Second year"})
    assert r.status_code == 302
    assert MaturityAssessment.objects.filter(agency=world["a"]).count() == 2
    assert AuditEvent.objects.filter(action="improve.maturity.assess", actor=user).count() == 2
    assessments, rows = maturity_history(world["a"].pk)
    by_code = {r.item.code: r for r in rows}
    assert [a.assessed_on for a in assessments] == [first, today]
    assert by_code["a11.measurement"].change == 2 and by_code["a11.design"].change is None
    page = client.get("/staff/maturity/").content.decode()
    row = _row(page, "a11.measurement")
    assert re.findall(r'class="maturity-score">(\d)<', row) == ["2", "4"]
    assert "+2" in row and "Surveys on two touchpoints only" in row
    # the latest level in words, from the rubric
    assert str(maturity.ITEM_BY_CODE["a11.measurement"].levels[3]) in row
    # the trend chart and its equal table (average per framework per assessment)
    assert "<svg" in page and 'id="trend-table"' in page
    trend = page.split('id="trend-table"')[1].split("</table>")[0]
    cells = re.findall(r"<tr><th scope=\"row\">([\d-]+)</th><td>[^<]*</td><td>([^<]*)</td>"
                       r"<td>([^<]*)</td></tr>", trend)
    # measurement alone, then (measurement 4 + design 2) / 2; CXPA: voc alone
    assert cells == [(first.isoformat(), str(2 / 1), str(1 / 1)),
                     (today.isoformat(), str((4 + 2) / 2), str(3 / 1))]


def test_items_show_their_linked_actions_and_status(world: dict[str, Any], client: Any) -> None:
    svc.maturity_assessment_record(agency=world["a"], assessed_on=dt.date(2026, 1, 1),
                                   scores={"cxpa.adoption": (2, "")})
    action = make_action(world, title="Owners for every insight",
                         maturity_items=["cxpa.adoption", "a11.governance"])
    svc.action_status_set(action=action, status="planned")
    login(client, world["staff"][("benefits-agency", Role.VIEWER)])  # insights.view reads
    page = client.get("/staff/maturity/").content.decode()
    for code in ("cxpa.adoption", "a11.governance"):
        row = _row(page, code)
        assert "Owners for every insight" in row and "Planned" in row
    assert "Owners for every insight" not in _row(page, "cxpa.voc")
    # a viewer may not record an assessment
    assert client.get("/staff/maturity/new/").status_code == 404
    assert client.post("/staff/maturity/new/", {"assessed_on": "2026-01-02",
                                                "score_cxpa.voc": "3"}).status_code == 404
    assert MaturityAssessment.objects.count() == 1


def test_bad_assessments_are_refused_with_a_message(world: dict[str, Any], client: Any,
                                                    today: dt.date) -> None:
    login(client, analyst(world))
    cases = [({"assessed_on": today.isoformat()}, "Score at least one item"),
             ({"assessed_on": today.isoformat(), "score_a11.culture": "6"}, "from 1 to 5"),
             ({"assessed_on": today.isoformat(), "score_a11.culture": "two"}, "from 1 to 5"),
             ({"assessed_on": "soon", "score_a11.culture": "2"}, "is not a date"),
             ({"assessed_on": (today + dt.timedelta(days=3)).isoformat(),
               "score_a11.culture": "2"}, "cannot be in the future")]
    for data, message in cases:
        r = client.post("/staff/maturity/new/", data)
        assert r.status_code == 400, data
        assert message in r.content.decode(), data
    assert not MaturityAssessment.objects.exists()
