"""The customer history (case page and customer page) shows survey comments redacted to
staff without personal_data.view in the agency (CX analysts hold cases.view), and the
original to agents and administrators; the view is audited either way."""

from __future__ import annotations

from typing import Any

from django.test import Client

from govcx.core.models import AuditEvent, Role
from govcx.feedback import services as fb
from tests.conftest import login, make_staff
from tests.contact.test_workspace import receive

COMMENT = "Slow service. My name is Keanu Okonkwo, call me at 202-555-0143"


def _customer_with_comment(centre: dict[str, Any]) -> tuple[Any, Any]:
    case = receive(centre).case
    resp = fb.response_submit(touchpoint=centre["ta"], answers={"trust": "down",
                                                                "comments": COMMENT})
    assert resp.response is not None
    resp.response.customer = case.customer
    resp.response.save()
    return case, case.customer


def test_analyst_sees_the_comment_redacted(centre: dict[str, Any], client: Client) -> None:
    case, customer = _customer_with_comment(centre)
    analyst = make_staff(centre["a"], Role.CX_ANALYST, "analyst1")
    c = login(client, analyst)
    for url in (f"/staff/customers/{customer.pk}/", f"/staff/cases/{case.pk}/"):
        html = c.get(url).content.decode()
        assert 'id="history-responses"' in html
        assert "Slow service" in html
        assert "Okonkwo" not in html and "202-555-0143" not in html, url
        assert "[NAME]" in html and "[PHONE]" in html
    events = AuditEvent.objects.filter(action="customer.view", actor=analyst,
                                       object_id=str(customer.pk))
    assert events.count() == 2
    assert all(e.detail.get("comments_redacted") is True for e in events)


def test_agent_and_admin_see_the_original(centre: dict[str, Any], client: Client) -> None:
    _case, customer = _customer_with_comment(centre)
    for user in (centre["agents"][0], make_staff(centre["a"], Role.ADMINISTRATOR, "boss1")):
        html = login(client, user).get(f"/staff/customers/{customer.pk}/").content.decode()
        assert "Okonkwo" in html, user
        event = AuditEvent.objects.filter(action="customer.view", actor=user).latest("pk")
        assert event.detail.get("comments_redacted") is False
    # the stored row is unchanged by the analyst's redacted view
    analyst = make_staff(centre["a"], Role.CX_ANALYST, "analyst2")
    login(client, analyst).get(f"/staff/customers/{customer.pk}/")
    from govcx.feedback.models import Response
    assert Response.objects.get(customer=customer).comment == COMMENT
