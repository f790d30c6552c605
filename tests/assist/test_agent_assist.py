"""Agent assist: suggested articles for a case and a draft reply from the best public one,
in the case's language, on the case page (works without JavaScript)."""

from __future__ import annotations

import html
from typing import Any

from django.conf import settings
from django.test import Client

from govcx.assist.agent_assist import case_assist
from govcx.contact import services as cs
from govcx.core.models import Role
from tests.conftest import login


def case_for(kb: dict[str, Any], subject: str, body: str, language: str = "en") -> Any:
    return cs.contact_receive(agency=kb["a"], channel="web", subject=subject, body=body,
                              identity=("email", "ana@example.org"), language=language).case


def test_suggestions_and_draft(kb: dict[str, Any]) -> None:
    case = case_for(kb, "Lost card", "My benefits card was stolen yesterday, what do I do?")
    assist = case_assist(case, base_url="https://govcx.example.gov/")
    slugs = [s.hit.slug for s in assist.suggestions]
    assert slugs[0] == "replace-your-card", slugs
    assert assist.draft_article is not None
    assert assist.draft_article.hit.slug == "replace-your-card"
    assert "Report a lost or stolen card right away" in assist.draft
    assert ("https://govcx.example.gov/help/benefits-agency/a/replace-your-card/"
            in assist.draft)
    assert assist.draft.startswith("Hello,")


def test_spanish_case_gets_a_spanish_draft(kb: dict[str, Any]) -> None:
    case = case_for(kb, "Dirección", "Me mudé y necesito actualizar mi dirección.", "es")
    assist = case_assist(case, base_url="http://testserver/")
    assert assist.language == "es"
    assert assist.suggestions[0].hit.slug == "update-your-address"
    assert assist.draft.startswith("Hola:")
    assert "Inicie sesión y elija Perfil → Dirección" in assist.draft
    assert "/help/benefits-agency/a/update-your-address/?lang=es" in assist.draft


def test_internal_articles_are_suggested_but_never_drafted(kb: dict[str, Any]) -> None:
    case = case_for(kb, "Verify caller identity",
                    "How do I verify a caller's identity before discussing their claim?")
    assist = case_assist(case)
    internal = [s for s in assist.suggestions if s.internal]
    assert internal and internal[0].url.startswith("/staff/knowledge/")
    assert assist.draft_article is None or not assist.draft_article.internal
    assert "Agent guide" not in assist.draft


def test_case_page_shows_suggestions_and_inserts_draft(kb: dict[str, Any]) -> None:
    case = case_for(kb, "Where is my payment?", "My payment has not arrived this month.")
    agent = login(Client(), kb["staff"][("benefits-agency", Role.AGENT)])
    page = agent.get(f"/staff/cases/{case.pk}/").content.decode()
    section = page.split('id="suggested-articles"')[1].split("</section>")[0]
    assert "Payment dates" in section and 'id="assist-draft"' in section
    assert "Insert draft reply" in section
    reply_box = page.split('id="reply-body"')[1].split("</textarea>")[0]
    assert "3rd business day" not in reply_box  # not inserted until asked
    page = agent.get(f"/staff/cases/{case.pk}/?draft=assist").content.decode()
    reply_box = html.unescape(page.split('id="reply-body"')[1].split("</textarea>")[0])
    assert "Payments are made on the 3rd business day" in reply_box
    assert f"{settings.PUBLIC_BASE_URL}/help/benefits-agency/a/payment-dates/" in reply_box
    # a viewer of the case who cannot work it gets no assist; another agency gets a 404
    other = login(Client(), kb["staff"][("tax-agency", Role.AGENT)])
    assert other.get(f"/staff/cases/{case.pk}/?draft=assist").status_code == 404


def test_case_with_no_match(kb: dict[str, Any]) -> None:
    case = case_for(kb, "Pizza", "Do you deliver pizza on weekends?")
    assist = case_assist(case)
    assert assist.suggestions == [] and assist.draft == ""
    agent = login(Client(), kb["staff"][("benefits-agency", Role.AGENT)])
    page = agent.get(f"/staff/cases/{case.pk}/").content.decode()
    assert "No published article matches this case." in page
