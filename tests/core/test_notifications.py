"""A staff member's own notifications: listed, marked read, never anyone else's."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import RequestFactory

from govcx.core.models import Notification, Role
from govcx.core.notifications import notification_send, notifications_context
from tests.conftest import login


@pytest.fixture
def notes(world: dict[str, Any]) -> dict[str, Any]:
    me = world["staff"][("benefits-agency", Role.CX_ANALYST)]
    colleague = world["staff"][("benefits-agency", Role.ADMINISTRATOR)]
    mine = [notification_send(user=me, agency=world["a"], kind="alert",
                              title=f"Trust fell to {v}%", body="Below the lower limit.",
                              url="/staff/alerts/#alert-1") for v in (55, 61)]
    theirs = notification_send(user=colleague, agency=world["a"], kind="alert",
                               title="ZQX colleague only", body="Not for you.")
    return {**world, "me": me, "colleague": colleague, "mine": mine, "theirs": theirs}


def test_a_user_sees_only_their_own(notes: Any, client: Any) -> None:
    login(client, notes["me"])
    body = client.get("/staff/notifications/").content.decode()
    assert "Trust fell to 55%" in body and "Trust fell to 61%" in body
    assert "ZQX colleague only" not in body
    assert "Unread notifications: 2" in body


def test_mark_read_and_open(notes: Any, client: Any) -> None:
    login(client, notes["me"])
    first, second = notes["mine"]
    r = client.post(f"/staff/notifications/{first.pk}/read/")
    assert r.status_code == 302 and r["Location"] == "/staff/notifications/"
    first.refresh_from_db()
    assert first.read_at is not None
    assert "Unread notifications: 1" in client.get("/staff/notifications/").content.decode()
    unread = client.get("/staff/notifications/?show=unread").content.decode()
    assert "Trust fell to 61%" in unread and "Trust fell to 55%" not in unread
    # "Open" marks it read and goes where it points
    r = client.post(f"/staff/notifications/{second.pk}/read/", {"open": "1"})
    assert r["Location"] == "/staff/alerts/#alert-1"
    assert not Notification.objects.filter(user=notes["me"], read_at__isnull=True).exists()


def test_mark_all_read_touches_only_mine(notes: Any, client: Any) -> None:
    login(client, notes["me"])
    client.post("/staff/notifications/read-all/")
    assert not Notification.objects.filter(user=notes["me"], read_at__isnull=True).exists()
    notes["theirs"].refresh_from_db()
    assert notes["theirs"].read_at is None


def test_anothers_notification_is_404(notes: Any, client: Any) -> None:
    login(client, notes["me"])
    assert client.post(f"/staff/notifications/{notes['theirs'].pk}/read/").status_code == 404
    notes["theirs"].refresh_from_db()
    assert notes["theirs"].read_at is None
    assert client.get(f"/staff/notifications/{notes['mine'][0].pk}/read/").status_code == 405


@pytest.mark.parametrize("query,message", [("show=everything", "“show” must be"),
                                           ("page=0", "whole number")])
def test_bad_parameters_are_a_clear_400(notes: Any, client: Any, query: str,
                                        message: str) -> None:
    login(client, notes["me"])
    r = client.get(f"/staff/notifications/?{query}")
    assert r.status_code == 400 and message in r.content.decode()


def test_signed_out_is_sent_to_sign_in(db: Any, client: Any) -> None:
    r = client.get("/staff/notifications/")
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]


def test_header_count_for_the_signed_in_user_only(notes: Any) -> None:
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/staff/")
    request.user = notes["me"]
    assert str(notifications_context(request)["notifications_unread"]) == "2"
    request.user = notes["colleague"]
    assert str(notifications_context(request)["notifications_unread"]) == "1"
    request.user = AnonymousUser()
    assert notifications_context(request) == {}


def test_leaving_the_agency_hides_its_notifications(notes: Any, client: Any) -> None:
    """Notifications of an agency the user no longer belongs to are neither listed, counted
    nor opened; those of an agency they still belong to stay."""
    from govcx.core.models import Membership

    me, a, b = notes["me"], notes["a"], notes["b"]
    # the analyst also works for agency B, and has a notification from it
    Membership.objects.create(user=me, agency=b, role=Role.VIEWER)
    from_b = notification_send(user=me, agency=b, kind="alert", title="ZQX tax alert",
                               url="/staff/alerts/#alert-9")
    login(client, me)
    body = client.get("/staff/notifications/").content.decode()
    assert "ZQX tax alert" in body and "Trust fell to 55%" in body
    assert "Unread notifications: 3" in body
    # removed from agency A: its notifications are gone from the list, the count and "open"
    Membership.objects.filter(user=me, agency=a).delete()
    body = client.get("/staff/notifications/").content.decode()
    assert "Trust fell to" not in body and "ZQX tax alert" in body
    assert "Unread notifications: 1" in body
    first = notes["mine"][0]
    r = client.post(f"/staff/notifications/{first.pk}/read/", {"open": "1"})
    assert r.status_code == 404
    first.refresh_from_db()
    assert first.read_at is None
    client.post("/staff/notifications/read-all/")
    first.refresh_from_db()
    assert first.read_at is None  # "mark all read" does not reach them either
    request = RequestFactory().get("/staff/")
    request.user = me
    assert str(notifications_context(request)["notifications_unread"]) == "0"
    # B's notification still opens
    r = client.post(f"/staff/notifications/{from_b.pk}/read/", {"open": "1"})
    assert r.status_code == 302 and r["Location"] == "/staff/alerts/#alert-9"
