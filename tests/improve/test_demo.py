"""The demo seed: insights, research notes, actions (some done and public, EN/ES) and two
maturity assessments per demo agency, through the services; running it twice adds nothing."""

from __future__ import annotations

from typing import Any

from django.utils import translation

from govcx.core.models import Role
from govcx.improve.demo import improve_demo_seed
from govcx.improve.models import Action, Insight, MaturityAssessment, ResearchNote
from govcx.improve.selectors import you_said_we_did
from tests.conftest import login, make_agency, make_service, make_staff


def test_demo_seed(db: Any, client: Any) -> None:
    benefits, tax = make_agency("benefits", "Department of Benefits"), make_agency("tax")
    for slug in ("apply", "appeals", "offices"):
        make_service(benefits, slug)
    for slug in ("file", "payments", "notices"):
        make_service(tax, slug)
    lead = make_staff(benefits, Role.CX_ANALYST, "cxlead")
    make_staff(benefits, Role.PERFORMANCE_MANAGER, "perf")
    make_staff(tax, Role.CX_ANALYST, "taxlead")
    made = improve_demo_seed()
    assert made["research_notes"] == ResearchNote.objects.count() >= 4
    assert made["actions"] == Action.objects.count() >= 4
    assert made["assessments"] == MaturityAssessment.objects.count() == 4
    assert Insight.objects.filter(status="opportunity").exists()
    assert improve_demo_seed() == {"insights": 0, "research_notes": 0, "actions": 0,
                                   "assessments": 0}
    for agency in (benefits, tax):
        entries = you_said_we_did(agency_id=agency.pk)
        assert entries and all(e["you_said"] and e["we_did"] for e in entries)
        with translation.override("es"):
            es = you_said_we_did(agency_id=agency.pk)
        # public titles, in both languages, never the internal action titles
        internal = set(Action.objects.filter(agency=agency).values_list("title", flat=True))
        assert all(e["title"] for e in entries + es)
        assert not {e["title"] for e in entries + es} & internal
        assert all(e["title"] != en["title"] for e, en in zip(es, entries, strict=True))
        assert all(e["you_said"] != en["you_said"] for e, en in zip(es, entries, strict=True))
    assert Action.objects.filter(status="in_progress").exists()
    login(client, lead)
    for url in ("/staff/insights/", "/staff/insights/opportunities/", "/staff/research/",
                "/staff/actions/", "/staff/maturity/"):
        assert client.get(url).status_code == 200, url
    for action in Action.objects.filter(agency=benefits):
        assert client.get(f"/staff/actions/{action.pk}/").status_code == 200
