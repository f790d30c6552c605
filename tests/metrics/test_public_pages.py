"""The public transparency dashboard: pages, suppression on them, open data, isolation,
Spanish, caching."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from govcx.contact.models import CallDaily
from govcx.improve.models import Action
from govcx.metrics.models import Target
from govcx.metrics.services import response_counts, rollup_add
from tests.conftest import make_service, make_touchpoint

FY = 2026  # October 2025 - September 2026: every month has ended when these tests run
HIDDEN = "not shown to protect privacy"  # the one label of every hidden figure
RESP = 4  # the responses column of the trust table


def month(i: int) -> dt.date:
    """The 15th of the i-th month of FY2026 (0 = October 2025)."""
    y, m = (2025, 10 + i) if i < 3 else (2026, i - 2)
    return dt.date(y, m, 15)


def add_responses(tp: Any, day: dt.date, n: int, *, trusting: int | None = None,
                  went_well: tuple[str, ...] = ("ease",), channel: str | None = None) -> None:
    """n survey responses on one day, `trusting` of them agreeing they trust the service."""
    trusting = n if trusting is None else trusting
    total: dict[str, int] = {}
    for i in range(n):
        c = response_counts(trust_positive=i < trusting, trust_score=None,
                            drivers_positive=went_well, drivers_negative=(), language="en")
        for k, v in c.items():
            total[k] = total.get(k, 0) + v
    total["offered"] = n * 2
    rollup_add(agency_id=tp.agency_id, service_id=tp.service_id, touchpoint_id=tp.pk,
               channel=channel or tp.channel, day=day, counts=total)


def cells(html: str, table_id: str) -> list[list[str]]:
    """The text of each row of a table (header cell first)."""
    from lxml import html as lh

    doc = lh.fromstring(html)
    rows = doc.xpath(f'//table[@id="{table_id}"]/tbody/tr')
    return [[" ".join(td.text_content().split()) for td in tr.xpath("./th|./td")] for tr in rows]


def get(client: Client, url: str, **params: Any) -> Any:
    return client.get(url, {"fy": FY, **params})


@pytest.fixture
def seeded(world: dict[str, Any]) -> dict[str, Any]:
    """Agency A's benefits service: 11 responses a month except March 2026 (10); everyone
    agrees they trust the service (so no count behind the trust share is small)."""
    tp = world["ta"]
    for i in range(12):
        add_responses(tp, month(i), 10 if i == 5 else 11)
    return world


def test_a_month_of_10_responses_is_hidden_and_one_of_11_shown(client: Client,
                                                               seeded: dict[str, Any]) -> None:
    r = get(client, "/transparency/benefits-agency/benefits/")
    assert r.status_code == 200
    html = r.content.decode()
    rows = {row[0]: row for row in cells(html, "trust-table")}
    assert rows["October 2025"][RESP] == "11"
    assert rows["March 2026"][RESP] == HIDDEN
    assert "10" not in rows["March 2026"][RESP]
    # the year total is shown, so another month is hidden too (complementary suppression),
    # with the same label: the label does not say which hidden month is the small one
    protected = [k for k, row in rows.items() if row[RESP] == HIDDEN and k != "March 2026"]
    assert len(protected) >= 1
    year = rows[f"Fiscal year {FY} (total)"]
    visible = sum(int(row[RESP].replace(",", "")) for k, row in rows.items()
                  if k != year[0] and row[RESP].replace(",", "").isdigit())
    total = int(year[RESP].replace(",", ""))
    # what is left after subtracting the visible months covers at least two hidden months
    assert total - visible > 10 and total - visible == 10 + 11 * len(protected)


def test_quarters_use_the_same_pattern(client: Client, seeded: dict[str, Any]) -> None:
    """A visible quarter never has exactly one hidden month (else quarter minus the other
    two months gives it)."""
    quarters = {row[0]: row for row in cells(get(
        client, "/transparency/benefits-agency/benefits/", grain="quarter").content.decode(),
        "trust-table")}
    months = {row[0]: row for row in cells(get(
        client, "/transparency/benefits-agency/benefits/").content.decode(), "trust-table")}
    hidden_in: dict[int, list[int]] = {}
    for q in range(4):
        qrow = quarters[f"Quarter {q + 1} of fiscal year {FY}"]
        hidden = [i for i in range(3 * q, 3 * q + 3)
                  if not months[month(i).strftime("%B %Y")][RESP].isdigit()]
        hidden_in[q] = hidden
        if qrow[RESP].isdigit():
            assert len(hidden) != 1
            shown = sum(int(months[month(i).strftime("%B %Y")][RESP])
                        for i in range(3 * q, 3 * q + 3) if i not in hidden)
            assert int(qrow[RESP]) - shown == sum(10 if i == 5 else 11 for i in hidden)
        else:
            assert qrow[RESP] == HIDDEN
    # March (the 6th month, in Q2) is hidden, with at least one other month of its quarter
    # or its quarter total hidden too
    assert 5 in hidden_in[1]
    assert len(hidden_in[1]) >= 2 or quarters[f"Quarter 2 of fiscal year {FY}"][RESP] == HIDDEN


def test_bad_slugs_and_params_give_clear_errors(client: Client, seeded: dict[str, Any]) -> None:
    r = client.get("/transparency/no-such-agency/")
    assert r.status_code == 404
    assert "There is no agency at this address" in r.content.decode()
    r = client.get("/transparency/benefits-agency/no-such-service/")
    assert r.status_code == 404
    assert "has no service at this address" in r.content.decode()
    r = client.get("/transparency/benefits-agency/", {"fy": "20x6"})
    assert r.status_code == 400
    assert "is not a fiscal year" in r.content.decode()
    r = client.get("/transparency/benefits-agency/benefits/", {"fy": FY, "grain": "week"})
    assert r.status_code == 400
    r = client.get("/transparency/benefits-agency/data.xml")
    assert r.status_code == 404
    assert "data.csv or data.json" in r.content.decode()
    r = client.get("/transparency/", {"lang": "fr"})
    assert r.status_code == 400


def _open_data(client: Client, url: str) -> list[dict[str, Any]]:
    r = client.get(url, {"fy": FY})
    assert r.status_code == 200
    return list(json.loads(r.content)["rows"])


def test_open_data_equals_the_page(client: Client, seeded: dict[str, Any]) -> None:
    html = get(client, "/transparency/benefits-agency/benefits/").content.decode()
    page = {row[0]: row for row in cells(html, "trust-table")}
    rows = _open_data(client, "/transparency/benefits-agency/benefits/data.json")
    by_period = {r["period"]: r for r in rows if r["measure"] == "responses" and not r["channel"]}
    for i in range(12):
        key = month(i).strftime("%Y-%m")
        label = month(i).strftime("%B %Y")
        cell = page[label][RESP]
        r = by_period[key]
        if cell.isdigit():
            assert r["value"] == int(cell) and r["suppressed"] == ""
        else:
            assert r["value"] is None
            assert cell == HIDDEN and r["suppressed"] == "suppressed"
    trust = {r["period"]: r for r in rows if r["measure"] == "trust"}
    assert trust["2025-10"]["value"] == 1.0
    assert page["October 2025"][1] == "100.0%"
    assert {r["suppressed"] for r in rows} <= {"", "suppressed"}
    # the CSV has the same rows, a licence line, and empty cells where suppressed
    r = client.get("/transparency/benefits-agency/benefits/data.csv", {"fy": FY})
    text = r.content.decode()
    assert text.startswith("# Public domain")
    body = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    csv_rows = list(csv.DictReader(io.StringIO(body)))
    assert len(csv_rows) == len(rows)
    march = next(x for x in csv_rows if x["period"] == "2026-03" and x["measure"] == "responses"
                 and not x["channel"])
    assert march["value"] == "" and march["suppressed"] == "suppressed"
    agency_rows = _open_data(client, "/transparency/benefits-agency/data.json")
    assert [r for r in agency_rows if r["service"] == "benefits"] == rows


def test_spanish_page(client: Client, seeded: dict[str, Any]) -> None:
    r = get(client, "/transparency/benefits-agency/benefits/", lang="es")
    html = r.content.decode()
    assert r.status_code == 200
    assert '<html lang="es">' in html
    assert "English" in html  # the switch back
    rows = {row[0]: row for row in cells(html, "trust-table")}
    assert any("marzo" in k.lower() for k in rows)


def test_only_public_targets_and_done_public_actions(client: Client,
                                                     seeded: dict[str, Any]) -> None:
    a, sa = seeded["a"], seeded["sa"]
    Target.objects.create(agency=a, service=sa, kpi="trust", start=dt.date(2025, 10, 1),
                          end=dt.date(2026, 9, 30), value=70, public=True,
                          note="Public goal for the year")
    Target.objects.create(agency=a, service=sa, kpi="trust", start=dt.date(2025, 10, 1),
                          end=dt.date(2026, 9, 30), value=90, public=False,
                          note="Internal stretch goal")
    kw = {"agency": a, "service": sa, "you_said_en": "Forms were hard",
          "we_did_en": "We rewrote them"}
    Action.objects.create(title="Published change", public_title_en="Published change",
                          status="done", public=True,
                          completed_on=dt.date(2026, 5, 1), **kw)
    Action.objects.create(title="Private change", public_title_en="Private change",
                          status="done", public=False, **kw)
    Action.objects.create(title="Unfinished change", public_title_en="Unfinished change",
                          status="in_progress", public=True, **kw)
    for url in ("/transparency/benefits-agency/benefits/", "/transparency/benefits-agency/"):
        html = get(client, url).content.decode()
        assert "Public goal for the year" in html
        assert "Internal stretch goal" not in html
        assert "Published change" in html
        assert "Private change" not in html and "Unfinished change" not in html
    rows = {r[1] if len(r) > 5 else r[0]: r for r in cells(
        get(client, "/transparency/benefits-agency/benefits/").content.decode(),
        "targets-table")}
    (row,) = rows.values()
    assert row[-1] == "Met"  # 131/131 = 100% trust ≥ 70%


def test_another_agency_page_shows_only_its_own_figures(client: Client,
                                                        seeded: dict[str, Any]) -> None:
    html = get(client, "/transparency/tax-agency/").content.decode()
    assert "Apply for benefits" not in html
    assert "File a return" in html
    r = get(client, "/transparency/tax-agency/returns/")  # a service with no data yet
    assert r.status_code == 200
    assert "Apply for benefits" not in r.content.decode()
    # another agency's service is not reachable under this agency's address
    assert get(client, "/transparency/tax-agency/benefits/").status_code == 404
    for fy in (2000, FY + 1):
        assert client.get("/transparency/benefits-agency/benefits/",
                          {"fy": fy}).status_code == 200


def test_operational_figures_and_their_threshold(client: Client, seeded: dict[str, Any]) -> None:
    sa = seeded["sa"]
    for i, (offered, answered) in enumerate([(40, 28), (10, 9), (25, 14)]):
        CallDaily.objects.create(agency=sa.agency, day=month(i), service_id=sa.pk,
                                 offered=offered, answered=answered,
                                 abandoned=offered - answered,
                                 wait_seconds_sum=answered * 30)
    html = get(client, "/transparency/benefits-agency/benefits/").content.decode()
    rows = {r[0]: r for r in cells(html, "ops-table")}
    assert rows["October 2025"][1] == "40"
    assert rows["October 2025"][2] == "30 seconds"
    assert rows["October 2025"][3] == "30.0%"  # 12 of 40 abandoned
    assert rows["November 2025"][1] == HIDDEN
    assert rows["December 2025"][1] == HIDDEN  # else 75 - 40 - 25 = 10


def test_index_lists_agencies_with_figures(client: Client, seeded: dict[str, Any]) -> None:
    html = get(client, "/transparency/").content.decode()
    assert "/transparency/benefits-agency/" in html
    assert "/transparency/tax-agency/" not in html


def test_cache_serves_a_second_request_without_queries(client: Client, settings: Any,
                                                       seeded: dict[str, Any]) -> None:
    settings.TRANSPARENCY_CACHE_SECONDS = 120
    cache.clear()
    url = "/transparency/benefits-agency/benefits/"
    first = get(client, url)
    assert first["Cache-Control"] and "public" in first["Cache-Control"]
    assert "max-age=120" in first["Cache-Control"]
    with CaptureQueriesContext(connection) as ctx:
        second = get(client, url)
    assert second.content == first.content
    assert len(ctx.captured_queries) <= 1, [q["sql"] for q in ctx.captured_queries]
    # a new "you said, we did" entry does not show until the cache entry expires (TTL)
    Action.objects.create(agency=seeded["a"], service=seeded["sa"], title="Later change",
                          public_title_en="Later change", you_said_en="Too slow",
                          we_did_en="Done later.",
                          status="done", public=True, completed_on=month(5))
    assert b"Later change" not in get(client, url).content
    cache.clear()
    assert b"Later change" in get(client, url).content
    # a late answer for a month already published never changes it (published months
    # are final: tests/metrics/test_public_over_time.py)
    add_responses(seeded["ta"], month(5), 5)
    cache.clear()
    late = get(client, url).content.decode()
    for table in ("trust-table", "channel-table"):
        assert cells(late, table) == cells(first.content.decode(), table)


def test_downloads_are_rate_limited(client: Client, settings: Any,
                                    seeded: dict[str, Any]) -> None:
    settings.RATELIMIT_ENABLE = True
    from govcx.metrics import views_public

    # twice the rate plus one: even if the limit's window turns over during the test, one
    # window sees more than the rate
    codes = [client.get("/transparency/benefits-agency/data.json").status_code
             for _ in range(2 * int(views_public.DATA_RATE.split("/")[0]) + 1)]
    assert codes[0] == 200 and 429 in codes


def test_new_service_without_channels(client: Client, world: dict[str, Any]) -> None:
    s = make_service(world["a"], "permits", name="Get a permit")
    tp = make_touchpoint(s)
    add_responses(tp, month(0), 30)
    add_responses(make_touchpoint(s, channel="sms", name="Texts"), month(0), 4)
    html = get(client, "/transparency/benefits-agency/permits/").content.decode()
    rows = {r[0]: r for r in cells(html, "channel-table")}
    assert HIDDEN in rows["October 2025"]


def test_processing_and_resolution_times(client: Client, seeded: dict[str, Any]) -> None:
    from govcx.contact.models import CaseDaily
    from govcx.metrics.models import ProcessingDaily

    sa = seeded["sa"]
    for i, n in enumerate([20, 5, 12]):
        ProcessingDaily.objects.create(agency=sa.agency, service=sa, day=month(i), n=n,
                                       seconds_sum=n * 3 * 86400, seconds_sumsq=0)
        CaseDaily.objects.create(agency=sa.agency, day=month(i), channel="web",
                                 service_id=sa.pk, cases=n, resolution_n=n,
                                 resolution_seconds_sum=n * 7200)
    html = get(client, "/transparency/benefits-agency/benefits/").content.decode()
    rows = {r[0]: r for r in cells(html, "ops-table")}
    assert rows["October 2025"][1:] == ["3.0 days", "2.0 hours"]
    assert rows["November 2025"][1] == HIDDEN
    assert rows["December 2025"][1] == HIDDEN  # else 37 − 20 − 12 = 5
    assert rows[f"Fiscal year {FY} (total)"][1:] == ["3.0 days", "2.0 hours"]


def test_target_results_use_the_published_figure(client: Client,
                                                 seeded: dict[str, Any]) -> None:
    a, sa = seeded["a"], seeded["sa"]
    common = {"agency": a, "service": sa, "kpi": "trust", "public": True}
    Target.objects.create(start=dt.date(2025, 10, 1), end=dt.date(2025, 12, 31), value=90,
                          note="Q1 goal", direction="at_most",
                          **common)  # Q1: 33/33 = 100% > 90%
    Target.objects.create(start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31), value=50,
                          note="March goal", **common)  # March had 10 responses
    Target.objects.create(start=dt.date(2025, 11, 10), end=dt.date(2026, 2, 10), value=50,
                          note="Odd span", **common)
    Target.objects.create(start=dt.date(2030, 10, 1), end=dt.date(2031, 9, 30), value=50,
                          note="Future", **common)
    html = get(client, "/transparency/benefits-agency/benefits/").content.decode()
    by_note = {n: r for r in cells(html, "targets-table")
               for n in ("Q1 goal", "March goal", "Odd span", "Future") if n in r[0]}
    assert by_note["Q1 goal"][-2:] == ["100.0%", "Not met"]
    assert by_note["March goal"][-2:] == ["–", "Result not shown, to protect privacy"]
    assert by_note["Odd span"][-1] == "Result not published for this period"
    assert by_note["Future"][-1] == "In progress"
