"""Designed versus actual: the intended journey, conformance counts and deviations on a
hand-built log, drill-down, and the edit page."""

from __future__ import annotations

from typing import Any

import pytest

from govcx.core.models import AuditEvent, Role
from govcx.journeys import selectors, services
from govcx.journeys.models import IntendedJourney
from govcx.journeys.selectors import Drill, verdict
from tests.conftest import login
from tests.journeys.test_map import JOURNEYS, PERIOD, flt, seed

pytestmark = pytest.mark.django_db
STEPS = ["Apply", "Upload", "Submit", "Decision"]
WITH_F = {**JOURNEYS, "F": [("Apply", 0, "web", {}), ("Apply", 1, "web", {}),
                            ("Upload", 2, "web", {}), ("Help", 3, "web", {}),
                            ("Submit", 4, "web", {}), ("Decision", 5, "email", {})]}


def test_verdict_definitions() -> None:
    assert verdict(["Apply", "Upload", "Submit", "Decision"], STEPS).kind == "exact"
    assert verdict(["Apply", "Apply", "Upload", "Submit", "Submit", "Decision"],
                   STEPS).kind == "exact"  # immediate repeats collapse
    v = verdict(["Apply", "Upload", "Call", "Upload", "Submit", "Decision"], STEPS)
    assert v.kind == "extra" and v.extra == ("Call",) and not v.skipped
    v = verdict(["Apply", "Submit", "Decision"], STEPS)
    assert v.kind == "deviate" and v.skipped == ("Upload",) and not v.order
    v = verdict(["Upload", "Apply", "Submit", "Decision"], STEPS)
    assert v.kind == "deviate" and v.order == (("Apply", "Upload"),)
    v = verdict(["Apply", "Upload"], STEPS)  # stopped short
    assert v.kind == "deviate" and v.skipped == ("Submit", "Decision")
    # a late repeat does not hide the order: first occurrences count
    v = verdict(["Submit", "Apply", "Upload", "Submit", "Decision"], STEPS)
    assert v.kind == "extra" and v.order == (("Apply", "Submit"), ("Upload", "Submit"))


def test_conformance_counts(world: dict[str, Any]) -> None:
    seed(world["a"], world["sa"], WITH_F)
    services.intended_journey_set(service=world["sa"], steps=STEPS)
    log = selectors.journey_log(service=world["sa"], flt=flt())
    c = selectors.journey_map(log=log, intended=selectors.intended_steps(world["sa"])).conformance
    assert c is not None
    assert (c.cases, c.exact, c.extra_only, c.deviate, c.follow) == (6, 2, 1, 3, 3)
    assert c.skipped == [("Decision", 1), ("Submit", 1), ("Upload", 1)]
    assert c.extra == [("Documents received", 1), ("Help", 1), ("Phone call", 1),
                       ("Web error", 1)]
    assert c.order == [("Apply", "Upload", 1)]

    def keys(kind: str, a: str, b: str = "") -> set[str]:
        return set(selectors.drill_cases(log=log, drill=Drill(kind=kind, a=a, b=b),
                                         intended=STEPS).case_keys)

    assert keys("conformance", "exact") == {"case:A", "case:B"}
    assert keys("conformance", "extra") == {"case:F"}
    assert keys("conformance", "follow") == {"case:A", "case:B", "case:F"}
    assert keys("conformance", "deviate") == {"case:C", "case:D", "case:E"}
    assert keys("skipped", "Upload") == {"case:C"}
    assert keys("extra", "Help") == {"case:F"}
    assert keys("order", "Apply", "Upload") == {"case:E"}


def test_map_shows_designed_versus_actual(world: dict[str, Any], client: Any) -> None:
    seed(world["a"], world["sa"], WITH_F)
    login(client, world["staff"][("benefits-agency", Role.CX_ANALYST)])
    url = f"/staff/journeys/{world['sa'].pk}/"
    assert "has no intended journey yet" in client.get(url, PERIOD).content.decode()
    r = client.post(url + "intended/", {"steps": "Apply\n\n Upload \nSubmit\nDecision\n"})
    assert r.status_code == 302
    assert IntendedJourney.objects.get(service=world["sa"]).steps == STEPS
    assert AuditEvent.objects.filter(action="journeys.intended_set").exists()
    body = client.get(url, PERIOD).content.decode()
    assert "50.0 % of journeys follow the intended journey" in body
    assert 'id="conformance-order"' in body
    r = client.get(url + "journeys/", {**PERIOD, "drill": "conformance", "a": "deviate"})
    assert r.status_code == 200 and "3 journeys" in r.content.decode()


def test_edit_page_errors(world: dict[str, Any], client: Any) -> None:
    login(client, world["staff"][("benefits-agency", Role.CX_ANALYST)])
    url = f"/staff/journeys/{world['sa'].pk}/intended/"
    assert client.get(url).status_code == 200
    r = client.post(url, {"steps": "  \n"})
    assert r.status_code == 400 and "at least one step" in r.content.decode()
    r = client.post(url, {"steps": "A\nB\nA"})
    assert r.status_code == 400 and "repeated: A" in r.content.decode()
    assert "A\nB\nA" in r.content.decode()  # what was typed is kept
    r = client.post(url, {"steps": "\n".join(f"S{i}" for i in range(40))})
    assert r.status_code == 400
    client.post(url, {"steps": "A\nB"})
    client.post(url, {"clear": "1"})
    assert not IntendedJourney.objects.exists()
    login(client, world["staff"][("benefits-agency", Role.VIEWER)])
    assert client.post(url, {"steps": "A"}).status_code == 403
    drill = client.get(f"/staff/journeys/{world['sa'].pk}/journeys/",
                       {**PERIOD, "drill": "skipped", "a": "A"})
    assert drill.status_code == 400  # no intended journey
