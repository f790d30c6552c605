"""Personas: the number of groups comes from the data, traits in words, renames survive a
rerun, quotes are redacted, the pages are scoped to the user's agencies and audited."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from govcx.core.models import AuditEvent, Role
from govcx.customers.services import customer_match_or_create
from govcx.journeys import personas as ps
from govcx.journeys.models import Persona, PersonaRun
from govcx.journeys.services import EventIn, case_key_for, journey_events_record
from tests.conftest import login

T0 = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC)
H = dt.timedelta(hours=1)
D = dt.timedelta(days=1)

# (activity, offset, channel, source) per group; then a survey answer
GROUPS: dict[str, dict[str, Any]] = {
    "web": {"lang": "en", "trust": "positive", "comment": "Quick and clear website.",
            "steps": [("Start application", 0 * H, "web", "import"),
                      ("Upload documents", 1 * H, "web", "import"),
                      ("Submit application", 2 * H, "web", "import"),
                      ("Decision", 10 * D, "", "import")]},
    "phone": {"lang": "en", "trust": "negative",
              "comment": "Nobody answers, call me back at 202-555-0143 please.",
              "steps": [("Call contact centre", 0 * H, "phone", "contact"),
                        ("Call contact centre", 2 * D, "phone", "contact"),
                        ("Call contact centre", 4 * D, "phone", "contact"),
                        ("Submit application", 4 * D + H, "phone", "contact"),
                        ("Decision", 30 * D, "", "import")]},
    "office": {"lang": "es", "trust": "negative",
               "comment": "Me pidieron el mismo documento dos veces.",
               "steps": [("Visit field office", 0 * H, "in_person", "import"),
                         ("Submit application", H, "in_person", "import"),
                         ("Decision", 20 * D, "", "import")]},
}


def seed_groups(agency: Any, service: Any, per_group: int = 25,
                prefix: str = "p") -> dict[str, set[str]]:
    keys: dict[str, set[str]] = {g: set() for g in GROUPS}
    events: list[EventIn] = []
    for g, spec in GROUPS.items():
        for i in range(per_group):
            customer = customer_match_or_create(
                agency=agency, kind="email", value=f"{prefix}-{g}-{i}@example.org",
                language=spec["lang"])
            key = case_key_for(customer_id=customer.pk)
            keys[g].add(key)
            start = T0 + i * H
            seq = 0
            for activity, offset, channel, source in spec["steps"]:
                events.append(EventIn(agency_id=agency.pk, service_id=service.pk,
                                      customer_id=customer.pk, case_key=key, activity=activity,
                                      at=start + offset, channel=channel, source=source,
                                      seq=seq, attributes={"language": spec["lang"]}))
                seq += 1
            if i % 2 == 0:
                events.append(EventIn(
                    agency_id=agency.pk, service_id=service.pk, customer_id=customer.pk,
                    case_key=key, activity="Survey answered", at=start + 40 * D,
                    channel="email", source="feedback", seq=seq,
                    attributes={"trust": spec["trust"], "comment": spec["comment"],
                                "drivers_negative": ["efficiency"] if spec["trust"] ==
                                "negative" else [], "language": spec["lang"]}))
    journey_events_record(events=events)
    return keys


@pytest.fixture
def groups(world: dict[str, Any]) -> dict[str, Any]:
    return {**world, "keys": seed_groups(world["a"], world["sa"])}


def _persona_of(keys: set[str]) -> Persona:
    best = max(Persona.objects.all(), key=lambda p: len(ps.persona_case_keys(p) & keys))
    return best


def test_three_clear_groups_give_three_personas(groups: dict[str, Any]) -> None:
    run = ps.personas_build(agency=groups["a"])
    assert run.k == 3 and run.customers == 75
    # 4 to 8 groups cannot be told apart (everyone in a group behaves the same)
    assert set(run.scores) == {"2", "3"} and run.scores["3"] > run.scores["2"]
    assert "We tried splitting 75 people into 2 to 8 groups" in run.explanation
    assert "3 groups separate them best" in run.explanation
    assert "More than 3 groups could not be told apart" in run.explanation
    assert sorted(p.size for p in run.personas.all()) == [25, 25, 25]
    for g, keys in groups["keys"].items():  # each persona is exactly one behaviour group
        assert ps.persona_case_keys(_persona_of(keys)) == keys, g


def test_traits_in_words_and_names(groups: dict[str, Any]) -> None:
    ps.personas_build(agency=groups["a"])
    phone = _persona_of(groups["keys"]["phone"])
    office = _persona_of(groups["keys"]["office"])
    web = _persona_of(groups["keys"]["web"])
    assert phone.name.startswith("Phone-reliant")
    assert "Spanish speakers" in office.name and "Office visitors" in office.name
    assert web.name.startswith("Online self-servers")
    texts = [t["text"] for t in office.traits["defining"]]
    assert "100% prefer Spanish (everyone: 33%)" in texts
    assert any(t.startswith("Uses phone for") for t in (x["text"] for x in
                                                         phone.traits["defining"]))
    assert any("Contacts the agency more often: 3.0 times per journey" in x["text"]
               for x in phone.traits["defining"])
    assert web.traits["trust"]["share"] == 1.0 and phone.traits["trust"]["share"] == 0.0
    assert phone.traits["channels"][0]["channel"] == "phone"


def test_quotes_are_redacted_and_tied_to_pain_points(groups: dict[str, Any]) -> None:
    ps.personas_build(agency=groups["a"])
    phone = _persona_of(groups["keys"]["phone"])
    kinds = [pp["kind"] for pp in phone.pain_points]
    assert "repeat_contact" in kinds or "loop" in kinds
    quotes = [pp["quote"] for pp in phone.pain_points if pp["quote"]]
    assert quotes == ["Nobody answers, call me back at [PHONE] please."]
    office = _persona_of(groups["keys"]["office"])
    assert any(pp["quote"] == "Me pidieron el mismo documento dos veces."
               for pp in office.pain_points)
    assert not any(pp["quote"] for pp in _persona_of(groups["keys"]["web"]).pain_points)


def test_a_renamed_persona_keeps_its_name_on_rerun(groups: dict[str, Any]) -> None:
    ps.personas_build(agency=groups["a"])
    phone = _persona_of(groups["keys"]["phone"])
    ps.persona_update(persona=phone, name="  Callers   who wait ", description="Older, by phone")
    # more people arrive; the phone group still matches best
    seed_groups(groups["a"], groups["sa"], per_group=5, prefix="later")
    run = ps.personas_build(agency=groups["a"])
    assert run.k == 3 and Persona.objects.count() == 3  # the old run's personas are gone
    again = _persona_of(groups["keys"]["phone"])
    assert again.run_id == run.pk and again.pk != phone.pk
    assert (again.name, again.description, again.renamed) == (
        "Callers who wait", "Older, by phone", True)
    assert again.size == 30
    others = Persona.objects.exclude(pk=again.pk)
    assert not any(p.renamed for p in others)


def test_persona_update_checks_its_input(groups: dict[str, Any]) -> None:
    ps.personas_build(agency=groups["a"])
    p = Persona.objects.first()
    assert p is not None
    with pytest.raises(ps.PersonaError, match="name"):
        ps.persona_update(persona=p, name="   ")
    with pytest.raises(ps.PersonaError, match="at most 120"):
        ps.persona_update(persona=p, name="x" * 121)


def test_too_few_people_is_a_clear_error(world: dict[str, Any]) -> None:
    with pytest.raises(ps.PersonaError, match="at least 20 people"):
        ps.personas_build(agency=world["a"])
    with pytest.raises(CommandError, match="at least 20 people"):
        call_command("personas_run", agency=world["a"].slug, stdout=StringIO(),
                     stderr=StringIO())
    with pytest.raises(CommandError, match="No agency"):
        call_command("personas_run", agency="nope", stdout=StringIO(), stderr=StringIO())


def test_command_builds_and_prints(groups: dict[str, Any]) -> None:
    out = StringIO()
    call_command("personas_run", agency=groups["a"].slug, stdout=out, stderr=StringIO())
    text = out.getvalue()
    assert "3 personas for benefits-agency." in text and "silhouette" in text
    assert PersonaRun.objects.filter(agency=groups["a"]).count() == 1


def test_k_from_features_alone() -> None:
    rng = np.random.default_rng(0)
    centres = np.array([[0, 0, 0], [5, 0, 0], [0, 5, 0], [0, 0, 5]], dtype=float)
    values = np.vstack([c + rng.normal(0, 0.3, (30, 3)) for c in centres])
    feats = ps.Features(people=[str(i) for i in range(120)], keys={}, customers={},
                        columns=["a", "b", "c"], values=values, weights=np.ones(3))
    assert ps.choose_groups(feats).k == 4


# --- pages --------------------------------------------------------------------------------------

def test_persona_page_cards_audit_and_isolation(groups: dict[str, Any], client: Any) -> None:
    ps.personas_build(agency=groups["a"])
    analyst = groups["staff"][("benefits-agency", Role.CX_ANALYST)]
    login(client, analyst)
    page = client.get("/staff/journeys/personas/")
    body = page.content.decode()
    assert page.status_code == 200
    assert body.count('class="usa-card tablet:grid-col-6 desktop:grid-col-4 persona-card"') == 3
    assert "[PHONE]" in body and "202-555-0143" not in body
    assert "Rename or describe" in body and "Rebuild personas" in body
    assert "3 groups separate them best" in body
    ev = AuditEvent.objects.filter(action="journeys.personas.view").latest("at")
    assert (ev.actor_id, ev.agency_id, ev.detail["rows"]) == (analyst.pk, groups["a"].pk, 3)
    # Spanish
    es = client.get("/staff/journeys/personas/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Personas" in es
    # a viewer sees the cards but cannot rename or rebuild
    login(client, groups["staff"][("benefits-agency", Role.VIEWER)])
    body = client.get("/staff/journeys/personas/").content.decode()
    assert "persona-card" in body and "Rename or describe" not in body
    persona = Persona.objects.first()
    assert persona is not None
    assert client.get(f"/staff/journeys/personas/{persona.pk}/edit/").status_code == 404
    # another agency sees nothing of A
    login(client, groups["staff"][("tax-agency", Role.ADMINISTRATOR)])
    body = client.get("/staff/journeys/personas/").content.decode()
    assert persona.name not in body and "[PHONE]" not in body
    assert client.get(f"/staff/journeys/personas/{persona.pk}/edit/").status_code == 404
    assert client.post(f"/staff/journeys/personas/{persona.pk}/edit/",
                       {"name": "Hacked"}).status_code == 404
    assert client.post("/staff/journeys/personas/run/",
                       {"agency": groups["a"].pk}).status_code == 404
    persona.refresh_from_db()
    assert persona.name != "Hacked"


def test_rename_through_the_page(groups: dict[str, Any], client: Any) -> None:
    ps.personas_build(agency=groups["a"])
    persona = _persona_of(groups["keys"]["web"])
    login(client, groups["staff"][("benefits-agency", Role.CX_ANALYST)])
    url = f"/staff/journeys/personas/{persona.pk}/edit/"
    assert client.get(url).status_code == 200
    bad = client.post(url, {"name": "", "description": "x"})
    assert bad.status_code == 400 and "Give the persona a name." in bad.content.decode()
    ok = client.post(url, {"name": "Digital <b>first</b>", "description": "Young"})
    assert ok.status_code == 302
    persona.refresh_from_db()
    assert (persona.name, persona.renamed) == ("Digital <b>first</b>", True)
    body = client.get("/staff/journeys/personas/").content.decode()
    assert "Digital &lt;b&gt;first&lt;/b&gt;" in body


def test_rebuild_runs_in_the_background(groups: dict[str, Any], client: Any,
                                        django_capture_on_commit_callbacks: Any) -> None:
    from govcx.journeys.tasks_personas import personas_build_task

    login(client, groups["staff"][("benefits-agency", Role.CX_ANALYST)])
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post("/staff/journeys/personas/run/", {"agency": groups["a"].pk})
    assert r.status_code == 302
    page = client.get("/staff/journeys/personas/").content.decode()
    assert "A new run is waiting to start." in page
    status = client.get("/staff/journeys/personas/status.json").json()
    assert status["pending"] is True
    assert client.post("/staff/journeys/personas/run/", {"agency": "x"}).status_code == 404
    # what the worker does
    assert personas_build_task.call(agency_id=groups["a"].pk) == "3 personas from 75 people."


def test_persona_filter_keys(groups: dict[str, Any]) -> None:
    ps.personas_build(agency=groups["a"])
    for keys in groups["keys"].values():
        assert ps.persona_case_keys(_persona_of(keys)) == keys
