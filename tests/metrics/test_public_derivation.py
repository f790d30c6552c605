"""End to end: an attacker who downloads an agency's open data (the same figures as the
pages) and knows how the tables add up tries to work out every hidden figure: channels
summing to all channels, months to quarters to the year, services to the agency total,
shares × responses giving counts, and differences between periods. Every attempt must
fail."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
from django.test import Client

from govcx.metrics.models import DRIVER_FIELDS
from govcx.metrics.suppression import Status, Table
from tests.conftest import make_service, make_touchpoint
from tests.metrics.test_public_pages import FY, add_responses, month
from tests.metrics.test_suppression import assert_protected

CHANNELS = ("web", "sms", "phone")


@pytest.fixture
def agency_data(world: dict[str, Any]) -> dict[str, Any]:
    """Two services of agency A, three channels each, a year of months with some small
    cells; the true counts are kept to check the attack against."""
    rng = random.Random(6)
    a = world["a"]
    services = [world["sa"], make_service(a, "permits", name="Get a permit")]
    truth: dict[tuple[str, str, str], int] = {}
    went_well: dict[tuple[str, str], int] = {}
    trusting: dict[tuple[str, str], int] = {}
    for s in services:
        tps = {c: make_touchpoint(s, channel=c, name=f"{s.slug} {c}") for c in CHANNELS}
        for i in range(12):
            for c in CHANNELS:
                n = rng.choice([0, 3, 8, 10]) if rng.random() < 0.3 else rng.randint(11, 40)
                ww = n // 2
                # some months have a few people who do not trust, or only a few who do
                tt = n if rng.random() < 0.5 else max(0, n - rng.choice([1, 2, 5, 12, 30]))
                if n:
                    add_responses(tps[c], month(i), ww, went_well=("ease",),
                                  trusting=min(ww, tt))
                    add_responses(tps[c], month(i), n - ww, went_well=(),
                                  trusting=tt - min(ww, tt))
                truth[(s.slug, month(i).strftime("%Y-%m"), c)] = n
                key = (s.slug, month(i).strftime("%Y-%m"))
                went_well[key] = went_well.get(key, 0) + ww
                trusting[key] = trusting.get(key, 0) + tt
    return {"services": [s.slug for s in services], "truth": truth, "went_well": went_well,
            "trusting": trusting}


def _rows(client: Client) -> list[dict[str, Any]]:
    r = client.get("/transparency/benefits-agency/data.json", {"fy": FY})
    assert r.status_code == 200
    return list(json.loads(r.content)["rows"])


def _periods() -> tuple[list[str], dict[str, list[str]]]:
    months = [month(i).strftime("%Y-%m") for i in range(12)]
    quarters = {f"FY{FY}-Q{q + 1}": months[3 * q:3 * q + 3] for q in range(4)}
    return months, quarters


def _hierarchy(t: Table, key: Any, months: list[str], quarters: dict[str, list[str]],
               values: dict[str, int]) -> None:
    for m in months:
        t.add(key(m), values[m])
    for q, ms in quarters.items():
        t.add(key(q), sum(values[m] for m in ms))
        t.relate(key(q), [key(m) for m in ms])
    t.add(key(f"FY{FY}"), sum(values.values()))
    t.relate(key(f"FY{FY}"), [key(q) for q in quarters])


def test_no_hidden_response_count_can_be_derived(client: Client,
                                                 agency_data: dict[str, Any]) -> None:
    rows = _rows(client)
    published = {(r["service"], r["period"], r["channel"] or "all"): r["value"]
                 for r in rows if r["measure"] == "responses"}
    months, quarters = _periods()
    truth = agency_data["truth"]
    t = Table()
    for s in agency_data["services"]:
        for c in CHANNELS:
            _hierarchy(t, lambda p, s=s, c=c: (s, p, c), months, quarters,
                       {m: truth[(s, m, c)] for m in months})
        _hierarchy(t, lambda p, s=s: (s, p, "all"), months, quarters,
                   {m: sum(truth[(s, m, c)] for c in CHANNELS) for m in months})
        for p in [*months, *quarters, f"FY{FY}"]:
            t.relate((s, p, "all"), [(s, p, c) for c in CHANNELS])
    t.add(("", f"FY{FY}", "all"), sum(truth.values()))
    t.relate(("", f"FY{FY}", "all"), [(s, f"FY{FY}", "all") for s in agency_data["services"]])
    # what the attacker sees: a cell is known exactly when the download gives its value
    status = {}
    for cell, true in t.values.items():
        got = published.get(cell)
        if got is not None:
            assert got == true  # published figures are exact
            status[cell] = Status.SHOWN
        else:
            status[cell] = Status.PRIMARY if 0 < true < 11 else Status.COMPLEMENTARY
    small = [c for c, v in t.values.items() if 0 < v < 11]
    assert small, "the data must include small cells"
    assert_protected(t, status)


def test_shares_times_responses_give_no_hidden_driver_count(client: Client,
                                                             agency_data: dict[str, Any]) -> None:
    rows = _rows(client)
    resp = {(r["service"], r["period"]): r["value"] for r in rows
            if r["measure"] == "trust_respondents"}
    share = {(r["service"], r["period"]): r["value"] for r in rows
             if r["measure"] == "driver_went_well" and r["channel"] == "ease"}
    months, quarters = _periods()
    for s in agency_data["services"]:
        t = Table()
        truth = {m: agency_data["went_well"][(s, m)] for m in months}
        _hierarchy(t, lambda p: p, months, quarters, truth)
        status = {}
        for p, true in t.values.items():
            sh, n = share.get((s, p)), resp.get((s, p))
            if sh is not None:
                assert n is not None, "a share is published only with its respondents"
                assert round(sh * n) == true  # share × n is exact: treat it as published
                status[p] = Status.SHOWN
            else:
                status[p] = Status.PRIMARY if 0 < true < 11 else Status.COMPLEMENTARY
        assert_protected(t, status)
    # and the other drivers' (never chosen) shares are 0 of a published total or absent
    assert not [r for r in rows if r["measure"] == "driver_went_well"
                and r["channel"] not in ("ease",) and r["channel"] in DRIVER_FIELDS
                and r["value"]]


def test_rates_of_hidden_counts_are_hidden(client: Client, agency_data: dict[str, Any]) -> None:
    rows = _rows(client)
    resp = {(r["service"], r["period"]): r for r in rows
            if r["measure"] == "responses" and not r["channel"]}
    for r in rows:
        if r["measure"] in ("response_rate", "trust", "driver_went_well", "driver_not_well"):
            base = resp[(r["service"], r["period"])]
            if base["value"] is None and r["measure"] == "response_rate":
                assert r["value"] is None and r["suppressed"]
            if r["value"] is not None and r["measure"].startswith("driver"):
                assert base["value"] is not None


def test_the_month_in_progress_is_never_published(client: Client, world: dict[str, Any]) -> None:
    """Figures that changed day by day would give away each day's answers by difference."""
    from django.utils import timezone

    today = timezone.localdate()
    add_responses(world["ta"], today, 40)
    r = client.get("/transparency/benefits-agency/data.json")  # the latest fiscal year
    rows = json.loads(r.content)["rows"]
    assert not [x for x in rows if x["period"] == today.strftime("%Y-%m")]
    assert all(x["value"] in (None, 0) for x in rows if x["measure"] == "responses")


def test_trust_times_respondents_gives_no_hidden_trusting_count(
        client: Client, agency_data: dict[str, Any]) -> None:
    """Trust is a share of the people who answered the trust question; where it and the
    number of respondents are published, share × n gives the trusting count and n minus
    that the count who did not trust. The fixture has months where few people trust and
    months where few do not: neither count can be worked out where it is small, from the
    shares, the respondents, the responses and the sums between periods together."""
    rows = _rows(client)
    n = {(r["service"], r["period"]): r for r in rows if r["measure"] == "trust_respondents"}
    share = {(r["service"], r["period"]): r["value"] for r in rows if r["measure"] == "trust"}
    months, quarters = _periods()
    small_seen = 0
    for s in agency_data["services"]:
        # every response in the fixture answered the trust question
        truth = {m: sum(agency_data["truth"][(s, m, c)] for c in CHANNELS) for m in months}
        trusting = {m: agency_data["trusting"][(s, m)] for m in months}
        for m in months:
            assert n[(s, m)]["value"] in (truth[m], None)
        t = Table()
        _hierarchy(t, lambda p: ("n", p), months, quarters, truth)
        _hierarchy(t, lambda p: ("yes", p), months, quarters, trusting)
        _hierarchy(t, lambda p: ("no", p), months, quarters,
                   {m: truth[m] - trusting[m] for m in months})
        periods = [*months, *quarters, f"FY{FY}"]
        for p in periods:
            t.relate(("n", p), [("yes", p), ("no", p)])
        status = {}
        for (kind, p), true in t.values.items():
            sh, k = share.get((s, p)), n.get((s, p), {}).get("value")
            known = k is not None if kind == "n" else (sh is not None and k is not None)
            if known:
                expect = k if kind == "n" else round(sh * k) if kind == "yes" \
                    else k - round(sh * k)
                assert expect == true  # what the attacker computes is exact
                status[(kind, p)] = Status.SHOWN
            else:
                status[(kind, p)] = Status.PRIMARY if 0 < true < 11 else Status.COMPLEMENTARY
        small_seen += sum(1 for (kind, _p), v in t.values.items()
                          if kind != "n" and 0 < v < 11)
        assert_protected(t, status)
    assert small_seen, "the data must include small trusting or not-trusting counts"


def test_responses_and_trust_respondents_together_give_nothing_away() -> None:
    """The reviewer's cross-table probe, over 300 random years of one service with three
    channels: when everyone answers the trust question, the trust respondents equal the
    responses, so an attacker reads a month as published if either figure is. No small
    count can be derived from the two tables together (nor pinned by the bounds)."""
    import datetime as dt

    from govcx.core.models import Service
    from govcx.metrics import public as P
    from govcx.metrics.suppression import derivable

    months_d = P.published_months(FY, dt.date(FY, 11, 1))
    months, quarters = P._nodes(months_d)
    nodes = [*months, *quarters, P.YEAR]
    hits = []
    for seed in range(300):
        rng = random.Random(seed)
        resp = {}
        for m in months:
            for c in CHANNELS:
                n = rng.choice([0, 2, 5, 9]) if rng.random() < 0.3 else rng.randint(11, 40)
                if n:
                    d = dict.fromkeys(P._R_FIELDS, 0)
                    d.update(responses=n, trust_n=n, trust_pos=n, offered=2 * n)
                    resp[(1, c, m)] = d
        out = P._suppress_agency(0, [Service(pk=1, name="x", slug="x")], months, quarters,
                                 {"resp": resp, "calls": {}, "cases": {}, "proc": {}})
        rows = out["by_service"][1]["rows"]
        t = Table()
        per_chan = {c: {m: resp.get((1, c, m), {}).get("responses", 0) for m in months}
                    for c in CHANNELS}
        for c in CHANNELS:
            P._series(t, P._k(c), per_chan[c], months, quarters)
        P._series(t, P._k("all"), {m: sum(per_chan[c][m] for c in CHANNELS) for m in months},
                  months, quarters)
        for p in nodes:
            t.relate(("all", p), [(c, p) for c in CHANNELS])
        status = {}
        for p in nodes:
            r = rows[p]
            for c in CHANNELS:
                f = r["channels"].get(c)
                shown = f is None or f["value"] is not None or f["status"] == "none"
                status[(c, p)] = Status.SHOWN if shown else Status.COMPLEMENTARY
            both_hidden = r["responses"]["value"] is None and r["trust_n"]["value"] is None
            status[("all", p)] = Status.COMPLEMENTARY if both_hidden else Status.SHOWN
        small = {c for c, v in t.values.items() if 0 < v < 11}
        assert not {c for c in small if status[c] is Status.SHOWN}
        got = derivable(t, [c for c, st in status.items() if st is not Status.SHOWN]) & small
        if got:
            hits.append(seed)
    assert hits == []
