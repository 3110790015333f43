"""A learner's study: the queue of cards, reviews scheduled by FSRS, undo, settings."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import bindparam, func
from sqlalchemy import select as core_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.clock import Clock
from app.content.decks import CardRef, DeckReader, split_card_id
from app.content.reader import ContentReader
from app.refusal import Refusal
from app.state import StateStore
from app.study import scheduler
from app.study.models import CardState, Review, StudySettings
from app.study.queue import Queue, QueueRead, Room, lapses_queue, studied_ids
from app.study.scheduler import REVIEW, Schedule
from app.study.scope import Resolved, parse_scope, resolve_scope

LAPSE_WINDOW = timedelta(days=7)
# Asked on every queue request: built once (see app.study.queue).
PREFS = core_select(
    col(StudySettings.desired_retention),
    col(StudySettings.new_per_day),
    col(StudySettings.max_reviews_per_day),
    col(StudySettings.timezone),
    col(StudySettings.day_starts_hour),
).where(col(StudySettings.learner_id) == bindparam("learner"))
DONE_TODAY = select(func.count(), func.count(col(Review.id)).filter(col(Review.before).is_(None))).where(
    col(Review.learner_id) == bindparam("learner"),
    col(Review.undone).is_(False),
    col(Review.reviewed_at) >= bindparam("since"),
)


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
    def __init__(
        self, state: StateStore, reader: ContentReader, clock: Clock, on_review: Callable[[], None] | None = None
    ):
        self.state = state
        self.reader = reader
        self.decks = DeckReader(reader)
        self.clock = clock
        self.on_review = on_review  # after each review written (metrics)

    # -- settings ------------------------------------------------------------------------
    def prefs(self, learner_id: str) -> Prefs:
        with self.state.read() as s:
            return self._prefs(s, learner_id)

    @staticmethod
    def _prefs(s: Session, learner_id: str) -> Prefs:
        row = s.connection().execute(PREFS, {"learner": learner_id}).first()
        return Prefs() if row is None else Prefs(*row)

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
    def queue(self, learner_id: str, scope_text: str | None, limit: int | None = None, pin: str = "") -> Queue:
        """The learner's queue for a scope (see app.study.queue). `counts` covers all of it;
        `cards` holds its first `limit` cards (all without one), and the card `pin` names if it
        is in the queue."""
        now, deck = self.clock(), self.decks.index()
        with self.state.read() as s:
            prefs = self._prefs(s, learner_id)
            db = s.connection()  # Core, not ORM: plain tuples, and a learner may have thousands of rows
            studied = studied_ids(db, learner_id)
            resolved = self.resolve(learner_id, scope_text, now, s)
            if resolved.scope.kind == "lapses":
                states = {card_id: schedule_of(row) for card_id, row in self.states(learner_id).items()}
                return lapses_queue(resolved, states, now, prefs.desired_retention)
            done, new_done = db.execute(DONE_TODAY, {"learner": learner_id, "since": self.day_start(prefs, now)}).one()
            # Cards answered that today's deck lacks: their entry was renamed (or is gone).
            renamed = self.renamed_slugs({i.partition(":")[0] for i in studied - deck.by_id.keys()})
            if renamed:
                studied |= {f"{renamed.get(slug, slug)}:{key}" for slug, _, key in (i.partition(":") for i in studied)}
            room = Room(max(0, prefs.max_reviews_per_day - done), max(0, prefs.new_per_day - new_done), limit, pin)
            return QueueRead(db, learner_id, deck, renamed, now).read(resolved, studied, room, prefs.desired_retention)

    # -- answering -----------------------------------------------------------------------------
    def review(
        self, learner_id: str, card_id: str, rating: int, duration_ms: int | None = None, client_key: str | None = None
    ) -> Reviewed:
        if rating not in scheduler.RATINGS:
            raise Refusal(422, "rating must be 1 (Again), 2 (Hard), 3 (Good) or 4 (Easy)")
        pair = split_card_id(card_id)
        if pair is None or card_id not in self.decks.index().by_id:
            raise Refusal(404, f"there is no card {card_id!r}")
        now = self.clock()
        try:
            with self.state.write() as s:
                prefs = self._prefs(s, learner_id)
                if client_key:
                    earlier = self._answered(s, learner_id, client_key)
                    if earlier is not None:
                        return earlier
                reviewed = self._record(s, learner_id, pair, rating, now, duration_ms, client_key, prefs)
        except IntegrityError:  # the same key, answered at this very moment by another request
            with self.state.read() as s:
                earlier = self._answered(s, learner_id, client_key or "")
            if earlier is None:
                raise
            return earlier
        if self.on_review is not None:  # committed: the transaction above has ended
            self.on_review()
        return reviewed

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
        resolved = self.resolve(learner_id, scope_text, self.clock())
        out = []
        for ref in resolved.cards:
            row = rows.get(ref.id)
            schedule = schedule_of(row)
            name = schedule.state_name if schedule else "new"
            if state is None or state == name:
                out.append((ref, schedule, row.reps if row else 0, row.lapses if row else 0))
        return resolved, out

    def resolve(self, learner_id: str, scope_text: str | None, now: datetime, s: Session | None = None) -> Resolved:
        """The scope's cards. Only "my lapses" reads the learner's log (in `s`, if given)."""
        scope = parse_scope(scope_text)
        lapsed: set[str] = set()
        if scope.kind == "lapses" and learner_id:
            if s is not None:
                lapsed = self.lapsed_cards(s, learner_id, now)
            else:
                with self.state.read() as own:
                    lapsed = self.lapsed_cards(own, learner_id, now)
        return resolve_scope(scope, self.reader, self.decks.index(), lapsed)

    @staticmethod
    def lapsed_cards(s: Session, learner_id: str, now: datetime) -> set[str]:
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
        renamed = self.renamed_slugs({r.entry_slug for r in rows})
        return {f"{renamed.get(r.entry_slug, r.entry_slug)}:{r.card_key}": r for r in rows}

    def renamed_slugs(self, slugs: set[str]) -> dict[str, str]:
        """Today's slug of each entry a learner studied under a slug it has since given up (and
        kept as an alias): its cards' history follows it (state names entries by slug only)."""
        titles = self.decks.index().titles
        return {slug: new for slug in slugs - titles.keys() if (new := self.reader.resolve(slug))}

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


def _apply(row: CardState, schedule: Schedule) -> None:
    row.state, row.step, row.stability, row.difficulty = (
        schedule.state,
        schedule.step,
        schedule.stability,
        schedule.difficulty,
    )
    row.due, row.last_review = schedule.due, schedule.last_review
