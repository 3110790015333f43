"""The queue: which of a learner's cards come next, in what order, and how many there are.

Due reviews first (most overdue first), then cards in learning, then new cards up to the
day's limit, in the order the deck introduces them. A learner may have thousands of cards and
the study page asks for one at a time, so this reads names where it can, counts in the
database where that is exact, and reads whole only the cards it returns.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import islice
from typing import Any

from sqlalchemy import Connection, bindparam, func, select
from sqlmodel import col

from app.content.decks import CardRef, DeckIndex
from app.study import scheduler
from app.study.models import CardState
from app.study.scheduler import REVIEW, Schedule
from app.study.scope import Resolved

LEARN_AHEAD = timedelta(minutes=20)  # a learning step due this soon is shown now (as Anki does)
REVIEW_BATCH = 256  # due reviews are read in batches, most overdue first, until the day's limit
SCHEDULE_COLUMNS = tuple(
    col(c)
    for c in (
        CardState.entry_slug,
        CardState.card_key,
        CardState.state,
        CardState.step,
        CardState.stability,
        CardState.difficulty,
        CardState.due,
        CardState.last_review,
    )
)
# The queue's statements, built once: building a statement and its cache key on each request
# cost more than SQLite took to answer it. Parameters: learner, now, soon, take, slugs.
_MINE = col(CardState.learner_id) == bindparam("learner")
_DUE = (_MINE, col(CardState.state) == REVIEW, col(CardState.due) <= bindparam("now"))
_ORDER = (col(CardState.due), col(CardState.entry_slug), col(CardState.card_key))
STUDIED = select(func.aggregate_strings(col(CardState.entry_slug) + ":" + col(CardState.card_key), "\n")).where(_MINE)
LEARNING = select(*SCHEDULE_COLUMNS).where(
    _MINE, col(CardState.state) != REVIEW, col(CardState.due) <= bindparam("soon")
)
DUE_COUNT = select(func.count()).where(*_DUE)
DUE_FIRST = select(*SCHEDULE_COLUMNS).where(*_DUE).order_by(*_ORDER).limit(bindparam("take"))
DUE_NAMES = select(col(CardState.entry_slug), col(CardState.card_key)).where(*_DUE).order_by(*_ORDER)
OF_ENTRIES = select(*SCHEDULE_COLUMNS).where(_MINE, col(CardState.entry_slug).in_(bindparam("slugs", expanding=True)))


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


@dataclass
class Room:
    """What today still allows, and how much of the queue to return."""

    reviews: int
    new: int
    limit: int | None = None  # None: every card
    pin: str = ""  # a card returned whatever its place (the one whose answer is showing)


def studied_ids(db: Connection, learner_id: str) -> set[str]:
    """Every card the learner ever answered, as `slug:key`. Asked as one joined string: reading
    thousands of rows one by one cost more than the rest of the queue together."""
    joined = db.execute(STUDIED, {"learner": learner_id}).scalar()
    return set(joined.split("\n")) if joined else set()


class QueueRead:
    """One queue, read in one transaction of the state store."""

    def __init__(self, db: Connection, learner_id: str, deck: DeckIndex, renamed: dict[str, str], now: datetime):
        self.db, self.learner_id, self.deck, self.renamed, self.now = db, learner_id, deck, renamed, now
        self.params = {"learner": learner_id, "now": now}
        self.stored: dict[str, tuple[str, str]] = {}  # card id -> its row's (slug, key): the slug may be old

    def read(self, resolved: Resolved, studied: set[str], room: Room, retention: float) -> Queue:
        everything = resolved.scope.kind == "all"
        in_scope = self.deck.by_id if everything else {c.id: c for c in resolved.cards}
        learning = sorted(
            ((ref, Schedule(*rest)) for ref, rest in self._known(in_scope, self._learning_rows())),
            key=lambda pair: pair[1].due,
        )
        # Every row names a card of today's deck (none renamed, none gone): the database counts.
        exact = everything and not self.renamed and self.deck.by_id.keys() >= studied
        review_count, reviews = self._reviews(in_scope, room, exact)
        unstudied = (self.deck.by_id.keys() if everything else in_scope.keys()) - studied
        new = interleaved([c for c in resolved.cards if c.id in unstudied] if unstudied else [])[: room.new]
        cards = [QueuedCard(ref, schedule) for ref, schedule in reviews]
        cards += [QueuedCard(ref, schedule) for ref, schedule in learning]
        cards += [QueuedCard(ref, None) for ref in new]
        if room.limit is not None:
            cards = cards[: room.limit] + [c for c in cards[room.limit :] if c.ref.id == room.pin]
        counts = {"new": len(new), "learning": len(learning), "review": review_count}
        return Queue(resolved, counts, cards, self.now, retention)

    def _learning_rows(self) -> Any:
        return self.db.execute(LEARNING, {"learner": self.learner_id, "soon": self.now + LEARN_AHEAD})

    def _reviews(
        self, in_scope: dict[str, CardRef], room: Room, exact: bool
    ) -> tuple[int, list[tuple[CardRef, Schedule | None]]]:
        """How many reviews are due (up to the day's room), and the first of them, scheduled."""
        if not room.reviews:
            return 0, []
        if exact:
            count = min(self.db.execute(DUE_COUNT, self.params).scalar_one(), room.reviews)
            take = count if room.limit is None else min(count, room.limit)
            first = self.db.execute(DUE_FIRST, {**self.params, "take": take})
            shown: list[tuple[CardRef, Schedule | None]] = [
                (ref, Schedule(*rest)) for ref, rest in self._known(in_scope, first)
            ]
            if room.pin and all(ref.id != room.pin for ref, _ in shown):
                shown += self._pinned_review(in_scope, room.pin)
            return count, shown
        rows: Any = self.db.execution_options(yield_per=REVIEW_BATCH).execute(DUE_NAMES, self.params)
        names = [ref for ref, _ in islice(self._known(in_scope, rows), room.reviews)]
        rows.close()
        wanted = (
            names if room.limit is None else names[: room.limit] + [r for r in names[room.limit :] if r.id == room.pin]
        )
        schedules = self._schedules([self.stored[ref.id] for ref in wanted])
        return len(names), [(ref, schedules[self.stored[ref.id]]) for ref in wanted]

    def _pinned_review(self, in_scope: dict[str, CardRef], pin: str) -> list[tuple[CardRef, Schedule | None]]:
        ref = in_scope.get(pin)
        if ref is None:
            return []
        schedule = self._schedules([(ref.entry_slug, ref.key)]).get((ref.entry_slug, ref.key))
        due = schedule is not None and schedule.state == REVIEW and schedule.due <= self.now
        return [(ref, schedule)] if due else []

    def _known(self, in_scope: dict[str, CardRef], rows: Iterable[Any]) -> Iterator[tuple[CardRef, Any]]:
        """The rows' cards that are in scope, each with the rest of its row."""
        renamed = self.renamed
        for slug, key, *rest in rows:
            ref = in_scope.get(f"{renamed.get(slug, slug)}:{key}")
            if ref is not None:
                self.stored[ref.id] = (slug, key)
                yield ref, rest

    def _schedules(self, pairs: list[tuple[str, str]]) -> dict[tuple[str, str], Schedule]:
        """The schedules of a few cards. By entry, then picked out here: SQLite answers a row-value
        IN by scanning all of the learner's rows, an IN on slugs through the primary key."""
        wanted, found = set(pairs), dict[tuple[str, str], Schedule]()
        slugs = sorted({slug for slug, _ in pairs})
        for chunk in (slugs[i : i + 400] for i in range(0, len(slugs), 400)):
            rows = self.db.execute(OF_ENTRIES, {"learner": self.learner_id, "slugs": chunk})
            for slug, key, *rest in rows:
                if (slug, key) in wanted:
                    found[str(slug), str(key)] = Schedule(*rest)
        return found


def lapses_queue(resolved: Resolved, schedules: dict[str, Schedule | None], now: datetime, retention: float) -> Queue:
    """Drilling misses: all of them, soonest due first, whatever the day's limits."""
    seen = [(ref, schedules.get(ref.id)) for ref in resolved.cards]
    cards = [QueuedCard(r, sch) for r, sch in sorted(seen, key=lambda p: p[1].due if p[1] else now)]
    counts = {"new": 0, "learning": 0, "review": 0}
    for card in cards:
        counts["new" if card.schedule is None else "review" if card.schedule.state == REVIEW else "learning"] += 1
    return Queue(resolved, counts, cards, now, retention)


def interleaved(new: list[CardRef]) -> list[CardRef]:
    """New cards one entry at a time: the first card of each entry (in deck order), then the
    second of each, so that a card's siblings do not give its answer away the same day."""
    rounds: dict[str, int] = {}
    ranked = []
    for i, ref in enumerate(new):
        n = rounds.get(ref.entry_slug, 0)
        rounds[ref.entry_slug] = n + 1
        ranked.append((n, i, ref))
    return [ref for _, _, ref in sorted(ranked, key=lambda t: (t[0], t[1]))]
