"""Customer volumes per fiscal quarter (the A-11 "volume of customers"): a performance
manager or administrator enters them on the service's volumes page or imports a CSV file; a
file with a wrong line stores nothing and says which line and field is wrong; the A-11 data
collection then carries the volume; every change and refusal is audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from govcx.core.models import AuditEvent, Role, ServiceQuarterVolume
from govcx.feedback import a11
from govcx.feedback import services as fb
from tests.browser.conftest import _govcx_static, browser
from tests.conftest import login, make_touchpoint

__all__ = ["_govcx_static", "browser"]  # fixtures used by the browser test


def _url(service: Any) -> str:
    return f"/staff/services/{service.pk}/volumes/"


def _stored(service: Any) -> list[tuple[int, int, str, int, str]]:
    return sorted(ServiceQuarterVolume.objects.filter(service=service).values_list(
        "fiscal_year", "quarter", "channel", "customers", "source"))


def _csv(text: str, name: str = "volumes.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8-sig"), content_type="text/csv")


def test_a_performance_manager_enters_a_quarter_and_the_a11_collection_carries_it(
        world: dict[str, Any], client: Any) -> None:
    sa = world["sa"]
    tp = make_touchpoint(sa, name="Web", channel="web")
    fb.response_submit(touchpoint=tp, answers={"trust": "up"},
                       submitted_at=dt.datetime(2025, 11, 3, 15, tzinfo=dt.UTC))
    pm = world["staff"][("benefits-agency", Role.PERFORMANCE_MANAGER)]
    login(client, pm)
    page = client.get(_url(sa)).content.decode()
    assert "No volume entered yet" in page and 'name="customers"' in page
    r = client.post(_url(sa), {"action": "enter", "fiscal_year": "2026", "quarter": "1",
                               "channel": "", "customers": "125,000"},
                    REMOTE_ADDR="10.9.8.7", follow=True)
    page = r.content.decode()
    assert r.status_code == 200 and "Saved: 125,000 customers in FY2026 Q1" in page
    assert _stored(sa) == [(2026, 1, "", 125000, "entered")]
    assert "FY2026" in page and "125000" in page  # listed in the table
    ev = AuditEvent.objects.get(action="core.service.volumes")
    assert (ev.actor_id, ev.agency_id, ev.object_id, ev.ip_address, ev.outcome) == (
        pm.pk, world["a"].pk, str(sa.pk), "10.9.8.7", "success")
    assert ev.detail == {"source": "entered", "rows": 1, "quarters": ["FY2026 Q1"]}
    sub = a11.a11_submission_prepare(service=sa, fiscal_year=2026, quarter=1, actor=pm)
    assert [row["volume_of_customers"] for row in sub.collection] == [125000]
    # entering the same quarter again replaces it
    client.post(_url(sa), {"action": "enter", "fiscal_year": "2026", "quarter": "1",
                           "customers": "130000"})
    assert _stored(sa) == [(2026, 1, "", 130000, "entered")]


def test_a_wrong_entry_says_what_is_wrong_keeps_the_answers_and_stores_nothing(
        world: dict[str, Any], client: Any) -> None:
    sa = world["sa"]
    sa.channels = ["web", "phone"]
    sa.save()
    login(client, world["staff"][("benefits-agency", Role.ADMINISTRATOR)])
    r = client.post(_url(sa), {"action": "enter", "fiscal_year": "26", "quarter": "5",
                               "channel": "sms", "customers": "-3"})
    page = r.content.decode()
    assert r.status_code == 400
    assert "Enter the fiscal year as four digits" in page
    assert "Enter the quarter as 1, 2, 3 or 4." in page
    assert "This service is not offered on &#x27;sms&#x27;; its channels are web, phone." in page
    assert "number of customers served as a whole number" in page
    assert 'value="26"' in page and 'value="-3"' in page  # what was typed stays
    assert 'aria-invalid="true"' in page and 'aria-describedby="v-year-error"' in page
    assert _stored(sa) == [] and not AuditEvent.objects.filter(
        action="core.service.volumes").exists()


def test_a_csv_import_stores_every_line_and_replaces_quarters_already_entered(
        world: dict[str, Any], client: Any) -> None:
    sa = world["sa"]
    login(client, world["staff"][("benefits-agency", Role.PERFORMANCE_MANAGER)])
    client.post(_url(sa), {"action": "enter", "fiscal_year": "2025", "quarter": "4",
                           "customers": "1"})
    text = ("Fiscal_Year,Quarter,Channel,Customers\r\n"
            "2025,4,,\"98,000\"\r\n"          # replaces the entered 1
            "2025,4,phone,30000\r\n"
            "\r\n"                            # a blank line is skipped
            "2026,Q1,,101000\r\n")
    r = client.post(_url(sa), {"action": "import", "file": _csv(text)}, follow=True)
    assert r.status_code == 200 and "Imported 3 volumes." in r.content.decode()
    assert _stored(sa) == [(2025, 4, "", 98000, "imported"), (2025, 4, "phone", 30000, "imported"),
                           (2026, 1, "", 101000, "imported")]
    ev = AuditEvent.objects.filter(action="core.service.volumes").latest("id")
    assert ev.detail == {"source": "imported", "rows": 3,
                         "quarters": ["FY2025 Q4", "FY2026 Q1"]}


@pytest.mark.parametrize(("text", "messages"), [
    ("fiscal_year,quarter,channel,customers\n2025,4,,1000\n2025,7,,5\nxx,1,fax,\n"
     "2025,4,,2000\n",
     ["Line 3, <code>quarter</code>: Enter the quarter as 1, 2, 3 or 4.",
      "Line 4, <code>fiscal_year</code>",
      "Line 4, <code>channel</code>: Unknown channel &#x27;fax&#x27;",
      "Line 4, <code>customers</code>",
      "Line 5, <code>quarter</code>: FY2025 Q4 is already on line 2."]),
    ("year,customers\n2025,10\n",
     ["Line 1, <code>header</code>", "missing: fiscal_year, quarter"]),
    ("fiscal_year,quarter,customers\n", ["The file has no rows under its header."]),
])
def test_a_csv_with_wrong_lines_imports_nothing_and_lists_each_one(
        world: dict[str, Any], client: Any, text: str, messages: list[str]) -> None:
    sa = world["sa"]
    login(client, world["staff"][("benefits-agency", Role.PERFORMANCE_MANAGER)])
    r = client.post(_url(sa), {"action": "import", "file": _csv(text)})
    page = r.content.decode()
    assert r.status_code == 400 and "Nothing was imported" in page
    for m in messages:
        assert m in page
    assert _stored(sa) == []  # not even the good line 2


def test_a_file_that_is_not_utf8_csv_or_is_missing_gets_a_clear_message(
        world: dict[str, Any], client: Any) -> None:
    sa = world["sa"]
    login(client, world["staff"][("benefits-agency", Role.ADMINISTRATOR)])
    latin1 = SimpleUploadedFile("v.csv", "fiscal_year,quarter,customers\n2025,1,10\nAño\n"
                                .encode("latin-1"))
    r = client.post(_url(sa), {"action": "import", "file": latin1})
    assert r.status_code == 400 and "Save the file as CSV in UTF-8" in r.content.decode()
    r = client.post(_url(sa), {"action": "import"})
    assert r.status_code == 400 and "Choose a CSV file to import." in r.content.decode()
    big = SimpleUploadedFile("v.csv", b"fiscal_year,quarter,customers\n" + b"2025,1,1\n" * 120_000)
    r = client.post(_url(sa), {"action": "import", "file": big})
    assert r.status_code == 400 and "larger than 1 MB" in r.content.decode()
    assert _stored(sa) == []


def test_viewers_see_volumes_but_cannot_change_them_and_other_agencies_see_nothing(
        world: dict[str, Any], client: Any) -> None:
    sa = world["sa"]
    viewer = world["staff"][("benefits-agency", Role.VIEWER)]
    login(client, world["staff"][("benefits-agency", Role.ADMINISTRATOR)])
    client.post(_url(sa), {"action": "enter", "fiscal_year": "2026", "quarter": "2",
                           "customers": "777"})
    login(client, viewer)
    page = client.get(_url(sa)).content.decode()
    assert "777" in page and 'name="customers"' not in page
    assert "Only an administrator or a performance manager" in page
    es = client.get(_url(sa) + "?lang=es").content.decode()
    assert "Volumen de clientes" in es and "Solo un administrador o un gerente" in es
    r = client.post(_url(sa), {"action": "enter", "fiscal_year": "2026", "quarter": "2",
                               "customers": "1"})
    assert r.status_code == 403
    assert _stored(sa) == [(2026, 2, "", 777, "entered")]
    assert AuditEvent.objects.filter(action="core.service.volumes", outcome="denied",
                                     actor=viewer).exists()
    login(client, world["staff"][("tax-agency", Role.ADMINISTRATOR)])
    assert client.get(_url(sa)).status_code == 404
    r = client.post(_url(sa), {"action": "enter", "fiscal_year": "2026", "quarter": "2",
                               "customers": "5"})
    assert r.status_code == 404 and _stored(sa) == [(2026, 2, "", 777, "entered")]


def test_the_dashboard_links_to_the_volumes(world: dict[str, Any], client: Any) -> None:
    login(client, world["staff"][("benefits-agency", Role.CX_ANALYST)])
    page = client.get(f"/staff/services/{world['sa'].pk}/dashboard/").content.decode()
    assert f'href="{_url(world["sa"])}"' in page


@pytest.mark.browser
def test_volumes_page_is_accessible(browser: Any, live_server: Any,
                                    world: dict[str, Any]) -> None:
    from tests.browser.conftest import assert_clean, staff_context

    pm = world["staff"][("benefits-agency", Role.PERFORMANCE_MANAGER)]
    context = staff_context(browser, live_server, pm)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        for lang in ("es", "en"):  # the switch is remembered: English last
            page.goto(f"{live_server.url}{_url(world['sa'])}?lang={lang}")
            page.locator("h1").first.wait_for()
            assert page.locator("html").get_attribute("lang") == lang
            assert_clean(page, f"volumes ({lang})")
        # a wrong entry: the error summary and the marked fields are accessible too
        page.goto(f"{live_server.url}{_url(world['sa'])}")
        page.fill("#v-year", "20")
        page.locator("button[type=submit]", has_text="Save the volume").click()
        page.locator("#volumes-error").wait_for()
        assert_clean(page, "volumes with errors")
        page.fill("#v-year", "2026")
        page.select_option("#v-quarter", "3")
        page.fill("#v-customers", "4200")
        page.locator("button[type=submit]", has_text="Save the volume").click()
        page.locator("table#volumes").wait_for()
        assert "4200" in page.locator("table#volumes").inner_text()
        assert_clean(page, "volumes after saving")
    finally:
        context.close()


def test_odd_characters_and_unreadable_csv_get_messages_not_errors(
        world: dict[str, Any], client: Any) -> None:
    """Inputs a person (or a broken export) can produce that once gave a 500."""
    sa = world["sa"]
    login(client, world["staff"][("benefits-agency", Role.ADMINISTRATOR)])
    r = client.post(_url(sa), {"action": "enter", "fiscal_year": "2026", "quarter": "¹",
                               "customers": "12²"})
    assert r.status_code == 400
    assert "Enter the quarter as 1, 2, 3 or 4." in r.content.decode()
    huge = "fiscal_year,quarter,customers\n2026,1," + "9" * 200_000 + "\n"
    r = client.post(_url(sa), {"action": "import", "file": _csv(huge)})
    assert r.status_code == 400
    assert "This line cannot be read as CSV" in r.content.decode()
    r = client.post(_url(sa), {"action": "import", "file": _csv('"' + "x" * 200_000 + "\n")})
    assert r.status_code == 400 and "Nothing was imported" in r.content.decode()
    assert _stored(sa) == []
