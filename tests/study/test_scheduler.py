"""Scheduling is FSRS's (the fsrs package), pure, and recomputable from the log."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fsrs import Card, Rating, Scheduler, State

from app.study.scheduler import intervals, replay, review, spoken

START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def test_ninety_days_of_good_answers_match_fsrs_and_intervals_grow():
    fsrs = Scheduler(enable_fuzzing=False)
    card, ours, now, gaps = Card(card_id=1, due=START), None, START, []
    while now < START + timedelta(days=90):
        card, _ = fsrs.review_card(card, Rating.Good, review_datetime=now)
        ours = review(ours, 3, now)
        assert (ours.state, ours.step, ours.due) == (int(card.state), card.step, card.due)
        assert ours.stability == card.stability and ours.difficulty == card.difficulty
        gaps.append(card.due - now)
        now = card.due
    reviews = [g for g in gaps if g >= timedelta(days=1)]
    assert len(reviews) >= 3 and reviews == sorted(reviews) and reviews[-1] > reviews[0] * 4
    assert ours.state == int(State.Review)


def test_again_on_a_review_card_sends_it_to_relearning_and_back():
    now, schedule = START, None
    for _ in range(4):
        schedule = review(schedule, 3, now)
        now = schedule.due
    assert schedule.state == 2
    lapsed = review(schedule, 1, now)
    assert lapsed.state == 3 and lapsed.due - now == timedelta(minutes=10)
    assert lapsed.stability < schedule.stability
    back = review(lapsed, 3, lapsed.due)
    assert back.state == 2


def test_a_schedule_is_recomputed_from_its_log_alone():
    log, schedule, now = [], None, START
    for rating in (3, 3, 1, 2, 3, 4, 1, 3, 3):
        schedule = review(schedule, rating, now)
        log.append((rating, now))
        now = schedule.due + timedelta(hours=5)
    assert replay(list(reversed(log))) == schedule  # order of the log does not matter


def test_each_button_says_when_the_card_comes_back():
    assert {r: spoken(s) for r, s in intervals(None, START).items()} == {1: "1 min", 2: "6 min", 3: "10 min", 4: "8 d"}
    assert [spoken(timedelta(seconds=s)) for s in (30, 600, 7200, 86400 * 4, 86400 * 75, 86400 * 540)] == [
        "<1 min",
        "10 min",
        "2 h",
        "4 d",
        "2 mo",
        "1.5 y",
    ]
