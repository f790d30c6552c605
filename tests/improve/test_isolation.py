"""Another agency's staff see nothing of agency A's insights, research, actions or maturity,
and cannot change them; every improve page answers without a 500."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from govcx.core.models import Role
from govcx.improve import services as svc
from govcx.improve.models import Action, Insight
from tests.conftest import login
from tests.improve.conftest import analyst, make_action, make_insight

MARKER = "ZQXIMPROVEA"


def _plant(world: dict[str, Any]) -> dict[str, Any]:
    insight = make_insight(world["a"], f"{MARKER} insight", service=world["sa"],
                           impact=4, effort=2, status="opportunity",
                           evidence={"quotes": [f"{MARKER} quote"]})
    make_insight(world["a"], f"{MARKER} opportunity", impact=5, effort=1, status="opportunity")
    note = svc.research_note_create(
        agency=world["a"], title=f"{MARKER} note", method="interview",
        held_on=dt.date(2026, 1, 5), tags=["zqxtag"], quotes=[f"{MARKER} said"],
        attachment=svc.attachment_check(SimpleUploadedFile("a.txt", f"{MARKER}".encode())))
    action = make_action(world, title=f"{MARKER} action", insights=[insight],
                         maturity_items=["a11.measurement"])
    svc.maturity_assessment_record(agency=world["a"], assessed_on=dt.date(2026, 1, 1),
                                   scores={"a11.measurement": (3, f"{MARKER} score note")})
    return {"insight": insight, "note": note, "action": action}


def test_other_agency_sees_nothing_and_gets_404(world: dict[str, Any], client: Any) -> None:
    p = _plant(world)
    i, n, a = p["insight"].pk, p["note"].pk, p["action"].pk
    p["insight"].refresh_from_db()
    status_before = p["insight"].status
    for role in (Role.ADMINISTRATOR, Role.CX_ANALYST, Role.PERFORMANCE_MANAGER, Role.VIEWER):
        login(client, world["staff"][("tax-agency", role)])
        for url in ("/staff/insights/", "/staff/insights/opportunities/", "/staff/research/",
                    "/staff/actions/", "/staff/maturity/", "/staff/insights/new/",
                    "/staff/research/new/", "/staff/actions/new/", "/staff/maturity/new/"):
            r = client.get(url)
            assert r.status_code in (200, 404), (role, url)
            assert MARKER not in r.content.decode(), (role, url)
        for url in (f"/staff/insights/{i}/", f"/staff/research/{n}/",
                    f"/staff/research/{n}/attachment/", f"/staff/actions/{a}/",
                    f"/staff/actions/{a}/edit/", f"/staff/actions/new/?insight={i}",
                    f"/staff/maturity/?agency={world['a'].pk}",
                    f"/staff/maturity/new/?agency={world['a'].pk}"):
            assert client.get(url).status_code == 404, (role, url)
        assert client.get("/staff/research/?tag=zqxtag").status_code == 400
        posts = [(f"/staff/insights/{i}/", {"status": "dismissed"}),
                 (f"/staff/actions/{a}/status/", {"status": "planned"}),
                 (f"/staff/actions/{a}/public/", {"public": "1"}),
                 (f"/staff/actions/{a}/edit/", {"title": "hijacked"}),
                 ("/staff/actions/new/", {"insight": i, "title": "hijack"}),
                 ("/staff/maturity/new/", {"agency": world["a"].pk,
                                           "assessed_on": "2026-01-02",
                                           "score_a11.culture": "5"})]
        for url, data in posts:
            assert client.post(url, data).status_code == 404, (role, url)
    p["insight"].refresh_from_db()
    p["action"].refresh_from_db()
    assert p["insight"].status == status_before
    assert (p["action"].status, p["action"].title, p["action"].public) == (
        "proposed", f"{MARKER} action", False)
    assert Action.objects.count() == 1
    assert not Insight.objects.filter(agency=world["b"]).exists()


def test_member_sees_own_agency(world: dict[str, Any], client: Any) -> None:
    _plant(world)
    login(client, analyst(world))
    for url in ("/staff/insights/", "/staff/insights/opportunities/", "/staff/research/",
                "/staff/actions/", "/staff/maturity/"):
        assert MARKER in client.get(url).content.decode(), url


def test_odd_input_never_500s(world: dict[str, Any], client: Any) -> None:
    p = _plant(world)
    login(client, analyst(world))
    huge = str(2**70)
    for url in (f"/staff/insights/?service={huge}", "/staff/insights/?source=%00",
                f"/staff/actions/new/?insight={huge}", "/staff/actions/new/?agency=-1",
                "/staff/actions/?status=%FF", f"/staff/maturity/?agency={huge}",
                "/staff/research/?tag=%00%00", f"/staff/insights/{huge}/",
                f"/staff/actions/{huge}/"):
        r = client.get(url)
        assert r.status_code in (200, 400, 404), url
    a = p["action"].pk
    for data in ({"status": ""}, {"status": "done", "on": "x" * 500}, {}):
        assert client.post(f"/staff/actions/{a}/status/", data).status_code == 400
    assert client.post(f"/staff/actions/{a}/edit/", {"title": "x", "owner": huge}).status_code \
        == 400
    assert client.post(f"/staff/insights/{p['insight'].pk}/",
                       {"status": "new", "impact": "\x00", "people": "1e9"}).status_code == 400
