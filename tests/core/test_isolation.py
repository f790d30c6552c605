"""Agency isolation: a member of another agency sees nothing of agency A on any staff page or
staff API endpoint. The URL list is read from the resolver, so a new endpoint is tried
automatically (and fails this test until its path parameters are known here)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from govcx.core.models import Role
from govcx.feedback import services as fb
from govcx.feedback.models import A11Submission
from tests.conftest import login

MARKER = "ZQXSECRETA"


def _walk(patterns: list[Any], prefix: str = "") -> list[str]:
    out: list[str] = []
    for p in patterns:
        if isinstance(p, URLResolver):
            out += _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            out.append(prefix + str(p.pattern))
    return out


def staff_routes() -> list[str]:
    routes = sorted(set(_walk(get_resolver().url_patterns)))
    return [r for r in routes if r.startswith(("staff/", "api/v1/staff/"))]


@pytest.fixture
def planted(world: dict[str, Any]) -> dict[str, Any]:
    a_resp = fb.response_submit(touchpoint=world["ta"],
                                answers={"trust": "down", "went_poorly": ["ease"],
                                         "comments": f"{MARKER} my claim number"}).response
    assert a_resp is not None
    sub = A11Submission.objects.create(agency=world["a"], service=world["sa"],
                                       fiscal_year=2026, quarter=1)
    from govcx.contact.models import Queue, QueueMember
    from govcx.contact.services import contact_receive

    queue = Queue.objects.create(agency=world["a"], name=f"{MARKER} queue", slug="general")
    QueueMember.objects.create(queue=queue,
                               user=world["staff"][("benefits-agency", Role.AGENT)])
    case = contact_receive(agency=world["a"], channel="web", subject=f"{MARKER} case",
                           identity=("email", "marker@example.org"), body=MARKER).case
    case.queue = queue
    case.save()
    return {**world, "response": a_resp, "submission": sub, "case": case, "queue": queue}


def _fill(route: str, w: dict[str, Any]) -> str | None:
    values = {
        "service_id": w["sa"].pk, "response_id": w["response"].pk,
        "touchpoint_id": w["ta"].pk, "submission_id": w["submission"].pk, "pk": w["submission"].pk,
        "survey_id": w["ta"].survey_id, "agency_id": w["a"].pk,
        "fmt": "csv", "kind": "collection", "action": "submit",
        "job_id": w["ta"].importjob_set.create(agency=w["a"], filename=MARKER).pk,
        "case_id": w["case"].pk, "customer_id": w["case"].customer_id,
        "queue_id": w["queue"].pk,
        "article_id": w["a"].articles.get_or_create(slug="zq-isolation")[0].pk,
        # assistant (staff/assistant/…): an intent, an example and a conversation of agency A
        "intent_id": w["a"].intents.get_or_create(
            name="marker", defaults={"title": MARKER})[0].pk,
        "example_id": w["a"].intents.get_or_create(
            name="marker", defaults={"title": MARKER})[0].examples.get_or_create(
            text=MARKER)[0].pk,
        "conversation_id": w["a"].conversations.get_or_create(
            public_id="marker-conversation-0000", defaults={"intent": MARKER})[0].pk,
        # journeys (staff/journeys/imports/…): an import of agency A
        "import_id": w["a"].journey_imports.get_or_create(
            filename=MARKER, defaults={"format": "csv"})[0].pk,
        # friction and personas (staff/journeys/…/friction/<key>/…, personas/<persona_id>/…)
        "key": "bottleneck-0000000000",
        "persona_id": w["a"].personas.get_or_create(name=MARKER, defaults={
            "number": 0, "run": w["a"].persona_runs.create(k=1)})[0].pk,
        # insights, research notes, actions (staff/insights/…, staff/research/…, staff/actions/…)
        "insight_id": w["a"].insights.get_or_create(title=MARKER,
                                                    defaults={"source": "staff"})[0].pk,
        "note_id": w["a"].research_notes.get_or_create(title=MARKER, defaults={
            "method": "interview", "held_on": dt.date(2026, 1, 1), "quotes": [MARKER],
            "attachment_name": "m.txt", "attachment_type": "text/plain",
            "attachment_data": MARKER.encode()})[0].pk,
        "action_id": w["a"].actions.get_or_create(title=MARKER)[0].pk,
        # alerts (staff/alerts/<alert_id>/acknowledge/) and a notification of an A user
        "alert_id": w["sa"].alerts.get_or_create(
            signal="trust", period_start=dt.date(2026, 11, 9), defaults={
                "agency": w["a"], "kind": "trust_drop", "period_end": dt.date(2026, 11, 15),
                "value": 0.5, "center": 0.8, "lower": 0.68, "upper": 0.92, "n": 100,
                "detail": {"summary": MARKER, "title": MARKER, "label": MARKER}})[0].pk,
        # themes of comments (staff/themes/<theme_id>/…)
        "theme_id": w["a"].themes.get_or_create(name=MARKER, defaults={"terms": [MARKER]})[0].pk,
        # targets (staff/services/<service_id>/targets/<target_id>/…)
        "target_id": w["sa"].targets.get_or_create(kpi="trust", defaults={
            "agency": w["a"], "start": dt.date(2026, 1, 1), "end": dt.date(2026, 12, 31),
            "value": 75.0, "note": MARKER})[0].pk,
        "notification_id": w["staff"][("benefits-agency", "administrator")].notifications
        .get_or_create(agency=w["a"], title=MARKER, defaults={"kind": "alert",
                                                               "body": MARKER})[0].pk,
    }

    def sub(m: re.Match[str]) -> str:
        return str(values[m.group(1) or m.group(2)])

    route = route.replace("^", "").replace("$", "")
    try:
        path = re.sub(r"<(?:\w+:)?(\w+)>|\{(\w+)\}", sub, route)
    except KeyError as exc:
        pytest.fail(f"isolation test does not know how to fill '{exc.args[0]}' in {route}")
    return "/" + path


def test_every_staff_route_is_known_and_tried(planted: dict[str, Any], client: Any) -> None:
    routes = staff_routes()
    assert len(routes) >= 8, routes
    outsider = planted["staff"][("tax-agency", Role.ADMINISTRATOR)]
    login(client, outsider)
    for route in routes:
        url = _fill(route, planted)
        assert url is not None
        for method in ("get", "post"):
            r = getattr(client, method)(url)
            body = r.content.decode(errors="replace") if hasattr(r, "content") else ""
            assert r.status_code != 500, (method, url)
            if r.status_code == 200:
                assert MARKER not in body, f"{method.upper()} {url} leaked agency A's data"
                assert "Apply for benefits" not in body, f"{method.upper()} {url} leaked A's service"
            else:
                assert r.status_code in (302, 400, 403, 404, 405, 422), (method, url, r.status_code)
    # and nothing of A was changed by the outsider's POSTs
    planted["response"].refresh_from_db()
    assert planted["response"].status == "new" and not planted["response"].quarantined


def test_member_sees_own_agency(planted: dict[str, Any], client: Any) -> None:
    login(client, planted["staff"][("benefits-agency", Role.CX_ANALYST)])
    assert MARKER in client.get("/staff/responses/").content.decode()
    assert MARKER in client.get(f"/staff/responses/{planted['response'].pk}/").content.decode()
    api = client.get("/api/v1/staff/responses").json()
    assert [r["id"] for r in api] == [planted["response"].pk]


def test_department_membership_covers_components(db: Any, client: Any) -> None:
    from tests.conftest import make_agency, make_service, make_staff, make_touchpoint

    dept = make_agency("dept", "Department")
    comp = make_agency("comp", "Component", parent=dept, kind="component")
    tp = make_touchpoint(make_service(comp, "svc", name="Component service"))
    fb.response_submit(touchpoint=tp, answers={"trust": "up", "comments": "component data"})
    login(client, make_staff(dept, Role.VIEWER))
    page = client.get(f"/staff/services/{tp.service_id}/dashboard/")
    assert page.status_code == 200 and "Component service" in page.content.decode()
    # a viewer reads dashboards but not individual responses
    assert "component data" not in client.get("/staff/responses/").content.decode()


def test_response_views_are_audited(planted: dict[str, Any], client: Any) -> None:
    from govcx.core.models import AuditEvent

    analyst = planted["staff"][("benefits-agency", Role.CX_ANALYST)]
    login(client, analyst)
    client.get(f"/staff/responses/{planted['response'].pk}/", REMOTE_ADDR="10.1.2.3")
    ev = AuditEvent.objects.filter(action="response.view").latest("at")
    assert (ev.actor_id, ev.object_id, ev.ip_address, ev.outcome) == (
        analyst.pk, str(planted["response"].pk), "10.1.2.3", "success")
    outsider = planted["staff"][("tax-agency", Role.CX_ANALYST)]
    login(client, outsider)
    assert client.get(f"/staff/responses/{planted['response'].pk}/").status_code == 404
    denied = AuditEvent.objects.filter(action="response.view", actor=outsider).get()
    assert denied.outcome == "denied"
    assert dt.datetime.now(dt.UTC) - denied.at < dt.timedelta(minutes=1)


def test_a_service_may_start_without_stages_or_channels(db: Any) -> None:
    from govcx.core import services as core_services
    from tests.conftest import make_agency

    s = core_services.service_create(agency=make_agency("new"), name="New", slug="new")
    assert s.stages == [] and s.channels == []
