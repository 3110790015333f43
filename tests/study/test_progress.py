"""Progress: the figures a learner sees on /progress and in /api/study/progress, checked against a
history built with the fake clock; the standing shown on entry pages; the graph's mastery map."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from sqlalchemy import event

from app.study.progress import StudyDays
from app.study.scheduler import replay, retrievabilities, retrievability
from app.study.service import Prefs
from tests.conftest import write_content
from tests.study.conftest import answer
from tests.support.learners import Browser
from tests.web.test_html_valid import Checker

DECK = 12  # six entries, a name card and a meaning card each


def progress(browser: Browser, **params: str) -> dict:
    r = browser.client.get("/api/study/progress", params=params)
    assert r.status_code == 200, r.text
    return r.json()


def settings(browser: Browser, **changes: object) -> None:
    r = browser.client.put("/api/study/settings", json=changes, headers={"x-csrf-token": browser.csrf()})
    assert r.status_code == 200, r.text


def test_the_streak_counts_study_days_in_a_row_and_a_missed_day_breaks_it(learner: Browser, clock):
    assert progress(learner)["streak_days"] == 0
    for studied in (True, True, False, True, True):  # days 1 and 2, not 3, then 4 and 5
        if studied:
            answer(learner, "inertia:name", 3)
        clock.advance(days=1)
    clock.advance(days=-1)
    assert progress(learner)["streak_days"] == 2  # day 5, today
    clock.advance(days=1)
    assert progress(learner)["streak_days"] == 2  # day 6: today is still open
    clock.advance(days=1)
    assert progress(learner)["streak_days"] == 0  # day 7: day 6 was missed


def test_a_streak_of_yesterday_alone_is_one_day(learner: Browser, clock):
    answer(learner, "k-means:name", 3)
    clock.advance(days=1)
    assert progress(learner)["streak_days"] == 1


def test_a_streak_longer_than_the_calendar_year_is_counted_whole(learner: Browser, app, clock):
    study, me = app.state.site.study, learner.client.get("/api/me").json()["id"]
    for _ in range(400):
        study.review(me, "inertia:name", 3)
        clock.advance(days=1)
    assert progress(learner)["streak_days"] == 400


def test_retention_is_the_share_of_answers_not_again_over_30_days(learner: Browser, clock):
    assert progress(learner)["retention_30d"] is None  # nothing to measure yet
    answer(learner, "feature-scaling:name", 1)  # 31 days before: outside the window
    clock.advance(days=31)
    for n in range(10):
        answer(learner, "inertia:name", 1 if n < 3 else 3)
        clock.advance(hours=1)
    clock.advance(seconds=5)
    answer(learner, "k-means:name", 1)
    undo = learner.post("/api/study/undo")  # taken back: not an answer
    assert undo.status_code == 200
    assert progress(learner)["retention_30d"] == 0.7


def test_reviews_today_and_time_studied(learner: Browser, clock):
    for card, ms in (("inertia:name", 4000), ("inertia:meaning", 6500), ("k-means:name", None)):
        answer(learner, card, 3, duration_ms=ms)
    clock.advance(days=1)
    answer(learner, "k-means:meaning", 3, duration_ms=2000)
    clock.advance(seconds=5)
    answer(learner, "feature-scaling:name", 3, duration_ms=90_000)
    learner.post("/api/study/undo")  # its 90 seconds do not count
    p = progress(learner)
    assert p["reviews_today"] == 1 and p["time_studied_s"] == 12  # 4 + 6.5 + 2 seconds


def test_reviews_count_by_the_learners_own_study_day(learner: Browser, clock):
    settings(learner, timezone="America/New_York", day_starts_hour=4)  # UTC-5 in December
    clock.now = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)  # 22:00 on 30 November in New York
    answer(learner, "inertia:name", 3)
    clock.now = datetime(2026, 12, 1, 8, 30, tzinfo=UTC)  # 03:30 local: still 30 November's study day
    answer(learner, "inertia:meaning", 3)
    clock.now = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)  # 04:30 local: 1 December's
    answer(learner, "k-means:name", 3)
    p = progress(learner)
    assert p["today"] == "2026-12-01" and p["timezone"] == "America/New_York"
    assert {d["date"]: d["count"] for d in p["heatmap"] if d["count"]} == {"2026-11-30": 2, "2026-12-01": 1}
    assert p["reviews_today"] == 1 and p["streak_days"] == 2
    assert len(p["heatmap"]) == 365 and p["heatmap"][-1]["date"] == "2026-12-01"
    assert p["heatmap"][0]["date"] == "2025-12-02"


def test_study_days_follow_the_same_rule_as_the_daily_limits(app):
    """The progress page places thousands of times per request by shortcuts (a day's start by
    bisection, or local time less the start hour); both must agree with Study.day_start, which the
    daily limits use, across daylight saving changes too (Europe and the US change at 02:00)."""
    study = app.state.site.study
    changes = (date(2026, 3, 7), date(2026, 3, 28), date(2026, 4, 4), date(2026, 9, 26), date(2026, 10, 24))
    for zone in ("UTC", "Europe/Paris", "America/New_York", "Pacific/Auckland", "Asia/Kolkata"):
        for hour in (0, 2, 4, 23):
            prefs = Prefs(timezone=zone, day_starts_hour=hour)
            days = StudyDays.of(prefs)
            for first in changes:
                span = days.span(first - timedelta(days=1), 6)
                for step in range(4 * 24 * 4):  # every quarter of an hour for four days
                    when = datetime.combine(first, datetime.min.time(), tzinfo=UTC) + timedelta(minutes=15 * step)
                    expected = study.day_start(prefs, when).astimezone(ZoneInfo(zone)).date()
                    assert days.day(when) == expected, (zone, hour, when)
                    placed = span.first + timedelta(days=span.index(when.replace(tzinfo=None)))
                    assert placed == expected, (zone, hour, when)


def test_due_today_and_the_forecast_count_every_scheduled_card_once(learner: Browser, clock):
    settings(learner, timezone="Pacific/Auckland", day_starts_hour=4)
    answer(learner, "inertia:name", 4)  # due in 8 days
    answer(learner, "inertia:meaning", 4)
    answer(learner, "k-means:name", 3)  # learning: due in 10 minutes
    answer(learner, "k-means:meaning", 1)  # due in a minute
    clock.advance(days=9)  # the first two are overdue now
    answer(learner, "feature-scaling:name", 4)
    answer(learner, "backpropagation:name", 3)
    clock.advance(minutes=10)
    answer(learner, "backpropagation:name", 3)  # review, due in a few days
    clock.advance(hours=2)
    p = progress(learner)
    cards = learner.client.get("/api/study/cards", params={"per_page": 100}).json()["items"]
    dues = [datetime.fromisoformat(c["due"]) for c in cards if c["state"] != "new"]
    zone = ZoneInfo("Pacific/Auckland")
    local_now = clock.now.astimezone(zone)
    day_end = datetime.combine(local_now.date(), datetime.min.time().replace(hour=4), tzinfo=zone)
    if local_now >= day_end:
        day_end += timedelta(days=1)
    assert p["due_today"] == sum(due < day_end for due in dues) == 4
    assert p["forecast"][0]["count"] == p["due_today"]
    within = day_end + timedelta(days=29)
    assert sum(d["count"] for d in p["forecast"]) == sum(due < within for due in dues) == 6
    assert local_now.hour == 0 and p["today"] == (local_now.date() - timedelta(days=1)).isoformat()  # before 04:00
    assert [d["date"] for d in p["forecast"]][:2] == [p["today"], local_now.date().isoformat()]
    assert len(p["forecast"]) == 30


def test_totals_partition_the_deck_and_known_moves_with_the_clock(learner: Browser, clock):
    answer(learner, "inertia:name", 3)
    answer(learner, "k-means:name", 1)
    clock.advance(minutes=10)
    answer(learner, "inertia:name", 3)  # graduates to review: recalled for sure today
    p = progress(learner)
    assert p["totals"] == {"new": 10, "learning": 1, "review": 1, "known": 1}
    clock.advance(days=1)
    assert progress(learner)["totals"]["known"] == 1
    clock.advance(days=60)  # long past its due date: probably forgotten
    faded = progress(learner)["totals"]
    assert faded == {"new": 10, "learning": 1, "review": 1, "known": 0}  # a card failed today is not known


def test_categories_hold_every_card_and_sort_by_name_or_mastery(learner: Browser, clock):
    for card in ("feature-scaling:name", "feature-scaling:meaning", "backpropagation:name"):
        answer(learner, card, 4)
    p = progress(learner)
    assert sum(c["cards"] for c in p["categories"]) == DECK
    assert p["categories"] == [
        {"slug": "clustering", "name": "Clustering", "cards": 6, "known": 0},
        {"slug": "data", "name": "Data", "cards": 2, "known": 2},
        {"slug": "deep-learning", "name": "Deep learning", "cards": 4, "known": 1},
    ]
    assert [c["slug"] for c in progress(learner, sort="mastery")["categories"]] == [
        "data",
        "deep-learning",
        "clustering",
    ]
    assert progress(learner, sort="-mastery")["categories"][0]["slug"] == "clustering"
    assert learner.client.get("/api/study/progress", params={"sort": "size"}).status_code == 422


def test_schedules_of_removed_cards_do_not_count(learner: Browser, app, content_dir):
    answer(learner, "inertia:name", 4)
    answer(learner, "feature-scaling:name", 4)
    (content_dir / "data/feature-scaling.md").unlink()
    app.state.site.update()
    p = progress(learner)
    assert p["totals"] == {"new": DECK - 2 - 1, "learning": 0, "review": 1, "known": 1}
    assert sum(c["cards"] for c in p["categories"]) == DECK - 2
    assert p["reviews_today"] == 2  # the study happened all the same


def test_without_a_learner_the_api_refuses_and_the_page_invites_to_study(client: TestClient):
    assert client.get("/api/study/progress").status_code == 401
    assert client.get("/api/study/mastery").status_code == 401
    r = client.get("/progress")
    assert r.status_code == 200 and "Start studying" in r.text and "<svg" not in r.text


def test_the_progress_page_shows_the_figures_charts_with_text_and_sort_links(learner: Browser, clock):
    answer(learner, "inertia:name", 4, duration_ms=125_000)
    answer(learner, "inertia:meaning", 1)
    html = learner.client.get("/progress", params={"sort": "mastery"}).text
    checker = Checker()
    checker.feed(html)
    checker.close()
    assert checker.errors == [] and checker.stack == [] and checker.h1 == 1
    flat = " ".join(html.split())
    assert "<dt>Known</dt><dd>1 <span" in flat and "of 12 cards" in flat
    assert "<dt>Reviews today</dt><dd>2</dd>" in flat and "<dt>Retention, 30 days</dt><dd>50%</dd>" in flat
    assert "<dt>Time studied</dt><dd>2 min</dd>" in flat and "<dt>Streak</dt><dd>1 day</dd>" in flat
    for chart in ("heatmap", "forecast"):
        assert f'role="img" aria-labelledby="{chart}-title {chart}-desc"' in html
    assert "2 reviews on 1 day of 365; the busiest day was 2026-12-01 with 2 reviews." in html
    assert "<tr><td>2026-12-01</td><td>2</td></tr>" in html  # the heatmap's table
    assert "<tr><td>Today, 2026-12-01</td><td>1</td></tr>" in html  # the card failed is due today
    assert '<strong aria-current="true">most known</strong>' in html and 'href="/progress?sort=name"' in html
    first = html.index("Study Clustering")
    assert first < html.index("Study Data") and "1 of 6 known (17%)" in html
    assert 'href="/study/session?scope=category%3Aclustering"' in html
    assert learner.client.get("/progress", params={"sort": "<script>"}).status_code == 200


def test_an_entry_page_shows_the_learners_standing_with_one_query(learner: Browser, app, clock):
    page = learner.client.get("/entries/inertia").text
    assert "<strong>New to you</strong>: 2 cards, not studied yet" in " ".join(page.split())
    answer(learner, "inertia:name", 4)
    answer(learner, "inertia:meaning", 3)
    flat = " ".join(learner.client.get("/entries/inertia").text.split())
    assert "<strong>Learning</strong>: 1 of 2 cards known, next review" in flat and ">in 10 min</time>" in flat
    clock.advance(minutes=10)
    answer(learner, "inertia:meaning", 4)
    statements: list[str] = []
    engine = app.state.site.state.engine()
    listen = lambda *args: statements.append(args[2])
    event.listen(engine, "before_cursor_execute", listen)
    try:
        flat = " ".join(learner.client.get("/entries/inertia").text.split())
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    assert "<strong>Known</strong>: 2 of 2 cards known, next review" in flat and ">in 4 d</time>" in flat  # the sooner
    assert sum("card_state" in s for s in statements) == 1
    clock.advance(days=90)
    flat = " ".join(learner.client.get("/entries/inertia").text.split())
    assert "<strong>In review</strong>: 0 of 2 cards known, next review <time" in flat and ">now</time>" in flat
    assert "entry-standing" not in TestClient(app).get("/entries/inertia").text  # a visitor


def test_the_mastery_map_is_the_learners_own(learner: Browser, app, clock):
    answer(learner, "inertia:name", 4)
    answer(learner, "inertia:meaning", 4)
    answer(learner, "k-means:name", 1)
    mine = learner.client.get("/api/study/mastery").json()
    assert mine == {
        "backpropagation": "new",
        "feature-scaling": "new",
        "hierarchical-clustering": "new",
        "inertia": "known",
        "k-means": "learning",
        "recurrent-neural-network": "new",
    }
    other = Browser(TestClient(app))
    other.guest()
    assert set(other.client.get("/api/study/mastery").json().values()) == {"new"}
    clock.advance(days=60)
    assert learner.client.get("/api/study/mastery").json()["inertia"] == "review"


def test_the_graph_offers_the_mastery_toggle_to_learners_only(learner: Browser, app):
    visitor = TestClient(app).get("/graph").text
    assert 'id="mastery-toggle" disabled aria-describedby="mastery-hint"' in visitor
    page = learner.client.get("/graph").text
    assert '<input type="checkbox" id="mastery-toggle">' in page and "data-mastery-legend" in page


def test_a_renamed_entrys_cards_count_under_its_new_slug(learner: Browser, app, content_dir):
    answer(learner, "inertia:name", 4)
    old = content_dir / "clustering/inertia.md"
    text = old.read_text().replace("aliases: [WCSS,", "aliases: [inertia, WCSS,")
    old.unlink()
    write_content(content_dir, {"clustering/within-cluster-inertia.md": text})
    app.state.site.update()
    p = progress(learner)
    assert p["totals"]["review"] == 1 and p["totals"]["known"] == 1
    assert learner.client.get("/api/study/mastery").json()["within-cluster-inertia"] == "learning"


def test_known_cards_counted_in_bulk_agree_with_fsrs_card_by_card():
    start = datetime(2026, 1, 1, 9, tzinfo=UTC)
    schedules = [replay([(4, start)]), replay([(3, start), (3, start + timedelta(minutes=10))])]
    schedules += [replay([(4, start), (1, start + timedelta(days=9)), (3, start + timedelta(days=9, minutes=10))])]
    for days in (0, 3, 8, 30, 400):
        now = start + timedelta(days=days, hours=5)
        one_by_one = [retrievability(s, now) for s in schedules if s]
        bulk = retrievabilities([(s.stability, s.last_review) for s in schedules if s], now)
        assert list(bulk) == one_by_one
