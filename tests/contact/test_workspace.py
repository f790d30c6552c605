"""The agent workspace as an agent uses it: lists, the case page, replies, canned replies,
notes, changes, merge and split, the customer page (merge, unmerge) and queue health; and
the same endpoints tried as another agency's agent and administrator (404, nothing changed)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from govcx.contact import services as cs
from govcx.contact.models import CannedReply, Case, CaseEvent, Contact, Queue, QueueMember
from govcx.core.models import AuditEvent, Role
from govcx.customers.models import Customer, Identity
from govcx.feedback import services as fb
from tests.conftest import login


def receive(centre: dict[str, Any], **kw: Any) -> cs.Received:
    kw.setdefault("agency", centre["a"])
    kw.setdefault("channel", "web")
    kw.setdefault("identity", ("email", "ana@example.org"))
    kw.setdefault("sender", '"Ana Díaz" <ana@example.org>')
    kw.setdefault("subject", "Card never arrived")
    kw.setdefault("body", "My card never arrived.")
    return cs.contact_receive(**kw)


@pytest.fixture
def desk(centre: dict[str, Any]) -> dict[str, Any]:
    """Three cases of agency A: one assigned to agent0, one unassigned in a queue nobody of
    agent0 belongs to, one breaching; agent0 signed in."""
    agent = centre["agents"][0]
    mine = receive(centre).case  # round-robin gives it to agent0
    assert mine.assignee == agent
    other_q = Queue.objects.create(agency=centre["a"], name="Appeals", slug="appeals")
    lonely = receive(centre, identity=("email", "bo@example.org"), sender="bo@example.org",
                     subject="Appeal question").case
    cs.case_update(case=lonely, actor=None, queue=other_q)
    cs.case_assign(case=lonely, user=None, actor=None)
    late = receive(centre, identity=("phone", "+12025550100"), channel="sms", sender="+12025550100",
                   subject="Late payment", at=timezone.now() - dt.timedelta(days=10)).case
    return {**centre, "agent": agent, "mine": mine, "lonely": lonely, "late": late,
            "appeals": other_q}


def ids_in(html: str) -> set[int]:
    return {int(m) for m in re.findall(r'data-case="(\d+)"', html)}


def test_tabs_list_the_right_cases(desk: dict[str, Any], client: Client) -> None:
    login(client, desk["agent"])
    mine, lonely, late = desk["mine"], desk["lonely"], desk["late"]
    assert mine.pk in ids_in(client.get("/staff/cases/").content.decode())
    assert lonely.pk not in ids_in(client.get("/staff/cases/").content.decode())
    queue = ids_in(client.get("/staff/cases/?tab=queue").content.decode())
    assert mine.pk in queue and lonely.pk not in queue
    unassigned = ids_in(client.get("/staff/cases/?tab=unassigned").content.decode())
    assert lonely.pk in unassigned and mine.pk not in unassigned
    breaching = client.get("/staff/cases/?tab=breaching").content.decode()
    assert late.pk in ids_in(breaching) and mine.pk not in ids_in(breaching)
    assert "breached" in breaching
    # sorting newest first puts the old case last; bad parameters fall back, never 500
    page = client.get("/staff/cases/?tab=queue&sort=-opened").content.decode()
    order = [int(x) for x in re.findall(r'data-case="(\d+)"', page)]
    assert order[-1] == late.pk
    for q in ("?tab=nope&sort=evil&page=x", "?queue=abc&status=\x00", "?page=999999"):
        assert client.get("/staff/cases/" + q).status_code == 200
    # the JSON twin the page polls
    data = client.get("/staff/cases/list.json?tab=unassigned").json()
    assert [r["id"] for r in data["rows"]] == [lonely.pk] and data["count"] == 1
    assert data["rows"][0]["url"] == f"/staff/cases/{lonely.pk}/"
    # the page works without JavaScript (Refresh link) and has the live region
    html = client.get("/staff/cases/").content.decode()
    assert 'aria-live="polite"' in html and 'id="case-refresh"' in html
    assert "govcx/workspace.js" in html and 'href="/staff/cases/"' in html
    assert AuditEvent.objects.filter(action="cases.view", actor=desk["agent"]).exists()


def test_case_page_shows_every_channel_and_the_whole_history(desk: dict[str, Any],
                                                             client: Client) -> None:
    a, mine = desk["a"], desk["mine"]
    customer = mine.customer
    # the same person by SMS on the same case, and an answered survey
    Identity.objects.create(customer=customer, agency=a, kind="phone", value="+12025550111",
                            value_hash="x" * 64)
    receive(desk, channel="sms", case=mine, customer=customer, body="Texting too",
            identity=None, sender="+12025550111")
    resp = fb.response_submit(touchpoint=desk["ta"], answers={"trust": "down",
                                                              "comments": "Slow service"})
    assert resp.response is not None
    resp.response.customer = customer
    resp.response.save()
    client_ = login(client, desk["agent"])
    html = client_.get(f"/staff/cases/{mine.pk}/").content.decode()
    assert "My card never arrived." in html and "Texting too" in html
    assert 'id="customer-history"' in html and "Slow service" in html
    assert "ana@example.org" in html
    assert 'id="suggested-articles"' in html
    assert 'id="case-events"' in html and "opened" in html
    # SMS is offered because the person has a phone; email because they have an email
    assert 'option value="sms"' in html and 'option value="email"' in html
    assert AuditEvent.objects.filter(action="case.view", object_id=str(mine.pk)).exists()
    assert AuditEvent.objects.filter(action="customer.view",
                                     object_id=str(customer.pk)).exists()
    # the customer page has the same history
    page = client_.get(f"/staff/customers/{customer.pk}/").content.decode()
    assert "Texting too" in page and "Slow service" in page and str(mine.pk) in page


def test_reply_note_and_changes(desk: dict[str, Any], client: Client) -> None:
    mine, agent = desk["mine"], desk["agent"]
    login(client, agent)
    act = f"/staff/cases/{mine.pk}/action/"
    r = client.post(act, {"action": "reply", "channel": "web", "body": "We sent a new card."})
    assert r.status_code == 302
    out = Contact.objects.get(case=mine, direction="out")
    assert out.body == "We sent a new card." and out.author == agent
    mine.refresh_from_db()
    assert mine.status == "open" and mine.first_response_at is not None
    r = client.post(act, {"action": "reply", "channel": "web", "body": "   "})
    assert r.status_code == 400 and "A reply needs some text." in r.content.decode()
    r = client.post(act, {"action": "reply", "channel": "chat", "body": "Kept text"})
    assert r.status_code == 400 and "Kept text</textarea>" in r.content.decode()
    client.post(act, {"action": "note", "text": "Called the card office"})
    note = CaseEvent.objects.get(case=mine, kind="note")
    assert note.detail["text"] == "Called the card office"
    assert "Called the card office" in client.get(f"/staff/cases/{mine.pk}/").content.decode()
    r = client.post(act, {"action": "update", "status": "resolved", "priority": "high",
                          "topic": "cards", "queue": str(desk["spanish"].pk),
                          "assignee": str(desk["agents"][1].pk)})
    assert r.status_code == 302
    mine.refresh_from_db()
    assert (mine.status, mine.priority, mine.topic, mine.queue, mine.assignee) == (
        "resolved", "high", "cards", desk["spanish"], desk["agents"][1])
    kinds = list(CaseEvent.objects.filter(case=mine).values_list("kind", flat=True))
    assert kinds.count("changed") == 3 and "status" in kinds and kinds.count("assigned") == 2
    # a refused transition says why and changes nothing
    r = client.post(act, {"action": "update", "status": "new", "priority": "low"})
    assert r.status_code == 400 and "cannot become new" in r.content.decode()
    mine.refresh_from_db()
    assert (mine.status, mine.priority) == ("resolved", "high")  # all or nothing


def test_canned_reply_fills_placeholders_and_reports_unknown(desk: dict[str, Any],
                                                             client: Client) -> None:
    mine = desk["mine"]
    reply = CannedReply.objects.create(
        agency=desk["a"], name="Card sent",
        body="Hello {customer_name}, case {case_id}: {agent_name} of {agency} "
             "({service}) here. {tracking_number}")
    login(client, desk["agent"])
    html = client.get(f"/staff/cases/{mine.pk}/?canned={reply.pk}").content.decode()
    assert (f"Hello Ana Díaz, case {mine.pk}: agent0 of Benefits Agency ({{service}}) here. "
            "{tracking_number}</textarea>") in html
    assert "{tracking_number}" in html.split('id="canned-warning"')[1]
    assert "No value on record for:" in html  # the case has no service
    # another agency's canned reply is not offered
    other = CannedReply.objects.create(agency=desk["b"], name="B only", body="ZQX")
    html = client.get(f"/staff/cases/{mine.pk}/?canned={other.pk}").content.decode()
    assert "ZQX" not in html and "does not exist for this agency" in html


def test_merge_and_split_from_the_case_page(desk: dict[str, Any], client: Client) -> None:
    mine, lonely = desk["mine"], desk["lonely"]
    receive(desk, case=mine, body="Second need: change my address")
    login(client, desk["agent"])
    contacts = list(Contact.objects.filter(case=mine).order_by("at", "id"))
    r = client.post(f"/staff/cases/{mine.pk}/action/",
                    {"action": "split", "contacts": [str(contacts[1].pk)],
                     "subject": "Address change"})
    assert r.status_code == 302
    new = Case.objects.get(subject="Address change")
    assert list(new.contacts.values_list("pk", flat=True)) == [contacts[1].pk]
    r = client.post(f"/staff/cases/{new.pk}/action/", {"action": "merge", "target": "abc"})
    assert r.status_code == 400 and "no case with that number" in r.content.decode()
    r = client.post(f"/staff/cases/{lonely.pk}/action/", {"action": "merge",
                                                           "target": str(mine.pk)})
    assert r.status_code == 302 and r["Location"] == f"/staff/cases/{mine.pk}/"
    lonely.refresh_from_db()
    assert lonely.merged_into == mine and lonely.status == "closed"
    assert Contact.objects.filter(case=mine).count() == 2


def test_customer_merge_and_unmerge_are_audited(desk: dict[str, Any], client: Client) -> None:
    ana, bo = desk["mine"].customer, desk["lonely"].customer
    login(client, desk["agent"])
    r = client.post(f"/staff/customers/{ana.pk}/action/", {"action": "merge", "other": bo.pk})
    assert r.status_code == 302
    assert not Customer.objects.filter(pk=bo.pk).exists()
    assert set(Identity.objects.filter(customer=ana).values_list("value", flat=True)) == {
        "ana@example.org", "bo@example.org"}
    assert AuditEvent.objects.filter(action="customer.merge", object_id=str(ana.pk)).exists()
    bo_ident = Identity.objects.get(value="bo@example.org")
    r = client.post(f"/staff/customers/{ana.pk}/action/", {"action": "split",
                                                            "identity": bo_ident.pk})
    assert r.status_code == 302
    bo_ident.refresh_from_db()
    new = bo_ident.customer
    assert new.pk != ana.pk and r["Location"] == f"/staff/customers/{new.pk}/"
    lonely = Case.objects.get(pk=desk["lonely"].pk)
    assert lonely.customer_id == new.pk  # Bo's case went back with Bo's address
    assert Case.objects.get(pk=desk["mine"].pk).customer_id == ana.pk
    ev = AuditEvent.objects.get(action="customer.unmerge")
    assert ev.detail["new_customer"] == new.pk and ev.detail["cases"] == 1
    # a record with one identity cannot be split
    only = Identity.objects.get(customer=new)
    r = client.post(f"/staff/customers/{new.pk}/action/", {"action": "split",
                                                            "identity": only.pk})
    assert r.status_code == 400 and "cannot be split" in r.content.decode()


def test_supervisor_view_and_availability(desk: dict[str, Any], client: Client) -> None:
    admin = desk["staff"][("benefits-agency", Role.ADMINISTRATOR)]
    login(client, admin)
    html = client.get("/staff/cases/queues/").content.decode()
    appeals = re.search(rf'data-queue="{desk["appeals"].pk}">(.*?)</tr>', html, re.S)
    assert appeals is not None and "<td>1</td>" in appeals.group(1)  # one waiting
    general = re.search(rf'data-queue="{desk["general"].pk}">(.*?)</tr>', html, re.S)
    assert general is not None and "3 / 3" in general.group(1)
    assert "<td>1</td>" in general.group(1)  # the late case breached
    agent = desk["agents"][2]
    r = client.post(f"/staff/cases/queues/{desk['general'].pk}/availability/",
                    {"user": agent.pk, "available": "0"})
    assert r.status_code == 302
    assert not QueueMember.objects.get(queue=desk["general"], user=agent).available
    assert AuditEvent.objects.filter(action="queue.availability", outcome="success").exists()
    # an agent sees the view but may not change availability
    login(client, desk["agent"])
    assert client.get("/staff/cases/queues/").status_code == 200
    r = client.post(f"/staff/cases/queues/{desk['general'].pk}/availability/",
                    {"user": agent.pk, "available": "1"})
    assert r.status_code == 404
    assert not QueueMember.objects.get(queue=desk["general"], user=agent).available


def test_assigning_to_another_agencys_agent_is_refused(desk: dict[str, Any],
                                                       client: Client) -> None:
    mine = desk["mine"]
    outsider_agent = desk["staff"][("tax-agency", Role.AGENT)]
    login(client, desk["agent"])
    r = client.post(f"/staff/cases/{mine.pk}/action/", {"action": "update",
                                                         "assignee": outsider_agent.pk})
    assert r.status_code == 400 and "cannot work this agency" in r.content.decode()
    b_queue = Queue.objects.create(agency=desk["b"], name="Tax", slug="tax")
    r = client.post(f"/staff/cases/{mine.pk}/action/", {"action": "update",
                                                         "queue": b_queue.pk})
    assert r.status_code == 400
    mine.refresh_from_db()
    assert mine.assignee == desk["agent"] and mine.queue == desk["general"]
    html = client.get(f"/staff/cases/{mine.pk}/").content.decode()
    assert outsider_agent.get_username() not in html and "Tax" not in html.split("u-queue")[1]


@pytest.mark.parametrize("role", [Role.AGENT, Role.ADMINISTRATOR])
def test_other_agency_gets_404_everywhere_and_changes_nothing(
        desk: dict[str, Any], client: Client, role: str) -> None:
    mine, customer = desk["mine"], desk["mine"].customer
    outsider = desk["staff"][("tax-agency", role)]
    QueueMember.objects.create(queue=desk["general"], user=outsider)  # even if misconfigured
    login(client, outsider)
    for path in (f"/staff/cases/{mine.pk}/", f"/staff/customers/{customer.pk}/",
                 f"/staff/cases/{mine.pk}/?canned=1"):
        assert client.get(path).status_code == 404, path
    for tab in ("mine", "queue", "unassigned", "breaching"):
        html = client.get(f"/staff/cases/?tab={tab}").content.decode()
        assert not ids_in(html) and "Card never arrived" not in html
        assert client.get(f"/staff/cases/list.json?tab={tab}").json()["rows"] == []
    assert "General" not in client.get("/staff/cases/queues/").content.decode()
    before = (Contact.objects.count(), CaseEvent.objects.count(), Customer.objects.count())
    posts = [
        (f"/staff/cases/{mine.pk}/action/", {"action": "reply", "body": "x", "channel": "web"}),
        (f"/staff/cases/{mine.pk}/action/", {"action": "note", "text": "x"}),
        (f"/staff/cases/{mine.pk}/action/", {"action": "update", "status": "resolved",
                                             "assignee": outsider.pk}),
        (f"/staff/cases/{mine.pk}/action/", {"action": "merge", "target": desk["late"].pk}),
        (f"/staff/customers/{customer.pk}/action/", {"action": "merge",
                                                     "other": desk["lonely"].customer_id}),
        (f"/staff/cases/queues/{desk['general'].pk}/availability/",
         {"user": desk["agent"].pk, "available": "0"}),
    ]
    for path, data in posts:
        assert client.post(path, data).status_code == 404, path
    # merging A's case into the outsider's own agency's case id space is refused too
    assert (Contact.objects.count(), CaseEvent.objects.count(), Customer.objects.count()) == before
    mine.refresh_from_db()
    assert mine.status == "new" and mine.assignee == desk["agent"]
    assert QueueMember.objects.get(queue=desk["general"], user=desk["agent"]).available
    denied = AuditEvent.objects.filter(actor=outsider, outcome="denied")
    assert denied.filter(action="case.view").exists()
    assert denied.filter(action="customer.view").exists()
