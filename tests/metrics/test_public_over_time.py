"""The public dashboard published month after month (the view's "today" moved forward):
nothing once published can be combined with later publications to reveal a hidden figure.
Also: a service newer than the cached figures, counts behind shares, translated errors."""

from __future__ import annotations

import datetime as dt
import json
import random
from typing import Any
from unittest import mock

from django.core.cache import cache
from django.test import Client

from govcx.metrics.models import PublishedFigure
from govcx.metrics.suppression import Status, Table
from tests.conftest import make_service, make_touchpoint
from tests.metrics.test_public_pages import FY, HIDDEN, add_responses, cells, get, month
from tests.metrics.test_suppression import assert_protected

Rows = dict[tuple[str, str, str, str], tuple[Any, str]]


def publish(client: Client, today: dt.date, url: str = "/transparency/benefits-agency/"
            "data.json") -> Rows:
    """The open data as published on `today` (the view's clock moved there)."""
    with mock.patch("govcx.metrics.views_public.timezone.localdate", return_value=today):
        r = client.get(url, {"fy": FY})
    assert r.status_code == 200, r.content[:300]
    return {(x["service"], x["period"], x["measure"], x["channel"]): (x["value"],
                                                                       x["suppressed"])
            for x in json.loads(r.content)["rows"]}


def fifth(i: int) -> dt.date:
    """The 5th of the month after the i-th month of FY2026 (when month i is first out)."""
    return month(i + 1).replace(day=5) if i < 11 else dt.date(2026, 10, 5)


def union(publications: list[Rows]) -> dict[tuple[str, str, str, str], Any]:
    """Everything ever published; a cell keeps its value and its status across dates."""
    seen: dict[tuple[str, str, str, str], Any] = {}
    for rows in publications:
        for key, (value, _sup) in rows.items():
            if key in seen:
                assert seen[key] == value, f"{key} was {seen[key]}, later {value}"
            seen[key] = value
    return seen


def test_month_count_from_two_publications(client: Client, world: dict[str, Any]) -> None:
    """The reviewer's case: October 30, November 4. The year-to-date total of December
    minus that of November would be November; no year-to-date total is published at all."""
    add_responses(world["ta"], dt.date(2025, 10, 15), 30)
    add_responses(world["ta"], dt.date(2025, 11, 15), 4)
    nov = publish(client, dt.date(2025, 11, 5))
    dec = publish(client, dt.date(2025, 12, 5))
    jan = publish(client, dt.date(2026, 1, 5))
    for rows in (nov, dec, jan):
        assert ("benefits", f"FY{FY}", "responses", "") not in rows
        assert ("", f"FY{FY}", "responses", "") not in rows
    assert ("benefits", f"FY{FY}-Q1", "responses", "") not in dec  # Q1 not over yet
    assert nov[("benefits", "2025-10", "responses", "")] == (30, "")
    assert dec[("benefits", "2025-11", "responses", "")] == (None, "suppressed")
    q1 = jan[("benefits", f"FY{FY}-Q1", "responses", "")]
    assert q1 == (None, "suppressed")  # else 34 − 30 − 0 = 4
    assert jan[("benefits", "2025-10", "responses", "")] == (30, "")  # once shown, stays
    everything = union([nov, dec, jan])
    assert everything[("benefits", "2025-11", "responses", "")] is None


def test_a_late_correction_to_a_published_month_is_not_published(
        client: Client, world: dict[str, Any]) -> None:
    """October is published with 30 responses; 4 more arrive for October later (a paper
    import). If the next publication showed 34, the difference would reveal 4 late answers
    (and their trust): published months are final, the internal dashboard has the 34."""
    add_responses(world["ta"], dt.date(2025, 10, 15), 30)
    add_responses(world["ta"], dt.date(2025, 11, 15), 25)
    nov = publish(client, dt.date(2025, 11, 5))
    assert nov[("benefits", "2025-10", "responses", "")] == (30, "")
    add_responses(world["ta"], dt.date(2025, 10, 20), 4, trusting=0)  # the late import
    cache.clear()
    jan = publish(client, dt.date(2026, 1, 5))
    assert jan[("benefits", "2025-10", "responses", "")] == (30, "")
    assert jan[("benefits", "2025-11", "responses", "")] == (25, "")
    # the quarter is built from the published months: 30 + 25 + 0, not 59
    assert jan[("benefits", f"FY{FY}-Q1", "responses", "")] == (55, "")
    union([nov, jan])  # every cell kept its value
    from govcx.metrics.selectors import dashboard_figures
    inside = dashboard_figures(agency_ids={world["a"].pk}, service_id=world["sa"].pk,
                               start=dt.date(2025, 10, 1), end=dt.date(2025, 10, 31))
    assert inside["total"].responses == 34  # staff still see every response


def _truth_table(truth: dict[tuple[str, str], int], months: list[str],
                 quarters: dict[str, list[str]]) -> Table:
    t = Table()
    for c in ("web", "sms", "all"):
        vals = {m: (truth[(m, c)] if c != "all" else truth[(m, "web")] + truth[(m, "sms")])
                for m in months}
        for m in months:
            t.add((c, m), vals[m])
        for q, ms in quarters.items():
            t.add((c, q), sum(vals[m] for m in ms))
            t.relate((c, q), [(c, m) for m in ms])
        t.add((c, f"FY{FY}"), sum(vals.values()))
        t.relate((c, f"FY{FY}"), [(c, q) for q in quarters])
    for p in [*months, *quarters, f"FY{FY}"]:
        t.relate(("all", p), [("web", p), ("sms", p)])
    return t


def test_publishing_month_by_month_for_a_year_reveals_nothing(client: Client,
                                                             world: dict[str, Any]) -> None:
    """Thirteen publications (one after each month ends, and one after the year): every
    figure ever published, taken together with the additions between them, still leaves
    every hidden count unknown; a figure never changes value or status once published."""
    rng = random.Random(11)
    s = world["sa"]
    tps = {"web": world["ta"], "sms": make_touchpoint(s, channel="sms", name="Texts")}
    truth: dict[tuple[str, str], int] = {}
    months = [month(i).strftime("%Y-%m") for i in range(12)]
    for i, m in enumerate(months):
        for c, tp in tps.items():
            n = rng.choice([0, 3, 7, 10]) if rng.random() < 0.35 else rng.randint(11, 30)
            if n:
                add_responses(tp, month(i), n)
            truth[(m, c)] = n
    publications = [publish(client, fifth(i)) for i in range(12)]
    everything = union(publications)
    assert PublishedFigure.objects.filter(agency=world["a"], fiscal_year=FY).exists()
    quarters = {f"FY{FY}-Q{q + 1}": months[3 * q:3 * q + 3] for q in range(4)}
    t = _truth_table(truth, months, quarters)
    status = {}
    for (c, p), true in t.values.items():
        got = everything.get(("benefits", p, "responses", "" if c == "all" else c))
        # everyone answered the trust question: the trust respondents are the responses
        got_n = everything.get(("benefits", p, "trust_respondents", ""))
        if c == "all" and got is None:
            got = got_n
        if got is not None:
            assert got == true
            status[(c, p)] = Status.SHOWN
        else:
            status[(c, p)] = Status.PRIMARY if 0 < true < 11 else Status.COMPLEMENTARY
    assert any(0 < v < 11 for v in t.values.values())
    assert_protected(t, status)


def test_a_service_added_after_the_figures_were_cached(client: Client, settings: Any,
                                                       world: dict[str, Any]) -> None:
    settings.TRANSPARENCY_CACHE_SECONDS = 120
    cache.clear()
    add_responses(world["ta"], month(0), 30)
    assert get(client, "/transparency/benefits-agency/").status_code == 200
    make_service(world["a"], "permits", name="Get a permit")
    r = get(client, "/transparency/benefits-agency/permits/")
    assert r.status_code == 200
    assert "Get a permit" in r.content.decode()
    for fmt in ("csv", "json"):
        assert get(client, f"/transparency/benefits-agency/permits/data.{fmt}").status_code \
            == 200


def test_a_share_never_gives_away_a_small_count_behind_it(client: Client,
                                                          world: dict[str, Any]) -> None:
    """12 responses of which 11 trust: 92% of 12 would say that 1 person did not trust.
    40 calls of which 3 were abandoned: 7.5% of 40 would say 3."""
    from govcx.contact.models import CallDaily

    sa = world["sa"]
    add_responses(world["ta"], month(0), 12, trusting=11)  # 1 did not trust
    add_responses(world["ta"], month(1), 30, trusting=4)  # 4 trusted
    add_responses(world["ta"], month(2), 40, trusting=20)  # 20 and 20
    for i, (offered, answered) in enumerate([(40, 37), (40, 28), (40, 20)]):
        CallDaily.objects.create(agency=sa.agency, day=month(i), service_id=sa.pk,
                                 offered=offered, answered=answered,
                                 abandoned=offered - answered, wait_seconds_sum=answered * 30)
    html = get(client, "/transparency/benefits-agency/benefits/").content.decode()
    trust = {r[0]: r for r in cells(html, "trust-table")}
    assert trust["October 2025"][1] == HIDDEN
    assert trust["November 2025"][1] == HIDDEN
    assert trust["December 2025"][1] == "50.0%"
    ops = {r[0]: r for r in cells(html, "ops-table")}
    assert ops["October 2025"][3] == HIDDEN  # 3 of 40 abandoned
    assert ops["November 2025"][3] == "30.0%" or ops["December 2025"][3] == "50.0%"
    rows = publish(client, dt.date(2026, 11, 5),
                   "/transparency/benefits-agency/benefits/data.json")
    for key, (value, sup) in rows.items():
        if key[2] in ("trust", "abandonment_rate") and key[1] in ("2025-10",):
            assert value is None and sup == "suppressed"


def test_errors_are_in_spanish_on_spanish_pages(client: Client, world: dict[str, Any]) -> None:
    from django.utils import translation

    with translation.override("es"):
        from django.utils.translation import gettext

        spanish = gettext("There is no agency at this address. "
                          "See the list of agencies at /transparency/.")
    r = client.get("/transparency/no-such-agency/", {"lang": "es"})
    assert r.status_code == 404
    assert spanish in r.content.decode()
    r = client.get("/transparency/benefits-agency/", {"fy": "20x6", "lang": "es"})
    assert r.status_code == 400
    assert '<html lang="es">' in r.content.decode()


def test_pages_before_the_year_ends_show_months_and_no_year_total(
        client: Client, world: dict[str, Any]) -> None:
    add_responses(world["ta"], dt.date(2025, 10, 15), 30)
    with mock.patch("govcx.metrics.views_public.timezone.localdate",
                    return_value=dt.date(2025, 12, 5)):
        agency = client.get("/transparency/benefits-agency/", {"fy": FY})
        service = client.get("/transparency/benefits-agency/benefits/", {"fy": FY})
        quarters = client.get("/transparency/benefits-agency/benefits/",
                              {"fy": FY, "grain": "quarter"})
    assert agency.status_code == service.status_code == quarters.status_code == 200
    assert "published when the period has ended" in agency.content.decode()
    rows = {r[0]: r for r in cells(service.content.decode(), "trust-table")}
    assert rows["October 2025"][4] == "30"
    assert f"Fiscal year {FY} (total)" not in rows
    assert not cells(quarters.content.decode(), "trust-table")  # no quarter has ended


def test_default_year_is_the_latest_with_a_complete_quarter() -> None:
    """In November the new fiscal year has one ended month and no totals: the page opens on
    the previous (complete) year; from January (a whole quarter) on the new one."""
    from govcx.metrics.public import fy_clean

    assert fy_clean(None, dt.date(2026, 11, 22)) == 2026
    assert fy_clean(None, dt.date(2026, 12, 31)) == 2026
    assert fy_clean(None, dt.date(2027, 1, 2)) == 2027
    assert fy_clean("2027", dt.date(2026, 11, 22)) == 2027  # still there when asked for
