"""Where a learner stands: totals by state, what is known, due and done today, the streak,
retention, mastery per category, a year of reviews by day and the next 30 days of due cards.

*Known* is a property, not a state: a card in review whose probability of recall now (FSRS's
own retrievability) is at least 0.9. New, learning (with relearning) and review partition the
deck; known counts a subset of review. Cards in learning are never known: FSRS counts elapsed
time in whole days, so a card failed a minute ago would otherwise be "certain" until tomorrow.

Days are the learner's study days (their time zone, rolling over at day_starts_hour, as
Study.day_start has them). Totals, due cards and mastery count only cards of today's deck;
reviews count whatever was answered, even of cards since removed: that study happened.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from itertools import pairwise
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, DateTime, func, select, type_coerce
from sqlmodel import col

from app.content.decks import DeckIndex
from app.study import scheduler
from app.study.models import CardState, Review
from app.study.queue import SCHEDULE_COLUMNS
from app.study.scheduler import REVIEW, Schedule
from app.study.service import Prefs, Study

KNOWN_AT = 0.9
HEATMAP_DAYS = 365
FORECAST_DAYS = 30
RETENTION_DAYS = 30
SORTS = ("name", "mastery", "-mastery")  # mastery: most known first; -mastery: least known first
Standing = Literal["new", "learning", "review", "known"]


def _naive(column: Any) -> Any:
    """A UTC column read as the naive UTC value every database stores: converting thousands of
    values to aware datetimes one by one cost more than the rest of the progress page."""
    return type_coerce(column, DateTime())


@dataclass(frozen=True)
class Totals:
    new: int
    learning: int  # learning and relearning
    review: int
    known: int  # of the review cards


@dataclass(frozen=True)
class CategoryMastery:
    slug: str
    name: str
    cards: int
    known: int

    @property
    def share(self) -> float:
        return self.known / self.cards if self.cards else 0.0


@dataclass(frozen=True)
class DayCount:
    date: date
    count: int


@dataclass(frozen=True)
class Progress:
    today: date  # the learner's study day
    timezone: str
    totals: Totals
    due_today: int  # scheduled cards due before today's study day ends, overdue ones included
    reviews_today: int
    retention_30d: float | None  # share of answers not Again, over the last 30 study days
    streak_days: int
    time_studied_s: int
    categories: list[CategoryMastery]
    heatmap: list[DayCount]  # every day of the last year, oldest first
    forecast: list[DayCount]  # today and the 29 days after; overdue cards count today
    sort: str


@dataclass(frozen=True)
class EntryMastery:
    state: Standing
    cards: int
    known: int
    next_due: datetime | None


# A learner's schedule of a card, as much as progress needs, straight from its row: (due, last
# review, state, stability), times naive UTC. Thousands per page: no object is built for each.
Card = tuple[Any, Any, int, Any]
STATE = 2


@dataclass(frozen=True)
class StudyDays:
    """The learner's calendar: a study day begins at day_starts_hour, local time."""

    zone: ZoneInfo
    hour: int

    @classmethod
    def of(cls, prefs: Prefs) -> StudyDays:
        return cls(ZoneInfo(prefs.timezone), prefs.day_starts_hour)

    def day(self, when: datetime) -> date:
        """The study day an aware time falls in, by the rule of Study.day_start."""
        return (when.astimezone(self.zone) - timedelta(hours=self.hour)).date()

    def start(self, day: date) -> datetime:
        return datetime.combine(day, time(self.hour), tzinfo=self.zone).astimezone(UTC)

    def span(self, first: date, n: int) -> Span:
        return _span(self, first, n)


@lru_cache(maxsize=256)
def _span(days: StudyDays, first: date, n: int) -> Span:
    """Kept: learners who share a time zone and a day start share their days' boundaries."""
    return Span(first, tuple(days.start(first + timedelta(days=i)).replace(tzinfo=None) for i in range(n + 1)))


@dataclass(frozen=True)
class Span:
    """Consecutive study days by the naive UTC times they begin, and the time the last one ends.
    Thousands of sorted times are cut into days by bisection, not converted one by one."""

    first: date
    starts: tuple[datetime, ...]

    def index(self, when: datetime) -> int:
        """Which day of the span a naive UTC time falls in: -1 before it, len(days) after."""
        return bisect_right(self.starts, when) - 1

    def cut(self, times: list[datetime]) -> list[int]:
        """Where each day begins in sorted times, and where the last one ends."""
        return [bisect_left(times, start) for start in self.starts]

    def counts(self, times: list[datetime], overdue: bool = False) -> list[int]:
        """How many of the sorted times fall on each day; overdue: those before count on the first."""
        cuts = self.cut(times)
        if overdue:
            cuts[0] = 0
        return [b - a for a, b in pairwise(cuts)]


def is_known(schedule: Schedule, now: datetime) -> bool:
    return schedule.state == REVIEW and scheduler.retrievability(schedule, now) >= KNOWN_AT


def entry_state(standings: Iterable[Standing]) -> Standing:
    """One word for an entry from its cards': known when all are, new when none was studied,
    review when all are in review but some have faded, learning otherwise."""
    seen = set(standings)
    if seen <= {"new"}:
        return "new"
    if seen == {"known"}:
        return "known"
    if seen & {"new", "learning"}:
        return "learning"
    return "review"


def progress(study: Study, learner_id: str, sort: str = "name") -> Progress:
    """Every figure of the progress page and of /api/study/progress."""
    sort = sort if sort in SORTS else "name"
    now, deck = study.clock(), study.decks.index()
    prefs = study.prefs(learner_id)
    days = StudyDays.of(prefs)
    today = days.day(study.day_start(prefs, now))
    year = days.span(today - timedelta(days=HEATMAP_DAYS - 1), HEATMAP_DAYS)
    with study.state.read() as s:
        db = s.connection()  # Core: plain tuples for thousands of rows
        cards = _cards(study, db, learner_id, deck)
        answers = _utc(
            db.execute(
                select(_naive(Review.reviewed_at), col(Review.rating), col(Review.duration_ms))
                .where(
                    col(Review.learner_id) == learner_id,
                    col(Review.undone).is_(False),
                    col(Review.reviewed_at) >= year.starts[0].replace(tzinfo=UTC),
                )
                .order_by(col(Review.reviewed_at))  # the index's own order: days are then cut by bisection
            ).all()
        )
        earlier_ms = db.execute(
            select(func.coalesce(func.sum(col(Review.duration_ms)), 0)).where(
                col(Review.learner_id) == learner_id,
                col(Review.undone).is_(False),
                col(Review.reviewed_at) < year.starts[0].replace(tzinfo=UTC),
            )
        ).scalar_one()
        cuts = year.cut([row[0] for row in answers])
        per_day = [b - a for a, b in pairwise(cuts)]
        recent = answers[cuts[HEATMAP_DAYS - RETENTION_DAYS] : cuts[HEATMAP_DAYS]]
        studied = {year.first + timedelta(days=i) for i, n in enumerate(per_day) if n}
        streak, began = _streak(studied, today)
        if streak and began <= year.first:  # it goes back beyond the year read
            streak += _longer_streak(db, learner_id, days, year.first)
    known = _known(cards, now.astimezone(UTC).replace(tzinfo=None))
    forecast = days.span(today, FORECAST_DAYS).counts([due for due, *_ in cards.values()], overdue=True)
    learning = sum(state != REVIEW for _, _, state, _ in cards.values())
    return Progress(
        today=today,
        timezone=prefs.timezone,
        totals=Totals(
            new=len(deck.by_id) - len(cards), learning=learning, review=len(cards) - learning, known=len(known)
        ),
        due_today=forecast[0],
        reviews_today=per_day[-1],
        retention_30d=sum(rating != 1 for _, rating, _ in recent) / len(recent) if recent else None,
        streak_days=streak,
        time_studied_s=(int(earlier_ms or 0) + sum(ms or 0 for _, _, ms in answers)) // 1000,
        categories=_categories(study, deck, known, sort),
        heatmap=[DayCount(year.first + timedelta(days=i), n) for i, n in enumerate(per_day)],
        forecast=[DayCount(today + timedelta(days=i), n) for i, n in enumerate(forecast)],
        sort=sort,
    )


def entry_mastery(study: Study, learner_id: str, slug: str) -> EntryMastery | None:
    """The learner's standing on one entry (None when it has no cards): one read of the
    learner's rows for that slug, through card_state's primary key."""
    refs = [c for c in study.decks.index().cards if c.entry_slug == slug]
    if not refs:
        return None
    now = study.clock()
    with study.state.read() as s:
        rows = s.connection().execute(
            select(*SCHEDULE_COLUMNS).where(col(CardState.learner_id) == learner_id, col(CardState.entry_slug) == slug)
        )
        found = {key: Schedule(*rest) for _, key, *rest in rows}
    schedules = [found.get(ref.key) for ref in refs]
    standings: list[Standing] = [
        "new" if s is None else "known" if is_known(s, now) else "review" if s.state == REVIEW else "learning"
        for s in schedules
    ]
    return EntryMastery(
        state=entry_state(standings),
        cards=len(refs),
        known=standings.count("known"),
        next_due=min((s.due for s in schedules if s is not None), default=None),
    )


def mastery_map(study: Study, learner_id: str) -> dict[str, Standing]:
    """Every entry of the deck with the learner's standing on it (for colouring the graph)."""
    now, deck = study.clock(), study.decks.index()
    with study.state.read() as s:
        cards = _cards(study, s.connection(), learner_id, deck)
    known = _known(cards, now.astimezone(UTC).replace(tzinfo=None))
    by_entry: dict[str, list[Standing]] = {}
    for ref in deck.cards:
        card = cards.get(ref.id)
        standing: Standing = (
            "new" if card is None else "known" if ref.id in known else "review" if card[STATE] == REVIEW else "learning"
        )
        by_entry.setdefault(ref.entry_slug, []).append(standing)
    return {slug: entry_state(standings) for slug, standings in sorted(by_entry.items())}


def _cards(study: Study, db: Connection, learner_id: str, deck: DeckIndex) -> dict[str, Card]:
    """The learner's schedules of today's cards, by card id. A row under an entry's old slug
    (kept as an alias) counts for the renamed entry; rows of cards that are gone do not count."""
    rows = _utc(
        db.execute(
            select(
                _naive(CardState.due),
                _naive(CardState.last_review),
                col(CardState.entry_slug),
                col(CardState.card_key),
                col(CardState.state),
                col(CardState.stability),
            )
            .where(col(CardState.learner_id) == learner_id)
            .order_by(col(CardState.due))  # the (learner, due) index's order: the forecast bisects
        ).all(),
        times=2,
    )
    renamed = study.renamed_slugs({row[2] for row in rows} - deck.titles.keys())
    out: dict[str, Card] = {}
    ids = deck.by_id
    for row in rows:
        card_id = f"{renamed.get(row[2], row[2])}:{row[3]}"
        if card_id in ids:
            out[card_id] = (row[0], row[1], row[4], row[5])
    return out


def _utc(rows: Sequence[Any], times: int = 1) -> Sequence[Any]:
    """Rows whose first `times` values are naive UTC. A database that kept time zones (a column
    made by hand as timestamptz) hands back aware times: those are converted."""
    if not rows or rows[0][0].tzinfo is None:
        return rows
    return [(*(t and t.astimezone(UTC).replace(tzinfo=None) for t in row[:times]), *row[times:]) for row in rows]


_sizes: tuple[DeckIndex, Counter[str]] | None = None


def _category_sizes(deck: DeckIndex) -> Counter[str]:
    """Cards per category, counted once per deck (the deck object is kept until the next one)."""
    global _sizes
    kept = _sizes
    if kept is None or kept[0] is not deck:
        kept = _sizes = (deck, Counter(deck.categories[ref.entry_slug] for ref in deck.cards))
    return kept[1]


def _known(cards: dict[str, Card], now: datetime) -> set[str]:
    review = [(card_id, s, last) for card_id, (_, last, state, s) in cards.items() if state == REVIEW and s and last]
    chances = scheduler.retrievabilities(((s, last) for _, s, last in review), now)
    return {card_id for (card_id, _, _), chance in zip(review, chances) if chance >= KNOWN_AT}


def _run(studied: set[date], last: date) -> int:
    """How many consecutive studied days end on `last`."""
    n = 0
    while last - timedelta(days=n) in studied:
        n += 1
    return n


def _streak(studied: set[date], today: date) -> tuple[int, date]:
    """Consecutive study days ending today, or yesterday while today is still open; and the
    first day of that run."""
    last = today if today in studied else today - timedelta(days=1)
    n = _run(studied, last)
    return n, last - timedelta(days=n - 1)


def _longer_streak(db: Connection, learner_id: str, days: StudyDays, first: date) -> int:
    """Study days before `first` (studied) that extend its streak: read a year at a time."""
    more = 0
    while True:
        start = first - timedelta(days=HEATMAP_DAYS)
        rows = db.execute(
            select(col(Review.reviewed_at)).where(
                col(Review.learner_id) == learner_id,
                col(Review.undone).is_(False),
                col(Review.reviewed_at) >= days.start(start),
                col(Review.reviewed_at) < days.start(first),
            )
        ).scalars()
        n = _run({days.day(t) for t in rows}, first - timedelta(days=1))
        more += n
        if n < HEATMAP_DAYS:
            return more
        first = start


def sorted_categories(categories: list[CategoryMastery], sort: str) -> list[CategoryMastery]:
    by_name = sorted(categories, key=lambda c: (c.name.casefold(), c.slug))
    if sort == "mastery":
        return sorted(by_name, key=lambda c: -c.share)
    if sort == "-mastery":
        return sorted(by_name, key=lambda c: c.share)
    return by_name


def _categories(study: Study, deck: DeckIndex, known: set[str], sort: str) -> list[CategoryMastery]:
    names = {c.slug: c.name for c in study.reader.categories()}
    cards = _category_sizes(deck)
    mastered = Counter(deck.categories[deck.by_id[card_id].entry_slug] for card_id in known)
    found = [CategoryMastery(slug, names.get(slug, slug), n, mastered[slug]) for slug, n in cards.items()]
    return sorted_categories(found, sort)
