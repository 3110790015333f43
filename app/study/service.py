"""A learner's study: the queue of cards, reviews scheduled by FSRS, undo, settings."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.clock import Clock
from app.content.decks import CardRef, DeckReader, split_card_id
from app.content.reader import ContentReader
from app.refusal import Refusal
from app.state import StateStore
from app.study import scheduler
from app.study.models import CardState, Review, StudySettings
from app.study.scheduler import Schedule
from app.study.scope import Resolved, parse_scope, resolve_scope

LEARNING, REVIEW, RELEARNING = 1, 2, 3
LEARN_AHEAD = timedelta(minutes=20)  # a learning step due this soon is shown now (as Anki does)
LAPSE_WINDOW = timedelta(days=7)


@dataclass(frozen=True)
class Prefs:
    desired_retention: float = 0.9
    new_per_day: int = 20
    max_reviews_per_day: int = 200
    timezone: str = "UTC"
    day_starts_hour: int = 4


LIMITS = {
    "desired_retention": (0.7, 0.99),
    "new_per_day": (0, 1000),
    "max_reviews_per_day": (0, 10000),
    "day_starts_hour": (0, 23),
}


@dataclass(frozen=True)
class QueuedCard:
    ref: CardRef
    schedule: Schedule | None

    @property
    def state(self) -> str:
        return self.schedule.state_name if self.schedule else "new"


@dataclass(frozen=True)
class Queue:
    scope: Resolved
    counts: dict[str, int]
    cards: list[QueuedCard]
    now: datetime
    desired_retention: float

    def intervals(self, card: QueuedCard) -> dict[int, timedelta]:
        """How long until the card is due again, for each rating (shown on its buttons)."""
        return scheduler.intervals(card.schedule, self.now, self.desired_retention)


@dataclass(frozen=True)
class Reviewed:
    review_id: str
    card_id: str
    schedule: Schedule
    created: bool  # False: the same client key was answered before; this is that answer


def schedule_of(row: CardState | None) -> Schedule | None:
    if row is None:
        return None
    return Schedule(row.state, row.step, row.stability, row.difficulty, row.due, row.last_review)


class Study:
    def __init__(self, state: StateStore, reader: ContentReader, clock: Clock):
        self.state = state
        self.reader = reader
        self.decks = DeckReader(reader)
        self.clock = clock

    # -- settings ------------------------------------------------------------------------
    def prefs(self, learner_id: str) -> Prefs:
        with self.state.read() as s:
            row = s.get(StudySettings, learner_id)
        if row is None:
            return Prefs()
        return Prefs(row.desired_retention, row.new_per_day, row.max_reviews_per_day, row.timezone, row.day_starts_hour)

    def set_prefs(self, learner_id: str, changes: dict[str, Any]) -> Prefs:
        for name, (low, high) in LIMITS.items():
            if name in changes and not low <= changes[name] <= high:
                raise Refusal(422, f"{name} must be between {low} and {high}")
        if "timezone" in changes:
            try:
                ZoneInfo(changes["timezone"])
            except (ZoneInfoNotFoundError, ValueError):
                raise Refusal(
                    422, f"unknown time zone {changes['timezone']!r} (use a name like Europe/Paris)"
                ) from None
        with self.state.write() as s:
            row = s.get(StudySettings, learner_id) or StudySettings(learner_id=learner_id)
            for name, value in changes.items():
                setattr(row, name, value)
            s.add(row)
        return self.prefs(learner_id)

    def day_start(self, prefs: Prefs, now: datetime) -> datetime:
        """When the learner's study day began: their local midnight, shifted by day_starts_hour."""
        local = now.astimezone(ZoneInfo(prefs.timezone))
        start = datetime.combine(local.date(), time(prefs.day_starts_hour), tzinfo=local.tzinfo)
        if local < start:
            start -= timedelta(days=1)
        return start.astimezone(now.tzinfo)

    # -- the queue -------------------------------------------------------------------------
    def queue(self, learner_id: str, scope_text: str | None) -> Queue:
        """Due reviews first (most overdue first), then cards in learning, then new cards up to
        the day's limit, in the order the deck introduces them."""
        now, prefs = self.clock(), self.prefs(learner_id)
        day = self.day_start(prefs, now)
        with self.state.read() as s:
            rows = s.exec(select(CardState).where(CardState.learner_id == learner_id)).all()
            schedules = {self._card_id(r.entry_slug, r.card_key): schedule_of(r) for r in rows}
            lapsed = self._lapsed(s, learner_id, now)
            done, new_done = s.execute(
                select(func.count(), func.count(col(Review.id)).filter(col(Review.before).is_(None))).where(
                    Review.learner_id == learner_id, col(Review.undone).is_(False), col(Review.reviewed_at) >= day
                )
            ).one()
        resolved = resolve_scope(parse_scope(scope_text), self.reader, self.decks.index(), lapsed)
        seen = [(ref, schedules.get(ref.id)) for ref in resolved.cards]
        if resolved.scope.kind == "lapses":  # drilling misses: all of them, soonest due first
            cards = [QueuedCard(r, sch) for r, sch in sorted(seen, key=lambda p: p[1].due if p[1] else now)]
            return Queue(resolved, _counts(cards), cards, now, prefs.desired_retention)
        reviews = sorted((p for p in seen if p[1] and p[1].state == REVIEW and p[1].due <= now), key=_due)
        learning = sorted(
            (p for p in seen if p[1] and p[1].state != REVIEW and p[1].due <= now + LEARN_AHEAD), key=_due
        )
        new = _interleaved([p for p in seen if p[1] is None])
        reviews = reviews[: max(0, prefs.max_reviews_per_day - done)]
        new = new[: max(0, prefs.new_per_day - new_done)]
        cards = [QueuedCard(r, sch) for r, sch in [*reviews, *learning, *new]]
        counts = {"new": len(new), "learning": len(learning), "review": len(reviews)}
        return Queue(resolved, counts, cards, now, prefs.desired_retention)

    # -- answering -----------------------------------------------------------------------------
    def review(
        self, learner_id: str, card_id: str, rating: int, duration_ms: int | None = None, client_key: str | None = None
    ) -> Reviewed:
        if rating not in scheduler.RATINGS:
            raise Refusal(422, "rating must be 1 (Again), 2 (Hard), 3 (Good) or 4 (Easy)")
        pair = split_card_id(card_id)
        if pair is None or card_id not in self.decks.index().by_id:
            raise Refusal(404, f"there is no card {card_id!r}")
        prefs, now = self.prefs(learner_id), self.clock()
        try:
            with self.state.write() as s:
                if client_key:
                    earlier = self._answered(s, learner_id, client_key)
                    if earlier is not None:
                        return earlier
                return self._record(s, learner_id, pair, rating, now, duration_ms, client_key, prefs)
        except IntegrityError:  # the same key, answered at this very moment by another request
            with self.state.read() as s:
                earlier = self._answered(s, learner_id, client_key or "")
            if earlier is None:
                raise
            return earlier

    def _answered(self, s: Session, learner_id: str, client_key: str) -> Reviewed | None:
        row = s.exec(select(Review).where(Review.learner_id == learner_id, Review.client_key == client_key)).first()
        if row is None:
            return None
        return Reviewed(row.id, f"{row.entry_slug}:{row.card_key}", Schedule.from_dict(row.after), created=False)

    def _record(
        self,
        s: Session,
        learner_id: str,
        pair: tuple[str, str],
        rating: int,
        now: datetime,
        duration_ms: int | None,
        client_key: str | None,
        prefs: Prefs,
    ) -> Reviewed:
        slug, key = pair
        row = s.get(CardState, (learner_id, slug, key)) or self._renamed(s, learner_id, slug, key)
        before = schedule_of(row)
        after = scheduler.review(before, rating, now, prefs.desired_retention)
        if row is None:
            row = CardState(learner_id=learner_id, entry_slug=slug, card_key=key, state=after.state, due=after.due)
        _apply(row, after)
        row.reps += 1
        row.lapses += int(rating == 1 and before is not None and before.state == REVIEW)
        review = Review(
            id=secrets.token_hex(16),
            learner_id=learner_id,
            entry_slug=slug,
            card_key=key,
            rating=rating,
            reviewed_at=now,
            duration_ms=duration_ms,
            client_key=client_key,
            before=before.as_dict() if before else None,
            after=after.as_dict(),
        )
        s.add(row)
        s.add(review)
        s.flush()
        return Reviewed(review.id, f"{slug}:{key}", after, created=True)

    def undo(self, learner_id: str) -> tuple[str, Schedule | None]:
        """Take back the learner's last review: the card's schedule is what it was before."""
        with self.state.write() as s:
            last = s.exec(
                select(Review)
                .where(Review.learner_id == learner_id, col(Review.undone).is_(False))
                .order_by(col(Review.reviewed_at).desc(), col(Review.id).desc())
            ).first()
            if last is None:
                raise Refusal(409, "there is no review to undo")
            last.undone = True
            row = s.get(CardState, (learner_id, last.entry_slug, last.card_key))
            before = Schedule.from_dict(last.before) if last.before else None
            if row is not None and before is None:
                s.delete(row)
            elif row is not None and before is not None:
                _apply(row, before)
                row.reps -= 1
                row.lapses -= int(last.rating == 1 and before.state == REVIEW)
            s.add(last)
            return f"{last.entry_slug}:{last.card_key}", before

    # -- what a learner has studied ---------------------------------------------------------------
    def card_list(
        self, learner_id: str, scope_text: str | None, state: str | None
    ) -> tuple[Resolved, list[tuple[CardRef, Schedule | None, int, int]]]:
        """The scope's cards with the learner's schedule of each, optionally of one state."""
        rows = self.states(learner_id)
        with self.state.read() as s:
            lapsed = self._lapsed(s, learner_id, self.clock())
        resolved = resolve_scope(parse_scope(scope_text), self.reader, self.decks.index(), lapsed)
        out = []
        for ref in resolved.cards:
            row = rows.get(ref.id)
            schedule = schedule_of(row)
            name = schedule.state_name if schedule else "new"
            if state is None or state == name:
                out.append((ref, schedule, row.reps if row else 0, row.lapses if row else 0))
        return resolved, out

    @staticmethod
    def _lapsed(s: Session, learner_id: str, now: datetime) -> set[str]:
        rows = s.execute(
            select(Review.entry_slug, Review.card_key).where(
                Review.learner_id == learner_id,
                Review.rating == 1,
                col(Review.undone).is_(False),
                col(Review.reviewed_at) >= now - LAPSE_WINDOW,
            )
        ).all()
        return {f"{slug}:{key}" for slug, key in rows}

    def states(self, learner_id: str) -> dict[str, CardState]:
        with self.state.read() as s:
            rows = s.exec(select(CardState).where(CardState.learner_id == learner_id)).all()
        return {self._card_id(r.entry_slug, r.card_key): r for r in rows}

    def _card_id(self, slug: str, key: str) -> str:
        """Today's id of a card a learner studied: an entry renamed since, keeping its old slug as
        an alias, still has the learner's history (state names entries by slug only)."""
        if slug not in self.decks.index().titles:
            slug = self.reader.resolve(slug) or slug
        return f"{slug}:{key}"

    def _renamed(self, s: Session, learner_id: str, slug: str, key: str) -> CardState | None:
        """The learner's schedule of this card under the entry's old slug, moved to its new one."""
        for row in s.exec(
            select(CardState).where(
                CardState.learner_id == learner_id, CardState.card_key == key, CardState.entry_slug != slug
            )
        ).all():
            if self.reader.resolve(row.entry_slug) == slug:
                moved = CardState(**{**row.model_dump(), "entry_slug": slug})
                s.delete(row)
                s.flush()
                return moved
        return None

    def reviews_since(self, learner_id: str, since: datetime) -> list[Review]:
        with self.state.read() as s:
            return list(
                s.exec(
                    select(Review)
                    .where(
                        Review.learner_id == learner_id, col(Review.undone).is_(False), col(Review.reviewed_at) >= since
                    )
                    .order_by(col(Review.reviewed_at))
                )
            )

    def card_log(self, learner_id: str, card_id: str) -> list[Review]:
        slug, _, key = card_id.partition(":")
        with self.state.read() as s:
            return list(
                s.exec(
                    select(Review)
                    .where(Review.learner_id == learner_id, Review.entry_slug == slug, Review.card_key == key)
                    .order_by(col(Review.reviewed_at))
                )
            )


def _interleaved(new: list[tuple[CardRef, Schedule | None]]) -> list[tuple[CardRef, Schedule | None]]:
    """New cards one entry at a time: the first card of each entry (in deck order), then the
    second of each, so that a card's siblings do not give its answer away the same day."""
    rounds: dict[str, int] = {}
    ranked = []
    for i, pair in enumerate(new):
        n = rounds.get(pair[0].entry_slug, 0)
        rounds[pair[0].entry_slug] = n + 1
        ranked.append((n, i, pair))
    return [pair for _, _, pair in sorted(ranked, key=lambda t: (t[0], t[1]))]


def _due(pair: tuple[CardRef, Schedule | None]) -> datetime:
    assert pair[1] is not None
    return pair[1].due


def _counts(cards: list[QueuedCard]) -> dict[str, int]:
    counts = {"new": 0, "learning": 0, "review": 0}
    for card in cards:
        counts["new" if card.schedule is None else "review" if card.schedule.state == REVIEW else "learning"] += 1
    return counts


def _apply(row: CardState, schedule: Schedule) -> None:
    row.state, row.step, row.stability, row.difficulty = (
        schedule.state,
        schedule.step,
        schedule.stability,
        schedule.difficulty,
    )
    row.due, row.last_review = schedule.due, schedule.last_review
