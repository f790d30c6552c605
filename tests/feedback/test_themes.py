"""Themes: discovery on a planted corpus, incremental placement, merge/split/rename, weekly
counts and spikes, the staff pages and their isolation between agencies."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest
from django.utils import timezone

from govcx.feedback import themes as th
from govcx.feedback.comments import comment_from_text
from govcx.feedback.models import Comment, Theme
from govcx.improve.models import Insight
from tests.browser.conftest import browser as browser
from tests.conftest import login

POOLS = {
    "password": ["password", "reset", "login", "locked", "link", "username"],
    "payment": ["payment", "deposit", "late", "bank", "amount", "check"],
    "phone": ["phone", "hold", "call", "line", "wait", "agent"],
}
FILLER = ["today", "again", "this month", "please fix it", "very frustrating", "for my mother",
          "since March", "twice"]


def _text(rng: random.Random, topic: str) -> str:
    a, b, c = rng.sample(POOLS[topic], 3)
    return f"I had trouble with the {a} and the {b}, {c} {rng.choice(FILLER)}"


def _add(agency: Any, text: str, when: dt.datetime, service: Any = None) -> Comment:
    return Comment.objects.create(agency=agency, service=service, source="response",
                                  source_id=random.randint(1, 10**12), created_at=when,
                                  **comment_from_text(text=text, language="en"))


def _corpus(agency: Any, per_topic: int = 25, seed: int = 1) -> dict[int, str]:
    rng = random.Random(seed)
    now = timezone.now()
    truth: dict[int, str] = {}
    for topic in POOLS:
        for i in range(per_topic):
            text = _text(rng, topic)
            c = _add(agency, text, now - dt.timedelta(days=rng.randint(0, 60), hours=i))
            truth[c.pk] = topic
    return truth


def test_discovery_finds_the_planted_topics(world: dict[str, Any]) -> None:
    truth = _corpus(world["a"])
    new = th.themes_discover(agency=world["a"])
    assert len(new) == 3, [t.name for t in new]
    found = set()
    for theme in new:
        topics = {truth[c] for c in theme.comments.values_list("id", flat=True)}
        assert len(topics) == 1, (theme.name, topics)
        topic = topics.pop()
        found.add(topic)
        assert any(w in theme.name.lower() for w in POOLS[topic]), theme.name
        quotes = th.theme_quotes(theme, 3)
        assert quotes and all(q.theme_id == theme.pk for q in quotes)
    # a new comment joins the matching theme without rediscovery
    c = _add(world["a"], "cannot reset the password at all", timezone.now())
    assert th.themes_assign(agency=world["a"], comments=[c]) == 1
    c.refresh_from_db()
    assert c.theme is not None and any(w in c.theme.name.lower() for w in POOLS["password"])
    # other agencies' comments are not touched
    assert not Theme.objects.filter(agency=world["b"]).exists()


def test_rename_merge_split(world: dict[str, Any]) -> None:
    _corpus(world["a"])
    themes = sorted(th.themes_discover(agency=world["a"]), key=lambda t: t.name)
    a, b, _c = themes
    th.theme_rename(theme=a, name="  Login   trouble ")
    a.refresh_from_db()
    assert a.name == "Login trouble" and a.named_by_staff
    with pytest.raises(th.ThemeError):
        th.theme_rename(theme=a, name="   ")
    n_a, n_b = a.comments.count(), b.comments.count()
    th.theme_merge(theme=b, into=a)
    a.refresh_from_db()
    assert a.comments.count() == n_a + n_b and a.name == "Login trouble"
    assert Theme.objects.get(pk=b.pk).merged_into_id == a.pk
    with pytest.raises(th.ThemeError):
        th.theme_merge(theme=a, into=a)
    new = th.theme_split(theme=a)
    assert a.comments.count() + new.comments.count() == n_a + n_b
    assert new.comments.count() > 0 and a.comments.count() > 0
    assert a.comments.exclude(id__in=new.comments.values("id")).count() == a.comments.count()


def test_weekly_counts_and_spike(world: dict[str, Any]) -> None:
    """Themes set by hand (discovery is tested above): 12 quiet weeks with 2 password
    comments among 20, then a week with 15 among 25."""
    agency = world["a"]
    today = timezone.localdate()
    this_monday = th.monday(today) - dt.timedelta(weeks=1)
    tz = timezone.get_current_timezone()
    rng = random.Random(3)
    themes = {t: Theme.objects.create(agency=agency, name=t) for t in POOLS}
    for w in range(12, -1, -1):
        start = this_monday - dt.timedelta(weeks=w)
        n_pw, n_other = (15, 10) if w == 0 else (2, 18)
        for i in range(n_pw + n_other):
            topic = "password" if i < n_pw else rng.choice(["payment", "phone"])
            when = dt.datetime.combine(start + dt.timedelta(days=i % 7), dt.time(12), tzinfo=tz)
            c = _add(agency, _text(rng, topic), when)
            Comment.objects.filter(pk=c.pk).update(theme=themes[topic])
    Theme.objects.filter(agency=agency).update(
        created_at=timezone.now() - dt.timedelta(days=200))
    pw = themes["password"]
    series = th.theme_weekly_counts(agency_id=agency.pk, service_id=None,
                                    start=this_monday - dt.timedelta(weeks=12),
                                    end=this_monday + dt.timedelta(days=6))
    s = series[pw.pk]
    assert s.weeks[-1] == (this_monday, 15, 25)
    assert all(n == 20 and c == 2 for _w, c, n in s.weeks[:-1]) and len(s.weeks) == 13
    assert all(wk.weekday() == 0 for wk, _c, _n in s.weeks)
    assert 0 <= s.negative_share <= 1
    signals = {x.theme_id: x for x in th.theme_signals(agency_id=agency.pk, week=this_monday)}
    assert signals[pw.pk].spike and signals[pw.pk].emerging
    assert signals[pw.pk].upper is not None and signals[pw.pk].rate > signals[pw.pk].upper
    assert not signals[themes["payment"].pk].spike and not signals[themes["phone"].pk].spike
    # a quiet week is no spike, and an old theme in a quiet week is not emerging
    quiet = {x.theme_id: x for x in th.theme_signals(
        agency_id=agency.pk, week=this_monday - dt.timedelta(weeks=1))}
    assert not quiet[pw.pk].spike and not quiet[pw.pk].emerging
    # another agency sees none of it
    assert th.theme_weekly_counts(agency_id=world["b"].pk, service_id=None,
                                  start=this_monday, end=this_monday) == {}


def test_pages_actions_and_isolation(world: dict[str, Any], client: Any) -> None:
    _corpus(world["a"])
    theme = th.themes_discover(agency=world["a"])[0]
    other = Theme.objects.filter(agency=world["a"]).exclude(pk=theme.pk).first()
    analyst = world["staff"][("benefits-agency", "cx_analyst")]
    login(client, analyst)
    page = client.get("/staff/themes/")
    assert page.status_code == 200 and theme.name in page.content.decode()
    detail = client.get(f"/staff/themes/{theme.pk}/").content.decode()
    assert "Representative comments" in detail and 'name="csrfmiddlewaretoken"' in detail
    r = client.post(f"/staff/themes/{theme.pk}/action/", {"action": "rename", "name": "Access"})
    assert r.status_code == 302
    theme.refresh_from_db()
    assert theme.name == "Access"
    r = client.post(f"/staff/themes/{theme.pk}/action/", {"action": "merge", "into": "abc"})
    assert r.status_code == 302 and Theme.objects.get(pk=theme.pk).merged_into_id is None
    r = client.post(f"/staff/themes/{theme.pk}/action/", {"action": "insight"})
    assert r.status_code == 302
    ins = Insight.objects.get(source_ref=f"theme:{theme.pk}")
    assert ins.agency_id == world["a"].pk and ins.source == "theme"
    client.post(f"/staff/themes/{theme.pk}/action/", {"action": "insight"})
    assert Insight.objects.filter(source_ref=f"theme:{theme.pk}").count() == 1
    # another agency's staff: 404 on pages and actions
    client.logout()
    login(client, world["staff"][("tax-agency", "administrator")])
    assert client.get(f"/staff/themes/{theme.pk}/").status_code == 404
    r = client.post(f"/staff/themes/{theme.pk}/action/", {"action": "rename", "name": "x"})
    assert r.status_code == 404
    assert theme.name not in client.get("/staff/themes/").content.decode()
    # a viewer of agency A reads but may not change, and cannot merge across agencies
    client.logout()
    login(client, world["staff"][("benefits-agency", "performance_manager")])
    assert client.get(f"/staff/themes/{theme.pk}/").status_code == 200
    r = client.post(f"/staff/themes/{theme.pk}/action/", {"action": "rename", "name": "x"})
    assert r.status_code == 404
    assert other is not None


def test_theme_forms_need_csrf(world: dict[str, Any]) -> None:
    from django.test import Client

    _corpus(world["a"])
    theme = th.themes_discover(agency=world["a"])[0]
    client = login(Client(enforce_csrf_checks=True),
                   world["staff"][("benefits-agency", "administrator")])
    r = client.post(f"/staff/themes/{theme.pk}/action/", {"action": "rename", "name": "x"})
    assert r.status_code == 403
    theme.refresh_from_db()
    assert theme.name != "x"


def test_collect_discovers_then_places_incrementally(world: dict[str, Any]) -> None:
    from govcx.feedback import services as fb
    from govcx.feedback.comments import comments_collect

    rng = random.Random(5)
    for _ in range(3):
        for topic in POOLS:
            for _i in range(12):
                fb.response_submit(touchpoint=world["ta"],
                                   answers={"trust": "down", "comments": _text(rng, topic)})
        fb.response_submit(touchpoint=world["tb"], answers={"trust": "up",
                                                           "comments": _text(rng, "phone")})
    result = comments_collect()
    assert result.created["response"] == 3 * 36 + 3 and result.new_themes >= 3
    themes_a = Theme.objects.filter(agency=world["a"])
    assert themes_a.count() >= 3
    assert not Theme.objects.filter(agency=world["b"]).exists()  # 3 comments: too few
    before = themes_a.count()
    fb.response_submit(touchpoint=world["ta"], answers={
        "trust": "down", "comments": "I had trouble with the password and the reset link"})
    result = comments_collect()
    assert result.created["response"] == 1 and result.new_themes == 0
    c = Comment.objects.latest("id")
    assert c.theme is not None and c.theme.agency_id == world["a"].pk
    assert Theme.objects.filter(agency=world["a"]).count() == before


@pytest.mark.browser
def test_theme_pages_axe(browser: Any, live_server: Any, world: dict[str, Any]) -> None:
    """axe-core (WCAG 2.0/2.1 A and AA) on the themes list and a theme page."""
    from tests.browser.conftest import assert_clean, staff_context

    _corpus(world["a"])
    theme = th.themes_discover(agency=world["a"])[0]
    context = staff_context(browser, live_server,
                            world["staff"][("benefits-agency", "administrator")])
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto(f"{live_server.url}/staff/themes/")
        assert page.locator("#themes-table tbody tr").count() >= 3
        assert_clean(page, "themes")
        page.goto(f"{live_server.url}/staff/themes/{theme.pk}/")
        assert page.locator("blockquote").count() >= 1
        assert_clean(page, "a theme")
    finally:
        context.close()
