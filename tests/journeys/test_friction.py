"""Each friction kind on a hand-built log, with the numbers worked out by hand."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from govcx.journeys import friction as fr
from govcx.journeys.eventlog import EventLog, from_frame

T0 = dt.datetime(2025, 1, 6, 9, 0, tzinfo=dt.UTC)
H = 3600.0


def log(rows: list[tuple[Any, ...]], columns: tuple[str, ...] = ("channel",)) -> EventLog:
    """rows: (case, activity, hours after T0, *columns)."""
    data: dict[str, list[Any]] = {"case": [], "activity": [], "at": []}
    for c in columns:
        data[c] = []
    for case, activity, hours, *rest in rows:
        data["case"].append(case)
        data["activity"].append(activity)
        data["at"].append(T0 + dt.timedelta(hours=hours))
        for c, v in zip(columns, rest, strict=False):
            data[c].append(v)
        for c in columns[len(rest):]:
            data[c].append(None)
    frame = pl.DataFrame(data, schema_overrides={c: pl.String for c in columns
                                                 if c != "trust_positive"})
    from govcx.journeys.eventlog import ColumnMapping

    return from_frame(frame, mapping=ColumnMapping(case="case", activity="activity",
                                                   timestamp="at"))


def test_bottleneck_is_the_slow_arc_weighted_by_people() -> None:
    el = log([("1", "A", 0), ("1", "B", 1), ("1", "C", 101),
              ("2", "A", 0), ("2", "B", 1), ("2", "C", 51),
              ("3", "A", 0), ("3", "B", 3), ("3", "C", 4)])
    # all waits 1, 1, 3, 100, 50, 1 h: median 2 h, slow from 4 h; B → C median 50 h
    (p,) = fr.bottlenecks(el.frame)
    assert (p.kind, p.where, p.people) == ("bottleneck", "B → C", 3)
    assert p.time_lost_seconds == 3 * 50 * H
    assert p.detail["median_seconds"] == 50 * H and p.detail["typical_seconds"] == 2 * H
    assert p.case_keys == ["1", "2", "3"]
    assert "50.0 hours" not in p.sentence and "2.1 days" in p.sentence


def test_loops_count_people_extra_steps_and_rework_time() -> None:
    el = log([("1", "Upload", 0), ("1", "Re-request", 24), ("1", "Upload", 48),
              ("1", "Re-request", 72), ("1", "Upload", 96), ("1", "Submit", 100),
              ("2", "Upload", 0), ("2", "Re-request", 10), ("2", "Upload", 20),
              ("2", "Submit", 21),
              ("3", "Upload", 0), ("3", "Submit", 1), ("5", "Upload", 0),
              ("4", "Pay", 0), ("4", "Pay", 1)])  # repeats in every journey: recurring
    points = {p.where: p for p in fr.loops(el.frame)}
    assert set(points) == {"Upload", "Re-request"}
    up = points["Upload"]
    assert (up.people, up.detail["extra_steps"], up.time_lost_seconds) == (2, 3, 116 * H)
    assert up.detail["cause"] == "Re-request" and "right after 'Re-request'" in up.sentence
    assert up.case_keys == ["1", "2"]
    rr = points["Re-request"]
    assert (rr.people, rr.detail["extra_steps"], rr.time_lost_seconds) == (1, 1, 48 * H)


def test_channel_switch_pairs_with_the_step_before_and_the_gap() -> None:
    el = log([("1", "Start", 0, "web"), ("1", "Web error", 1, "web"),
              ("1", "Call", 3, "phone"), ("1", "Completed", 3.5, "phone"),
              ("1", "Decision", 100, "email"),  # the agency writing: not a switch
              ("2", "Start", 0, "web"), ("2", "Web error", 1, "web"), ("2", "Call", 2, "phone"),
              ("3", "Visit", 0, "in_person"), ("3", "Upload", 5, "web")])
    points = {p.where: p for p in fr.channel_switches(el.frame)}
    assert set(points) == {"web → phone after 'Web error'", "in_person → web after 'Visit'"}
    wp = points["web → phone after 'Web error'"]
    assert (wp.people, wp.time_lost_seconds, wp.detail["cause"]) == (2, 3 * H, "Web error")
    assert wp.detail["switches"] == 2 and "right after 'Web error'" in wp.sentence
    ip = points["in_person → web after 'Visit'"]
    assert (ip.people, ip.time_lost_seconds) == (1, 5 * H)


def test_a_step_of_the_agency_in_between_is_not_a_switch() -> None:
    el = log([("1", "Submit", 0, "web"), ("1", "Review", 24, ""), ("1", "Status call", 48, "phone"),
              ("2", "Upload", 0, "web"), ("2", "Re-requested", 1, "email"),
              ("2", "Visit office", 30, "in_person")])
    assert fr.channel_switches(el.frame) == []


def test_drop_offs_with_declared_outcomes_and_idle_journeys() -> None:
    el = log([("1", "Start", 0), ("1", "Decision", 10),
              ("2", "Start", 0), ("2", "Upload", 5),
              ("3", "Start", 0),
              ("4", "Start", 0), ("4", "Upload", 2),
              ("5", "Start", 20 * 24)])  # 20 days before `now`: may still be going
    now = T0 + dt.timedelta(days=40)
    points = {p.where: p for p in fr.drop_offs(el.frame, outcomes=["Decision"], now=now)}
    assert set(points) == {"Upload", "Start"}
    assert (points["Upload"].people, points["Upload"].time_lost_seconds) == (2, 7 * H)
    assert points["Upload"].case_keys == ["2", "4"]
    assert (points["Start"].people, points["Start"].time_lost_seconds) == (1, 0.0)
    assert "40% of all" in points["Upload"].sentence


def test_outcomes_are_inferred_from_how_journeys_end() -> None:
    el = log([("1", "Start", 0), ("1", "Upload", 1), ("1", "Decision", 2),
              ("2", "Start", 0), ("2", "Upload", 1), ("2", "Decision", 2),
              ("3", "Start", 0), ("3", "Upload", 1),
              ("4", "Start", 0)])
    # Decision ends 2 of 2, Upload 1 of 3, Start 1 of 4
    assert fr.inferred_outcomes(el.frame) == {"Decision"}
    points = fr.drop_offs(el.frame, now=T0 + dt.timedelta(days=60))
    assert sorted((p.where, p.people) for p in points) == [("Start", 1), ("Upload", 1)]


def test_repeat_contacts_within_the_window() -> None:
    el = log([("1", "Call", 0, "phone"), ("1", "Completed", 0.5, "phone"),  # one contact
              ("1", "Call", 48, "phone"),  # back 48 h later: a repeat
              ("1", "Call", 48 + 30 * 24, "phone"),  # a month later: a new matter
              ("2", "Visit", 0, "in_person"), ("2", "Call", 24, "phone"),
              ("3", "Call", 0, "phone"), ("3", "Upload", 1, "web")])
    (p,) = fr.repeat_contacts(el.frame, window_days=7)
    assert (p.where, p.people, p.detail["repeats"], p.time_lost_seconds) == (
        "Call", 2, 2, 72 * H)
    assert p.case_keys == ["1", "2"]


def test_repeat_contacts_use_the_contact_source_too() -> None:
    el = log([("1", "Email in", 0, "email", "contact"), ("1", "Email in", 5, "email", "contact")],
             columns=("channel", "source"))
    (p,) = fr.repeat_contacts(el.frame)
    assert (p.where, p.people, p.time_lost_seconds) == ("Email in", 1, 5 * H)


def test_steps_followed_by_negative_survey_answers() -> None:
    cols = ("trust_positive", "drivers_negative")
    el = log([("1", "Upload", 0), ("1", "Re-request", 1), ("1", "Upload", 2),
              ("1", "Survey answered", 3, False, "ease"),
              ("2", "Upload", 0), ("2", "Re-request", 1), ("2", "Upload", 2),
              ("2", "Survey answered", 3, False, ""),
              ("3", "Upload", 0), ("3", "Submit", 1), ("3", "Survey answered", 2, True, ""),
              ("4", "Upload", 0), ("4", "Submit", 1), ("4", "Survey answered", 2, True, ""),
              ("5", "Upload", 0), ("5", "Submit", 1), ("5", "Survey answered", 2, True, "")],
             columns=cols)
    # overall 2 of 5 negative; after Re-request 2 of 2; after Upload 2 of 5; Submit 0 of 3
    (p,) = fr.low_trust_steps(el.frame, min_answers=2)
    assert (p.kind, p.where, p.people, p.time_lost_seconds) == ("low_trust", "Re-request", 1, 0)
    assert p.detail["share"] == 1.0 and p.detail["overall_share"] == 0.4
    assert p.detail["top_driver"] == "ease" and "100%" in p.sentence and "40%" in p.sentence
    # survey answers are not steps: no journey "ends" with one, none is a loop or a switch
    assert fr.inferred_outcomes(el.frame) == {"Submit"}  # Upload ends 2 of 5
    assert fr.low_trust_steps(el.frame, min_answers=3) == []


def test_ranking_is_time_lost_times_people_with_a_floor_per_person() -> None:
    many = fr.FrictionPoint("low_trust", "A", people=10, time_lost_seconds=0, sentence="")
    few = fr.FrictionPoint("loop", "B", people=2, time_lost_seconds=2 * H, sentence="")
    long = fr.FrictionPoint("bottleneck", "C → D", people=1, time_lost_seconds=100_000,
                            sentence="")
    assert (many.score, few.score, long.score) == (9000, 7200, 100_000)
    assert [p.where for p in fr.rank([few, many, long])] == ["C → D", "A", "B"]
    assert many.key.startswith("low_trust-") and many.key != few.key


def test_all_kinds_together_are_ranked() -> None:
    el = log([("1", "Start", 0, "web"), ("1", "Web error", 1, "web"), ("1", "Call", 30, "phone"),
              ("1", "Decision", 500, "email"),
              ("2", "Start", 0, "web"), ("2", "Decision", 400, "email")])
    points = fr.friction_points(el, now=T0 + dt.timedelta(days=90))
    assert {p.kind for p in points} >= {"bottleneck", "channel_switch"}
    assert points == fr.rank(points)


def test_survey_attributes_are_normalised() -> None:
    assert fr.survey_columns({"trust": "down", "went_poorly": ["ease", "efficiency"],
                              "comments": "slow"}) == (False, "ease|efficiency", "slow")
    assert fr.survey_columns({"trust_positive": True}) == (True, "", "")
    assert fr.survey_columns({}) == (None, "", "")


# --- the page ------------------------------------------------------------------------------------

def test_friction_page_lists_ranked_points_with_action_links(world: dict[str, Any],
                                                             client: Any) -> None:
    from django.utils import timezone

    from govcx.core.models import AuditEvent, Role
    from govcx.journeys.services import EventIn, journey_events_record
    from tests.conftest import login

    base = timezone.now() - dt.timedelta(days=60)
    events = []
    for i in range(6):
        key = f"app-{i}"
        rows = [("Start application", 0, "web"), ("Web error", 1, "web"),
                ("Call contact centre", 3, "phone"), ("Decision", 24 * 20, "")]
        for seq, (activity, hours, channel) in enumerate(rows):
            events.append(EventIn(agency_id=world["a"].pk, service_id=world["sa"].pk,
                                  case_key=key, activity=activity, source="import", seq=seq,
                                  at=base + dt.timedelta(hours=hours + i), channel=channel))
    journey_events_record(events=events)
    analyst = world["staff"][("benefits-agency", Role.CX_ANALYST)]
    login(client, analyst)
    url = f"/staff/journeys/{world['sa'].pk}/friction/"
    page = client.get(url)
    body = page.content.decode()
    assert page.status_code == 200
    assert "web → phone after &#x27;Web error&#x27;" in body or \
        "Website → Phone" in body or "web → phone" in body
    assert "Call contact centre → Decision" in body and "Propose an action" in body
    assert "app-0" in body  # drill-down keys
    ev = AuditEvent.objects.filter(action="journeys.friction.view").latest("at")
    assert (ev.actor_id, ev.agency_id) == (analyst.pk, world["a"].pk)
    # "propose an action": GET shows what would be created and records nothing
    import re

    action = re.search(r'href="(/staff/journeys/\d+/friction/[^"/]+/action/[^"]*)"', body)
    assert action is not None
    shown = client.get(action.group(1).replace("&amp;", "&"))
    text = shown.content.decode()
    assert shown.status_code == 200 and "Nothing is recorded yet" in text
    assert "Reduce:" in text
    # POST opens the insight and goes on to the new-action form (tests/improve/test_actions.py)
    assert client.post(action.group(1).replace("&amp;", "&")).status_code == 302
    missing = client.get(f"{url}bottleneck-0000000000/action/")
    assert missing.status_code == 404 and "not in the chosen period" in missing.content.decode()
    # bad filters are a 400 with a message, never a 500
    bad = client.get(url + "?start=yesterday")
    assert bad.status_code == 400 and "is not a date" in bad.content.decode()
    assert client.get(url + "?start=2025-05-01&end=2025-01-01").status_code == 400
    assert client.get(url + "?persona=999999").status_code == 400
    assert client.get(url + "?persona=abc").status_code == 400
    # Spanish page
    es = client.get(url, HTTP_ACCEPT_LANGUAGE="es")
    assert es.status_code == 200
    # another agency: 404, audited as denied
    login(client, world["staff"][("tax-agency", Role.ADMINISTRATOR)])
    assert client.get(url).status_code == 404
    assert client.get(f"{url}bottleneck-0000000000/action/").status_code == 404
    assert AuditEvent.objects.filter(action="journeys.friction.view", outcome="denied").exists()


def test_friction_page_persona_filter(world: dict[str, Any], client: Any) -> None:
    from govcx.core.models import Role
    from govcx.journeys import personas as ps
    from tests.conftest import login
    from tests.journeys.test_personas import seed_groups

    keys = seed_groups(world["a"], world["sa"])
    ps.personas_build(agency=world["a"])
    phone = next(p for p in ps.Persona.objects.all()
                 if ps.persona_case_keys(p) == keys["phone"])
    login(client, world["staff"][("benefits-agency", Role.VIEWER)])
    url = f"/staff/journeys/{world['sa'].pk}/friction/"
    everyone = client.get(url + "?start=2025-01-01&end=2025-12-31").content.decode()
    only = client.get(url + f"?start=2025-01-01&end=2025-12-31&persona={phone.pk}")
    assert only.status_code == 200
    body = only.content.decode()
    assert "Visit field office" in everyone and "Visit field office" not in body
    assert "Call contact centre" in body
