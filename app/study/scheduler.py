"""FSRS, through the maintained `fsrs` package: pure functions of a card's state, a rating and
a time, so that tests drive months of study with a fake clock.

Fuzzing (a random spread of due dates) is off: a card's state must be the same whenever it
is recomputed from its review log.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from fsrs import Card, Rating, Scheduler, State

LEARNING, REVIEW, RELEARNING = int(State.Learning), int(State.Review), int(State.Relearning)
RATINGS = {1: Rating.Again, 2: Rating.Hard, 3: Rating.Good, 4: Rating.Easy}
STATES = {State.Learning: "learning", State.Review: "review", State.Relearning: "relearning"}


@dataclass(frozen=True)
class Schedule:
    """What FSRS knows of a card after its last review (None before the first: a new card)."""

    state: int
    step: int | None
    stability: float | None
    difficulty: float | None
    due: datetime
    last_review: datetime | None

    @property
    def state_name(self) -> str:
        return STATES[State(self.state)]

    def as_dict(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "step": self.step,
            "stability": self.stability,
            "difficulty": self.difficulty,
            "due": self.due.isoformat(),
            "last_review": self.last_review.isoformat() if self.last_review else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Schedule:
        last = data.get("last_review")
        return cls(
            data["state"],
            data.get("step"),
            data.get("stability"),
            data.get("difficulty"),
            datetime.fromisoformat(data["due"]),
            datetime.fromisoformat(last) if last else None,
        )


@lru_cache(maxsize=64)
def _scheduler(desired_retention: float) -> Scheduler:
    return Scheduler(desired_retention=desired_retention, enable_fuzzing=False)


def _card(schedule: Schedule | None, now: datetime) -> Card:
    if schedule is None:
        return Card(card_id=0, due=now)
    return Card(
        card_id=0,
        state=State(schedule.state),
        step=schedule.step,
        stability=schedule.stability,
        difficulty=schedule.difficulty,
        due=schedule.due,
        last_review=schedule.last_review,
    )


def review(schedule: Schedule | None, rating: int, now: datetime, desired_retention: float = 0.9) -> Schedule:
    """The card's schedule after answering it with rating (1–4) at now."""
    card, _ = _scheduler(desired_retention).review_card(_card(schedule, now), RATINGS[rating], review_datetime=now)
    return Schedule(int(card.state), card.step, card.stability, card.difficulty, card.due, card.last_review)


def intervals(schedule: Schedule | None, now: datetime, desired_retention: float = 0.9) -> dict[int, timedelta]:
    """How long until the card comes back, for each rating (shown on the buttons)."""
    if schedule is None:
        return dict(_new_intervals(desired_retention))
    return {r: review(schedule, r, now, desired_retention).due - now for r in RATINGS}


@lru_cache(maxsize=64)
def _new_intervals(desired_retention: float) -> tuple[tuple[int, timedelta], ...]:
    """The same for every new card, whenever it is shown: a queue of new cards asks it often."""
    now = datetime(2000, 1, 1, tzinfo=UTC)
    return tuple((r, review(None, r, now, desired_retention).due - now) for r in RATINGS)


def replay(ratings: list[tuple[int, datetime]], desired_retention: float = 0.9) -> Schedule | None:
    """The schedule a card has after these reviews, recomputed from nothing but the log."""
    schedule = None
    for rating, when in sorted(ratings, key=lambda r: r[1]):
        schedule = review(schedule, rating, when, desired_retention)
    return schedule


def retrievability(schedule: Schedule, now: datetime, desired_retention: float = 0.9) -> float:
    """The probability of recalling the card now (0 for a card never learnt)."""
    if schedule.stability is None:
        return 0.0
    return float(_scheduler(desired_retention).get_card_retrievability(_card(schedule, now), now))


def retrievabilities(cards: Iterable[tuple[float, datetime]], now: datetime) -> Iterator[float]:
    """The same for many cards in review, each given as (stability, last review): one Card is
    reused, since building one per card cost more than FSRS's formula on a page of thousands."""
    fsrs, card = _scheduler(0.9), Card(card_id=0, state=State.Review)
    for stability, last_review in cards:
        card.stability, card.last_review = stability, last_review
        yield float(fsrs.get_card_retrievability(card, now))


def spoken(span: timedelta) -> str:
    """'<1 min', '10 min', '3 h', '4 d', '2 mo', '1.5 y': a button's promise."""
    seconds = span.total_seconds()
    if seconds < 60:
        return "<1 min"
    if seconds < 3600:
        return f"{round(seconds / 60)} min"
    if seconds < 86400:
        return f"{round(seconds / 3600)} h"
    days = seconds / 86400
    if days < 30:
        return f"{round(days)} d"
    if days < 365:
        return f"{round(days / 30)} mo"
    return f"{days / 365:.1f} y".replace(".0 y", " y")
