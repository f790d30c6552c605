"""The demo journeys (govcx.journeys.demo) show the friction the issue names, and three or
more personas emerge from them."""

from __future__ import annotations

from typing import Any

from govcx.journeys import friction as fr
from govcx.journeys.demo import journeys_demo_seed
from govcx.journeys.models import JourneyEvent
from govcx.journeys.personas import personas_build


def test_demo_has_the_named_friction_and_three_personas(world: dict[str, Any]) -> None:
    made = journeys_demo_seed(agencies=[world["a"], world["b"]], journeys=1500)
    assert made["journeys"] == 1500 and made["customers"] == 1500 and made["events"] > 12_000
    assert made["personas"] >= 3
    assert not JourneyEvent.objects.filter(agency=world["b"]).exists()  # only benefits
    # idempotent
    assert journeys_demo_seed(agencies=[world["a"]])["events"] == 0

    log = fr.journey_log(agency_ids=[world["a"].pk], service_id=world["sa"].pk)
    points = fr.friction_points(log)
    assert {p.kind for p in points} == set(fr.KINDS)
    by = {(p.kind, p.where): p for p in points}
    # document re-requests: the documents step is done again right after a re-request
    upload = by[("loop", "Upload documents")]
    assert upload.detail["cause"] == "Documents re-requested" and upload.people > 100
    # channel switching to the phone right after a web error
    assert by[("channel_switch", "web → phone after 'Web error'")].people > 30
    # the slow decision step is the worst friction point of all
    assert (points[0].kind, points[0].where) == ("bottleneck", "Eligibility review → Decision made")
    assert points[0].detail["median_seconds"] > 20 * 86400
    assert any(p.kind == "drop_off" and p.where == "Documents re-requested" for p in points)
    assert any(p.kind == "repeat_contact" and p.where == "Called about claim status"
               for p in points)

    run = personas_build(agency=world["a"])  # again, as the background task would
    assert run.k == made["personas"]
    names = sorted(p.name for p in run.personas.all())
    assert any("Spanish speakers" in n for n in names), names
    assert any("Phone-reliant" in n for n in names), names
    assert any("Online self-servers" in n for n in names), names
    quotes = [pp["quote"] for p in run.personas.all() for pp in p.pain_points if pp["quote"]]
    assert quotes
    assert not any("202-555-0143" in q or "@example.com" in q for q in quotes)
