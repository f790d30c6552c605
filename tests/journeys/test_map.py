"""The journey map page: the engine's figures on the service's events, filters, drill-down,
export, isolation."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from govcx.core.models import Role
from govcx.customers.services import customer_match_or_create
from govcx.feedback import services as fb
from govcx.journeys import eventlog, mining, selectors
from govcx.journeys.models import JourneyEvent, Persona, PersonaMember, PersonaRun
from govcx.journeys.selectors import Drill, MapFilter
from govcx.journeys.services import EventIn, journey_events_record
from tests.conftest import login

pytestmark = pytest.mark.django_db
UTC = dt.UTC
T0 = dt.datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
PERIOD = {"start": "2025-03-01", "end": "2025-03-31"}

# (case, [(activity, minutes after T0, channel, attributes)])
JOURNEYS: dict[str, list[tuple[str, int, str, dict[str, str]]]] = {
    "A": [("Apply", 0, "web", {"language": "en"}), ("Upload", 30, "web", {}),
          ("Submit", 60, "web", {}), ("Decision", 600, "email", {"outcome": "approved"})],
    "B": [("Apply", 5, "web", {"language": "es"}), ("Upload", 20, "web", {}),
          ("Submit", 90, "web", {}), ("Decision", 1000, "email", {"outcome": "denied"})],
    "C": [("Apply", 0, "web", {"language": "en"}), ("Web error", 10, "web", {}),
          ("Phone call", 60, "phone", {}), ("Submit", 70, "phone", {}),
          ("Decision", 900, "email", {"outcome": "approved"})],
    "D": [("Apply", 0, "web", {"language": "en"}), ("Upload", 30, "web", {}),
          ("Documents received", 30, "web", {}), ("Upload", 120, "web", {})],  # tie: file order
    "E": [("Upload", 0, "web", {}), ("Apply", 40, "web", {}), ("Submit", 50, "web", {}),
          ("Decision", 400, "email", {"outcome": "approved"})],
}


def seed(agency: Any, service: Any, journeys: dict[str, list[Any]] | None = None,
         prefix: str = "case:") -> None:
    rows = []
    for case, steps in (journeys or JOURNEYS).items():
        for seq, (activity, minutes, channel, attrs) in enumerate(steps):
            rows.append(EventIn(agency_id=agency.pk, service_id=service.pk, activity=activity,
                                at=T0 + dt.timedelta(minutes=minutes),
                                case_key=f"{prefix}{case}", source="import", channel=channel,
                                attributes=attrs, seq=seq))
    rows.reverse()  # stored out of order: the map must not depend on insertion order
    journey_events_record(events=rows)


def reference_log(tmp_path: Path, journeys: dict[str, list[Any]] | None = None,
                  prefix: str = "case:") -> eventlog.EventLog:
    """The same events through the engine's own CSV reader."""
    lines = ["case,activity,time"]
    for case, steps in (journeys or JOURNEYS).items():
        for activity, minutes, _ch, _a in steps:
            lines.append(f"{prefix}{case},{activity},"
                         f"{(T0 + dt.timedelta(minutes=minutes)).isoformat()}")
    path = tmp_path / "ref.csv"
    path.write_text("\n".join(lines) + "\n")
    return eventlog.read_log(path, mapping=eventlog.ColumnMapping("case", "activity", "time"))


def flt(**kw: Any) -> MapFilter:
    return MapFilter.parse({**PERIOD, **kw})


def test_map_figures_equal_the_engine(world: dict[str, Any], tmp_path: Path) -> None:
    seed(world["a"], world["sa"])
    log = selectors.journey_log(service=world["sa"], flt=flt())
    jmap = selectors.journey_map(log=log)
    ref = mining.analyze(reference_log(tmp_path), top=10)
    assert jmap.stats.as_json() == ref.as_json()
    assert jmap.stats.cases == 5 and jmap.stats.events == 21
    arcs = {(a.source, a.target): a for a in jmap.stats.dfg}
    assert arcs[("Apply", "Upload")].count == 3
    assert arcs[("Upload", "Documents received")].count == 1  # same instant, seq order
    assert ("Documents received", "Upload") in arcs
    assert arcs[("Submit", "Decision")].mean_seconds == pytest.approx(
        ((600 - 60) + (1000 - 90) + (900 - 70) + (400 - 50)) * 60 / 4)
    assert jmap.stats.start == {"Apply": 4, "Upload": 1}
    # variant durations (this module's) and steps in mean-position order
    top = jmap.variants[0]
    assert top.count == 2 and top.mean_seconds == top.median_seconds
    by_acts = {v.activities: v for v in jmap.variants}
    assert by_acts[("Apply", "Upload", "Submit", "Decision")].count == 2
    assert by_acts[("Apply", "Upload", "Submit", "Decision")].mean_seconds == pytest.approx(
        (600 + 995) * 60 / 2)
    order = [s.activity for s in jmap.steps]  # by mean position: Web error (1.0), Upload (1.2)
    assert order[:3] == ["Apply", "Web error", "Upload"] and order[-1] == "Decision"
    assert {s.activity: s.cases for s in jmap.steps}["Upload"] == 4


def test_map_page(world: dict[str, Any], client: Any) -> None:
    seed(world["a"], world["sa"])
    login(client, world["staff"][("benefits-agency", Role.VIEWER)])
    r = client.get(f"/staff/journeys/{world['sa'].pk}/", PERIOD)
    assert r.status_code == 200
    body = r.content.decode()
    assert 'role="img"' in body and 'aria-labelledby="journey-map-title journey-map-desc"' in body
    assert "<title id=\"journey-map-title\">" in body
    assert 'id="journey-arrows"' in body and 'id="journey-variants"' in body
    assert "5 journeys" in body and "Web error" in body
    assert "Export CSV" not in body  # a viewer cannot export
    r = client.get(f"/staff/journeys/{world['sa'].pk}/", {"start": "2025-13-01"})
    assert r.status_code == 400 and "is not a date" in r.content.decode()
    r = client.get(f"/staff/journeys/{world['sa'].pk}/", {**PERIOD, "attribute": "nokey"})
    assert r.status_code == 400
    assert client.get("/staff/journeys/").status_code == 200


def test_filters(world: dict[str, Any]) -> None:
    seed(world["a"], world["sa"])
    sa = world["sa"]

    def cases(**kw: Any) -> set[str]:
        log = selectors.journey_log(service=sa, flt=flt(**kw))
        return set(log.frame.get_column(eventlog.CASE).unique())

    assert cases() == {"case:A", "case:B", "case:C", "case:D", "case:E"}
    assert cases(channel="phone") == {"case:C"}
    assert cases(language="es") == {"case:B"}
    assert cases(outcome="Decision") == {"case:A", "case:B", "case:C", "case:E"}
    assert cases(outcome="Upload") == {"case:D"}
    assert cases(attribute="outcome=denied") == {"case:B"}
    assert cases(channel="web", language="en") == {"case:A", "case:C", "case:D"}
    run = PersonaRun.objects.create(agency=world["a"], k=2)
    p = Persona.objects.create(agency=world["a"], run=run, number=1, name="Phone people")
    PersonaMember.objects.create(persona=p, case_key="case:C")
    PersonaMember.objects.create(persona=p, case_key="case:E")
    assert cases(persona=str(p.pk)) == {"case:C", "case:E"}
    # another agency's persona filters nothing in
    run_b = PersonaRun.objects.create(agency=world["b"], k=2)
    pb = Persona.objects.create(agency=world["b"], run=run_b, number=1, name="B")
    PersonaMember.objects.create(persona=pb, case_key="case:A")
    assert cases(persona=str(pb.pk)) == set()
    # whole journeys are kept: the phone journey's web steps are still there
    log = selectors.journey_log(service=sa, flt=flt(channel="phone"))
    assert log.frame.get_column(eventlog.ACTIVITY).to_list()[0] == "Apply"
    # the period
    assert cases(start="2025-04-01", end="2025-04-30") == set()


def test_unattributed_steps_and_survey_answers_join(world: dict[str, Any]) -> None:
    a, sa = world["a"], world["sa"]
    person = customer_match_or_create(agency=a, kind="email", value="ana@example.org")
    key = f"customer:{person.pk}"
    journey_events_record(events=[
        EventIn(agency_id=a.pk, service_id=None, activity="Help article viewed",
                at=T0, case_key=key, source="assist", channel="web"),
        EventIn(agency_id=a.pk, service_id=sa.pk, activity="Apply",
                at=T0 + dt.timedelta(minutes=5), case_key=key, source="import"),
        EventIn(agency_id=a.pk, service_id=None, activity="Help article viewed",
                at=T0, case_key="visitor:other", source="assist", channel="web"),
    ])
    r = fb.response_submit(touchpoint=world["ta"], answers={"trust": "down"}).response
    assert r is not None
    r.customer, r.submitted_at = person, T0 + dt.timedelta(minutes=9)
    r.save(update_fields=["customer", "submitted_at"])
    log = selectors.journey_log(service=sa, flt=flt())
    assert log.frame.get_column(eventlog.ACTIVITY).to_list() == [
        "Help article viewed", "Apply", "Survey answered"]
    assert selectors.journey_log(service=sa, flt=flt(unattributed="0")).events == 2
    assert selectors.journey_log(service=sa, flt=flt(attribute="trust=negative")).events == 3
    assert selectors.journey_log(service=sa, flt=flt(attribute="trust=positive")).events == 0


def test_drill_down(world: dict[str, Any], client: Any) -> None:
    seed(world["a"], world["sa"])
    log = selectors.journey_log(service=world["sa"], flt=flt())

    def keys(kind: str, a: str, b: str = "") -> set[str]:
        return set(selectors.drill_cases(log=log, drill=Drill(kind=kind, a=a, b=b)).case_keys)

    assert keys("step", "Web error") == {"case:C"}
    assert keys("arc", "Apply", "Upload") == {"case:A", "case:B", "case:D"}
    assert keys("arc", "Documents received", "Upload") == {"case:D"}
    assert keys("start", "Upload") == {"case:E"}
    assert keys("end", "Upload") == {"case:D"}
    main = selectors.variant_key(("Apply", "Upload", "Submit", "Decision"))
    assert keys("variant", main) == {"case:A", "case:B"}
    assert keys("variant", "000000000000") == set()
    login(client, world["staff"][("benefits-agency", Role.CX_ANALYST)])
    r = client.get(f"/staff/journeys/{world['sa'].pk}/journeys/",
                   {**PERIOD, "drill": "arc", "a": "Apply", "b": "Upload"})
    assert r.status_code == 200
    body = r.content.decode()
    assert "3 journeys" in body and "case:A" in body and "case:C" not in body
    from govcx.core.models import AuditEvent

    audit = AuditEvent.objects.get(action="journeys.cases_view")
    assert audit.agency_id == world["a"].pk and audit.detail["journeys"] == 3
    r = client.get(f"/staff/journeys/{world['sa'].pk}/journeys/", {**PERIOD, "drill": "bogus"})
    assert r.status_code == 400
    r = client.get(f"/staff/journeys/{world['sa'].pk}/journeys/", {**PERIOD, "drill": "arc",
                                                                   "a": "Apply"})
    assert r.status_code == 400


def test_case_links(world: dict[str, Any], client: Any) -> None:
    person = customer_match_or_create(agency=world["a"], kind="email", value="b@example.org")
    seed(world["a"], world["sa"], {"1": JOURNEYS["A"]}, prefix=f"customer:{person.pk}#")
    journey_events_record(events=[EventIn(agency_id=world["a"].pk, service_id=world["sa"].pk,
                                          activity="Apply", at=T0,
                                          case_key=f"customer:{person.pk}", source="contact")])
    login(client, world["staff"][("benefits-agency", Role.CX_ANALYST)])
    body = client.get(f"/staff/journeys/{world['sa'].pk}/journeys/",
                      {**PERIOD, "drill": "step", "a": "Apply"}).content.decode()
    assert f'href="/staff/customers/{person.pk}/"' in body


def test_export_csv_and_xes(world: dict[str, Any], client: Any, tmp_path: Path) -> None:
    seed(world["a"], world["sa"])
    login(client, world["staff"][("benefits-agency", Role.CX_ANALYST)])
    ref = mining.analyze(reference_log(tmp_path), top=10).as_json()
    for fmt in ("csv", "xes"):
        r = client.get(f"/staff/journeys/{world['sa'].pk}/export/{fmt}/", PERIOD)
        assert r.status_code == 200, r.content
        assert "attachment" in r["Content-Disposition"]
        path = tmp_path / f"out.{fmt}"
        path.write_bytes(b"".join(r.streaming_content))
        back = eventlog.read_log(path)
        assert mining.analyze(back, top=10).as_json() == ref
        assert "channel" in back.frame.columns
    from govcx.core.models import AuditEvent

    assert AuditEvent.objects.filter(action="journeys.export").count() == 2
    login(client, world["staff"][("benefits-agency", Role.VIEWER)])
    assert client.get(f"/staff/journeys/{world['sa'].pk}/export/csv/").status_code == 403
    login(client, world["staff"][("benefits-agency", Role.CX_ANALYST)])
    assert client.get(f"/staff/journeys/{world['sa'].pk}/export/pdf/").status_code == 404


@pytest.mark.parametrize("path", ["", "journeys/?drill=step&a=Apply", "intended/", "import/",
                                  "export/csv/"])
def test_other_agency_gets_404(world: dict[str, Any], client: Any, path: str) -> None:
    seed(world["a"], world["sa"])
    login(client, world["staff"][("tax-agency", Role.ADMINISTRATOR)])
    assert client.get(f"/staff/journeys/{world['sa'].pk}/{path}").status_code == 404
    assert client.post(f"/staff/journeys/{world['sa'].pk}/{path}").status_code in (404, 405)


def test_roles(world: dict[str, Any], client: Any) -> None:
    login(client, world["staff"][("benefits-agency", Role.AGENT)])
    assert client.get(f"/staff/journeys/{world['sa'].pk}/").status_code == 404
    login(client, world["staff"][("benefits-agency", Role.PERFORMANCE_MANAGER)])
    assert client.get(f"/staff/journeys/{world['sa'].pk}/", PERIOD).status_code == 200
    assert client.get(f"/staff/journeys/{world['sa'].pk}/intended/").status_code == 403


def test_empty_map(world: dict[str, Any], client: Any) -> None:
    login(client, world["staff"][("benefits-agency", Role.VIEWER)])
    r = client.get(f"/staff/journeys/{world['sa'].pk}/", PERIOD)
    assert r.status_code == 200 and 'id="journey-empty"' in r.content.decode()


def test_snapshot_path_gives_the_same_map(world: dict[str, Any], settings: Any, tmp_path: Path,
                                          monkeypatch: Any) -> None:
    """Large agencies read a Parquet snapshot plus appended rows; any other change rebuilds."""
    from govcx.journeys import services as js
    from govcx.journeys import sources

    seed(world["a"], world["sa"])
    journey_events_record(events=[EventIn(agency_id=world["a"].pk, service_id=None,
                                          activity="Help article viewed", at=T0,
                                          case_key="case:A", source="assist")])

    def figures() -> dict[str, Any]:
        log = selectors.journey_log(service=world["sa"], flt=flt())
        return selectors.journey_map(log=log).stats.as_json()

    direct = figures()
    settings.JOURNEY_CACHE_DIR = tmp_path / "cache"
    monkeypatch.setattr(sources, "SNAPSHOT_MIN_EVENTS", 1)
    assert figures() == direct  # builds the snapshot
    assert list((tmp_path / "cache").glob("*.parquet"))
    assert figures() == direct  # reads it
    journey_events_record(events=[EventIn(agency_id=world["a"].pk, service_id=world["sa"].pk,
                                          activity="Payment", at=T0 + dt.timedelta(days=2),
                                          case_key="case:A", source="import")])
    appended = figures()
    monkeypatch.setattr(sources, "SNAPSHOT_MIN_EVENTS", 10**9)
    assert appended == figures() != direct
    monkeypatch.setattr(sources, "SNAPSHOT_MIN_EVENTS", 1)
    js.journey_events_rekey(agency=world["a"], old_key="case:B", new_key="case:Z")
    JourneyEvent.objects.filter(case_key="case:C").delete()
    changed = figures()
    monkeypatch.setattr(sources, "SNAPSHOT_MIN_EVENTS", 10**9)
    assert changed == figures() and changed["cases"] == 4
