"""Actions: created from insights, owner notified, the status workflow and its dates, the
before/after effect on the target KPI (data built through response_submit), the public
"you said, we did" entries and who may publish them."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.utils import timezone, translation

from govcx.core.models import Notification, Role
from govcx.feedback import services as fb
from govcx.improve import services as svc
from govcx.improve.effect import action_effect
from govcx.improve.models import Action, Insight
from govcx.improve.selectors import you_said_we_did
from govcx.metrics.kpi import kpi_change, kpi_values
from tests.conftest import login
from tests.improve.conftest import analyst, make_action, make_insight


def test_create_from_insights_notifies_the_owner(world: dict[str, Any], client: Any) -> None:
    i1 = make_insight(world["a"], "Hold times", service=world["sa"], source="alert")
    i2 = make_insight(world["a"], "People call about status", service=world["sa"])
    owner = world["staff"][("benefits-agency", Role.PERFORMANCE_MANAGER)]
    login(client, analyst(world))
    form = client.get(f"/staff/actions/new/?insight={i1.pk}&insight={i2.pk}")
    assert form.status_code == 200
    assert 'value="trust"' in form.content.decode()  # target KPIs from the KPI engine
    r = client.post("/staff/actions/new/", {
        "insight": [i1.pk, i2.pk], "title": "Call-back instead of hold", "owner": owner.pk,
        "due_on": "2027-03-31", "target_kpi": "trust", "item": ["a11.design", "cxpa.design"]})
    assert r.status_code == 302
    action = Action.objects.get()
    assert (action.title, action.owner_id, action.due_on, action.status, action.service_id) == (
        "Call-back instead of hold", owner.pk, dt.date(2027, 3, 31), "proposed",
        world["sa"].pk)  # the service comes from the evidence
    assert set(action.insights.all()) == {i1, i2}
    assert set(Insight.objects.values_list("status", flat=True)) == {"acted_on"}
    note = Notification.objects.get(user=owner)
    assert note.kind == "action_assigned" and "Call-back instead of hold" in note.title
    assert note.url == f"/staff/actions/{action.pk}/" and note.agency_id == world["a"].pk
    page = client.get(f"/staff/actions/{action.pk}/").content.decode()
    assert "Hold times" in page and "People call about status" in page
    # re-assigning notifies the new owner
    admin = world["staff"][("benefits-agency", Role.ADMINISTRATOR)]
    r = client.post(f"/staff/actions/{action.pk}/edit/", {"title": action.title,
                                                          "owner": admin.pk})
    assert r.status_code == 302
    assert Notification.objects.filter(user=admin, kind="action_assigned").count() == 1


def test_owner_must_be_staff_of_the_agency_and_input_is_checked(world: dict[str, Any],
                                                                client: Any) -> None:
    login(client, analyst(world))
    outsider = world["staff"][("tax-agency", Role.CX_ANALYST)]
    base = {"agency": world["a"].pk, "title": "Plain-language letters"}
    cases = [({"owner": outsider.pk}, "list of the agency"),
             ({"owner": "abc"}, "list of the agency"),
             ({"due_on": "31/03/2027"}, "is not a date"),
             ({"target_kpi": "happiness"}, "Choose a target measure"),
             ({"item": "a11.vibes"}, "Choose maturity items"),
             ({"title": ""}, "Give the action a title")]
    for extra, message in cases:
        r = client.post("/staff/actions/new/", {**base, **extra})
        assert r.status_code == 400, extra
        assert message in r.content.decode(), extra
    # evidence of another agency is not found at all
    foreign = make_insight(world["b"], "Tax insight")
    assert client.post("/staff/actions/new/", {**base, "insight": foreign.pk}).status_code == 404
    assert client.get("/staff/actions/new/?insight=xyz").status_code == 400
    assert not Action.objects.exists()
    # svc layer: the same rule for any caller
    try:
        svc.action_create(agency=world["a"], title="x", owner=outsider)
    except svc.ImproveError as exc:
        assert "staff member" in str(exc)
    else:
        raise AssertionError("an owner from another agency was accepted")


def test_status_workflow_sets_the_dates(world: dict[str, Any], client: Any,
                                        today: dt.date) -> None:
    action = make_action(world)
    login(client, analyst(world))
    url = f"/staff/actions/{action.pk}/status/"
    # done straight from proposed is not a step of the workflow
    r = client.post(url, {"status": "done"})
    assert r.status_code == 400 and "cannot become Done" in r.content.decode()
    assert client.post(url, {"status": "planned"}).status_code == 302
    start = today - dt.timedelta(days=20)
    assert client.post(url, {"status": "in_progress", "on": start.isoformat()}).status_code == 302
    action.refresh_from_db()
    assert (action.status, action.started_on, action.completed_on) == ("in_progress", start,
                                                                       None)
    r = client.post(url, {"status": "done", "on": (start - dt.timedelta(days=1)).isoformat()})
    assert r.status_code == 400 and "before the start date" in r.content.decode()
    r = client.post(url, {"status": "done", "on": (today + dt.timedelta(days=1)).isoformat()})
    assert r.status_code == 400 and "future" in r.content.decode()
    assert client.post(url, {"status": "done"}).status_code == 302
    action.refresh_from_db()
    assert (action.status, action.started_on, action.completed_on) == ("done", start, today)
    # reopening clears the completion date, keeps the start
    assert client.post(url, {"status": "in_progress"}).status_code == 302
    action.refresh_from_db()
    assert (action.status, action.started_on, action.completed_on) == ("in_progress", start,
                                                                       None)
    assert client.post(url, {"status": "dropped"}).status_code == 302
    assert client.post(url, {"status": "sideways"}).status_code == 400
    # a viewer sees the action but cannot move it
    login(client, world["staff"][("benefits-agency", Role.VIEWER)])
    assert client.get(f"/staff/actions/{action.pk}/").status_code == 200
    assert client.post(url, {"status": "proposed"}).status_code == 404


def _answers(world: dict[str, Any], day: dt.date, up: int, down: int) -> None:
    at = timezone.make_aware(dt.datetime.combine(day, dt.time(12, 0)))
    for k in range(up + down):
        fb.response_submit(touchpoint=world["ta"], submitted_at=at,
                           answers={"trust": "up" if k < up else "down"})


def test_before_after_effect_on_trust(world: dict[str, Any], client: Any,
                                      today: dt.date) -> None:
    started, completed = today - dt.timedelta(days=60), today - dt.timedelta(days=30)
    _answers(world, today - dt.timedelta(days=100), up=6, down=14)  # in the before window
    _answers(world, today - dt.timedelta(days=200), up=20, down=0)  # too early: not counted
    action = make_action(world, service=world["sa"], target_kpi="trust")
    svc.action_status_set(action=action, status="in_progress", on=started)
    svc.action_status_set(action=action, status="done", on=completed)
    effect = action_effect(action)
    assert effect.state == "too_early" and "Too early to tell" in effect.sentence
    assert (effect.before_start, effect.before_end) == (started - dt.timedelta(days=90),
                                                        started - dt.timedelta(days=1))
    assert effect.after_start == completed
    _answers(world, today - dt.timedelta(days=10), up=16, down=4)  # in the after window
    effect = action_effect(action)
    assert effect.state == "ready"
    assert (effect.before.n, effect.after.n) == (20, 20)
    expected = kpi_change(
        kpi_values(agency_ids={world["a"].pk}, service_id=world["sa"].pk,
                   start=effect.before_start, end=effect.before_end, keys=["trust"])["trust"],
        kpi_values(agency_ids={world["a"].pk}, service_id=world["sa"].pk,
                   start=completed, end=today, keys=["trust"])["trust"])
    assert abs(effect.change.difference - (16 / 20 - 6 / 20) * 100) < 1e-9
    assert effect.change.p_value == expected.p_value and effect.change.significant
    login(client, analyst(world))
    page = client.get(f"/staff/actions/{action.pk}/").content.decode()
    assert "+50.0 percentage points" in page
    assert "statistically significant" in page and "still running" in page
    # significant is not causal: the sentence and the page say a before/after comparison
    # without a comparison group does not prove the action caused the change
    assert "does not prove the action caused the change" in effect.sentence
    assert "season" in effect.sentence
    assert "does not prove the action caused the change" in page
    assert 'id="effect-caveat"' in page and "no comparison group" in page
    assert effect.before_start.isoformat() in page and completed.isoformat() in page


def test_effect_not_significant_in_plain_words(world: dict[str, Any], today: dt.date) -> None:
    started, completed = today - dt.timedelta(days=40), today - dt.timedelta(days=20)
    _answers(world, today - dt.timedelta(days=60), up=5, down=5)
    _answers(world, today - dt.timedelta(days=5), up=6, down=4)
    action = make_action(world, service=world["sa"], target_kpi="trust")
    svc.action_status_set(action=action, status="in_progress", on=started)
    svc.action_status_set(action=action, status="done", on=completed)
    effect = action_effect(action)
    assert effect.state == "ready" and not effect.change.significant
    assert "could be chance alone" in effect.sentence
    assert "no comparison group" in effect.caveat  # shown with every comparison
    # no target: no effect measured, said so
    plain = make_action(world, title="No target")
    assert action_effect(plain).state == "no_kpi"


def _done_action(world: dict[str, Any], title: str, **kw: Any) -> Action:
    action = make_action(world, title=title, service=world["sa"])
    svc.action_status_set(action=action, status="in_progress")
    svc.action_status_set(action=action, status="done")
    action.refresh_from_db()
    return svc.action_update(action=action, title=title, service=world["sa"], **kw)


def test_you_said_we_did_only_done_and_public(world: dict[str, Any], client: Any) -> None:
    text = {"public_title_en": "Letters in Spanish", "public_title_es": "Cartas en español",
            "you_said_en": "Letters were only in English.",
            "you_said_es": "Las cartas estaban solo en inglés.",
            "we_did_en": "Letters now come in Spanish.", "we_did_es": ""}
    shown = _done_action(world, "Spanish letters", **text)
    hidden = _done_action(world, "Not published", **text)
    ongoing = make_action(world, title="Still working", service=world["sa"])
    ongoing.you_said_en, ongoing.we_did_en, ongoing.public = "x", "y", True  # forced
    ongoing.save()
    # only transparency.publish may make it public
    login(client, analyst(world))
    r = client.post(f"/staff/actions/{shown.pk}/public/", {"public": "1"})
    assert r.status_code == 404
    login(client, world["staff"][("benefits-agency", Role.PERFORMANCE_MANAGER)])
    page = client.get(f"/staff/actions/{shown.pk}/").content.decode()
    assert "Show on the public dashboard" in page
    assert client.post(f"/staff/actions/{shown.pk}/public/", {"public": "1"}).status_code == 302
    not_done = make_action(world, title="Not done yet")
    r = client.post(f"/staff/actions/{not_done.pk}/public/", {"public": "1"})
    assert r.status_code == 400 and "Only a done action" in r.content.decode()
    entries = you_said_we_did(agency_id=world["a"].pk)
    # the public heading is the public title, never the internal one
    assert [e["title"] for e in entries] == ["Letters in Spanish"]
    e = entries[0]
    assert (e["you_said"], e["we_did"], e["service_id"], e["service_name"]) == (
        "Letters were only in English.", "Letters now come in Spanish.", world["sa"].pk,
        "Apply for benefits")
    assert e["completed_on"] == timezone.localdate()
    with translation.override("es"):
        es = you_said_we_did(agency_id=world["a"].pk, service_id=world["sa"].pk)[0]
    assert es["you_said"] == "Las cartas estaban solo en inglés."
    assert es["title"] == "Cartas en español"
    assert es["we_did"] == "Letters now come in Spanish."  # English when no Spanish text
    assert you_said_we_did(agency_id=world["b"].pk) == []
    assert you_said_we_did(agency_id=world["a"].pk, service_id=world["sb"].pk) == []
    assert hidden.public is False
    # the public text of a published entry is changed only by transparency.publish
    edit = {"title": "Spanish letters", "service": world["sa"].pk, **text,
            "we_did_en": "Something else entirely."}
    login(client, analyst(world))
    r = client.post(f"/staff/actions/{shown.pk}/edit/", edit)
    assert r.status_code == 403 and "only a performance manager" in r.content.decode()
    assert you_said_we_did(agency_id=world["a"].pk)[0]["we_did"] == text["we_did_en"]
    login(client, world["staff"][("benefits-agency", Role.PERFORMANCE_MANAGER)])
    assert client.post(f"/staff/actions/{shown.pk}/edit/", edit).status_code == 302
    assert you_said_we_did(agency_id=world["a"].pk)[0]["we_did"] == "Something else entirely."
    # an analyst may rename the action (internal) but that never reaches the public page
    login(client, analyst(world))
    renamed = {**edit, "title": "Internal: letters project, vendor late again"}
    assert client.post(f"/staff/actions/{shown.pk}/edit/", renamed).status_code == 302
    assert Action.objects.get(pk=shown.pk).title == renamed["title"]
    assert [e["title"] for e in you_said_we_did(agency_id=world["a"].pk)] == [
        "Letters in Spanish"]
    # …and may not change the public title of a published entry, in either language
    for field in ("public_title_en", "public_title_es"):
        r = client.post(f"/staff/actions/{shown.pk}/edit/", {**renamed, field: "Oops"})
        assert r.status_code == 403 and "only a performance manager" in r.content.decode()
    with translation.override("es"):
        assert you_said_we_did(agency_id=world["a"].pk)[0]["title"] == "Cartas en español"
    # a performance manager may; an entry cannot stay public without an English public title
    login(client, world["staff"][("benefits-agency", Role.PERFORMANCE_MANAGER)])
    r = client.post(f"/staff/actions/{shown.pk}/edit/", {**renamed, "public_title_en": ""})
    assert r.status_code == 400 and "public title" in r.content.decode()
    r = client.post(f"/staff/actions/{shown.pk}/edit/",
                    {**renamed, "public_title_en": "Letters in your language"})
    assert r.status_code == 302
    assert you_said_we_did(agency_id=world["a"].pk)[0]["title"] == "Letters in your language"
    # reopening withdraws it
    svc.action_status_set(action=Action.objects.get(pk=shown.pk), status="in_progress")
    assert you_said_we_did(agency_id=world["a"].pk) == []


def test_friction_point_to_insight_to_action(world: dict[str, Any], client: Any) -> None:
    from govcx.journeys.services import EventIn, journey_events_record

    base = timezone.now() - dt.timedelta(days=40)
    events = []
    for i in range(6):
        rows = [("Start application", 0, "web"), ("Web error", 1, "web"),
                ("Call contact centre", 3, "phone"), ("Decision", 24 * 20, "")]
        for seq, (activity, hours, channel) in enumerate(rows):
            events.append(EventIn(agency_id=world["a"].pk, service_id=world["sa"].pk,
                                  case_key=f"app-{i}", activity=activity, source="import",
                                  seq=seq, at=base + dt.timedelta(hours=hours + i),
                                  channel=channel))
    journey_events_record(events=events)
    # a viewer (journeys.view) sees the preview but may not open an insight
    login(client, world["staff"][("benefits-agency", Role.VIEWER)])
    body = client.get(f"/staff/journeys/{world['sa'].pk}/friction/").content.decode()
    link = re.search(r'href="(/staff/journeys/\d+/friction/([^"/]+)/action/[^"]*)"', body)
    assert link is not None
    url, key = link.group(1).replace("&amp;", "&"), link.group(2)
    preview = client.get(url)
    assert preview.status_code == 200 and "Nothing is recorded yet" in preview.content.decode()
    assert 'id="open-insight"' not in preview.content.decode()
    assert client.post(url).status_code == 403
    assert not Insight.objects.exists()
    # an analyst opens it: one insight per friction point, then an action from it
    login(client, analyst(world))
    assert 'id="open-insight"' in client.get(url).content.decode()
    r = client.post(url)
    assert r.status_code == 302 and "/staff/actions/new/?insight=" in r["Location"]
    insight = Insight.objects.get()
    assert (insight.source, insight.source_ref, insight.service_id) == (
        "friction", f"friction:{world['sa'].pk}:{key}", world["sa"].pk)
    assert insight.title.startswith("Reduce:") and insight.people_affected
    assert client.post(url).status_code == 302 and Insight.objects.count() == 1
    form = client.get(r["Location"]).content.decode()
    assert insight.title[:30] in form and "checked" in form
    owner = world["staff"][("benefits-agency", Role.PERFORMANCE_MANAGER)]
    r = client.post("/staff/actions/new/", {"insight": insight.pk, "title": insight.title,
                                            "owner": owner.pk})
    assert r.status_code == 302
    action = Action.objects.get()
    assert list(action.insights.all()) == [insight] and action.service_id == world["sa"].pk
    insight.refresh_from_db()
    assert insight.status == "acted_on"
    assert Notification.objects.filter(user=owner, kind="action_assigned").exists()
