"""A-11 §280: quarter bounds, the data collection, the three CSVs, workflow, isolation."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from govcx.core import services as core_services
from govcx.core.models import AuditEvent
from govcx.feedback import a11, survey_templates
from govcx.feedback import services as fb
from govcx.feedback.models import A11Submission, Response
from govcx.feedback.selectors import fiscal_quarter_bounds, fiscal_quarter_of
from tests.conftest import login, make_survey, make_touchpoint

NY = ZoneInfo("America/New_York")


def at(y: int, m: int, d: int, h: int = 12, mi: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, h, mi, tzinfo=NY)


def submit(tp: Any, answers: dict[str, Any], when: dt.datetime, **kw: Any) -> Response:
    result = fb.response_submit(touchpoint=tp, answers=answers, submitted_at=when, **kw)
    assert result.ok, result.errors
    assert result.response is not None
    return result.response


def rows_of(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_fiscal_quarter_bounds_and_edges() -> None:
    assert fiscal_quarter_bounds(2025, 1) == (dt.date(2024, 10, 1), dt.date(2024, 12, 31))
    assert fiscal_quarter_bounds(2025, 2) == (dt.date(2025, 1, 1), dt.date(2025, 3, 31))
    assert fiscal_quarter_bounds(2025, 4) == (dt.date(2025, 7, 1), dt.date(2025, 9, 30))
    assert fiscal_quarter_of(dt.date(2025, 9, 30)) == (2025, 4)
    assert fiscal_quarter_of(dt.date(2025, 10, 1)) == (2026, 1)
    start, end = a11.quarter_window(2025, 4)
    assert start == at(2025, 7, 1, 0) and end == at(2025, 10, 1, 0)


@pytest.fixture
def quarter(world: dict[str, Any]) -> dict[str, Any]:
    """FY2025 Q4 for 'Apply for benefits': a thumbs web touchpoint, a 5-point phone touchpoint,
    a legacy paper touchpoint and an idle one."""
    a, sa = world["a"], world["sa"]
    web = world["ta"]
    web.survey.versions.update(omb_control_number="1505-0191")
    likert = fb.survey_create(agency=a, name="likert", omb_control_number="1505-0200",
                              schema=survey_templates.a11(agency=a.name, service=sa.name,
                                                          scale="scale5"))
    phone = make_touchpoint(sa, likert, name="After the call", channel="phone",
                            transaction_point="Call centre")
    legacy = make_survey(a, "a11_legacy", omb_control_number="1505-0100")
    paper = make_touchpoint(sa, legacy, name="Paper form", channel="paper")
    make_touchpoint(sa, name="Idle", channel="email")
    # web: 3 up, 1 down in the quarter (one at 23:30 on Sep 30); quarantined and Oct 1 excluded
    r1 = submit(web, {"trust": "up", "went_well": ["effectiveness", "ease"],
                      "comments": "Quick"}, at(2025, 7, 2), external_id="EXT-1")
    r2 = submit(web, {"trust": "up", "went_well": ["ease"]}, at(2025, 8, 1))
    r3 = submit(web, {"trust": "up", "comments": '=HYPERLINK("http://x","y")'}, at(2025, 9, 1))
    r4 = submit(web, {"trust": "down", "went_poorly": ["efficiency", "other"],
                      "went_poorly_other": "lost my form",
                      "comments": "Too slow, call me at 202-555-0143"},
                at(2025, 9, 30, 23, 30))
    spam = fb.response_submit(touchpoint=web, answers={"trust": "down"}, honeypot="x",
                              submitted_at=at(2025, 8, 2))
    assert spam.response is not None and spam.response.quarantined
    submit(web, {"trust": "up"}, at(2025, 10, 1, 0, 30))
    submit(web, {"trust": "up"}, at(2025, 6, 30, 23, 59))
    # phone (5-point)
    p1 = submit(phone, {"trust": 5, "went_well": ["humanity"]}, at(2025, 7, 15))
    p2 = submit(phone, {"trust": 2, "went_poorly": ["transparency"]}, at(2025, 7, 16))
    # paper (legacy)
    answers = {"satisfaction": 5, "trust": 4, "effectiveness": 5, "ease": 3, "efficiency": 1,
               "transparency": 2, "employee": 5}
    submit(paper, answers, at(2025, 8, 10), source=Response.Source.IMPORT)
    submit(paper, {**answers, "satisfaction": 1, "ease": 3, "employee": 4}, at(2025, 8, 11),
           source=Response.Source.IMPORT)
    # offers: 10 + 5 in the quarter, 7 after it
    fb.offer_record(touchpoint=web, source="widget", count=10, day=dt.date(2025, 9, 15))
    fb.offer_record(touchpoint=web, source="page", count=5, day=dt.date(2025, 7, 1))
    fb.offer_record(touchpoint=web, source="widget", count=7, day=dt.date(2025, 10, 1))
    core_services.service_quarter_volume_set(service=sa, fiscal_year=2025, quarter=4,
                                             customers=1000)
    core_services.service_quarter_volume_set(service=sa, fiscal_year=2025, quarter=4,
                                             customers=300, channel="phone")
    return {**world, "web": web, "phone": phone, "paper": paper,
            "r": [r1, r2, r3, r4], "p": [p1, p2]}


def _pm(world: dict[str, Any], slug: str = "benefits-agency") -> Any:
    return world["staff"][(slug, "performance_manager")]


def _admin(world: dict[str, Any], slug: str = "benefits-agency") -> Any:
    return world["staff"][(slug, "administrator")]


def test_collection_rows(quarter: dict[str, Any]) -> None:
    sub = a11.a11_submission_prepare(service=quarter["sa"], fiscal_year=2025, quarter=4,
                                     actor=_pm(quarter))
    assert sub.state == A11Submission.State.DRAFT
    rows = rows_of(a11.a11_collection_csv(sub))
    assert rows[0] == a11.COLLECTION_COLUMNS
    trust_text = ("Based on my experience with Apply for benefits, I trust Benefits Agency "
                  "to meet my needs.")
    assert rows[1:] == [
        ["Apply for benefits", "paper", "Paper form", "legacy",
         "This interaction increased my confidence in Benefits Agency.", "1505-0100",
         "1000", "0", "2", "2025", "4"],
        ["Apply for benefits", "phone", "Call centre", "likert", trust_text, "1505-0200",
         "300", "0", "2", "2025", "4"],
        ["Apply for benefits", "web", "Apply for benefits web", "thumbs",
         "Based on my experience with the service, I trust Benefits Agency to meet my needs.",
         "1505-0191", "0", "15", "4", "2025", "4"],
    ]


def test_response_level_csv(quarter: dict[str, Any]) -> None:
    sub = a11.a11_submission_prepare(service=quarter["sa"], fiscal_year=2025, quarter=4,
                                     actor=_pm(quarter))
    rows = rows_of(a11.a11_responses_csv(sub))
    assert rows[0] == [
        "external_id", "question_1", "positive_effectiveness", "positive_ease",
        "positive_efficiency", "positive_transparency", "positive_humanity",
        "positive_employee", "positive_other", "negative_effectiveness", "negative_ease",
        "negative_efficiency", "negative_transparency", "negative_humanity",
        "negative_employee", "negative_other", "question_4",
    ]
    _r1, r2, r3, r4 = quarter["r"]
    p1, p2 = quarter["p"]
    z7 = ["0"] * 7
    assert rows[1:] == [
        ["EXT-1", "1", "1", "1", "0", "0", "0", "0", "0", *z7, "Quick"],
        [str(p1.pk), "5", "0", "0", "0", "0", "1", "0", "0", *z7, ""],
        [str(p2.pk), "2", *z7, "0", "0", "0", "1", "0", "0", "0", ""],
        [str(r2.pk), "1", "0", "1", "0", "0", "0", "0", "0", *z7, ""],
        [str(r3.pk), "1", *z7, *z7, "'=HYPERLINK(\"http://x\",\"y\")"],
        # the comment goes to OMB (and performance.gov) with personal data redacted
        [str(r4.pk), "0", *z7, "0", "0", "1", "0", "0", "0", "1", "Too slow, call me at [PHONE]"],
    ]


def test_legacy_counts_csv(quarter: dict[str, Any]) -> None:
    sub = a11.a11_submission_prepare(service=quarter["sa"], fiscal_year=2025, quarter=4,
                                     actor=_pm(quarter))
    rows = rows_of(a11.a11_legacy_csv(sub))
    assert rows[0][:8] == ["service_provided", "transaction_point", "channel",
                           "volume_of_customers",
                           "volume_of_customers_provided_survey_opportunity",
                           "volume_of_respondents", "omb_control_number", "q1_text"]
    assert rows[0][-1] == "q7_5" and len(rows[0]) == 7 + 7 * 6
    assert len(rows) == 2
    row = rows[1]
    assert row[:7] == ["Apply for benefits", "Paper form", "paper", "1000", "0", "2",
                       "1505-0100"]
    items = [row[7 + 6 * i: 13 + 6 * i] for i in range(7)]
    assert items[0] == ["I am satisfied with the service I received.", "1", "0", "0", "0", "1"]
    assert items[1] == ["This interaction increased my confidence in Benefits Agency.",
                        "0", "0", "0", "2", "0"]
    assert items[3][1:] == ["0", "0", "2", "0", "0"]  # ease: 3 and 3
    assert items[4][1:] == ["2", "0", "0", "0", "0"]  # efficiency: 1 and 1
    assert items[6][1:] == ["0", "0", "0", "1", "1"]  # employee: 5 and 4


def test_prepare_refreshes_a_draft(quarter: dict[str, Any]) -> None:
    sub = a11.a11_submission_prepare(service=quarter["sa"], fiscal_year=2025, quarter=4,
                                     actor=_pm(quarter))
    submit(quarter["web"], {"trust": "up"}, at(2025, 9, 2))
    again = a11.a11_submission_prepare(service=quarter["sa"], fiscal_year=2025, quarter=4,
                                       actor=_admin(quarter))
    assert again.pk == sub.pk and A11Submission.objects.count() == 1
    assert again.collection[-1]["volume_of_respondents"] == 5
    assert again.created_by_id == _pm(quarter).pk


def test_workflow_and_refused_transitions(quarter: dict[str, Any]) -> None:
    pm, admin = _pm(quarter), _admin(quarter)
    viewer = quarter["staff"][("benefits-agency", "viewer")]
    with pytest.raises(a11.A11Forbidden):
        a11.a11_submission_prepare(service=quarter["sa"], fiscal_year=2025, quarter=4,
                                   actor=viewer)
    with pytest.raises(a11.A11Error, match="Quarter must be"):
        a11.a11_submission_prepare(service=quarter["sa"], fiscal_year=2025, quarter=5, actor=pm)
    sub = a11.a11_submission_prepare(service=quarter["sa"], fiscal_year=2025, quarter=4,
                                     actor=pm)
    with pytest.raises(a11.A11Error, match="only a submitted submission"):
        a11.a11_submission_publish(submission=sub, actor=admin)
    sub = a11.a11_submission_submit(submission=sub, actor=pm)
    assert sub.state == "submitted" and sub.submitted_by_id == pm.pk and sub.submitted_at
    with pytest.raises(a11.A11Error, match="is submitted"):
        a11.a11_submission_submit(submission=sub, actor=pm)
    with pytest.raises(a11.A11Error, match="reopen it"):
        a11.a11_submission_prepare(service=quarter["sa"], fiscal_year=2025, quarter=4,
                                   actor=pm)
    with pytest.raises(a11.A11Forbidden, match=r"a11\.publish"):
        a11.a11_submission_publish(submission=sub, actor=pm)
    sub = a11.a11_submission_publish(submission=sub, actor=admin)
    assert sub.state == "published" and sub.published_by_id == admin.pk
    with pytest.raises(a11.A11Forbidden):
        a11.a11_submission_reopen(submission=sub, actor=pm)
    sub = a11.a11_submission_reopen(submission=sub, actor=admin)
    assert sub.state == "draft" and sub.submitted_at is None and sub.published_by_id is None
    actions = list(AuditEvent.objects.filter(object_type="a11_submission").order_by("id")
                   .values_list("action", flat=True))
    assert actions == ["a11.prepare", "a11.submit", "a11.publish", "a11.reopen"]
    # a member of another agency cannot act on it
    with pytest.raises(a11.A11Forbidden):
        a11.a11_submission_submit(submission=sub, actor=_admin(quarter, "tax-agency"))


def test_pages_downloads_and_audit(quarter: dict[str, Any], client: Any) -> None:
    login(client, _pm(quarter))
    r = client.post("/staff/a11/prepare/", {"service": quarter["sa"].pk, "fiscal_year": "2025",
                                             "quarter": "4"})
    assert r.status_code == 302, r.content
    sub = A11Submission.objects.get()
    assert client.get("/staff/a11/").status_code == 200
    page = client.get(f"/staff/a11/{sub.pk}/")
    assert page.status_code == 200 and b"Call centre" in page.content
    for kind in ("collection", "responses", "legacy"):
        d = client.get(f"/staff/a11/{sub.pk}/download/{kind}.csv")
        assert d.status_code == 200 and d["Content-Disposition"].startswith("attachment")
    exports = AuditEvent.objects.filter(action="a11.export", object_id=str(sub.pk))
    assert sorted(e.detail["kind"] for e in exports) == ["collection", "legacy", "responses"]
    assert exports.get(detail__kind="responses").detail["rows"] == 6
    assert client.get(f"/staff/a11/{sub.pk}/download/nope.csv").status_code == 404
    r = client.post(f"/staff/a11/{sub.pk}/action/", {"action": "submit"})
    assert r.status_code == 302
    assert A11Submission.objects.get().state == "submitted"
    assert client.post(f"/staff/a11/{sub.pk}/action/", {"action": "publish"}).status_code == 403
    r = client.post(f"/staff/a11/{sub.pk}/action/", {"action": "submit"}, follow=True)
    assert b"is submitted" in r.content
    assert client.post(f"/staff/a11/{sub.pk}/action/", {"action": "x"}).status_code == 400
    # a viewer of the same agency sees the page and the aggregate collection only
    login(client, quarter["staff"][("benefits-agency", "viewer")])
    page = client.get(f"/staff/a11/{sub.pk}/")
    assert page.status_code == 200 and b"performance_manager-benefits-agency" in page.content
    assert client.get(f"/staff/a11/{sub.pk}/download/collection.csv").status_code == 200
    assert client.get(f"/staff/a11/{sub.pk}/download/responses.csv").status_code == 403
    assert client.post(f"/staff/a11/{sub.pk}/action/", {"action": "reopen"}).status_code == 403


@pytest.mark.parametrize("form", [
    {"service": "", "fiscal_year": "2025", "quarter": "4"},
    {"service": "x", "fiscal_year": "2025", "quarter": "4"},
    {"fiscal_year": "abc", "quarter": "4"},
    {"fiscal_year": "2025", "quarter": "7"},
    {"fiscal_year": "1990", "quarter": "1"},
])
def test_prepare_bad_input_is_400(world: dict[str, Any], client: Any,
                                  form: dict[str, str]) -> None:
    login(client, _pm(world))
    form = {"service": str(world["sa"].pk), **form}
    r = client.post("/staff/a11/prepare/", form)
    assert r.status_code == 400
    assert A11Submission.objects.count() == 0


def test_other_agency_gets_404_everywhere(quarter: dict[str, Any], client: Any) -> None:
    sub = a11.a11_submission_prepare(service=quarter["sa"], fiscal_year=2025, quarter=4,
                                     actor=_pm(quarter))
    login(client, _admin(quarter, "tax-agency"))
    assert client.get(f"/staff/a11/{sub.pk}/").status_code == 404
    for kind in ("collection", "responses", "legacy"):
        assert client.get(f"/staff/a11/{sub.pk}/download/{kind}.csv").status_code == 404
    for action in ("submit", "publish", "reopen", "refresh"):
        assert client.post(f"/staff/a11/{sub.pk}/action/", {"action": action}).status_code == 404
    r = client.post("/staff/a11/prepare/", {"service": quarter["sa"].pk, "fiscal_year": "2025",
                                             "quarter": "3"})
    assert r.status_code == 404
    assert b"Apply for benefits" not in client.get("/staff/a11/").content
    assert A11Submission.objects.count() == 1
    assert not AuditEvent.objects.filter(action="a11.export").exists()


def test_what_was_submitted_does_not_change_when_late_answers_arrive(
    quarter: dict[str, Any],
) -> None:
    pm = _pm(quarter)
    sub = a11.a11_submission_prepare(service=quarter["sa"], fiscal_year=2025, quarter=4,
                                     actor=pm)
    sub = a11.a11_submission_submit(submission=sub, actor=pm)
    sent = {kind: a11.a11_export(sub, kind) for kind in a11.EXPORTS}
    # a paper survey from the quarter is imported after the submission went to OMB
    late = fb.response_submit(touchpoint=quarter["web"], answers={"trust": "down"},
                              submitted_at=at(2025, 9, 20), source=Response.Source.IMPORT)
    assert late.ok
    sub.refresh_from_db()
    assert {kind: a11.a11_export(sub, kind) for kind in a11.EXPORTS} == sent
    assert a11.a11_responses_csv(sub) != sent["responses"]  # the live figure has moved
    # reopening goes back to live figures; preparing again takes the late answer in
    sub = a11.a11_submission_reopen(submission=sub, actor=pm)
    assert sub.frozen_exports == {}
    sub = a11.a11_submission_prepare(service=quarter["sa"], fiscal_year=2025, quarter=4,
                                     actor=pm)
    assert a11.a11_export(sub, "responses").count("\n") == sent["responses"].count("\n") + 1
